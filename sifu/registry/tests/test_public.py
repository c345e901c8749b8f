"""The public directory and profiles: no login, only public organizations, no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sifu.accounts.services import system_actor
from sifu.core.masking import mask_id_number, mask_name, mask_phone
from sifu.core.tests.built_once import built_once
from sifu.registry import services
from sifu.registry.models import Membership, Organization
from sifu.registry.tests.factories import make_organization, make_person, valid_id_number

DIRECTORY = reverse("registry:public-directory")


def profile(org: Organization) -> str:
    return reverse("registry:public-organization", args=[org.pk])


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def listed(response) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


@built_once
def leader_of_a(world):
    """Org A's leader, with a known phone and ID number and made a party member, and an instructor."""
    membership = Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER)
    person = services.person_update(
        person=membership.person,
        data={"phone": "13812345678", "id_number": valid_id_number(777), "political_status": "cpc_member"},
        by=system_actor(),
    )
    instructor = make_person("党建指导员丁", community=world.community_a, phone="13987654321")
    services.organization_update(
        organization=world.org_a,
        data={
            "party_instructor": instructor,
            "party_branch_name": "自治会党支部",
            "party_branch_founded_on": dt.date(2022, 7, 1),
            "purpose": "守护社区食品安全",
        },
        by=system_actor(),
    )
    return person, instructor


def test_directory_lists_public_organizations_without_login(client, world):
    hidden = make_organization(world.community_a, "拟成立读书会", members=2)
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    names = listed(response)
    assert {world.org_a.name, world.org_b.name, world.org_other.name} == set(names)
    assert hidden.name not in names
    assert response.context["page"].object_list[0].member_count in (12, 4, 3)


def test_directory_filters(client, world):
    assert listed(client.get(DIRECTORY, {"community": world.community_b.pk})) == [world.org_b.name]
    assert listed(client.get(DIRECTORY, {"category": "affairs"})) == [world.org_a.name]
    assert listed(client.get(DIRECTORY, {"q": "骑手"})) == [world.org_b.name]
    response = client.get(DIRECTORY, {"q": "没有这个组织"})
    assert listed(response) == [] and "No organization matches your search." in response.content.decode()


def test_directory_paginates(client, world, settings):
    settings.PAGE_SIZE = 2
    make_organization(world.community_a, "荔芳太极队", members=2, filed=True)  # culture, like org_b and org_other
    first = client.get(DIRECTORY, {"category": "culture"})
    assert len(listed(first)) == 2 and first.context["page"].has_next()
    assert "?category=culture&amp;page=2" in first.content.decode()
    second = client.get(DIRECTORY, {"category": "culture", "page": 2})
    assert len(listed(second)) == 1 and set(listed(first)).isdisjoint(listed(second))


def test_dissolved_and_unfiled_organizations_have_no_public_profile(client, world):
    unfiled = make_organization(world.community_a, members=2)
    assert client.get(profile(unfiled)).status_code == 404
    services.organization_dissolve(organization=world.org_b, reason="解散", on=dt.date(2024, 1, 1), by=system_actor())
    assert client.get(profile(world.org_b)).status_code == 404
    assert client.get(profile(world.org_a)).status_code == 200


def test_profile_shows_the_organization(client, world, leader_of_a):
    page = client.get(profile(world.org_a)).content.decode()
    assert world.org_a.name in page and "荔芳社区" in page
    assert "守护社区食品安全" in page
    assert world.org_a.filing_number in page
    assert "Party branch" in page
    assert ">12<" in page  # current members


@pytest.mark.parametrize("which", ["directory", "profile"])
def test_public_pages_show_no_personal_data(client, world, leader_of_a, which):
    person, instructor = leader_of_a
    html = client.get(DIRECTORY if which == "directory" else profile(world.org_a)).content.decode()
    for secret in (person.phone, mask_phone(person.phone), person.id_number, mask_id_number(person.id_number)):
        assert secret not in html
    for secret in (instructor.phone, mask_phone(instructor.phone)):
        assert secret not in html
    # no names of people either, not even masked
    for name in (person.name, instructor.name, mask_name(person.name)):
        assert name not in html
    assert "138****" not in html and "139****" not in html


def test_directory_query_count_is_fixed(client, world, django_assert_num_queries):
    def check():
        # 1 communities that have public organizations (filter choices), 2 COUNT for the
        # paginator, 3 one page of organizations with community and member counts (subqueries).
        with django_assert_num_queries(3):
            response = client.get(DIRECTORY)
        assert response.status_code == 200
        return response

    assert len(listed(check())) == 3
    for i in range(25):
        org = make_organization(world.community_a if i % 2 else world.community_b, members=2, filed=True)
        services.membership_add(
            organization=org, person=make_person(party=True), joined_on=dt.date(2021, 1, 1), by=system_actor()
        )
    assert len(listed(check())) == 25


def test_profile_query_count_is_fixed(client, world, django_assert_num_queries):
    # 1 the organization with its community and member counts
    with django_assert_num_queries(1):
        assert client.get(profile(world.org_a)).status_code == 200
