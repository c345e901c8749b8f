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
from django.utils.translation import gettext_lazy

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_phone
from sifu.core.workflow import Action, Seen, Workflow
from sifu.incubation.models import Need
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization

S = Need.Status


def _stale(need: Need) -> str:
    return _("Someone else changed this need meanwhile: it is now “%(status)s”. Reload the page to see its state.") % {
        "status": need.get_status_display()
    }


# Screening (accept, merge, decline) and matching; "serve" and "reopen" follow from linking organizations.
NEED_FLOW = Workflow(
    model=Need,
    field="status",
    actions=[
        Action(
            "accept",
            gettext_lazy("Accept"),
            sources={S.SUBMITTED},
            target=S.OPEN,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.accepted",
        ),
        Action(
            "merge",
            gettext_lazy("Merge into"),
            sources={S.SUBMITTED, S.OPEN},
            target=S.MERGED,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.merged",
        ),
        Action(
            "decline",
            gettext_lazy("Decline"),
            sources={S.SUBMITTED, S.OPEN},
            target=S.DECLINED,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.declined",
        ),
        Action(
            "edit",
            gettext_lazy("Edit"),
            sources={S.SUBMITTED, S.OPEN, S.SERVED},
            target=None,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.updated",
            state_message=lambda need, action: (
                _("This need is “%(status)s”: it is kept as it was decided and cannot be edited.")
                % {"status": need.get_status_display()}
            ),
        ),
        Action(
            "link",
            gettext_lazy("Link"),
            sources={S.OPEN, S.SERVED},
            target=None,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.organization_linked",
            state_message=lambda need, action: (
                _("Only open or served needs can be linked to organizations; this one is “%(status)s”.")
                % {"status": need.get_status_display()}
            ),
        ),
        # The filing's approval links the case's needs (``need_served_by_filing`` checks FILING_DECIDE).
        Action(
            "served_by_filing",
            gettext_lazy("Served by the filed organization"),
            sources={S.OPEN, S.SERVED},
            target=None,
            perm=None,
            history="incubation.need.served_by_filing",
            automatic=True,
            state_message=lambda need, action: (
                _("Only open or served needs can be linked to organizations; this one is “%(status)s”.")
                % {"status": need.get_status_display()}
            ),
        ),
        Action(
            "unlink",
            gettext_lazy("Unlink"),
            sources={S.OPEN, S.SERVED},
            target=None,
            perm=Perm.NEEDS_CHANGE,
            history="incubation.need.organization_unlinked",
        ),
        # The need as a case's starting point (the case's own service checks every need it answers).
        Action(
            "open_case",
            gettext_lazy("Open an incubation case"),
            sources={S.OPEN},
            target=None,
            perm=Perm.CASES_CHANGE,
            history="incubation.case.opened",
        ),
        Action(
            "serve",
            gettext_lazy("Served"),
            sources={S.OPEN, S.SERVED},
            target=S.SERVED,
            perm=None,
            history="incubation.need.organization_linked",
            automatic=True,
        ),
        Action(
            "reopen",
            gettext_lazy("Open again"),
            sources={S.SERVED},
            target=S.OPEN,
            perm=None,
            history="incubation.need.organization_unlinked",
            automatic=True,
        ),
    ],
    state_message=lambda need, action: (
        _("This need is already “%(status)s”: it cannot be changed this way. Reload the page to see its state.")
        % {"status": need.get_status_display()}
    ),
    stale_message=_stale,
    denied=lambda need: _("You cannot change the needs of %(area)s.") % {"area": need.community.name},
)

FIELDS = ("title", "description", "affected_group", "category", "place")


def _today() -> dt.date:
    return timezone.localdate()


def _check_community(community: Area) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise ValidationError(
            {"community": _("Choose a community, not a %(kind)s.") % {"kind": community.get_kind_display()}}
        )


