"""The permission vocabulary (DESIGN.md §4.5): roles → perms, scopes on area subtrees or one org."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from hypothesis import given
from hypothesis import strategies as st

from sifu.accounts.models import User
from sifu.accounts.services import role_grant, role_revoke, system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import (
    ALL_PERMS,
    AREA_ROLES,
    GRANTABLE_ROLES,
    ORG_ROLES,
    ROLE_PERMISSIONS,
    Perm,
    Role,
    Scope,
    _minimal_paths,
    forget_grants,
    roles_of,
    scope_for,
)
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_person
from sifu.web.navigation import NAVIGATION

# --- the vocabulary ----------------------------------------------------------------------------


def _perm_codes() -> set[str]:
    return {v for k, v in vars(Perm).items() if k.isupper()}


def test_every_role_has_a_permission_set_and_a_target_kind():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    assert set(Role.values) == AREA_ROLES | ORG_ROLES
    assert not AREA_ROLES & ORG_ROLES


def test_every_role_permission_is_a_known_code():
    for role, perms in ROLE_PERMISSIONS.items():
        assert perms <= _perm_codes(), role


def test_every_permission_the_navigation_uses_exists():
    used = {item.perm for group in NAVIGATION for item in group.items}
    assert used
    assert used <= ALL_PERMS, used - ALL_PERMS


def test_reviewer_has_no_permissions_yet():
    assert ROLE_PERMISSIONS[Role.REVIEWER] == frozenset()


def test_leader_is_read_only():
    writes = {Perm.ORG_CHANGE, Perm.ORG_CREATE, Perm.ORG_TRANSITION, Perm.ORG_IMPORT, Perm.PEOPLE_CHANGE}
    writes |= {Perm.MEMBERS_CHANGE, Perm.ACCOUNTS_MANAGE, Perm.GRANT_AREA_ROLES, Perm.GRANT_ORG_ROLES}
    assert not ROLE_PERMISSIONS[Role.LEADER] & writes
    assert Perm.PEOPLE_SENSITIVE not in ROLE_PERMISSIONS[Role.LEADER]


def test_grant_permissions_hand_out_their_kind_of_role():
    assert GRANTABLE_ROLES[Perm.GRANT_AREA_ROLES] == AREA_ROLES
    assert GRANTABLE_ROLES[Perm.GRANT_ORG_ROLES] == ORG_ROLES


# --- Scope ---------------------------------------------------------------------------------------


def test_scope_covers_a_subtree_by_path_prefix():
    scope = Scope(area_paths=("1/2/",))
    assert scope.covers("1/2/")
    assert scope.covers("1/2/7/")
    assert not scope.covers("1/")  # the parent
    assert not scope.covers("1/3/")  # a sibling
    assert not scope.covers("1/22/")  # a sibling whose id starts with the same digit
    assert not scope.covers(None)
    assert not scope.covers("")


def test_scope_covers_granted_organizations_only():
    scope = Scope(organization_ids=frozenset({5}))
    assert scope.covers("1/2/", 5)
    assert not scope.covers("1/2/", 6)
    assert not scope.covers("1/2/")
    assert not scope.covers(None, None)


def test_everywhere_and_empty():
    assert Scope(everywhere=True).covers(None)
    assert Scope(everywhere=True).q("community__path") == Q()
    assert Scope().empty
    assert not Scope(area_paths=("1/",)).empty
    assert not Scope(organization_ids=frozenset({1})).empty
    assert not Scope(everywhere=True).empty


def test_minimal_paths_drops_covered_and_duplicate_paths():
    assert _minimal_paths(["1/2/3/", "1/2/", "1/2/", "4/", "1/22/"]) == ["4/", "1/2/", "1/22/"]
    assert _minimal_paths([]) == []


paths = st.lists(st.integers(1, 30), min_size=1, max_size=4).map(lambda ids: "".join(f"{i}/" for i in ids))


@given(st.lists(paths, max_size=8), paths)
def test_minimal_paths_covers_exactly_what_the_paths_cover(granted, probe):
    minimal = _minimal_paths(granted)
    assert any(probe.startswith(p) for p in granted) == any(probe.startswith(p) for p in minimal)
    for a in minimal:  # no path in the result covers another
        assert not any(b != a and a.startswith(b) for b in minimal)


def test_scope_q_filters_like_covers(world):
    scope = Scope(area_paths=(world.community_a.path,), organization_ids=frozenset({world.org_other.pk}))
    found = set(Organization.objects.filter(scope.q("community__path", "pk")))
    assert found == {world.org_a, world.org_other}
    for org in Organization.objects.select_related("community"):
        assert scope.covers(*org.scope_key()) == (org in found)


def test_scope_q_without_anything_matches_nothing(world):
    assert not Organization.objects.filter(Scope().q("community__path", "pk")).exists()


def test_scope_q_uses_one_condition_per_minimal_path(world):
    scope = Scope(area_paths=(world.subdistrict.path, world.community_a.path, world.community_b.path))
    sql = str(Organization.objects.filter(scope.q("community__path")).query)
    assert sql.count("LIKE") == 1
    assert Organization.objects.filter(scope.q("community__path")).count() == 2


# --- has_perm for each persona ------------------------------------------------------------------

ORG_PERMS = (Perm.ORG_VIEW, Perm.ORG_CHANGE, Perm.ORG_TRANSITION, Perm.MEMBERS_CHANGE, Perm.PEOPLE_SENSITIVE)

# persona → (organizations it may view, perms it holds somewhere)
EXPECTED = {
    "office_admin": ({"org_a", "org_b"}, ROLE_PERMISSIONS[Role.SUBDISTRICT_ADMIN]),
    "community_staff": ({"org_a"}, ROLE_PERMISSIONS[Role.COMMUNITY_STAFF]),
    "other_staff": ({"org_b"}, ROLE_PERMISSIONS[Role.COMMUNITY_STAFF]),
    "org_leader": ({"org_a"}, ROLE_PERMISSIONS[Role.ORG_ADMIN]),
    "org_member": (set(), frozenset()),
    "district_leader": ({"org_a", "org_b", "org_other"}, ROLE_PERMISSIONS[Role.LEADER]),
    "reviewer": (set(), frozenset()),
    "outsider": (set(), frozenset()),
    "anonymous": (set(), frozenset()),
}


@pytest.mark.parametrize("persona", list(EXPECTED), indirect=True)
def test_has_perm_without_object_is_held_somewhere(persona, request):
    name = request.node.callspec.params["persona"]
    user = persona or AnonymousUser()
    _, perms = EXPECTED[name]
    for perm in sorted(ALL_PERMS):
        assert user.has_perm(perm) == (perm in perms), (name, perm)


@pytest.mark.parametrize("persona", list(EXPECTED), indirect=True)
def test_has_perm_with_object_follows_the_scope(persona, request, world):
    name = request.node.callspec.params["persona"]
    user = persona or AnonymousUser()
    visible, perms = EXPECTED[name]
    for org_name in ("org_a", "org_b", "org_other"):
        org = getattr(world, org_name)
        for perm in ORG_PERMS:
            expected = org_name in visible and perm in perms
            assert user.has_perm(perm, org) == expected, (name, org_name, perm)
    found = set(Organization.objects.for_user(user, Perm.ORG_VIEW))
    assert found == {getattr(world, n) for n in visible}


def test_area_checks_use_the_subtree(world, office_admin, community_staff):
    assert office_admin.has_perm(Perm.AREA_MANAGE, world.subdistrict)
    assert office_admin.has_perm(Perm.AREA_MANAGE, world.community_b)
    assert not office_admin.has_perm(Perm.AREA_MANAGE, world.district)  # above the grant
    assert not office_admin.has_perm(Perm.AREA_MANAGE, world.other_community)
    assert community_staff.has_perm(Perm.ORG_CREATE, world.community_a)
    assert not community_staff.has_perm(Perm.ORG_CREATE, world.community_b)


def test_org_admin_sees_members_of_their_org_not_residents_of_the_community(world, org_leader):
    resident = make_person(community=world.community_a)
    assert not org_leader.has_perm(Perm.PEOPLE_VIEW, resident)


def test_roles_of(world, office_admin, org_leader, outsider):
    assert roles_of(office_admin) == {Role.SUBDISTRICT_ADMIN}
    assert roles_of(org_leader) == {Role.ORG_ADMIN}
    assert roles_of(outsider) == set()
    assert roles_of(AnonymousUser()) == set()
    assert roles_of(None) == set()


def test_superuser_holds_every_permission_everywhere(world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    for perm in sorted(ALL_PERMS):
        assert root.has_perm(perm)
        assert root.has_perm(perm, world.org_other)
    assert scope_for(root, Perm.ORG_VIEW).everywhere
    assert Organization.objects.for_user(root, Perm.ORG_VIEW).count() == Organization.objects.count()


def test_inactive_user_holds_nothing(world, office_admin):
    office_admin.is_active = False
    office_admin.save(update_fields=["is_active"])
    user = User.objects.get(pk=office_admin.pk)
    assert scope_for(user, Perm.ORG_VIEW).empty
    assert not user.has_perm(Perm.ORG_VIEW, world.org_a)
    assert not Organization.objects.for_user(user, Perm.ORG_VIEW).exists()


def test_revoked_grant_stops_working(world, community_staff, office_admin):
    assert community_staff.has_perm(Perm.ORG_CHANGE, world.org_a)
    grant = community_staff.grants.get()
    role_revoke(grant=grant, by=office_admin)
    # The next request loads the user afresh: the grant is gone.
    user = User.objects.get(pk=community_staff.pk)
    assert not user.has_perm(Perm.ORG_CHANGE, world.org_a)
    assert not user.has_perm(Perm.ORG_VIEW)
    assert not Organization.objects.for_user(user, Perm.ORG_VIEW).exists()
    # The same object, once told to forget, agrees.
    forget_grants(community_staff)
    assert not community_staff.has_perm(Perm.ORG_VIEW, world.org_a)


def test_new_grant_works_on_the_same_object(world, outsider):
    assert not outsider.has_perm(Perm.ORG_VIEW, world.org_b)
    role_grant(user=outsider, role=Role.COMMUNITY_STAFF, area=world.community_b, by=system_actor())
    assert outsider.has_perm(Perm.ORG_VIEW, world.org_b)


def test_grants_are_loaded_once_per_request(world, office_admin, django_assert_num_queries):
    user = User.objects.get(pk=office_admin.pk)  # as the authentication middleware loads it
    orgs = list(Organization.objects.select_related("community"))
    with django_assert_num_queries(1):  # 1. the user's active grants with their areas' paths
        for perm in sorted(ALL_PERMS):
            user.has_perm(perm)
            for org in orgs:
                user.has_perm(perm, org)
        scope_for(user, Perm.ORG_VIEW)
        roles_of(user)


def test_a_user_with_grants_on_many_areas_filters_with_one_condition_each(world, outsider):
    role_grant(user=outsider, role=Role.LEADER, area=world.community_a, by=system_actor())
    role_grant(user=outsider, role=Role.LEADER, area=world.subdistrict, by=system_actor())
    role_grant(user=outsider, role=Role.LEADER, area=world.other_community, by=system_actor())
    scope = scope_for(outsider, Perm.ORG_VIEW)
    assert sorted(scope.area_paths) == sorted([world.subdistrict.path, world.other_community.path])
    assert set(Organization.objects.for_user(outsider, Perm.ORG_VIEW)) == {world.org_a, world.org_b, world.org_other}
