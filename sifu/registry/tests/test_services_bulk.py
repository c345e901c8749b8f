"""The bulk services of large imports: the same rules and records as the one-row services, in few queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.registry import services
from sifu.registry.models import Membership, Organization, OrganizationStatusChange
from sifu.registry.tests.excel import uscc
from sifu.registry.tests.factories import make_person

S, L = Organization.Status, Organization.LegalStatus
DAY = dt.date(2021, 3, 1)


def new(community, name, **kw):
    return {"name": name, "form": "team", "nature": "service", "category": "culture", "community": community} | kw


def timeline(org):
    """What the organization page's timeline shows: history versions and status changes, in order."""
    versions = [
        (h.history_type, h.history_change_reason, h.status, h.legal_status, h.filing_number, h.uscc)
        for h in org.history.order_by("history_date", "history_id")
    ]
    changes = list(
        OrganizationStatusChange.objects.filter(organization=org)
        .order_by("id")
        .values_list("action", "from_status", "status", "legal_status", "effective_on", "reason")
    )
    return versions, changes


def test_bulk_create_and_transition_record_what_the_one_row_services_record(world):
    def steps(n):
        return [
            ("file", {"filing_number": f"F-{n}", "filed_on": dt.date(2021, 5, 1), "check_floor": False}),
            ("register", {"uscc": uscc("52", n), "registered_on": dt.date(2022, 1, 10)}),
            ("make_dormant", {"reason": "导入：状态为休眠", "on": dt.date(2023, 1, 1)}),
        ]

    one = services.organization_create(**new(world.community_a, "逐一合唱队"), on=DAY, by=system_actor())
    for name, kwargs in steps(1):
        getattr(services, f"organization_{name}")(organization=one, by=system_actor(), **kwargs)

    (bulk,) = services.organizations_bulk_create(rows=[new(world.community_a, "成批合唱队", on=DAY)], by=system_actor())
    services.organizations_bulk_transition(items=[(bulk, steps(2))], by=system_actor())
    assert (bulk.status, bulk.legal_status, bulk.filing_number) == (S.DORMANT, L.REGISTERED, "F-2")  # caller's copy
    bulk.refresh_from_db()
    one.refresh_from_db()
    assert (bulk.status, bulk.legal_status, bulk.uscc) == (S.DORMANT, L.REGISTERED, uscc("52", 2))
    assert bulk.filing_valid_until == one.filing_valid_until == dt.date(2024, 4, 30)
    assert bulk.status_since == one.status_since == dt.date(2023, 1, 1)

    (versions, changes), (expected_versions, expected_changes) = timeline(bulk), timeline(one)
    assert [v[:4] for v in versions] == [v[:4] for v in expected_versions]
    assert changes == expected_changes
    assert [v[1] for v in versions] == [
        "registry.organization.created",
        "registry.organization.filed",
        "registry.organization.registered",
        "registry.organization.made_dormant",
    ]


def test_bulk_create_refuses_every_bad_row_and_writes_nothing(world, community_staff):
    before = Organization.objects.count()
    rows = [
        new(world.community_a, "好队"),
        new(world.community_a, world.org_a.name),  # already recorded in this community
        new(world.community_a, "好队"),  # twice in the rows
        new(world.subdistrict, "不是社区的队"),
        new(world.community_a, "未来队", on=timezone.localdate() + dt.timedelta(days=3)),
        new(world.community_b, "别的社区队"),  # outside community_staff's area
    ]
    with pytest.raises(services.RowsRefused) as refused:
        services.organizations_bulk_create(rows=rows, by=community_staff)
    assert [r.index for r in refused.value.refusals] == [1, 2, 3, 4, 5]
    assert isinstance(refused.value.refusals[-1].error, PermissionDenied)
    assert "already has an organization" in refused.value.refusals[0].error.messages[0]
    assert Organization.objects.count() == before


