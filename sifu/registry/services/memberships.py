"""Writes for memberships: add (one or a list), end, change a role, change the leader."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.history import bulk_create_histories, save_with_history
from sifu.registry.models import (
    Membership,
    Organization,
    Person,
)
from sifu.registry.services._common import (
    _check_date,
    _check_member_change_allowed,
    _locked,
    _membership_objects,
    _today,
)


def _check_no_overlap(org: Organization, person: Person, joined_on: dt.date) -> None:
    """A person who left may rejoin, but not on a date they were still a member."""
    last_left = (
        Membership.objects.filter(organization=org, person=person, left_on__isnull=False)
        .order_by("-left_on")
        .values_list("left_on", flat=True)
        .first()
    )
    if last_left and joined_on < last_left:
        raise ValidationError(
            {
                "joined_on": _("%(person)s was a member until %(date)s; the new joining date cannot be earlier.")
                % {"person": person, "date": last_left.isoformat()}
            }
        )


def _leader_required(org: Organization) -> bool:
    return org.status in (Organization.Status.ACTIVE, Organization.Status.DORMANT)


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    person: Person,
    joined_on: dt.date,
    by: User,
    role: str = Membership.Role.MEMBER,
    is_initiator: bool = False,
) -> Membership:
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    _check_date(joined_on, label=_("The joining date"))
    if Membership.objects.filter(organization=org, person=person, left_on__isnull=True).exists():
        raise ValidationError(_("%(person)s is already a member of %(org)s.") % {"person": person, "org": org})
    _check_no_overlap(org, person, joined_on)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if (
        role == Membership.Role.LEADER
        and Membership.objects.filter(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).exists()
    ):
        raise ValidationError(
            {"role": _("%(org)s already has a leader; use “Change leader” to hand over.") % {"org": org}}
        )
    membership = Membership(organization=org, person=person, role=role, is_initiator=is_initiator, joined_on=joined_on)
    try:
        with transaction.atomic():
            save_with_history(membership, action="registry.membership.added", by=by)
    except IntegrityError as exc:
        raise ValidationError(_("Someone else changed these members at the same time; reload and try again.")) from exc
    return membership


@transaction.atomic
def memberships_bulk_add(*, organization: Organization, rows: list[dict[str, Any]], by: User) -> list[Membership]:
    """Many memberships of one organization at once (demo and large imports): few queries.

    ``rows`` hold person, role, joined_on and optionally left_on and is_initiator; rules are
    the same as ``membership_add``, checked in memory.
    """
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    current_people = set(
        Membership.objects.filter(organization=org, left_on__isnull=True).values_list("person_id", flat=True)
    )
    has_leader = Membership.objects.filter(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).exists()
    objs = _membership_objects(org, rows, current_people, has_leader)
    return bulk_create_histories(Membership, objs, action="registry.membership.added", by=by)


@transaction.atomic
def membership_end(*, membership: Membership, left_on: dt.date, by: User) -> Membership:
    org = _locked(membership.organization)
    _check_member_change_allowed(org, by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("This membership already ended on %(date)s.") % {"date": membership.left_on})
    _check_date(left_on, label=_("The leaving date"))
    if left_on < membership.joined_on:
        raise ValidationError(
            {"left_on": _("A member cannot leave before joining (%(date)s).") % {"date": membership.joined_on}}
        )
    if membership.role == Membership.Role.LEADER and _leader_required(org):
        raise ValidationError(
            _("%(person)s is the leader. Hand over to a new leader first (“Change leader”).")
            % {"person": membership.person}
        )
    membership.left_on = left_on
    save_with_history(membership, action="registry.membership.ended", by=by, update_fields=["left_on"])
    return membership


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, by: User, is_initiator: bool | None = None
) -> Membership:
    org = _locked(membership.organization)
    _check_member_change_allowed(org, by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("This membership has ended."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Membership.Role.LEADER and membership.role != role:
        raise ValidationError({"role": _("Use “Change leader” to make someone the leader.")})
    if membership.role == Membership.Role.LEADER and role != membership.role and _leader_required(org):
        raise ValidationError({"role": _("Hand over to a new leader first (“Change leader”).")})
    fields = []
    if membership.role != role:
        membership.role = role
        fields.append("role")
    if is_initiator is not None and membership.is_initiator != is_initiator:
        membership.is_initiator = is_initiator
        fields.append("is_initiator")
    if fields:
        save_with_history(membership, action="registry.membership.role_changed", by=by, update_fields=fields)
    return membership


@transaction.atomic
def organization_change_leader(
    *,
    organization: Organization,
    person: Person,
    on: dt.date | None = None,
    by: User,
    previous_leader_role: str = Membership.Role.BACKBONE,
) -> Membership:
    """Hand the leadership to ``person`` (adding them as a member if needed), in one step."""
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    if previous_leader_role not in Membership.Role.values or previous_leader_role == Membership.Role.LEADER:
        raise ValidationError({"previous_leader_role": _("Choose the outgoing leader's new role (not leader).")})
    on = on or _today()
    _check_date(on, label=_("The handover date"))
    current = Membership.objects.select_for_update().filter(organization=org, left_on__isnull=True)
    old = current.filter(role=Membership.Role.LEADER).first()
    if old and old.person_id == person.pk:
        raise ValidationError(_("%(person)s is already the leader.") % {"person": person})
    if old:
        old.role = previous_leader_role
        save_with_history(old, action="registry.membership.leader_handed_over", by=by, update_fields=["role"])
    new = current.filter(person=person).first()
    if new:
        new.role = Membership.Role.LEADER
        save_with_history(new, action="registry.membership.leader_appointed", by=by, update_fields=["role"])
        return new
    _check_no_overlap(org, person, on)
    membership = Membership(organization=org, person=person, role=Membership.Role.LEADER, joined_on=on)
    save_with_history(membership, action="registry.membership.leader_appointed", by=by)
    return membership
