"""Recording the incubation case of an organization already in the registry, from paper records.
Part of ``services.cases``, which re-exports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.incubation.models import IncubationCase, Need
from sifu.incubation.services.case_filings import _serve_needs
from sifu.incubation.services.case_flow import _check_day, _locked_needs, _need_problem
from sifu.registry import services as registry
from sifu.registry.models import Organization

Stage = IncubationCase.Stage


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
