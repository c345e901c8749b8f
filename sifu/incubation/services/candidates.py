"""Writes for leader candidates (三强): a person considered as an organization's leader and
assessed on 党性意识强, 组织能力强, 公益爱心强 (case study 二(一), 发动党员带头孵化).

Each function is keyword-only, takes the acting user as ``by``, checks ``Perm.CASES_CHANGE`` on
the organization, runs in a transaction, locks the rows it decides on, records history with a
dotted action code and raises ``ValidationError`` with a message a user can act on. Choosing a
candidate makes them the leader through ``registry.services.organization_change_leader``: its
rules (and refusals) apply unchanged.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Seen, Workflow
from sifu.incubation.models import LeaderCandidate
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry_services
from sifu.registry.models import Membership, Organization, Person

S = LeaderCandidate.Status
ASSESSMENTS = ("party_spirit", "organizing_ability", "public_spirit")


def _today() -> dt.date:
    return timezone.localdate()


def _check_change(by: User, organization: Organization) -> None:
    if not by.has_perm(Perm.CASES_CHANGE, organization):
        raise PermissionDenied(_("You cannot change the leader candidates of %(name)s.") % {"name": organization.name})


def _locked(candidate: LeaderCandidate) -> LeaderCandidate:
    """Re-read the row under a lock: the decision is made on what is stored now, not on a stale copy."""
    return (
        LeaderCandidate.objects.select_for_update(of=("self",))
        .select_related("organization__community", "person")
        .get(pk=candidate.pk)
    )


def _denied(candidate: LeaderCandidate) -> str:
    return _("You cannot change the leader candidates of %(name)s.") % {"name": candidate.organization.name}


def _stale(candidate: LeaderCandidate) -> str:
    return _("Someone else changed this candidate meanwhile: now “%(status)s”. Reload the page to see it.") % {
        "status": candidate.get_status_display()
    }


def _not_assessable(candidate: LeaderCandidate, action: Action) -> str:
    return _("This candidate was withdrawn: a withdrawn candidate is not assessed.")


def _not_choosable(candidate: LeaderCandidate, action: Action) -> str:
    if candidate.status == S.WITHDRAWN:
        return _("This candidate was withdrawn: a withdrawn candidate cannot be chosen.")
    return _("This candidate was already chosen as leader.")


def _not_withdrawable(candidate: LeaderCandidate, action: Action) -> str:
    if candidate.status == S.CHOSEN:
        return _("%(person)s was chosen as leader: change the leader on the organization's members page instead.") % {
            "person": candidate.person.name
        }
    return _("This candidate was already withdrawn.")


CANDIDATE_FLOW = Workflow(
    model=LeaderCandidate,
    field="status",
    actions=[
        Action(
            "assess",
            gettext_lazy("Assess"),
            sources={S.CANDIDATE, S.CHOSEN},
            target=None,
            perm=Perm.CASES_CHANGE,
            history="incubation.candidate.assessed",
            state_message=_not_assessable,
        ),
        Action(
            "choose",
            gettext_lazy("Choose as leader"),
            sources={S.CANDIDATE},
            target=S.CHOSEN,
            perm=Perm.CASES_CHANGE,
            history="incubation.candidate.chosen",
            state_message=_not_choosable,
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw"),
            sources={S.CANDIDATE},
            target=S.WITHDRAWN,
            perm=Perm.CASES_CHANGE,
            history="incubation.candidate.withdrawn",
            state_message=_not_withdrawable,
        ),
    ],
    stale_message=_stale,
    denied=_denied,
)


@transaction.atomic
def candidate_add(*, organization: Organization, person: Person, note: str = "", by: User) -> LeaderCandidate:
    """Record ``person`` as a candidate leader of ``organization`` (not yet assessed)."""
    _check_change(by, organization)
    # The organization's row is locked so two staff adding the same person are told, not failed.
    org = registry_services.organization_lock(organization)
    if org.status == Organization.Status.DISSOLVED:
        raise ValidationError(_("%(name)s is dissolved: it needs no leader candidates.") % {"name": org.name})
    if not registry_selectors.people_for_user(by, Perm.PEOPLE_VIEW).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("That person is not in your area: choose someone you can see.")})
    existing = LeaderCandidate.objects.filter(organization=org, person=person).first()
    if existing is not None:
        raise ValidationError(
            {
                "person": _("%(person)s is already recorded as a candidate of this organization (%(status)s).")
                % {"person": person.name, "status": existing.get_status_display()}
            }
        )
    leads = registry_selectors.current_memberships(org).filter(person=person, role=Membership.Role.LEADER).exists()
    if leads:
        raise ValidationError({"person": _("%(person)s already leads this organization.") % {"person": person.name}})
    candidate = LeaderCandidate(organization=org, person=person, note=(note or "").strip(), created_by=by)
    save_with_history(candidate, action="incubation.candidate.added", by=by)
    return candidate


@transaction.atomic
def candidate_assess(
    *,
    candidate: LeaderCandidate,
    party_spirit: str,
    organizing_ability: str,
    public_spirit: str,
    note: str = "",
    assessed_on: dt.date | None = None,
    by: User,
) -> LeaderCandidate:
    """Assess the three qualities (strong / fair / needs work); the notes replace the earlier ones
    (every version stays in the history)."""
    current = _locked(candidate)
    action = CANDIDATE_FLOW.check(current, "assess", by, seen=None)
    values = {"party_spirit": party_spirit, "organizing_ability": organizing_ability, "public_spirit": public_spirit}
    errors = {
        name: _("Choose strong, fair or needs work.")
        for name, value in values.items()
        if value not in LeaderCandidate.Assessment.values
    }
    if errors:
        raise ValidationError(errors)
    assessed_on = assessed_on or _today()
    if assessed_on > _today():
        raise ValidationError({"assessed_on": _("The date of the assessment cannot be in the future.")})
    for name, value in values.items():
        setattr(current, name, value)
    current.note = (note or "").strip()
    current.assessed_on = assessed_on
    save_with_history(current, action=action.history, by=by, update_fields=[*ASSESSMENTS, "note", "assessed_on"])
    return current


@transaction.atomic
def candidate_choose(
    *, candidate: LeaderCandidate, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> LeaderCandidate:
    """Make the candidate the organization's leader (a handover in the registry, with its own
    checks and history) and mark them chosen. Other candidates stay candidates.

    ``seen``: the state the deciding page showed (else ``candidate`` is the copy the caller decided
    on): when two staff decide on the same candidate at once, the second is told."""
    current = _locked(candidate)
    action = CANDIDATE_FLOW.check(current, "choose", by, seen=seen or candidate)
    # Raises the registry's own ValidationError (dissolved, already the leader, future date, …).
    registry_services.organization_change_leader(organization=current.organization, person=current.person, on=on, by=by)
    fields = CANDIDATE_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=fields)
    return current


@transaction.atomic
def candidate_withdraw(
    *, candidate: LeaderCandidate, reason: str, by: User, seen: Seen | None = None
) -> LeaderCandidate:
    """The person is no longer considered; the reason is added to the notes."""
    CANDIDATE_FLOW.authorize(candidate, "withdraw", by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing: it is kept with the candidate.")})
    current = _locked(candidate)
    action = CANDIDATE_FLOW.check(current, "withdraw", by, seen=seen or candidate)
    line = _("Withdrawn on %(date)s: %(reason)s") % {"date": _today().isoformat(), "reason": reason}
    current.note = f"{current.note}\n{line}" if current.note else line
    fields = CANDIDATE_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=[*fields, "note"])
    return current
