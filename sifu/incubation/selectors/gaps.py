"""The gap map (issue #3 point 2): per community, the active organizations of each category against
the national target, the needs of each category and how they are met, and the needs nobody serves
ranked as "what to incubate next".

How a need is counted (only accepted needs, open or served; those awaiting screening are counted
apart, merged and declined ones not at all):

- **served**: its status is served, or an organization that is active now serves it;
- **in incubation**: not served, and tied to an open incubation case (preparing, incubating or
  filing), or served by an organization still being incubated (proposed or incubating);
- **gap**: neither — no organization serves it or is being incubated for it.

Open needs are the ones not served: in incubation plus gaps. Every figure is an SQL aggregate; the
pages read a fixed number of queries whatever the number of communities, needs or organizations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.core.permissions import Perm
from sifu.incubation.models import IncubationCase, Need
from sifu.registry.models import Organization
from sifu.registry.selectors import active_organizations_on, communities_in_scope

# National target: at least 10 community social organizations per urban community (rural: 5), from
# 民政部《关于大力培育发展社区社会组织的意见》(民发〔2017〕191号); docs/domain.md §2.1. Nanshan's
# communities are urban.
COMMUNITY_TARGET = 10

# The four classes of the seed and the category table (docs/domain.md §2.3), in that order:
# 生活服务, 社区事务, 文体活动, 公益慈善.
CATEGORIES: tuple[str, ...] = (
    Organization.Category.LIFE,
    Organization.Category.AFFAIRS,
    Organization.Category.CULTURE,
    Organization.Category.CHARITY,
)

OPEN_CASE_STAGES = (
    IncubationCase.Stage.PREPARING,
    IncubationCase.Stage.INCUBATING,
    IncubationCase.Stage.FILING,
)
LIVE_NEED_STATUSES = (Need.Status.OPEN, Need.Status.SERVED)
BEING_INCUBATED = (Organization.Status.PROPOSED, Organization.Status.INCUBATING)

# The rule that ranks the gaps, shown on the page as it is applied here (see ``gap_rank_key``).
RANK_RULE = (
    "residents",  # how many residents raised it: the need itself plus the needs merged into it, most first
    "organizations_in_category",  # active organizations of its category in its community, fewest first
    "reported_on",  # then the oldest first
)

NeedOrganization = Need.organizations.through
CaseNeed = IncubationCase.needs.through


def served_q() -> Q:
    """Served: status served, or an organization active now serves it."""
    by_active = NeedOrganization.objects.filter(need_id=OuterRef("pk"), organization__status=Organization.Status.ACTIVE)
    return Q(status=Need.Status.SERVED) | Q(Exists(by_active))


def incubating_q() -> Q:
    """Tied to an open incubation case, or served by an organization still being incubated."""
    in_case = CaseNeed.objects.filter(need_id=OuterRef("pk"), incubationcase__stage__in=OPEN_CASE_STAGES)
    by_incubated = NeedOrganization.objects.filter(need_id=OuterRef("pk"), organization__status__in=BEING_INCUBATED)
    return Q(Exists(in_case)) | Q(Exists(by_incubated))


def need_counts() -> dict[str, Count]:
    """Conditional counts of a needs queryset: awaiting screening, open, in incubation, gaps, served."""
    live = Q(status__in=LIVE_NEED_STATUSES)
    unserved = live & ~served_q()
    return {
        "submitted": Count("pk", filter=Q(status=Need.Status.SUBMITTED)),
        "open": Count("pk", filter=unserved),
        "in_incubation": Count("pk", filter=unserved & incubating_q()),
        "gaps": Count("pk", filter=unserved & ~incubating_q()),
        "served": Count("pk", filter=live & served_q()),
    }


NEED_KEYS = ("submitted", "open", "in_incubation", "gaps", "served")


def gap_needs(needs: QuerySet[Need]) -> QuerySet[Need]:
    """The gaps among ``needs``, with ``residents`` (1 + the needs merged into it)."""
    return (
        needs.filter(status__in=LIVE_NEED_STATUSES)
        .filter(~served_q(), ~incubating_q())
        .annotate(merged_count=Count("merged_needs", distinct=True))
        .select_related("community")
    )


def gap_rank_key(need: Need) -> tuple[int, int, dt.date, int]:
    """The ranking of ``RANK_RULE``: most residents, fewest active organizations of its category in its
    community, oldest, then by number (so the order is stable)."""
    return (-need.residents, need.organizations_in_category, need.reported_on, need.pk)  # type: ignore[attr-defined]


def rank_gaps(needs: list[Need], org_counts: dict[tuple[int, str], int], today: dt.date) -> list[Need]:
    """Rank gap needs (from ``gap_needs``) by ``RANK_RULE``, annotating what the rule read."""
    for need in needs:
        need.residents = 1 + need.merged_count  # type: ignore[attr-defined]
        need.organizations_in_category = org_counts.get((need.community_id, need.category), 0)  # type: ignore[attr-defined]
        need.age_days = (today - need.reported_on).days  # type: ignore[attr-defined]
    return sorted(needs, key=gap_rank_key)


def _tree_key(path: str) -> list[int]:
    return [int(pk) for pk in path.split("/") if pk]


def _active_by_community_category(communities: QuerySet[Area], on: dt.date) -> dict[tuple[int, str], int]:
    """Active organizations on ``on`` GROUP BY community and category (one query)."""
    rows = (
        active_organizations_on(on)
        .filter(community__in=communities)
        .order_by()
        .values("community_id", "category")
        .annotate(n=Count("pk"))
    )
    return {(row["community_id"], row["category"]): row["n"] for row in rows}


def _needs_by_community_category(communities: QuerySet[Area]) -> dict[tuple[int, str], Mapping[str, int]]:
    """Needs GROUP BY community and category, with the conditional counts of ``need_counts`` (one query)."""
    rows = Need.objects.filter(community__in=communities).order_by().values("community_id", "category")
    # The plugin does not see the keys of annotate(**need_counts()): read the rows as mappings.
    counted: Iterable[Mapping[str, Any]] = rows.annotate(**need_counts())
    return {(row["community_id"], row["category"]): row for row in counted}


@dataclass
class CommunityGaps:
    """One community's line of the gap map."""

    community: Area
    parent_name: str
    organizations: dict[str, int]  # category → active organizations
    needs: dict[str, dict[str, int]]  # category → need counts (NEED_KEYS)
    gaps: list[Need] = field(default_factory=list)  # ranked
    target: int = COMMUNITY_TARGET

    @property
    def org_counts(self) -> list[int]:
        """Active organizations of each category, in ``CATEGORIES`` order."""
        return [self.organizations[key] for key in CATEGORIES]

    @property
    def active(self) -> int:
        return sum(self.organizations.values())

    @property
    def shortfall(self) -> int:
        return max(self.target - self.active, 0)

    @property
    def under_target(self) -> bool:
        return self.active < self.target

    @property
    def need_totals(self) -> dict[str, int]:
        return {key: sum(counts[key] for counts in self.needs.values()) for key in NEED_KEYS}

    @property
    def top_gap(self) -> Need | None:
        return self.gaps[0] if self.gaps else None

    def by_category(self) -> list[dict[str, Any]]:
        """One row per category: its label, active organizations and need counts."""
        return [
            {
                "key": key,
                "label": Organization.Category(key).label,
                "organizations": self.organizations[key],
                **self.needs[key],
            }
            for key in CATEGORIES
        ]


