"""Office pages for people and memberships: access per persona, masking and logged unmasking,
search and filters, forms with service errors, members page actions (plain POST and htmx), and
pinned query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.privacy.models import SensitiveView
from sifu.registry import services
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.tests.factories import make_organization, make_person, valid_id_number, valid_phone

LIST = reverse("registry:person-list")
CREATE = reverse("registry:person-create")
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(person: Person) -> str:
    return reverse("registry:person-detail", args=[person.pk])


def edit(person: Person) -> str:
    return reverse("registry:person-edit", args=[person.pk])


def reveal(person: Person, field: str) -> str:
    return reverse("registry:person-reveal", args=[person.pk, field])


def members(org: Organization) -> str:
    return reverse("registry:organization-members", args=[org.pk])


def add(org: Organization) -> str:
    return reverse("registry:membership-add", args=[org.pk])


def leader_url(org: Organization) -> str:
    return reverse("registry:organization-leader", args=[org.pk])


def end(m: Membership) -> str:
    return reverse("registry:membership-end", args=[m.pk])


def role(m: Membership) -> str:
    return reverse("registry:membership-role", args=[m.pk])


@pytest.fixture
def client(client):
    """Pages in the source language, whatever catalogue is installed."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def listed(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def _member(org: Organization) -> Membership:
    member = Membership.objects.filter(organization=org, role=Membership.Role.MEMBER, left_on__isnull=True).first()
    assert member is not None
    return member


def _leader(org: Organization) -> Membership:
    return Membership.objects.get(organization=org, role=Membership.Role.LEADER, left_on__isnull=True)


@built_once
def resident_a(world) -> Person:
    """Lives in 荔芳 (community A), member of no organization."""
    return make_person("荔芳居民", community=world.community_a, id_number=valid_id_number(501))


# Access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world, resident_a):
    m = _member(world.org_a)
    for url in (LIST, CREATE, detail(resident_a), edit(resident_a), members(world.org_a), add(world.org_a), end(m)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(reveal(resident_a, "phone")).status_code == 302
    assert not SensitiveView.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "org_member", "reviewer"], indirect=True)
def test_users_without_people_permission_get_403_on_list_and_404_on_people(client, persona, world, resident_a):
    login(client, persona)
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(detail(resident_a)).status_code == 404
    assert client.get(detail(_member(world.org_a).person)).status_code == 404
    assert client.post(reveal(resident_a, "phone")).status_code == 404
    assert client.get(members(world.org_a)).status_code == 404
    assert not SensitiveView.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("office_admin", {"org_a", "org_b", "resident"}),
        ("community_staff", {"org_a", "resident"}),
        ("other_staff", {"org_b"}),
        ("org_leader", {"org_a"}),
        ("district_leader", {"org_a", "org_b", "org_other", "resident"}),
    ],
    indirect=["persona"],
)
def test_list_is_scoped_per_persona(client, world, persona, expected, resident_a):
    response = login(client, persona).get(LIST)
    assert response.status_code == 200
    names = set(listed(response))
    groups = {
        "org_a": {m.person.name for m in Membership.objects.filter(organization=world.org_a)},
        "org_b": {m.person.name for m in Membership.objects.filter(organization=world.org_b)},
        "org_other": {m.person.name for m in Membership.objects.filter(organization=world.org_other)},
        "resident": {resident_a.name},
    }
    for key, people in groups.items():
        assert (people <= names) == (key in expected), key
    html = response.content.decode()
    assert not [p.phone for p in response.context["page"].object_list if p.phone in html]  # masked only


def test_other_staff_gets_404_for_a_lifang_resident_without_nanyuan_membership(client, world, other_staff, resident_a):
    login(client, other_staff)
    assert client.get(detail(resident_a)).status_code == 404
    assert client.get(edit(resident_a)).status_code == 404
    assert client.post(reveal(resident_a, "phone")).status_code == 404
    # once they join an organization in 南园 they come into view
    services.membership_add(
        organization=world.org_b, person=resident_a, joined_on=dt.date(2023, 1, 1), by=system_actor()
    )
    assert client.get(detail(resident_a)).status_code == 200


