"""Office pages for accounts and roles: access per persona, scope, refusals, query counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sifu.accounts import services
from sifu.accounts.models import RoleGrant, User
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import Role

PASSWORD = "Sifu-new-2024!"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- access matrix ------------------------------------------------------------------------------------

LIST_STATUS = {
    "office_admin": 200,
    "community_staff": 403,
    "other_staff": 403,
    "org_leader": 403,
    "org_member": 403,
    "district_leader": 403,
    "reviewer": 403,
    "outsider": 403,
}


@pytest.mark.parametrize("persona", [*LIST_STATUS, "anonymous"], indirect=True)
@pytest.mark.parametrize("url_name", ["accounts:user-list", "accounts:user-create", "accounts:area-list"])
def test_admin_pages_access(client, persona, url_name, request):
    url = reverse(url_name)
    if persona is None:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        return
    client.force_login(persona)
    assert client.get(url).status_code == LIST_STATUS[persona.username]


def test_user_detail_scope(client, office_admin, community_staff, outsider, world):
    client.force_login(office_admin)
    assert client.get(reverse("accounts:user-detail", args=[community_staff.pk])).status_code == 200
    # Role-less account created by nobody the admin knows: not theirs.
    assert client.get(reverse("accounts:user-detail", args=[outsider.pk])).status_code == 404
    # Someone holding roles only in the other subdistrict.
    elsewhere = UserFactory(username="elsewhere")
    services.role_grant(user=elsewhere, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor())
    assert client.get(reverse("accounts:user-detail", args=[elsewhere.pk])).status_code == 404
    client.force_login(community_staff)
    assert client.get(reverse("accounts:user-detail", args=[community_staff.pk])).status_code == 403


# --- user list ------------------------------------------------------------------------------------------


def test_user_list_shows_scope_roles_and_own_creations(client, office_admin, community_staff, org_leader, world):
    mine = services.user_create(username="fresh", password=PASSWORD, display_name="新账号", by=office_admin)
    elsewhere = UserFactory(username="elsewhere", display_name="外街道")
    services.role_grant(user=elsewhere, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor())
    client.force_login(office_admin)
    response = client.get(reverse("accounts:user-list"))
    shown = {u.username for u in response.context["page"].object_list}
    assert shown == {"office_admin", "community_staff", "org_leader", mine.username}
    html = response.content.decode()
    assert "荔芳社区" in html and "荔芳食品安全自治会" in html  # where the roles are
    assert "外街道" not in html


def test_user_list_keeps_accounts_whose_roles_were_revoked(client, office_admin, community_staff):
    services.role_revoke(grant=community_staff.grants.get(), by=office_admin)
    client.force_login(office_admin)
    page = client.get(reverse("accounts:user-list")).context["page"]
    row = next(u for u in page.object_list if u.pk == community_staff.pk)
    assert row.active_grants == []


def test_user_list_search(client, office_admin, community_staff, org_leader):
    client.force_login(office_admin)
    response = client.get(reverse("accounts:user-list"), {"q": "自治会"})
    assert [u.username for u in response.context["page"].object_list] == ["org_leader"]
    response = client.get(reverse("accounts:user-list"), {"q": "nobody-like-this"})
    assert "nobody-like-this" in response.content.decode()


def _many_accounts(n: int, by: User, world) -> None:
    for i in range(n):
        user = UserFactory.create(username=f"bulk{i:03d}")
        services.role_grant(user=user, role=Role.COMMUNITY_STAFF, area=world.community_b, by=by)
        services.role_grant(user=user, role=Role.ORG_ADMIN, organization=world.org_b, by=by)


@pytest.mark.parametrize("extra", [0, 30])
def test_user_list_query_count_is_fixed(
    client, office_admin, community_staff, org_leader, world, extra, django_assert_num_queries
):
    _many_accounts(extra, office_admin, world)
    client.force_login(office_admin)
    # 1 session, 2 user, 3 viewer's grants (cached for every has_perm: page + navigation),
    # 4 count of visible accounts, 5 the page of accounts, 6 their active grants (prefetch, with area/org joined)
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(3 + extra, 25)


# --- create ---------------------------------------------------------------------------------------------


def test_create_account_with_first_role(client, office_admin, world):
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:user-create"),
        {
            "username": "chen",
            "display_name": "南园社区 陈社工",
            "phone": "13912340000",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.COMMUNITY_STAFF,
            "area": world.community_b.pk,
        },
    )
    user = User.objects.get(username="chen")
    assert response.status_code == 302 and response.url == reverse("accounts:user-detail", args=[user.pk])
    grant = user.grants.get()
    assert (grant.role, grant.area, grant.granted_by) == (Role.COMMUNITY_STAFF, world.community_b, office_admin)
    assert user.history.get(history_type="+").history_user == office_admin


def test_create_account_shows_password_rules_and_writes_nothing(client, office_admin):
    client.force_login(office_admin)
    before = User.objects.count()
    response = client.post(
        reverse("accounts:user-create"),
        {"username": "weak", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["password1"]
    assert any("common" in e for e in errors) and any("numeric" in e for e in errors)
    assert "This password is too common." in response.content.decode()
    assert User.objects.count() == before


def test_create_account_role_needs_its_target(client, office_admin):
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:user-create"),
        {"username": "x1", "password1": PASSWORD, "password2": PASSWORD, "role": Role.COMMUNITY_STAFF},
    )
    assert response.status_code == 400 and "area" in response.context["form"].errors
    assert not User.objects.filter(username="x1").exists()


def test_create_account_offers_area_roles_only(client, office_admin, world):
    """Organization admins are appointed on the organization's admins page (registry), not here."""
    client.force_login(office_admin)
    response = client.get(reverse("accounts:user-create"))
    form = response.context["form"]
    assert [value for value, _label in form.fields["role"].choices if value] == [
        Role.SUBDISTRICT_ADMIN,
        Role.COMMUNITY_STAFF,
        Role.LEADER,
        Role.REVIEWER,
    ]
    assert "organization" not in form.fields
    response = client.post(
        reverse("accounts:user-create"),
        {"username": "x3", "password1": PASSWORD, "password2": PASSWORD, "role": Role.ORG_ADMIN},
    )
    assert response.status_code == 400 and "role" in response.context["form"].errors
    assert not User.objects.filter(username="x3").exists()