def gap_map(
    communities: QuerySet[Area], *, today: dt.date | None = None, with_gaps: bool = True
) -> list[CommunityGaps]:
    """The gap map of ``communities`` (a queryset of community areas), in tree order. Four queries
    whatever the number of communities, organizations or needs:

    1. the communities, with their parent
    2. active organizations today GROUP BY community and category
    3. needs GROUP BY community and category (awaiting screening, open, in incubation, gaps, served)
    4. the gap needs, with the number of needs merged into each (ranked here by ``RANK_RULE``);
       skipped with ``with_gaps=False`` (the subdistrict overview only counts them)
    """
    today = today or timezone.localdate()
    areas = sorted(communities.select_related("parent"), key=lambda a: _tree_key(a.path))
    org_counts = _active_by_community_category(communities, today)
    need_rows = _needs_by_community_category(communities)
    gaps: dict[int, list[Need]] = defaultdict(list)
    ranked = gap_needs(Need.objects.filter(community__in=communities)) if with_gaps else Need.objects.none()
    for need in rank_gaps(list(ranked), org_counts, today):
        gaps[need.community_id].append(need)
    return [
        CommunityGaps(
            community=area,
            parent_name=area.parent.name if area.parent is not None else "",
            organizations={key: org_counts.get((area.pk, key), 0) for key in CATEGORIES},
            needs={key: {k: need_rows.get((area.pk, key), {}).get(k, 0) for k in NEED_KEYS} for key in CATEGORIES},
            gaps=gaps.get(area.pk, []),
        )
        for area in areas
    ]


