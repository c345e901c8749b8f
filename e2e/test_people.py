"""A person's phone in the browser: masked by default; staff who may see it click "show" and the full
number appears, recorded as a SensitiveView; a read-only leader sees the mask and no way to reveal."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sifu.core.masking import mask_phone
from sifu.privacy.models import SensitiveView
from sifu.registry.models import Membership, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def leader(world) -> Person:
    """Org A's leader, a resident of community A with a mobile number."""
    return Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER).person


def test_staff_reveal_a_phone_and_it_is_recorded(world, community_staff, leader, page, live_server, login, shot):
    login("community_staff")
    page.goto(f"{live_server.url}{reverse('registry:person-detail', args=[leader.pk])}")
    expect(page.locator(".page-head h1")).to_have_text(leader.name)
    phone = page.locator("#sensitive-phone")
    expect(phone).to_contain_text(mask_phone(leader.phone))
    assert leader.phone not in page.content()
    org_url = reverse("registry:organization-detail", args=[world.org_a.pk])
    expect(page.locator(f'#memberships a[href="{org_url}"]')).to_have_count(1)
    shot("person-masked")
    assert not SensitiveView.objects.exists()

    page.evaluate("window.__sameDocument = true")
    phone.locator("button[type=submit]").click()
    expect(page.locator("#sensitive-phone .revealed")).to_have_text(leader.phone)
    assert page.evaluate("window.__sameDocument") is True, "the reveal reloaded the page instead of swapping"
    seen = list(SensitiveView.objects.values_list("user__username", "person_id", "field"))
    assert seen == [("community_staff", leader.pk, SensitiveView.Field.PHONE)]
    shot("person-revealed")
    shot("person-revealed-phone", phone=True)

    page.reload()  # a reveal lasts for one view only
    expect(page.locator("#sensitive-phone")).to_contain_text(mask_phone(leader.phone))
    expect(page.locator("#sensitive-phone .revealed")).to_have_count(0)
    assert SensitiveView.objects.count() == 1


def test_a_read_only_leader_sees_only_the_mask(world, district_leader, leader, page, live_server, login, shot):
    login("district_leader")
    page.goto(f"{live_server.url}{reverse('registry:person-detail', args=[leader.pk])}")
    expect(page.locator(".page-head h1")).to_have_text(leader.name)
    expect(page.locator("#sensitive-phone")).to_contain_text(mask_phone(leader.phone))
    expect(page.locator("#sensitive-phone form, #sensitive-phone button")).to_have_count(0)
    reveal_url = reverse("registry:person-reveal", args=[leader.pk, "phone"])
    expect(page.locator(f'form[action="{reveal_url}"]')).to_have_count(0)
    assert leader.phone not in page.content()
    shot("person-leader-masked")
    # Nor does posting to the reveal URL by hand work.
    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
    response = page.request.post(f"{live_server.url}{reveal_url}", headers={"X-CSRFToken": token})
    # Refused by the permission (the 403 page's "not allowed"), not by the token (its "form has expired").
    assert response.status == 403 and "您无权进行此操作" in response.text() and "表单已过期" not in response.text()
    assert leader.phone not in response.text()
    assert not SensitiveView.objects.exists()
