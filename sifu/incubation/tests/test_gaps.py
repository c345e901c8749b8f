"""The gap map (issue #3 point 2): counts per community and category, the ranking of the gaps, the
side-by-side page and a community's page, scope, and fixed query counts.

Records (``gaps`` fixture), in 荔芳社区 (community A) on top of ``world`` (org_a: affairs, active):

| need | category | reported | how it stands | counted as |
|---|---|---|---|---|
| 老人助餐 (+2 merged into it) | life | 2024-03-01 | nobody | gap, 3 residents |
| 儿童托管 | charity | 2024-01-01 | nobody | gap |
| 助学辅导 | charity | 2024-02-01 | nobody | gap |
| 垃圾分类 | life | 2023-01-01 | nobody | gap |
| 舞蹈场地 | culture | 2024-01-15 | its case closed, the organization dissolved | gap |
| 粤剧传承 | culture | 2024-02-10 | an open case (preparing) | in incubation |
| 独居老人探访 | life | 2024-02-20 | a proposed organization, no case | in incubation |
| 食品安全 | affairs | 2024-01-05 | org_a (active): status served | served |
| 物业纠纷 | affairs | 2024-01-06 | served, its organization dormant since | served (status) |
| 长者饭堂 | life | 2024-01-07 | linked while proposed, its organization filed since: still open | served |
| a resident's submission | life | today | awaiting screening | submitted |
| 一个被婉拒的需求 | life | 2024-01-08 | declined | not counted |

Active organizations of A today: life 2 (长者饭堂's organization, 荔芳家政服务队), affairs 1 (org_a).
南园社区 (B): org_b (culture, active) and one gap, 货车司机停车难 (affairs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from sifu.accounts.models import Area
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import make_area
from sifu.core.tests.built_once import built_once
from sifu.incubation import selectors, services
from sifu.incubation.models import IncubationCase, Need
from sifu.incubation.selectors.gaps import COMMUNITY_TARGET, NEED_KEYS, RANK_RULE, rank_gaps
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry_services
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization

pytestmark = pytest.mark.django_db
D = dt.date
C = Organization.Category
MAP_URL = "/office/incubation/gaps/"


def community_url(area: Area) -> str:
    return f"{MAP_URL}{area.pk}/"


def make_case(organization: Organization, *needs: Need, stage: str = IncubationCase.Stage.PREPARING, **kw):
    """An incubation case as a direct row (the case services have their own tests; here only the
    stage and the needs matter)."""
    case = IncubationCase.objects.create(
        organization=organization, incubator_kind=IncubationCase.Incubator.ENERGY_STATION, stage=stage, **kw
    )
    case.needs.add(*needs)
    return case


@dataclass
class Gaps:
    elderly_meals: Need
    childcare: Need
    tutoring: Need
    sorting: Need
    dance: Need
    opera: Need
    visits: Need
    food: Need
    property: Need
    canteen: Need
    submitted: Need
    trucks: Need


@built_once
def gaps(world) -> Gaps:
    a, b = world.community_a, world.community_b
    elderly_meals = make_need(a, "老人助餐", category=C.LIFE, reported_on=D(2024, 3, 1))
    for title in ("老人吃饭难", "希望有长者饭堂"):
        merged = make_need(a, title, category=C.LIFE, submitted=True)
        services.need_merge(need=merged, into=elderly_meals, by=system_actor())
    childcare = make_need(a, "儿童托管", category=C.CHARITY, reported_on=D(2024, 1, 1))
    tutoring = make_need(a, "助学辅导", category=C.CHARITY, reported_on=D(2024, 2, 1))
    sorting = make_need(a, "垃圾分类", category=C.LIFE, reported_on=D(2023, 1, 1))

    dance = make_need(a, "舞蹈场地", category=C.CULTURE, reported_on=D(2024, 1, 15))
    dancers = make_organization(a, "荔芳舞蹈队", category=C.CULTURE)
    make_case(dancers, dance, stage=IncubationCase.Stage.CLOSED)
    registry_services.organization_dissolve(
        organization=dancers, reason="发起人放弃", on=D(2024, 2, 1), by=system_actor()
    )

    opera = make_need(a, "粤剧传承", category=C.CULTURE, reported_on=D(2024, 2, 10))
    make_case(make_organization(a, "荔芳粤剧社", category=C.CULTURE), opera)
    visits = make_need(a, "独居老人探访", category=C.LIFE, reported_on=D(2024, 2, 20))
    services.need_link_organization(
        need=visits, organization=make_organization(a, "荔芳助老小组", category=C.LIFE), by=system_actor()
    )

    food = make_need(a, "食品安全", category=C.AFFAIRS, reported_on=D(2024, 1, 5))
    services.need_link_organization(need=food, organization=world.org_a, by=system_actor())
    property_ = make_need(a, "物业纠纷", category=C.AFFAIRS, reported_on=D(2024, 1, 6))
    mediators = make_organization(a, "荔芳物业协商会", category=C.AFFAIRS, members=3, filed=True)
    services.need_link_organization(need=property_, organization=mediators, by=system_actor())
    registry_services.organization_make_dormant(
        organization=mediators, reason="负责人搬离", on=D(2024, 3, 1), by=system_actor()
    )
    canteen = make_need(a, "长者饭堂", category=C.LIFE, reported_on=D(2024, 1, 7))
    canteen_org = make_organization(a, "荔芳长者食堂", category=C.LIFE, members=3)
    services.need_link_organization(need=canteen, organization=canteen_org, by=system_actor())
    registry_services.organization_file(
        organization=canteen_org, filing_number="NS2024-0001", filed_on=D(2024, 4, 1), by=system_actor()
    )
    make_organization(a, "荔芳家政服务队", category=C.LIFE, members=3, filed=True)

    submitted = make_need(a, "楼道灯坏了", category=C.LIFE, submitted=True)
    declined = make_need(a, "一个被婉拒的需求", category=C.LIFE, reported_on=D(2024, 1, 8))
    services.need_decline(need=declined, reason="不属于社区社会组织的服务范围", by=system_actor())

    trucks = make_need(b, "货车司机停车难", category=C.AFFAIRS, reported_on=D(2024, 4, 1))
    return Gaps(
        elderly_meals, childcare, tutoring, sorting, dance, opera, visits, food, property_, canteen, submitted, trucks
    )


def test_the_records_stand_as_described(world, gaps):
    statuses = {n.title: n.status for n in Need.objects.filter(community=world.community_a)}
    assert statuses["食品安全"] == statuses["物业纠纷"] == Need.Status.SERVED
    assert statuses["长者饭堂"] == Need.Status.OPEN  # linked while proposed: the service left it open
    assert statuses["独居老人探访"] == Need.Status.OPEN


# Selectors ---------------------------------------------------------------------------------------


def test_counts_per_community_and_category(world, gaps):
    rows = {row.community: row for row in selectors.gap_map(Area.objects.filter(pk__in=[world.community_a.pk]))}
    a = rows[world.community_a]
    assert a.organizations == {"life": 2, "affairs": 1, "culture": 0, "charity": 0}
    assert (a.active, a.target, a.shortfall, a.under_target) == (3, 10, 7, True)
    assert a.needs == {
        "life": {"submitted": 1, "open": 3, "in_incubation": 1, "gaps": 2, "served": 1},
        "affairs": {"submitted": 0, "open": 0, "in_incubation": 0, "gaps": 0, "served": 2},
        "culture": {"submitted": 0, "open": 2, "in_incubation": 1, "gaps": 1, "served": 0},
        "charity": {"submitted": 0, "open": 2, "in_incubation": 0, "gaps": 2, "served": 0},
    }
    assert a.need_totals == {"submitted": 1, "open": 7, "in_incubation": 2, "gaps": 5, "served": 3}
    assert [c["key"] for c in a.by_category()] == ["life", "affairs", "culture", "charity"]


def test_gaps_are_ranked_by_residents_then_organizations_of_the_category_then_age(world, gaps):
    (a,) = selectors.gap_map(Area.objects.filter(pk=world.community_a.pk), today=D(2024, 6, 30))
    assert [n.title for n in a.gaps] == ["老人助餐", "儿童托管", "舞蹈场地", "助学辅导", "垃圾分类"]
    assert [n.residents for n in a.gaps] == [3, 1, 1, 1, 1]
    assert [n.organizations_in_category for n in a.gaps] == [2, 0, 0, 0, 2]
    assert a.gaps[0].age_days == (D(2024, 6, 30) - D(2024, 3, 1)).days
    assert a.top_gap == gaps.elderly_meals
    assert RANK_RULE == ("residents", "organizations_in_category", "reported_on")


def test_rank_gaps_breaks_ties_in_order():
    def need(pk, community, category, merged, reported):
        n = Need(pk=pk, community_id=community, category=category, reported_on=reported)
        n.merged_count = merged
        return n

    needs = [
        need(1, 1, "life", 0, D(2024, 1, 1)),  # 1 resident, 3 life orgs
        need(2, 1, "charity", 0, D(2024, 3, 1)),  # 1 resident, no charity org, newer
        need(3, 1, "charity", 0, D(2024, 2, 1)),  # 1 resident, no charity org, older
        need(4, 1, "life", 4, D(2024, 5, 1)),  # 5 residents
        need(5, 1, "charity", 0, D(2024, 2, 1)),  # same as 3: the lower number first
    ]
    ranked = rank_gaps(needs, {(1, "life"): 3}, today=D(2024, 6, 1))
    assert [n.pk for n in ranked] == [4, 3, 5, 2, 1]


def test_served_needs_leave_the_gaps(world, gaps):
    services.need_link_organization(need=gaps.childcare, organization=world.org_a, by=system_actor())
    (a,) = selectors.gap_map(Area.objects.filter(pk=world.community_a.pk))
    assert gaps.childcare not in a.gaps
    assert a.needs["charity"] == {"submitted": 0, "open": 1, "in_incubation": 0, "gaps": 1, "served": 1}


def test_a_case_opened_for_a_gap_moves_it_to_incubation(world, gaps):
    make_case(make_organization(world.community_a, "荔芳托管互助会", category=C.CHARITY), gaps.childcare)
    (a,) = selectors.gap_map(Area.objects.filter(pk=world.community_a.pk))
    assert a.needs["charity"]["in_incubation"] == 1 and a.needs["charity"]["gaps"] == 1
    assert [n.title for n in a.gaps] == ["老人助餐", "舞蹈场地", "助学辅导", "垃圾分类"]


# Pages -------------------------------------------------------------------------------------------


def test_urls():
    assert reverse("incubation:gap-map") == MAP_URL
    assert reverse("incubation:gap-community", args=[7]) == f"{MAP_URL}7/"


def test_subdistrict_staff_see_the_communities_side_by_side(client, world, gaps, office_admin):
    empty = make_area("登良社区", Area.Kind.COMMUNITY, world.subdistrict)
    client.force_login(office_admin)
    response = client.get(MAP_URL)
    assert response.status_code == 200
    assert response.templates[0].name == "incubation/gap_map.html"
    rows = response.context["rows"]
    assert [row.community for row in rows] == [world.community_a, world.community_b, empty]
    _, b, e = rows
    assert (b.active, b.organizations["culture"], b.need_totals["gaps"], b.top_gap) == (1, 1, 1, gaps.trucks)
    assert (e.active, e.need_totals["open"], e.top_gap) == (0, 0, None)
    totals = response.context["totals"]
    assert totals["active"] == 3 + 1
    assert totals["target"] == 3 * COMMUNITY_TARGET
    assert totals["under_target"] == 3
    assert totals["needs"] == {"submitted": 1, "open": 8, "in_incubation": 2, "gaps": 6, "served": 3}
    html = response.content.decode()
    for community in (world.community_a, world.community_b, empty):
        assert f'href="{community_url(community)}"' in html  # click through to the community
    assert f'href="/office/needs/{gaps.elderly_meals.pk}/"' in html  # A's top gap
    assert "−7" in html  # A is 7 under the target
    assert "vendor/echarts.min.js" in html and "incubation/gaps.js" in html
    assert '<script id="gap-data" type="application/json">' in html
    chart = response.context["chart_data"]
    assert chart["communities"] == ["荔芳社区", "南园社区", "登良社区"]
    assert chart["target"] == 10
    assert {s["key"]: s["data"] for s in chart["series"]} == {
        "life": [2, 0, 0],
        "affairs": [1, 0, 0],
        "culture": [0, 1, 0],
        "charity": [0, 0, 0],
    }
    assert "科技园社区" not in html  # another subdistrict


def test_community_page(client, world, gaps, office_admin):
    client.force_login(office_admin)
    response = client.get(community_url(world.community_a))
    assert response.status_code == 200
    assert response.context["row"].community == world.community_a
    assert response.context["several"]  # a link back to all communities
    html = response.content.decode()
    assert f'href="{MAP_URL}"' in html
    ranked = [gaps.elderly_meals, gaps.childcare, gaps.dance, gaps.tutoring, gaps.sorting]
    assert [n.pk for n in response.context["gaps"]] == [n.pk for n in ranked]
    positions = [html.index(f'href="/office/needs/{n.pk}/"') for n in ranked]
    assert positions == sorted(positions)  # listed in rank order
    assert "How the gaps are ranked" in html
    assert "3 residents" in html
    # each gap offers to open an incubation case for it
    create = reverse("incubation:case-create")
    for need in ranked:
        assert f'href="{create}?need={need.pk}"' in html
    # the queue of needs awaiting screening is one click away
    assert f"/office/needs/?community={world.community_a.pk}&amp;status=submitted" in html


def test_community_staff_see_their_community_directly(client, world, gaps, community_staff):
    client.force_login(community_staff)
    response = client.get(MAP_URL)
    assert response.status_code == 200
    assert response.templates[0].name == "incubation/gap_community.html"
    assert response.context["row"].community == world.community_a
    assert not response.context["several"]
    html = response.content.decode()
    assert "南园社区" not in html and "货车司机停车难" not in html
    assert f'href="{MAP_URL}"' not in html.split('<main class="office-main">')[1]  # no "all communities" link
    assert "?need=" in html  # community staff open cases


def test_the_district_leader_reads_but_opens_no_case(client, world, gaps, district_leader):
    client.force_login(district_leader)
    # Two subdistricts in scope: they come side by side first, summing their communities' lines.
    response = client.get(MAP_URL)
    groups = {group.area.name: group for group in response.context["groups"]}
    assert set(groups) == {"南山街道", "粤海街道"}
    assert groups["南山街道"].communities == 2 and groups["粤海街道"].communities == 1
    nanshan = selectors.gap_map(Area.objects.filter(parent=world.subdistrict))
    assert groups["南山街道"].need_totals == {key: sum(row.need_totals[key] for row in nanshan) for key in NEED_KEYS}
    assert response.context["totals"]["needs"]["gaps"] == sum(g.need_totals["gaps"] for g in groups.values())
    html = response.content.decode()
    assert f'href="?subdistrict={world.subdistrict.pk}"' in html and "top-gap" not in html
    # One subdistrict opened: its communities side by side, with their gaps.
    response = client.get(MAP_URL, {"subdistrict": world.subdistrict.pk})
    assert response.context["subdistrict"] == world.subdistrict
    assert {row.community.name for row in response.context["rows"]} == {"荔芳社区", "南园社区"}
    assert not response.context["several_parents"]
    # An unknown or foreign subdistrict shows the overview again, never another area's communities.
    response = client.get(MAP_URL, {"subdistrict": "999999"})
    assert "groups" in response.context and "rows" not in response.context
    page = client.get(community_url(world.community_a))
    assert page.status_code == 200
    assert "?need=" not in page.content.decode()


def test_empty_community_page(client, world, office_admin):
    empty = make_area("登良社区", Area.Kind.COMMUNITY, world.subdistrict)
    client.force_login(office_admin)
    response = client.get(community_url(empty))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No gaps in 登良社区" in html
    assert "10 short of the target" in html


@pytest.mark.parametrize("target", ["community_b", "other_community", "subdistrict"])
def test_communities_outside_scope_are_404(client, world, community_staff, target):
    client.force_login(community_staff)
    assert client.get(community_url(getattr(world, target))).status_code == 404


def test_office_admin_cannot_open_another_subdistrict(client, world, office_admin):
    client.force_login(office_admin)
    assert client.get(community_url(world.other_community)).status_code == 404
    assert client.get(f"{MAP_URL}999999/").status_code == 404


def test_without_needs_permission(client, world, org_leader):
    client.force_login(org_leader)
    assert client.get(MAP_URL).status_code == 403
    assert client.get(community_url(world.community_a)).status_code == 404


def test_navigation_offers_the_gap_map_after_needs(client, world, office_admin):
    client.force_login(office_admin)
    html = client.get(MAP_URL).content.decode()
    needs, gap = html.index('href="/office/needs/"'), html.index(f'href="{MAP_URL}" aria-current="page"')
    assert needs < gap


# Query counts ------------------------------------------------------------------------------------
#  1 session
#  2 user
#  3 the user's role grants (scope, cached on the user)
#  4 the subdistricts of the communities in scope (several: the overview comes first)
#  5 gap_map: the communities in scope, with their parent
#  6 gap_map: active organizations GROUP BY community, category
#  7 gap_map: needs GROUP BY community, category (conditional counts)
#  8 gap_map: the gap needs with their merged count
MAP_QUERIES = 8
# The community page: 1-3 as above, 4-7 gap_map of that community, 8 whether the user has other
# communities (the link back to the map).
COMMUNITY_QUERIES = 8
# The overview of several subdistricts: 1-4 as above, 5-7 gap_map without the gap needs.
OVERVIEW_QUERIES = 7


def _more_records(world) -> None:
    """More communities, organizations, needs and cases: no page may read more queries for them."""
    for i in range(3):
        community = make_area(f"新社区{i}", Area.Kind.COMMUNITY, world.subdistrict)
        for category in (C.LIFE, C.CHARITY):
            make_organization(community, category=category, members=3, filed=True)
            need = make_need(community, category=category, reported_on=D(2024, 5, 1))
            make_need(community, category=category, reported_on=D(2024, 5, 2))
            make_case(make_organization(community, category=category), need)
    for i in range(5):
        make_need(world.community_a, f"更多需求{i}", category=C.CULTURE, reported_on=D(2024, 5, 3))


def test_map_query_count_is_pinned_and_does_not_grow(client, world, gaps, office_admin, django_assert_num_queries):
    client.force_login(office_admin)
    with django_assert_num_queries(MAP_QUERIES):
        assert client.get(MAP_URL).status_code == 200
    _more_records(world)
    with django_assert_num_queries(MAP_QUERIES):
        response = client.get(MAP_URL)
    assert len(response.context["rows"]) == 2 + 3
    assert response.context["totals"]["needs"]["gaps"] == 6 + 3 * 2 + 5


def test_community_query_count_is_pinned_and_does_not_grow(
    client, world, gaps, office_admin, django_assert_num_queries
):
    client.force_login(office_admin)
    with django_assert_num_queries(COMMUNITY_QUERIES):
        assert client.get(community_url(world.community_a)).status_code == 200
    _more_records(world)
    with django_assert_num_queries(COMMUNITY_QUERIES):
        response = client.get(community_url(world.community_a))
    assert response.context["gap_count"] == 5 + 5


def test_overview_query_count_is_pinned_and_does_not_grow(
    client, world, gaps, district_leader, django_assert_num_queries
):
    client.force_login(district_leader)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert client.get(MAP_URL).status_code == 200
    _more_records(world)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(MAP_URL)
    assert sum(group.communities for group in response.context["groups"]) == 3 + 3


def test_community_staff_query_count(client, world, gaps, community_staff, django_assert_num_queries):
    client.force_login(community_staff)
    with django_assert_num_queries(MAP_QUERIES):
        assert client.get(MAP_URL).status_code == 200
