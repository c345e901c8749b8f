"""Writes for incubation needs. Views call these; nothing else writes a Need.

Each function is keyword-only, takes the acting user as ``by``, runs in a transaction, locks the
need's row (so two staff screening the same need cannot both win), records history with a dotted
action code and raises ``ValidationError`` with a message a user can act on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_phone
from sifu.incubation.models import Need
from sifu.registry.models import Organization

S = Need.Status

# Which status each screening or matching step may start from, and where it leads.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.SUBMITTED}), S.OPEN),
    "merge": (frozenset({S.SUBMITTED, S.OPEN}), S.MERGED),
    "decline": (frozenset({S.SUBMITTED, S.OPEN}), S.DECLINED),
    "serve": (frozenset({S.OPEN, S.SERVED}), S.SERVED),
    "reopen": (frozenset({S.SERVED}), S.OPEN),
}

FIELDS = ("title", "description", "affected_group", "category", "place")


def _today() -> dt.date:
    return timezone.localdate()


def _check_community(community: Area) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise ValidationError(
            {"community": _("Choose a community, not a %(kind)s.") % {"kind": community.get_kind_display()}}
        )


def _check_change(by: User, need: Need) -> None:
    if not by.has_perm(Perm.NEEDS_CHANGE, need):
        raise PermissionDenied(_("You cannot change the needs of %(area)s.") % {"area": need.community.name})


def _locked(need: Need) -> Need:
    """Re-read the row under a lock: the decision is made on what is stored now, not on a stale copy."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to merged_into.
    return Need.objects.select_for_update(of=("self",)).select_related("community", "merged_into").get(pk=need.pk)


def _locked_as_seen(need: Need) -> Need:
    """The row under a lock, refused if its status changed since the caller read it: when two staff
    screen the same need at once, the second is told instead of overriding the first."""
    current = _locked(need)
    if current.status != need.status:
        raise ValidationError(
            _("Someone else changed this need meanwhile: it is now “%(status)s”. Reload the page to see its state.")
            % {"status": current.get_status_display()},
            code="stale",
        )
    return current


def _transition(need: Need, step: str) -> str:
    sources, target = TRANSITIONS[step]
    if need.status not in sources:
        raise ValidationError(
            _("This need is already “%(status)s”: it cannot be changed this way. Reload the page to see its state.")
            % {"status": need.get_status_display()},
            code="stale",
        )
    return target


def _clean_text(data: dict[str, str]) -> dict[str, str]:
    cleaned = {name: (data.get(name) or "").strip() for name in FIELDS}
    if not cleaned["title"]:
        raise ValidationError({"title": _("Give the need a short title.")})
    return cleaned


@transaction.atomic
def need_record(
    *,
    community: Area,
    title: str,
    category: str,
    source: str,
    by: User,
    description: str = "",
    affected_group: str = "",
    place: str = "",
    reported_on: dt.date | None = None,
) -> Need:
    """A need recorded by community staff (from a visit, survey, forum or hotline call): open at once."""
    if not by.has_perm(Perm.NEEDS_CHANGE, community):
        raise PermissionDenied(_("You cannot record needs in %(area)s.") % {"area": community.name})
    _check_community(community)
    reported_on = reported_on or _today()
    if reported_on > _today():
        raise ValidationError({"reported_on": _("The date a need was reported cannot be in the future.")})
    text = _clean_text(
        {
            "title": title,
            "description": description,
            "affected_group": affected_group,
            "place": place,
            "category": category,
        }
    )
    need = Need(community=community, source=source, reported_on=reported_on, status=S.OPEN, created_by=by, **text)
    need.full_clean(exclude=["created_by", "merged_into"])
    save_with_history(need, action="incubation.need.recorded", by=by)
    return need


@transaction.atomic
def need_submit_public(
    *,
    community: Area,
    title: str,
    category: str,
    description: str = "",
    affected_group: str = "",
    place: str = "",
    submitter_name: str = "",
    submitter_phone: str = "",
    by: User,
) -> Need:
    """A resident's submission from the public site (no account): it waits for the community's screening.

    Residents have no account, so the public page submits as the system actor (``by``)."""
    _check_community(community)
    text = _clean_text(
        {
            "title": title,
            "description": description,
            "affected_group": affected_group,
            "place": place,
            "category": category,
        }
    )
    phone = ""
    if submitter_phone.strip():
        try:
            phone = normalize_phone(submitter_phone)
        except ValidationError as exc:
            raise ValidationError({"submitter_phone": exc.messages}) from exc
    need = Need(
        community=community,
        source=Need.Source.RESIDENT,
        reported_on=_today(),
        status=S.SUBMITTED,
        submitter_name=submitter_name.strip(),
        submitter_phone=phone,
        **text,
    )
    need.full_clean(exclude=["created_by", "merged_into"])
    save_with_history(need, action="incubation.need.submitted", by=by)
    return need


@transaction.atomic
def need_accept(*, need: Need, by: User) -> Need:
    """Screening: the submitted need is real and new; it joins the community's open needs."""
    _check_change(by, need)
    need = _locked_as_seen(need)
    need.status = _transition(need, "accept")
    save_with_history(need, action="incubation.need.accepted", by=by, update_fields=["status"])
    return need