def test_district_leader_sees_masked_numbers_and_no_show_button(client, world, district_leader):
    person = _member(world.org_a).person
    response = login(client, district_leader).get(detail(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert person.phone not in html
    assert f"{person.phone[:3]}****{person.phone[-4:]}" in html
    assert reveal(person, "phone") not in html
    assert not response.context["can_reveal"]
    assert not response.context["can_edit"]
    assert client.post(reveal(person, "phone")).status_code == 403
    assert client.get(edit(person)).status_code == 403
    assert not SensitiveView.objects.exists()


# Person page and unmasking -------------------------------------------------------------------


def test_detail_lists_memberships_in_scope_and_counts_the_others(client, world, community_staff, office_admin):
    person = _member(world.org_a).person
    services.membership_add(organization=world.org_b, person=person, joined_on=dt.date(2021, 5, 1), by=system_actor())
    ended = services.membership_add(
        organization=world.org_other, person=person, joined_on=dt.date(2020, 5, 1), by=system_actor()
    )
    services.membership_end(membership=ended, left_on=dt.date(2022, 5, 1), by=system_actor())
    response = login(client, community_staff).get(detail(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.org_a.name in html
    assert world.org_b.name not in html and world.org_other.name not in html
    assert response.context["hidden_memberships"] == 2
    assert "2 memberships in organizations outside your area" in html
    # the subdistrict admin sees both 南山街道 organizations; 粤海街道's stays hidden
    response = login(client, office_admin).get(detail(person))
    assert {m.organization.name for m in response.context["current_memberships"]} == {
        world.org_a.name,
        world.org_b.name,
    }
    assert response.context["past_memberships"] == []
    assert response.context["hidden_memberships"] == 1


def test_detail_timeline_masks_identifiers(client, world, community_staff, resident_a):
    services.person_update(person=resident_a, data={"phone": valid_phone(77_700_001)}, by=community_staff)
    services.membership_add(
        organization=world.org_a, person=resident_a, joined_on=dt.date(2023, 3, 1), by=system_actor()
    )
    response = login(client, community_staff).get(detail(resident_a))
    html = response.content.decode()
    titles = [e["title"] for e in response.context["timeline"]]
    assert titles[:3] == [f"Joined {world.org_a.name}", "Details changed", "Recorded"]
    assert valid_phone(77_700_001) not in html
    assert "139****0001" in html  # 13977700001 masked, in the field and in the timeline's change
    assert resident_a.id_number not in html


def test_reveal_with_htmx_returns_the_value_and_logs_it(client, world, community_staff, resident_a):
    response = login(client, community_staff).post(reveal(resident_a, "id_number"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert resident_a.id_number in html
    assert "<html" not in html
    log = SensitiveView.objects.get()
    assert (log.user, log.person, log.field) == (community_staff, resident_a, "id_number")
    assert log.context == reveal(resident_a, "id_number")


def test_reveal_as_plain_post_renders_the_page_with_the_value(client, world, org_leader):
    person = _member(world.org_a).person  # visible to the org admin through the membership
    response = login(client, org_leader).post(reveal(person, "phone"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and person.phone in html
    assert SensitiveView.objects.filter(user=org_leader, person=person, field="phone").count() == 1


def test_reveal_refuses_get_and_unknown_fields(client, world, community_staff, resident_a):
    login(client, community_staff)
    assert client.get(reveal(resident_a, "phone")).status_code == 405
    assert client.post(reveal(resident_a, "name")).status_code == 404
    assert not SensitiveView.objects.exists()


def test_show_button_offered_to_sensitive_users(client, world, community_staff, resident_a):
    response = login(client, community_staff).get(detail(resident_a))
    html = response.content.decode()
    assert reveal(resident_a, "phone") in html
    assert reveal(resident_a, "id_number") in html
    assert resident_a.phone not in html
    assert not SensitiveView.objects.exists()  # showing the page logs nothing


# Search and filters -------------------------------------------------------------------------


def test_search_by_name_phone_last_four_and_id_number(client, world, office_admin, resident_a):
    login(client, office_admin)
    phone = resident_a.phone
    assert listed(client.get(LIST, {"q": "荔芳居"})) == ["荔芳居民"]
    assert listed(client.get(LIST, {"q": phone})) == ["荔芳居民"]
    assert listed(client.get(LIST, {"q": f"{phone[:3]} {phone[3:7]} {phone[7:]}"})) == ["荔芳居民"]
    assert "荔芳居民" in listed(client.get(LIST, {"q": phone[-4:]}))
    assert listed(client.get(LIST, {"q": "１" + phone[1:]})) == ["荔芳居民"]  # full-width digit
    assert listed(client.get(LIST, {"q": resident_a.id_number})) == ["荔芳居民"]
    assert listed(client.get(LIST, {"q": "13800000000"})) == []


def test_filter_by_political_status_and_community(client, world, office_admin):
    party = make_person("党员甲", community=world.community_b, party=True)
    login(client, office_admin)
    party_names = set(listed(client.get(LIST, {"political_status": "party"})))
    assert party.name in party_names
    assert all(p.is_party_member for p in client.get(LIST, {"political_status": "party"}).context["page"])
    in_b = client.get(LIST, {"community": world.community_b.pk}).context["page"].object_list
    assert party.name in [p.name for p in in_b]
    assert {p.community_id for p in in_b} == {world.community_b.pk}


def test_list_htmx_returns_only_the_results(client, world, office_admin):
    response = login(client, office_admin).get(LIST, {"q": "居民"}, HTTP_HX_TARGET="people-results", **HTMX)
    html = response.content.decode()
    assert 'id="people-results"' in html and "<html" not in html


def test_list_query_count_is_pinned_and_does_not_grow(client, world, office_admin, django_assert_num_queries):
    login(client, office_admin)

    def check():
        # 1 session, 2 user, 3 the user's role grants (scope), 4 community choices of the filter,
        # 5 COUNT for the paginator, 6 one page of people (community joined, current memberships
        # counted in a subquery). The subdistrict admin holds every permission the navigation
        # asks for, so no ModelBackend queries follow.
        with django_assert_num_queries(6):
            response = client.get(LIST, {"political_status": "masses"})
        assert response.status_code == 200
        return response

    first = len(listed(check()))
    for i in range(40):
        person = make_person(community=world.community_a if i % 2 else world.community_b)
        services.membership_add(
            organization=world.org_a, person=person, joined_on=dt.date(2021, 1, 1), by=system_actor()
        )
    assert len(listed(check())) > first


# Create and edit ----------------------------------------------------------------------------


def test_community_staff_creates_a_person_in_their_community(client, world, community_staff):
    login(client, community_staff)
    form = client.get(CREATE).context["form"]
    assert list(form.fields["community"].queryset) == [world.community_a]
    response = client.post(
        CREATE,
        {
            "name": "新居民",
            "phone": "139 1234 5678",
            "id_number": valid_id_number(601).lower(),
            "political_status": Person.PoliticalStatus.CYL_MEMBER,
            "community": world.community_a.pk,
        },
    )
    person = Person.objects.get(name="新居民")
    assert response.status_code == 302 and response["Location"] == detail(person)
    assert (person.phone, person.id_number, person.community) == (
        "13912345678",
        valid_id_number(601),
        world.community_a,
    )
    assert person.history.get().history_change_reason == "registry.person.created"


def test_create_shows_field_errors_and_writes_nothing(client, world, community_staff, resident_a):
    login(client, community_staff)
    bad_id = valid_id_number(602)[:-1] + ("1" if valid_id_number(602)[-1] != "1" else "2")
    base = {"name": "错误", "political_status": "masses", "community": world.community_a.pk}
    cases = [
        ({"phone": "1381234"}, "phone", "mainland mobile number"),
        ({"id_number": bad_id}, "id_number", "check character"),
        ({"phone": resident_a.phone}, "phone", "already recorded"),
        ({"id_number": resident_a.id_number}, "id_number", "already recorded"),
        ({"community": world.community_b.pk}, "community", "valid choice"),
        ({"community": ""}, "community", "required"),
    ]
    for extra, field, text in cases:
        response = client.post(CREATE, {**base, **extra})
        assert response.status_code == 400, extra
        assert text in " ".join(response.context["form"].errors[field]), (extra, response.context["form"].errors)
    assert not Person.objects.filter(name="错误").exists()


def test_create_shows_every_field_error_at_once(client, world, community_staff):
    response = login(client, community_staff).post(CREATE, {"name": "", "phone": "1380000", "community": ""})
    assert set(response.context["form"].errors) == {"name", "phone", "community", "political_status"}


def test_create_preselects_the_only_community_in_scope(client, world, community_staff, office_admin):
    assert login(client, community_staff).get(CREATE).context["form"].initial["community"] == world.community_a.pk
    assert "community" not in login(client, office_admin).get(CREATE).context["form"].initial


def test_org_admin_is_pointed_to_the_members_page(client, world, org_leader):
    response = login(client, org_leader).get(CREATE)
    assert response.status_code == 200
    assert response.context["org_only"]
    assert add(world.org_a) in response.content.decode()
    assert client.post(CREATE, {"name": "x", "phone": valid_phone(1)}).status_code == 200
    assert not Person.objects.filter(name="x").exists()


def test_district_leader_cannot_create(client, world, district_leader):
    assert login(client, district_leader).get(CREATE).status_code == 403


def test_edit_keeps_identifiers_left_empty_and_never_shows_them(client, world, community_staff, resident_a):
    login(client, community_staff)
    response = client.get(edit(resident_a))
    html = response.content.decode()
    assert resident_a.phone not in html and resident_a.id_number not in html
    assert f"{resident_a.phone[:3]}****{resident_a.phone[-4:]}" in html
    response = client.post(
        edit(resident_a),
        {"name": "荔芳居民", "political_status": "cpc_member", "community": world.community_a.pk, "phone": ""},
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.political_status == "cpc_member"
    assert resident_a.phone and resident_a.id_number == valid_id_number(501)
    client.post(
        edit(resident_a),
        {"name": "荔芳居民", "political_status": "cpc_member", "community": world.community_a.pk, "clear_phone": "on"},
    )
    resident_a.refresh_from_db()
    assert resident_a.phone is None


def test_edit_shows_a_duplicate_error(client, world, community_staff, resident_a):
    other = _member(world.org_a).person
    response = login(client, community_staff).post(
        edit(resident_a),
        {"name": "荔芳居民", "political_status": "masses", "community": world.community_a.pk, "phone": other.phone},
    )
    assert response.status_code == 400
    assert "already recorded" in str(response.context["form"].errors["phone"])
    resident_a.refresh_from_db()
    assert resident_a.phone != other.phone


def test_org_admin_edits_a_member_of_their_organization(client, world, org_leader, resident_a):
    person = _member(world.org_a).person
    login(client, org_leader)
    assert client.get(edit(person)).status_code == 200
    assert client.get(edit(resident_a)).status_code == 404  # not a member: outside their scope


@pytest.mark.parametrize(
    ("persona", "queries", "entries"),
    [
        # 1 session, 2 user, 3 role grants, 4 the person (with community), 5 their memberships
        # (with organizations and communities), 6 person versions, 7 membership versions.
        # Reveal and edit rights are settled by the staff's area: no query.
        ("community_staff", 7, 14),
        # the same, plus 2 queries: reveal and edit rights of an organization admin come through
        # the person's membership in their organization (one EXISTS each).
        ("org_leader", 9, 8),
    ],
    indirect=["persona"],
)
def test_person_detail_query_count_is_pinned_and_does_not_grow(
    client, world, persona, queries, entries, django_assert_num_queries
):
    person = _member(world.org_a).person
    login(client, persona)

    def check():
        with django_assert_num_queries(queries):
            response = client.get(detail(person))
        assert response.status_code == 200
        return response

    assert check().context["can_reveal"]
    for i in range(6):
        org = make_organization(world.community_a, members=1)
        services.membership_add(organization=org, person=person, joined_on=dt.date(2021, 1, 1), by=system_actor())
        services.person_update(person=person, data={"note": f"备注{i}"}, by=system_actor())
    response = check()
    # recorded, joined org A, 6 × changed, and 6 × joined where the organizations are in scope
    assert len(response.context["timeline"]) == entries


# Members page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "can_change"),
    [
        ("office_admin", 200, True),
        ("community_staff", 200, True),
        ("org_leader", 200, True),
        ("district_leader", 200, False),
        ("other_staff", 404, False),
        ("outsider", 404, False),
    ],
    indirect=["persona"],
)
def test_members_page_per_persona(client, world, persona, status, can_change):
    response = login(client, persona).get(members(world.org_a))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert (add(world.org_a) in html) == can_change
        assert response.context["counts"]["current"] == 12
        leader = _leader(world.org_a)
        assert leader.person.phone not in html
        assert f"{leader.person.phone[:3]}****" in html
    assert client.get(add(world.org_a)).status_code == (200 if can_change else 403 if status == 200 else 404)


def test_members_page_filters_current_and_past(client, world, community_staff):
    gone = _member(world.org_a)
    services.membership_end(membership=gone, left_on=dt.date(2023, 1, 1), by=system_actor())
    login(client, community_staff)
    current = client.get(members(world.org_a)).context["page"].object_list
    assert gone.pk not in [m.pk for m in current] and len(current) == 11
    assert current[0].role == Membership.Role.LEADER
    past = client.get(members(world.org_a), {"state": "past"}).context["page"].object_list
    assert [m.pk for m in past] == [gone.pk]
    assert len(client.get(members(world.org_a), {"state": "all"}).context["page"].object_list) == 12


def test_members_query_count_is_pinned_and_does_not_grow(client, world, org_leader, django_assert_num_queries):
    login(client, org_leader)

    def check():
        # 1 session, 2 user, 3 role grants, 4 the organization (with community), 5 COUNT for the
        # paginator, 6 one page of memberships with people, 7 member figures (one aggregate).
        with django_assert_num_queries(7):
            response = client.get(members(world.org_a), {"state": "all"})
        assert response.status_code == 200
        return response

    assert len(check().context["page"].object_list) == 12
    for i in range(30):
        m = services.membership_add(
            organization=world.org_a, person=make_person(party=i % 2), joined_on=dt.date(2021, 1, 1), by=system_actor()
        )
        if i % 3 == 0:
            services.membership_end(membership=m, left_on=dt.date(2022, 1, 1), by=system_actor())
    assert len(check().context["page"].object_list) == 42


# Adding members -----------------------------------------------------------------------------


def _add_data(**kw):
    data = {
        "name": "新成员",
        "phone": valid_phone(88_800_001),
        "id_number": "",
        "political_status": "masses",
        "gender": "",
        "community": "",
        "role": "member",
        "joined_on": "2024-02-01",
    }
    data.update(kw)
    return data


def test_add_a_new_person_as_member(client, world, org_leader):
    response = login(client, org_leader).post(add(world.org_a), _add_data(is_initiator="on", community=""))
    assert response.status_code == 302 and response["Location"] == members(world.org_a)
    m = Membership.objects.get(person__name="新成员")
    assert (m.organization, m.role, m.is_initiator, m.joined_on) == (
        world.org_a,
        "member",
        True,
        dt.date(2024, 2, 1),
    )
    assert m.history.get().history_user == org_leader


def test_add_matches_a_person_already_recorded_elsewhere(client, world, org_leader):
    elsewhere = _member(world.org_b).person  # outside the org admin's scope until they join
    count = Person.objects.count()
    response = login(client, org_leader).post(
        add(world.org_a), _add_data(name=elsewhere.name, phone=elsewhere.phone, id_number=valid_id_number(701))
    )
    assert response.status_code == 302
    assert Person.objects.count() == count
    assert Membership.objects.filter(organization=world.org_a, person=elsewhere).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.id_number == valid_id_number(701)  # a missing identifier is filled in


def test_add_with_a_name_mismatch_does_not_name_someone_out_of_scope(client, world, org_leader):
    elsewhere = _member(world.org_b).person
    count = Membership.objects.count()
    response = login(client, org_leader).post(add(world.org_a), _add_data(name="别人", phone=elsewhere.phone))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "do not match the person already recorded" in errors
    assert elsewhere.name not in response.content.decode()
    assert Membership.objects.count() == count


def test_add_with_a_name_mismatch_in_scope_names_the_recorded_person(client, world, community_staff):
    member = _member(world.org_a).person
    response = login(client, community_staff).post(add(world.org_a), _add_data(name="别人", phone=member.phone))
    assert response.status_code == 400
    assert member.name in " ".join(response.context["form"].non_field_errors())


def test_add_errors_are_shown_and_nothing_is_written(client, world, org_leader):
    people, memberships = Person.objects.count(), Membership.objects.count()
    login(client, org_leader)
    cases = [
        (_add_data(phone="", id_number=""), None, "phone number or an ID number"),
        (_add_data(phone="12345"), "phone", "mainland mobile number"),
        (_add_data(role="leader"), "role", "valid choice"),  # the organization has a leader
        (_add_data(joined_on="2999-01-01"), None, "future"),
        (_add_data(phone=_member(world.org_a).person.phone, name=_member(world.org_a).person.name), None, "already"),
    ]
    for data, field, text in cases:
        response = client.post(add(world.org_a), data)
        assert response.status_code == 400, data
        form = response.context["form"]
        errors = form.non_field_errors() if field is None else form.errors[field]
        assert text in " ".join(errors), (data, form.errors)
    assert (Person.objects.count(), Membership.objects.count()) == (people, memberships)


def test_add_and_add_another(client, world, org_leader):
    response = login(client, org_leader).post(add(world.org_a), {**_add_data(), "another": "1"})
    assert response["Location"] == add(world.org_a)


def test_add_to_a_dissolved_organization_shows_the_refusal(client, world, community_staff):
    services.organization_dissolve(organization=world.org_a, reason="解散", on=dt.date(2024, 1, 2), by=system_actor())
    login(client, community_staff)
    page = client.get(members(world.org_a))
    assert add(world.org_a) not in page.content.decode()
    assert "dissolved" in page.content.decode()
    response = client.post(add(world.org_a), _add_data(joined_on="2024-01-03"))
    assert response.status_code == 400
    assert "dissolved" in " ".join(response.context["form"].non_field_errors())
    assert not Person.objects.filter(name="新成员").exists()


# Ending memberships and changing roles ------------------------------------------------------


def test_end_membership_plain_post(client, world, org_leader):
    m = _member(world.org_a)
    response = login(client, org_leader).post(end(m), {"left_on": "2024-01-31"})
    assert response.status_code == 302 and response["Location"] == members(world.org_a)
    m.refresh_from_db()
    assert m.left_on == dt.date(2024, 1, 31)


def test_end_membership_with_htmx_returns_the_row(client, world, org_leader):
    m = _member(world.org_a)
    response = login(client, org_leader).post(end(m), {"left_on": "2024-01-31", "state": "current"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="membership-{m.pk}"') and "has left" in html


def test_ending_the_leader_shows_why_it_is_refused(client, world, community_staff):
    leader = _leader(world.org_a)
    login(client, community_staff)
    response = client.post(end(leader), {"left_on": "2024-01-31"})
    assert response.status_code == 400
    assert "Hand over to a new leader first" in response.content.decode()
    response = client.post(end(leader), {"left_on": "2024-01-31"}, **HTMX)
    assert response.status_code == 200
    assert "Hand over to a new leader first" in response.content.decode()
    leader.refresh_from_db()
    assert leader.left_on is None


def test_change_role_plain_and_htmx(client, world, org_leader):
    m = _member(world.org_a)
    login(client, org_leader)
    assert client.get(role(m)).status_code == 200
    response = client.post(role(m), {"role": "backbone", "is_initiator": "on"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.role, m.is_initiator) == ("backbone", True)
    response = client.post(role(m), {"role": "volunteer"}, **HTMX)
    assert response.status_code == 200 and "Volunteer" in response.content.decode()
    m.refresh_from_db()
    assert (m.role, m.is_initiator) == ("volunteer", False)


def test_membership_actions_forbidden_outside_permission(client, world, district_leader, other_staff):
    m = _member(world.org_a)
    assert login(client, district_leader).post(end(m), {"left_on": "2024-01-31"}).status_code == 403
    assert client.post(role(m), {"role": "backbone"}).status_code == 403
    assert login(client, other_staff).post(end(m), {"left_on": "2024-01-31"}).status_code == 404
    m.refresh_from_db()
    assert (m.role, m.left_on) == ("member", None)


# Changing the leader ------------------------------------------------------------------------


def test_change_leader_to_a_current_member(client, world, org_leader):
    old, new = _leader(world.org_a), _member(world.org_a)
    login(client, org_leader)
    assert client.get(leader_url(world.org_a)).status_code == 200
    response = client.post(
        leader_url(world.org_a), {"member": new.person_id, "on": "2024-03-01", "previous_leader_role": "deputy"}
    )
    assert response.status_code == 302
    assert _leader(world.org_a).pk == new.pk
    old.refresh_from_db()
    assert old.role == "deputy"


def test_change_leader_to_a_new_person(client, world, community_staff):
    response = login(client, community_staff).post(
        leader_url(world.org_a),
        {
            "name": "新会长",
            "phone": valid_phone(88_800_009),
            "political_status": "cpc_member",
            "on": "2024-03-01",
            "previous_leader_role": "backbone",
        },
    )
    assert response.status_code == 302
    leader = _leader(world.org_a)
    assert leader.person.name == "新会长" and leader.person.is_party_member
    assert Membership.objects.filter(organization=world.org_a, role="leader", left_on__isnull=True).count() == 1


def test_change_leader_form_errors(client, world, community_staff):
    login(client, community_staff)
    member = _member(world.org_a)
    both = client.post(leader_url(world.org_a), {"member": member.person_id, "name": "某人", "on": "2024-03-01"})
    assert both.status_code == 400 and "not both" in " ".join(both.context["form"].non_field_errors())
    neither = client.post(leader_url(world.org_a), {"on": "2024-03-01", "previous_leader_role": "backbone"})
    assert neither.status_code == 400
    assert _leader(world.org_a).person_id != member.person_id


def test_change_leader_forbidden_for_read_only_leader(client, world, district_leader):
    assert login(client, district_leader).get(leader_url(world.org_a)).status_code == 403


# Finding the new leader among many members ----------------------------------------------------


def candidates_url(org: Organization) -> str:
    return reverse("registry:organization-leader-candidates", args=[org.pk])


@built_once
def big_org(world):
    """An organization with 132 current members (a leader, two more, and 成员000…成员128), as 荔林关爱中心 has 1,809."""
    org = make_organization(world.community_a, "荔林关爱中心", members=3, filed=True)
    for i in range(129):
        services.membership_add(
            organization=org,
            person=make_person(f"成员{i:03d}", community=world.community_a, phone=valid_phone(70_000_000 + i)),
            joined_on=dt.date(2021, 1, 1),
            role=Membership.Role.DEPUTY if i == 128 else Membership.Role.MEMBER,
            by=system_actor(),
        )
    return org


def _radio_values(html: str) -> list[str]:
    import re

    return re.findall(r'<input type="radio" name="member" value="(\d*)"', html)


def test_leader_page_lists_at_most_20_members_deputies_first(client, big_org, community_staff):
    response = login(client, community_staff).get(leader_url(big_org))
    assert response.status_code == 200
    matches = response.context["matches"]
    assert len(matches) == 20 and response.context["more"]
    assert matches[0].member_role == Membership.Role.DEPUTY  # likely successors first
    assert len(_radio_values(response.content.decode())) == 21  # 20 members + "someone else"
    assert "<select" not in response.content.decode().split('id="leader-form"')[1].split("</fieldset>")[0]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("成员05", [f"成员{i:03d}" for i in range(50, 60)]),  # part of a name
        ("成员123", ["成员123"]),
        (valid_phone(70_000_042)[-4:], ["成员042"]),  # the phone's last four digits
        (valid_phone(70_000_007), ["成员007"]),  # the full phone
        ("１３８", []),  # full-width digits, not a name and not four digits: nobody
        ("nobody", []),
    ],
)
def test_leader_search_by_name_and_phone(client, big_org, community_staff, q, expected):
    response = login(client, community_staff).get(leader_url(big_org), {"q": q})
    assert sorted(p.name for p in response.context["matches"]) == expected
    if not expected:
        assert "No current member matches" in response.content.decode()


def test_leader_search_never_offers_the_leader_or_former_members(client, big_org, community_staff):
    leader = _leader(big_org)
    gone = Membership.objects.get(organization=big_org, person__name="成员010")
    services.membership_end(membership=gone, left_on=dt.date(2024, 1, 1), by=system_actor())
    login(client, community_staff)
    assert client.get(leader_url(big_org), {"q": leader.person.name}).context["matches"] == []
    assert client.get(leader_url(big_org), {"q": "成员010"}).context["matches"] == []


def test_leader_candidates_fragment_for_htmx(client, big_org, community_staff):
    response = login(client, community_staff).get(candidates_url(big_org), {"q": "成员12"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="leader-candidates"')
    assert sorted(p.name for p in response.context["matches"]) == [f"成员{i}" for i in range(120, 129)]
    assert len(_radio_values(html)) == 9  # "someone else" stays on the page, outside the fragment
    assert "<html" not in html
    # The phone is masked
    person = Person.objects.get(name="成员120")
    assert person.phone not in html and f"{person.phone[:3]}****{person.phone[-4:]}" in html


def test_leader_candidates_keep_the_chosen_member(client, big_org, community_staff):
    chosen = Person.objects.get(name="成员099")
    response = login(client, community_staff).get(candidates_url(big_org), {"q": "成员00", "member": chosen.pk})
    assert response.context["matches"][0] == chosen
    assert f'value="{chosen.pk}" checked' in response.content.decode()


def test_leader_candidates_forbidden_outside_permission(client, big_org, district_leader, other_staff):
    assert login(client, district_leader).get(candidates_url(big_org)).status_code == 403
    assert login(client, other_staff).get(candidates_url(big_org)).status_code == 404


def test_hand_over_to_a_member_found_by_search(client, big_org, community_staff):
    login(client, community_staff)
    found = client.get(leader_url(big_org), {"q": valid_phone(70_000_077)[-4:]}).context["matches"]
    assert [p.name for p in found] == ["成员077"]
    response = client.post(
        leader_url(big_org), {"member": found[0].pk, "on": "2024-03-01", "previous_leader_role": "backbone"}
    )
    assert response.status_code == 302
    assert _leader(big_org).person.name == "成员077"


def test_hand_over_refuses_someone_who_is_not_a_current_member(client, big_org, world, community_staff):
    stranger = _member(world.org_a).person
    response = login(client, community_staff).post(
        leader_url(big_org), {"member": stranger.pk, "on": "2024-03-01", "previous_leader_role": "backbone"}
    )
    assert response.status_code == 400 and "member" in response.context["form"].errors
    assert _leader(big_org).person_id != stranger.pk


@pytest.mark.parametrize("extra", [0, 120])
def test_leader_page_query_counts_are_pinned_and_do_not_grow(
    client, world, community_staff, extra, django_assert_num_queries
):
    org = make_organization(world.community_a, "计数组织", members=4, filed=True)
    for _ in range(extra):
        services.membership_add(
            organization=org,
            person=make_person(community=world.community_a),
            joined_on=dt.date(2021, 1, 1),
            by=system_actor(),
        )
    login(client, community_staff)
    # 1 session, 2 user, 3 role grants, 4 the organization, 5 its current leader (with person),
    # 6 up to 21 matching candidates (role as a subquery)
    with django_assert_num_queries(6):
        page = client.get(leader_url(org), {"q": "1"})
    with django_assert_num_queries(6):
        page = client.get(leader_url(org))
    assert len(page.context["matches"]) == min(3 + extra, 20)
    # the htmx fragment: 1 session, 2 user, 3 role grants, 4 the organization, 5 the matches
    with django_assert_num_queries(5):
        client.get(candidates_url(org), {"q": "测试"}, **HTMX)
