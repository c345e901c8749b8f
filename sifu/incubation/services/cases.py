"""Writes for incubation cases (孵化). Views and the filing services call these; nothing else
writes an IncubationCase.

Stages move through ``CASE_FLOW`` only. The filing workflow (``services.filings``) reports its
outcomes here with ``case_filing_submitted`` / ``case_filing_approved`` / ``case_filing_refused``;
each is a no-op for an organization that has no open case (e.g. one filed on paper years ago).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Seen, Workflow
from sifu.incubation.models import CoachingNote, Filing, IncubationCase, Need
from sifu.registry import services as registry
from sifu.registry.models import Organization

Stage = IncubationCase.Stage


def _cannot_move(case: IncubationCase, action: Action) -> str:
    return _("This case is “%(stage)s”: it cannot move this way. Reload the page to see its state.") % {
        "stage": case.get_stage_display()
    }


def _finished(case: IncubationCase, action: Action) -> str:
    return _("This case is “%(stage)s”: its record is kept as it was and cannot be changed.") % {
        "stage": case.get_stage_display()
    }


def _no_open_filing(case: IncubationCase, user: Any) -> str | None:
    """A case is not closed while its organization has a filing request in progress."""
    open_filing = Filing.objects.open().filter(organization_id=case.organization_id).first()
    if open_filing is None:
        return None
    return _(
        "The organization has a filing request in progress (“%(status)s”): it must be decided "
        "or withdrawn before the case can be closed."
    ) % {"status": open_filing.get_status_display()}


OPEN_STAGES = frozenset({Stage.PREPARING, Stage.INCUBATING, Stage.FILING})

# The stages of a case. Staff start and close it; the filing workflow moves it (automatic steps).
CASE_FLOW = Workflow(
    model=IncubationCase,
    field="stage",
    actions=[
        Action(
            "start",
            gettext_lazy("Start incubation"),
            sources={Stage.PREPARING},
            target=Stage.INCUBATING,
            perm=Perm.CASES_CHANGE,
            history="incubation.case.started",
        ),
        Action(
            "close",
            gettext_lazy("Close the case"),
            sources={Stage.PREPARING, Stage.INCUBATING},
            target=Stage.CLOSED,
            perm=Perm.CASES_CHANGE,
            history="incubation.case.closed",
            slow_guards=[_no_open_filing],
        ),
        Action(
            "edit",
            gettext_lazy("Edit the case"),
            sources=OPEN_STAGES,
            target=None,
            perm=Perm.CASES_CHANGE,
            history="incubation.case.updated",
            state_message=_finished,
        ),
        Action(
            "note",
            gettext_lazy("Add a coaching note"),
            sources=OPEN_STAGES | {Stage.FILED},
            target=None,
            perm=Perm.CASES_CHANGE,
            history="incubation.case.note_added",
            state_message=lambda case, action: _("This case is closed: coaching notes can no longer be added."),
        ),
        Action(
            "filing_submitted",
            gettext_lazy("Filing submitted"),
            sources={Stage.INCUBATING},
            target=Stage.FILING,
            perm=None,
            history="incubation.case.filing_submitted",
            automatic=True,
        ),
        Action(
            "filing_refused",
            gettext_lazy("Filing refused or withdrawn"),
            sources={Stage.FILING},
            target=Stage.INCUBATING,
            perm=None,
            history="incubation.case.filing_refused",
            automatic=True,
        ),
        Action(
            "filing_approved",
            gettext_lazy("Filed"),
            sources={Stage.FILING},
            target=Stage.FILED,
            perm=None,
            history="incubation.case.filed",
            automatic=True,
        ),
    ],
    state_message=_cannot_move,
    stale_message=lambda case: (
        _("Someone else changed this case meanwhile: it is now “%(stage)s”. Reload the page to see it.")
        % {"stage": case.get_stage_display()}
    ),
    denied=lambda case: (
        _("You cannot change the incubation cases of %(area)s.") % {"area": case.organization.community.name}
    ),
)


def _locked_case(organization: Organization) -> IncubationCase | None:
    return (
        IncubationCase.objects.select_for_update(of=("self",))
        .select_related("organization__community")
        .filter(organization_id=organization.pk)
        .first()
    )


def _move(case: IncubationCase, step: str, *, by: User, update_fields: list[str] | None = None) -> IncubationCase:
    """Move a locked case one automatic step, or refuse with the reason (nothing saved)."""
    action = CASE_FLOW.check(case, step, by, seen=None)
    fields = CASE_FLOW.move(case, action)
    save_with_history(case, action=action.history, by=by, update_fields=[*fields, "updated_at", *(update_fields or [])])
    return case


def case_filing_problem(organization: Organization) -> str | None:
    """Why the organization's incubation case does not allow a first filing yet, or None (also None
    when it has no case). The filing workflow may ask before it stores anything; the hook below
    refuses in any case."""
    stage = IncubationCase.objects.filter(organization_id=organization.pk).values_list("stage", flat=True).first()
    if stage == Stage.PREPARING:
        return _(
            "The incubation of %(name)s has not started yet: start the incubation on its case page, "
            "then submit the filing."
        ) % {"name": organization.name}
    return None


@transaction.atomic
def case_filing_submitted(*, organization: Organization, by: User) -> IncubationCase | None:
    """A first filing was submitted: an incubating case moves to filing. A case still preparing refuses
    (its organization has not been incubated), which undoes the submission."""
    case = _locked_case(organization)
    if case is not None and case.stage == Stage.PREPARING:
        raise ValidationError(case_filing_problem(organization) or "", code="case_preparing")
    if case is None or case.stage != Stage.INCUBATING:
        return case
    return _move(case, "filing_submitted", by=by)


@transaction.atomic
def case_filing_approved(*, organization: Organization, by: User) -> IncubationCase | None:
    """The filing was approved: the case is filed, and the needs it answers are now served by the
    organization (linked to it; an active organization marks them served). Call it after the
    registry recorded the filing (``organization_file``)."""
    case = _locked_case(organization)
    if case is None or case.stage != Stage.FILING:
        return case
    case = _move(case, "filing_approved", by=by)
    _serve_needs(case, by=by, approved=True)
    return case


def _serve_needs(case: IncubationCase, *, by: User, approved: bool) -> None:
    """The case's organization serves the needs it answered. On a filing approval the decider marks
    them (``need_served_by_filing``); a case recorded for an organization already filed links them
    as any change to a need (``need_link_organization``)."""
    from sifu.incubation.services.needs import need_link_organization, need_served_by_filing

    link = need_served_by_filing if approved else need_link_organization
    organization = case.organization
    for need in case.needs.select_related("community").exclude(organizations=organization).order_by("pk"):
        if need.status not in ANSWERABLE:
            continue
        link(need=need, organization=organization, by=by)


@transaction.atomic
def case_filing_refused(*, organization: Organization, by: User) -> IncubationCase | None:
    """A refused or withdrawn filing sends the case back to incubation, to fix and file again."""
    case = _locked_case(organization)
    if case is None or case.stage != Stage.FILING:
        return case
    return _move(case, "filing_refused", by=by)


# Opening, editing, coaching and closing a case -----------------------------------------------

EDITABLE_FIELDS = ("incubator_kind", "incubator_name", "mentor")
# A need a case can answer: screened and still current (not merged into another, not declined).
ANSWERABLE = frozenset({Need.Status.OPEN, Need.Status.SERVED})


def _today() -> dt.date:
    return timezone.localdate()


def _locked(case: IncubationCase) -> IncubationCase:
    """The case re-read under a lock: each step is decided on what is stored now."""
    locked = IncubationCase.objects.select_for_update(of=("self",)).select_related("organization__community")
    return locked.get(pk=case.pk)


def _check_day(value: dt.date, *, field: str, label: str, opened_on: dt.date | None = None) -> None:
    if value > _today():
        raise ValidationError({field: _("%(label)s cannot be in the future.") % {"label": label}})
    if opened_on is not None and value < opened_on:
        raise ValidationError(
            {
                field: _("%(label)s cannot be before the case was opened (%(date)s).")
                % {"label": label, "date": opened_on.isoformat()}
            }
        )


def _need_problem(need: Need, community_id: int) -> str | None:
    """Why a case of ``community_id`` cannot answer ``need``, or None."""
    if need.community_id != community_id:
        return _("“%(title)s” is a need of %(area)s: link needs of the organization's own community.") % {
            "title": need.title,
            "area": need.community.name,
        }
    if need.status == Need.Status.SUBMITTED:
        return _("“%(title)s” is still awaiting screening: accept it on its page first.") % {"title": need.title}
    if need.status not in ANSWERABLE:
        return _("“%(title)s” is “%(status)s”: choose an open need instead.") % {
            "title": need.title,
            "status": need.get_status_display(),
        }
    return None


def _locked_needs(needs: Iterable[Need]) -> list[Need]:
    pks = sorted({need.pk for need in needs})
    return list(
        Need.objects.select_for_update(of=("self",)).select_related("community").filter(pk__in=pks).order_by("pk")
    )


@transaction.atomic
def case_open(
    *,
    community: Area,
    name: str,
    form: str,
    nature: str,
    category: str,
    needs: Iterable[Need],
    incubator_kind: str,
    incubator_name: str = "",
    mentor: str = "",
    opened_on: dt.date | None = None,
    by: User,
) -> IncubationCase:
    """Open a case: the prospective organization enters the registry as proposed (through the
    registry's own service), and the case ties it to the needs it answers, its incubator and mentor."""
    if not by.has_perm(Perm.CASES_CHANGE, community):
        raise PermissionDenied(_("You cannot open incubation cases in %(area)s.") % {"area": community.name})
    opened_on = opened_on or _today()
    _check_day(opened_on, field="opened_on", label=_("The opening date"))
    if incubator_kind not in IncubationCase.Incubator.values:
        raise ValidationError({"incubator_kind": _("Choose who incubates the organization.")})
    locked = _locked_needs(needs)
    if not locked:
        raise ValidationError(
            {
                "needs": _(
                    "Choose at least one need of %(area)s that the organization will answer "
                    "(record the need first if it is not listed)."
                )
                % {"area": community.name}
            }
        )
    problems = [p for p in (_need_problem(need, community.pk) for need in locked) if p]
    if problems:
        raise ValidationError({"needs": problems})
    organization = registry.organization_create(
        name=name, form=form, nature=nature, category=category, community=community, on=opened_on, by=by
    )
    case = IncubationCase(
        organization=organization,
        incubator_kind=incubator_kind,
        incubator_name=(incubator_name or "").strip(),
        mentor=(mentor or "").strip(),
        opened_on=opened_on,
        stage=Stage.PREPARING,
        created_by=by if getattr(by, "pk", None) else None,
    )
    case.full_clean(exclude=["organization", "created_by"], validate_unique=False)
    save_with_history(case, action="incubation.case.opened", by=by)
    case.needs.set(locked)
    return case


@transaction.atomic
def case_update(*, case: IncubationCase, data: dict[str, Any], by: User) -> IncubationCase:
    """Change who incubates and who coaches (the organization's own profile is edited in the registry)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    case = _locked(case)
    action = CASE_FLOW.check(case, "edit", by, seen=None)
    cleaned = {field: (value or "").strip() if isinstance(value, str) else value for field, value in data.items()}
    if "incubator_kind" in cleaned and cleaned["incubator_kind"] not in IncubationCase.Incubator.values:
        raise ValidationError({"incubator_kind": _("Choose who incubates the organization.")})
    changed = [field for field, value in cleaned.items() if getattr(case, field) != value]
    if not changed:
        return case
    for field in changed:
        setattr(case, field, cleaned[field])
    case.full_clean(exclude=["organization", "created_by"], validate_unique=False)
    save_with_history(case, action=action.history, by=by, update_fields=changed)
    return case


@transaction.atomic
def case_link_need(*, case: IncubationCase, need: Need, by: User) -> IncubationCase:
    """The case also answers ``need`` (same community, open or served)."""
    case = _locked(case)
    CASE_FLOW.check(case, "edit", by, seen=None)
    (need,) = _locked_needs([need])
    problem = _need_problem(need, case.organization.community_id)
    if problem:
        raise ValidationError({"need": problem})
    if case.needs.filter(pk=need.pk).exists():
        raise ValidationError({"need": _("“%(title)s” is already linked to this case.") % {"title": need.title}})
    case.needs.add(need)
    save_with_history(case, action="incubation.case.need_linked", by=by, update_fields=[])
    return case


@transaction.atomic
def case_unlink_need(*, case: IncubationCase, need: Need, by: User) -> IncubationCase:
    """The case no longer answers ``need``; a case keeps at least one need."""
    case = _locked(case)
    CASE_FLOW.check(case, "edit", by, seen=None)
    linked = list(case.needs.values_list("pk", flat=True))
    if need.pk not in linked:
        raise ValidationError({"need": _("“%(title)s” is not linked to this case.") % {"title": need.title}})
    if len(linked) == 1:
        raise ValidationError(
            {"need": _("A case answers at least one need: link the other need first, then unlink this one.")}
        )
    case.needs.remove(need)
    save_with_history(case, action="incubation.case.need_unlinked", by=by, update_fields=[])
    return case


@transaction.atomic
def case_start(
    *, case: IncubationCase, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> IncubationCase:
    """Preparing → incubating: the organization starts incubation in the registry on the same date.
    ``seen``: the stage the deciding page showed (None: decided on the case as it is now)."""
    current = _locked(case)
    action = CASE_FLOW.check(current, "start", by, seen=seen)
    on = on or _today()
    _check_day(on, field="on", label=_("The start date"), opened_on=current.opened_on)
    organization = current.organization
    # Started on the registry's own page already: the case only catches up.
    if organization.status != Organization.Status.INCUBATING:
        registry.organization_start_incubation(organization=organization, on=on, by=by)
    fields = CASE_FLOW.move(current, action)
    save_with_history(current, action=action.history, by=by, update_fields=[*fields, "updated_at"])
    return current


@transaction.atomic
def coaching_note_add(
    *, case: IncubationCase, on: dt.date, kind: str, text: str, next_step: str = "", by: User
) -> CoachingNote:
    """A dated coaching contact with the initiators (辅导记录), on any case that is not closed."""
    case = _locked(case)
    CASE_FLOW.check(case, "note", by, seen=None)
    if on is None:
        raise ValidationError({"on": _("Give the date of the coaching contact.")})
    _check_day(on, field="on", label=_("The date of a coaching contact"), opened_on=case.opened_on)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was done with the initiators.")})
    if kind not in CoachingNote.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of contact.")})
    note = CoachingNote(
        case=case,
        on=on,
        kind=kind,
        text=text,
        next_step=(next_step or "").strip(),
        created_by=by if getattr(by, "pk", None) else None,
    )
    note.full_clean(exclude=["case", "created_by"])
    save_with_history(note, action="incubation.case.note_added", by=by)
    return note


@transaction.atomic
def case_close(
    *, case: IncubationCase, reason: str, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> IncubationCase:
    """The incubation stops (the initiators gave up, merged into another group…): the prospective
    organization is dissolved in the registry and the case is closed with the reason. Refused while
    a filing request is in progress. ``seen``: the stage the deciding page showed."""
    CASE_FLOW.authorize(case, "close", by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing: it is kept with the case.")})
    current = _locked(case)
    action = CASE_FLOW.check(current, "close", by, seen=seen)
    on = on or _today()
    _check_day(on, field="on", label=_("The closing date"), opened_on=current.opened_on)
    organization = current.organization
    if organization.status != Organization.Status.DISSOLVED:
        registry.organization_dissolve(organization=organization, reason=reason, on=on, by=by)
    current.closed_on = on
    current.close_reason = reason
    fields = CASE_FLOW.move(current, action)
    save_with_history(
        current, action=action.history, by=by, update_fields=[*fields, "updated_at", "closed_on", "close_reason"]
    )
    return current


# Paper records ---------------------------------------------------------------------------------

# Stage of a recorded case → the registry states its organization must be in (status, legal statuses).
RECORDED_STAGES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Stage.PREPARING: (frozenset({Organization.Status.PROPOSED}), frozenset({Organization.LegalStatus.UNFILED})),
    Stage.INCUBATING: (frozenset({Organization.Status.INCUBATING}), frozenset({Organization.LegalStatus.UNFILED})),
    Stage.FILED: (
        frozenset({Organization.Status.ACTIVE, Organization.Status.DORMANT}),
        frozenset({Organization.LegalStatus.FILED, Organization.LegalStatus.REGISTERED}),
    ),
}


@transaction.atomic
def case_record_existing(
    *,
    organization: Organization,
    needs: Iterable[Need],
    incubator_kind: str,
    opened_on: dt.date,
    stage: str,
    by: User,
    incubator_name: str = "",
    mentor: str = "",
) -> IncubationCase:
    """The incubation case of an organization already in the registry, entered from paper records
    (e.g. one incubated before the platform existed). The stage must be the one the organization's
    registry state shows (preparing: proposed; incubating: incubating; filed: filed or registered,
    active or dormant); nothing in the registry changes. A filed case's needs are linked to the
    organization, as an approved filing would link them."""
    if not by.has_perm(Perm.CASES_CHANGE, organization):
        raise PermissionDenied(
            _("You cannot record incubation cases in %(area)s.") % {"area": organization.community.name}
        )
    organization = registry.organization_lock(organization)
    if IncubationCase.objects.filter(organization_id=organization.pk).exists():
        raise ValidationError(
            _("%(name)s already has an incubation case: open it instead.") % {"name": organization.name},
            code="exists",
        )
    if stage not in RECORDED_STAGES:
        raise ValidationError(
            {
                "stage": _(
                    "A recorded case is preparing, incubating or filed; a filing in progress goes through the workflow."
                )
            }
        )
    statuses, legal = RECORDED_STAGES[stage]
    if organization.status not in statuses or organization.legal_status not in legal:
        raise ValidationError(
            {
                "stage": _("%(name)s is %(status)s (%(legal)s) in the registry: its case cannot be “%(stage)s”.")
                % {
                    "name": organization.name,
                    "status": organization.get_status_display(),
                    "legal": organization.get_legal_status_display(),
                    "stage": Stage(stage).label,
                }
            }
        )
    if opened_on is None:
        raise ValidationError({"opened_on": _("Give the date the incubation began.")})
    _check_day(opened_on, field="opened_on", label=_("The opening date"))
    if organization.filed_on and opened_on > organization.filed_on:
        raise ValidationError(
            {
                "opened_on": _("The incubation cannot begin after the filing (%(date)s): check the date.")
                % {"date": organization.filed_on.isoformat()}
            }
        )
    if incubator_kind not in IncubationCase.Incubator.values:
        raise ValidationError({"incubator_kind": _("Choose who incubated the organization.")})
    locked = _locked_needs(needs)
    if not locked:
        raise ValidationError(
            {
                "needs": _("Choose at least one need of %(area)s that the organization answers.")
                % {"area": organization.community.name}
            }
        )
    problems = [p for p in (_need_problem(need, organization.community_id) for need in locked) if p]
    if problems:
        raise ValidationError({"needs": problems})
    case = IncubationCase(
        organization=organization,
        incubator_kind=incubator_kind,
        incubator_name=(incubator_name or "").strip(),
        mentor=(mentor or "").strip(),
        opened_on=opened_on,
        stage=stage,
        created_by=by if getattr(by, "pk", None) else None,
    )
    case.full_clean(exclude=["organization", "created_by"], validate_unique=False)
    save_with_history(case, action="incubation.case.recorded", by=by)
    case.needs.set(locked)
    if stage == Stage.FILED:
        _serve_needs(case, by=by, approved=False)
    return case
