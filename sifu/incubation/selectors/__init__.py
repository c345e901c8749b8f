"""Reads shared by the incubation pages."""

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

__all__ = [
    "case_candidates",
    "case_filings",
    "case_list",
    "case_needs",
    "case_notes",
    "case_stage_counts",
    "case_steps",
    "communities_for_submission",
    "merge_candidates",
    "need_list",
    "need_timeline",
    "needs_for_case",
    "needs_to_link",
    "organizations_to_link",
]
