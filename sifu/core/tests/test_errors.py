"""Error pages (sifu/core/errors.py) with DEBUG off: each status in the request's layout, saying what
happened and offering a way back; 500 static (renders with the database down); the CSRF failure
page; the one 429 page used by the login throttling and the public need submission."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

ERROR_URLS = "sifu.core.tests.error_urls"
pytestmark = pytest.mark.urls(ERROR_URLS)


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def html(response) -> str:
    return response.content.decode()


def public_layout(response) -> bool:
    return 'class="public-header"' in html(response) and 'class="office-sidebar"' not in html(response)


def office_layout(response) -> bool:
    return 'class="office-sidebar"' in html(response)


# 404 --------------------------------------------------------------------------------------


def test_404_on_a_public_page_uses_the_public_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert public_layout(response)
    assert "This page does not exist" in html(response)
    assert f'href="{reverse("web:home")}"' in html(response)


def test_404_in_the_office_uses_the_office_layout_with_its_menu(client, community_staff):
    client.force_login(community_staff)
    response = client.get("/office/no-such-page/")
    assert response.status_code == 404
    assert office_layout(response)
    assert f'href="{reverse("registry:organization-list")}"' in html(response)  # the menu
    assert f'class="button" href="{reverse("web:office-home")}"' in html(response)  # home is the office home


def test_404_outside_the_users_scope_is_the_same_page(client, world, other_staff):
    client.force_login(other_staff)
    response = client.get(reverse("registry:organization-detail", args=[world.org_a.pk]))
    assert response.status_code == 404 and office_layout(response)
    assert "This page does not exist" in html(response)


def test_404_in_the_office_for_an_anonymous_user_uses_the_public_layout(client, db):
    response = client.get("/office/no-such-page/")
    assert response.status_code == 404 and public_layout(response)


def test_the_previous_page_is_offered_when_it_is_of_this_site(client, db):
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/organizations/?q=1")
    assert 'href="http://testserver/organizations/?q=1" rel="prev"' in html(response)
    other = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in html(other)
    assert "js-history-back" in html(other)  # the browser's history instead


def test_404_in_zh_hans(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in html(response) and "返回首页" in html(response)


def test_404_under_the_api_is_json(client, db):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


# 403 --------------------------------------------------------------------------------------


def test_403_in_the_office_says_which_role_is_missing(client, community_staff):
    client.force_login(community_staff)
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 403
    assert office_layout(response)
    assert "You are not allowed to do this" in html(response) and "ask your subdistrict admin" in html(response)
    assert reverse("accounts:login") not in html(response)


def test_403_shows_the_refusals_own_message(client, district_leader):
    client.force_login(district_leader)
    response = client.get(reverse("registry:organization-export"), {"unmasked": "1"})
    assert response.status_code == 403
    assert "You may not export unmasked personal information." in html(response)


def test_403_for_an_anonymous_user_offers_to_log_in_and_come_back(client, db):
    response = client.get("/test-errors/refused/?x=1")
    assert response.status_code == 403 and public_layout(response)
    login = f"{reverse('accounts:login')}?next=/test-errors/refused/%3Fx%3D1"
    assert f'href="{login}"' in html(response)
    assert "Log in to continue" in html(response) and "You are not allowed" not in html(response)


def test_403_in_zh_hans(client, community_staff):
    client.force_login(community_staff)
    response = client.get(reverse("accounts:user-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "您无权进行此操作" in html(response)


# 400 --------------------------------------------------------------------------------------


def test_400_for_a_tampered_request(client, db):
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400 and public_layout(response)
    assert "This request could not be understood" in html(response)


def test_400_for_an_unknown_host_still_renders(client, db):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_REFERER="http://evil.example/")
    assert response.status_code == 400
    assert "This request could not be understood" in html(response) and "evil.example" not in html(response)


# 500 --------------------------------------------------------------------------------------


def test_500_is_static_and_offers_a_way_back(db, community_staff, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    client.force_login(community_staff)
    with django_assert_num_queries(0):  # no session, user, grants or menu: nothing that needs the database
        response = client.get("/office/test-errors/boom/")
    assert response.status_code == 500
    page = html(response)
    assert "Something went wrong on our side" in page and "not caused by anything you did" in page
    assert f'href="{reverse("web:home")}"' in page and "history.back()" in page
    assert "office-sidebar" not in page and community_staff.username not in page


def test_500_renders_while_the_database_is_down(db, community_staff, django_db_blocker):
    client = Client(raise_request_exception=False)
    client.force_login(community_staff)
    with django_db_blocker.block():  # any query from here on raises
        response = client.get("/office/test-errors/database-down/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in html(response)


def test_500_without_any_database(client):  # no db fixture: pytest-django refuses every query
    client.raise_request_exception = False
    response = client.get("/test-errors/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500
    assert "服务器出错了" in html(response)


# CSRF -------------------------------------------------------------------------------------


def test_an_expired_form_explains_and_offers_to_reload(db):
    client = Client(enforce_csrf_checks=True)
    login = reverse("accounts:login")
    response = client.post(login, {"username": "x", "password": "y"}, HTTP_REFERER=f"http://testserver{login}")
    assert response.status_code == 403
    page = html(response)
    assert "The form has expired" in page and "another tab" in page and "Nothing was saved" in page
    assert f'href="http://testserver{login}"' in page and "Reload the form" in page
    assert public_layout(response)


def test_an_expired_office_form_keeps_the_office_layout(db, community_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(community_staff)
    response = client.post(reverse("registry:organization-create"), {})
    assert response.status_code == 403 and office_layout(response)
    assert "The form has expired" in html(response)


def test_csrf_page_in_zh_hans(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "表单已过期" in html(response)


# 429 --------------------------------------------------------------------------------------


def test_the_login_lockout_is_the_sites_429_page(client, db, settings):
    from sifu.accounts.tests.factories import UserFactory

    UserFactory(username="lifang")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:login"), {"username": "lifang", "password": "wrong"})
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    page = html(response)
    assert "Too many failed logins" in page and "paused for 15 minutes" in page
    assert "Please try again in 15 minutes." in page
    assert response["Retry-After"] == "900"
    assert public_layout(response)


def test_the_need_submission_limit_is_the_sites_429_page(client, world):
    from sifu.incubation.tests.test_views import SUBMIT, submission

    for i in range(5):
        client.post(SUBMIT, submission(world, title=f"需求{i}"), REMOTE_ADDR="10.0.0.7")
    response = client.post(SUBMIT, submission(world, title="第六条"), REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert "Too many needs" in html(response) and public_layout(response)
