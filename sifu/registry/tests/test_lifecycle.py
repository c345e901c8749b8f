"""The organization lifecycle through its services (DESIGN.md §4.1–4.3; domain.md §2.2).

Every transition of ``lifecycle.TRANSITIONS`` is tried from every state an organization can be
in. Allowed ones record a history version with the transition's action code and an effective-
dated ``OrganizationStatusChange``; refused ones raise a ``ValidationError`` (or
``PermissionDenied``) with a message a user can act on, and write nothing at all.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from sifu.accounts.services import system_actor
from sifu.core.history import history_entries
from sifu.core.validators import uscc_check_char
from sifu.registry import services
from sifu.registry.lifecycle import FLOOR, TRANSITIONS, allowed_transitions, filing_checklist
from sifu.registry.models import Membership, Organization, OrganizationStatusChange
from sifu.registry.tests.factories import make_organization, make_person

S = Organization.Status
L = Organization.LegalStatus
A, SV = Organization.Nature.ASSOCIATION, Organization.Nature.SERVICE
D = dt.date
CREATED_ON = D(2023, 1, 1)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in the source language, whatever catalogue is compiled."""
    with translation.override("en"):
        yield


# --- helpers -------------------------------------------------------------------------------------


def uscc_for(prefix: str, n: int) -> str:
    first17 = f"{prefix}440305MJL{n:06d}"
    return first17 + uscc_check_char(first17)


def build_org(
    community,
    *,
    nature: str = A,
    members: int = 10,
    initiators: int = 3,
    volunteers: int = 0,
    leader: bool = True,
    on: dt.date = CREATED_ON,
    name: str | None = None,
) -> Organization:
    """A proposed organization with ``members`` non-volunteers (the first ``initiators`` of them
    initiators, the first the leader) plus ``volunteers`` volunteers, all joined on ``on``."""
    n = next(_numbers)
    org = services.organization_create(
        name=name or f"生命周期测试组织{n}",
        form=Organization.Form.SOCIETY,
        nature=nature,
        category=Organization.Category.AFFAIRS,
        community=community,
        venue="社区党群服务中心",
        on=on,
        by=system_actor(),
    )
    rows: list[dict[str, Any]] = []
    for i in range(members + volunteers):
        role = Membership.Role.MEMBER
        if i == 0 and leader:
            role = Membership.Role.LEADER
        elif i >= members:
            role = Membership.Role.VOLUNTEER
        person = make_person(community=community)
        rows.append({"person": person, "role": role, "joined_on": on, "is_initiator": i < initiators})
    if rows:
        services.memberships_bulk_add(organization=org, rows=rows, by=system_actor())
    return org


def snapshot(org: Organization) -> dict[str, Any]:
    """Everything a transition may write, read back from the database."""
    fresh = Organization.objects.get(pk=org.pk)
    return {
        "row": {f.attname: getattr(fresh, f.attname) for f in Organization._meta.concrete_fields},
        "versions": Organization.history.filter(id=org.pk).count(),
        "status_changes": OrganizationStatusChange.objects.filter(organization=org).count(),
        "all_versions": Organization.history.count(),
        "all_status_changes": OrganizationStatusChange.objects.count(),
        "membership_versions": Membership.history.count(),
    }


def refused(
    call: Callable[[], Any], org: Organization, *fragments: str, exc: type[Exception] = ValidationError
) -> Exception:
    """Run ``call``, expect ``exc`` whose message holds every fragment, and prove nothing changed."""
    before = snapshot(org)
    with pytest.raises(exc) as info:
        call()
    assert snapshot(org) == before, "a refused call wrote something"
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return info.value


def apply(name: str, org: Organization, on: dt.date, by=None) -> Organization:
    """Call the service for one transition with otherwise valid input."""
    by = by or system_actor()
    if name == "start_incubation":
        return services.organization_start_incubation(organization=org, on=on, by=by)
    if name == "file":
        return services.organization_file(
            organization=org, filing_number=f"NS-{org.pk}-{on:%Y%m%d}", filed_on=on, by=by
        )
    if name == "register":
        prefix = "51" if org.nature == A else "52"
        return services.organization_register(organization=org, uscc=uscc_for(prefix, org.pk), registered_on=on, by=by)
    if name == "make_dormant":
        return services.organization_make_dormant(organization=org, reason="No activity for a year", on=on, by=by)
    if name == "reactivate":
        return services.organization_reactivate(organization=org, reason="Activities resumed", on=on, by=by)
    if name == "dissolve":
        return services.organization_dissolve(organization=org, reason="The members decided to end it", on=on, by=by)
    raise AssertionError(name)


