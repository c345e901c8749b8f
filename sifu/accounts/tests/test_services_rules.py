"""The rules of the area tree and of role grants, exhaustively (complements test_services.py).

Every refusal is checked to write nothing: no row, no history version.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from sifu.accounts import services
from sifu.accounts.models import Area, RoleGrant, User
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import AREA_ROLES, ORG_ROLES, Perm, Role

K = Area.Kind
PASSWORD = "Sifu-new-2024!"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _counts() -> tuple[int, ...]:
    return (
        Area.objects.count(),
        Area.history.count(),
        User.objects.count(),
        User.history.count(),
        RoleGrant.objects.count(),
        RoleGrant.history.count(),
    )


def refused(call, *fragments, exc=ValidationError):
    before = _counts()
    with pytest.raises(exc) as info:
        call()
    assert _counts() == before, "a refused call wrote something"
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return info.value


# --- areas ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_materialized_path_and_depth_down_the_whole_tree():
    parent = None
    chain = []
    for kind, name in [
        (K.CITY, "深圳市"),
        (K.DISTRICT, "南山区"),
        (K.SUBDISTRICT, "南山街道"),
        (K.COMMUNITY, "荔芳社区"),
        (K.ESTATE, "荔芳花园"),
        (K.GRID, "第一网格"),
    ]:
        area = services.area_create(name=f" {name} ", kind=kind, parent=parent, by=system_actor())
        chain.append(area)
        stored = Area.objects.get(pk=area.pk)
        assert stored.name == name
        assert stored.path == "".join(f"{a.pk}/" for a in chain)
        assert stored.depth == len(chain) - 1
        version = stored.history.get()
        assert (version.path, version.history_change_reason) == (stored.path, "accounts.area.created")
        parent = area
    city, *_, grid = chain
    assert list(Area.objects.subtree(city)) == chain
    assert list(Area.objects.subtree(grid)) == [grid]
    assert all(a.is_within(city) for a in chain)
    assert not city.is_within(grid)


@pytest.mark.django_db
@pytest.mark.parametrize("parent_kind", list(K))
@pytest.mark.parametrize("kind", list(K))
def test_child_kind_rules(parent_kind, kind):
    """Every (parent kind, child kind) pair: allowed exactly as Area.CHILD_KINDS says."""
    allowed = {
        K.CITY: {K.DISTRICT},
        K.DISTRICT: {K.SUBDISTRICT},
        K.SUBDISTRICT: {K.COMMUNITY},
        K.COMMUNITY: {K.ESTATE, K.GRID},
        K.ESTATE: {K.GRID},
        K.GRID: set(),
    }
    # Build a parent of the wanted kind by the shortest legal chain.
    chain = [K.CITY, K.DISTRICT, K.SUBDISTRICT, K.COMMUNITY, K.ESTATE, K.GRID]
    parent = None
    for step in chain[: chain.index(parent_kind) + 1]:
        parent = services.area_create(name=f"上级{step}", kind=step, parent=parent, by=system_actor())
    if kind in allowed[parent_kind]:
        child = services.area_create(name="下级", kind=kind, parent=parent, by=system_actor())
        assert child.parent == parent
    else:
        refused(
            lambda: services.area_create(name="下级", kind=kind, parent=parent, by=system_actor()),
            f"A {K(kind).label} cannot be placed under a {K(parent_kind).label}",
        )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [K.COMMUNITY, K.ESTATE, K.GRID])
def test_small_areas_need_a_parent(kind):
    refused(
        lambda: services.area_create(name="孤立社区", kind=kind, parent=None, by=system_actor()),
        "must belong to a parent",
    )


def test_duplicate_names_are_refused_under_the_same_parent_only(world, office_admin):
    refused(
        lambda: services.area_create(name=" 荔芳社区 ", kind=K.COMMUNITY, parent=world.subdistrict, by=office_admin),
        "“荔芳社区” already exists here",
    )
    refused(
        lambda: services.area_create(name="南山区", kind=K.DISTRICT, parent=None, by=system_actor()), "already exists"
    )
    # The same name under another parent is a different place.
    services.area_create(name="荔芳花园", kind=K.ESTATE, parent=world.community_a, by=office_admin)
    services.area_create(name="荔芳花园", kind=K.ESTATE, parent=world.community_b, by=office_admin)


def test_blank_names_are_refused(world, office_admin):
    refused(lambda: services.area_create(name="  ", kind=K.GRID, parent=world.community_a, by=office_admin), "name")


def test_area_scope(world, office_admin, community_staff, district_leader):
    refused(
        lambda: services.area_create(name="科技园花园", kind=K.ESTATE, parent=world.other_community, by=office_admin),
        "科技园社区",
        exc=PermissionDenied,
    )
    for user in (community_staff, district_leader):
        refused(
            lambda user=user: services.area_create(name="网格", kind=K.GRID, parent=world.community_a, by=user),
            exc=PermissionDenied,
        )
    services.area_create(name="网格", kind=K.GRID, parent=world.community_a, by=office_admin)


# --- accounts -------------------------------------------------------------------------------------------


def test_passwords_are_validated_with_actionable_messages(office_admin):
    error = refused(lambda: services.user_create(username="zhang", password="zhang123", by=office_admin))
    messages = " ".join(error.message_dict["password"])
    assert "too short" in messages or "too similar" in messages or "too common" in messages
    error = refused(lambda: services.user_create(username="zhang", password="12345678901", by=office_admin))
    assert "entirely numeric" in " ".join(error.message_dict["password"])


@pytest.mark.parametrize("taken", ["OFFICE_ADMIN", " office_admin ", "Office_Admin"])
def test_usernames_are_unique_whatever_the_case(office_admin, taken):
    error = refused(lambda: services.user_create(username=taken, password=PASSWORD, by=office_admin), "is taken")
    assert "username" in error.message_dict


def test_a_blank_username_is_refused(office_admin):
    assert (
        "username"
        in refused(lambda: services.user_create(username=" ", password=PASSWORD, by=system_actor())).message_dict
    )


def test_created_account_has_no_role_and_sees_nothing(office_admin, world):
    user = services.user_create(username="zhao", password=PASSWORD, display_name=" 赵社工 ", by=office_admin)
    assert str(user) == "赵社工"
    assert not user.has_perm(Perm.ORG_VIEW)
    assert not user.has_perm(Perm.ORG_VIEW, world.org_a)


# --- role_grant ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(AREA_ROLES))
def test_area_roles_are_granted_on_areas_only(world, outsider, role):
    refused(
        lambda: services.role_grant(user=outsider, role=role, organization=world.org_a, by=system_actor()),
        "is granted on an area",
    )
    refused(lambda: services.role_grant(user=outsider, role=role, by=system_actor()), "is granted on an area")


@pytest.mark.parametrize("role", sorted(ORG_ROLES))
def test_org_roles_are_granted_on_one_organization_only(world, outsider, role):
    refused(
        lambda: services.role_grant(user=outsider, role=role, area=world.community_a, by=system_actor()),
        "is granted on one organization",
    )
    refused(
        lambda: services.role_grant(
            user=outsider, role=role, area=world.community_a, organization=world.org_a, by=system_actor()
        ),
        "is granted on one organization",
    )


def test_unknown_role_is_refused(world, outsider):
    refused(
        lambda: services.role_grant(user=outsider, role="mayor", area=world.community_a, by=system_actor()),
        "Unknown role",
    )


def test_subdistrict_admin_grants_within_the_subtree_only(world, office_admin, outsider):
    for role, kw in [
        (Role.COMMUNITY_STAFF, {"area": world.other_community}),
        (Role.LEADER, {"area": world.district}),  # above their own area
        (Role.SUBDISTRICT_ADMIN, {"area": world.other_subdistrict}),
        (Role.ORG_ADMIN, {"organization": world.org_other}),
    ]:
        refused(
            lambda role=role, kw=kw: services.role_grant(user=outsider, role=role, by=office_admin, **kw),
            exc=PermissionDenied,
        )
    for role, kw in [
        (Role.SUBDISTRICT_ADMIN, {"area": world.subdistrict}),
        (Role.COMMUNITY_STAFF, {"area": world.community_a}),
        (Role.LEADER, {"area": world.subdistrict}),
        (Role.REVIEWER, {"area": world.subdistrict}),
        (Role.ORG_ADMIN, {"organization": world.org_b}),
    ]:
        grant = services.role_grant(user=outsider, role=role, by=office_admin, **kw)
        version = grant.history.get()
        assert (version.history_change_reason, version.history_user) == ("accounts.role.granted", office_admin)
    assert RoleGrant.objects.active().filter(user=outsider).count() == 5


def test_community_staff_grant_org_admin_in_their_community_only(world, community_staff, outsider):
    refused(
        lambda: services.role_grant(user=outsider, role=Role.ORG_ADMIN, organization=world.org_b, by=community_staff),
        exc=PermissionDenied,
    )
    for role in sorted(AREA_ROLES):
        refused(
            lambda role=role: services.role_grant(user=outsider, role=role, area=world.community_a, by=community_staff),
            exc=PermissionDenied,
        )
    grant = services.role_grant(user=outsider, role=Role.ORG_ADMIN, organization=world.org_a, by=community_staff)
    assert grant.granted_by == community_staff
    assert outsider.has_perm(Perm.MEMBERS_CHANGE, world.org_a)


@pytest.mark.parametrize(
    "persona", ["org_leader", "district_leader", "reviewer", "outsider", "org_member"], indirect=True
)
def test_roles_without_grant_rights_cannot_grant(world, persona):
    target = UserFactory(username="target")
    refused(
        lambda: services.role_grant(user=target, role=Role.ORG_ADMIN, organization=world.org_a, by=persona),
        exc=PermissionDenied,
    )
    refused(
        lambda: services.role_grant(user=target, role=Role.LEADER, area=world.community_a, by=persona),
        exc=PermissionDenied,
    )


def test_cannot_grant_twice_but_may_grant_again_after_revoking(world, office_admin, community_staff):
    grant = community_staff.grants.get()
    refused(
        lambda: services.role_grant(
            user=community_staff, role=Role.COMMUNITY_STAFF, area=world.community_a, by=office_admin
        ),
        "already holds this role here",
    )
    services.role_revoke(grant=grant, by=office_admin)
    again = services.role_grant(
        user=community_staff, role=Role.COMMUNITY_STAFF, area=world.community_a, by=office_admin
    )
    assert again.pk != grant.pk
    assert RoleGrant.objects.filter(user=community_staff).count() == 2
    assert RoleGrant.objects.active().filter(user=community_staff).get() == again


def test_deactivated_accounts_get_no_roles(world, office_admin):
    user = UserFactory(username="gone", is_active=False)
    refused(
        lambda: services.role_grant(user=user, role=Role.LEADER, area=world.subdistrict, by=office_admin),
        "deactivated",
    )


# --- role_revoke -----------------------------------------------------------------------------------------------


def test_revoke_writes_history_and_ends_access(world, office_admin, org_leader):
    grant = org_leader.grants.get()
    services.role_revoke(grant=grant, by=office_admin)
    grant.refresh_from_db()
    assert not grant.is_active
    version = grant.history.latest()
    assert (version.history_change_reason, version.history_user) == ("accounts.role.revoked", office_admin)
    assert not User.objects.get(pk=org_leader.pk).has_perm(Perm.ORG_VIEW, world.org_a)
    refused(lambda: services.role_revoke(grant=grant, by=office_admin), "already revoked")


def test_community_staff_revoke_org_admins_of_their_community_only(world, community_staff, other_staff, org_leader):
    refused(lambda: services.role_revoke(grant=org_leader.grants.get(), by=other_staff), exc=PermissionDenied)
    refused(lambda: services.role_revoke(grant=other_staff.grants.get(), by=community_staff), exc=PermissionDenied)
    services.role_revoke(grant=org_leader.grants.get(), by=community_staff)


def test_subdistrict_admin_cannot_revoke_own_admin_role_but_another_admin_can(world, office_admin):
    own = office_admin.grants.get()
    refused(lambda: services.role_revoke(grant=own, by=office_admin), "your own subdistrict admin role")
    colleague = UserFactory(username="colleague")
    services.role_grant(user=colleague, role=Role.SUBDISTRICT_ADMIN, area=world.subdistrict, by=office_admin)
    services.role_revoke(grant=own, by=colleague)
    assert not RoleGrant.objects.active().filter(user=office_admin).exists()


def test_subdistrict_admin_may_give_up_their_other_roles(world, office_admin):
    extra = services.role_grant(user=office_admin, role=Role.LEADER, area=world.subdistrict, by=office_admin)
    services.role_revoke(grant=extra, by=office_admin)
    assert not RoleGrant.objects.get(pk=extra.pk).is_active
