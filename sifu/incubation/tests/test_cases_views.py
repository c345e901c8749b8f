"""Incubation case pages: list, open, the case page and its actions; refusals show the reason and save nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.incubation.models import CoachingNote, Filing, IncubationCase, LeaderCandidate
from sifu.incubation.services import cases
from sifu.incubation.tests.factories import make_need
from sifu.incubation.tests.test_cases_services import OPENED, complete_checklist, open_case
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_person

LIST = reverse("incubation:case-list")
CREATE = reverse("incubation:case-create")
Stage = IncubationCase.Stage


def detail(case) -> str:
    return reverse("incubation:case-detail", args=[case.pk])


def listed(response) -> list[str]:
    return [case.organization.name for case in response.context["page"].object_list]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def route_exists(name: str, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


# List --------------------------------------------------------------------------------------------


def test_list_shows_cases_in_scope_with_counts_by_stage(client, world, community_staff):
    a = open_case(world, name="荔芳骑手互助会")
    started = open_case(world, name="荔芳餐饮自治会")
    cases.case_start(case=started, on=OPENED, by=system_actor())
    open_case(world, name="南园货车司机之家", community=world.community_b)
    client.force_login(community_staff)
    response = client.get(LIST)
    assert response.status_code == 200
    assert sorted(listed(response)) == ["荔芳餐饮自治会", "荔芳骑手互助会"]
    tabs = {tab["stage"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"": 2, "preparing": 1, "incubating": 1, "filing": 0, "filed": 0, "closed": 0}
    assert listed(client.get(LIST, {"stage": "incubating"})) == ["荔芳餐饮自治会"]
    assert listed(client.get(LIST, {"q": "骑手"})) == [a.organization.name]
    assert listed(client.get(LIST, {"incubator": "agency"})) == []
    # The stage tabs keep the other filters.
    tab_urls = {tab["stage"]: tab["url"] for tab in client.get(LIST, {"q": "骑手"}).context["tabs"]}
    assert tab_urls["incubating"] == "?q=%E9%AA%91%E6%89%8B&stage=incubating"


def test_list_filters_by_community_in_scope_only(client, world, office_admin, community_staff):
    open_case(world, name="荔芳骑手互助会")
    open_case(world, name="南园货车司机之家", community=world.community_b)
    client.force_login(office_admin)
    assert listed(client.get(LIST, {"community": world.community_b.pk})) == ["南园货车司机之家"]
    client.force_login(community_staff)
    response = client.get(LIST, {"community": world.community_b.pk})
    # Community B is not a choice for A's staff: the filter is dropped, never widening the scope.
    assert listed(response) == ["荔芳骑手互助会"]
    assert [c[0] for c in response.context["form"].fields["community"].choices] == ["", world.community_a.pk]


def test_list_query_count_is_pinned_and_does_not_grow(client, world, community_staff, django_assert_num_queries):
    client.force_login(community_staff)

    def check():
        # 1 session, 2 user, 3 the user's role grants (scope), 4 community choices of the filter,
        # 5 the counts by stage (one aggregate), 6 COUNT for the paginator, 7 one page of cases with
        # organization, community, need count and latest coaching date.
        with django_assert_num_queries(7):
            response = client.get(LIST)
        assert response.status_code == 200
        return response

    open_case(world, name="荔芳骑手互助会")
    assert len(listed(check())) == 1
    for i in range(30):
        case = open_case(world, name=f"荔芳互助会{i}")
        cases.coaching_note_add(case=case, on=OPENED, kind="visit", text="走访", by=system_actor())
        case.needs.add(make_need(world.community_a))
    assert len(listed(check())) == 25


def test_list_and_create_refused_without_the_permission(client, world, org_leader, district_leader):
    client.force_login(org_leader)
    assert client.get(LIST).status_code == 403
    client.force_login(district_leader)
    assert client.get(LIST).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert "Open a case" not in text(client.get(LIST))


# Opening -----------------------------------------------------------------------------------------


def create_data(world, need, **overrides):
    data = {
        "community": world.community_a.pk,
        "needs": [need.pk],
        "name": "荔芳外卖骑手互助会",
        "form": "society",
        "nature": "association",
        "category": "life",
        "incubator_kind": "energy_station",
        "incubator_name": "荔芳社区能量站",
        "mentor": "李老师",
        "opened_on": "2024-03-01",
    }
    return {**data, **overrides}


def test_open_a_case_from_a_need(client, world, community_staff):
    need = make_need(world.community_a, "外卖骑手没有歇脚的地方", affected_group="外卖骑手", category="affairs")
    client.force_login(community_staff)
    page = client.get(CREATE, {"need": need.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["community"] == world.community_a.pk and form.initial["category"] == "affairs"
    assert form.initial["needs"] == [need.pk] and form.initial["name"] == "荔芳外卖骑手互助会"
    response = client.post(CREATE, create_data(world, need))
    case = IncubationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert case.organization.status == Organization.Status.PROPOSED
    assert list(case.needs.all()) == [need] and case.created_by == community_staff


def test_open_refused_for_a_need_of_another_community_shows_why(client, world, office_admin):
    other = make_need(world.community_b, "南园骑手充电难")
    client.force_login(office_admin)
    response = client.post(CREATE, create_data(world, other))
    assert response.status_code == 400
    assert "南园骑手充电难" in text(response) and "Nothing was saved" in text(response)
    assert not IncubationCase.objects.exists()
    assert not Organization.objects.filter(name="荔芳外卖骑手互助会").exists()


def test_open_refuses_a_future_date_and_a_taken_name(client, world, community_staff):
    need = make_need(world.community_a)
    client.force_login(community_staff)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(CREATE, create_data(world, need, opened_on=tomorrow))
    assert response.status_code == 400 and "cannot be in the future" in text(response)
    response = client.post(CREATE, create_data(world, need, name=world.org_a.name))
    assert response.status_code == 400 and "already has an organization" in text(response)
    assert not IncubationCase.objects.exists()


def test_create_offers_the_chosen_communitys_open_needs(client, world, office_admin):
    a = make_need(world.community_a, "荔芳需求")
    b = make_need(world.community_b, "南园需求")
    declined = make_need(world.community_a, "不收的需求")
    from sifu.incubation.services import need_decline

    need_decline(need=declined, reason="重复", by=system_actor())
    client.force_login(office_admin)
    offered = lambda r: {n.pk for n in r.context["form"].fields["needs"].queryset}  # noqa: E731
    assert offered(client.get(CREATE)) == {a.pk, b.pk}
    assert offered(client.get(CREATE, {"community": world.community_b.pk})) == {b.pk}


def test_need_page_offers_to_open_a_case_for_open_needs_only(client, world, community_staff, district_leader):
    need = make_need(world.community_a)
    client.force_login(community_staff)
    page = text(client.get(reverse("incubation:need-detail", args=[need.pk])))
    assert f'href="{CREATE}?need={need.pk}"' in page
    client.force_login(district_leader)
    assert f"{CREATE}?need=" not in text(client.get(reverse("incubation:need-detail", args=[need.pk])))


# The case page -----------------------------------------------------------------------------------


def test_detail_lists_what_is_missing_with_links_to_fix_it(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    response = client.get(detail(case))
    assert response.status_code == 200
    page = text(response)
    org = case.organization
    missing = {row["item"].code for row in response.context["missing"]}
    assert missing == {
        "venue",
        "initiators",
        "members",
        "leader",
        "charter",
        "party_clause",
        "election_rules",
        "deliberation_rules",
        "party_members",
    }
    assert reverse("registry:organization-edit", args=[org.pk]) + "#id_venue" in page
    assert reverse("registry:membership-add", args=[org.pk]) in page
    assert reverse("registry:organization-leader", args=[org.pk]) in page
    assert "Ready to file" not in page
    assert 'aria-current="step"' in page and "外卖骑手没有歇脚的地方" in page


def test_detail_read_only_for_the_district_leader(client, world, district_leader):
    case = open_case(world)
    client.force_login(district_leader)
    page = text(client.get(detail(case)))
    assert "Start incubation" not in page and "Close the case" not in page and "Add the note" not in page
    assert reverse("registry:organization-edit", args=[case.organization.pk]) not in page


def test_detail_ready_to_file_when_the_checklist_is_complete(client, world, community_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world, by=community_staff)
    cases.case_start(case=case, on=OPENED, by=community_staff)
    complete_checklist(case.organization)
    client.force_login(community_staff)
    response = client.get(detail(case))
    page = text(response)
    assert response.context["missing"] == [] and response.context["ready"]
    assert "Ready to file" in page
    if route_exists("incubation:filing-create", case.organization.pk):
        url = reverse("incubation:filing-create", args=[case.organization.pk]) + "?kind=initial"
        assert f'href="{url}"' in page


def test_detail_shows_candidates_and_filings(client, world, community_staff):
    case = open_case(world, by=community_staff)
    person = make_person("王骑手", community=world.community_a, party=True)
    LeaderCandidate.objects.create(
        organization=case.organization,
        person=person,
        party_spirit="strong",
        organizing_ability="strong",
        public_spirit="strong",
    )
    filing = Filing.objects.create(organization=case.organization, status=Filing.Status.RETURNED, due_on=OPENED)
    client.force_login(community_staff)
    response = client.get(detail(case))
    page = text(response)
    assert "王骑手" in page and "三强" in page
    assert "Returned for changes" in page and "A filing request is in progress" in page
    if route_exists("incubation:filing-detail", filing.pk):
        assert reverse("incubation:filing-detail", args=[filing.pk]) in page
    if route_exists("incubation:candidate-list", case.organization.pk):
        assert reverse("incubation:candidate-list", args=[case.organization.pk]) in page


def test_detail_query_count_is_pinned_and_does_not_grow(client, world, community_staff, django_assert_num_queries):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)

    def check():
        # 1 session, 2 user, 3 role grants, 4 the case with organization and community, 5-8 the checklist
        # (members, initiators, leader, party members), 9 the filings, 10 the stepper (registry's incubation start),
        # 11 needs, 12 coaching notes, 13 candidate leaders with their person.
        with django_assert_num_queries(13):
            assert client.get(detail(case)).status_code == 200

    check()
    for i in range(5):
        cases.coaching_note_add(case=case, on=OPENED, kind="visit", text=f"走访{i}", by=system_actor())
        cases.case_link_need(case=case, need=make_need(world.community_a), by=system_actor())
        LeaderCandidate.objects.create(organization=case.organization, person=make_person(), party_spirit="strong")
    cases.case_start(case=case, on=OPENED, by=system_actor())
    check()


# Actions -----------------------------------------------------------------------------------------


def seen(case: IncubationCase, **data) -> dict:
    """A case action's form data with the stage its page showed, as the page posts it."""
    return {"seen": case.stage, **data}


