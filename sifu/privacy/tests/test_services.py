"""The two privacy services: revealing one field of a person, recording an unmasked export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sifu.accounts.services import system_actor
from sifu.core.permissions import Perm
from sifu.privacy import services
from sifu.privacy.models import SensitiveView
from sifu.registry import services as registry_services
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.tests.factories import make_person, valid_id_number

JOINED = dt.date(2020, 1, 1)  # when the world's members joined


def _member(org: Organization) -> Membership:
    member = Membership.objects.filter(organization=org, role=Membership.Role.MEMBER, left_on__isnull=True).first()
    assert member is not None
    return member


# Revealing --------------------------------------------------------------------------------


def test_reveal_logs_a_sensitive_view(world, community_staff):
    person = make_person(community=world.community_a, id_number=valid_id_number(906))
    value = services.person_reveal(person=person, field="id_number", by=community_staff, context="test")
    assert value == valid_id_number(906)
    log = SensitiveView.objects.get()
    assert (log.user, log.person, log.field, log.context) == (community_staff, person, "id_number", "test")


def test_reveal_through_a_membership_in_an_organization_in_scope(world, org_leader, other_staff):
    member = _member(world.org_a).person  # lives in community A
    assert services.person_reveal(person=member, field="phone", by=org_leader) == member.phone
    with pytest.raises(PermissionDenied):
        services.person_reveal(person=member, field="phone", by=other_staff)
    registry_services.membership_add(organization=world.org_b, person=member, joined_on=JOINED, by=system_actor())
    assert services.person_reveal(person=member, field="phone", by=other_staff) == member.phone
    assert SensitiveView.objects.count() == 2


@pytest.mark.parametrize("persona_name", ["org_member", "outsider", "district_leader", "reviewer"])
def test_reveal_is_refused_without_the_permission(world, persona_name, request):
    user = request.getfixturevalue(persona_name)
    member = _member(world.org_a).person
    with pytest.raises(PermissionDenied):
        services.person_reveal(person=member, field="phone", by=user)
    assert not SensitiveView.objects.exists()


def test_reveal_refuses_other_fields(world, office_admin):
    with pytest.raises(ValidationError):
        services.person_reveal(person=_member(world.org_a).person, field="name", by=office_admin)
    assert not SensitiveView.objects.exists()


def test_reveal_of_an_empty_field_is_recorded_and_returns_nothing(world, community_staff):
    person = make_person(community=world.community_a)  # no ID number
    assert services.person_reveal(person=person, field="id_number", by=community_staff) == ""
    assert SensitiveView.objects.filter(person=person, field="id_number").count() == 1


def test_reveal_keeps_the_context_within_its_column(world, community_staff):
    person = _member(world.org_a).person
    services.person_reveal(person=person, field="phone", by=community_staff, context="x" * 500)
    assert len(SensitiveView.objects.get().context) == 200


def test_reveal_by_area_costs_no_query_beyond_the_insert(world, community_staff, django_assert_num_queries):
    person = Person.objects.select_related("community").get(pk=_member(world.org_a).person_id)
    community_staff.has_perm(Perm.PEOPLE_VIEW)  # loads the grants (cached on the user object)
    # Savepoint, insert, release: person lives in community A, so the area grant settles it (no query).
    with django_assert_num_queries(3):
        services.person_reveal(person=person, field="phone", by=community_staff)


# Unmasked exports -------------------------------------------------------------------------


def test_unmasked_export_is_recorded_without_a_person(world, community_staff):
    row = services.unmasked_export_record(by=community_staff, context="organization list export ?unmasked=1")
    assert (row.user, row.person, row.field) == (community_staff, None, SensitiveView.Field.EXPORT)
    assert row.context == "organization list export ?unmasked=1"


@pytest.mark.parametrize("persona_name", ["org_member", "outsider", "district_leader"])
def test_unmasked_export_is_refused_without_the_permission(world, persona_name, request):
    with pytest.raises(PermissionDenied):
        services.unmasked_export_record(by=request.getfixturevalue(persona_name), context="export")
    assert not SensitiveView.objects.exists()
