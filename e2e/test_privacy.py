"""The log of unmasked views in the browser: a subdistrict admin finds it under Administration, sees
who saw whose phone, filters by viewer and exports the list; screenshots at desktop and phone width."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sifu.privacy import services
from sifu.registry.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_subdistrict_admin_reads_and_filters_the_log(
    world, office_admin, community_staff, org_leader, page, live_server, login, shot
):
    person = Membership.objects.filter(organization=world.org_a, left_on__isnull=True).first().person
    services.person_reveal(person=person, field="phone", by=community_staff, context=f"/office/people/{person.pk}/")
    services.person_reveal(person=person, field="id_number", by=org_leader, context=f"/office/people/{person.pk}/")
    services.unmasked_export_record(by=community_staff, context="organization list export ?unmasked=1")

    login("office_admin")
    page.click(f'.nav-admin a[href="{reverse("privacy:view-list")}"]')
    expect(page.locator("h1")).to_have_text("个人信息查看记录")
    rows = page.locator("table.sensitive-view-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("导出明文")  # newest first
    expect(page.locator("table.sensitive-view-table")).not_to_contain_text(person.phone)
    shot("privacy-log")
    shot("privacy-log-phone", phone=True)

    page.fill("#id_viewer", "org_leader")
    page.click(".filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(person.name)
    with page.expect_download() as download:
        page.click(f'a[href^="{reverse("privacy:view-export")}?"]')
    assert download.value.suggested_filename.endswith(".xlsx")
