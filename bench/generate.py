"""A data generator at city scale, for the benchmarks in ``bench/run.py``.

    .venv/bin/python -m bench.run --scale city      # generates, then times the pages

Scales (``SCALES``): ``small`` (2 districts, 4 subdistricts, 24 communities, 480 organizations,
7,200 memberships) and ``city`` (1 city, 10 districts, 80 subdistricts, 800 communities,
20,000 organizations, 300,000 memberships).

**Direct bulk writes, on purpose and only here.** Everywhere else every write goes through a
service (DESIGN.md §4.1). A benchmark fixture of 20,000 organizations cannot afford a service
call per organization and per transition, so this module writes areas, organizations, their
first history versions, their effective-dated status log and the people with ``bulk_create``
(consistent with what the services would have written: paths, one version per organization
with the ``registry.organization.created`` code, a ``created`` and a ``filed`` status change,
…). Memberships do go through ``registry.services.memberships_bulk_add``, one call per
organization, which checks the one-leader and one-current-membership rules and writes their
history. Nothing here is used by the application; never run it against a database you keep.

**Incubation records** (issue #3) follow the registry; they are ``bench.generate_incubation``'s.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from sifu.accounts.models import Area, User
from sifu.accounts.services import role_grant, system_actor
from sifu.core.history import bulk_create_histories
from sifu.core.permissions import Role
from sifu.core.validators import id_check_char, uscc_check_char
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person
from sifu.registry.services import filing_valid_until, memberships_bulk_add

BENCH_PASSWORD = "Sifu-bench-2024"
NEEDS_PER_COMMUNITY = 6


@functools.cache
def _system() -> User:
    """The system actor that records the generated rows (one per benchmark process)."""
    return system_actor()


@dataclass(frozen=True)
class Scale:
    districts: int
    subdistricts_per_district: int
    communities_per_subdistrict: int
    organizations_per_community: int
    memberships: int  # in total

    @property
    def subdistricts(self) -> int:
        return self.districts * self.subdistricts_per_district

    @property
    def communities(self) -> int:
        return self.subdistricts * self.communities_per_subdistrict

    @property
    def organizations(self) -> int:
        return self.communities * self.organizations_per_community


SCALES = {
    "small": Scale(2, 2, 6, 20, 7_200),
    "city": Scale(10, 8, 10, 25, 300_000),
}


@dataclass
class Generated:
    scale: str
    city: Area
    subdistrict: Area  # the one the subdistrict admin administers
    admin: User  # subdistrict admin of ``subdistrict``
    leader: User  # read-only leader of the whole city
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _weighted[T](rng: random.Random, table: Sequence[tuple[T, int]]) -> T:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


# Shares close to 南山街道's (domain.md §2.2): mostly service-type, mostly culture and sports.
NATURES = [(Organization.Nature.SERVICE, 92), (Organization.Nature.ASSOCIATION, 8)]
CATEGORIES = [
    (Organization.Category.CULTURE, 80),
    (Organization.Category.AFFAIRS, 14),
    (Organization.Category.LIFE, 4),
    (Organization.Category.CHARITY, 2),
]
# Final states: (status, legal status) with weights.
STATES = [
    ((Organization.Status.ACTIVE, Organization.LegalStatus.FILED), 82),
    ((Organization.Status.ACTIVE, Organization.LegalStatus.REGISTERED), 3),
    ((Organization.Status.DORMANT, Organization.LegalStatus.FILED), 5),
    ((Organization.Status.DISSOLVED, Organization.LegalStatus.FILED), 3),
    ((Organization.Status.INCUBATING, Organization.LegalStatus.UNFILED), 4),
    ((Organization.Status.PROPOSED, Organization.LegalStatus.UNFILED), 3),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅文志海建国淑珍"


def _areas(scale: Scale, label: str) -> tuple[Area, list[Area], list[Area]]:
    """The area tree, with materialized paths, in a few bulk queries per level."""

    def level(parents: Sequence[Area | None], kind: str, per_parent: int, name: str) -> list[Area]:
        rows = [
            Area(name=name.format(i=i + 1), kind=kind, parent=parent, depth=(parent.depth + 1) if parent else 0)
            for parent in parents
            for i in range(per_parent)
        ]
        rows = Area.objects.bulk_create(rows, batch_size=1000)
        for area in rows:
            area.path = f"{area.parent.path if area.parent else ''}{area.pk}/"
        Area.objects.bulk_update(rows, ["path"], batch_size=1000)
        return rows

    (city,) = level([None], Area.Kind.CITY, 1, f"基准市{label}")
    districts = level([city], Area.Kind.DISTRICT, scale.districts, "第{i}区")
    subdistricts = level(districts, Area.Kind.SUBDISTRICT, scale.subdistricts_per_district, "第{i}街道")
    communities = level(subdistricts, Area.Kind.COMMUNITY, scale.communities_per_subdistrict, "第{i}社区")
    return city, subdistricts, communities


def _known[T](value: T | None) -> T:
    """A value the generator has set for sure (a community's parent, a plan's date for its stage)."""
    assert value is not None
    return value


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _organizations(
    rng: random.Random, communities: list[Area], per_community: int
) -> tuple[list[Organization], dict[int, tuple[str, str, dt.date]]]:
    """Organizations created as they are while members join (active or proposed); their final
    state is returned separately and applied after the memberships (dissolved ones take none)."""
    orgs: list[Organization] = []
    final: dict[int, tuple[str, str, dt.date]] = {}
    serial = itertools.count(1)
    for community in communities:
        for j in range(per_community):
            n = next(serial)
            status, legal = _weighted(rng, STATES)
            founded = _date(rng, dt.date(2012, 1, 1), dt.date(2022, 6, 30))
            filed_on = _date(rng, founded, founded + dt.timedelta(days=365)) if legal != "unfiled" else None
            org = Organization(
                name=f"{_known(community.parent).name}{community.name}社区组织{j + 1}",
                form=rng.choice(Organization.Form.values),
                nature=_weighted(rng, NATURES),
                category=_weighted(rng, CATEGORIES),
                community=community,
                status=Organization.Status.ACTIVE if filed_on else status,
                legal_status=Organization.LegalStatus.FILED if filed_on else legal,
                status_since=filed_on or founded,
                founded_on=founded,
                venue=f"{community.name}党群服务中心",
                venue_kind=Organization.VenueKind.SHARED,
                purpose="服务社区居民，开展公益活动。",
                party_clause_in_charter=rng.random() < 0.3,
            )
            if filed_on:
                org.filing_number = f"BENCH-{n:07d}"
                org.filed_on = filed_on
                org.filing_valid_until = filing_valid_until(filed_on)
            if rng.random() < 0.09:
                org.party_branch_name = f"{org.name}党支部"
                org.party_branch_founded_on = _date(rng, founded, dt.date(2023, 6, 30))
            orgs.append(org)
            final[n - 1] = (status, legal, filed_on or founded)
    return orgs, final


def _people(rng: random.Random, count: int, communities: list[Area], start: int) -> Iterator[Person]:
    for i in range(start, start + count):
        # Unique by construction: (birth date, sequence) is a one-to-one function of i.
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i // 1000) * 37 % 20000)
        first17 = f"440305{birth:%Y%m%d}{i % 1000:03d}"
        yield Person(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            phone=f"13{i:09d}",
            id_number=first17 + id_check_char(first17) if rng.random() < 0.5 else None,
            political_status=(
                Person.PoliticalStatus.CPC_MEMBER if rng.random() < 0.12 else Person.PoliticalStatus.MASSES
            ),
            community=rng.choice(communities),
        )


def generate(scale_name: str = "small", *, seed: int = 2024, verbose: bool = True) -> Generated:
    """Write one city of ``scale_name`` into the current (empty) database; returns handles to it."""
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    started = time.perf_counter()

    def say(message: str) -> None:
        if verbose:
            print(f"  [{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    with transaction.atomic():
        city, subdistricts, communities = _areas(scale, scale_name)
        say(f"{len(communities)} communities in {len(subdistricts)} subdistricts")

        orgs, final = _organizations(rng, communities, scale.organizations_per_community)
        orgs = bulk_create_histories(
            Organization, orgs, action="registry.organization.created", by=_system(), batch_size=1000
        )
        say(f"{len(orgs)} organizations")

        # People: about 1.15 memberships per person, as residents join several organizations.
        n_people = max(scale.memberships * 100 // 115, scale.organizations * 2)
        people: list[Person] = []
        batch: list[Person] = []
        for person in _people(rng, n_people, communities, start=1):
            batch.append(person)
            if len(batch) == 5000:
                people += Person.objects.bulk_create(batch)
                batch = []
        people += Person.objects.bulk_create(batch)
        say(f"{len(people)} people")

        # Memberships through the service, one call per organization.
        per_org = scale.memberships // len(orgs)
        extra = scale.memberships - per_org * len(orgs)
        total = 0
        for i, org in enumerate(orgs):
            size = per_org + (1 if i < extra else 0)
            members = rng.sample(range(len(people)), size)
            joined = org.filed_on or org.founded_on
            rows = [
                {
                    "person": people[p],
                    "role": Membership.Role.LEADER
                    if k == 0
                    else _weighted(rng, [("member", 80), ("backbone", 12), ("deputy", 3), ("volunteer", 5)]),
                    "joined_on": joined,
                    "is_initiator": k < 3,
                }
                for k, p in enumerate(members)
            ]
            memberships_bulk_add(organization=org, rows=rows, by=_system())
            total += size
            if verbose and (i + 1) % 2000 == 0:
                say(f"{total} memberships ({i + 1}/{len(orgs)} organizations)")
        say(f"{total} memberships")

        # The effective-dated lifecycle log and the final states.
        changes: list[OrganizationStatusChange] = []
        S, L = Organization.Status, Organization.LegalStatus
        to_update: list[Organization] = []
        for i, org in enumerate(orgs):
            status, legal, _since = final[i]
            founded_on = _known(org.founded_on)
            changes.append(
                OrganizationStatusChange(
                    organization=org,
                    action="registry.organization.created",
                    status=S.PROPOSED,
                    legal_status=L.UNFILED,
                    effective_on=founded_on,
                )
            )
            if legal == L.UNFILED:
                if status == S.INCUBATING:
                    changes.append(
                        OrganizationStatusChange(
                            organization=org,
                            action="registry.organization.incubation_started",
                            from_status=S.PROPOSED,
                            status=S.INCUBATING,
                            legal_status=L.UNFILED,
                            effective_on=founded_on,
                        )
                    )
                continue
            filed_on = _known(org.filed_on)
            changes.append(
                OrganizationStatusChange(
                    organization=org,
                    action="registry.organization.filed",
                    from_status=S.PROPOSED,
                    status=S.ACTIVE,
                    legal_status=L.FILED,
                    effective_on=filed_on,
                )
            )
            later = _date(rng, filed_on + dt.timedelta(days=30), dt.date(2024, 3, 31))
            if legal == L.REGISTERED:
                prefix = "51" if org.nature == Organization.Nature.ASSOCIATION else "52"
                first17 = f"{prefix}440305MJ{org.pk:07d}"
                org.uscc, org.registered_on, org.legal_status = first17 + uscc_check_char(first17), later, legal
                changes.append(
                    OrganizationStatusChange(
                        organization=org,
                        action="registry.organization.registered",
                        from_status=S.ACTIVE,
                        status=S.ACTIVE,
                        legal_status=L.REGISTERED,
                        effective_on=later,
                    )
                )
                to_update.append(org)
            elif status in (S.DORMANT, S.DISSOLVED):
                org.status, org.status_since = status, later
                action = "made_dormant" if status == S.DORMANT else "dissolved"
                changes.append(
                    OrganizationStatusChange(
                        organization=org,
                        action=f"registry.organization.{action}",
                        from_status=S.ACTIVE,
                        status=status,
                        legal_status=L.FILED,
                        effective_on=later,
                        reason="基准数据",
                    )
                )
                to_update.append(org)
        OrganizationStatusChange.objects.bulk_create(changes, batch_size=2000)
        Organization.objects.bulk_update(
            to_update, ["status", "status_since", "legal_status", "uscc", "registered_on"], batch_size=1000
        )
        say(f"{len(changes)} status changes")

        subdistrict = subdistricts[0]
        admin = User.objects.create_user(username=f"bench_admin_{scale_name}", password=BENCH_PASSWORD)
        leader = User.objects.create_user(username=f"bench_leader_{scale_name}", password=BENCH_PASSWORD)
        role_grant(user=admin, role=Role.SUBDISTRICT_ADMIN, area=subdistrict, by=_system())
        role_grant(user=leader, role=Role.LEADER, area=city, by=_system())

        from bench.generate_incubation import _incubation  # it imports this module's helpers

        incubation = _incubation(
            random.Random(f"{seed}/incubation"), scale, subdistricts, communities, orgs, people, say
        )

    counts = {
        "districts": scale.districts,
        "subdistricts": len(subdistricts),
        "communities": len(communities),
        "organizations": len(orgs),
        "people": len(people),
        "memberships": total,
        "status_changes": len(changes),
        **incubation,
    }
    return Generated(scale_name, city, subdistrict, admin, leader, counts, time.perf_counter() - started)
