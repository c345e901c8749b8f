"""Reads of the registry shared by pages, exports, the API and outcomes, split by topic:

- ``figures``: figures on a date (active organizations, members, party building, per community)
- ``organizations``: the office's organization list, summary, filing expiry, members on the detail page
- ``timeline``: an organization's timeline from history
- ``people``: people search and list, a person's page, an organization's members, leader candidates
- ``public``: the public directory and home page
- ``shared``: what other apps read of the registry (visible organizations and people, current
  memberships, the filing checklist, a name check, the lifecycle's dates and actions)

Every public name is re-exported here, so ``from sifu.registry import selectors; selectors.x`` and
``from sifu.registry.selectors import x`` both work.
"""

from sifu.registry.selectors.common import ROLE_RANK, party_q
from sifu.registry.selectors.figures import (
    LIVE_LEGAL,
    active_organizations_on,
    community_figures,
    labelled_community_figures,
    organizations_with_state_on,
    registrations_between,
    registry_figures,
    tree_key,
)
from sifu.registry.selectors.organizations import (
    EXPIRY_WARNING_DAYS,
    ORGANIZATION_SORTS,
    communities_in_scope,
    filing_expiring_q,
    filing_warning,
    filter_organizations,
    instructor_candidates,
    office_summary,
    organization_list,
    organization_members_summary,
    sort_organizations,
    suggest_filing_number,
    with_member_counts,
)
from sifu.registry.selectors.people import (
    LEADER_MATCHES,
    MEMBERS_PAGE_SIZE,
    PEOPLE_PAGE_SIZE,
    PERSON_ACTIONS,
    identifiers_visible_to,
    leader_candidate_matches,
    leader_candidates,
    organization_leader,
    organization_member_counts,
    organization_members,
    people_for_list,
    person_memberships,
    person_search_q,
    person_timeline,
)
from sifu.registry.selectors.public import (
    public_communities,
    public_counts,
    public_directory,
    public_organizations,
)
from sifu.registry.selectors.shared import (
    CheckItem,
    current_memberships,
    filing_checklist,
    filings_ending,
    incubation_started_on,
    organization_actions,
    organization_name_taken,
    organizations_for_user,
    party_members_count,
    people_for_user,
    subdistricts_with_public_organizations,
)
from sifu.registry.selectors.timeline import (
    ACTION_LABELS,
    GROUP_WINDOW,
    TimelineEntry,
    action_label,
    organization_timeline,
    recent_status_changes,
)

__all__ = [
    "ACTION_LABELS",
    "EXPIRY_WARNING_DAYS",
    "GROUP_WINDOW",
    "LEADER_MATCHES",
    "LIVE_LEGAL",
    "MEMBERS_PAGE_SIZE",
    "ORGANIZATION_SORTS",
    "PEOPLE_PAGE_SIZE",
    "PERSON_ACTIONS",
    "ROLE_RANK",
    "CheckItem",
    "TimelineEntry",
    "action_label",
    "active_organizations_on",
    "communities_in_scope",
    "community_figures",
    "current_memberships",
    "filing_checklist",
    "filing_expiring_q",
    "filing_warning",
    "filings_ending",
    "filter_organizations",
    "identifiers_visible_to",
    "incubation_started_on",
    "instructor_candidates",
    "labelled_community_figures",
    "leader_candidate_matches",
    "leader_candidates",
    "office_summary",
    "organization_actions",
    "organization_leader",
    "organization_list",
    "organization_member_counts",
    "organization_members",
    "organization_members_summary",
    "organization_name_taken",
    "organization_timeline",
    "organizations_for_user",
    "organizations_with_state_on",
    "party_members_count",
    "party_q",
    "people_for_list",
    "people_for_user",
    "person_memberships",
    "person_search_q",
    "person_timeline",
    "public_communities",
    "public_counts",
    "public_directory",
    "public_organizations",
    "recent_status_changes",
    "registrations_between",
    "registry_figures",
    "sort_organizations",
    "subdistricts_with_public_organizations",
    "suggest_filing_number",
    "tree_key",
    "with_member_counts",
]
