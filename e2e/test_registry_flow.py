"""The registry in the browser: community staff logs in, sees the office home, filters the organization
list (htmx swaps the table), opens an organization with its members and timeline; a transition done in
the browser, and a refused one that changes nothing.

Elements are found by ids, names, URLs and data-* attributes, never by visible text: the zh-Hans
catalogue changes the words.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def more_orgs(world):
    """Besides org A (社区事务, filed, 12 members) community A gets a filed culture troupe and a
    proposed association below the filing floor (2 members: 2 initiators, far from 3 and 10)."""
    troupe = make_organization(
        world.community_a, "荔芳粤剧团", members=3, filed=True, category=Organization.Category.CULTURE
    )
    proposed = make_organization(
        world.community_a,
        "荔芳邻里议事会",
        members=2,
        nature=Organization.Nature.ASSOCIATION,
        category=Organization.Category.AFFAIRS,
    )
    return troupe, proposed


def detail_url(org: Organization) -> str:
    return reverse("registry:organization-detail", args=[org.pk])


def rows(page):
    return page.locator("#org-results table.org-table tbody tr")


def assert_out_of_scope_absent(page, world) -> None:
    """Community B's and the other subdistrict's organizations never reach community A's staff."""
    for org in (world.org_b, world.org_other):
        expect(page.locator(f'a[href="{detail_url(org)}"]')).to_have_count(0)
        assert org.name not in page.content()