# How to reach each state from "proposed", one transition a month from February 2023.
PATHS: dict[str, tuple[str, ...]] = {
    "proposed": (),
    "incubating": ("start_incubation",),
    "active/filed": ("start_incubation", "file"),
    "active/registered": ("file", "register"),
    "dormant/filed": ("file", "make_dormant"),
    "dormant/registered": ("file", "register", "make_dormant"),
    "dissolved/unfiled": ("dissolve",),
    "dissolved/filed": ("file", "dissolve"),
}

# Which transitions each state allows, written out by hand from domain.md, not from TRANSITIONS.
ALLOWED: dict[str, set[str]] = {
    "proposed": {"start_incubation", "file", "dissolve"},
    "incubating": {"file", "dissolve"},
    "active/filed": {"register", "make_dormant", "dissolve"},
    "active/registered": {"make_dormant", "dissolve"},
    "dormant/filed": {"reactivate", "dissolve"},
    "dormant/registered": {"reactivate", "dissolve"},
    "dissolved/unfiled": set(),
    "dissolved/filed": {"reactivate"},
}

# The state each transition leads to: (status, legal status); None keeps the current value.
RESULT: dict[str, tuple[str | None, str | None]] = {
    "start_incubation": (S.INCUBATING, None),
    "file": (S.ACTIVE, L.FILED),
    "register": (None, L.REGISTERED),
    "make_dormant": (S.DORMANT, None),
    "reactivate": (S.ACTIVE, None),
    "dissolve": (S.DISSOLVED, None),
}


def reach(community, state: str) -> Organization:
    org = build_org(community)
    for month, name in enumerate(PATHS[state], start=2):
        apply(name, org, D(2023, month, 1))
    status, _, legal = state.partition("/")
    assert (org.status, org.legal_status) == (status, legal or L.UNFILED)
    return org


def test_the_matrix_covers_every_transition_and_status():
    assert {name for names in ALLOWED.values() for name in names} == set(TRANSITIONS)
    assert {name for path in PATHS.values() for name in path} == set(TRANSITIONS) - {"reactivate"}
    assert {state.partition("/")[0] for state in PATHS} == set(S.values)
    assert set(RESULT) == set(TRANSITIONS)


@pytest.mark.parametrize("state", list(PATHS))
def test_allowed_transitions_match_the_table(world, state):
    org = reach(world.community_a, state)
    assert set(allowed_transitions(org)) == ALLOWED[state]


@pytest.mark.parametrize(("state", "name"), [(s, n) for s in PATHS for n in TRANSITIONS])
def test_every_transition_from_every_state(world, community_staff, office_admin, state, name):
    org = reach(world.community_a, state)
    on = D(2023, 6, 1)
    # Recording a filing, and ending a filed or registered organization, are the subdistrict's.
    subdistrict_only = name == "file" or (name == "dissolve" and org.legal_status != Organization.LegalStatus.UNFILED)
    by = office_admin if subdistrict_only else community_staff
    if name not in ALLOWED[state]:
        t = TRANSITIONS[name]
        if org.status not in t.from_statuses:
            fragments = (str(t.label), "not possible while the organization is", org.get_status_display())
        else:
            fragments = (str(t.label), "not possible for an organization that is", org.get_legal_status_display())
        refused(lambda: apply(name, org, on, by=by), org, *fragments)
        return

    before = snapshot(org)
    from_status, from_legal = org.status, org.legal_status
    result = apply(name, org, on, by=by)
    status, legal = RESULT[name]
    assert (result.status, result.legal_status) == (status or from_status, legal or from_legal)
    org.refresh_from_db()
    assert (org.status, org.legal_status) == (result.status, result.legal_status)
    if status:
        assert org.status_since == on

    # One history version, with the transition's action code and the acting user.
    assert Organization.history.filter(id=org.pk).count() == before["versions"] + 1
    version = org.history.latest()
    assert version.history_change_reason == TRANSITIONS[name].action
    assert version.history_user == by
    # One effective-dated status change.
    assert org.status_changes.count() == before["status_changes"] + 1
    change = org.status_changes.latest("id")
    assert change.action == TRANSITIONS[name].action
    assert (change.from_status, change.status, change.legal_status) == (from_status, org.status, org.legal_status)
    assert change.effective_on == on
    assert change.created_by == by


