"""Services for people and memberships: allowed and refused changes (DESIGN.md §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.registry import services
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.tests.factories import make_organization, make_person, valid_id_number, valid_phone

JOINED = dt.date(2020, 1, 1)  # when the world's members joined


def _leader(org: Organization) -> Membership:
    return Membership.objects.get(organization=org, role=Membership.Role.LEADER, left_on__isnull=True)


def _member(org: Organization) -> Membership:
    member = Membership.objects.filter(organization=org, role=Membership.Role.MEMBER, left_on__isnull=True).first()
    assert member is not None
    return member


def _current_leaders(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).count()


def _error_fields(exc: pytest.ExceptionInfo) -> set[str]:
    return set(getattr(exc.value, "error_dict", {}))


# One current leader per active organization ------------------------------------------------


def test_second_leader_is_refused(world):
    person = make_person(community=world.community_a)
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            organization=world.org_a, person=person, joined_on=JOINED, role=Membership.Role.LEADER, by=system_actor()
        )
    assert _error_fields(exc) == {"role"}
    assert "Change leader" in str(exc.value)
    assert _current_leaders(world.org_a) == 1
    assert not Membership.objects.filter(person=person).exists()


def test_ending_the_leader_of_an_active_organization_is_refused(world):
    leader = _leader(world.org_a)
    with pytest.raises(ValidationError, match="Hand over to a new leader first"):
        services.membership_end(membership=leader, left_on=dt.date(2023, 1, 1), by=system_actor())
    leader.refresh_from_db()
    assert leader.left_on is None


def test_leader_role_cannot_be_changed_away_or_given_by_role_change(world):
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=_leader(world.org_a), role=Membership.Role.MEMBER, by=system_actor())
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=_member(world.org_a), role=Membership.Role.LEADER, by=system_actor())
    assert _current_leaders(world.org_a) == 1


def test_change_leader_to_a_current_member_keeps_exactly_one_leader(world):
    old = _leader(world.org_a)
    new = _member(world.org_a)
    result = services.organization_change_leader(organization=world.org_a, person=new.person, by=system_actor())
    assert result.pk == new.pk
    assert result.role == Membership.Role.LEADER
    old.refresh_from_db()
    assert old.role == Membership.Role.BACKBONE
    assert old.left_on is None
    assert _current_leaders(world.org_a) == 1
    assert _leader(world.org_a).person_id == new.person_id


def test_change_leader_to_a_new_person_adds_them(world):
    outsider = make_person("新负责人", community=world.community_a)
    on = dt.date(2024, 3, 1)
    membership = services.organization_change_leader(
        organization=world.org_a, person=outsider, on=on, previous_leader_role=Membership.Role.DEPUTY, by=system_actor()
    )
    assert membership.joined_on == on
    assert _current_leaders(world.org_a) == 1
    assert Membership.objects.filter(organization=world.org_a, role=Membership.Role.DEPUTY).count() == 1


def test_change_leader_refuses_leader_as_the_outgoing_role(world):
    with pytest.raises(ValidationError) as exc:
        services.organization_change_leader(
            organization=world.org_a,
            person=_member(world.org_a).person,
            previous_leader_role=Membership.Role.LEADER,
            by=system_actor(),
        )
    assert _error_fields(exc) == {"previous_leader_role"}
    assert _current_leaders(world.org_a) == 1


def test_change_leader_refuses_the_current_leader(world):
    with pytest.raises(ValidationError, match="already the leader"):
        services.organization_change_leader(
            organization=world.org_a, person=_leader(world.org_a).person, by=system_actor()
        )


def test_a_proposed_organization_may_be_without_leader(world):
    org = make_organization(world.community_a, members=2)
    assert org.status == Organization.Status.PROPOSED
    ended = services.membership_end(membership=_leader(org), left_on=dt.date(2021, 1, 1), by=system_actor())
    assert ended.left_on == dt.date(2021, 1, 1)
    assert _current_leaders(org) == 0


# Dates --------------------------------------------------------------------------------------


def test_joining_in_the_future_is_refused(world):
    with pytest.raises(ValidationError, match="future"):
        services.membership_add(
            organization=world.org_a,
            person=make_person(),
            joined_on=timezone.localdate() + dt.timedelta(days=2),
            by=system_actor(),
        )


def test_leaving_before_joining_or_in_the_future_is_refused(world):
    member = _member(world.org_a)
    with pytest.raises(ValidationError) as exc:
        services.membership_end(membership=member, left_on=JOINED - dt.timedelta(days=1), by=system_actor())
    assert _error_fields(exc) == {"left_on"}
    with pytest.raises(ValidationError, match="future"):
        services.membership_end(
            membership=member, left_on=timezone.localdate() + dt.timedelta(days=2), by=system_actor()
        )
    member.refresh_from_db()
    assert member.left_on is None


def test_ending_twice_is_refused(world):
    member = _member(world.org_a)
    services.membership_end(membership=member, left_on=dt.date(2022, 5, 1), by=system_actor())
    with pytest.raises(ValidationError, match="already ended"):
        services.membership_end(membership=member, left_on=dt.date(2022, 6, 1), by=system_actor())


def test_rejoining_must_not_overlap_the_past_membership(world):
    member = _member(world.org_a)
    services.membership_end(membership=member, left_on=dt.date(2022, 5, 1), by=system_actor())
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            organization=world.org_a, person=member.person, joined_on=dt.date(2021, 1, 1), by=system_actor()
        )
    assert _error_fields(exc) == {"joined_on"}
    again = services.membership_add(
        organization=world.org_a, person=member.person, joined_on=dt.date(2022, 5, 1), by=system_actor()
    )
    assert again.left_on is None
    assert Membership.objects.filter(organization=world.org_a, person=member.person).count() == 2


def test_a_current_member_cannot_be_added_twice(world):
    member = _member(world.org_a)
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(organization=world.org_a, person=member.person, joined_on=JOINED, by=system_actor())


# Dissolved organizations --------------------------------------------------------------------


def test_a_dissolved_organization_refuses_member_changes(world):
    org = world.org_b
    services.organization_dissolve(organization=org, reason="停止活动", on=dt.date(2024, 1, 2), by=system_actor())
    member = _member(org)
    with pytest.raises(ValidationError, match="dissolved"):
        services.membership_add(
            organization=org, person=make_person(), joined_on=dt.date(2024, 1, 3), by=system_actor()
        )
    with pytest.raises(ValidationError, match="dissolved"):
        services.membership_end(membership=member, left_on=dt.date(2024, 1, 3), by=system_actor())
    with pytest.raises(ValidationError, match="dissolved"):
        services.membership_change_role(membership=member, role=Membership.Role.BACKBONE, by=system_actor())
    with pytest.raises(ValidationError, match="dissolved"):
        services.organization_change_leader(organization=org, person=member.person, by=system_actor())
    member.refresh_from_db()
    assert (member.role, member.left_on) == (Membership.Role.MEMBER, None)


# Permissions on member changes ---------------------------------------------------------------


def test_member_changes_need_the_permission_on_that_organization(world, org_leader, other_staff, community_staff):
    person = make_person()
    with pytest.raises(PermissionDenied):
        services.membership_add(organization=world.org_b, person=person, joined_on=JOINED, by=org_leader)
    with pytest.raises(PermissionDenied):
        services.membership_add(organization=world.org_a, person=person, joined_on=JOINED, by=other_staff)
    added = services.membership_add(organization=world.org_a, person=person, joined_on=JOINED, by=org_leader)
    assert added.organization_id == world.org_a.pk
    services.membership_change_role(membership=added, role=Membership.Role.VOLUNTEER, by=community_staff)


# Matching people ----------------------------------------------------------------------------


def test_person_match_by_id_number_and_by_phone(world):
    person = make_person("陈小明", id_number=valid_id_number(901))
    assert services.person_match(name="陈小明", phone=None, id_number=valid_id_number(901)) == person
    assert services.person_match(name="陈小明", phone=person.phone, id_number=None) == person
    assert services.person_match(name=" 陈小明 ", phone=f"+86 {person.phone}", id_number=None) == person
    assert services.person_match(name="陈小明", phone=valid_phone(99_999_001), id_number=None) is None


def test_person_match_refuses_identifiers_of_two_different_people(world):
    one = make_person("甲", id_number=valid_id_number(902))
    two = make_person("乙")
    with pytest.raises(ValidationError, match="two different people"):
        services.person_match(name="甲", phone=two.phone, id_number=one.id_number)


def test_person_match_refuses_a_name_mismatch(world):
    person = make_person("王大锤")
    with pytest.raises(ValidationError, match="王大锤"):
        services.person_match(name="王小锤", phone=person.phone, id_number=None)


def test_person_match_refuses_invalid_identifiers(world):
    with pytest.raises(ValidationError) as exc:
        services.person_match(name="某人", phone="12345", id_number="440305198001010000")
    assert _error_fields(exc) == {"phone", "id_number"}


def test_find_or_create_matches_fills_a_missing_identifier_or_creates(world):
    person = make_person("李四")
    assert person.id_number is None
    found, created = services.person_find_or_create(
        name="李四", phone=person.phone, id_number=valid_id_number(903), by=system_actor()
    )
    assert (found.pk, created) == (person.pk, False)
    person.refresh_from_db()
    assert person.id_number == valid_id_number(903)
    new, created = services.person_find_or_create(
        name="赵六",
        phone=valid_phone(99_999_002),
        political_status=Person.PoliticalStatus.CPC_MEMBER,
        by=system_actor(),
    )
    assert created and new.is_party_member


def test_find_or_create_needs_a_phone_or_id_number(world):
    with pytest.raises(ValidationError, match="phone number or an ID number"):
        services.person_find_or_create(name="无号码", by=system_actor())
    assert not Person.objects.filter(name="无号码").exists()


# Creating people ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "id_number", "field"),
    [
        ("1381234567", None, "phone"),  # 10 digits
        ("12812345678", None, "phone"),  # starts 12
        (None, valid_id_number(904)[:-1] + ("0" if valid_id_number(904)[-1] != "0" else "1"), "id_number"),  # checksum
        (None, "44030519801301001X", "id_number"),  # month 13
    ],
)
def test_person_create_refuses_bad_identifiers(world, phone, id_number, field):
    with pytest.raises(ValidationError) as exc:
        services.person_create(name="测试", phone=phone, id_number=id_number, by=system_actor())
    assert _error_fields(exc) == {field}
    assert not Person.objects.filter(name="测试").exists()


def test_person_create_refuses_duplicates(world):
    person = make_person("原有", id_number=valid_id_number(905))
    with pytest.raises(ValidationError) as exc:
        services.person_create(name="重复", phone=person.phone, by=system_actor())
    assert _error_fields(exc) == {"phone"}
    with pytest.raises(ValidationError) as exc:
        services.person_create(name="重复", id_number=valid_id_number(905).lower(), by=system_actor())
    assert _error_fields(exc) == {"id_number"}
    with pytest.raises(ValidationError) as exc:
        services.person_create(name="  ", phone=valid_phone(99_999_003), by=system_actor())
    assert _error_fields(exc) == {"name"}
    assert not Person.objects.filter(name__in=["重复", ""]).exists()


def test_person_update_refuses_another_persons_phone(world):
    one, two = make_person(), make_person()
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=two, data={"phone": one.phone}, by=system_actor())
    assert _error_fields(exc) == {"phone"}
