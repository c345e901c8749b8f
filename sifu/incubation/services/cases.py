"""Writes for incubation cases (孵化). Views and the filing services call these; nothing else
writes an IncubationCase.

Stages move through ``STAGES`` only. The filing workflow (``services.filings``) reports its
outcomes here with ``case_filing_submitted`` / ``case_filing_approved`` / ``case_filing_refused``;
each is a no-op for an organization that has no open case (e.g. one filed on paper years ago).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.incubation.models import IncubationCase
from sifu.registry.models import Organization

Stage = IncubationCase.Stage

# step → (stages it may start from, stage it leads to, dotted action code)
STAGES: dict[str, tuple[frozenset[str], str, str]] = {
    "start": (frozenset({Stage.PREPARING}), Stage.INCUBATING, "incubation.case.started"),
    "filing_submitted": (frozenset({Stage.INCUBATING}), Stage.FILING, "incubation.case.filing_submitted"),
    "filing_refused": (frozenset({Stage.FILING}), Stage.INCUBATING, "incubation.case.filing_refused"),
    "filing_approved": (frozenset({Stage.FILING}), Stage.FILED, "incubation.case.filed"),
    "close": (frozenset({Stage.PREPARING, Stage.INCUBATING}), Stage.CLOSED, "incubation.case.closed"),
}


def _locked_case(organization: Organization) -> IncubationCase | None:
    return (
        IncubationCase.objects.select_for_update(of=("self",))
        .select_related("organization__community")
        .filter(organization_id=organization.pk)
        .first()
    )


def _move(
    case: IncubationCase, step: str, *, by: User | None, update_fields: list[str] | None = None
) -> IncubationCase:
    """Move a locked case one step, or refuse with the reason (nothing saved)."""
    sources, target, action = STAGES[step]
    if case.stage not in sources:
        raise ValidationError(
            _("This case is “%(stage)s”: it cannot move this way. Reload the page to see its state.")
            % {"stage": case.get_stage_display()},
            code="stale",
        )
    case.stage = target
    save_with_history(case, action=action, by=by, update_fields=["stage", "updated_at", *(update_fields or [])])
    return case


@transaction.atomic
def case_filing_submitted(*, organization: Organization, by: User | None) -> IncubationCase | None:
    case = _locked_case(organization)
    if case is None or case.stage != Stage.INCUBATING:
        return case
    return _move(case, "filing_submitted", by=by)


@transaction.atomic
def case_filing_approved(*, organization: Organization, by: User | None) -> IncubationCase | None:
    case = _locked_case(organization)
    if case is None or case.stage != Stage.FILING:
        return case
    return _move(case, "filing_approved", by=by)


@transaction.atomic
def case_filing_refused(*, organization: Organization, by: User | None) -> IncubationCase | None:
    """A refused or withdrawn filing sends the case back to incubation, to fix and file again."""
    case = _locked_case(organization)
    if case is None or case.stage != Stage.FILING:
        return case
    return _move(case, "filing_refused", by=by)
