"""The filing workflow's hooks into incubation cases: ``services.filings`` reports a first filing's
submission, approval and refusal here; each is a no-op for an organization without an open
case. Part of ``services.cases``, which re-exports them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.incubation.models import IncubationCase
from sifu.incubation.services.case_flow import ANSWERABLE, CASE_FLOW
from sifu.registry.models import Organization

Stage = IncubationCase.Stage


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
