"""Personas shared by every test (DESIGN.md §5).

Area tree: 南山区 → 南山街道 → 社区A (荔芳社区), 社区B (南园社区); plus another subdistrict 粤海街道
with 科技园社区, which no persona but a superuser can see.

The world and the personas are ``@built_once`` (sifu/core/tests/built_once.py): built once per
test process and rolled back after each test, each test getting its own copy of the objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import override_settings
from django.utils import translation

from sifu.accounts.models import Area, User
from sifu.accounts.services import role_grant, system_actor
from sifu.accounts.tests.factories import UserFactory, make_area
from sifu.core.permissions import Role
from sifu.core.tests import built_once as once
from sifu.core.tests.built_once import built_once
from sifu.registry import services as registry_services
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization, make_person

PASSWORD = "Sifu-test-2024"
FAST_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # rows made outside the fixture, e.g. the demo
]


@pytest.fixture(autouse=True)
def _english_source_strings(settings):
    """Unit tests read the English source strings: pages (LANGUAGE_CODE) and messages made by
    services outside a request (the active language). Browser tests keep zh-hans (e2e/conftest.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Persona passwords are hashed with MD5 in tests only: the real hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@contextlib.contextmanager
def _unit_test_settings() -> Iterator[None]:
    """What the two fixtures above set, for building the shared layers before they run."""
    with override_settings(LANGUAGE_CODE="en", PASSWORD_HASHERS=FAST_PASSWORD_HASHERS), translation.override("en"):
        yield


# Built-once fixtures (sifu/core/tests/built_once.py): the store of this test process, and the two
# points where the layers are rolled back (before a test's fixtures) and built (before its transaction).


@pytest.fixture(scope="session")
def built_once_store(request, django_db_setup, django_db_blocker):
    with once.store_for_session(request.config, django_db_blocker, _unit_test_settings) as store:
        yield store


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    once.before_test(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == "_django_db_helper":  # pytest-django: opens the test's transaction
        once.before_database(request.node)
    return (yield)


@dataclass
class World:
    district: Area
    subdistrict: Area
    community_a: Area
    community_b: Area
    other_subdistrict: Area
    other_community: Area
    org_a: Organization  # filed, in community A, 12 members; org_leader administers it
    org_b: Organization  # filed, in community B
    org_other: Organization  # in the other subdistrict


@built_once
def world() -> World:
    district = make_area("南山区", Area.Kind.DISTRICT)
    subdistrict = make_area("南山街道", Area.Kind.SUBDISTRICT, district)
    community_a = make_area("荔芳社区", Area.Kind.COMMUNITY, subdistrict)
    community_b = make_area("南园社区", Area.Kind.COMMUNITY, subdistrict)
    other_subdistrict = make_area("粤海街道", Area.Kind.SUBDISTRICT, district)
    other_community = make_area("科技园社区", Area.Kind.COMMUNITY, other_subdistrict)
    org_a = make_organization(
        community_a,
        "荔芳食品安全自治会",
        members=12,
        filed=True,
        nature=Organization.Nature.ASSOCIATION,
        category=Organization.Category.AFFAIRS,
    )
    org_b = make_organization(community_b, "南园骑手互助会", members=4, filed=True)
    org_other = make_organization(other_community, "科技园读书会", members=3, filed=True)
    return World(
        district, subdistrict, community_a, community_b, other_subdistrict, other_community, org_a, org_b, org_other
    )


def _user(username: str, display: str) -> User:
    return UserFactory.create(username=username, display_name=display)


@built_once
def office_admin(world: World) -> User:
    user = _user("office_admin", "街道管理员")
    role_grant(user=user, role=Role.SUBDISTRICT_ADMIN, area=world.subdistrict, by=system_actor())
    return user


@built_once
def community_staff(world: World) -> User:
    user = _user("community_staff", "荔芳社区工作人员")
    role_grant(user=user, role=Role.COMMUNITY_STAFF, area=world.community_a, by=system_actor())
    return user


@built_once
def other_staff(world: World) -> User:
    user = _user("other_staff", "南园社区工作人员")
    role_grant(user=user, role=Role.COMMUNITY_STAFF, area=world.community_b, by=system_actor())
    return user


@built_once
def org_leader(world: World) -> User:
    user = _user("org_leader", "自治会负责人")
    role_grant(user=user, role=Role.ORG_ADMIN, organization=world.org_a, by=system_actor())
    return user


@built_once
def org_member(world: World) -> User:
    """A member of org A with a login but no role: sees nothing in the office."""
    user = _user("org_member", "普通成员")
    person = make_person("普通成员", community=world.community_a)
    registry_services.person_update(person=person, data={}, by=system_actor())
    person.user = user
    person.save(update_fields=["user"])
    registry_services.membership_add(
        organization=world.org_a, person=person, joined_on=dt.date(2021, 1, 1), by=system_actor()
    )
    return user


@built_once
def district_leader(world: World) -> User:
    user = _user("district_leader", "区领导")
    role_grant(user=user, role=Role.LEADER, area=world.district, by=system_actor())
    return user


@built_once
def reviewer(world: World) -> User:
    user = _user("reviewer", "评审专家")
    role_grant(user=user, role=Role.REVIEWER, area=world.subdistrict, by=system_actor())
    return user


@built_once
def outsider(world: World) -> User:
    return _user("outsider", "无角色用户")


PERSONAS = (
    "office_admin",
    "community_staff",
    "other_staff",
    "org_leader",
    "org_member",
    "district_leader",
    "reviewer",
    "outsider",
    "anonymous",
)


@pytest.fixture
def personas(
    office_admin, community_staff, other_staff, org_leader, org_member, district_leader, reviewer, outsider
) -> dict[str, User | None]:
    """Every persona by name, in PERSONAS order (None for anonymous): for tests that walk them all."""
    users = (office_admin, community_staff, other_staff, org_leader, org_member, district_leader, reviewer, outsider)
    return dict(zip(PERSONAS, (*users, None), strict=True))


@pytest.fixture
def persona(request, world):
    """Parametrize with a persona name; returns the user (None for anonymous)."""
    name = request.param
    if name == "anonymous":
        return None
    return request.getfixturevalue(name)
