"""Who belongs to each organization and when; who leads it; who is a party member; who the people are."""

from __future__ import annotations

import datetime as dt
import random

from sifu.registry.demo import data
from sifu.registry.demo.people import ID_SHARE, PeopleFactory, traits_for
from sifu.registry.demo.shapes import (
    HANDOVERS,
    LAST_DAY,
    MEMBERS_ON,
    PEOPLE,
    D,
    OrgPlan,
    PersonPlan,
    Slot,
    day,
    weighted_sample,
)


def _roles_for_initial(rng: random.Random, org: OrgPlan) -> list[Slot]:
    founded = org.founded or org.created
    until = org.filed or org.created
    n_init = min(org.initial, rng.randint(3, 5) if org.nature == "association" else rng.randint(2, 3))
    slots = []
    for i in range(org.initial):
        if i == 0:
            role = "leader"
        elif i == 1 and org.initial >= 4 and rng.random() < 0.6:
            role = "deputy"
        elif rng.random() < 0.3:
            role = "backbone"
        else:
            role = "member"
        joined = founded if i < n_init else day(rng, founded, until)
        slots.append(Slot(org, role, joined, initiator=i < n_init, initial=True))
    return slots


def _later_slot(rng: random.Random, org: OrgPlan, joined: dt.date) -> Slot:
    role = rng.choices(("member", "volunteer", "backbone"), (75, 20, 5))[0]
    return Slot(org, role, joined)


def _growth_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A joining date between start and end, more of them towards the end (荔林关爱中心's growth)."""
    span = (end - start).days
    return start + dt.timedelta(days=int(span * rng.random() ** 0.6))


def add_memberships(rng: random.Random, orgs: list[OrgPlan]) -> None:
    for org in orgs:
        slots = _roles_for_initial(rng, org)
        counted = org.active_on(MEMBERS_ON)
        start = (org.filed or org.created) + dt.timedelta(days=1)
        big = org.size > 500
        if counted:
            for _ in range(org.size - org.initial):
                joined = _growth_day(rng, start, MEMBERS_ON) if big else day(rng, start, MEMBERS_ON)
                slots.append(_later_slot(rng, org, joined))
            # Some of them leave after 2023-12-31: still counted on that date.
            for slot in slots:
                if not slot.initial and rng.random() < 0.04:
                    slot.left = day(rng, max(slot.joined, D(2024, 1, 15)), LAST_DAY)
            # Some joined and left before it; some join after it.
            past = org.size // 75 if big else int(rng.random() < 0.35) + int(org.size > 30)
            for _ in range(past):
                slot = _later_slot(rng, org, day(rng, org.founded or org.created, D(2023, 6, 30)))
                slot.left = day(rng, slot.joined + dt.timedelta(days=30), D(2023, 11, 30))
                slots.append(slot)
            late = org.size // 25 if big else rng.choice((0, 0, 1, 1, 2))
            for _ in range(late):
                slots.append(_later_slot(rng, org, day(rng, D(2024, 1, 2), LAST_DAY)))
        elif org.filed:
            end = min(x for x in (org.dormant and org.dormant[0], org.dissolved and org.dissolved[0], LAST_DAY) if x)
            for _ in range(org.size - org.initial):
                slots.append(_later_slot(rng, org, day(rng, start, end)))
        org.slots = slots


def choose_handovers(rng: random.Random, orgs: list[OrgPlan]) -> None:
    candidates = [
        o
        for o in orgs
        if o.generated
        and o.active_on(MEMBERS_ON)
        and o.filed is not None
        and o.filed <= D(2021, 12, 31)
        and o.initial >= 3
    ]
    for org in rng.sample(candidates, HANDOVERS):
        assert org.filed is not None  # (a candidate)
        org.handover = day(rng, org.filed + dt.timedelta(days=365), D(2023, 6, 30))
        org.slots[1].new_leader = True


def flag_party_members(rng: random.Random, orgs: list[OrgPlan]) -> None:
    for org in orgs:
        if not org.active_on(MEMBERS_ON):
            for slot in org.slots:
                slot.party = rng.random() < 0.1
            continue
        current = [s for s in org.slots if s.current(MEMBERS_ON)]
        leader = next(s for s in current if s.final_role == "leader")
        others = [s for s in current if s is not leader]
        need = org.party
        if org.party_leader:
            leader.party = True
            need -= 1
        for slot in weighted_sample(rng, others, [4 if s.initial else 1 for s in others], need):
            slot.party = True
        for slot in org.slots:
            if not slot.current(MEMBERS_ON):
                slot.party = rng.random() < 0.08


# --- people ------------------------------------------------------------------------------------------


def make_people(rng: random.Random, orgs: list[OrgPlan]) -> list[PersonPlan]:
    """One person per membership, except that some people belong to two organizations."""
    factory = PeopleFactory(rng)
    slots = [s for o in orgs for s in o.slots]
    shared = set(rng.sample(range(len(slots)), max(0, len(slots) - PEOPLE)))
    people: list[PersonPlan] = []
    first_org: list[OrgPlan] = []
    for i, slot in enumerate(slots):
        if i not in shared:
            people.append(_person(rng, factory, slot))
            first_org.append(slot.org)
            slot.person = len(people) - 1
    # The shared memberships go to people of the same political status recorded in another organization.
    pools = {flag: [p for p, s in enumerate(slots) if p not in shared and s.party == flag] for flag in (True, False)}
    pools = {flag: [slots[i].person for i in pool] for flag, pool in pools.items()}
    for i in sorted(shared):
        slot, pool = slots[i], pools[slots[i].party]
        for _ in range(50):
            j = rng.randrange(len(pool))
            if first_org[pool[j]] is not slot.org:
                slot.person = pool.pop(j)
                break
        else:  # pragma: no cover - with thousands of candidates this does not happen
            people.append(_person(rng, factory, slot))
            first_org.append(slot.org)
            slot.person = len(people) - 1
    return people


def _person(rng: random.Random, factory: PeopleFactory, slot: Slot) -> PersonPlan:
    traits = traits_for(slot.org.name, slot.org.people)
    female = rng.random() < traits.female
    birth = factory.birth_date(traits.born)
    if slot.party:
        political = "cpc_probationary" if rng.random() < 0.06 else "cpc_member"
    elif birth.year >= 1990 and rng.random() < 0.35:
        political = "cyl_member"
    elif rng.random() < 0.01:
        political = "democratic_party"
    else:
        political = "masses"
    return PersonPlan(
        name=factory.name(female, birth.year),
        gender="female" if female else "male",
        phone=factory.phone(),
        id_number=factory.id_number(birth, female) if rng.random() < ID_SHARE else None,
        political_status=political,
        community=slot.org.community if rng.random() < 0.85 else rng.choice(data.COMMUNITIES),
    )
