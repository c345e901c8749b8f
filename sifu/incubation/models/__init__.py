"""Incubation (孵化): the needs of a community that organizations are incubated to serve.

Field sources: docs/domain.md §2 and issue #3 point 1. A need is recorded by community staff or
submitted by a resident from the public site; submitted needs wait in the community's queue
for screening (accept, merge into an existing need, decline with a reason).

The models live in one module per topic (``needs``, ``cases``, ``candidates``, ``filings``,
``plans``; ``scoping`` holds what the organization-bound ones share); every model and public
class is imported here, so Django finds them and ``sifu.incubation.models.X`` keeps working
(the migrations name ``_filing_upload_to`` here).
"""

from sifu.incubation.models.candidates import LeaderCandidate, LeaderCandidateQuerySet
from sifu.incubation.models.cases import CoachingNote, IncubationCase, IncubationCaseQuerySet
from sifu.incubation.models.filings import Filing, FilingDocument, FilingEvent, FilingQuerySet, _filing_upload_to
from sifu.incubation.models.needs import Need, NeedQuerySet
from sifu.incubation.models.plans import PlanGoal, PlanMilestone, ServicePlan, ServicePlanQuerySet, _ancestor_paths
from sifu.incubation.models.scoping import OrganizationScopedQuerySet, _org_scope

__all__ = [
    "CoachingNote",
    "Filing",
    "FilingDocument",
    "FilingEvent",
    "FilingQuerySet",
    "IncubationCase",
    "IncubationCaseQuerySet",
    "LeaderCandidate",
    "LeaderCandidateQuerySet",
    "Need",
    "NeedQuerySet",
    "OrganizationScopedQuerySet",
    "PlanGoal",
    "PlanMilestone",
    "ServicePlan",
    "ServicePlanQuerySet",
    "_ancestor_paths",
    "_filing_upload_to",
    "_org_scope",
]