@transaction.atomic
def need_merge(*, need: Need, into: Need, by: User) -> Need:
    """Screening: the need duplicates ``into`` (same community); it is kept, marked merged."""
    _check_change(by, need)
    need = _locked_as_seen(need)
    target = _locked(into)
    if target.pk == need.pk:
        raise ValidationError({"into": _("A need cannot be merged into itself: choose another need.")})
    if target.community_id != need.community_id:
        raise ValidationError(
            {"into": _("Choose a need of the same community (%(area)s).") % {"area": need.community.name}}
        )
    if target.status in (S.MERGED, S.DECLINED, S.SUBMITTED):
        raise ValidationError(
            {
                "into": _("“%(title)s” is “%(status)s”: merge into an open or served need.")
                % {"title": target.title, "status": target.get_status_display()}
            }
        )
    need.status = _transition(need, "merge")
    need.merged_into = target
    save_with_history(need, action="incubation.need.merged", by=by, update_fields=["status", "merged_into"])
    return need


@transaction.atomic
def need_decline(*, need: Need, reason: str, by: User) -> Need:
    """Screening: the need is not taken up; the reason is kept."""
    _check_change(by, need)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for declining: it is kept with the need.")})
    need = _locked_as_seen(need)
    need.status = _transition(need, "decline")
    need.decline_reason = reason
    save_with_history(need, action="incubation.need.declined", by=by, update_fields=["status", "decline_reason"])
    return need


def _check_organization(need: Need, organization: Organization, by: User) -> None:
    if not Organization.objects.for_user(by, Perm.ORG_VIEW).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("That organization is not in your area.")})
    community = Area.objects.get(pk=organization.community_id)
    if community.parent_id != need.community.parent_id:
        raise ValidationError(
            {
                "organization": _("%(name)s is in another subdistrict: link organizations of this subdistrict.")
                % {"name": organization.name}
            }
        )


@transaction.atomic
def need_link_organization(*, need: Need, organization: Organization, by: User) -> Need:
    """The organization serves the need; an active organization marks the need served."""
    _check_change(by, need)
    return _link(need, organization, by=by, action="incubation.need.organization_linked")


@transaction.atomic
def need_served_by_filing(*, need: Need, organization: Organization, by: User) -> Need:
    """The filed organization serves a need its incubation case answered: the consequence of the
    subdistrict's approval, so it is allowed to whoever may decide the organization's filing."""
    if not by.has_perm(Perm.FILING_DECIDE, organization):
        raise PermissionDenied(_("Only the subdistrict that decides the filing marks the case's needs served."))
    return _link(need, organization, by=by, action="incubation.need.served_by_filing")


def _link(need: Need, organization: Organization, *, by: User, action: str) -> Need:
    need = _locked(need)
    if need.status not in (S.OPEN, S.SERVED):
        raise ValidationError(
            _("Only open or served needs can be linked to organizations; this one is “%(status)s”.")
            % {"status": need.get_status_display()}
        )
    _check_organization(need, organization, by)
    if need.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(name)s is already linked.") % {"name": organization.name}})
    need.organizations.add(organization)
    fields = []
    if organization.status == Organization.Status.ACTIVE and need.status == S.OPEN:
        need.status = _transition(need, "serve")
        fields.append("status")
    save_with_history(need, action=action, by=by, update_fields=fields)
    return need


@transaction.atomic
def need_unlink_organization(*, need: Need, organization: Organization, by: User) -> Need:
    """The organization no longer serves the need; a need left with no organization is open again."""
    _check_change(by, need)
    need = _locked(need)
    if not need.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(name)s is not linked to this need.") % {"name": organization.name}})
    need.organizations.remove(organization)
    fields = []
    if need.status == S.SERVED and not need.organizations.exists():
        need.status = _transition(need, "reopen")
        fields.append("status")
    save_with_history(need, action="incubation.need.organization_unlinked", by=by, update_fields=fields)
    return need


EDITABLE = (*FIELDS, "reported_on")


@transaction.atomic
def need_update(*, need: Need, data: dict[str, Any], by: User) -> Need:
    """Correct what was recorded (title, description, affected group, category, place, date) while the
    need is current; merged and declined needs are kept as they were decided."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    _check_change(by, need)
    need = _locked(need)
    if need.status in (S.MERGED, S.DECLINED):
        raise ValidationError(
            _("This need is “%(status)s”: it is kept as it was decided and cannot be edited.")
            % {"status": need.get_status_display()},
            code="finished",
        )
    cleaned: dict[str, Any] = {name: (value or "").strip() if name in FIELDS else value for name, value in data.items()}
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("Give the need a short title.")})
    if "reported_on" in cleaned:
        if cleaned["reported_on"] is None:
            raise ValidationError({"reported_on": _("Give the date the need was reported.")})
        if cleaned["reported_on"] > _today():
            raise ValidationError({"reported_on": _("The date a need was reported cannot be in the future.")})
    changed = [name for name, value in cleaned.items() if getattr(need, name) != value]
    if not changed:
        return need
    for name in changed:
        setattr(need, name, cleaned[name])
    need.full_clean(exclude=["created_by", "merged_into"])
    save_with_history(need, action="incubation.need.updated", by=by, update_fields=changed)
    return need