@dataclass
class SubdistrictGaps:
    """One subdistrict's line of the overview: the sums of its communities' lines."""

    area: Area
    rows: list[CommunityGaps]

    @property
    def communities(self) -> int:
        return len(self.rows)

    @property
    def under_target(self) -> int:
        return sum(1 for row in self.rows if row.under_target)

    @property
    def org_counts(self) -> list[int]:
        return [sum(row.organizations[key] for row in self.rows) for key in CATEGORIES]

    @property
    def active(self) -> int:
        return sum(row.active for row in self.rows)

    @property
    def need_totals(self) -> dict[str, int]:
        return {key: sum(row.need_totals[key] for row in self.rows) for key in NEED_KEYS}


def by_subdistrict(rows: list[CommunityGaps]) -> list[SubdistrictGaps]:
    """The community lines grouped by their subdistrict, in tree order (no query: rows carry the parent)."""
    groups: dict[int, SubdistrictGaps] = {}
    for row in rows:
        parent = row.community.parent
        assert parent is not None  # a community lies in a subdistrict
        groups.setdefault(parent.pk, SubdistrictGaps(parent, [])).rows.append(row)
    return sorted(groups.values(), key=lambda group: _tree_key(group.area.path))


def gap_subdistricts(communities: QuerySet[Area]) -> list[Area]:
    """The subdistricts (parents) of ``communities``, in tree order (one query)."""
    parents = Area.objects.filter(pk__in=communities.values("parent_id"))
    return sorted(parents, key=lambda area: _tree_key(area.path))


def gap_communities(user: Any) -> QuerySet[Area]:
    """The communities whose gap map the user may see (Perm.NEEDS_VIEW scope)."""
    return communities_in_scope(user, Perm.NEEDS_VIEW)


def gap_totals(rows: list[CommunityGaps]) -> dict[str, Any]:
    """Totals over the rows of the side-by-side table."""
    return {
        "organizations": {key: sum(row.organizations[key] for row in rows) for key in CATEGORIES},
        "org_counts": [sum(row.organizations[key] for row in rows) for key in CATEGORIES],
        "active": sum(row.active for row in rows),
        "target": COMMUNITY_TARGET * len(rows),
        "under_target": sum(1 for row in rows if row.under_target),
        "needs": {key: sum(row.need_totals[key] for row in rows) for key in NEED_KEYS},
    }


def needs_by_community(area: Area | None) -> dict[int, dict[str, int]]:
    """Need counts (``NEED_KEYS``) GROUP BY community under ``area`` (one query), for the dashboard's
    gap summary. Communities without needs are absent."""
    needs = Need.objects.all()
    if area is not None:
        needs = needs.filter(community__path__startswith=area.path)
    rows: Iterable[Mapping[str, Any]] = needs.order_by().values("community_id").annotate(**need_counts())
    return {row["community_id"]: {key: row[key] for key in NEED_KEYS} for row in rows}
