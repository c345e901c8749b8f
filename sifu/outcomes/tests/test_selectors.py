"""Outcome figures at a date, from the records of sifu/outcomes/tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest

from sifu.accounts.models import Area
from sifu.accounts.tests.factories import make_area
from sifu.outcomes.selectors import (
    ALL_AREAS,
    AreaLookupError,
    SectionContext,
    areas_in_scope,
    default_area,
    find_area,
    outcomes,
    tree_key,
)
from sifu.registry.tests.factories import make_organization

D = dt.date
pytestmark = pytest.mark.django_db


def tree_order(areas) -> list[str]:
    """Names in tree order: children after their parent, siblings in the order they were added."""
    return [a.name for a in sorted(areas, key=lambda a: tree_key(a.path))]


def test_figures_mid_2021(world, records):
    """Everyone filed in 2020 is active; the dormancy and dissolution come later."""
    figures = outcomes(as_of=D(2021, 6, 30), area=world.subdistrict)
    assert list(figures["organizations"]["by_community"]) == tree_order(
        [world.community_a, world.community_b, records.empty_community]
    )
    assert figures == {
        "as_of": "2021-06-30",
        "area": "南山街道",
        "from": "2021-01-01",
        "organizations": {
            # org_a, org_b, dormant (not yet), registered, dissolved (not yet); proposed never counts
            "active": 5,
            "by_nature": {"association": 2, "service": 3},
            "by_category": {"charity": 1, "life": 1, "affairs": 1, "culture": 2},
            "by_legal_status": {"filed": 4, "registered": 1},
            # every community of the subdistrict, in tree order, zeros included
            "by_community": {"荔芳社区": 3, "南园社区": 2, "登良社区": 0},
        },
        # org_a 12 + 党员甲, org_b 4 + 党员甲 (退出者 left in January), dormant 2, registered 10, dissolved 2
        "members": {"memberships": 32, "people": 31},
        "party": {
            "orgs_with_party_members": 3,  # org_a, org_b (党员甲) and registered (its leader)
            "party_members": 3,
            "party_member_leaders": 1,
            "party_branches": 1,  # org_b's, founded 2021-06-01
            "party_clause_in_charter": 1,
        },
        # no needs, cases or filings here (sifu/incubation/tests/test_figures.py has them)
        "incubation": {
            "needs_open": 0,
            "needs_served": 0,
            "gaps": 0,
            "cases_by_stage": {"preparing": 0, "incubating": 0, "filing": 0, "filed": 0, "closed": 0},
            "filings_pending": {"submitted": 0, "prechecked": 0, "returned": 0},
            "filings_overdue": 0,
            "filed_in_period": 0,
            "conversions_to_registered": 1,  # 荔芳关爱协会, registered 2021-01-01
            "median_days_need_to_filing": None,
        },
    }


def test_dormant_organization_counts_before_and_after_its_dormancy(world, records):
    def active(on: dt.date) -> int:
        return outcomes(as_of=on, area=world.community_b)["organizations"]["active"]

    assert active(D(2021, 12, 31)) == 2  # org_b and the future dormant one
    assert active(D(2022, 1, 1)) == 1  # dormant from this day
    assert active(D(2022, 12, 31)) == 1
    assert active(D(2023, 1, 1)) == 2  # reactivated


def test_dissolved_and_registered_on_their_dates(world, records):
    before = outcomes(as_of=D(2020, 12, 31), area=world.community_a)["organizations"]
    assert before["by_legal_status"] == {"filed": 3, "registered": 0}
    registered = outcomes(as_of=D(2021, 1, 1), area=world.community_a)["organizations"]
    assert registered["by_legal_status"] == {"filed": 2, "registered": 1}
    after = outcomes(as_of=D(2022, 1, 1), area=world.community_a)["organizations"]
    assert after["active"] == 2  # the dissolved one is gone
    assert after["by_category"] == {"charity": 1, "life": 0, "affairs": 1, "culture": 0}


def test_memberships_current_at_the_date(world, records):
    def members(on: dt.date) -> dict:
        return outcomes(as_of=on, area=world.community_b)["members"]

    # org_b: 4 + 党员甲 + 退出者; dormant: 2
    assert members(D(2020, 12, 31)) == {"memberships": 8, "people": 8}
    # 退出者 left on 2021-01-01: not a member on that day
    assert members(D(2021, 1, 1)) == {"memberships": 7, "people": 7}
    # the dormant organization's members do not count while it is dormant
    assert members(D(2022, 6, 30)) == {"memberships": 5, "people": 5}
    # 新党员 joined on 2023-01-01, the dormant one is back
    assert members(D(2023, 1, 1)) == {"memberships": 8, "people": 8}


def test_party_figures_follow_the_date(world, records):
    early = outcomes(as_of=D(2021, 5, 31), area=world.subdistrict)["party"]
    assert early["party_branches"] == 0  # founded 2021-06-01
    late = outcomes(as_of=D(2023, 6, 30), area=world.subdistrict)["party"]
    assert late == {
        "orgs_with_party_members": 3,
        "party_members": 4,  # 党员甲 twice, the registered org's leader, 新党员
        "party_member_leaders": 1,
        "party_branches": 1,
        "party_clause_in_charter": 1,
    }


def test_before_any_filing_everything_is_zero_but_communities_are_listed(world, records):
    figures = outcomes(as_of=D(2019, 6, 30), area=world.subdistrict)
    assert figures["organizations"]["active"] == 0
    assert figures["organizations"]["by_community"] == {"荔芳社区": 0, "南园社区": 0, "登良社区": 0}
    assert figures["members"] == {"memberships": 0, "people": 0}


def test_area_none_covers_every_area(world, records):
    figures = outcomes(as_of=D(2021, 6, 30), area=None)
    assert figures["area"] == ALL_AREAS
    assert figures["organizations"]["active"] == 6  # 南山街道's 5 and 粤海街道's 1
    assert list(figures["organizations"]["by_community"]) == tree_order(Area.objects.communities())


def test_community_rows_add_up_to_the_totals(world, records):
    ctx = SectionContext()
    figures = outcomes(as_of=D(2023, 6, 30), area=world.subdistrict, ctx=ctx)
    rows = ctx.community_rows
    assert [r["name"] for r in rows] == tree_order([world.community_a, world.community_b, records.empty_community])
    assert sum(r["active"] for r in rows) == figures["organizations"]["active"]
    assert sum(r["memberships"] for r in rows) == figures["members"]["memberships"]
    assert sum(r["party_members"] for r in rows) == figures["party"]["party_members"]
    assert sum(r["party_branches"] for r in rows) == figures["party"]["party_branches"]
    nanyuan = next(r for r in rows if r["name"] == "南园社区")
    assert (nanyuan["active"], nanyuan["memberships"], nanyuan["party_members"], nanyuan["party_branches"]) == (
        2,
        8,
        2,
        1,
    )


def test_same_community_name_in_two_subdistricts_is_labelled_with_its_parent(world):
    make_area("新村社区", Area.Kind.COMMUNITY, world.subdistrict)
    make_area("新村社区", Area.Kind.COMMUNITY, world.other_subdistrict)
    by_community = outcomes(as_of=D(2021, 1, 1), area=world.district)["organizations"]["by_community"]
    assert "南山街道/新村社区" in by_community
    assert "粤海街道/新村社区" in by_community
    assert "荔芳社区" in by_community


def test_query_count_does_not_grow_with_organizations(world, records, django_assert_num_queries):
    # 1-2 registry_figures (organizations row, members row),
    # 3-5 community_figures (organizations GROUP BY community, memberships GROUP BY community, communities)
    # 6-10 incubation_figures (needs row, cases GROUP BY stage, filings row, filings through a case,
    #      conversions to registration)
    with django_assert_num_queries(10):
        outcomes(as_of=D(2021, 6, 30), area=world.subdistrict)
    for i in range(3):
        community = make_area(f"新社区{i}", Area.Kind.COMMUNITY, world.subdistrict)
        make_organization(community, members=3, filed=True)
    with django_assert_num_queries(10):
        figures = outcomes(as_of=D(2021, 6, 30), area=world.subdistrict)
    assert figures["organizations"]["active"] == 8


def test_tree_order_is_numeric_not_textual(world):
    parent = world.subdistrict
    communities = [make_area(f"社区{i:02d}", Area.Kind.COMMUNITY, parent) for i in range(12)]
    rows = outcomes(as_of=D(2021, 1, 1), area=parent)["organizations"]["by_community"]
    names = [c.name for c in (world.community_a, world.community_b, *communities)]
    assert list(rows) == names  # pks past 9 ("…/12/") come after "…/9/", as created
    assert tree_key("1/2/10/") > tree_key("1/2/9/")


def test_find_area(world):
    assert find_area("南山街道") == world.subdistrict
    assert find_area("南山区/南山街道") == world.subdistrict
    assert find_area(" 南山街道 / 荔芳社区 ") == world.community_a
    with pytest.raises(AreaLookupError, match="荔芳社区"):
        find_area("荔芳")
    with pytest.raises(AreaLookupError, match="No area"):
        find_area("粤海街道/荔芳社区")


def test_find_area_ambiguous_asks_for_the_parent(world):
    make_area("新村社区", Area.Kind.COMMUNITY, world.subdistrict)
    other = make_area("新村社区", Area.Kind.COMMUNITY, world.other_subdistrict)
    with pytest.raises(AreaLookupError) as info:
        find_area("新村社区")
    assert "南山区/南山街道/新村社区" in str(info.value)
    assert "南山区/粤海街道/新村社区" in str(info.value)
    assert "parent" in str(info.value)
    assert find_area("粤海街道/新村社区") == other


def test_default_area(world):
    assert default_area() == world.district
    make_area("福田区", Area.Kind.DISTRICT)
    assert default_area() is None


def test_areas_in_scope(world, community_staff, district_leader):
    from sifu.core.permissions import Perm, scope_for

    assert areas_in_scope(scope_for(community_staff, Perm.OUTCOMES_VIEW)) == [world.community_a]
    district_areas = areas_in_scope(scope_for(district_leader, Perm.OUTCOMES_VIEW))
    assert district_areas[0] == world.district
    assert world.other_community in district_areas
