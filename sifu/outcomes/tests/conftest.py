"""A small data set with dated lifecycles and memberships, on top of the shared ``world``.

Under 南山街道 (dates are the effective dates the services record):

| organization | community | nature / category | lifecycle |
|---|---|---|---|
| world.org_a 荔芳食品安全自治会 | 荔芳 | association / affairs | filed 2020-01-01, 12 members, 党建入章 |
| world.org_b 南园骑手互助会 | 南园 | service / culture | filed 2020-01-01, 4 members, party branch 2021-06-01 |
| dormant | 南园 | service / life | filed 2020-01-01, dormant 2022-01-01, reactivated 2023-01-01 |
| registered | 荔芳 | association / charity | filed 2020-01-01, registered 2021-01-01, party-member leader |
| dissolved | 荔芳 | service / culture | filed 2020-01-01, dissolved 2022-01-01 |
| proposed | 荔芳 | service / culture | never filed |

People: ``party_member`` (中共党员) belongs to org_a and org_b since 2020-01-01; ``leaver`` was in
org_b from 2020-01-01 to 2021-01-01; ``late`` (party member) joined org_b on 2023-01-01.
登良社区 has no organization. 粤海街道 holds world.org_other, which 南山街道's figures never count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sifu.accounts.models import Area
from sifu.accounts.services import system_actor
from sifu.accounts.tests.factories import make_area
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.registry import services
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.tests.factories import make_organization, make_person

D = dt.date
A, S = Organization.Nature.ASSOCIATION, Organization.Nature.SERVICE
C = Organization.Category


@dataclass
class Records:
    empty_community: Area
    dormant: Organization
    registered: Organization
    dissolved: Organization
    proposed: Organization
    party_member: Person
    leaver: Person
    late: Person


def uscc(prefix: str, body: str) -> str:
    first17 = f"{prefix}440305{body}"
    return first17 + uscc_check_char(first17)


@built_once
def records(world) -> Records:
    start = D(2020, 1, 1)
    empty = make_area("登良社区", Area.Kind.COMMUNITY, world.subdistrict)

    dormant = make_organization(world.community_b, "南园邻里互助队", nature=S, category=C.LIFE, members=2, filed=True)
    services.organization_make_dormant(organization=dormant, reason="负责人搬离", on=D(2022, 1, 1), by=system_actor())
    services.organization_reactivate(organization=dormant, on=D(2023, 1, 1), by=system_actor())

    registered = make_organization(
        world.community_a, "荔芳关爱协会", nature=A, category=C.CHARITY, members=10, filed=True
    )
    services.organization_register(
        organization=registered, uscc=uscc("51", "MA5F12345"), registered_on=D(2021, 1, 1), by=system_actor()
    )
    leader = Membership.objects.get(organization=registered, role=Membership.Role.LEADER).person
    services.person_update(
        person=leader, data={"political_status": Person.PoliticalStatus.CPC_MEMBER}, by=system_actor()
    )

    dissolved = make_organization(world.community_a, "荔芳书法社", nature=S, category=C.CULTURE, members=2, filed=True)
    services.organization_dissolve(organization=dissolved, reason="成员解散", on=D(2022, 1, 1), by=system_actor())

    proposed = make_organization(world.community_a, "荔芳亲子读书会", members=3)

    services.organization_update(organization=world.org_a, data={"party_clause_in_charter": True}, by=system_actor())
    services.organization_update(
        organization=world.org_b,
        data={"party_branch_name": "南园骑手党支部", "party_branch_founded_on": D(2021, 6, 1)},
        by=system_actor(),
    )

    party_member = make_person("党员甲", community=world.community_a, party=True)
    for org in (world.org_a, world.org_b):
        services.membership_add(organization=org, person=party_member, joined_on=start, by=system_actor())
    leaver = make_person("退出者", community=world.community_b)
    gone = services.membership_add(organization=world.org_b, person=leaver, joined_on=start, by=system_actor())
    services.membership_end(membership=gone, left_on=D(2021, 1, 1), by=system_actor())
    late = make_person("新党员", community=world.community_b, party=True)
    services.membership_add(organization=world.org_b, person=late, joined_on=D(2023, 1, 1), by=system_actor())

    return Records(empty, dormant, registered, dissolved, proposed, party_member, leaver, late)
