"""Reads shared by the incubation pages."""

from sifu.incubation.selectors.candidates import (
    candidate_counts,
    candidate_overview,
    candidate_timeline,
    organization_candidates,
    person_matches,
)
from sifu.incubation.selectors.cases import (
    case_candidates,
    case_filings,
    case_list,
    case_needs,
    case_notes,
    case_stage_counts,
    case_steps,
    needs_for_case,
    needs_to_link,
)
from sifu.incubation.selectors.needs import (
    communities_for_submission,
    merge_candidates,
    need_list,
    need_timeline,
    organizations_to_link,
)
from sifu.incubation.selectors.plans import (
    GoalProgress,
    GoalStatus,
    goal_status,
    metric_values,
    overdue_milestones,
    plan_list,
    plan_milestones,
    plan_progress,
    plan_timeline,
)

__all__ = [
    "GoalProgress",
    "GoalStatus",
    "candidate_counts",
    "candidate_overview",
    "candidate_timeline",
    "case_candidates",
    "case_filings",
    "case_list",
    "case_needs",
    "case_notes",
    "case_stage_counts",
    "case_steps",
    "communities_for_submission",
    "goal_status",
    "merge_candidates",
    "metric_values",
    "need_list",
    "need_timeline",
    "needs_for_case",
    "needs_to_link",
    "organization_candidates",
    "organizations_to_link",
    "overdue_milestones",
    "person_matches",
    "plan_list",
    "plan_milestones",
    "plan_progress",
    "plan_timeline",
]
