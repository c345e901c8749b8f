"""Needs pages: the community's queue, screening from the detail page, the public submission."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from sifu.incubation.models import Need
from sifu.incubation.tests.factories import make_need

LIST = reverse("incubation:need-list")
SUBMIT = reverse("incubation:need-submit")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the submission rate limit counts in the cache
    yield
    cache.clear()


def detail(need: Need) -> str:
    return reverse("incubation:need-detail", args=[need.pk])


def listed(response) -> list[str]:
    return [n.title for n in response.context["page"].object_list]


def submission(world, **overrides):
    data = {
        "community": world.community_a.pk,
        "title": "独居老人吃饭难",
        "description": "楼里好几位老人每天只吃一顿热饭。",
        "affected_group": "独居老人",
        "category": "life",
        "place": "荔芳村3栋",
        "submitter_name": "陈阿姨",
        "submitter_phone": "13800138000",
        "website": "",
    }
    data.update(overrides)
    return data


# Public submission --------------------------------------------------------------------------


def test_public_submission_lands_in_the_communitys_queue_only(client, world, community_staff, other_staff):
    response = client.post(SUBMIT, submission(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("incubation:need-submitted")
    need = Need.objects.get()
    assert (need.status, need.source, need.created_by) == (Need.Status.SUBMITTED, Need.Source.RESIDENT, None)

    client.force_login(community_staff)
    response = client.get(LIST)
    assert listed(response) == ["独居老人吃饭难"]
    assert b'data-queue="submitted"' in response.content
    page = client.get(detail(need)).content.decode()
    assert "13800138000" not in page and "138****8000" in page  # masked in the office

    client.force_login(other_staff)
    assert listed(client.get(LIST)) == []
    assert client.get(detail(need)).status_code == 404


def test_public_pages_never_show_submissions(client, world):
    client.post(SUBMIT, submission(world))
    for url in (SUBMIT, reverse("incubation:need-submitted"), reverse("registry:public-directory")):
        content = client.get(url).content.decode()
        assert "独居老人吃饭难" not in content and "陈阿姨" not in content
        assert f'href="{SUBMIT}"' in content  # every public page links to the submission form


def test_public_submission_with_an_invalid_phone_writes_nothing(client, world):
    response = client.post(SUBMIT, submission(world, submitter_phone="12345"))
    assert response.status_code == 400
    assert "mainland mobile number" in response.content.decode()
    assert not Need.objects.exists()


def test_public_submission_honeypot_writes_nothing(client, world):
    response = client.post(SUBMIT, submission(world, website="http://spam.example"))
    assert response.status_code == 302  # the bot is thanked, nothing is kept
    assert not Need.objects.exists()


def test_public_submission_is_rate_limited_per_ip(client, world):
    for i in range(5):
        assert client.post(SUBMIT, submission(world, title=f"需求{i}"), REMOTE_ADDR="10.0.0.7").status_code == 302
    response = client.post(SUBMIT, submission(world, title="第六条"), REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "Too many needs" in response.content.decode()
    assert Need.objects.count() == 5
    assert not Need.objects.filter(title="第六条").exists()
    # another connection is not affected
    assert client.post(SUBMIT, submission(world, title="第六条"), REMOTE_ADDR="10.0.0.8").status_code == 302


def test_public_submission_requires_csrf(world):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(SUBMIT, submission(world))
    assert response.status_code == 403
    assert not Need.objects.exists()


# Office -------------------------------------------------------------------------------------


def test_submitted_needs_come_first_and_filters_apply(client, world, office_admin):
    make_need(world.community_a, "旧需求", category="culture")
    make_need(world.community_b, "南园需求")
    make_need(world.community_a, "居民提交的", submitted=True)
    client.force_login(office_admin)
    assert listed(client.get(LIST))[0] == "居民提交的"
    assert listed(client.get(LIST, {"status": "submitted"})) == ["居民提交的"]
    assert listed(client.get(LIST, {"category": "culture"})) == ["旧需求"]
    assert listed(client.get(LIST, {"community": world.community_b.pk})) == ["南园需求"]
    assert listed(client.get(LIST, {"q": "南园"})) == ["南园需求"]


def test_list_query_count_is_pinned_and_does_not_grow(client, world, community_staff, django_assert_num_queries):
    client.force_login(community_staff)

    def check():
        # 1 session, 2 user, 3 the user's role grants (scope), 4 community choices of the filter,
        # 5 COUNT for the paginator, 6 one page of needs with their community and organization counts.
        with django_assert_num_queries(6):
            response = client.get(LIST)
        assert response.status_code == 200
        return response

    make_need(world.community_a)
    assert len(listed(check())) == 1
    for i in range(30):
        need = make_need(world.community_a, submitted=bool(i % 2))
        if not i % 2:
            need.organizations.add(world.org_a)
    assert len(listed(check())) == 25


def test_record_a_need(client, world, community_staff):
    client.force_login(community_staff)
    assert client.get(reverse("incubation:need-create")).status_code == 200
    response = client.post(
        reverse("incubation:need-create"),
        {
            "community": world.community_a.pk,
            "title": "货车司机夜间停车难",
            "affected_group": "货车司机",
            "category": "affairs",
            "source": "forum",
            "reported_on": "2024-05-01",
            "place": "月亮湾",
            "description": "",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(need)
    assert need.status == Need.Status.OPEN and need.created_by == community_staff


def test_screening_from_the_detail_page(client, world, community_staff, office_admin):
    need = make_need(world.community_a, submitted=True)
    client.force_login(community_staff)
    page = client.get(detail(need)).content.decode()
    assert reverse("incubation:need-accept", args=[need.pk]) in page
    response = client.post(reverse("incubation:need-accept", args=[need.pk]), {"seen": "submitted"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN

    # a second staff member, on a page drawn before the acceptance, declines: told, nothing saved
    client.force_login(office_admin)
    response = client.post(reverse("incubation:need-decline", args=[need.pk]), {"seen": "submitted", "reason": "重复"})
    assert response.status_code == 400
    assert "Someone else changed this need" in response.content.decode()
    need.refresh_from_db()
    assert (need.status, need.decline_reason) == (Need.Status.OPEN, "")


def test_a_screening_posted_without_the_state_its_page_showed_is_refused(client, world, community_staff):
    """Before the workflow primitive a post without ``seen`` was taken as made on the current state."""
    need = make_need(world.community_a, submitted=True)
    client.force_login(community_staff)
    page = client.get(detail(need)).content.decode()
    assert '<input type="hidden" name="seen" value="submitted">' in page
    for step, data in (("accept", {}), ("decline", {"reason": "重复"}), ("merge", {"into": need.pk})):
        response = client.post(reverse(f"incubation:need-{step}", args=[need.pk]), data)
        assert response.status_code == 400
        assert "This form is out of date or incomplete" in response.content.decode()
    need.refresh_from_db()
    assert need.status == Need.Status.SUBMITTED


def test_decline_without_reason_and_merge(client, world, community_staff):
    target = make_need(world.community_a, "骑手歇脚点")
    need = make_need(world.community_a, "骑手没地方休息", submitted=True)
    client.force_login(community_staff)
    response = client.post(reverse("incubation:need-decline", args=[need.pk]), {"seen": "submitted", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    page = client.get(detail(need), {"merge_q": "歇脚"}).content.decode()
    assert "骑手歇脚点" in page
    response = client.post(reverse("incubation:need-merge", args=[need.pk]), {"seen": "submitted", "into": target.pk})
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.merged_into) == (Need.Status.MERGED, target)


def test_link_and_unlink_an_organization(client, world, community_staff):
    need = make_need(world.community_a)
    client.force_login(community_staff)
    page = client.get(detail(need), {"org_q": "荔芳"}).content.decode()
    assert world.org_a.name in page
    assert world.org_b.name not in page  # outside community staff A's scope
    client.post(reverse("incubation:need-link", args=[need.pk]), {"organization": world.org_a.pk})
    need.refresh_from_db()
    assert need.status == Need.Status.SERVED
    response = client.post(reverse("incubation:need-link", args=[need.pk]), {"organization": world.org_b.pk})
    assert response.status_code == 400  # not visible to this user: refused, nothing linked
    assert list(need.organizations.all()) == [world.org_a]
    client.post(reverse("incubation:need-unlink", args=[need.pk]), {"organization": world.org_a.pk})
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_read_only_leader_sees_no_actions(client, world, district_leader):
    need = make_need(world.community_a, submitted=True)
    client.force_login(district_leader)
    page = client.get(detail(need)).content.decode()
    assert reverse("incubation:need-accept", args=[need.pk]) not in page
    assert "138" not in page
    assert client.post(reverse("incubation:need-accept", args=[need.pk])).status_code == 403


def test_nav_shows_needs_to_staff_only(client, world, community_staff, org_leader):
    client.force_login(community_staff)
    assert LIST in client.get(reverse("web:office-home")).content.decode()
    client.force_login(org_leader)
    assert LIST not in client.get(reverse("web:office-home")).content.decode()
