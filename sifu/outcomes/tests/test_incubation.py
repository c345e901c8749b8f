"""The incubation figures in ``outcomes`` (issue #3 point 8): the JSON object and its keys, --from,
the table's section, and the dashboard's section with the gap map summary.

On top of sifu/outcomes/tests/conftest.py's ``records`` (荔芳关爱协会 registered 2021-01-01): in
荔芳社区 a gap need, a served need, a case being prepared, and a first filing approved 2021-03-01
through a case whose need was reported 2021-01-20 (40 days); in 南园社区 a prechecked filing due
2021-06-10 (overdue on 2021-06-30) and a gap need.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import make_area
from sifu.core.tests.built_once import built_once
from sifu.incubation import services
from sifu.incubation.models import Filing, IncubationCase
from sifu.incubation.tests.factories import make_need
from sifu.registry.tests.factories import make_organization

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/office/dashboard/"
KEYS = [
    "needs_open",
    "needs_served",
    "gaps",
    "cases_by_stage",
    "filings_pending",
    "filings_overdue",
    "filed_in_period",
    "conversions_to_registered",
    "median_days_need_to_filing",
]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=timezone.get_default_timezone())


@built_once
def incubation(world, records):
    a, b = world.community_a, world.community_b
    make_need(a, "儿童托管", reported_on=D(2021, 2, 1))
    served = make_need(a, "食品安全", reported_on=D(2021, 2, 2))
    services.need_link_organization(need=served, organization=world.org_a, by=system_actor())
    IncubationCase.objects.create(
        organization=make_organization(a, "荔芳粤剧社"), incubator_kind="energy_station", opened_on=D(2021, 2, 1)
    )
    filed = make_organization(a, "荔芳长者食堂", members=3, filed=True, on=D(2021, 3, 1))
    need = make_need(a, "长者饭堂", reported_on=D(2021, 1, 20))
    services.need_link_organization(need=need, organization=filed, by=system_actor())
    case = IncubationCase.objects.create(
        organization=filed, incubator_kind="energy_station", stage="filed", opened_on=D(2021, 1, 25)
    )
    case.needs.add(need)
    Filing.objects.create(
        organization=filed,
        status="approved",
        due_on=D(2021, 3, 3),
        submitted_at=at(D(2021, 2, 24)),
        decided_at=at(D(2021, 3, 1)),
    )
    Filing.objects.create(
        organization=world.org_b, status="prechecked", due_on=D(2021, 6, 10), submitted_at=at(D(2021, 6, 3))
    )
    make_need(b, "货车司机停车难", reported_on=D(2021, 4, 1))


def run(*args: str) -> str:
    out = StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue()


# The command ---------------------------------------------------------------------------------------


def test_json_has_the_incubation_object_with_exactly_its_keys(world, incubation):
    data = json.loads(run("--area", "南山街道", "--as-of", "2021-06-30", "--json"))
    assert data["from"] == "2021-01-01"
    assert list(data["incubation"]) == KEYS
    assert data["incubation"] == {
        "needs_open": 2,  # 儿童托管 and 货车司机停车难, both gaps
        "needs_served": 2,  # 食品安全, 长者饭堂
        "gaps": 2,
        "cases_by_stage": {"preparing": 1, "incubating": 0, "filing": 0, "filed": 1, "closed": 0},
        "filings_pending": {"submitted": 0, "prechecked": 1, "returned": 0},
        "filings_overdue": 1,
        "filed_in_period": 1,
        "conversions_to_registered": 1,  # 荔芳关爱协会, 2021-01-01
        "median_days_need_to_filing": 40,
    }


def test_from_sets_the_period(world, incubation):
    data = json.loads(run("--area", "南山街道", "--as-of", "2021-06-30", "--from", "2021-02-01", "--json"))
    assert data["from"] == "2021-02-01"
    inc = data["incubation"]
    assert (inc["filed_in_period"], inc["conversions_to_registered"]) == (1, 0)
    later = json.loads(run("--area", "南山街道", "--as-of", "2021-12-31", "--from", "2021-04-01", "--json"))
    assert (later["incubation"]["filed_in_period"], later["incubation"]["median_days_need_to_filing"]) == (0, None)


def test_from_defaults_to_january_first_of_the_as_of_year(world, incubation):
    assert json.loads(run("--as-of", "2022-03-15", "--json"))["from"] == "2022-01-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2021-13-01"), "--from must be a date written YYYY-MM-DD"),
        (("--as-of", "2021-06-30", "--from", "2021-07-01"), "--from (2021-07-01) is after --as-of (2021-06-30)"),
    ],
)
def test_bad_from_is_a_clear_error(world, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)


def test_help_documents_the_period():
    from sifu.outcomes.management.commands.outcomes import Command

    parser = Command().create_parser("manage.py", "outcomes")
    text = " ".join(parser.format_help().split())
    assert "--from" in text and "January 1 of the --as-of year" in text


def test_table_has_an_incubation_section(world, incubation):
    table = run("--area", "南山街道", "--as-of", "2021-06-30")
    assert "(期间 period 2021-01-01 – 2021-06-30)" in table
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()]
    lines = {row[0]: row[-1] for row in rows if len(row) == 2}
    assert "孵化 Incubation" in table
    assert lines["缺口(无人服务的需求) Gaps"] == "2"
    assert lines["筹备 Preparing"] == "1"
    assert lines["待街道审核 Awaiting subdistrict review"] == "1"
    assert lines["逾期未审 Overdue"] == "1"
    assert lines["期内备案 Filed in the period"] == "1"
    assert lines["需求到备案天数(中位数) Median days from need to filing"] == "40"
    empty = run("--area", "登良社区", "--as-of", "2021-06-30")
    assert re.search(r"需求到备案天数\(中位数\) Median days from need to filing\s+—", empty)


# The dashboard -------------------------------------------------------------------------------------


def test_dashboard_shows_the_incubation_section_and_the_gap_summary(client, world, office_admin, incubation):
    client.force_login(office_admin)
    response = client.get(URL, {"as_of": "2021-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="incubation"') :]
    assert "Incubation · 孵化" in section
    assert "Period 2021-01-01 – 2021-06-30" in section
    assert "1 overdue" in section
    assert "Median days from need to filing" in section
    inc = response.context["incubation"]
    assert inc["cases_total"] == 2 and inc["pending_total"] == 1
    rows = {row["label"]: row for row in inc["gap_rows"]}
    assert rows["荔芳社区"] == {
        "label": "荔芳社区",
        "active": 4,  # org_a, 荔芳关爱协会, 荔芳书法社 (dissolved 2022) and 荔芳长者食堂 (filed 2021-03-01)
        "shortfall": 6,
        "open": 1,
        "gaps": 1,
        "url": f"/office/incubation/gaps/{world.community_a.pk}/",
    }
    assert rows["南园社区"]["gaps"] == 1 and rows["登良社区"]["shortfall"] == 10
    assert inc["under_target"] == 3
    for community in (world.community_a, world.community_b):
        assert f'href="/office/incubation/gaps/{community.pk}/"' in section
    assert 'href="/office/incubation/gaps/"' in section  # the whole map
    # the chart of active organizations per community draws the target
    data = response.context["chart_data"]
    assert data["target"] == 10


def test_dashboard_period_from_the_query(client, world, office_admin, incubation):
    client.force_login(office_admin)
    response = client.get(URL, {"as_of": "2021-06-30", "from": "2021-02-01"})
    assert response.context["figures"]["from"] == "2021-02-01"
    assert response.context["figures"]["incubation"]["conversions_to_registered"] == 0
    html = response.content.decode()
    assert 'value="2021-02-01"' in html
    assert f"?area={world.community_a.pk}&amp;as_of=2021-06-30&amp;from=2021-02-01" in html  # drill-down keeps it


@pytest.mark.parametrize("bad", ["2021-02-30", "2021-07-01"])
def test_dashboard_bad_period_falls_back_with_a_message(client, world, office_admin, incubation, bad):
    client.force_login(office_admin)
    response = client.get(URL, {"as_of": "2021-06-30", "from": bad})
    assert response.status_code == 200
    assert response.context["figures"]["from"] == "2021-01-01"
    messages = [str(m) for m in response.context["messages"]]
    assert any(bad in m and "2021-01-01" in m for m in messages)


def test_community_dashboard_links_to_its_gap_page(client, world, community_staff, incubation):
    client.force_login(community_staff)
    response = client.get(URL, {"as_of": "2021-06-30"})
    html = response.content.decode()
    assert f'href="/office/incubation/gaps/{world.community_a.pk}/"' in html
    assert [row["label"] for row in response.context["incubation"]["gap_rows"]] == ["荔芳社区"]


def test_dashboard_query_count_does_not_grow_with_incubation_records(
    client, world, office_admin, incubation, django_assert_num_queries
):
    from sifu.outcomes.tests.test_views import DASHBOARD_QUERIES

    client.force_login(office_admin)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(URL, {"as_of": "2021-06-30"})
    for i in range(3):
        community = make_area(f"新社区{i}", Area.Kind.COMMUNITY, world.subdistrict)
        org = make_organization(community, members=3, filed=True)
        need = make_need(community, reported_on=D(2021, 1, 2))
        make_need(community, reported_on=D(2021, 1, 3))
        case = IncubationCase.objects.create(organization=org, incubator_kind="agency", stage="filed")
        case.needs.add(need)
        Filing.objects.create(
            organization=org,
            status="approved",
            due_on=D(2021, 2, 1),
            submitted_at=at(D(2021, 1, 20)),
            decided_at=at(D(2021, 2, 1)),
        )
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL, {"as_of": "2021-06-30"})
    assert response.context["figures"]["incubation"]["filed_in_period"] == 1 + 3
    assert len(response.context["incubation"]["gap_rows"]) == 3 + 3
