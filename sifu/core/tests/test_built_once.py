"""Built-once fixtures (built_once.py): each test sees exactly the rows of the fixtures it asks for.

The tests run in file order (scripts/run-tests.sh keeps a module on one xdist worker); the ones
that compare with an earlier test say so and read what that test left in ``seen``.
"""

from __future__ import annotations

import os

import pytest

from sifu.accounts.models import Area, User
from sifu.accounts.tests.factories import make_area
from sifu.core.tests.built_once import current_store
from sifu.registry.models import Membership, Organization

pytestmark = pytest.mark.django_db

seen: dict[str, object] = {}


def accounts():
    """Accounts but the system actor (made by a migration, or on first use)."""
    return User.objects.filter(is_system=False)


def _members(org: Organization) -> int:
    return Membership.objects.filter(organization=org, left_on__isnull=True).count()


def test_the_world_as_the_fixture_describes_it(world, request, django_assert_num_queries):
    assert Area.objects.count() == 6
    assert Organization.objects.count() == 3
    assert _members(world.org_a) == 12
    assert not accounts().exists()  # no persona was asked for
    # One copy for the whole test: objects that referred to each other still do, and related
    # objects cached when the fixture built them are still cached.
    with django_assert_num_queries(0):
        assert world.community_a.parent is world.subdistrict
    seen["builds"] = current_store(request.config).builds
    seen["org_a"] = world.org_a
    seen["pid"] = os.getpid()


def test_changes_of_a_test_are_rolled_back_after_it(world):
    world.org_a.name = "改过的名字"
    world.org_a.save(update_fields=["name"])
    make_area("登良社区", Area.Kind.COMMUNITY, world.subdistrict)
    Membership.objects.filter(organization=world.org_b).delete()
    seen["changed"] = world.org_a


def test_the_next_test_gets_the_world_as_built_and_a_fresh_copy(world, request):
    assert world.org_a.name == "荔芳食品安全自治会"
    assert Organization.objects.get(pk=world.org_a.pk).name == "荔芳食品安全自治会"
    assert Area.objects.count() == 6
    assert _members(world.org_b) == 4
    assert world.org_a is not seen["org_a"]
    assert world.org_a is not seen["changed"]
    if seen.get("pid") == os.getpid():  # the first test ran in this process: the world was not built again
        assert current_store(request.config).builds == seen["builds"]


def test_a_test_without_the_world_sees_none_of_its_rows(db):
    assert not Area.objects.exists()
    assert not Organization.objects.exists()
    assert not accounts().exists()


def test_a_persona_brings_its_rows_only(office_admin, world):
    assert list(accounts().values_list("username", flat=True)) == ["office_admin"]
    assert office_admin.grants.get().area == world.subdistrict
    assert _members(world.org_a) == 12


def test_the_org_member_persona_joins_org_a(org_member, world):
    assert list(accounts().values_list("username", flat=True)) == ["org_member"]
    assert _members(world.org_a) == 13


def test_a_persona_asked_for_during_the_test_is_built_in_the_test(world, request):
    assert not accounts().exists()
    user = request.getfixturevalue("community_staff")
    assert list(accounts().values_list("pk", flat=True)) == [user.pk]


def test_the_personas_fixture_gives_every_persona(personas):
    from sifu.conftest import PERSONAS

    assert tuple(personas) == PERSONAS
    assert personas["anonymous"] is None
    assert accounts().count() == len(PERSONAS) - 1
    assert {u.username for u in personas.values() if u} == set(PERSONAS) - {"anonymous"}


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_its_own_world(world, office_admin):
    assert Area.objects.count() == 6
    assert Organization.objects.count() == 3
    assert _members(world.org_a) == 12
    assert list(accounts().values_list("username", flat=True)) == ["office_admin"]


def test_after_a_transactional_test_the_world_is_built_again(world):
    assert Area.objects.count() == 6
    assert Organization.objects.count() == 3
    assert _members(world.org_a) == 12
    assert not accounts().exists()
