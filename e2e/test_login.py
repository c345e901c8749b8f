"""Logging in and out in the browser: a wrong password's error, the lockout after five failures, logout,
an account without roles, and the office navigation each role is offered."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

STAGE_GROUPS = ("incubate", "support", "coach", "empower", "outcomes", "admin")


def nav_hrefs(page) -> list[str]:
    return page.locator(".office-sidebar nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def nav_groups(page) -> list[str]:
    classes = page.locator(".office-sidebar section.nav-group").evaluate_all("s => s.map(e => e.className)")
    return [g for c in classes for g in STAGE_GROUPS if f"nav-{g}" in c.split()]


def test_wrong_passwords_show_the_error_then_lock_out(world, community_staff, page, live_server, login, shot):
    login_url = f"{live_server.url}{reverse('accounts:login')}"
    login("community_staff", "not-the-password")
    expect(page).to_have_url(login_url)
    expect(page.locator(".login-card .notice.error[role=alert]")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("community_staff")  # the name is kept
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator(".lockout-card")).to_have_count(0)
    shot("login-error")
    shot("login-error-phone", phone=True)

    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        login("community_staff", "still-not-it")
        expect(page.locator(".login-card .notice.error[role=alert]")).to_be_visible()
    with page.expect_response(lambda r: r.request.method == "POST") as last:
        login("community_staff", "and-again")  # the fifth failure locks
    assert last.value.status == 429
    expect(page.locator(".lockout-card[role=alert]")).to_be_visible()
    expect(page.locator(f'.lockout-card a[href="{reverse("web:home")}"]')).to_be_visible()
    shot("login-locked")
    shot("login-locked-phone", phone=True)

    login("community_staff")  # even the right password is refused while locked
    expect(page.locator(".lockout-card")).to_be_visible()
    page.goto(f"{live_server.url}{reverse('web:office-home')}")
    expect(page).to_have_url(re.compile(re.escape(login_url) + r"\?next="))


def test_logout(world, community_staff, page, live_server, login):
    login("community_staff")
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")
    page.click(f'.topbar-user form[action="{reverse("accounts:logout")}"] button[type=submit]')
    expect(page).to_have_url(f"{live_server.url}{reverse('web:home')}")
    expect(page.locator(f'.public-nav a[href="{reverse("accounts:login")}"]')).to_be_visible()
    page.goto(f"{live_server.url}{reverse('registry:organization-list')}")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + r"\?next="))


def test_an_account_without_roles_is_offered_nothing(world, outsider, page, live_server, login, shot):
    login("outsider")
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")
    expect(page.locator(".office-main .card.empty")).to_be_visible()
    expect(page.locator(".office-main .figures")).to_have_count(0)
    expect(page.locator(".office-sidebar section.nav-group")).to_have_count(0)
    expect(page.locator(".office-sidebar nav p.muted")).to_be_visible()
    shot("office-no-role")
    shot("office-no-role-phone", phone=True)
    response = page.goto(f"{live_server.url}{reverse('registry:organization-list')}")
    assert response.status == 403


NAV = {
    "community_staff": (
        ["incubate", "outcomes"],
        [
            "incubation:need-list",
            "incubation:gap-map",
            "incubation:case-list",
            "incubation:filing-list",
            "incubation:candidate-overview",
            "registry:organization-list",
            "registry:person-list",
            "incubation:plan-list",
            "outcomes:dashboard",
        ],
        ["accounts:user-list", "accounts:area-list", "registry:import", "privacy:view-list"],
    ),
    "office_admin": (
        ["incubate", "outcomes", "admin"],
        [
            "incubation:need-list",
            "incubation:gap-map",
            "incubation:case-list",
            "incubation:filing-list",
            "incubation:candidate-overview",
            "registry:organization-list",
            "registry:person-list",
            "incubation:plan-list",
            "registry:import",
            "outcomes:dashboard",
            "accounts:user-list",
            "accounts:area-list",
            "privacy:view-list",
        ],
        [],
    ),
    "district_leader": (
        ["incubate", "outcomes"],
        [
            "incubation:need-list",
            "incubation:gap-map",
            "incubation:case-list",
            "incubation:filing-list",
            "incubation:candidate-overview",
            "registry:organization-list",
            "registry:person-list",
            "incubation:plan-list",
            "outcomes:dashboard",
        ],
        ["accounts:user-list", "registry:import", "privacy:view-list"],
    ),
}


@pytest.mark.parametrize("who", list(NAV))
def test_the_navigation_offers_what_the_role_can_use(world, who, request, page, live_server, login, shot):
    request.getfixturevalue(who)
    groups, offered, refused = NAV[who]
    login(who)
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")
    expect(page.locator(".office-sidebar section.nav-group")).to_have_count(len(groups))
    assert nav_groups(page) == groups  # empty stages (support, coach, empower for now) are not shown
    assert nav_hrefs(page) == [reverse(name) for name in offered]
    shot(f"office-nav-{who}")
    for name in refused:  # and what is not offered is refused
        response = page.goto(f"{live_server.url}{reverse(name)}")
        assert response.status == 403, name
