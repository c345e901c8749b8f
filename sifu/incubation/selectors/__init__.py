"""Reads shared by the incubation pages."""

from sifu.incubation.selectors.needs import (
    communities_for_submission,
    merge_candidates,
    need_list,
    need_timeline,
    organizations_to_link,
)

__all__ = [
    "communities_for_submission",
    "merge_candidates",
    "need_list",
    "need_timeline",
    "organizations_to_link",
]
