"""Fetch-and-authorise helpers for incubation views (DESIGN.md §4.4), as in registry.permissions."""

from __future__ import annotations

from typing import Any

from sifu.core.permissions import Perm, authorise_in
from sifu.incubation.models import (
    Filing,
    FilingDocument,
    IncubationCase,
    LeaderCandidate,
    Need,
    PlanGoal,
    PlanMilestone,
    ServicePlan,
)


def get_need_for_user(user: Any, pk: int, perm: str = Perm.NEEDS_VIEW) -> Need:
    """A need the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``."""
    visible = Need.objects.for_user(user, Perm.NEEDS_VIEW).select_related("community", "merged_into", "created_by")
    return authorise_in(user, visible, pk, perm, Perm.NEEDS_VIEW)


def get_case_for_user(user: Any, pk: int, perm: str = Perm.CASES_VIEW) -> IncubationCase:
    """An incubation case the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``."""
    visible = IncubationCase.objects.for_user(user, Perm.CASES_VIEW).select_related(
        "organization__community", "created_by"
    )
    return authorise_in(user, visible, pk, perm, Perm.CASES_VIEW)


def get_candidate_for_user(user: Any, pk: int, perm: str = Perm.CASES_VIEW) -> LeaderCandidate:
    """A leader candidate the user may see, checked for ``perm`` on its organization."""
    visible = LeaderCandidate.objects.for_user(user, Perm.CASES_VIEW).select_related(
        "organization__community", "person__community", "created_by"
    )
    return authorise_in(user, visible, pk, perm, Perm.CASES_VIEW)


def get_plan_for_user(user: Any, pk: int, perm: str = Perm.PLANS_VIEW) -> ServicePlan:
    """A service plan the user may see (community staff see their subdistrict's), checked for ``perm``."""
    visible = ServicePlan.objects.for_user(user, Perm.PLANS_VIEW).select_related("area", "created_by")
    return authorise_in(user, visible, pk, perm, Perm.PLANS_VIEW)


def get_plan_goal_for_user(user: Any, pk: int, perm: str = Perm.PLANS_VIEW) -> PlanGoal:
    """A goal of a plan the user may see, checked for ``perm`` on the plan's area."""
    visible = PlanGoal.objects.filter(plan__in=ServicePlan.objects.for_user(user, Perm.PLANS_VIEW)).select_related(
        "plan__area"
    )
    return authorise_in(user, visible, pk, perm, Perm.PLANS_VIEW)


def get_plan_milestone_for_user(user: Any, pk: int, perm: str = Perm.PLANS_VIEW) -> PlanMilestone:
    """A milestone of a plan the user may see, checked for ``perm`` on the plan's area."""
    visible = PlanMilestone.objects.filter(plan__in=ServicePlan.objects.for_user(user, Perm.PLANS_VIEW)).select_related(
        "plan__area"
    )
    return authorise_in(user, visible, pk, perm, Perm.PLANS_VIEW)


def get_filing_for_user(user: Any, pk: int, perm: str = Perm.FILING_VIEW) -> Filing:
    """A filing request the user may see, checked for ``perm`` on its organization: 404 outside
    scope, 403 without ``perm``. The people on it are joined (the detail page names them)."""
    visible = Filing.objects.for_user(user, Perm.FILING_VIEW).select_related(
        "organization__community", "submitted_by", "prechecked_by", "decided_by"
    )
    return authorise_in(user, visible, pk, perm, Perm.FILING_VIEW)


def get_filing_document_for_user(user: Any, pk: int) -> FilingDocument:
    """A document of a filing request the user may see (404 otherwise)."""
    filings = Filing.objects.for_user(user, Perm.FILING_VIEW)
    visible = FilingDocument.objects.filter(filing__in=filings).select_related("filing__organization__community")
    return authorise_in(user, visible, pk, Perm.FILING_VIEW, Perm.FILING_VIEW)