def test_filing_records_number_dates_and_validity(world):
    org = build_org(world.community_a)
    services.organization_file(
        organization=org, filing_number=" NS2023-0007 ", filed_on=D(2023, 3, 1), by=system_actor()
    )
    org.refresh_from_db()
    assert org.filing_number == "NS2023-0007"
    assert org.filed_on == D(2023, 3, 1)
    assert org.filing_valid_until == D(2026, 2, 28)  # valid three years
    assert org.history.latest().history_change_reason == "registry.organization.filed"


def test_registration_records_the_code_and_date(world):
    org = reach(world.community_a, "active/filed")
    code = uscc_for("51", 424242)
    services.organization_register(organization=org, uscc=code.lower(), registered_on=D(2023, 7, 1), by=system_actor())
    org.refresh_from_db()
    assert (org.uscc, org.registered_on, org.legal_status) == (code, D(2023, 7, 1), L.REGISTERED)
    assert org.filing_number  # the filing stays on record


def test_creation_is_the_first_status_change(world):
    org = build_org(world.community_a, members=0)
    (change,) = org.status_changes.all()
    assert (change.action, change.from_status, change.status, change.effective_on) == (
        "registry.organization.created",
        "",
        S.PROPOSED,
        CREATED_ON,
    )
    assert org.history.get().history_change_reason == "registry.organization.created"


def test_dormant_and_dissolved_keep_the_reason(world):
    org = reach(world.community_a, "active/filed")
    services.organization_make_dormant(organization=org, reason="  负责人搬离  ", on=D(2023, 7, 1), by=system_actor())
    assert org.status_changes.latest("id").reason == "负责人搬离"
    services.organization_dissolve(organization=org, reason="成员解散", on=D(2023, 8, 1), by=system_actor())
    assert org.status_changes.latest("id").reason == "成员解散"


# --- refusals with their messages ----------------------------------------------------------------