def _locked(need: Need) -> Need:
    """Re-read the row under a lock: the decision is made on what is stored now, not on a stale copy."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to merged_into.
    return Need.objects.select_for_update(of=("self",)).select_related("community", "merged_into").get(pk=need.pk)


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
def need_accept(*, need: Need, by: User, seen: Seen | None = None) -> Need:
    """Screening: the submitted need is real and new; it joins the community's open needs.

    ``seen``: the state the deciding page showed (else ``need`` is the copy the caller decided on):
    when two staff screen the same need at once, the second is told instead of overriding the first."""
    current = _locked(need)
    action = NEED_FLOW.check(current, "accept", by, seen=seen or need)
    fields = NEED_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=fields)
    return current


@transaction.atomic
def need_merge(*, need: Need, into: Need, by: User, seen: Seen | None = None) -> Need:
    """Screening: the need duplicates ``into`` (same community); it is kept, marked merged."""
    current = _locked(need)
    action = NEED_FLOW.check(current, "merge", by, seen=seen or need)
    target = _locked(into)
    if target.pk == current.pk:
        raise ValidationError({"into": _("A need cannot be merged into itself: choose another need.")})
    if target.community_id != current.community_id:
        raise ValidationError(
            {"into": _("Choose a need of the same community (%(area)s).") % {"area": current.community.name}}
        )
    if target.status in (S.MERGED, S.DECLINED, S.SUBMITTED):
        raise ValidationError(
            {
                "into": _("“%(title)s” is “%(status)s”: merge into an open or served need.")
                % {"title": target.title, "status": target.get_status_display()}
            }
        )
    current.merged_into = target
    fields = NEED_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=[*fields, "merged_into"])
    return current


@transaction.atomic
def need_decline(*, need: Need, reason: str, by: User, seen: Seen | None = None) -> Need:
    """Screening: the need is not taken up; the reason is kept."""
    NEED_FLOW.authorize(need, "decline", by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for declining: it is kept with the need.")})
    current = _locked(need)
    action = NEED_FLOW.check(current, "decline", by, seen=seen or need)
    current.decline_reason = reason
    fields = NEED_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=[*fields, "decline_reason"])
    return current


def _check_organization(need: Need, organization: Organization, by: User) -> None:
    if not registry_selectors.organizations_for_user(by, Perm.ORG_VIEW).filter(pk=organization.pk).exists():
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
    current = _locked(need)
    return _link(current, organization, by=by, action=NEED_FLOW.check(current, "link", by, seen=None))


@transaction.atomic
def need_served_by_filing(*, need: Need, organization: Organization, by: User) -> Need:
    """The filed organization serves a need its incubation case answered: the consequence of the
    subdistrict's approval, so it is allowed to whoever may decide the organization's filing."""
    if not by.has_perm(Perm.FILING_DECIDE, organization):
        raise PermissionDenied(_("Only the subdistrict that decides the filing marks the case's needs served."))
    current = _locked(need)
    return _link(current, organization, by=by, action=NEED_FLOW.check(current, "served_by_filing", by, seen=None))


def _link(need: Need, organization: Organization, *, by: User, action: Action) -> Need:
    _check_organization(need, organization, by)
    if need.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(name)s is already linked.") % {"name": organization.name}})
    need.organizations.add(organization)
    fields = []
    if organization.status == Organization.Status.ACTIVE and need.status == S.OPEN:
        fields = NEED_FLOW.move(need, NEED_FLOW.check(need, "serve", by, seen=None))
    save_with_history(need, action=action.history, by=by, update_fields=fields)
    return need


@transaction.atomic
def need_unlink_organization(*, need: Need, organization: Organization, by: User) -> Need:
    """The organization no longer serves the need; a need left with no organization is open again."""
    need = _locked(need)
    NEED_FLOW.check(need, "unlink", by, seen=None)
    if not need.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(name)s is not linked to this need.") % {"name": organization.name}})
    need.organizations.remove(organization)
    fields = []
    if need.status == S.SERVED and not need.organizations.exists():
        fields = NEED_FLOW.move(need, NEED_FLOW.check(need, "reopen", by, seen=None))
    save_with_history(need, action=NEED_FLOW.actions["unlink"].history, by=by, update_fields=fields)
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
    need = _locked(need)
    NEED_FLOW.check(need, "edit", by, seen=None)
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
    save_with_history(need, action=NEED_FLOW.actions["edit"].history, by=by, update_fields=changed)
    return need
