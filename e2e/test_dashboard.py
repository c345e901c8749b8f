"""The outcomes dashboard in the browser: the subdistrict admin sees the figures, the ECharts charts
render, and a community is drilled into from the per-community table (by its link and by its row)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sifu.registry.models import Membership

# The per-community figures (the incubation section has its own gap summary table with the same styles).
COMMUNITIES = "table.community-table:not(.gap-summary)"

pytestmark = pytest.mark.django_db(transaction=True)

SUBDISTRICT_CHARTS = ("#chart-nature", "#chart-legal", "#chart-category", "#chart-communities")
COMMUNITY_CHARTS = ("#chart-nature", "#chart-legal", "#chart-category")


def expect_charts_drawn(page, ids) -> None:
    for chart in ids:
        # ECharts draws into an <svg> (dashboard.js asks for the SVG renderer) or a <canvas>.
        drawn = page.locator(f"{chart} svg, {chart} canvas")
        expect(drawn.first).to_be_visible()
        expect(page.locator(f"{chart} svg path, {chart} canvas").first).to_be_attached()


def figure(page, n: int):
    return page.locator(".dashboard-figures .figure .value").nth(n)


def test_dashboard_charts_and_drill_down(world, office_admin, page, live_server, login, shot):
    login("office_admin")
    page.click(f'.office-sidebar a[href="{reverse("outcomes:dashboard")}"]')
    expect(page).to_have_url(re.compile(re.escape(reverse("outcomes:dashboard"))))
    expect(page.locator(".dashboard-head h1")).to_contain_text(world.subdistrict.name)
    # 南山街道: org A (12 members) and org B (4); the other subdistrict's organization is not counted.
    expect(figure(page, 0)).to_have_text("2")
    expect(figure(page, 1)).to_have_text(str(12 + 4))
    rows = page.locator(f"{COMMUNITIES} tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(COMMUNITIES)).not_to_contain_text(world.other_community.name)
    expect_charts_drawn(page, SUBDISTRICT_CHARTS)
    shot("dashboard")
    # On a phone the charts are laid out for the narrow width when the page loads (no outer labels).
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect_charts_drawn(page, SUBDISTRICT_CHARTS)
    shot("dashboard-phone", phone=True)
    expect_charts_drawn(page, SUBDISTRICT_CHARTS)  # still there after the resize back to desktop

    # Drill down by the community's link…
    row_a = page.locator(f'{COMMUNITIES} tbody tr[data-href*="area={world.community_a.pk}&"]')
    row_a.locator("th a").click()
    expect(page).to_have_url(re.compile(rf"area={world.community_a.pk}(&|$)"))
    expect(page.locator(".dashboard-head h1")).to_contain_text(world.community_a.name)
    expect(page.locator(".breadcrumb a").first).to_have_text(world.subdistrict.name)
    expect(figure(page, 0)).to_have_text("1")
    expect(figure(page, 1)).to_have_text(str(Membership.objects.filter(organization=world.org_a).count()))
    org_list = f"{reverse('registry:organization-list')}?community={world.community_a.pk}"
    expect(page.locator(f'.community-link a[href="{org_list}"]')).to_be_visible()
    expect(page.locator(COMMUNITIES)).to_have_count(0)
    expect_charts_drawn(page, COMMUNITY_CHARTS)
    shot("dashboard-community")

    # …and back up by the breadcrumb, then by clicking anywhere on community B's row.
    page.locator(".breadcrumb a").first.click()
    expect(page.locator(".dashboard-head h1")).to_contain_text(world.subdistrict.name)
    page.locator(f'{COMMUNITIES} tbody tr[data-href*="area={world.community_b.pk}&"] td.num').first.click()
    expect(page).to_have_url(re.compile(rf"area={world.community_b.pk}(&|$)"))
    expect(page.locator(".dashboard-head h1")).to_contain_text(world.community_b.name)
    expect(figure(page, 1)).to_have_text("4")
    expect_charts_drawn(page, COMMUNITY_CHARTS)

    # The community's organization list, one click away.
    page.click(".community-link a")
    expect(page).to_have_url(re.compile(rf"community={world.community_b.pk}"))
    expect(page.locator("#org-results table.org-table tbody tr")).to_have_count(1)
