"""The incubation demo (issue #3 point 9), loaded by ``seed_demo`` on top of the registry demo.

The module fixture runs the ``seed_demo`` command (both demos, one transaction) inside a
transaction it rolls back at the end, with uploads in a temporary MEDIA_ROOT, so other modules
never see the demo. Each test runs in its own savepoint inside it. Things in progress are dated
from the day the demo is loaded, so the figures below hold on any day.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sifu.accounts.models import Area, User
from sifu.incubation import checklist
from sifu.incubation.demo.cases import NEW, REGISTRY, STORIES
from sifu.incubation.demo.renewals import LAPSED, PENDING, OrgFiling, plan_renewals
from sifu.incubation.models import (
    CoachingNote,
    Filing,
    FilingEvent,
    IncubationCase,
    LeaderCandidate,
    Need,
    PlanGoal,
    PlanMilestone,
    ServicePlan,
)
from sifu.incubation.selectors.figures import incubation_figures
from sifu.incubation.selectors.plans import GoalStatus, plan_progress
from sifu.registry.demo.data import PASSWORD
from sifu.registry.demo.named import NAMED
from sifu.registry.models import Organization, OrganizationStatusChange, Person
from sifu.registry.selectors import registry_figures
from sifu.registry.services import filing_valid_until

pytestmark = [pytest.mark.demo, pytest.mark.django_db]

D = dt.date
Stage = IncubationCase.Stage
FS = Filing.Status
FK = Filing.Kind
Org = Organization


@dataclass
class Loaded:
    output: str
    seconds: float
    today: dt.date


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        out = io.StringIO()
        start = time.perf_counter()
        call_command("seed_demo", stdout=out)
        yield Loaded(out.getvalue(), time.perf_counter() - start, timezone.localdate())
        transaction.set_rollback(True)


@pytest.fixture
def subdistrict(demo) -> Area:
    return Area.objects.get(name="南山街道", parent__name="南山区")


@pytest.fixture
def today(demo) -> dt.date:
    return demo.today


def org(name: str) -> Organization:
    return Organization.objects.select_related("community").get(name=name)


def case_of(name: str) -> IncubationCase:
    return IncubationCase.objects.select_related("organization__community").get(organization__name=name)


# --- the command ----------------------------------------------------------------------------------------


def test_seed_demo_loads_both_demos_quickly_and_prints_figures_and_logins(demo):
    print(f"seed_demo took {demo.seconds:.1f} s")
    assert demo.seconds < 60
    assert "Loaded the Nanshan demo" in demo.output
    assert "2024-04-30: 197 active organizations" in demo.output
    assert "Incubation" in demo.output and "gaps" in demo.output and "overdue" in demo.output
    assert PASSWORD in demo.output
    for username in ("admin", "lifang", "nanyuan", "leader", "viewer"):
        assert f"  {username} " in demo.output


def test_second_run_changes_nothing(demo):
    def row_counts() -> dict[str, int]:
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    before = row_counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts() == before
    assert "already loaded" in out.getvalue() and "nothing was changed" in out.getvalue()
    assert "  admin " in out.getvalue()  # the logins are printed again
    assert before["incubation.Need"] == 39 and before["incubation.IncubationCase"] == 18
    assert before["registry.Organization"] == 218 + len(NEW)


def test_the_case_study_figures_do_not_change(subdistrict):
    """Everything the incubation demo adds happens after 2024-04-30 or in organizations created after it."""
    figures = registry_figures(D(2024, 4, 30), area=subdistrict)["organizations"]
    assert figures["active"] == 197
    assert figures["by_nature"] == {"association": 16, "service": 181}
    assert figures["by_category"] == {"charity": 2, "life": 6, "affairs": 29, "culture": 160}
    assert figures["by_legal_status"] == {"filed": 191, "registered": 6}
    members = registry_figures(D(2023, 12, 31), area=subdistrict)
    assert members["members"]["memberships"] == 3883
    party = members["party"]
    assert (party["orgs_with_party_members"], party["party_members"]) == (104, 488)
    assert (party["party_member_leaders"], party["party_branches"]) == (57, 17)
    assert registry_figures(D(2019, 1, 1), area=subdistrict)["organizations"]["active"] == 82


# --- the three stories -------------------------------------------------------------------------------------

STORY_NEEDS = {
    "荔芳食品安全自治会": {"网红餐饮店、外卖店密集，食品安全投诉多"},
    "南园骑手互助会": {"快递小哥、外卖骑手聚居南园村，缺少歇脚充电的地方", "骑手中的流动党员缺少组织生活"},
    "月亮湾物流协会": {"货车司机扎堆月亮湾花园，大车停放和行车安全隐患多"},
    "月亮湾拖车队": {"货车司机扎堆月亮湾花园，大车停放和行车安全隐患多", "拖车凌晨进出小区鸣笛、占道停车扰民"},
}


@pytest.mark.parametrize("name", list(STORY_NEEDS))
def test_each_story_is_a_filed_case_with_its_needs_served(demo, name):
    case = case_of(name)
    organization = case.organization
    assert case.stage == Stage.FILED
    assert organization.status == Org.Status.ACTIVE and organization.legal_status in (
        Org.LegalStatus.FILED,
        Org.LegalStatus.REGISTERED,
    )
    needs = list(case.needs.all())
    assert {n.title for n in needs} == STORY_NEEDS[name]
    created = organization.status_changes.order_by("effective_on", "id").first().effective_on
    for need in needs:
        assert need.status == Need.Status.SERVED
        assert organization in need.organizations.all()
        assert need.reported_on < created  # the need came first
        assert need.description and need.affected_group and need.place and need.category and need.source
    assert case.opened_on <= organization.filed_on
    assert case.mentor and case.incubator_name
    assert case.notes.count() >= 3
    assert case.history.first().history_change_reason == "incubation.case.recorded"


def test_the_stories_incubators(demo):
    kinds = {name: (case_of(name).incubator_kind, case_of(name).incubator_name) for name in STORY_NEEDS}
    assert kinds == {
        "荔芳食品安全自治会": ("energy_station", "荔芳社区能量站"),
        "南园骑手互助会": ("energy_station", "南园社区能量站"),
        "月亮湾物流协会": ("agency", "区社创会"),
        "月亮湾拖车队": ("service_center", "南山街道社会组织服务中心"),
    }
    assert org("月亮湾物流协会").legal_status == Org.LegalStatus.REGISTERED  # converted to registration in 2021


def test_story_candidates_are_party_members_assessed_on_the_three_qualities(demo):
    candidates = LeaderCandidate.objects.filter(organization__name__in=STORY_NEEDS).select_related("person")
    assert candidates.count() == sum(len(s.candidates) for s in STORIES) == 6
    for candidate in candidates:
        assert candidate.person.is_party_member
        assert candidate.assessed_on and candidate.note
        assert candidate.party_spirit == LeaderCandidate.Assessment.STRONG
    assert sum(c.three_strong for c in candidates) == 4
    # 南园骑手互助会 elected a new leader in 2025 from its candidates; its party branch is there.
    chosen = candidates.get(status=LeaderCandidate.Status.CHOSEN)
    riders = org("南园骑手互助会")
    assert chosen.organization == riders and chosen.three_strong
    leader = riders.memberships.get(role="leader", left_on__isnull=True)
    assert leader.person == chosen.person
    assert riders.party_branch_name == "南园骑手党支部"


# --- cases at every stage -------------------------------------------------------------------------------------


def test_one_case_or_more_at_every_stage(demo):
    stages = Counter(IncubationCase.objects.values_list("stage", flat=True))
    assert stages == {Stage.PREPARING: 4, Stage.INCUBATING: 4, Stage.FILING: 4, Stage.FILED: 5, Stage.CLOSED: 1}
    for spec in REGISTRY:  # the registry demo's organizations still in incubation have their cases
        assert case_of(spec.organization).stage == spec.stage


def test_a_case_just_opened(today):
    case = case_of("北头村电动自行车安全劝导队")
    assert case.stage == Stage.PREPARING and case.organization.status == Org.Status.PROPOSED
    assert case.opened_on == today - dt.timedelta(days=5)
    assert case.notes.count() == 1
    assert case.needs.get().status == Need.Status.OPEN


def test_an_incubating_case_with_its_checklist_partly_done(today):
    case = case_of("向南东村长者助餐志愿队")
    organization = case.organization
    assert case.stage == Stage.INCUBATING and organization.status == Org.Status.INCUBATING
    assert case.notes.count() == 4
    statuses = Counter(case.organization.leader_candidates.values_list("status", flat=True))
    assert statuses == {"chosen": 1, "candidate": 1, "withdrawn": 1}
    items = {item.code: item.ok for item in checklist.incubation_checklist(organization, today)}
    assert items["leader"] and items["venue"] and items["initiators"] and items["election_rules"]
    assert items["party_members"]
    assert not items["members"] and not items["charter"] and not items["deliberation_rules"]


def test_cases_in_filing_and_the_one_filed_through_the_workflow(today):
    expected = {
        "学府社区托育互助小组": FS.SUBMITTED,
        "荔芳网红街邻里议事会": FS.PRECHECKED,
        "南园青年心理互助小组": FS.PRECHECKED,
        "荔湾四点半课堂互助站": FS.RETURNED,
    }
    for name, status in expected.items():
        case = case_of(name)
        assert case.stage == Stage.FILING
        filing = case.organization.filings.get()
        assert (filing.kind, filing.status) == (FK.INITIAL, status)
        assert checklist.missing(case.organization, today) == []
        assert {d.kind for d in filing.documents.all()} == {"application", "roster", "charter", "venue"}
    returned = org("荔湾四点半课堂互助站").filings.get()
    assert "物业公章" in returned.decision_note
    assert list(returned.events.values_list("action", flat=True)) == ["submitted", "precheck_passed", "returned"]

    station = case_of("登良骑手暖心驿站")
    organization = station.organization
    approved = organization.filings.get()
    decided = timezone.localdate(approved.decided_at)
    assert station.stage == Stage.FILED and approved.status == FS.APPROVED
    assert decided == today - dt.timedelta(days=20)
    assert organization.status == Org.Status.ACTIVE and organization.legal_status == Org.LegalStatus.FILED
    assert re.fullmatch(rf"南山街备〔{decided.year}〕\d{{3}}号", organization.filing_number)
    assert approved.filing_number == organization.filing_number
    assert organization.filing_valid_until == approved.valid_until == filing_valid_until(decided)
    assert Organization.objects.public().filter(pk=organization.pk).exists()
    assert station.needs.get().status == Need.Status.SERVED


def test_a_closed_case_keeps_its_reason_and_its_need_is_a_gap_again(today):
    case = case_of("南山村亲子共读会")
    assert case.stage == Stage.CLOSED and case.closed_on == today - dt.timedelta(days=30)
    assert "调动" in case.close_reason
    assert case.organization.status == Org.Status.DISSOLVED
    assert case.needs.get().status == Need.Status.OPEN


# --- needs -------------------------------------------------------------------------------------------------


def test_needs_in_every_state_across_communities_and_categories(demo):
    statuses = Counter(Need.objects.values_list("status", flat=True))
    assert statuses == {"open": 19, "served": 15, "submitted": 3, "merged": 1, "declined": 1}
    assert Need.objects.values("community").distinct().count() == 13
    assert set(Need.objects.values_list("category", flat=True)) == set(Org.Category.values)
    merged = Need.objects.get(status=Need.Status.MERGED)
    assert merged.merged_into.title == "网红餐饮店夜间排队喧哗、油烟噪音扰民"
    declined = Need.objects.get(status=Need.Status.DECLINED)
    assert declined.source == Need.Source.RESIDENT and "商业经营" in declined.decline_reason
    for need in Need.objects.filter(source=Need.Source.RESIDENT):
        assert need.created_by is None
    for need in Need.objects.exclude(source=Need.Source.RESIDENT):
        assert need.created_by is not None and not need.submitter_name and not need.submitter_phone


# --- filings ----------------------------------------------------------------------------------------------------


def test_open_requests_of_every_kind_and_one_overdue(today):
    open_requests = Filing.objects.open()
    assert Counter(open_requests.values_list("kind", "status")) == {
        (FK.INITIAL, FS.SUBMITTED): 1,
        (FK.INITIAL, FS.PRECHECKED): 2,
        (FK.INITIAL, FS.RETURNED): 1,
        (FK.RENEWAL, FS.SUBMITTED): 1,
        (FK.RENEWAL, FS.PRECHECKED): 1,
        (FK.CHANGE, FS.SUBMITTED): 1,
        (FK.DEREGISTRATION, FS.PRECHECKED): 1,
    }
    overdue = [f for f in open_requests.select_related("organization") if f.is_overdue(today)]
    assert [f.organization.name for f in overdue] == ["荔芳网红街邻里议事会"]
    assert (today - timezone.localdate(overdue[0].submitted_at)).days > Filing.REVIEW_DAYS
    change = open_requests.get(kind=FK.CHANGE)
    assert change.organization.name == "荔芳食品安全自治会" and set(change.changes) == {"venue"}
    assert change.submitted_by == User.objects.get(username="leader")
    deregistration = open_requests.get(kind=FK.DEREGISTRATION)
    assert deregistration.organization.status == Org.Status.DORMANT and deregistration.effective_on


def test_renewals_keep_most_filings_current(today):
    active_filed = Organization.objects.filter(status=Org.Status.ACTIVE, legal_status=Org.LegalStatus.FILED)
    expired = active_filed.filter(filing_valid_until__lt=today)
    expiring = active_filed.filter(filing_valid_until__gte=today, filing_valid_until__lte=today + dt.timedelta(30))
    assert expired.count() == LAPSED
    assert 3 + PENDING <= expiring.count() <= 10  # a handful, whatever the day
    current = active_filed.count() - expired.count() - expiring.count()
    assert current >= 0.95 * active_filed.count() and current > 185
    renewals = Filing.objects.filter(kind=FK.RENEWAL)
    assert renewals.filter(status=FS.APPROVED).count() > 300
    assert renewals.open().count() == PENDING
    assert set(renewals.open().values_list("organization", flat=True)) <= set(expiring.values_list("pk", flat=True))
    # Every approved renewal went through the three steps, in order, in the past.
    steps = Counter(
        FilingEvent.objects.filter(filing__kind=FK.RENEWAL, filing__status=FS.APPROVED).values_list("action", flat=True)
    )
    approved = renewals.filter(status=FS.APPROVED).count()
    assert steps == {"submitted": approved, "precheck_passed": approved, "approved": approved}
    assert not FilingEvent.objects.filter(at__gt=timezone.now()).exists()
    assert not renewals.filter(organization__legal_status=Org.LegalStatus.REGISTERED).exists()


def test_a_filing_renewed_every_three_years_since_2016(today):
    fenghua = org("风华楼联会")  # filed 2016-04-12, valid until 2019-04-11
    renewals = list(fenghua.filings.filter(kind=FK.RENEWAL).order_by("submitted_at"))
    assert [timezone.localdate(f.decided_at).year for f in renewals][:3] == [2019, 2022, 2025]
    assert renewals[2].valid_until == D(2028, 4, 11)  # each renewal runs three years from the old end
    assert fenghua.filing_valid_until == renewals[-1].valid_until >= today


def test_the_renewal_plan_holds_on_any_day(demo):
    """The same counts whatever the day the demo is loaded (sampled over three years), and the same plan twice."""
    changes = OrganizationStatusChange.objects.filter(
        action__in=["registry.organization.made_dormant", "registry.organization.reactivated"]
    ).order_by("organization", "effective_on", "id")
    dates: dict[int, list[dt.date]] = {}
    for pk, on in changes.values_list("organization", "effective_on"):
        dates.setdefault(pk, []).append(on)
    named = {n.name for n in NAMED}
    orgs = [
        OrgFiling(
            o.pk,
            o.name,
            filing_valid_until(o.filed_on),
            protected=o.name in named,
            dormant=tuple(zip(dates.get(o.pk, [])[::2], dates.get(o.pk, [])[1::2], strict=False)),
        )
        for o in Organization.objects.filter(
            status=Org.Status.ACTIVE, legal_status=Org.LegalStatus.FILED, filed_on__lt=D(2024, 5, 1)
        )
    ]
    for offset in range(0, 3 * 365, 29):
        day = D(2026, 11, 1) + dt.timedelta(days=offset)
        plan = plan_renewals(orgs, day)
        ends = plan.valid_until.values()
        assert sum(end < day for end in ends) == LAPSED == len(plan.lapsed), day
        assert 3 + PENDING <= sum(day <= end <= day + dt.timedelta(days=30) for end in ends) <= 10, day
        assert len(plan.pending) == PENDING, day
        assert all(r.submitted < r.prechecked < r.approved < day for r in plan.renewals), day
    assert plan_renewals(orgs, day) == plan


# --- the plan ---------------------------------------------------------------------------------------------------


def test_the_service_center_plans(today, subdistrict):
    plans = list(ServicePlan.objects.filter(area=subdistrict).order_by("starts_on"))
    assert [p.title for p in plans[:2]] == [
        "南山街道社会组织服务中心三年服务规划（2019—2021年）",
        "南山街道社会组织服务中心三年服务规划（2022—2024年）",
    ]
    current = plans[-1]
    assert current.starts_on <= today <= current.ends_on
    progress = {row.goal.metric: row for row in plan_progress(current, today)}
    assert set(progress) == {
        PlanGoal.Metric.ACTIVE_ORGANIZATIONS,
        PlanGoal.Metric.REGISTERED_ORGANIZATIONS,
        PlanGoal.Metric.PARTY_BRANCHES,
        PlanGoal.Metric.PARTY_MEMBER_LEADERS,
        PlanGoal.Metric.COMMUNITIES_AT_TARGET,
        PlanGoal.Metric.NEEDS_SERVED,
    }
    assert progress[PlanGoal.Metric.ACTIVE_ORGANIZATIONS].value > 200
    assert progress[PlanGoal.Metric.COMMUNITIES_AT_TARGET].status == GoalStatus.MET
    assert progress[PlanGoal.Metric.NEEDS_SERVED].status == GoalStatus.BEHIND
    milestones = list(current.milestones.all())
    assert sum(m.done_on is not None for m in milestones) == 2
    assert [m.title for m in milestones if m.is_overdue(today)] == ["出台《社区社会组织备案续期和变更办理指引》"]
    assert sum(m.due_on > today for m in milestones) == 3
    assert PlanMilestone.objects.filter(plan__in=plans[:2], done_on__isnull=True).count() == 0


# --- figures and history ----------------------------------------------------------------------------------------


def test_incubation_figures_on_the_demo(today, subdistrict):
    figures = incubation_figures(start=today - dt.timedelta(days=365), end=today, area=subdistrict)
    assert figures == {
        "needs_open": 19,
        "needs_served": 15,
        "gaps": 7,
        "cases_by_stage": {"preparing": 4, "incubating": 4, "filing": 4, "filed": 5, "closed": 1},
        "filings_pending": {"submitted": 3, "prechecked": 4, "returned": 1},
        "filings_overdue": 1,
        "filed_in_period": 1,
        "conversions_to_registered": 0,
        "median_days_need_to_filing": 130,  # 登良: need reported 150 days ago, filed 20 days ago
    }
    lifang = Area.objects.get(name="荔芳社区")
    assert incubation_figures(start=today, end=today, area=lifang)["filings_overdue"] == 1
    # The case study's story of 2021: 月亮湾物流协会's conversion to registration.
    assert (
        incubation_figures(start=D(2021, 1, 1), end=D(2021, 12, 31), area=subdistrict)["conversions_to_registered"] == 1
    )


def test_everything_written_carries_history(demo):
    for model in (Need, IncubationCase, CoachingNote, LeaderCandidate, Filing, ServicePlan, PlanGoal, PlanMilestone):
        rows = model._default_manager.count()
        assert rows
        assert model.history.filter(history_type="+").values("id").distinct().count() == rows, model


def test_people_given_parts_are_residents_of_the_community(demo):
    for spec in NEW:
        organization = org(spec.name)
        community = organization.community_id
        people = Person.objects.filter(memberships__organization=organization) | Person.objects.filter(
            leader_candidacies__organization=organization
        )
        assert set(people.values_list("community", flat=True)) <= {community}, spec.name
        assert not people.filter(user__isnull=False).exists()
