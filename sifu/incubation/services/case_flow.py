"""The stages of an incubation case (``CASE_FLOW`` and its guards) and the checks the case writes
share (dates, the needs a case may answer). Part of ``services.cases``, which re-exports the
public names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Workflow
from sifu.incubation.models import Filing, IncubationCase, Need

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


# A need a case can answer: screened and still current (not merged into another, not declined).
ANSWERABLE = frozenset({Need.Status.OPEN, Need.Status.SERVED})


def _today() -> dt.date:
    return timezone.localdate()


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
