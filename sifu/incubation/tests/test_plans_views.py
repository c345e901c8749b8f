"""Service plan pages: the list, creating and editing a plan, goals with their progress, milestones
marked done (or refused), who may see and change what, and the plan page's fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.incubation.models import PlanGoal, PlanMilestone, ServicePlan
from sifu.incubation.services import plans as services
from sifu.incubation.tests.factories import make_need
from sifu.registry.tests.factories import make_organization

LIST = reverse("incubation:plan-list")
CREATE = reverse("incubation:plan-create")


def url(name: str, obj) -> str:
    return reverse(f"incubation:plan-{name}", args=[obj.pk])


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(world, office_admin, today):
    """A plan that started a year ago and ends in two years."""
    return services.plan_create(
        area=world.subdistrict,
        title="南山街道三年服务规划",
        starts_on=today - dt.timedelta(days=365),
        ends_on=today + dt.timedelta(days=730),
        summary="每个社区不少于10个社区社会组织",
        by=office_admin,
    )


def test_community_staff_see_their_subdistricts_plan_but_cannot_change_it(client, community_staff, plan):
    client.force_login(community_staff)
    response = client.get(LIST)
    assert [p.title for p in response.context["page"].object_list] == ["南山街道三年服务规划"]
    assert CREATE not in response.content.decode()
    html = client.get(url("detail", plan)).content.decode()
    assert "南山街道三年服务规划" in html and url("edit", plan) not in html
    assert client.get(url("edit", plan)).status_code == 403
    assert client.post(url("goal-add", plan), {"metric": "members", "target": 5}).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_a_plan_of_another_subdistrict_is_not_found(client, world, office_admin, district_leader):
    other = services.plan_create(
        area=world.other_subdistrict,
        title="粤海规划",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        by=system_actor(),
    )
    client.force_login(office_admin)
    assert client.get(url("detail", other)).status_code == 404
    client.force_login(district_leader)  # the district sees both, read-only
    assert client.get(url("detail", other)).status_code == 200
    assert client.get(url("edit", other)).status_code == 403


def test_create_a_plan_then_add_a_goal_and_a_milestone(client, world, office_admin, today):
    client.force_login(office_admin)
    response = client.get(CREATE)
    assert response.context["form"]["area"].initial == world.subdistrict.pk  # the only subdistrict in scope
    data = {"area": world.subdistrict.pk, "title": "三年规划", "starts_on": "2025-01-01", "ends_on": "2027-12-31"}
    response = client.post(CREATE, data)
    plan = ServicePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", plan)
    response = client.post(url("goal-add", plan), {"metric": "party_branches", "target": 8, "due_on": "2027-12-31"})
    assert response.status_code == 302
    assert plan.goals.get().target == 8
    response = client.post(url("milestone-add", plan), {"title": "能量站全覆盖", "due_on": "2025-06-30"})
    assert response.status_code == 302
    assert plan.milestones.get().title == "能量站全覆盖"


def test_forms_with_errors_say_why_and_save_nothing(client, world, office_admin, plan):
    client.force_login(office_admin)
    data = {"area": world.subdistrict.pk, "title": "x", "starts_on": "2025-01-01", "ends_on": "2024-01-01"}
    response = client.post(CREATE, data)
    assert response.status_code == 400 and "The plan has to end after it starts." in response.content.decode()
    data["area"] = world.community_a.pk  # not offered: only subdistricts in scope
    assert client.post(CREATE, data).status_code == 400
    assert ServicePlan.objects.count() == 1

    late = (plan.ends_on + dt.timedelta(days=1)).isoformat()
    response = client.post(url("goal-add", plan), {"metric": "members", "target": 0, "due_on": late})
    html = response.content.decode()
    assert response.status_code == 400 and "The target has to be a whole number above zero." in html
    response = client.post(url("goal-add", plan), {"metric": "members", "target": 50, "due_on": late})
    assert response.status_code == 400 and "Choose a date within the plan" in response.content.decode()
    assert not PlanGoal.objects.exists()


def test_the_plan_page_shows_progress_and_overdue_milestones(client, world, office_admin, plan, today):
    make_organization(world.community_b, members=3, filed=True)  # 3 active organizations in the subdistrict
    g = services.goal_add(plan=plan, metric="active_organizations", target=10, due_on=plan.ends_on, by=office_admin)
    late = services.milestone_add(
        plan=plan, title="每个社区建成能量站", due_on=today - dt.timedelta(days=10), by=office_admin
    )
    services.milestone_add(plan=plan, title="骨干培训", due_on=today + dt.timedelta(days=30), by=office_admin)
    client.force_login(office_admin)
    response = client.get(url("detail", plan))
    html = response.content.decode()
    [row] = response.context["progress"]
    # A third of the plan's time has passed (to the goal's date) and 30% is reached: behind.
    assert (row.goal, row.value, row.percent, row.expected, row.status) == (g, 3, 30, 33, "behind")
    assert 'style="width: 30%"' in html and 'data-status="behind"' in html and 'style="left: 33%"' in html
    assert response.context["overdue"] == 1
    assert f'data-milestone="{late.pk}"' in html and "overdue" in html
    # Done today: no longer overdue.
    response = client.post(url("milestone-done", late), {"done_on": today.isoformat()})
    assert response.status_code == 302 and response["Location"].endswith("#milestones")
    assert client.get(url("detail", plan)).context["overdue"] == 0


def test_milestone_done_in_the_future_or_twice_is_refused(client, office_admin, plan, today):
    m = services.milestone_add(plan=plan, title="骨干培训", due_on=today, by=office_admin)
    client.force_login(office_admin)
    response = client.post(url("milestone-done", m), {"done_on": (today + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    response = client.post(url("milestone-done", m), {})
    assert response.status_code == 400 and "Give the date it was done." in response.content.decode()
    m.refresh_from_db()
    assert m.done_on is None
    client.post(url("milestone-done", m), {"done_on": today.isoformat()})
    response = client.post(url("milestone-done", m), {"done_on": today.isoformat()})
    assert response.status_code == 400 and "already marked done" in response.content.decode()
    assert client.post(url("milestone-reopen", m)).status_code == 302
    m.refresh_from_db()
    assert m.done_on is None


def test_edit_the_plan_and_a_goal(client, office_admin, plan):
    g = services.goal_add(plan=plan, metric="members", target=100, due_on=plan.ends_on, by=office_admin)
    client.force_login(office_admin)
    assert client.get(url("goal-edit", g)).context["form"].initial["target"] == 100
    data = {"metric": "members", "target": 150, "due_on": plan.ends_on.isoformat(), "note": "含志愿者"}
    assert client.post(url("goal-edit", g), data).status_code == 302
    g.refresh_from_db()
    assert (g.target, g.note) == (150, "含志愿者")
    data = {"title": "新标题", "starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat()}
    assert client.post(url("edit", plan), data).status_code == 302
    plan.refresh_from_db()
    assert plan.title == "新标题"
    data["ends_on"] = (plan.ends_on - dt.timedelta(days=1)).isoformat()  # would leave the goal outside
    response = client.post(url("edit", plan), data)
    assert response.status_code == 400 and "would fall outside" in response.content.decode()


def test_plan_page_costs_a_fixed_number_of_queries(client, world, office_admin, plan, today, django_assert_num_queries):
    for metric in PlanGoal.Metric.values:
        services.goal_add(plan=plan, metric=metric, target=10, due_on=plan.ends_on, by=office_admin)
    services.milestone_add(plan=plan, title="m0", due_on=today, by=office_admin)
    client.force_login(office_admin)
    client.get(url("detail", plan))

    def measure():
        # 1 session, 2 user, 3 grants, 4 the plan (with area, creator), 5 goals, 6-7 registry figures,
        # 8-10 community figures, 11 needs served, 12 milestones, 13-15 history of plan, goals, milestones
        with django_assert_num_queries(15):
            return client.get(url("detail", plan))

    measure()
    for i in range(4):
        make_organization(world.community_a, members=3, filed=True)
        make_need(world.community_b)
        services.milestone_add(plan=plan, title=f"m{i + 1}", due_on=today - dt.timedelta(days=i), by=office_admin)
    services.goal_add(plan=plan, metric="members", target=99, due_on=today, by=office_admin)
    response = measure()
    assert len(response.context["milestones"]) == 5 and len(response.context["progress"]) == 10
    assert PlanMilestone.objects.count() == 5


def test_plan_list_costs_a_fixed_number_of_queries(client, world, office_admin, plan, django_assert_num_queries):
    client.force_login(office_admin)
    client.get(LIST)

    def measure():
        # 1 session, 2 user, 3 grants, 4 paginator count, 5 the page of plans with area and counts
        with django_assert_num_queries(5):
            return client.get(LIST)

    measure()
    for i in range(3):
        p = services.plan_create(
            area=world.subdistrict,
            title=f"规划{i}",
            starts_on=dt.date(2020 + i, 1, 1),
            ends_on=dt.date(2023 + i, 1, 1),
            by=system_actor(),
        )
        services.milestone_add(plan=p, title="m", due_on=dt.date(2021 + i, 1, 1), by=system_actor())
    page = measure().context["page"]
    assert len(page.object_list) == 4
    assert [p.milestones_overdue for p in page.object_list][1:] == [1, 1, 1]


def test_edit_a_goal_and_a_refused_edit_saves_nothing(client, world, office_admin, plan):
    g = services.goal_add(plan=plan, metric="party_branches", target=8, due_on=plan.ends_on, by=office_admin)
    client.force_login(office_admin)
    due = plan.ends_on.isoformat()
    response = client.post(url("goal-edit", g), {"metric": "party_branches", "target": 12, "due_on": due, "note": "增"})
    assert response.status_code == 302
    g.refresh_from_db()
    assert (g.target, g.note) == (12, "增")
    late = (plan.ends_on + dt.timedelta(days=1)).isoformat()
    response = client.post(url("goal-edit", g), {"metric": "party_branches", "target": 20, "due_on": late})
    assert response.status_code == 400 and "within the plan" in response.content.decode()
    g.refresh_from_db()
    assert (g.target, g.due_on) == (12, plan.ends_on)
