"""``persons_bulk_create``: many people in few queries, validated like ``person_create``, all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.registry import services
from sifu.registry.models import Person
from sifu.registry.tests.factories import make_person, valid_id_number

pytestmark = pytest.mark.django_db


def test_creates_people_with_history_in_few_queries(world, django_assert_num_queries):
    user = UserFactory(username="linked")
    rows = [
        {"name": " 陈伟 ", "phone": "+86 138-0013-8000", "id_number": valid_id_number(1, "19700101").lower()},
        {"name": "李芳", "phone": "13900139000", "community": world.community_a, "political_status": "cpc_member"},
        {"name": "王强", "user": user, "gender": "male"},
    ]
    # savepoint; phones already taken?; ID numbers already taken?; insert people; insert their first
    # versions; release savepoint. Whatever the number of rows (up to 500 per lookup and insert batch).
    system = system_actor()
    with django_assert_num_queries(6):
        people = services.persons_bulk_create(rows=rows, by=system)
    assert [p.pk is not None for p in people] == [True, True, True]
    chen = Person.objects.get(pk=people[0].pk)
    assert (chen.name, chen.phone, chen.id_number[-1]) == ("陈伟", "13800138000", valid_id_number(1, "19700101")[-1])
    assert Person.objects.get(pk=people[2].pk).user == user
    versions = Person.history.filter(id__in=[p.pk for p in people], history_change_reason="registry.person.created")
    assert versions.count() == 3


def test_query_count_does_not_grow_with_rows(db, django_assert_num_queries):
    rows = [{"name": f"居民{i}", "phone": f"1370000{i:04d}", "id_number": valid_id_number(i)} for i in range(300)]
    system = system_actor()
    with django_assert_num_queries(6):  # the same six queries as for three rows
        services.persons_bulk_create(rows=rows, by=system)
    assert Person.objects.count() == 300


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"name": "甲", "phone": "12345"}], "Row 1"),
        ([{"name": "甲"}, {"name": "乙", "id_number": "440305198001010011"}], "Row 2"),
        ([{"name": "甲", "phone": "13700137000"}, {"name": "乙", "phone": "13700137000"}], "repeats"),
        ([{"name": "  "}], "name"),
    ],
)
def test_refuses_bad_rows_and_writes_nothing(db, rows, message):
    with pytest.raises(ValidationError) as exc:
        services.persons_bulk_create(rows=rows, by=system_actor())
    assert message in " ".join(exc.value.messages)
    assert Person.objects.count() == 0


def test_refuses_identifiers_already_recorded(world):
    existing = make_person("张三")
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.persons_bulk_create(
            rows=[{"name": "新人"}, {"name": "张三", "phone": existing.phone}], by=system_actor()
        )
    assert "Row 2" in exc.value.messages[0] and "already recorded" in exc.value.messages[0]
    assert Person.objects.count() == before


def test_refuses_an_area_that_is_not_a_community(world):
    with pytest.raises(ValidationError):
        services.persons_bulk_create(rows=[{"name": "甲", "community": world.subdistrict}], by=system_actor())
    with pytest.raises(TypeError):
        services.persons_bulk_create(rows=[{"name": "甲", "address": "x"}], by=system_actor())
