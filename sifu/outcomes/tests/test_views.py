"""The office dashboard: access per persona, scope, drill-down, dates, and a fixed query count."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.accounts.tests.factories import make_area
from sifu.registry.tests.factories import make_organization

pytestmark = pytest.mark.django_db
URL = "/office/dashboard/"


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_url_name():
    assert reverse("outcomes:dashboard") == URL


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("office_admin", 200),
        ("community_staff", 200),
        ("other_staff", 200),
        ("district_leader", 200),
        ("org_leader", 403),
        ("org_member", 403),
        ("reviewer", 403),
        ("outsider", 403),
    ],
    indirect=["persona"],
)
def test_access_per_persona(client, persona, status):
    assert get(client, persona).status_code == status


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_office_admin_sees_the_subdistrict_by_default(client, office_admin, records):
    response = get(client, office_admin, as_of="2021-06-30")
    assert response.context["area"] == office_admin.grants.get().area
    figures = response.context["figures"]
    assert figures["area"] == "南山街道"
    assert figures["organizations"]["active"] == 5
    html = response.content.decode()
    assert "vendor/echarts.min.js" in html and "outcomes/dashboard.js" in html
    # per-community table: every community, with its drill-down link
    rows = {r["name"]: r for r in response.context["rows"]}
    assert set(rows) == {"荔芳社区", "南园社区", "登良社区"}
    assert (rows["南园社区"]["active"], rows["南园社区"]["memberships"], rows["南园社区"]["party_branches"]) == (
        2,
        7,
        1,
    )
    assert f'?area={records.empty_community.pk}&amp;as_of=2021-06-30"' in html
    data = chart_data(response)
    assert [c["value"] for c in data["communities"]] == [r["active"] for r in response.context["rows"]]
    assert {c["key"]: c["value"] for c in data["category"]} == {"charity": 1, "life": 1, "affairs": 1, "culture": 2}
    # the areas offered: the subdistrict and its communities, not the other subdistrict
    offered = [a.name for a, _ in response.context["area_choices"]]
    assert offered[0] == "南山街道" and "粤海街道" not in offered and "科技园社区" not in offered


def test_community_staff_sees_only_their_community(client, world, community_staff, records):
    response = get(client, community_staff, as_of="2021-06-30")
    assert response.context["area"] == world.community_a
    assert [a for a, _ in response.context["area_choices"]] == [world.community_a]
    figures = response.context["figures"]
    assert figures["organizations"]["active"] == 3  # org_a, registered, dissolved (not yet)
    assert figures["organizations"]["by_community"] == {"荔芳社区": 3}
    assert figures["members"]["memberships"] == 13 + 10 + 2
    html = response.content.decode()
    assert "南园社区" not in html
    # the drill-down page links to the organization list filtered by the community
    assert f"{reverse('registry:organization-list')}?community={world.community_a.pk}" in html
    # the subdistrict in the breadcrumb is not a link for them
    assert [c["url"] for c in response.context["breadcrumb"]] == ["", "", ""]


@pytest.mark.parametrize("area", ["subdistrict", "community_b", "other_community", "district"])
def test_areas_outside_scope_are_404(client, world, community_staff, area):
    assert get(client, community_staff, area=getattr(world, area).pk).status_code == 404


def test_unknown_or_malformed_area_is_404(client, world, office_admin):
    assert get(client, office_admin, area="999999").status_code == 404
    assert get(client, office_admin, area="abc").status_code == 404
    assert get(client, office_admin, area=world.other_subdistrict.pk).status_code == 404


def test_district_leader_sees_the_district_and_can_drill_down(client, world, district_leader, records):
    response = get(client, district_leader, as_of="2021-06-30")
    assert response.context["area"] == world.district
    assert response.context["figures"]["organizations"]["active"] == 6
    assert {r["name"] for r in response.context["rows"]} == {"荔芳社区", "南园社区", "登良社区", "科技园社区"}
    drill = get(client, district_leader, area=world.community_b.pk, as_of="2021-06-30")
    assert drill.status_code == 200
    assert drill.context["figures"]["organizations"]["active"] == 2
    assert drill.context["is_community"]
    crumbs = drill.context["breadcrumb"]
    assert [c["name"] for c in crumbs] == ["南山区", "南山街道", "南园社区"]
    assert crumbs[1]["url"] == f"{URL}?area={world.subdistrict.pk}&as_of=2021-06-30"
    assert crumbs[-1]["url"] == ""


def test_office_admin_drills_down_to_a_community(client, world, office_admin, records):
    response = get(client, office_admin, area=world.community_a.pk, as_of="2023-06-30")
    assert response.status_code == 200
    assert response.context["figures"]["area"] == "荔芳社区"
    html = response.content.decode()
    assert f"?community={world.community_a.pk}" in html
    assert 'id="chart-communities"' not in html  # no per-community chart for one community
    assert f'href="{URL}?area={world.subdistrict.pk}&amp;as_of=2023-06-30"' in html  # breadcrumb back


def test_as_of_and_bad_date(client, world, office_admin, records):
    assert get(client, office_admin, as_of="2022-06-30").context["figures"]["organizations"]["active"] == 3
    response = get(client, office_admin, as_of="2022-02-30")
    assert response.status_code == 200
    assert response.context["as_of"] == timezone.localdate()
    messages = [str(m) for m in response.context["messages"]]
    assert any("2022-02-30" in m and "YYYY-MM-DD" in m for m in messages)


def test_empty_area(client, world, office_admin, records):
    response = get(client, office_admin, area=records.empty_community.pk, as_of="2021-06-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No active organizations in 登良社区" in html
    assert 'id="chart-nature"' not in html


def test_superuser_with_several_roots_sees_all(client, world, records, django_user_model):
    make_area("福田区", Area.Kind.DISTRICT)
    admin = django_user_model.objects.create_superuser("root", password="Sifu-test-2024")
    response = get(client, admin, as_of="2021-06-30")
    assert response.context["area"] is None
    assert response.context["figures"]["area"] == "全部"
    assert response.context["figures"]["organizations"]["active"] == 6


# Query count -------------------------------------------------------------------------------------
#  1 session
#  2 user
#  3 the user's role grants (scope_for, cached on the user for the request)
#  4 the areas in the user's scope (area choices)
#  5 registry_figures: organizations (one row of conditional counts)
#  6 registry_figures: memberships, people and party members (one row)
#  7 community_figures: active organizations GROUP BY community
#  8 community_figures: current memberships GROUP BY community
#  9 community_figures: the communities
# 10 incubation_figures: needs (one row of conditional counts)
# 11 incubation_figures: cases GROUP BY stage
# 12 incubation_figures: filings (one row: open by status, overdue, filed in the period)
# 13 incubation_figures: first filings approved in the period through a case (for the median)
# 14 incubation_figures: conversions to registration in the period (registry's lifecycle log)
# 15 the gap summary: needs GROUP BY community (open, gaps)
# 16 the breadcrumb's ancestors
DASHBOARD_QUERIES = 16


def test_dashboard_query_count_is_pinned(client, world, office_admin, records, django_assert_num_queries):
    client.force_login(office_admin)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL, {"as_of": "2021-06-30"})
    assert response.status_code == 200


def test_dashboard_query_count_does_not_grow(client, world, office_admin, records, django_assert_num_queries):
    client.force_login(office_admin)
    for i in range(4):
        community = make_area(f"新社区{i}", Area.Kind.COMMUNITY, world.subdistrict)
        for _ in range(3):
            make_organization(community, members=3, filed=True)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL, {"as_of": "2021-06-30"})
    assert response.context["figures"]["organizations"]["active"] == 5 + 12
    assert len(response.context["rows"]) == 3 + 4