def test_community_staff_filters_the_list_and_reads_an_organization(
    world, community_staff, more_orgs, page, live_server, login, shot
):
    troupe, proposed = more_orgs
    login("community_staff")
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")
    # Home figures, from the records in community A only: org A and the troupe are active, one proposed.
    expect(page.locator('a.figure[href$="?status=active"] .value')).to_have_text("2")
    expect(page.locator('a.figure[href$="?status=incubating"] .value')).to_have_text("1")
    shot("office-home")

    page.click(f'.office-sidebar a[href="{reverse("registry:organization-list")}"]')
    expect(rows(page)).to_have_count(3)
    for org in (world.org_a, troupe, proposed):
        expect(page.locator(f'#org-results a[href="{detail_url(org)}"]')).to_have_count(1)
    assert_out_of_scope_absent(page, world)
    # The community filter offers community A only.
    assert page.locator("#id_community option[value]:not([value=''])").evaluate_all(
        "options => options.map(o => o.value)"
    ) == [str(world.community_a.pk)]
    shot("org-list")

    # From here on every filter must swap the table in place (htmx), never reload the page.
    page.evaluate("window.__sameDocument = true")

    page.select_option("#id_category", Organization.Category.AFFAIRS)
    expect(page).to_have_url(re.compile(r"category=affairs"))
    expect(rows(page)).to_have_count(2)  # org A and the proposed association, both 社区事务
    expect(page.locator(f'#org-results a[href="{detail_url(troupe)}"]')).to_have_count(0)
    shot("org-list-category")

    page.select_option("#id_status", Organization.Status.ACTIVE)
    expect(page).to_have_url(re.compile(r"status=active"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator(f'a[href="{detail_url(world.org_a)}"]')).to_be_visible()

    page.select_option("#id_category", "")
    page.select_option("#id_status", "")
    expect(rows(page)).to_have_count(3)
    page.fill("#id_q", "粤剧")  # the search box filters as one types
    expect(page).to_have_url(re.compile(r"q=%E7%B2%A4%E5%89%A7"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.locator(f'a[href="{detail_url(troupe)}"]')).to_be_visible()
    shot("org-list-search")

    page.fill("#id_q", "南园")  # community B's organization stays out of reach, even by name
    expect(page.locator("#org-results .empty")).to_be_visible()
    expect(rows(page)).to_have_count(0)
    assert_out_of_scope_absent(page, world)
    assert page.evaluate("window.__sameDocument") is True, "the filters reloaded the page instead of swapping"

    page.fill("#id_q", "")
    expect(rows(page)).to_have_count(3)
    shot("org-list-phone", phone=True)

    page.click(f'#org-results a[href="{detail_url(world.org_a)}"]')
    expect(page).to_have_url(f"{live_server.url}{detail_url(world.org_a)}")
    expect(page.locator(".page-head h1")).to_have_text(world.org_a.name)
    expect(page.locator(".page-head .badge.status-active")).to_be_visible()
    # Members: all 12, linked to their person pages, phones masked.
    members = page.locator("#members table.data tbody tr")
    expect(members).to_have_count(12)
    html = page.content()
    for membership in world.org_a.memberships.select_related("person"):
        person_url = reverse("registry:person-detail", args=[membership.person_id])
        expect(page.locator(f'#members a[href="{person_url}"]')).to_have_text(membership.person.name)
        assert membership.person.phone not in html
    # Timeline: the creation, the members joining and the filing, newest first.
    timeline = page.locator("#timeline ol.timeline > li")
    expect(page.locator('#timeline li[data-action="registry.organization.filed"]')).to_have_count(1)
    expect(page.locator('#timeline li[data-action="registry.organization.created"]')).to_have_count(1)
    expect(timeline.first).to_have_attribute("data-action", "registry.organization.filed")
    shot("org-detail")
    shot("org-detail-phone", phone=True)


def test_mark_dormant_in_the_browser(world, community_staff, page, live_server, login, shot):
    org = world.org_a
    login("community_staff")
    page.goto(f"{live_server.url}{detail_url(org)}")
    expect(page.locator(".page-head .badge.status-active")).to_be_visible()
    page.click(f'.page-head a[href="{reverse("registry:organization-transition", args=[org.pk, "make_dormant"])}"]')

    # Without a reason: the field error, and nothing changes.
    page.fill("#id_reason", "")
    page.click("form.stacked button[type=submit]")
    expect(page.locator(".notice.error[role=alert]")).to_be_visible()
    expect(page.locator("#id_reason[aria-invalid=true]")).to_be_visible()
    org.refresh_from_db()
    assert org.status == Organization.Status.ACTIVE

    page.fill("#id_on", timezone.localdate().isoformat())
    page.fill("#id_reason", "骨干外出务工，活动暂停")
    shot("org-transition-dormant")
    page.click("form.stacked button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}{detail_url(org)}")
    expect(page.locator(".page-head .badge.status-dormant")).to_be_visible()
    expect(page.locator(".page-head .badge.status-active")).to_have_count(0)
    entry = page.locator('#timeline li[data-action="registry.organization.made_dormant"]')
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("骨干外出务工，活动暂停")
    expect(page.locator("#timeline ol.timeline > li").first).to_have_attribute(
        "data-action", "registry.organization.made_dormant"
    )
    # A dormant organization may be reactivated, no longer marked dormant; being filed, it ends by a
    # deregistration request (注销), so community staff are not offered "dissolve".
    actions = page.locator(".page-head .actions a[href*='/transition/']")
    hrefs = actions.evaluate_all("links => links.map(a => a.getAttribute('href').split('/').at(-2))")
    assert sorted(hrefs) == ["reactivate"]
    org.refresh_from_db()
    assert org.status == Organization.Status.DORMANT
    shot("org-dormant")


def test_filing_below_the_floor_is_refused_and_changes_nothing(
    world, office_admin, more_orgs, page, live_server, login, shot
):
    """The subdistrict's direct "Record filing" (for paper filings from before the platform; new
    filings go through the filing workflow) checks the floor like the workflow does."""
    _, proposed = more_orgs
    versions = proposed.history.count()
    login("office_admin")
    page.goto(f"{live_server.url}{detail_url(proposed)}")
    expect(page.locator(".page-head .badge.status-proposed")).to_be_visible()
    page.click(f'.page-head a[href="{reverse("registry:organization-transition", args=[proposed.pk, "file"])}"]')
    # The checklist shows what is missing before anything is tried…
    expect(page.locator('ul.checklist li.missing[data-check="initiators"]')).to_be_visible()
    expect(page.locator('ul.checklist li.missing[data-check="members"]')).to_be_visible()
    expect(page.locator('ul.checklist li.ok[data-check="venue"]')).to_be_visible()
    expect(page.locator('ul.checklist li.ok[data-check="leader"]')).to_be_visible()
    expect(page.locator("#id_filing_number")).not_to_have_value("")

    # …and trying anyway is refused with the missing items named; nothing is written.
    page.click("form.stacked button[type=submit]")
    notice = page.locator(".notice.error[role=alert]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("3")  # at least 3 initiators
    expect(notice).to_contain_text("10")  # at least 10 members
    expect(page.locator("ul.checklist li.missing")).to_have_count(2)
    shot("org-file-refused")
    shot("org-file-refused-phone", phone=True)
    proposed.refresh_from_db()
    assert proposed.status == Organization.Status.PROPOSED
    assert proposed.legal_status == Organization.LegalStatus.UNFILED
    assert not proposed.filing_number and proposed.filed_on is None
    assert proposed.history.count() == versions

    page.goto(f"{live_server.url}{detail_url(proposed)}")
    expect(page.locator(".page-head .badge.status-proposed")).to_be_visible()
    expect(page.locator('#timeline li[data-action="registry.organization.filed"]')).to_have_count(0)
