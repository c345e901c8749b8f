"""Login, logout and throttling of failed logins (django-axes: 5 failures per login name + address)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from sifu.accounts.tests.factories import UserFactory

PASSWORD = "Sifu-test-2024"  # UserFactory's


@pytest.fixture
def staff(db):
    return UserFactory(username="lifang")


def _login(client, password, username="lifang", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_login_success_goes_to_office(client, staff):
    response = _login(client, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("web:office-home")


def test_wrong_password_shows_a_clear_error(client, staff):
    response = _login(client, "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct" in html and 'role="alert"' in html
    assert 'value="lifang"' in html  # the login name is kept


def test_five_failures_lock_out_even_the_right_password(client, staff):
    for _ in range(4):
        assert _login(client, "wrong-password").status_code == 200
    fifth = _login(client, "wrong-password")
    assert fifth.status_code == 429  # the fifth failure already locks
    sixth = _login(client, PASSWORD)
    assert sixth.status_code == 429
    assert "Too many failed logins" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked (per login name + address), nor is another login name here.
    assert _login(client, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_lockout_is_per_login_name(client, staff):
    UserFactory(username="nanyuan")
    for _ in range(5):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD, username="nanyuan").status_code == 302


def test_successful_login_resets_the_counter(client, staff):
    for _ in range(4):
        _login(client, "wrong-password")
    assert AccessAttempt.objects.get(username="lifang").failures_since_start == 4
    assert _login(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="lifang").exists()
    client.post(reverse("accounts:logout"))
    # Four more failures are allowed again before the lock.
    for _ in range(4):
        assert _login(client, "wrong-password").status_code == 200
    assert _login(client, PASSWORD).status_code == 302


def test_deactivated_account_cannot_log_in(client, staff):
    staff.is_active = False
    staff.save()
    response = _login(client, PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_is_post(client, staff):
    client.force_login(staff)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session
