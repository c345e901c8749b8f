"""The public face, anonymous: home, directory and an organization's profile show no personal data
(no phone or ID number, in full or masked, nor members' names), and list only filed or registered
organizations that are not dissolved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sifu.accounts.services import system_actor
from sifu.core.masking import mask_id_number, mask_phone
from sifu.registry import services
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.tests.factories import make_organization, make_person, valid_id_number

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MASKED = re.compile(r"\d\*{3,}\d")  # 138****1234, 440305********1234


@pytest.fixture
def public_world(world):
    """Org A's leader also gets an ID number; community A gets an unfiled and a dissolved organization."""
    leader = Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER).person
    services.person_update(person=leader, data={"id_number": valid_id_number(leader.pk)}, by=system_actor())
    party_member = make_person("王党员", community=world.community_a, party=True, id_number=valid_id_number(900))
    services.membership_add(
        organization=world.org_a, person=party_member, joined_on=dt.date(2021, 3, 1), by=system_actor()
    )
    unfiled = make_organization(world.community_a, "荔芳未备案读书会", members=2)
    dissolved = make_organization(world.community_a, "荔芳已注销舞蹈队", members=3, filed=True)
    services.organization_dissolve(organization=dissolved, reason="成员搬离", on=dt.date(2023, 6, 1), by=system_actor())
    return unfiled, dissolved


def assert_no_personal_data(page, people) -> None:
    html = page.content()
    text = page.locator("body").inner_text()
    for haystack in (html, text):
        for pattern in (MOBILE, ID_NUMBER, MASKED):
            found = pattern.search(haystack)
            assert found is None, found.group()
    for person in people:
        for value in (person.phone, mask_phone(person.phone), person.id_number, mask_id_number(person.id_number)):
            assert not value or value not in html, f"{person.name}'s {value} is on {page.url}"
        assert person.name not in text, f"{person.name} is named on {page.url}"


def test_the_public_pages_show_no_personal_data(world, public_world, page, live_server, shot):
    unfiled, dissolved = public_world
    people = list(Person.objects.filter(memberships__isnull=False).distinct())
    assert sum(bool(p.id_number) for p in people) == 2 and all(p.phone for p in people)
    listed = {world.org_a, world.org_b, world.org_other}

    page.goto(f"{live_server.url}/")
    expect(page.locator(f'.hero a[href="{reverse("registry:public-directory")}"]')).to_be_visible()
    expect(page.locator(".hero")).to_contain_text(re.compile(rf"(?<!\d){len(listed)}(?!\d)"))
    assert_no_personal_data(page, people)
    shot("public-home")
    shot("public-home-phone", phone=True)

    page.click(f'.public-nav a[href="{reverse("registry:public-directory")}"]')
    cards = page.locator("ul.org-cards > li.org-card")
    expect(cards).to_have_count(len(listed))
    for org in listed:
        expect(page.locator(f'a[href="{reverse("registry:public-organization", args=[org.pk])}"]')).to_have_count(1)
    for org in (unfiled, dissolved):
        expect(page.locator(f'a[href="{reverse("registry:public-organization", args=[org.pk])}"]')).to_have_count(0)
        assert org.name not in page.content()
    assert_no_personal_data(page, people)
    shot("public-directory")
    shot("public-directory-phone", phone=True)

    page.click(f'a[href="{reverse("registry:public-organization", args=[world.org_a.pk])}"]')
    expect(page.locator(".page-head h1")).to_have_text(world.org_a.name)
    expect(page.locator(".figures .figure").first.locator(".value")).to_have_text("13")  # 12 + 王党员
    assert_no_personal_data(page, people)
    shot("public-organization")
    shot("public-organization-phone", phone=True)

    # The directory's search does not find them either, and their profiles are not served.
    page.goto(f"{live_server.url}{reverse('registry:public-directory')}")
    page.fill("#id_q", "荔芳")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"q=%E8%8D%94%E8%8A%B3"))
    expect(cards).to_have_count(1)
    for org in (unfiled, dissolved):
        response = page.goto(f"{live_server.url}{reverse('registry:public-organization', args=[org.pk])}")
        assert response.status == 404
        assert org.name not in page.content()
    for org in (unfiled, dissolved):
        org.refresh_from_db()
    assert (unfiled.status, dissolved.status) == (Organization.Status.PROPOSED, Organization.Status.DISSOLVED)
