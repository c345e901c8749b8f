"""Writes of the unmasked-view log. Every app that shows a person's phone or ID number in full, or
exports them unmasked, goes through these two services, so each unmasked view is recorded the
same way (DESIGN.md §4.7): who, whose, which field, where (a context the caller names), when.

This app imports no registry code: a person is the object the caller fetched and authorised
(a ``registry.Person``), and "may this user see it" is asked of that model's own ``for_user``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.permissions import Perm, scope_for
from sifu.privacy.models import SensitiveView

CONTEXT_LENGTH = SensitiveView._meta.get_field("context").max_length or 200


def may_see_sensitive(user: Any, person: Any) -> bool:
    """``Perm.PEOPLE_SENSITIVE`` on ``person``: through an area covering where they live (no query),
    or through an organization in the user's scope where they hold a membership (one query, asked
    of ``Person.objects.for_user``, which defines a person's scope)."""
    if user.has_perm(Perm.PEOPLE_SENSITIVE, person):
        return True
    if scope_for(user, Perm.PEOPLE_SENSITIVE).empty:
        return False
    person_model: Any = type(person)
    return bool(person_model.objects.for_user(user, Perm.PEOPLE_SENSITIVE).filter(pk=person.pk).exists())


@transaction.atomic
def person_reveal(*, person: Any, field: str, by: User, context: str = "") -> str:
    """Return one unmasked identifier of ``person`` (``phone`` or ``id_number``) and record that
    ``by`` saw it, ``context`` saying where (e.g. the page's path)."""
    if field not in SensitiveView.REVEALABLE:
        raise ValidationError(_("Unknown field."))
    if not may_see_sensitive(by, person):
        raise PermissionDenied(_("You may not see this person's personal information."))
    SensitiveView.objects.create(user=by, person=person, field=field, context=context[:CONTEXT_LENGTH])
    return getattr(person, field) or ""


@transaction.atomic
def unmasked_export_record(*, by: User, context: str) -> SensitiveView:
    """Record that ``by`` exported personal information unmasked; ``context`` names the export and
    its filters. The caller has checked that ``by`` may (``Perm.PEOPLE_SENSITIVE``)."""
    if not by.has_perm(Perm.PEOPLE_SENSITIVE):
        raise PermissionDenied(_("You may not export unmasked personal information."))
    return SensitiveView.objects.create(
        user=by, person=None, field=SensitiveView.Field.EXPORT, context=context[:CONTEXT_LENGTH]
    )
