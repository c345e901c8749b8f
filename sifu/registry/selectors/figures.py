"""Figures of the registry on a date, from the effective-dated lifecycle log.

"Active on a date" reads OrganizationStatusChange: each organization's latest change on or
before the date. Figures are SQL aggregates over records, never stored totals. The outcomes
app composes these (DESIGN.md §3: outcomes only reads, through selectors).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypedDict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django_stubs_ext import WithAnnotations

from sifu.accounts.models import Area
from sifu.registry.lifecycle import TRANSITIONS
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person


class StateOn(TypedDict):
    state_on: str
    legal_on: str


LIVE_LEGAL = (Organization.LegalStatus.FILED, Organization.LegalStatus.REGISTERED)


def organizations_with_state_on(
    on: dt.date, qs: QuerySet[Organization] | None = None
) -> QuerySet[WithAnnotations[Organization, StateOn]]:
    """Annotate ``state_on`` and ``legal_on``: each organization's status and legal status on ``on``."""
    latest = OrganizationStatusChange.objects.filter(organization=OuterRef("pk"), effective_on__lte=on).order_by(
        "-effective_on", "-id"
    )
    qs = Organization.objects.all() if qs is None else qs
    return qs.annotate(
        state_on=Subquery(latest.values("status")[:1]),
        legal_on=Subquery(latest.values("legal_status")[:1]),
    )


def active_organizations_on(on: dt.date, *, area: Area | None = None) -> QuerySet[Organization]:
    """Filed or registered organizations, neither dormant nor dissolved, on ``on``."""
    qs = Organization.objects.all()
    if area is not None:
        qs = qs.filter(community__path__startswith=area.path)
    return organizations_with_state_on(on, qs).filter(state_on=Organization.Status.ACTIVE, legal_on__in=LIVE_LEGAL)


def registry_figures(on: dt.date, *, area: Area | None = None) -> dict[str, Any]:
    """The registry's figures on a date, in two aggregate queries:

    1. active organizations: by nature, category and legal status, party branches founded by the
       date and 党建入章 (one row of conditional counts)
    2. current memberships of those organizations: memberships, distinct people, party members,
       organizations with party members and party-member leaders (one row)

    Counts per community come from ``community_figures`` (every community, zeros included); the
    outcomes app puts them under ``organizations.by_community``.
    """
    active = active_organizations_on(on, area=area)
    N, C = Organization.Nature, Organization.Category
    org_row = active.aggregate(
        active=Count("pk"),
        association=Count("pk", filter=Q(nature=N.ASSOCIATION)),
        service=Count("pk", filter=Q(nature=N.SERVICE)),
        charity=Count("pk", filter=Q(category=C.CHARITY)),
        life=Count("pk", filter=Q(category=C.LIFE)),
        affairs=Count("pk", filter=Q(category=C.AFFAIRS)),
        culture=Count("pk", filter=Q(category=C.CULTURE)),
        filed=Count("pk", filter=Q(legal_on=Organization.LegalStatus.FILED)),
        registered=Count("pk", filter=Q(legal_on=Organization.LegalStatus.REGISTERED)),
        party_branches=Count("pk", filter=Q(party_branch_founded_on__lte=on)),
        party_clause_in_charter=Count("pk", filter=Q(party_clause_in_charter=True)),
    )
    memberships = Membership.objects.current(on).filter(organization__in=active.values("pk"))
    party = Q(person__political_status__in=Person.PARTY_STATUSES)
    member_row = memberships.aggregate(
        memberships=Count("pk"),
        people=Count("person", distinct=True),
        party_members=Count("pk", filter=party),
        orgs_with_party_members=Count("organization", filter=party, distinct=True),
        party_member_leaders=Count("organization", filter=party & Q(role=Membership.Role.LEADER), distinct=True),
    )
    return {
        "organizations": {
            "active": org_row["active"],
            "by_nature": {"association": org_row["association"], "service": org_row["service"]},
            "by_category": {k: org_row[k] for k in ("charity", "life", "affairs", "culture")},
            "by_legal_status": {"filed": org_row["filed"], "registered": org_row["registered"]},
        },
        "members": {"memberships": member_row["memberships"], "people": member_row["people"]},
        "party": {
            "orgs_with_party_members": member_row["orgs_with_party_members"],
            "party_members": member_row["party_members"],
            "party_member_leaders": member_row["party_member_leaders"],
            "party_branches": org_row["party_branches"],
            "party_clause_in_charter": org_row["party_clause_in_charter"],
        },
    }


def community_figures(on: dt.date, *, area: Area | None = None) -> list[dict[str, Any]]:
    """Per community under ``area`` on ``on``: active organizations, current memberships, party
    members among them and party branches. Every community is listed, with zeros where it has
    none, in tree order. Three queries whatever the number of communities or organizations:

    1. the communities (with their parent's name)
    2. active organizations GROUP BY community
    3. current memberships of active organizations GROUP BY community
    """
    communities = Area.objects.communities().select_related("parent").order_by("path")
    if area is not None:
        communities = communities.filter(path__startswith=area.path)
    active = active_organizations_on(on, area=area)
    org_rows: dict[int, Mapping[str, Any]] = {
        row["community_id"]: row
        for row in active.order_by()
        .values("community_id")
        .annotate(active=Count("pk"), party_branches=Count("pk", filter=Q(party_branch_founded_on__lte=on)))
    }
    party = Q(person__political_status__in=Person.PARTY_STATUSES)
    member_rows: dict[int, Mapping[str, Any]] = {
        row["organization__community_id"]: row
        for row in Membership.objects.current(on)
        .filter(organization__in=active.values("pk"))
        .order_by()
        .values("organization__community_id")
        .annotate(memberships=Count("pk"), party_members=Count("pk", filter=party))
    }
    rows = []
    for community in communities:
        org_row = org_rows.get(community.pk, {})
        member_row = member_rows.get(community.pk, {})
        rows.append(
            {
                "id": community.pk,
                "name": community.name,
                "path": community.path,
                "parent_name": community.parent.name if community.parent is not None else "",
                "active": org_row.get("active", 0),
                "memberships": member_row.get("memberships", 0),
                "party_members": member_row.get("party_members", 0),
                "party_branches": org_row.get("party_branches", 0),
            }
        )
    return rows


REGISTERED_ACTION = TRANSITIONS["register"].action  # "registry.organization.registered"


def registrations_between(start: dt.date, end: dt.date, *, area: Area | None = None) -> int:
    """Organizations whose conversion to registration (登记) is effective from ``start`` to ``end``
    inclusive, read from the lifecycle log (one query)."""
    changes = OrganizationStatusChange.objects.filter(action=REGISTERED_ACTION, effective_on__range=(start, end))
    if area is not None:
        changes = changes.filter(organization__community__path__startswith=area.path)
    return changes.aggregate(n=Count("organization", distinct=True))["n"]


def tree_key(path: str) -> list[int]:
    """Tree order of a materialized path of primary keys: "1/2/10/" after "1/2/3/" (a string sort
    would put it first), children right after their parent."""
    return [int(pk) for pk in path.split("/") if pk]


def labelled_community_figures(on: dt.date, *, area: Area | None = None) -> list[dict[str, Any]]:
    """``community_figures`` (3 queries) in tree order, labelled uniquely: "南山社区", or
    "南山街道/南山社区" when two communities in view share a name."""
    rows = sorted(community_figures(on, area=area), key=lambda row: tree_key(row["path"]))
    counts = Counter(row["name"] for row in rows)
    for row in rows:
        row["label"] = f"{row['parent_name']}/{row['name']}" if counts[row["name"]] > 1 else row["name"]
    return rows
