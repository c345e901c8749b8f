"""Service plan services (plan, goals, milestones: allowed and refused) and the progress of goals
computed from the records of the plan's area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.incubation.models import Need, PlanGoal, PlanMilestone, ServicePlan
from sifu.incubation.selectors import plans as selectors
from sifu.incubation.services import needs as need_services
from sifu.incubation.services import plans as services
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry_services
from sifu.registry.tests.factories import make_organization, make_person

M = PlanGoal.Metric
START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)


@built_once
def plan(world, office_admin):
    return services.plan_create(
        area=world.subdistrict, title="三年服务规划", starts_on=START, ends_on=END, summary="培育发展", by=office_admin
    )


def goal(plan, metric=M.ACTIVE_ORGANIZATIONS, target=10, due_on=END, by=None):
    by = by or system_actor()
    return services.goal_add(plan=plan, metric=metric, target=target, due_on=due_on, by=by)


# Plans --------------------------------------------------------------------------------------


def test_create_a_subdistrict_plan_with_history(world, office_admin, plan):
    assert (plan.area, plan.title, plan.created_by) == (world.subdistrict, "三年服务规划", office_admin)
    record = ServicePlan.history.get(id=plan.pk)
    assert (record.history_change_reason, record.history_user) == ("incubation.plan.created", office_admin)


def test_create_is_refused_for_a_community_or_out_of_scope_or_without_permission(world, office_admin, community_staff):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(area=world.community_a, title="x", starts_on=START, ends_on=END, by=office_admin)
    assert exc.value.message_dict == {"area": ["A service plan is made for a subdistrict, not a Community."]}
    with pytest.raises(PermissionDenied):
        services.plan_create(area=world.other_subdistrict, title="x", starts_on=START, ends_on=END, by=office_admin)
    with pytest.raises(PermissionDenied):
        services.plan_create(area=world.subdistrict, title="x", starts_on=START, ends_on=END, by=community_staff)
    assert not ServicePlan.objects.exists()


def test_create_refuses_an_end_before_the_start_or_no_title(world, office_admin):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(area=world.subdistrict, title=" ", starts_on=END, ends_on=START, by=office_admin)
    assert set(exc.value.message_dict) == {"title", "ends_on"}
    assert exc.value.message_dict["ends_on"] == ["The plan has to end after it starts."]


def test_update_refuses_dates_that_would_leave_a_goal_outside(office_admin, plan):
    goal(plan, due_on=dt.date(2026, 6, 30), by=office_admin)
    with pytest.raises(ValidationError, match=r"Active organizations \(2026-06-30\)"):
        services.plan_update(
            plan=plan, title="两年规划", starts_on=START, ends_on=dt.date(2025, 12, 31), by=office_admin
        )
    plan.refresh_from_db()
    assert plan.ends_on == END
    updated = services.plan_update(
        plan=plan, title="规划", starts_on=START, ends_on=dt.date(2026, 6, 30), by=office_admin
    )
    assert (updated.title, updated.ends_on) == ("规划", dt.date(2026, 6, 30))


def test_community_staff_cannot_change_the_subdistrict_plan(community_staff, plan):
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, title="x", starts_on=START, ends_on=END, by=community_staff)
    with pytest.raises(PermissionDenied):
        goal(plan, by=community_staff)
    with pytest.raises(PermissionDenied):
        services.milestone_add(plan=plan, title="x", due_on=END, by=community_staff)


# Goals --------------------------------------------------------------------------------------


def test_goal_add_and_update(office_admin, plan):
    g = goal(plan, target=30, by=office_admin)
    assert PlanGoal.history.get(id=g.pk).history_change_reason == "incubation.plan.goal_added"
    g = services.goal_update(
        goal=g, metric=M.PARTY_BRANCHES, target=5, due_on=dt.date(2025, 12, 31), note="先建后优", by=office_admin
    )
    g.refresh_from_db()
    assert (g.metric, g.target, g.due_on, g.note) == (M.PARTY_BRANCHES, 5, dt.date(2025, 12, 31), "先建后优")


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("target", {"target": 0}, "The target has to be a whole number above zero."),
        ("due_on", {"due_on": dt.date(2027, 1, 1)}, "Choose a date within the plan, from 2024-01-01 to 2026-12-31."),
        ("due_on", {"due_on": dt.date(2023, 12, 31)}, "Choose a date within the plan, from 2024-01-01 to 2026-12-31."),
        ("metric", {"metric": "happiness"}, "Choose what the goal measures."),
    ],
)
def test_goal_add_refuses_bad_input(office_admin, plan, field, kwargs, message):
    with pytest.raises(ValidationError) as exc:
        goal(plan, by=office_admin, **kwargs)
    assert exc.value.message_dict == {field: [message]}
    assert not PlanGoal.objects.exists()


def test_goal_add_refuses_a_duplicate_measure_and_date(office_admin, plan):
    goal(plan, by=office_admin)
    with pytest.raises(ValidationError, match="already has a goal for “Active organizations” due on 2026-12-31"):
        goal(plan, target=12, by=office_admin)
    goal(plan, target=6, due_on=dt.date(2025, 12, 31), by=office_admin)  # another date is another goal
    assert plan.goals.count() == 2


# Milestones ---------------------------------------------------------------------------------


def test_milestone_done_and_reopened(office_admin, plan):
    m = services.milestone_add(plan=plan, title="每个社区建成能量站", due_on=dt.date(2024, 6, 30), by=office_admin)
    assert m.is_overdue(dt.date(2024, 7, 1)) and not m.is_overdue(dt.date(2024, 6, 30))
    m = services.milestone_done(milestone=m, done_on=dt.date(2024, 7, 3), by=office_admin)
    assert m.done_on == dt.date(2024, 7, 3) and not m.is_overdue(dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="already marked done on 2024-07-03"):
        services.milestone_done(milestone=m, done_on=dt.date(2024, 7, 4), by=office_admin)
    m = services.milestone_reopen(milestone=m, by=office_admin)
    assert m.done_on is None
    with pytest.raises(ValidationError, match="not marked done"):
        services.milestone_reopen(milestone=m, by=office_admin)
    codes = list(
        PlanMilestone.history.filter(id=m.pk).order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert codes == [
        "incubation.plan.milestone_added",
        "incubation.plan.milestone_done",
        "incubation.plan.milestone_reopened",
    ]


def test_milestone_refuses_a_future_done_date_and_a_date_outside_the_plan(office_admin, plan):
    m = services.milestone_add(plan=plan, title="骨干培训", due_on=dt.date(2024, 9, 1), by=office_admin)
    with pytest.raises(ValidationError) as exc:
        services.milestone_done(milestone=m, done_on=timezone.localdate() + dt.timedelta(days=1), by=office_admin)
    assert exc.value.message_dict == {"done_on": ["The date it was done cannot be in the future."]}
    m.refresh_from_db()
    assert m.done_on is None
    with pytest.raises(ValidationError, match="within the plan"):
        services.milestone_add(plan=plan, title="x", due_on=dt.date(2030, 1, 1), by=office_admin)
    with pytest.raises(ValidationError, match="title"):
        services.milestone_add(plan=plan, title=" ", due_on=END, by=office_admin)


# Progress -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status", "expected"),
    [
        (dt.date(2024, 4, 1), "on_track", 8),  # 8% of the time passed, 30% of the target reached
        (dt.date(2025, 6, 1), "behind", 47),  # 47% of the time passed, still 30%
        (dt.date(2027, 1, 10), "behind", 100),  # past due and unmet
    ],
)
def test_three_active_organizations_against_ten_is_thirty_percent(world, office_admin, plan, today, status, expected):
    make_organization(
        world.community_b, "南园读书会", members=3, filed=True
    )  # with org A and org B: 3 in the subdistrict
    g = goal(plan, target=10, by=office_admin)
    [row] = selectors.plan_progress(plan, today)
    assert (row.goal, row.value, row.percent, row.bar) == (g, 3, 30, 30)
    assert (row.status, row.expected) == (status, expected)
    assert row.past_due == (today > END)


def test_a_reached_target_is_met_even_past_due(world, office_admin, plan):
    goal(plan, target=2, due_on=dt.date(2024, 12, 31), by=office_admin)
    [row] = selectors.plan_progress(plan, dt.date(2025, 3, 1))
    assert (row.value, row.percent, row.status, row.past_due) == (2, 100, "met", False)


def test_goal_status_rule():
    kw = {"target": 10, "starts_on": START, "due_on": dt.date(2024, 12, 31)}
    assert selectors.goal_status(value=0, today=dt.date(2023, 6, 1), **kw) == ("on_track", 0)  # not started
    assert selectors.goal_status(value=5, today=dt.date(2024, 7, 1), **kw)[0] == "on_track"  # 50% vs 50%
    assert selectors.goal_status(value=4, today=dt.date(2024, 7, 1), **kw)[0] == "behind"  # 40% vs 50%
    assert selectors.goal_status(value=9, today=dt.date(2024, 12, 31), **kw) == ("behind", 100)
    assert selectors.goal_status(value=12, today=dt.date(2024, 2, 1), **kw)[0] == "met"


def test_every_measure_is_read_from_the_area_records(world, office_admin, plan):
    today = timezone.localdate()
    # A party branch and a party-member leader in community B; org A's 12 members and org B's 4.
    party_org = make_organization(
        world.community_b,
        "南园骑手党支部互助队",
        members=3,
        filed=True,
        party_branch_name="南园骑手党支部",
        party_branch_founded_on=dt.date(2021, 7, 1),
    )
    leader = make_person("党员负责人", community=world.community_b, party=True)
    registry_services.organization_change_leader(organization=party_org, person=leader, by=system_actor())
    first17 = "52440305MJL000001"  # org B is service-type (社会服务机构)
    registry_services.organization_register(
        organization=world.org_b,
        uscc=first17 + uscc_check_char(first17),
        registered_on=dt.date(2023, 5, 1),
        by=system_actor(),
    )
    for _i in range(9):  # org A and 9 more: community A reaches 10 active organizations
        make_organization(world.community_a, members=3, filed=True)
    make_organization(world.other_community, members=3, filed=True)  # another subdistrict: never counted
    served = make_need(world.community_a, "独居老人助餐")
    need_services.need_link_organization(need=served, organization=world.org_a, by=system_actor())
    make_need(world.community_b, "骑手歇脚点")  # open
    make_need(world.other_community, "外区需求")  # another subdistrict
    for metric in M.values:
        goal(plan, metric=metric, target=100, by=office_admin)
    values = {row.goal.metric: row.value for row in selectors.plan_progress(plan, today)}
    assert values == {
        M.ACTIVE_ORGANIZATIONS: 12,  # org A and 9 more in A; org B and the party organization in B
        M.FILED_ORGANIZATIONS: 11,  # org B is registered now
        M.REGISTERED_ORGANIZATIONS: 1,
        M.PARTY_BRANCHES: 1,
        M.PARTY_MEMBER_LEADERS: 1,
        M.ORGS_WITH_PARTY_MEMBERS: 1,
        M.MEMBERS: 12 + 4 + (3 + 1) + 9 * 3,  # people in the active organizations
        M.COMMUNITIES_AT_TARGET: 1,  # community A
        M.NEEDS_SERVED: 1,
    }
    assert Need.objects.filter(status=Need.Status.SERVED).count() == 1


def test_progress_costs_a_fixed_number_of_queries(world, office_admin, plan, django_assert_num_queries):
    for metric in M.values:
        goal(plan, metric=metric, target=10, by=office_admin)
    today = timezone.localdate()

    def measure():
        # 1 goals, 2 registry_figures (organizations, memberships), 3 community_figures (communities,
        # organizations by community, memberships by community), 1 needs served
        with django_assert_num_queries(7):
            return selectors.plan_progress(plan, today)

    measure()
    for _i in range(5):
        make_organization(world.community_a, members=3, filed=True)
    for _i in range(3):
        make_need(world.community_b)
    goal(plan, target=20, due_on=dt.date(2025, 12, 31), by=office_admin)
    assert len(measure()) == len(M.values) + 1


def test_an_ended_plan_is_measured_on_its_last_day(world, office_admin):
    D = dt.date
    """Organizations that became active after a plan ended do not count for it."""
    from sifu.incubation.selectors.plans import measured_on, plan_progress
    from sifu.incubation.services.plans import goal_add, plan_create
    from sifu.registry.tests.factories import make_organization

    plan = plan_create(
        area=world.subdistrict,
        title="第一轮三年服务规划",
        starts_on=D(2019, 1, 1),
        ends_on=D(2021, 12, 31),
        by=office_admin,
    )
    goal_add(plan=plan, metric="active_organizations", target=10, due_on=D(2021, 12, 31), by=office_admin)
    make_organization(world.community_a, members=2, filed=True, on=D(2023, 5, 1))
    assert measured_on(plan, D(2026, 1, 1)) == D(2021, 12, 31)
    ended = plan_progress(plan, D(2026, 1, 1))[0].value
    running = plan_progress(plan, D(2021, 6, 1))[0].value
    assert ended == running  # the 2023 organization is not counted for the 2019–2021 plan
