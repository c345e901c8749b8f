"""What other apps read of the registry (docs/architecture.md, "The contract between apps").

Another app may import the registry's models for foreign keys and choice labels; it reads the
registry's rows through these selectors (and writes or locks them through ``registry.services``),
so the registry stays free to change how it stores them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from sifu.core.workflow import AllowedActions
from sifu.registry.lifecycle import ORGANIZATION_FLOW, CheckItem, filing_checklist
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person

__all__ = [
    "CheckItem",
    "current_memberships",
    "filing_checklist",
    "filings_ending",
    "incubation_started_on",
    "organization_actions",
    "organization_name_taken",
    "organizations_for_user",
    "party_members_count",
    "people_for_user",
    "subdistricts_with_public_organizations",
]


def organizations_for_user(user: Any, perm: str) -> QuerySet[Organization]:
    """The organizations ``user`` holds ``perm`` on (one indexed condition on the scope)."""
    return Organization.objects.for_user(user, perm)


def people_for_user(user: Any, perm: str) -> QuerySet[Person]:
    """The people ``user`` holds ``perm`` on: living in their areas or members of their organizations."""
    return Person.objects.for_user(user, perm)


def subdistricts_with_public_organizations() -> QuerySet[Organization, Any]:
    """The subdistrict ids (``community__parent_id``) where the public site shows an organization."""
    return Organization.objects.public().values("community__parent_id")


def current_memberships(organization: Organization | int, on: dt.date | None = None) -> QuerySet[Membership]:
    """The organization's memberships held on ``on`` (today's, i.e. not yet ended, by default)."""
    return Membership.objects.filter(organization=organization).current(on)


def party_members_count(organization: Organization, on: dt.date) -> int:
    """How many of the organization's members on ``on`` are party members (one query)."""
    return current_memberships(organization, on).filter(person__political_status__in=Person.PARTY_STATUSES).count()


def organization_name_taken(community_id: int, name: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another organization of the community is already called ``name`` (names are unique
    within a community)."""
    same = Organization.objects.filter(community_id=community_id, name=name)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


def filings_ending(area: Any, today: dt.date) -> tuple[int, int]:
    """Active filed organizations under ``area`` whose filing ends within 30 days, and those whose
    filing has ended (two counts)."""
    from sifu.registry.selectors.organizations import filing_expiring_q

    warned = Organization.objects.filter(community__path__startswith=area.path).filter(filing_expiring_q(today))
    ended = warned.filter(filing_valid_until__lt=today).count()
    return warned.count() - ended, ended


def incubation_started_on(organization: Organization) -> dt.date | None:
    """The effective date the organization's incubation started, from the lifecycle log (one query)."""
    return (
        OrganizationStatusChange.objects.filter(
            organization_id=organization.pk, action=ORGANIZATION_FLOW.actions["start_incubation"].history
        )
        .order_by("effective_on", "id")
        .values_list("effective_on", flat=True)
        .first()
    )


def organization_actions(organization: Organization, user: Any) -> AllowedActions:
    """The lifecycle actions ``user`` may take on the organization now (``allowed_actions``)."""
    return ORGANIZATION_FLOW.allowed_actions(organization, user)