def test_start_and_close_posted_without_the_stage_their_page_showed_are_refused(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    assert '<input type="hidden" name="seen" value="preparing">' in text(client.get(detail(case)))
    for action, data in (("case-start", {"on": "2024-03-10"}), ("case-close", {"reason": "放弃", "on": "2024-04-01"})):
        response = client.post(reverse(f"incubation:{action}", args=[case.pk]), data)
        assert response.status_code == 400 and "This form is out of date or incomplete" in text(response)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING and case.organization.status == Organization.Status.PROPOSED


def test_start_incubation(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    response = client.post(reverse("incubation:case-start", args=[case.pk]), seen(case, on="2024-03-10"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.INCUBATING and case.organization.status == Organization.Status.INCUBATING
    assert case.organization.status_since == dt.date(2024, 3, 10)


def test_start_refused_shows_the_reason_and_saves_nothing(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    response = client.post(reverse("incubation:case-start", args=[case.pk]), seen(case, on="2024-02-01"))
    assert response.status_code == 400
    assert "before the case was opened (2024-03-01)" in text(response) and "Nothing was saved" in text(response)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING and case.organization.status == Organization.Status.PROPOSED
    page = seen(case)  # a page drawn before the case was started elsewhere
    cases.case_start(case=case, on=OPENED, by=system_actor())
    response = client.post(reverse("incubation:case-start", args=[case.pk]), page)
    assert response.status_code == 400 and "cannot move this way" in text(response)


def test_add_a_coaching_note_plain_post_and_htmx(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    url = reverse("incubation:case-note-add", args=[case.pk])
    data = {"on": "2024-03-05", "kind": "meeting", "text": "与骑手代表座谈", "next_step": "起草章程"}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    response = client.post(url, {**data, "text": "培训"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = text(response).strip()
    assert page.startswith('<section class="card" id="notes">') and "培训" in page and "与骑手代表座谈" in page
    assert "<html" not in page
    assert CoachingNote.objects.filter(case=case).count() == 2
    assert CoachingNote.objects.filter(text="培训").get().created_by == community_staff


def test_coaching_note_refusals_show_the_reason(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    url = reverse("incubation:case-note-add", args=[case.pk])
    response = client.post(url, {"on": "2024-01-01", "kind": "visit", "text": "走访"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "before the case was opened" in text(response)
    response = client.post(url, {"on": "2024-03-05", "kind": "visit", "text": ""})
    assert response.status_code == 400 and "Nothing was saved" in text(response)
    assert not CoachingNote.objects.exists()


def test_close_the_case(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    url = reverse("incubation:case-close", args=[case.pk])
    response = client.post(url, seen(case, reason=""))
    assert response.status_code == 400 and response.context["open_panel"] == "close"
    response = client.post(url, seen(case, reason="发起人迁出社区", on="2024-04-01"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.close_reason == "发起人迁出社区"
    assert case.organization.status == Organization.Status.DISSOLVED
    page = text(client.get(detail(case)))
    assert "Closed on 2024-04-01" in page and "Start incubation" not in page and "Add the note" not in page


def test_close_refused_while_a_filing_is_open(client, world, community_staff):
    case = open_case(world, by=community_staff)
    case = cases.case_start(case=case, on=OPENED, by=system_actor())
    Filing.objects.create(organization=case.organization, status=Filing.Status.SUBMITTED, due_on=OPENED)
    client.force_login(community_staff)
    response = client.post(reverse("incubation:case-close", args=[case.pk]), seen(case, reason="放弃"))
    assert response.status_code == 400 and "decided or withdrawn" in text(response)
    case.refresh_from_db()
    assert case.stage == Stage.INCUBATING and case.organization.status == Organization.Status.INCUBATING


def test_edit_the_case(client, world, community_staff):
    case = open_case(world, by=community_staff)
    client.force_login(community_staff)
    url = reverse("incubation:case-edit", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"incubator_kind": "agency", "incubator_name": "南山社工机构", "mentor": "王督导"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.incubator_kind, case.mentor) == ("agency", "王督导")
    assert case.history.first().history_change_reason == "incubation.case.updated"
    cases.case_close(case=case, reason="放弃", on=OPENED, by=system_actor())
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == detail(case)


def test_link_and_unlink_needs_from_the_case_page(client, world, community_staff, other_staff):
    case = open_case(world, by=community_staff)
    first = case.needs.get()
    second = make_need(world.community_a, "骑手子女暑期托管")
    client.force_login(community_staff)
    page = client.get(detail(case), {"need_q": "托管"})
    assert [n.pk for n in page.context["link_candidates"]] == [second.pk]
    assert client.post(reverse("incubation:case-link-need", args=[case.pk]), {"need": second.pk}).status_code == 302
    assert set(case.needs.all()) == {first, second}
    response = client.post(reverse("incubation:case-unlink-need", args=[case.pk]), {"need": first.pk})
    assert response.status_code == 302 and list(case.needs.all()) == [second]
    response = client.post(reverse("incubation:case-unlink-need", args=[case.pk]), {"need": second.pk})
    assert response.status_code == 400 and "at least one need" in text(response)
    # A need of community B is not in A's staff's area at all.
    other = make_need(world.community_b)
    response = client.post(reverse("incubation:case-link-need", args=[case.pk]), {"need": other.pk})
    assert response.status_code == 400 and "Choose a need of your area" in text(response)
    assert list(case.needs.all()) == [second]


@pytest.mark.parametrize("action", ["case-start", "case-close", "case-note-add", "case-link-need"])
def test_actions_outside_scope_are_404_and_read_only_is_403(client, world, other_staff, district_leader, action):
    case = open_case(world)
    url = reverse(f"incubation:{action}", args=[case.pk])
    client.force_login(other_staff)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(district_leader)
    assert client.post(url, {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING
