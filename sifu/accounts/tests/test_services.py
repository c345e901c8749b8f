"""Account, role and area services: allowed and refused, with nothing written on refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sifu.accounts import services
from sifu.accounts.models import Area, RoleGrant, User
from sifu.accounts.services import system_actor
from sifu.core.permissions import Perm, Role

PASSWORD = "Sifu-new-2024!"


# --- user_create ---------------------------------------------------------------------------------------


def test_user_create_records_creator_in_history(office_admin):
    user = services.user_create(username="wang", password=PASSWORD, display_name="王社工", by=office_admin)
    assert user.check_password(PASSWORD)
    first = user.history.get(history_type="+")
    assert first.history_user == office_admin
    assert first.history_change_reason == "accounts.user.created"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "wang", "password": "123"}, "password"),  # too short and numeric
        ({"username": "wang", "password": "password"}, "password"),  # common
        ({"username": "bad name!", "password": PASSWORD}, "username"),
        ({"username": "wang", "password": PASSWORD, "phone": "12345"}, "phone"),
        ({"username": "wang", "password": PASSWORD, "email": "not-an-address"}, "email"),
    ],
)
def test_user_create_refuses_bad_input_and_writes_nothing(office_admin, data, field):
    before = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.user_create(**data, by=office_admin)
    assert field in exc.value.message_dict
    assert User.objects.count() == before


def test_user_create_normalizes_phone(office_admin):
    user = services.user_create(username="li", password=PASSWORD, phone="139 1234 5678", by=office_admin)
    assert user.phone == "13912345678"


def test_user_create_refuses_taken_name_case_insensitively(office_admin, community_staff):
    with pytest.raises(ValidationError) as exc:
        services.user_create(username="COMMUNITY_STAFF", password=PASSWORD, by=office_admin)
    assert "username" in exc.value.message_dict


@pytest.mark.parametrize("persona", ["org_leader", "district_leader", "outsider"])
def test_user_create_refused_without_account_rights(request, persona):
    by = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.user_create(username="sneaky", password=PASSWORD, by=by)
    assert not User.objects.filter(username="sneaky").exists()


def test_user_create_with_role_rolls_back_when_grant_refused(community_staff, world):
    # Community staff may create an account only together with an org-admin role in their community.
    with pytest.raises(PermissionDenied):
        services.user_create_with_role(
            username="newadmin", password=PASSWORD, role=Role.ORG_ADMIN, organization=world.org_b, by=community_staff
        )
    assert not User.objects.filter(username="newadmin").exists()
    user = services.user_create_with_role(
        username="newadmin", password=PASSWORD, role=Role.ORG_ADMIN, organization=world.org_a, by=community_staff
    )
    assert user.has_perm(Perm.ORG_CHANGE, world.org_a)


# --- role_grant / role_revoke ------------------------------------------------------------------------


def test_subdistrict_admin_grants_area_roles_in_subtree(office_admin, outsider, world):
    grant = services.role_grant(user=outsider, role=Role.COMMUNITY_STAFF, area=world.community_b, by=office_admin)
    assert grant.granted_by == office_admin
    assert outsider.has_perm(Perm.ORG_VIEW, world.org_b)
    assert not outsider.has_perm(Perm.ORG_VIEW, world.org_a)
    version = grant.history.get()
    assert (version.history_user, version.history_change_reason) == (office_admin, "accounts.role.granted")


def test_subdistrict_admin_cannot_grant_outside_subtree(office_admin, outsider, world):
    with pytest.raises(PermissionDenied):
        services.role_grant(user=outsider, role=Role.COMMUNITY_STAFF, area=world.other_community, by=office_admin)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=outsider, role=Role.LEADER, area=world.district, by=office_admin)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=outsider, role=Role.ORG_ADMIN, organization=world.org_other, by=office_admin)
    assert not RoleGrant.objects.filter(user=outsider).exists()


def test_community_staff_grant_org_admins_in_their_community_only(community_staff, outsider, world):
    services.role_grant(user=outsider, role=Role.ORG_ADMIN, organization=world.org_a, by=community_staff)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=outsider, role=Role.ORG_ADMIN, organization=world.org_b, by=community_staff)
    with pytest.raises(PermissionDenied):  # no area roles at all
        services.role_grant(user=outsider, role=Role.COMMUNITY_STAFF, area=world.community_a, by=community_staff)
    assert RoleGrant.objects.filter(user=outsider).count() == 1


@pytest.mark.parametrize("kind", [Area.Kind.COMMUNITY, Area.Kind.ESTATE])
def test_subdistrict_admin_role_needs_a_large_area(office_admin, outsider, world, kind):
    area = world.community_a
    if kind == Area.Kind.ESTATE:
        area = services.area_create(name="荔芳花园", kind=Area.Kind.ESTATE, parent=world.community_a, by=office_admin)
    with pytest.raises(ValidationError):
        services.role_grant(user=outsider, role=Role.SUBDISTRICT_ADMIN, area=area, by=office_admin)


def test_community_staff_role_not_on_a_subdistrict(office_admin, outsider, world):
    with pytest.raises(ValidationError):
        services.role_grant(user=outsider, role=Role.COMMUNITY_STAFF, area=world.subdistrict, by=office_admin)


def test_grant_twice_refused(office_admin, community_staff, world):
    with pytest.raises(ValidationError):
        services.role_grant(user=community_staff, role=Role.COMMUNITY_STAFF, area=world.community_a, by=office_admin)


def test_revoke_records_who_and_removes_access(office_admin, community_staff, world):
    grant = community_staff.grants.get()
    services.role_revoke(grant=grant, by=office_admin)
    grant.refresh_from_db()
    assert grant.revoked_by == office_admin and grant.revoked_at is not None
    fresh = User.objects.get(pk=community_staff.pk)
    assert not fresh.has_perm(Perm.ORG_VIEW, world.org_a)
    with pytest.raises(ValidationError):
        services.role_revoke(grant=grant, by=office_admin)
    assert [v.history_change_reason for v in grant.history.order_by("history_date")] == [
        "accounts.role.granted",
        "accounts.role.revoked",
    ]


def test_community_staff_cannot_revoke_area_roles(community_staff, other_staff, office_admin):
    with pytest.raises(PermissionDenied, match="revoke"):
        services.role_revoke(grant=other_staff.grants.get(), by=community_staff)
    assert other_staff.grants.get().is_active


def test_cannot_revoke_own_subdistrict_admin_role(office_admin):
    with pytest.raises(ValidationError):
        services.role_revoke(grant=office_admin.grants.get(), by=office_admin)


# --- user_set_active ---------------------------------------------------------------------------------


def test_deactivate_and_activate(office_admin, community_staff, world):
    services.user_set_active(user=community_staff, active=False, by=office_admin)
    fresh = User.objects.get(pk=community_staff.pk)
    assert not fresh.is_active and not fresh.has_perm(Perm.ORG_VIEW, world.org_a)
    with pytest.raises(ValidationError):
        services.user_set_active(user=fresh, active=False, by=office_admin)
    services.user_set_active(user=fresh, active=True, by=office_admin)
    assert User.objects.get(pk=community_staff.pk).is_active


def test_cannot_deactivate_self(office_admin):
    with pytest.raises(ValidationError):
        services.user_set_active(user=office_admin, active=False, by=office_admin)


def test_cannot_deactivate_someone_holding_roles_elsewhere(office_admin, community_staff, world):
    # Also community staff in the other subdistrict: the 南山 admin does not cover that.
    services.role_grant(user=community_staff, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor())
    with pytest.raises(PermissionDenied):
        services.user_set_active(user=community_staff, active=False, by=office_admin)
    assert User.objects.get(pk=community_staff.pk).is_active


@pytest.mark.parametrize("persona", ["community_staff", "district_leader"])
def test_deactivate_refused_without_account_rights(request, persona, org_leader):
    with pytest.raises(PermissionDenied):
        services.user_set_active(user=org_leader, active=False, by=request.getfixturevalue(persona))


def test_cannot_deactivate_unrelated_roleless_account(office_admin, outsider):
    with pytest.raises(PermissionDenied):
        services.user_set_active(user=outsider, active=False, by=office_admin)


# --- area_create ---------------------------------------------------------------------------------------


def test_area_create_in_scope_keeps_path_and_one_version(office_admin, world):
    estate = services.area_create(name="荔芳花园", kind=Area.Kind.ESTATE, parent=world.community_a, by=office_admin)
    grid = services.area_create(name="第一网格", kind=Area.Kind.GRID, parent=estate, by=office_admin)
    assert grid.path == f"{estate.path}{grid.pk}/" and grid.depth == estate.depth + 1
    assert Area.objects.get(pk=grid.pk).path == grid.path
    versions = list(grid.history.all())
    assert len(versions) == 1 and versions[0].path == grid.path and versions[0].history_user == office_admin


def test_area_create_refusals(office_admin, world):
    before = Area.objects.count()
    with pytest.raises(PermissionDenied):  # outside scope
        services.area_create(name="X", kind=Area.Kind.COMMUNITY, parent=world.other_subdistrict, by=office_admin)
    with pytest.raises(PermissionDenied):  # top level: superusers only
        services.area_create(name="X", kind=Area.Kind.DISTRICT, parent=None, by=office_admin)
    with pytest.raises(ValidationError):  # wrong kind under a community
        services.area_create(name="X", kind=Area.Kind.COMMUNITY, parent=world.community_a, by=office_admin)
    with pytest.raises(ValidationError):  # unknown kind
        services.area_create(name="X", kind="planet", parent=world.community_a, by=office_admin)
    with pytest.raises(ValidationError):  # duplicate name under the same parent
        services.area_create(name="荔芳社区", kind=Area.Kind.COMMUNITY, parent=world.subdistrict, by=office_admin)
    assert Area.objects.count() == before


def test_community_staff_cannot_create_areas(community_staff, world):
    with pytest.raises(PermissionDenied):
        services.area_create(name="X", kind=Area.Kind.GRID, parent=world.community_a, by=community_staff)