def test_create_account_cannot_pick_area_outside_scope(client, office_admin, world):
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:user-create"),
        {
            "username": "x2",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.COMMUNITY_STAFF,
            "area": world.other_community.pk,
        },
    )
    assert response.status_code == 400 and "area" in response.context["form"].errors
    assert not User.objects.filter(username="x2").exists()


# --- detail, grant, revoke, activate ---------------------------------------------------------------


def test_detail_shows_active_and_revoked_grants_with_who(client, office_admin, community_staff, world):
    services.role_grant(user=community_staff, role=Role.ORG_ADMIN, organization=world.org_a, by=office_admin)
    services.role_revoke(grant=community_staff.grants.get(role=Role.COMMUNITY_STAFF), by=office_admin)
    client.force_login(office_admin)
    response = client.get(reverse("accounts:user-detail", args=[community_staff.pk]))
    grants = response.context["grants"]
    assert [(g.role, g.is_active) for g in grants] == [(Role.ORG_ADMIN, True), (Role.COMMUNITY_STAFF, False)]
    assert grants[0].granted_by == office_admin and grants[1].revoked_by == office_admin
    actions = [e.action for e in response.context["timeline"]]
    assert actions.count("accounts.role.granted") == 2 and "accounts.role.revoked" in actions
    html = response.content.decode()
    assert "街道管理员" in html  # who granted / revoked


def test_detail_query_count_does_not_grow_with_grants(
    client, office_admin, community_staff, world, django_assert_max_num_queries
):
    client.force_login(office_admin)
    url = reverse("accounts:user-detail", args=[community_staff.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        grant = services.role_grant(
            user=community_staff, role=Role.ORG_ADMIN, organization=world.org_b, by=system_actor()
        )
        services.role_revoke(grant=grant, by=system_actor())
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_grant_from_detail(client, office_admin, outsider, world):
    services.role_grant(user=outsider, role=Role.LEADER, area=world.subdistrict, by=office_admin)
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:role-grant", args=[outsider.pk]),
        {"role": Role.COMMUNITY_STAFF, "area": world.community_b.pk},
    )
    assert response.status_code == 302
    assert outsider.grants.active().filter(role=Role.COMMUNITY_STAFF, area=world.community_b).exists()
    assert any("南园社区" in m for m in _messages(response))


def test_detail_grants_area_roles_only(client, office_admin, outsider, world):
    services.role_grant(user=outsider, role=Role.LEADER, area=world.subdistrict, by=office_admin)
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:role-grant", args=[outsider.pk]),
        {"role": Role.ORG_ADMIN, "organization": world.org_b.pk},
    )
    assert response.status_code == 400 and "role" in response.context["grant_form"].errors
    assert not outsider.grants.filter(role=Role.ORG_ADMIN).exists()


def test_detail_lists_org_grants_with_links_and_revokes_them(client, office_admin, org_leader, world):
    client.force_login(office_admin)
    url = reverse("accounts:user-detail", args=[org_leader.pk])
    html = client.get(url).content.decode()
    assert reverse("registry:organization-detail", args=[world.org_a.pk]) in html
    assert reverse("registry:organization-admins", args=[world.org_a.pk]) in html
    grant = org_leader.grants.get()
    response = client.post(reverse("accounts:role-revoke", args=[grant.pk]), {"next": url})
    assert response.status_code == 302 and response.url == url
    grant.refresh_from_db()
    assert grant.revoked_by == office_admin


