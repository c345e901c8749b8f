"""Incubation figures (issue #3 point 8) with fixed dates: the period is 2024-01-01 – 2024-06-30.

Records in 荔芳社区 (community A) unless said otherwise; cases and filings are direct rows (their
services have their own tests; here only stages, statuses and dates matter):

- cases opened by the end: preparing 2, incubating 1, filing 1, closed 1, and those of the filed
  organizations below; one more preparing case opened 2024-07-15, after the period;
- open filings: submitted due 2024-06-20 (overdue), prechecked due 2024-06-30 (due on the last day:
  not overdue), returned due 2024-06-01 (waits on the applicant: not overdue), submitted due
  2024-07-05; in 南园社区 (B) a prechecked filing due 2024-06-10 (overdue);
- first filings approved: 2024-01-01 00:10 (case, first need 2023-11-22: 40 days), 2024-03-01 12:00
  (case, first need 2023-11-22: 100 days), 2024-06-30 23:30 (case, needs 2024-05-31 and 2024-06-10:
  30 days), 2024-04-01 (no case); outside the period: 2023-12-31 23:59 and 2024-07-01 00:00; a
  renewal and a refusal in the period do not count;
- conversions to registration: one effective 2024-05-01, one 2023-12-01 (before the period);
- needs: a gap, a served one, one in incubation (the preparing case's), one reported after the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.incubation.models import Filing, IncubationCase, Need
from sifu.incubation.selectors import FIGURE_KEYS, incubation_figures
from sifu.incubation.selectors.figures import median_days
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry_services
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization

pytestmark = pytest.mark.django_db
D = dt.date
S, K = Filing.Status, Filing.Kind
Stage = IncubationCase.Stage
START, END = D(2024, 1, 1), D(2024, 6, 30)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())


def make_case(organization: Organization, *needs: Need, stage: str = Stage.PREPARING, opened_on=START):
    case = IncubationCase.objects.create(
        organization=organization,
        incubator_kind=IncubationCase.Incubator.ENERGY_STATION,
        stage=stage,
        opened_on=opened_on,
    )
    case.needs.add(*needs)
    return case


def make_filing(organization: Organization, status: str, *, kind: str = K.INITIAL, due_on=END, decided_at=None):
    submitted = (decided_at - dt.timedelta(days=5)) if decided_at else at(due_on - dt.timedelta(days=7))
    return Filing.objects.create(
        organization=organization,
        kind=kind,
        status=status,
        due_on=due_on,
        submitted_at=submitted,
        decided_at=decided_at,
    )


def uscc(body: str) -> str:
    first17 = f"52440305{body}"
    return first17 + uscc_check_char(first17)


@dataclass
class Records:
    gap: Need
    late_need: Need


@built_once
def records(world) -> Records:
    a, b = world.community_a, world.community_b
    gap = make_need(a, "儿童托管", category=Organization.Category.CHARITY, reported_on=D(2024, 2, 1))
    served = make_need(a, "食品安全", category=Organization.Category.AFFAIRS, reported_on=D(2024, 2, 2))
    registry_services_link(served, world.org_a)
    incubated = make_need(a, "粤剧传承", category=Organization.Category.CULTURE, reported_on=D(2024, 2, 3))
    late_need = make_need(a, "七月的新需求", reported_on=D(2024, 7, 2))

    make_case(make_organization(a), incubated)  # preparing
    for stage in (Stage.PREPARING, Stage.INCUBATING, Stage.FILING, Stage.CLOSED):
        make_case(make_organization(a), stage=stage)
    make_case(make_organization(a), opened_on=D(2024, 7, 15))  # preparing, after the period

    make_filing(make_organization(a), S.SUBMITTED, due_on=D(2024, 6, 20))
    make_filing(make_organization(a), S.PRECHECKED, due_on=D(2024, 6, 30))
    make_filing(make_organization(a), S.RETURNED, due_on=D(2024, 6, 1))
    make_filing(make_organization(a), S.SUBMITTED, due_on=D(2024, 7, 5))
    make_filing(make_organization(b), S.PRECHECKED, due_on=D(2024, 6, 10))

    def filed(
        decided_at: dt.datetime,
        *first_needs: dt.date,
        kind: str = K.INITIAL,
        status: str = S.APPROVED,
        stage: str = Stage.FILED,
    ) -> Filing:
        org = make_organization(a, members=3, filed=True, on=decided_at.date())
        if first_needs:
            needs = [make_need(a, reported_on=day) for day in first_needs]
            for need in needs:
                registry_services_link(need, org)  # its organization serves them
            make_case(org, *needs, stage=stage, opened_on=min(first_needs))
        return make_filing(org, status, kind=kind, decided_at=decided_at)

    filed(at(D(2024, 1, 1), 0, 10), D(2023, 11, 22))  # 40 days
    filed(at(D(2024, 3, 1)), D(2023, 11, 22))  # 100 days (2024 is a leap year)
    filed(at(D(2024, 6, 30), 23, 30), D(2024, 6, 10), D(2024, 5, 31))  # 30 days, from the earliest need
    filed(at(D(2024, 4, 1)))  # no case: counted as filed, not in the median
    filed(at(D(2023, 12, 31), 23, 59), D(2023, 10, 1))  # before the period
    filed(at(D(2024, 7, 1), 0, 0), D(2024, 5, 1))  # after the period
    filed(at(D(2024, 3, 1)), D(2024, 1, 1), kind=K.RENEWAL)  # a renewal is not a filing (60 days)
    filed(at(D(2024, 3, 2)), D(2024, 1, 1), status=S.REFUSED, stage=Stage.INCUBATING)  # refused

    for body, day in (("MA5F00001", D(2024, 5, 1)), ("MA5F00002", D(2023, 12, 1))):
        org = make_organization(a, members=3, filed=True, nature=Organization.Nature.SERVICE)
        registry_services.organization_register(organization=org, uscc=uscc(body), registered_on=day, by=system_actor())
    return Records(gap=gap, late_need=late_need)


def registry_services_link(need: Need, organization: Organization) -> None:
    from sifu.incubation import services

    services.need_link_organization(need=need, organization=organization, by=system_actor())


def test_keys_are_exactly_those_of_the_issue(world, records):
    figures = incubation_figures(start=START, end=END, area=world.subdistrict)
    assert (
        tuple(figures)
        == FIGURE_KEYS
        == (
            "needs_open",
            "needs_served",
            "gaps",
            "cases_by_stage",
            "filings_pending",
            "filings_overdue",
            "filed_in_period",
            "conversions_to_registered",
            "median_days_need_to_filing",
        )
    )


def test_figures_of_the_subdistrict(world, records):
    figures = incubation_figures(start=START, end=END, area=world.subdistrict)
    # every stage, zeros included, among the cases opened by the end: filed are those of the approvals
    # (2024-07-01's case opened 2024-05-01) and the renewal's; the refused one is incubating again
    assert figures["cases_by_stage"] == {"preparing": 2, "incubating": 2, "filing": 1, "filed": 6, "closed": 1}
    assert figures["filings_pending"] == {"submitted": 2, "prechecked": 2, "returned": 1}
    assert figures["filings_overdue"] == 2  # A's submitted due 2024-06-20 and B's prechecked due 2024-06-10
    assert figures["filed_in_period"] == 4
    assert figures["median_days_need_to_filing"] == 40  # of 30, 40 and 100
    assert figures["conversions_to_registered"] == 1
    # needs reported by the end: the gap and the one in incubation are open; served: 食品安全 and the
    # 8 needs of the cases of filed organizations (served by them, active)
    assert (figures["needs_open"], figures["gaps"]) == (2, 1)
    assert figures["needs_served"] == 1 + 8


def test_figures_of_one_community(world, records):
    b = incubation_figures(start=START, end=END, area=world.community_b)
    assert b["filings_pending"] == {"submitted": 0, "prechecked": 1, "returned": 0}
    assert b["filings_overdue"] == 1
    assert b["cases_by_stage"] == dict.fromkeys(IncubationCase.Stage.values, 0)
    assert (b["filed_in_period"], b["conversions_to_registered"], b["median_days_need_to_filing"]) == (0, 0, None)
    assert (b["needs_open"], b["needs_served"], b["gaps"]) == (0, 0, 0)


def test_the_period_moves_the_event_figures(world, records):
    first_quarter = incubation_figures(start=START, end=D(2024, 3, 31), area=world.subdistrict)
    assert first_quarter["filed_in_period"] == 2  # 2024-01-01 and 2024-03-01
    assert first_quarter["median_days_need_to_filing"] == 70  # of 40 and 100
    assert first_quarter["conversions_to_registered"] == 0
    assert first_quarter["filings_overdue"] == 0  # the open filings were submitted later
    assert first_quarter["cases_by_stage"]["filed"] == 4  # the cases opened by 2024-03-31
    later = incubation_figures(start=D(2024, 7, 1), end=D(2024, 7, 31), area=world.subdistrict)
    assert later["filed_in_period"] == 1  # 2024-07-01 00:00
    assert later["median_days_need_to_filing"] == 61  # 2024-05-01 → 2024-07-01
    assert later["filings_overdue"] == 4  # by the end of July everything open but the returned is overdue
    assert later["cases_by_stage"]["preparing"] == 3  # the case opened 2024-07-15
    whole = incubation_figures(start=D(2023, 1, 1), end=D(2024, 12, 31), area=None)
    assert whole["conversions_to_registered"] == 2
    assert whole["needs_open"] == 3  # the need reported in July counts once the period reaches it


def test_median_days():
    tz = timezone.get_default_timezone()
    late_evening = dt.datetime(2024, 1, 10, 23, 30, tzinfo=tz).astimezone(dt.UTC)  # 15:30 UTC, same local day
    assert median_days([(late_evening, D(2024, 1, 1))]) == 9
    assert median_days([(late_evening, D(2024, 1, 1)), (late_evening, D(2024, 1, 4))]) == 7.5
    assert median_days([]) is None


def test_query_count_does_not_grow(world, records, django_assert_num_queries):
    # 1 needs (one row of conditional counts), 2 cases GROUP BY stage, 3 filings (one row),
    # 4 approved first filings through a case (for the median), 5 conversions to registration
    with django_assert_num_queries(5):
        incubation_figures(start=START, end=END, area=world.subdistrict)
    for _ in range(3):
        org = make_organization(world.community_b, members=3, filed=True)
        make_case(org, make_need(world.community_b, reported_on=D(2024, 1, 1)), stage=Stage.FILED)
        make_filing(org, S.APPROVED, decided_at=at(D(2024, 2, 1)))
    with django_assert_num_queries(5):
        figures = incubation_figures(start=START, end=END, area=world.subdistrict)
    assert figures["filed_in_period"] == 4 + 3
