"""The admins page of one organization (registry:organization-admins): access per persona, granting
to an existing or a new account, revoking, refusals shown on the form, and a fixed query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sifu.accounts import services
from sifu.accounts.models import User
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import Perm, Role

PASSWORD = "Sifu-new-2024!"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


ORG_ADMINS_STATUS = {
    # persona: (status for org_a, status for org_b)
    "office_admin": (200, 200),
    "community_staff": (200, 404),
    "other_staff": (404, 200),
    "org_leader": (403, 404),
    "org_member": (404, 404),
    "district_leader": (403, 403),
    "reviewer": (404, 404),
    "outsider": (404, 404),
}


@pytest.mark.parametrize("persona", [*ORG_ADMINS_STATUS, "anonymous"], indirect=True)
def test_organization_admins_access(client, persona, world):
    urls = [reverse("registry:organization-admins", args=[org.pk]) for org in (world.org_a, world.org_b)]
    if persona is None:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        return
    client.force_login(persona)
    assert tuple(client.get(url).status_code for url in urls) == ORG_ADMINS_STATUS[persona.username]


def test_community_staff_make_existing_account_org_admin(client, community_staff, outsider, world):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    response = client.post(url, {"action": "existing", "username": "OUTSIDER"})
    assert response.status_code == 302 and response.url == url
    grant = outsider.grants.get()
    assert (grant.role, grant.organization, grant.granted_by) == (Role.ORG_ADMIN, world.org_a, community_staff)
    page = client.get(url)
    assert [g.user for g in page.context["active_grants"]] == [outsider]


def test_community_staff_unknown_login_name(client, community_staff, world):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    response = client.post(url, {"action": "existing", "username": "ghost"})
    assert response.status_code == 400
    assert "No account has the login name" in response.content.decode()


def test_community_staff_create_new_org_admin(client, community_staff, world):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    data = {"action": "new", "new-username": "zhang", "new-display_name": "张会长"}
    response = client.post(url, {**data, "new-password1": "short", "new-password2": "short"})
    assert response.status_code == 400 and not User.objects.filter(username="zhang").exists()
    assert "too short" in response.content.decode()
    response = client.post(url, {**data, "new-password1": PASSWORD, "new-password2": PASSWORD})
    assert response.status_code == 302
    zhang = User.objects.get(username="zhang")
    assert zhang.has_perm(Perm.ORG_CHANGE, world.org_a)
    assert zhang.history.get(history_type="+").history_user == community_staff


def test_community_staff_revoke_org_admin(client, community_staff, org_leader, world):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    grant = org_leader.grants.get()
    response = client.post(reverse("accounts:role-revoke", args=[grant.pk]), {"next": url})
    assert response.url == url
    grant.refresh_from_db()
    assert grant.revoked_by == community_staff
    page = client.get(url)
    assert page.context["active_grants"] == [] and page.context["former_grants"] == [grant]


def test_organization_admins_query_count_is_fixed(client, community_staff, world, django_assert_max_num_queries):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        user = UserFactory(username=f"admin{i}")
        grant = services.role_grant(user=user, role=Role.ORG_ADMIN, organization=world.org_a, by=system_actor())
        if i % 2:
            services.role_revoke(grant=grant, by=system_actor())
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["active_grants"]) == 3 and len(response.context["former_grants"]) == 3


def test_existing_account_that_already_is_admin_is_refused_on_the_form(client, community_staff, org_leader, world):
    client.force_login(community_staff)
    url = reverse("registry:organization-admins", args=[world.org_a.pk])
    before = org_leader.grants.count()
    response = client.post(url, {"action": "existing", "username": "org_leader"})
    assert response.status_code == 400
    assert "already holds this role here" in response.content.decode()
    assert org_leader.grants.count() == before


def test_page_links_back_and_offers_revoke(client, community_staff, org_leader, world):
    client.force_login(community_staff)
    html = client.get(reverse("registry:organization-admins", args=[world.org_a.pk])).content.decode()
    assert reverse("registry:organization-detail", args=[world.org_a.pk]) in html
    assert reverse("accounts:role-revoke", args=[org_leader.grants.get().pk]) in html


def test_revoke_without_next_returns_to_the_admins_page(client, community_staff, org_leader, world):
    client.force_login(community_staff)
    response = client.post(reverse("accounts:role-revoke", args=[org_leader.grants.get().pk]))
    assert response.url == reverse("registry:organization-admins", args=[world.org_a.pk])