def test_grant_refusal_is_a_message_and_writes_nothing(client, office_admin, community_staff, world):
    client.force_login(office_admin)
    before = RoleGrant.objects.count()
    response = client.post(
        reverse("accounts:role-grant", args=[community_staff.pk]),
        {"role": Role.SUBDISTRICT_ADMIN, "area": world.community_a.pk},
    )
    assert response.status_code == 400
    assert any("subdistrict admin is granted on a subdistrict" in m for m in _messages(response))
    assert RoleGrant.objects.count() == before


def test_grant_refuses_area_outside_scope(client, office_admin, community_staff, world):
    client.force_login(office_admin)
    response = client.post(
        reverse("accounts:role-grant", args=[community_staff.pk]),
        {"role": Role.COMMUNITY_STAFF, "area": world.other_community.pk},
    )
    assert response.status_code == 400 and "area" in response.context["grant_form"].errors
    assert community_staff.grants.count() == 1


def test_grant_is_post_only(client, office_admin, community_staff):
    client.force_login(office_admin)
    assert client.get(reverse("accounts:role-grant", args=[community_staff.pk])).status_code == 405


def test_revoke_from_detail(client, office_admin, community_staff, world):
    grant = community_staff.grants.get()
    client.force_login(office_admin)
    url = reverse("accounts:user-detail", args=[community_staff.pk])
    response = client.post(reverse("accounts:role-revoke", args=[grant.pk]), {"next": url})
    assert response.status_code == 302 and response.url == url
    grant.refresh_from_db()
    assert grant.revoked_by == office_admin


def test_revoke_refusal_is_a_message(client, office_admin):
    own = office_admin.grants.get()
    client.force_login(office_admin)
    response = client.post(reverse("accounts:role-revoke", args=[own.pk]))
    assert response.status_code == 302
    assert any("own subdistrict admin role" in m for m in _messages(response))
    own.refresh_from_db()
    assert own.is_active


def test_revoke_outside_scope_is_404_and_unsafe_next_ignored(client, office_admin, community_staff, world):
    elsewhere = UserFactory(username="elsewhere")
    grant = services.role_grant(
        user=elsewhere, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor()
    )
    client.force_login(office_admin)
    assert client.post(reverse("accounts:role-revoke", args=[grant.pk])).status_code == 404
    own_grant = community_staff.grants.get()
    response = client.post(reverse("accounts:role-revoke", args=[own_grant.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("accounts:user-detail", args=[community_staff.pk])


def test_deactivate_and_activate_from_detail(client, office_admin, community_staff):
    client.force_login(office_admin)
    url = reverse("accounts:user-set-active", args=[community_staff.pk])
    client.post(url, {"active": "0"})
    assert not User.objects.get(pk=community_staff.pk).is_active
    client.post(url, {"active": "1"})
    assert User.objects.get(pk=community_staff.pk).is_active


def test_deactivate_refusal_is_a_message(client, office_admin, community_staff, world):
    services.role_grant(user=community_staff, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor())
    client.force_login(office_admin)
    detail = client.get(reverse("accounts:user-detail", args=[community_staff.pk]))
    assert not detail.context["can_manage"] and len(detail.context["outside"]) == 1
    response = client.post(reverse("accounts:user-set-active", args=[community_staff.pk]), {"active": "0"})
    assert any("outside your area" in m for m in _messages(response))
    assert User.objects.get(pk=community_staff.pk).is_active


# --- revoking organization admins (community staff) ------------------------------------------------


def test_community_staff_cannot_revoke_elsewhere(client, community_staff, other_staff, world):
    grant_b = services.role_grant(user=other_staff, role=Role.ORG_ADMIN, organization=world.org_b, by=system_actor())
    client.force_login(community_staff)
    assert client.post(reverse("accounts:role-revoke", args=[grant_b.pk])).status_code == 404
    # An area grant in their own community: visible, but refused by the service with a message.
    colleague = UserFactory(username="colleague")
    area_grant = services.role_grant(
        user=colleague, role=Role.COMMUNITY_STAFF, area=world.community_a, by=system_actor()
    )
    response = client.post(reverse("accounts:role-revoke", args=[area_grant.pk]))
    assert any("cannot revoke" in m for m in _messages(response))
    area_grant.refresh_from_db()
    assert area_grant.is_active


@pytest.mark.parametrize("persona", ["org_leader", "district_leader", "outsider"])
def test_revoke_forbidden_without_grant_rights(client, request, persona, community_staff):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("accounts:role-revoke", args=[community_staff.grants.get().pk])).status_code == 403


def test_logins_do_not_clutter_the_timeline(client, office_admin, community_staff):
    client.post(reverse("accounts:login"), {"username": "community_staff", "password": "Sifu-test-2024"})
    assert community_staff.history.filter(history_type="~").exists()  # the last_login save
    client.force_login(office_admin)
    timeline = client.get(reverse("accounts:user-detail", args=[community_staff.pk])).context["timeline"]
    # The grant and the account's creation (made by the test factory, hence no action code); no empty "~".
    assert [(e.kind, e.action) for e in timeline] == [("+", "accounts.role.granted"), ("+", "")]
