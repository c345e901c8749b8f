"""Reads for the filing workflow: the review queue and its tabs, a request's steps and documents,
what waits for a staff member (office home), and an organization's current request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import groupby
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifu.core.permissions import Perm, scope_for
from sifu.incubation.models import Filing, FilingDocument, FilingEvent
from sifu.registry.models import Organization

S = Filing.Status
DECIDED = (S.APPROVED, S.REFUSED, S.WITHDRAWN)

# The queue's tabs, in the order shown.
FILING_TABS: dict[str, Any] = {
    "community": _("Awaiting community check"),
    "subdistrict": _("Awaiting subdistrict review"),
    "returned": _("Returned"),
    "overdue": _("Overdue"),
    "decided": _("Decided"),
}


def _tab_q(tab: str, today: dt.date) -> Q:
    return {
        "community": Q(status=S.SUBMITTED),
        "subdistrict": Q(status=S.PRECHECKED),
        "returned": Q(status=S.RETURNED),
        "overdue": Filing.overdue_q(today),
        "decided": Q(status__in=DECIDED),
    }[tab]


def _filtered(user: Any, filters: Mapping[str, Any]) -> QuerySet[Filing]:
    qs = Filing.objects.for_user(user, Perm.FILING_VIEW)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if community := filters.get("community"):
        qs = qs.filter(organization__community_id=getattr(community, "pk", community))
    return qs


def filing_tab_counts(user: Any, filters: Mapping[str, Any], today: dt.date | None = None) -> dict[str, int]:
    """How many requests each tab holds, within the user's scope and the filters. One query."""
    today = today or timezone.localdate()
    return _filtered(user, filters).aggregate(**{tab: Count("pk", filter=_tab_q(tab, today)) for tab in FILING_TABS})


def default_tab(user: Any, counts: Mapping[str, int]) -> str:
    """The first tab with something in it, in the order that matters to the user's role."""
    if user.has_perm(Perm.FILING_DECIDE):
        order = ("subdistrict", "overdue", "community", "returned", "decided")
    else:
        order = ("community", "overdue", "subdistrict", "returned", "decided")
    return next((tab for tab in order if counts.get(tab)), order[0])


def filing_queue(user: Any, tab: str, filters: Mapping[str, Any], today: dt.date | None = None) -> QuerySet[Filing]:
    """The requests of one tab: waiting ones by due date (the most urgent first), returned ones by
    submission, decided ones newest first. One query per page (organization and community joined)."""
    today = today or timezone.localdate()
    qs = _filtered(user, filters).filter(_tab_q(tab, today)).select_related("organization__community", "submitted_by")
    if tab == "decided":
        return qs.order_by("-decided_at", "-id")
    if tab == "returned":
        return qs.order_by("-submitted_at", "-id")
    return qs.order_by("due_on", "submitted_at", "id")


def filing_events(filing: Filing) -> list[FilingEvent]:
    """A request's steps, oldest first, with who took them. One query."""
    return list(filing.events.select_related("by").order_by("at", "id"))


def filing_documents_by_round(filing: Filing) -> list[tuple[int, list[FilingDocument]]]:
    """The documents grouped by the round they came with, latest round first. One query."""
    docs = list(filing.documents.select_related("uploaded_by").order_by("-round", "kind", "uploaded_at", "id"))
    return [(round_, list(items)) for round_, items in groupby(docs, key=lambda d: d.round)]


def filings_waiting(user: Any, today: dt.date | None = None) -> dict[str, int] | None:
    """For the office home: requests waiting for this user's check (community) or decision
    (subdistrict), and how many of those are past their due date. None (no query) for users who
    neither check nor decide; otherwise one query."""
    precheck = scope_for(user, Perm.FILING_PRECHECK)
    decide = scope_for(user, Perm.FILING_DECIDE)
    if precheck.empty and decide.empty:
        return None
    today = today or timezone.localdate()
    field, org_field = "organization__community__path", "organization_id"
    to_check = Q(status=S.SUBMITTED) & precheck.q(field, org_field) if not precheck.empty else Q(pk__in=[])
    to_decide = Q(status=S.PRECHECKED) & decide.q(field, org_field) if not decide.empty else Q(pk__in=[])
    mine = to_check | to_decide
    return Filing.objects.filter(mine).aggregate(
        to_check=Count("pk", filter=to_check),
        to_decide=Count("pk", filter=to_decide),
        overdue=Count("pk", filter=Filing.overdue_q(today)),
    )


def organization_filing(organization: Organization) -> Filing | None:
    """The organization's request in progress, else its latest one. One query."""
    return (
        Filing.objects.filter(organization_id=organization.pk)
        .annotate(
            is_open_rank=Case(
                When(status__in=Filing.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("is_open_rank", "-submitted_at", "-id")
        .first()
    )
