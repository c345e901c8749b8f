"""Leader candidate pages: an organization's candidates with the add form and person search, a
candidate's page (assess, choose, withdraw), the overview with its filters and fixed query count."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.incubation.models import LeaderCandidate
from sifu.incubation.services import candidates as services
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry_services
from sifu.registry.tests.factories import make_organization, make_person

S = LeaderCandidate.Status
OVERVIEW = reverse("incubation:candidate-overview")
HTMX = {"HTTP_HX_REQUEST": "true"}


def org_page(org) -> str:
    return reverse("incubation:candidate-list", args=[org.pk])


def page(c: LeaderCandidate, action: str = "detail") -> str:
    return reverse(f"incubation:candidate-{action}", args=[c.pk])


def strong(c: LeaderCandidate, by) -> LeaderCandidate:
    return services.candidate_assess(
        candidate=c, party_spirit="strong", organizing_ability="strong", public_spirit="strong", by=by
    )


@built_once
def party_member(world):
    person = make_person("王建国", community=world.community_a, party=True, phone="13912345678")
    registry_services.membership_add(
        organization=world.org_a, person=person, joined_on=dt.date(2022, 1, 1), by=system_actor()
    )
    return person


@built_once
def candidate(world, community_staff, party_member):
    return services.candidate_add(organization=world.org_a, person=party_member, note="退休党员", by=community_staff)


# The organization's page --------------------------------------------------------------------


def test_the_organizations_candidates_with_badges_and_masked_phones(client, world, community_staff, candidate):
    strong(candidate, community_staff)
    client.force_login(community_staff)
    response = client.get(org_page(world.org_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王建国" in html and "★ 三强" in html and "CPC member" in html
    assert "139****5678" in html and "13912345678" not in html
    assert 'id="add"' in html  # the add form for staff
    assert (
        f'href="{org_page(world.org_a)}"'
        in client.get(reverse("registry:organization-detail", args=[world.org_a.pk])).content.decode()
    )


def test_read_only_viewers_see_no_add_form_and_other_communities_get_404(
    client, world, candidate, district_leader, other_staff, org_leader
):
    client.force_login(district_leader)
    html = client.get(org_page(world.org_a)).content.decode()
    assert "王建国" in html and 'id="add"' not in html
    assert client.post(org_page(world.org_a), {"person": candidate.person_id}).status_code == 403
    client.force_login(other_staff)
    assert client.get(org_page(world.org_a)).status_code == 404
    assert client.get(page(candidate)).status_code == 404
    client.force_login(org_leader)  # the organization's own admin: its page, not its candidates
    assert client.get(org_page(world.org_a)).status_code == 403
    assert (
        "Leader candidates"
        not in client.get(reverse("registry:organization-detail", args=[world.org_a.pk])).content.decode()
    )


def test_person_search_lists_members_first_and_never_people_out_of_scope(client, world, community_staff, party_member):
    outsider = make_person("王外区", community=world.other_community)
    client.force_login(community_staff)
    response = client.get(org_page(world.org_a), {"q": "王"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="candidate-matches"' in html and "<html" not in html
    assert "王建国" in html and "139****5678" in html and "13912345678" not in html
    assert outsider.name not in html
    # Without a search: the organization's members who are not its leader.
    matches = client.get(org_page(world.org_a)).context["matches"]
    leader = registry_selectors.organization_leader(world.org_a).person
    assert party_member in matches and leader not in matches
    assert matches[0] == party_member  # party members first


def test_add_a_candidate_then_assess_them(client, world, community_staff, party_member):
    client.force_login(community_staff)
    response = client.post(org_page(world.org_a), {"person": party_member.pk, "note": "组织过歇脚点"})
    c = LeaderCandidate.objects.get()
    assert response.status_code == 302 and response["Location"] == page(c)
    assert (c.person, c.note, c.created_by) == (party_member, "组织过歇脚点", community_staff)


def test_adding_twice_or_someone_out_of_scope_shows_why_and_saves_nothing(
    client, world, community_staff, candidate, party_member
):
    client.force_login(community_staff)
    response = client.post(org_page(world.org_a), {"person": party_member.pk})
    assert response.status_code == 400
    assert "王建国 is already recorded as a candidate of this organization" in response.content.decode()
    stranger = make_person("外区居民", community=world.other_community)
    response = client.post(org_page(world.org_a), {"person": stranger.pk})
    assert response.status_code == 400 and "not in your area" in response.content.decode()
    response = client.post(org_page(world.org_a), {})
    assert response.status_code == 400 and "Choose the person" in response.content.decode()
    assert LeaderCandidate.objects.count() == 1


# The candidate's page -----------------------------------------------------------------------


def test_assess_from_the_candidates_page(client, community_staff, candidate):
    client.force_login(community_staff)
    assert client.get(page(candidate)).status_code == 200
    data = {
        "party_spirit": "strong",
        "organizing_ability": "strong",
        "public_spirit": "fair",
        "assessed_on": timezone.localdate().isoformat(),
        "note": "组织能力强",
    }
    response = client.post(page(candidate, "assess"), data)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.public_spirit, candidate.note, candidate.three_strong) == ("fair", "组织能力强", False)
    data["assessed_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(page(candidate, "assess"), data)
    assert response.status_code == 400
    assert "The date of the assessment cannot be in the future." in response.content.decode()


def test_choose_makes_the_leader_and_a_stale_page_is_told(client, world, community_staff, candidate, party_member):
    client.force_login(community_staff)
    on = timezone.localdate().isoformat()
    response = client.post(page(candidate, "choose"), {"on": on, "seen": "candidate"})
    assert response.status_code == 302
    assert registry_selectors.organization_leader(world.org_a).person == party_member
    # A second staff member deciding from the page they loaded before.
    response = client.post(page(candidate, "choose"), {"on": on, "seen": "candidate"})
    assert response.status_code == 400 and "Someone else changed this candidate" in response.content.decode()
    response = client.post(page(candidate, "withdraw"), {"reason": "换人", "seen": "chosen"})
    assert response.status_code == 400 and "members page" in response.content.decode()


def test_withdraw_needs_a_reason_and_a_withdrawn_candidate_cannot_be_chosen(client, community_staff, candidate):
    client.force_login(community_staff)
    response = client.post(page(candidate, "withdraw"), {"reason": "", "seen": "candidate"})
    assert response.status_code == 400 and "Give the reason for withdrawing" in response.content.decode()
    response = client.post(page(candidate, "withdraw"), {"reason": "搬离社区", "seen": "candidate"})
    assert response.status_code == 302
    # posted from the page as it was before the withdrawal
    response = client.post(page(candidate, "choose"), {"on": timezone.localdate().isoformat(), "seen": "candidate"})
    assert response.status_code == 400 and "a withdrawn candidate cannot be chosen" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == S.WITHDRAWN


def test_a_decision_posted_without_the_state_its_page_showed_is_refused(client, community_staff, candidate):
    """Before the workflow primitive a post without ``seen`` was taken as made on the current state."""
    client.force_login(community_staff)
    assert '<input type="hidden" name="seen" value="candidate">' in client.get(page(candidate)).content.decode()
    for action, data in (("choose", {"on": timezone.localdate().isoformat()}), ("withdraw", {"reason": "搬离社区"})):
        response = client.post(page(candidate, action), data)
        assert response.status_code == 400 and "This form is out of date or incomplete" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == S.CANDIDATE


def test_read_only_viewers_cannot_decide(client, district_leader, candidate):
    client.force_login(district_leader)
    html = client.get(page(candidate)).content.decode()
    assert "王建国" in html and 'id="decide"' not in html and 'id="assess"' not in html
    assert client.post(page(candidate, "choose"), {"on": timezone.localdate().isoformat()}).status_code == 403


# The overview -------------------------------------------------------------------------------


def test_overview_filters_by_three_strong_party_and_community(client, world, office_admin, community_staff, candidate):
    strong(candidate, community_staff)
    masses = services.candidate_add(
        organization=world.org_b, person=make_person("刘群众", community=world.community_b), by=office_admin
    )
    client.force_login(office_admin)

    def names(query):
        return [c.person.name for c in client.get(OVERVIEW, query).context["page"].object_list]

    assert sorted(names({})) == ["刘群众", "王建国"]
    assert names({"three_strong": "on"}) == ["王建国"]
    assert names({"party": "on"}) == ["王建国"]
    assert names({"community": world.community_b.pk}) == ["刘群众"]
    assert client.get(OVERVIEW).context["counts"] == {"total": 2, "open": 2, "three_strong": 1, "party": 1, "chosen": 0}
    client.force_login(community_staff)  # community A only
    assert names({}) == ["王建国"]
    assert masses.pk


def test_overview_costs_a_fixed_number_of_queries(client, world, office_admin, candidate, django_assert_num_queries):
    client.force_login(office_admin)
    client.get(OVERVIEW)  # warm the session

    def measure():
        # 1 session, 2 user, 3 grants, 4 communities of the filter, 5 candidate counts, 6 paginator count,
        # 7 the page of candidates with organization, community and person
        with django_assert_num_queries(7):
            response = client.get(OVERVIEW)
        return len(response.context["page"].object_list)

    assert measure() == 1
    for i in range(4):
        org = make_organization(world.community_b, members=3, filed=True)
        for j in range(2):
            person = make_person(f"候选人{i}{j}", community=world.community_b, party=j == 0)
            services.candidate_add(organization=org, person=person, by=office_admin)
    assert measure() == 9
