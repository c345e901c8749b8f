import datetime as dt

from django.urls import reverse

from sifu.accounts.services import system_actor
from sifu.registry import services
from sifu.registry.tests.factories import make_organization

HOME = reverse("web:office-home")


def test_staff_see_figures_and_recent_changes_of_their_community_only(client, world, community_staff):
    services.organization_make_dormant(
        organization=world.org_b, reason="南园：负责人搬离", on=dt.date(2024, 1, 1), by=system_actor()
    )
    client.force_login(community_staff)
    response = client.get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.org_a.name in page
    assert world.org_b.name not in page and "南园：负责人搬离" not in page
    assert response.context["summary"]["active"] == 1


def test_recent_changes_are_newest_first_and_limited(client, world, office_admin):
    for _ in range(12):
        make_organization(world.community_a)
    client.force_login(office_admin)
    recent = client.get(HOME).context["recent"]
    assert len(recent) == 10
    keys = [(c.effective_on, c.created_at) for c in recent]
    assert keys == sorted(keys, reverse=True)


def test_recent_changes_follow_the_day_they_took_effect(client, world, office_admin):
    """A change entered today for an earlier day does not jump ahead of later ones."""
    early = make_organization(world.community_a, on=dt.date(2024, 1, 1))
    late = make_organization(world.community_a, on=dt.date(2021, 1, 1))  # recorded last, effective earlier
    client.force_login(office_admin)
    orgs = [c.organization_id for c in client.get(HOME).context["recent"]]
    assert orgs.index(early.pk) < orgs.index(late.pk)


def test_home_query_count_does_not_grow(client, world, office_admin, django_assert_num_queries):
    client.force_login(office_admin)

    def check():
        # 1 session, 2 user, 3 role grants, 4 the summary (one aggregate), 5 recent changes,
        # 6 filing requests waiting for the user (one aggregate), 7 overdue plan milestones (one count),
        # 8 the user's recent background jobs
        with django_assert_num_queries(8):
            assert client.get(HOME).status_code == 200

    check()
    for _ in range(15):
        make_organization(world.community_b, members=2, filed=True)
    check()


def test_an_account_without_roles_sees_the_no_role_notice(client, world, outsider):
    client.force_login(outsider)
    response = client.get(HOME)
    assert response.context["summary"] is None and response.context["recent"] == []
    assert "has no role yet" in response.content.decode()


def test_overdue_plan_milestones_are_flagged_for_those_who_see_the_plan(client, world, office_admin, org_leader):
    from sifu.incubation.services.plans import milestone_add, plan_create

    plan = plan_create(
        area=world.subdistrict,
        title="三年服务规划",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        by=system_actor(),
    )
    milestone_add(plan=plan, title="13个社区能量站全覆盖", due_on=dt.date(2024, 6, 30), by=system_actor())
    client.force_login(office_admin)
    response = client.get(HOME)
    assert response.context["milestones_overdue"] == 1
    assert 'id="milestones-overdue"' in response.content.decode()
    client.force_login(org_leader)
    response = client.get(HOME)
    assert response.context["milestones_overdue"] is None
    assert 'id="milestones-overdue"' not in response.content.decode()
