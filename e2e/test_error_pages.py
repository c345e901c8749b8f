"""Error pages in the browser (zh-hans, DEBUG off): 404 and 403 in the public and office layouts, the
anonymous 403 with its login link, 429, the static 500, and the expired-form page whose reload link
brings the form back; screenshots at desktop and phone width."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("sifu.core.tests.error_urls")]


def both(shot, name: str) -> None:
    shot(name)
    shot(f"{name}-phone", phone=True)


def card(page):
    return page.locator(".error-card[role=alert]")


def test_404_public_and_office(world, community_staff, page, live_server, login, shot):
    page.goto(f"{live_server.url}/no-such-page/")
    expect(card(page).locator("h1")).to_have_text("页面不存在")
    expect(page.locator(".public-header")).to_be_visible()
    expect(card(page).locator(f'a[href="{reverse("web:home")}"]')).to_be_visible()
    both(shot, "error-404-public")

    login("community_staff")
    page.goto(f"{live_server.url}/office/no-such-page/")
    expect(card(page).locator(".error-code")).to_have_text("404")
    expect(page.locator(".office-sidebar")).to_be_attached()
    back = card(page).locator(".js-history-back")
    expect(back).to_be_visible()  # came from the office home: the browser's history goes back there
    back.click()
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")


def test_403_office_and_anonymous(world, community_staff, page, live_server, login, shot):
    login("community_staff")
    page.goto(f"{live_server.url}{reverse('accounts:user-list')}")
    expect(card(page).locator("h1")).to_have_text("您无权进行此操作")
    expect(page.locator(".office-sidebar")).to_be_attached()
    both(shot, "error-403-office")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/test-errors/refused/")
    link = card(page).locator(f'a.primary[href^="{reverse("accounts:login")}?next="]')
    expect(link).to_be_visible()
    both(shot, "error-403-anonymous")
    link.click()
    expect(page.locator("#id_username")).to_be_visible()


def test_429_of_the_need_submission(world, page, live_server, shot):
    from django.core.cache import cache

    from sifu.incubation.views.public import SUBMISSIONS_PER_HOUR, _rate_key

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    cache.set(_rate_key(Request()), SUBMISSIONS_PER_HOUR, 600)  # this connection already sent its share
    page.goto(f"{live_server.url}{reverse('incubation:need-submit')}")
    page.select_option("#id_community", str(world.community_a.pk))
    page.fill("#id_title", "楼道灯坏了")
    page.fill("#id_description", "三楼楼道灯已坏一周。")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click("main form button[type=submit]")
    assert sent.value.status == 429
    expect(card(page).locator("h1")).to_have_text("请求过于频繁")
    expect(page.locator(".public-header")).to_be_visible()
    both(shot, "error-429-need")
    cache.clear()


def test_500_is_a_static_page(world, page, live_server, shot):
    response = page.goto(f"{live_server.url}/office/test-errors/boom/")
    assert response.status == 500
    expect(card(page).locator("h1")).to_have_text("服务器出错了")
    expect(card(page).locator(f'a[href="{reverse("web:home")}"]')).to_be_visible()
    both(shot, "error-500")


def test_an_expired_form_is_reloaded(world, community_staff, page, live_server, shot):
    login_url = f"{live_server.url}{reverse('accounts:login')}"
    page.goto(login_url)
    page.context.clear_cookies()  # as if the token expired (another tab logged out, a long pause…)
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", "Sifu-test-2024")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.click("button[type=submit]")
    assert sent.value.status == 403
    expect(card(page).locator("h1")).to_have_text("表单已过期")
    both(shot, "error-csrf")
    card(page).locator("a.primary").click()  # ↻ reload the form
    expect(page).to_have_url(login_url)
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", "Sifu-test-2024")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}{reverse('web:office-home')}")