def test_future_dates_are_refused(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    org = build_org(world.community_a)
    refused(lambda: apply("start_incubation", org, tomorrow), org, "cannot be in the future")
    refused(lambda: apply("file", org, tomorrow), org, "cannot be in the future")
    filed = reach(world.community_a, "active/filed")
    for name in ("register", "make_dormant", "dissolve"):
        refused(lambda name=name: apply(name, filed, tomorrow), filed, "cannot be in the future")


def test_dates_before_the_last_change_are_refused(world):
    org = reach(world.community_a, "active/filed")  # filed 2023-03-01
    for name in ("make_dormant", "dissolve"):
        refused(
            lambda name=name: apply(name, org, D(2023, 2, 28)),
            org,
            "cannot be before the last status change",
            "2023-03-01",
        )
    services.organization_make_dormant(organization=org, reason="暂停", on=D(2023, 5, 1), by=system_actor())
    refused(lambda: apply("reactivate", org, D(2023, 4, 30)), org, "2023-05-01")
    # The same day as the last change is fine.
    services.organization_reactivate(organization=org, on=D(2023, 5, 1), by=system_actor())


def test_filing_before_the_organization_was_created_is_refused(world):
    org = build_org(world.community_a)  # created 2023-01-01
    refused(lambda: apply("file", org, D(2022, 12, 31)), org, "2023-01-01")


def test_dormant_and_dissolve_need_a_reason(world):
    org = reach(world.community_a, "active/filed")
    for service in (services.organization_make_dormant, services.organization_dissolve):
        error = refused(
            lambda service=service: service(organization=org, reason="  ", by=system_actor()), org, "Say why"
        )
        assert "reason" in error.message_dict


def test_filing_needs_a_number(world):
    org = build_org(world.community_a)
    error = refused(
        lambda: services.organization_file(
            organization=org, filing_number=" ", filed_on=D(2023, 2, 1), by=system_actor()
        ),
        org,
        "Enter the filing number",
    )
    assert "filing_number" in error.message_dict


def test_duplicate_filing_number_is_refused(world):
    org = build_org(world.community_a)
    taken = world.org_a.filing_number
    error = refused(
        lambda: services.organization_file(
            organization=org, filing_number=taken, filed_on=D(2023, 2, 1), by=system_actor()
        ),
        org,
        taken,
        "already used",
    )
    assert "filing_number" in error.message_dict


@pytest.mark.parametrize(
    ("nature", "members", "initiators", "volunteers", "missing"),
    [
        (A, 10, 2, 0, "At least 3 initiators: 2 recorded"),
        (A, 9, 3, 0, "At least 10 members: 9 recorded"),
        (A, 9, 3, 5, "At least 10 members: 9 recorded"),  # volunteers are not members
        (A, 2, 2, 0, "At least 3 initiators: 2 recorded; At least 10 members: 2 recorded"),
        (SV, 2, 1, 0, "At least 2 initiators: 1 recorded"),
        (SV, 1, 1, 0, "At least 2 staff: 1 recorded"),
        (SV, 1, 2, 1, "At least 2 staff: 1 recorded"),  # a volunteer initiator is not staff
    ],
)
def test_filing_floor(world, nature, members, initiators, volunteers, missing):
    org = build_org(world.community_a, nature=nature, members=members, initiators=initiators, volunteers=volunteers)
    refused(lambda: apply("file", org, D(2023, 2, 1)), org, "Cannot file yet. Still missing:", missing)


@pytest.mark.parametrize(("nature", "members", "initiators"), [(A, 10, 3), (SV, 2, 2)])
def test_filing_floor_exactly_met(world, nature, members, initiators):
    assert FLOOR[nature] == {"initiators": initiators, "members": members}
    org = build_org(world.community_a, nature=nature, members=members, initiators=initiators, volunteers=3)
    apply("file", org, D(2023, 2, 1))
    assert org.legal_status == L.FILED


def test_filing_needs_a_current_leader(world):
    org = build_org(world.community_a, leader=False)
    refused(lambda: apply("file", org, D(2023, 2, 1)), org, "A current leader")


def test_filing_needs_a_venue(world):
    org = build_org(world.community_a)
    services.organization_update(organization=org, data={"venue": ""}, by=system_actor())
    refused(lambda: apply("file", org, D(2023, 2, 1)), org, "A fixed venue")


def test_the_floor_is_counted_on_the_filing_date(world):
    org = build_org(world.community_a, members=0, on=D(2022, 1, 1))
    people = [make_person(community=world.community_a) for _ in range(10)]
    rows = [
        {"person": p, "joined_on": D(2023, 6, 1), "role": Membership.Role.LEADER if i == 0 else "member"}
        for i, p in enumerate(people)
    ]
    for row in rows[:3]:
        row["is_initiator"] = True
    services.memberships_bulk_add(organization=org, rows=rows, by=system_actor())
    refused(lambda: apply("file", org, D(2023, 5, 31)), org, "At least 10 members: 0 recorded")
    apply("file", org, D(2023, 6, 1))
    checklist = {item.code: item.ok for item in filing_checklist(org, D(2023, 6, 1))}
    assert all(checklist.values()), checklist


def test_reactivation_checks_the_floor_again(world):
    org = reach(world.community_a, "dormant/filed")  # dormant since 2023-03-01
    leaving = Membership.objects.filter(organization=org, role=Membership.Role.MEMBER)[:2]
    for membership in leaving:
        services.membership_end(membership=membership, left_on=D(2023, 4, 1), by=system_actor())
    refused(lambda: apply("reactivate", org, D(2023, 5, 1)), org, "Cannot reactivate", "At least 10 members: 8")


def test_unfiled_dissolved_organization_cannot_be_reactivated(world):
    org = reach(world.community_a, "dissolved/unfiled")
    refused(lambda: apply("reactivate", org, D(2023, 6, 1)), org, "not possible for an organization that is Not filed")


@pytest.mark.parametrize(
    ("code", "fragments"),
    [
        ("51440305MJL00001", ("18 characters", "16")),
        ("51440305MJL00000I" + "1", ("I, O, Z, S and V",)),
        (uscc_for("51", 1)[:-1] + ("0" if uscc_for("51", 1)[-1] != "0" else "1"), ("check character",)),
        (uscc_for("52", 1), ("Association-type", "starting with 51")),
        (uscc_for("91", 1), ("starting with 51",)),
    ],
)
def test_registration_code_is_validated(world, code, fragments):
    org = reach(world.community_a, "active/filed")  # an association
    error = refused(
        lambda: services.organization_register(
            organization=org, uscc=code, registered_on=D(2023, 7, 1), by=system_actor()
        ),
        org,
        *fragments,
    )
    assert "uscc" in error.message_dict


def test_service_type_registers_with_a_52_code(world):
    org = build_org(world.community_a, nature=SV, members=2, initiators=2)
    apply("file", org, D(2023, 2, 1))
    refused(
        lambda: services.organization_register(
            organization=org, uscc=uscc_for("51", 7), registered_on=D(2023, 7, 1), by=system_actor()
        ),
        org,
        "Service-type",
        "starting with 52",
    )
    services.organization_register(
        organization=org, uscc=uscc_for("52", 7), registered_on=D(2023, 7, 1), by=system_actor()
    )
    assert org.legal_status == L.REGISTERED


def test_duplicate_registration_code_is_refused(world):
    first = reach(world.community_a, "active/registered")
    second = reach(world.community_a, "active/filed")
    refused(
        lambda: services.organization_register(
            organization=second, uscc=first.uscc, registered_on=D(2023, 7, 1), by=system_actor()
        ),
        second,
        "already recorded for another organization",
    )


def test_registration_before_filing_is_refused(world):
    org = reach(world.community_a, "active/filed")  # filed 2023-03-01
    error = refused(
        lambda: services.organization_register(
            organization=org, uscc=uscc_for("51", 9), registered_on=D(2023, 2, 1), by=system_actor()
        ),
        org,
        "before",
    )
    assert error.messages
    unfiled = build_org(world.community_a)
    refused(lambda: apply("register", unfiled, D(2023, 7, 1)), unfiled, "Record registration", "Proposed")


# --- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_staff_of_another_community_cannot_transition(world, other_staff, name):
    state = {"register": "active/filed", "make_dormant": "active/filed", "reactivate": "dormant/filed"}
    org = reach(world.community_a, state.get(name, "proposed"))
    refused(lambda: apply(name, org, D(2023, 6, 1), by=other_staff), org, exc=PermissionDenied)


def test_staff_of_another_community_cannot_transition_org_a(world, other_staff):
    org = world.org_a
    for name in ("register", "make_dormant", "dissolve"):
        refused(lambda name=name: apply(name, org, D(2023, 6, 1), by=other_staff), org, exc=PermissionDenied)


def test_community_staff_cannot_record_a_filing_directly(world, community_staff):
    """New filings go through the filing workflow (incubation); recording one directly is for the
    subdistrict entering paper filings from before the platform (Perm.FILING_DECIDE)."""
    org = build_org(world.community_a)
    refused(lambda: apply("file", org, D(2023, 2, 1), by=community_staff), org, exc=PermissionDenied)


def test_permission_is_checked_before_the_floor(world, other_staff):
    """Someone without the permission learns nothing about the organization's members."""
    org = build_org(world.community_a, members=1)
    refused(lambda: apply("file", org, D(2023, 2, 1), by=other_staff), org, exc=PermissionDenied)


@pytest.mark.parametrize("persona", ["org_leader", "district_leader", "reviewer", "outsider"], indirect=True)
def test_roles_without_the_transition_permission_are_refused(world, persona):
    org = world.org_a
    refused(lambda: apply("make_dormant", org, D(2023, 6, 1), by=persona), org, exc=PermissionDenied)


@pytest.mark.parametrize("persona", ["office_admin", "community_staff"], indirect=True)
def test_office_and_community_staff_may_transition(world, persona):
    org = world.org_a
    apply("make_dormant", org, D(2023, 6, 1), by=persona)
    assert org.history.latest().history_user == persona


# --- concurrency ---------------------------------------------------------------------------------------


def test_second_filing_from_a_stale_page_is_refused(world, office_admin):
    """Two staff opened the same proposed organization; both submit a filing."""
    first_copy = Organization.objects.get(pk=build_org(world.community_a).pk)
    second_copy = Organization.objects.get(pk=first_copy.pk)
    services.organization_file(organization=first_copy, filing_number="NS-A", filed_on=D(2023, 2, 1), by=office_admin)
    assert second_copy.status == S.PROPOSED  # the stale copy still says proposed
    refused(
        lambda: services.organization_file(
            organization=second_copy, filing_number="NS-B", filed_on=D(2023, 2, 2), by=office_admin
        ),
        first_copy,
        "not possible while the organization is Active",
    )
    first_copy.refresh_from_db()
    assert first_copy.filing_number == "NS-A"
    assert first_copy.status_changes.filter(action="registry.organization.filed").count() == 1


def test_decisions_on_a_stale_copy_see_the_current_state(world, community_staff, office_admin):
    stale = Organization.objects.get(pk=world.org_a.pk)
    services.organization_dissolve(organization=world.org_a, reason="成员解散", on=D(2023, 6, 1), by=office_admin)
    refused(
        lambda: services.organization_make_dormant(
            organization=stale, reason="暂停", on=D(2023, 6, 2), by=office_admin
        ),
        world.org_a,
        "Mark dormant",
        "Dissolved",
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_filings_exactly_one_wins(world, office_admin):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serializes whole transactions")
    org = build_org(world.community_a)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def file(label: str, by) -> None:
        copy = Organization.objects.get(pk=org.pk)  # each staff member's page, loaded before either submits
        barrier.wait()
        try:
            with translation.override("en"):
                services.organization_file(
                    organization=copy, filing_number=f"NS-{label}", filed_on=D(2023, 2, 1), by=by
                )
            outcomes[label] = "filed"
        except ValidationError as exc:
            outcomes[label] = exc.messages
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes[label] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=file, args=("A", office_admin)),
        threading.Thread(target=file, args=("B", office_admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["A", "B"], outcomes
    winners = [label for label, result in outcomes.items() if result == "filed"]
    assert len(winners) == 1, outcomes
    (loser,) = set(outcomes) - set(winners)
    assert "not possible while the organization is Active" in " ".join(outcomes[loser])
    org.refresh_from_db()
    assert org.filing_number == f"NS-{winners[0]}"
    assert org.status_changes.filter(action="registry.organization.filed").count() == 1
    assert org.history.filter(history_change_reason="registry.organization.filed").count() == 1


# --- create and update -----------------------------------------------------------------------------------


def _create(world, **kw):
    args = {
        "name": "荔芳新组织",
        "form": Organization.Form.TEAM,
        "nature": SV,
        "category": Organization.Category.CULTURE,
        "community": world.community_a,
        "by": system_actor(),
    }
    args.update(kw)
    return services.organization_create(**args)


def _nothing_created(call, *fragments, exc=ValidationError):
    before = (Organization.objects.count(), Organization.history.count(), OrganizationStatusChange.objects.count())
    with pytest.raises(exc) as info:
        call()
    after = (Organization.objects.count(), Organization.history.count(), OrganizationStatusChange.objects.count())
    assert after == before
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return info.value


def test_create_records_history_and_starts_proposed(world, community_staff):
    org = _create(world, by=community_staff, on=D(2023, 5, 4), venue="荔芳社区活动室")
    assert (org.status, org.legal_status, org.status_since) == (S.PROPOSED, L.UNFILED, D(2023, 5, 4))
    version = org.history.get()
    assert (version.history_change_reason, version.history_user) == ("registry.organization.created", community_staff)


def test_create_refuses_a_duplicate_name_in_the_community(world):
    error = _nothing_created(lambda: _create(world, name=" 荔芳食品安全自治会 "), "荔芳社区", "荔芳食品安全自治会")
    assert "name" in error.message_dict
    _create(world, name="荔芳食品安全自治会", community=world.community_b)  # another community may use it


def test_create_needs_a_community(world, office_admin):
    error = _nothing_created(lambda: _create(world, community=world.subdistrict, by=office_admin), "Choose a community")
    assert "community" in error.message_dict


def test_create_outside_ones_scope_is_refused(world, community_staff):
    _nothing_created(lambda: _create(world, community=world.community_b, by=community_staff), exc=PermissionDenied)


def test_create_refuses_bad_choices_and_blank_names(world):
    assert "name" in _nothing_created(lambda: _create(world, name="   ")).message_dict
    assert "nature" in _nothing_created(lambda: _create(world, nature="foundation")).message_dict
    assert "category" in _nothing_created(lambda: _create(world, category="sports")).message_dict


def test_create_refuses_a_future_date(world):
    _nothing_created(lambda: _create(world, on=timezone.localdate() + dt.timedelta(days=1)), "cannot be in the future")


def test_create_refuses_unknown_fields(world):
    _nothing_created(lambda: _create(world, status=S.ACTIVE), "status", exc=TypeError)
    _nothing_created(lambda: _create(world, filing_number="X"), "filing_number", exc=TypeError)


def test_party_branch_date_rules(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    error = _nothing_created(lambda: _create(world, party_branch_name="荔芳党支部"), "Give the date")
    assert "party_branch_founded_on" in error.message_dict
    error = _nothing_created(
        lambda: _create(world, party_branch_name="荔芳党支部", party_branch_founded_on=tomorrow), "future"
    )
    assert "party_branch_founded_on" in error.message_dict
    org = _create(world, party_branch_name="荔芳党支部", party_branch_founded_on=D(2021, 7, 1))
    assert org.has_party_branch
    before = snapshot(org)
    with pytest.raises(ValidationError):
        services.organization_update(organization=org, data={"party_branch_founded_on": None}, by=system_actor())
    assert snapshot(org) == before


def test_update_records_only_changed_fields(world, community_staff):
    org = world.org_a
    before = org.history.count()
    services.organization_update(organization=org, data={"venue": org.venue}, by=community_staff)
    assert org.history.count() == before  # nothing changed, nothing recorded
    services.organization_update(
        organization=org, data={"venue": "荔芳社区能量站", "purpose": "食品安全自治"}, by=community_staff
    )
    org.refresh_from_db()
    assert (org.venue, org.purpose) == ("荔芳社区能量站", "食品安全自治")
    version = org.history.latest()
    assert (version.history_change_reason, version.history_user) == ("registry.organization.updated", community_staff)
    assert org.history.count() == before + 1


def test_update_refuses_lifecycle_and_unknown_fields(world):
    org = world.org_a
    for data in ({"status": S.DISSOLVED}, {"legal_status": L.REGISTERED}, {"filing_number": "X"}, {"colour": "red"}):
        field = next(iter(data))
        refused(
            lambda data=data: services.organization_update(organization=org, data=data, by=system_actor()),
            org,
            "cannot be changed here",
            field,
        )


def test_update_refuses_a_duplicate_name(world):
    other = make_organization(world.community_a, "荔芳舞蹈队")
    error = refused(
        lambda: services.organization_update(
            organization=other, data={"name": "荔芳食品安全自治会 "}, by=system_actor()
        ),
        other,
        "荔芳食品安全自治会",
    )
    assert "name" in error.message_dict


def test_update_refuses_invalid_choices(world):
    refused(
        lambda: services.organization_update(organization=world.org_a, data={"category": "sports"}, by=system_actor()),
        world.org_a,
    )


def test_update_outside_ones_scope_is_refused(world, other_staff, org_leader):
    refused(
        lambda: services.organization_update(organization=world.org_a, data={"venue": "别处"}, by=other_staff),
        world.org_a,
        exc=PermissionDenied,
    )
    # The organization's own admin may edit its profile.
    services.organization_update(organization=world.org_a, data={"venue": "荔芳社区能量站"}, by=org_leader)


# --- the timeline -------------------------------------------------------------------------------------------


def test_history_entries_show_old_and_new_values(world, community_staff, office_admin):
    org = build_org(world.community_a)
    services.organization_update(
        organization=org,
        data={"venue": "荔芳社区能量站", "category": Organization.Category.CHARITY},
        by=community_staff,
    )
    apply("file", org, D(2023, 2, 1), by=office_admin)
    entries = history_entries(org.history.all())
    assert [e.action for e in entries] == [
        "registry.organization.filed",
        "registry.organization.updated",
        "registry.organization.created",
    ]
    filed, updated, created = entries
    assert created.kind == "+" and created.changes == ()
    changes = {c.field: (c.old, c.new) for c in updated.changes}
    assert changes == {
        "venue": ("社区党群服务中心", "荔芳社区能量站"),
        "category": ("Community affairs", "Public welfare and charity"),  # choice labels, not codes
    }
    assert {c.field for c in filed.changes} >= {"status", "legal_status", "filing_number", "filed_on"}
    status = next(c for c in filed.changes if c.field == "status")
    assert (status.old, status.new) == ("Proposed", "Active")
    assert filed.user == office_admin
    assert all(c.field != "updated_at" for e in entries for c in e.changes)


def test_history_entries_of_several_rows_in_one_timeline(world):
    org = world.org_a
    records = [*org.history.all(), *Membership.history.filter(organization_id=org.pk)]
    entries = history_entries(records)
    assert len(entries) == len(records)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    kinds = {type(e.subject).__name__ for e in entries}
    assert kinds == {"HistoricalOrganization", "HistoricalMembership"}
