"""Write the planned demo through the services, so every row carries its history and its rules.

Areas and accounts through ``sifu.accounts.services``; people, organizations, memberships and every
lifecycle step (with its effective date in the past) through ``sifu.registry.services``. The whole
load is one transaction: it lands completely or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from sifu.accounts import services as accounts
from sifu.accounts.models import Area, User
from sifu.core.permissions import Role
from sifu.registry import services
from sifu.registry.demo import data
from sifu.registry.demo.plan import OrgPlan, Plan, build_plan
from sifu.registry.models import Membership, Organization, Person

REACTIVATION_REASON = "骨干成员回归，恢复每周活动"


class DemoConflict(Exception):
    """The database holds something the demo would collide with (e.g. a login name)."""


@dataclass(frozen=True)
class SeedResult:
    created: bool  # False: the demo was already there and nothing was written
    subdistrict: Area
    district: Area
    organizations: int
    people: int
    memberships: int


def find_subdistrict() -> Area | None:
    return Area.objects.filter(
        name=data.SUBDISTRICT, kind=Area.Kind.SUBDISTRICT, parent__name=data.DISTRICT, parent__parent=None
    ).first()


def is_loaded() -> bool:
    subdistrict = find_subdistrict()
    if subdistrict is None:
        return False
    return Organization.objects.filter(community__path__startswith=subdistrict.path).exists()


def seed_demo() -> SeedResult:
    """Load the demo unless it is already there (then write nothing)."""
    with transaction.atomic():
        if is_loaded():
            subdistrict = find_subdistrict()
            assert subdistrict is not None
            return _result(False, subdistrict)
        plan = build_plan()
        system = accounts.system_actor()
        areas = _areas(by=system)
        users = _accounts(plan, areas, by=system)
        admin = users["admin"]
        people = _people(plan, areas, users, by=admin)
        orgs = {p.name: _organization(p, areas, people, by=admin) for p in plan.orgs}
        # Community staff grant organization admins in their community.
        leader_org = orgs[data.LEADER_ORG]
        accounts.role_grant(user=users["leader"], role=Role.ORG_ADMIN, organization=leader_org, by=users["lifang"])
        _refresh_planner_statistics()
        return _result(True, areas[data.SUBDISTRICT])


def _refresh_planner_statistics() -> None:
    """After a bulk load, PostgreSQL's planner still believes the tables are as small as when it
    last sampled them, and may pick nested loops that re-run the figures' correlated subqueries
    for every membership (minutes instead of milliseconds). ANALYZE, as after any bulk load; it
    runs inside the transaction and sees its rows. SQLite plans without such statistics."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _result(created: bool, subdistrict: Area) -> SeedResult:
    orgs = Organization.objects.filter(community__path__startswith=subdistrict.path)
    assert subdistrict.parent is not None  # the demo subdistrict lies in its district
    return SeedResult(
        created=created,
        subdistrict=subdistrict,
        district=subdistrict.parent,
        organizations=orgs.count(),
        people=Person.objects.filter(memberships__organization__in=orgs).distinct().count(),
        memberships=Membership.objects.filter(organization__in=orgs).count(),
    )


def _area(name: str, kind: str, parent: Area | None, code: str = "", *, by: User) -> Area:
    existing = Area.objects.filter(name=name, kind=kind, parent=parent).first()
    return existing or accounts.area_create(name=name, kind=kind, parent=parent, code=code, by=by)


def _areas(*, by: User) -> dict[str, Area]:
    """南山区 → 南山街道 → its 13 communities, keyed by full name and by community short name."""
    district = _area(data.DISTRICT, Area.Kind.DISTRICT, None, data.DISTRICT_CODE, by=by)
    subdistrict = _area(data.SUBDISTRICT, Area.Kind.SUBDISTRICT, district, by=by)
    areas = {data.DISTRICT: district, data.SUBDISTRICT: subdistrict}
    for short in data.COMMUNITIES:
        areas[short] = _area(f"{short}社区", Area.Kind.COMMUNITY, subdistrict, by=by)
    return areas


def _accounts(plan: Plan, areas: dict[str, Area], *, by: User) -> dict[str, User]:
    usernames = [a.username for a in data.ACCOUNTS]
    taken = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoConflict(f"The login names {', '.join(sorted(taken))} are taken; the demo needs them free.")
    users: dict[str, User] = {}
    for account in data.ACCOUNTS:
        display = account.display_name
        if account.username == "leader":
            display = f"{display} {plan.leader_name}"
        users[account.username] = accounts.user_create(
            username=account.username, password=data.PASSWORD, display_name=display, by=by
        )
    system = by
    for account in data.ACCOUNTS:
        if account.area is None:
            continue  # the organization admin is granted once the organization exists
        # The subdistrict admin hands out community roles; the first grant and the district one come from the system.
        grantor = users["admin"] if account.role == Role.COMMUNITY_STAFF else system
        accounts.role_grant(user=users[account.username], role=account.role, area=areas[account.area], by=grantor)
    return users


def _people(plan: Plan, areas: dict[str, Area], users: dict[str, User], *, by: User) -> list[Person]:
    rows = [
        {
            "name": p.name,
            "phone": p.phone,
            "id_number": p.id_number,
            "political_status": p.political_status,
            "gender": p.gender,
            "community": areas[p.community],
            "user": users[p.username] if p.username else None,
        }
        for p in plan.people
    ]
    return services.persons_bulk_create(rows=rows, by=by)


def _organization(p: OrgPlan, areas: dict[str, Area], people: list[Person], *, by: User) -> Organization:
    """One organization and its whole dated story, in the order the services require."""
    org = services.organization_create(
        name=p.name,
        form=p.form,
        nature=p.nature,
        category=p.category,
        community=areas[p.community],
        on=p.created,
        by=by,
        guiding_unit=f"{p.community}社区党委",
        founded_on=p.founded,
        purpose=p.purpose,
        service_scope=p.scope,
        venue=p.venue,
        venue_kind=p.venue_kind,
        funding_source=p.funding,
    )
    rows = [
        {"person": people[s.person], "role": s.role, "joined_on": s.joined, "is_initiator": s.initiator}
        for s in p.slots
    ]
    memberships = services.memberships_bulk_add(organization=org, rows=rows, by=by)
    for slot, membership in zip(p.slots, memberships, strict=True):
        if slot.left:
            services.membership_end(membership=membership, left_on=slot.left, by=by)
    if p.incubated:
        services.organization_start_incubation(organization=org, on=p.incubated, by=by)
    if p.filed:
        services.organization_file(organization=org, filing_number=p.filing_number, filed_on=p.filed, by=by)
    if p.handover:
        new_leader = next(s for s in p.slots if s.new_leader)
        services.organization_change_leader(organization=org, person=people[new_leader.person], on=p.handover, by=by)
    party: dict[str, object] = {}
    if p.party_clause:
        party["party_clause_in_charter"] = True
    if p.branch:
        party.update(party_branch_name=p.branch_name, party_branch_founded_on=p.branch)
    if party:
        services.organization_update(organization=org, data=party, by=by)
    if p.registered:
        services.organization_register(organization=org, uscc=p.uscc, registered_on=p.registered, by=by)
    if p.dormant:
        services.organization_make_dormant(organization=org, reason=p.dormant[1], on=p.dormant[0], by=by)
    if p.reactivated:
        services.organization_reactivate(organization=org, on=p.reactivated, reason=REACTIVATION_REASON, by=by)
    if p.dissolved:
        services.organization_dissolve(organization=org, reason=p.dissolved[1], on=p.dissolved[0], by=by)
    return org
