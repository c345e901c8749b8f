"""Factories build rows through the services, so tests see the same rules as users."""

from __future__ import annotations

import datetime as dt
import itertools

from sifu.accounts.models import Area
from sifu.accounts.services import system_actor
from sifu.core.validators import id_check_char
from sifu.registry import services
from sifu.registry.models import Membership, Organization, Person

_seq = itertools.count(1)


def valid_phone(n: int) -> str:
    return f"139{n:08d}"


def valid_id_number(n: int, birth: str = "19800101") -> str:
    first17 = f"440305{birth}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def make_person(name: str | None = None, *, community: Area | None = None, party: bool = False, **kw) -> Person:
    n = next(_seq)
    return services.person_create(
        name=name or f"居民{n}",
        phone=kw.pop("phone", valid_phone(n)),
        political_status=Person.PoliticalStatus.CPC_MEMBER if party else Person.PoliticalStatus.MASSES,
        community=community,
        by=system_actor(),
        **kw,
    )


def make_organization(
    community: Area,
    name: str | None = None,
    *,
    nature: str = Organization.Nature.SERVICE,
    category: str = Organization.Category.CULTURE,
    members: int = 0,
    filed: bool = False,
    on: dt.date = dt.date(2020, 1, 1),
    **profile,
) -> Organization:
    """An organization, optionally with members (first is leader, first three initiators) and filed."""
    n = next(_seq)
    profile.setdefault("venue", "社区党群服务中心")
    org = services.organization_create(
        name=name or f"测试组织{n}",
        form=Organization.Form.TEAM,
        nature=nature,
        category=category,
        community=community,
        on=on,
        by=system_actor(),
        **profile,
    )
    for i in range(members):
        person = make_person(community=community)
        services.membership_add(
            organization=org,
            person=person,
            joined_on=on,
            role=Membership.Role.LEADER if i == 0 else Membership.Role.MEMBER,
            is_initiator=i < 3,
            by=system_actor(),
        )
    if filed:
        services.organization_file(
            organization=org, filing_number=f"NS{on.year}-{n:04d}", filed_on=on, by=system_actor()
        )
    return org
