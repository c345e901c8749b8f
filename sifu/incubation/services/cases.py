"""Writes for incubation cases (孵化). Views and the filing services call these; nothing else
writes an IncubationCase.

Stages move through ``CASE_FLOW`` only. The filing workflow (``services.filings``) reports its
outcomes here with ``case_filing_submitted`` / ``case_filing_approved`` / ``case_filing_refused``;
each is a no-op for an organization that has no open case (e.g. one filed on paper years ago).

Split by topic, the names re-exported here: ``case_flow`` (the stages and the shared checks),
``case_filings`` (the filing workflow's hooks), ``case_records`` (cases entered from paper
records); this module keeps opening, editing, coaching and closing a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.workflow import Seen
from sifu.incubation.models import CoachingNote, IncubationCase, Need
from sifu.incubation.services.case_filings import (
    case_filing_approved,
    case_filing_problem,
    case_filing_refused,
    case_filing_submitted,
)
from sifu.incubation.services.case_flow import (
    ANSWERABLE,
    CASE_FLOW,
    OPEN_STAGES,
    _check_day,
    _locked_needs,
    _need_problem,
    _today,
)
from sifu.incubation.services.case_records import RECORDED_STAGES, case_record_existing
from sifu.registry import services as registry
from sifu.registry.models import Organization

Stage = IncubationCase.Stage

__all__ = [
    "ANSWERABLE",
    "CASE_FLOW",
    "EDITABLE_FIELDS",
    "OPEN_STAGES",
    "RECORDED_STAGES",
    "case_close",
    "case_filing_approved",
    "case_filing_problem",
    "case_filing_refused",
    "case_filing_submitted",
    "case_link_need",
    "case_open",
    "case_record_existing",
    "case_start",
    "case_unlink_need",
    "case_update",
    "coaching_note_add",
]


# Opening, editing, coaching and closing a case -----------------------------------------------

EDITABLE_FIELDS = ("incubator_kind", "incubator_name", "mentor")


def _locked(case: IncubationCase) -> IncubationCase:
    """The case re-read under a lock: each step is decided on what is stored now."""
    locked = IncubationCase.objects.select_for_update(of=("self",)).select_related("organization__community")
    return locked.get(pk=case.pk)


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