def test_bulk_transition_refusals_name_the_row_and_the_step(world):
    a, b, c = services.organizations_bulk_create(
        rows=[new(world.community_a, f"队{i}", on=DAY) for i in range(3)], by=system_actor()
    )
    world.org_a.refresh_from_db()
    items = [
        (a, [("file", {"filing_number": "SAME-1", "filed_on": DAY, "check_floor": False})]),
        (b, [("file", {"filing_number": "SAME-1", "filed_on": DAY, "check_floor": False})]),  # taken by a
        (c, [("start_incubation", {"on": DAY}), ("file", {"filing_number": world.org_a.filing_number,
                                                         "filed_on": DAY, "check_floor": False})]),
        (world.org_a, [("register", {"uscc": uscc("52"), "registered_on": dt.date(2023, 1, 1)})]),  # wrong nature
    ]  # fmt: skip
    changes = OrganizationStatusChange.objects.count()
    with pytest.raises(services.RowsRefused) as refused:
        services.organizations_bulk_transition(items=items, by=system_actor())
    assert [(r.index, r.step) for r in refused.value.refusals] == [(1, 0), (2, 1), (3, 0)]
    assert OrganizationStatusChange.objects.count() == changes
    a.refresh_from_db()
    assert a.status == S.PROPOSED and a.filing_number is None
    # Without the refused rows the rest goes through.
    services.organizations_bulk_transition(items=items[:1], by=system_actor())
    a.refresh_from_db()
    assert (a.status, a.filing_number) == (S.ACTIVE, "SAME-1")


def test_memberships_bulk_add_many_keeps_the_rules_per_organization(world):
    org_a, org_b = world.org_a, world.org_b
    p, q = make_person("甲"), make_person("乙")
    leader = Membership.Role.LEADER
    with pytest.raises(services.RowsRefused) as refused:
        services.memberships_bulk_add_many(
            groups=[
                (org_a, [{"person": p, "role": "member", "joined_on": DAY}]),
                (org_b, [{"person": q, "role": leader, "joined_on": DAY}]),  # org_b has its leader
            ],
            by=system_actor(),
        )
    assert [r.index for r in refused.value.refusals] == [1]
    assert not Membership.objects.filter(person=p).exists()
    (added,) = services.memberships_bulk_add_many(
        groups=[(org_a, [{"person": p, "role": "member", "joined_on": DAY}])], by=system_actor()
    )
    assert [m.person for m in added] == [p]
    assert added[0].history.get().history_change_reason == "registry.membership.added"


def test_person_match_many_agrees_with_person_match(world):
    one, two = make_person("陈一"), make_person("陈二")
    rows = [
        {"name": "陈一", "phone": one.phone, "id_number": None},
        {"name": "陈一", "phone": None, "id_number": one.id_number},
        {"name": "别人", "phone": two.phone, "id_number": None},  # another name
        {"name": "陈一", "phone": two.phone, "id_number": one.id_number},  # two people
        {"name": "新人", "phone": "13912345678", "id_number": None},
        {"name": "坏号", "phone": "12345", "id_number": None},
    ]
    found = services.person_match_many(rows=rows)
    for row, result in zip(rows, found, strict=True):
        try:
            expected = services.person_match(**row)
        except ValidationError as exc:
            assert isinstance(result, ValidationError) and result.messages == exc.messages
        else:
            assert result == expected


def test_bulk_services_read_in_chunks_not_rows(world):
    def queries(n):
        rows = [new(world.community_a, f"计数队{n}-{i}", on=DAY) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            orgs = services.organizations_bulk_create(rows=rows, by=system_actor())
            people = services.persons_bulk_create(rows=[{"name": f"人{n}-{i}"} for i in range(n)], by=system_actor())
            services.memberships_bulk_add_many(
                groups=[
                    (org, [{"person": person, "role": "leader", "joined_on": DAY}])
                    for org, person in zip(orgs, people, strict=True)
                ],
                by=system_actor(),
            )
            services.organizations_bulk_transition(
                items=[
                    (org, [("file", {"filing_number": f"Q{n}-{i}", "filed_on": DAY, "check_floor": False})])
                    for i, org in enumerate(orgs)
                ],
                by=system_actor(),
            )
        return len(ctx.captured_queries)

    assert queries(3) == queries(30)
