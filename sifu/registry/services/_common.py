"""What the registry's write services share: constants, dates, the row lock, the status log, and
the rules for identifiers and members that the one-row and the bulk services both apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_id_number, normalize_phone
from sifu.registry.models import (
    Membership,
    Organization,
    OrganizationStatusChange,
    Person,
)

FILING_VALID_YEARS = 3


# Profile fields that organization_update may change. Status, filing and registration fields
# change only through the transition services below.
PROFILE_FIELDS = (
    "name",
    "form",
    "nature",
    "category",
    "guiding_unit",
    "founded_on",
    "purpose",
    "service_scope",
    "venue",
    "venue_kind",
    "funding_source",
    "charter_file",
    "party_clause_in_charter",
    "election_rules_adopted",
    "deliberation_rules_adopted",
    "party_branch_name",
    "party_branch_founded_on",
    "party_instructor",
)


def _today() -> dt.date:
    return timezone.localdate()


def _locked(organization: Organization) -> Organization:
    """Re-read the row under a lock so two concurrent transitions cannot both win."""
    return Organization.objects.select_for_update().select_related("community").get(pk=organization.pk)


def _check_date(value: dt.date, *, label: str, today: dt.date | None = None) -> None:
    if value > (today or _today()):
        raise ValidationError(_("%(label)s cannot be in the future.") % {"label": label})


def _check_community(community: Area) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise ValidationError(
            {"community": _("Choose a community, not a %(kind)s.") % {"kind": community.get_kind_display()}}
        )


def _validate_party_branch(org: Organization) -> None:
    if org.party_branch_founded_on and org.party_branch_founded_on > _today():
        raise ValidationError({"party_branch_founded_on": _("The branch's founding date cannot be in the future.")})
    if org.party_branch_name and not org.party_branch_founded_on:
        raise ValidationError({"party_branch_founded_on": _("Give the date the party branch was founded.")})


def _record_status(org: Organization, *, action: str, from_status: str, on: dt.date, reason: str, by: User) -> None:
    OrganizationStatusChange.objects.create(
        organization=org,
        action=action,
        from_status=from_status,
        status=org.status,
        legal_status=org.legal_status,
        effective_on=on,
        reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _last_effective_on(org: Organization) -> dt.date | None:
    last = org.status_changes.order_by("-effective_on", "-id").values_list("effective_on", flat=True).first()
    return last


def _clean_identifiers(phone: str | None, id_number: str | None) -> tuple[str | None, str | None]:
    errors: dict[str, list[str]] = {}
    clean_phone = clean_id = None
    if phone:
        try:
            clean_phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if id_number:
        try:
            clean_id = normalize_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean_phone, clean_id


def _match_found(name: str, by_id: Person | None, by_phone: Person | None) -> Person | None:
    """``person_match``'s verdict on the people found by ID number and by phone."""
    if by_id and by_phone and by_id.pk != by_phone.pk:
        raise ValidationError(_("The ID number and the phone number belong to two different people already recorded."))
    match = by_id or by_phone
    if match and match.name != name.strip():
        raise ValidationError(
            _("This %(what)s is already recorded for “%(other)s”, not “%(name)s”.")
            % {"what": _("ID number") if by_id else _("phone number"), "other": match.name, "name": name.strip()}
        )
    return match


def _check_member_change_allowed(org: Organization, by: User) -> None:
    if not by.has_perm(Perm.MEMBERS_CHANGE, org):
        raise PermissionDenied(_("You cannot change the members of this organization."))
    if org.status == Organization.Status.DISSOLVED:
        raise ValidationError(_("The organization is dissolved; its members can no longer change."))


def _membership_objects(
    org: Organization, rows: Sequence[dict[str, Any]], current_people: set[int], has_leader: bool
) -> list[Membership]:
    """The rules of ``memberships_bulk_add`` for one organization, checked in memory."""
    objs = []
    today, label = _today(), _("The joining date")
    for row in rows:
        person: Person = row["person"]
        left_on = row.get("left_on")
        _check_date(row["joined_on"], label=label, today=today)
        if left_on is None:
            if person.pk in current_people:
                raise ValidationError(_("%(person)s is already a member of %(org)s.") % {"person": person, "org": org})
            current_people.add(person.pk)
            if row.get("role") == Membership.Role.LEADER:
                if has_leader:
                    raise ValidationError(_("%(org)s already has a leader.") % {"org": org})
                has_leader = True
        elif left_on < row["joined_on"]:
            raise ValidationError(_("A member cannot leave before joining."))
        objs.append(
            Membership(
                organization=org,
                person=person,
                role=row.get("role", Membership.Role.MEMBER),
                is_initiator=row.get("is_initiator", False),
                joined_on=row["joined_on"],
                left_on=left_on,
            )
        )
    return objs
