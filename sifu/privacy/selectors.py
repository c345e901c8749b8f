"""Reads of the unmasked-view log for the office page and its export.

Scope. A holder of ``Perm.PRIVACY_LOG_VIEW`` (a subdistrict admin) sees a row when either

- the person whose data was seen lives in an area of their scope (``person.community``), or
- the viewer holds, or once held, a role on an area or organization in their scope (revoked roles
  count: the log outlives the role).

So a subdistrict admin sees everything their own staff and organization admins unmasked, wherever
the person lives, and everything anyone unmasked about their residents. Unmasked exports (no
person) are seen through the viewer. A superuser sees every row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sifu.accounts.models import RoleGrant
from sifu.accounts.permissions import grants_in_scope_q
from sifu.core.permissions import Perm, scope_for
from sifu.privacy.models import SensitiveView

PAGE_SIZE = 50


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the site's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def sensitive_views_for_user(
    user: Any,
    *,
    viewer: str = "",
    person: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SensitiveView]:
    """The rows of the log ``user`` may see (module docstring), newest first, with the viewer and
    the person joined in (one query per page, whatever its size).

    ``viewer`` matches the viewer's login name or name, ``person`` the person's name (parts of
    either); ``date_from`` and ``date_to`` are days in the site's time zone, both included.
    """
    scope = scope_for(user, Perm.PRIVACY_LOG_VIEW)
    qs = SensitiveView.objects.all()
    if scope.empty:
        return qs.none()
    if not scope.everywhere:
        viewer_in_scope = RoleGrant.objects.filter(grants_in_scope_q(scope), user=OuterRef("user"))
        qs = qs.filter(scope.q("person__community__path") | Q(Exists(viewer_in_scope)))
    viewer = viewer.strip()
    if viewer:
        qs = qs.filter(
            Q(user__username__icontains=viewer)
            | Q(user__display_name__icontains=viewer)
            | Q(user__first_name__icontains=viewer)
            | Q(user__last_name__icontains=viewer)
        )
    person = person.strip()
    if person:
        qs = qs.filter(person__name__icontains=person)
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return qs.select_related("user", "person").order_by("-at", "-id")
