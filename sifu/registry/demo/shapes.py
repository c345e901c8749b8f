"""The shapes of the demo plan: its dates and targets, its records (organizations, memberships, people)
and small random helpers. Every date is an effective date the services record.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

D = dt.date
SEED = 2024
FIGURES_ON = D(2024, 4, 30)  # "截至2024年4月"
BASELINE_ON = D(2019, 1, 1)  # "2019年以来 … 仅82个活跃社会组织"
MEMBERS_ON = D(2023, 12, 31)  # "截至2023年12月 … 成员总数3883人"
LAST_DAY = D(2026, 10, 31)  # nothing in the demo is dated later than this
PEOPLE = 3700  # distinct people, about

TARGETS = {
    FIGURES_ON: {
        "active": 197,
        "association": 16,
        "service": 181,
        "charity": 2,
        "life": 6,
        "affairs": 29,
        "culture": 160,
        "filed": 191,
        "registered": 6,
    },
    BASELINE_ON: {"active": 82},
    MEMBERS_ON: {
        "memberships": 3883,
        "orgs_with_party_members": 104,
        "party_members": 488,
        "party_member_leaders": 57,
        "party_branches": 17,
    },
}

# Filing years of the generated organizations active on 2024-04-30 (the named ones come on top).
ACTIVE_BY_YEAR = {2015: 12, 2016: 15, 2017: 22, 2018: 28, 2019: 20, 2020: 17, 2021: 26, 2022: 25, 2023: 25, 2024: 7}
GENERATED_BRANCHES = 8  # party branches besides the case study's organizations (17 in all)
HANDOVERS = 10  # organizations whose leader changed before 2023-12-31

S_ACTIVE, S_DORMANT, S_DISSOLVED = "active", "dormant", "dissolved"
LIVE_LEGAL = ("filed", "registered")


@dataclass(eq=False)
class Slot:
    """One membership: added with ``role``; the leader at the end is the one with ``final_role`` leader."""

    org: OrgPlan
    role: str
    joined: dt.date
    left: dt.date | None = None
    initiator: bool = False
    initial: bool = False
    party: bool = False
    new_leader: bool = False  # becomes leader through organization_change_leader on org.handover
    person: int = -1

    @property
    def final_role(self) -> str:
        if self.new_leader:
            return "leader"
        if self.role == "leader" and self.org.handover:
            return "backbone"
        return self.role

    def current(self, on: dt.date) -> bool:
        return self.joined <= on and (self.left is None or self.left > on)


@dataclass(eq=False)
class OrgPlan:
    name: str
    community: str
    nature: str
    category: str
    created: dt.date
    filed: dt.date | None = None
    founded: dt.date | None = None
    incubated: dt.date | None = None
    registered: dt.date | None = None
    dormant: tuple[dt.date, str] | None = None
    reactivated: dt.date | None = None
    dissolved: tuple[dt.date, str] | None = None
    form: str = ""
    size: int = 0  # members current on MEMBERS_ON (organizations active then), else founding size
    initial: int = 0
    party: int = 0
    party_leader: bool = False
    fixed_party: bool = False  # party and party_leader come from named.py
    branch: dt.date | None = None
    branch_name: str = ""
    party_clause: bool = False
    handover: dt.date | None = None
    venue: str = ""
    venue_kind: str = "shared"
    purpose: str = ""
    scope: str = ""
    funding: str = ""
    people: str = ""
    filing_number: str = ""
    uscc: str = ""
    generated: bool = False  # name and texts generated (not from named.py)
    slots: list[Slot] = field(default_factory=list)

    def events(self) -> list[tuple[dt.date, str, str]]:
        """(effective date, status, legal status) in the order the services record them."""
        legal = "unfiled"
        out = [(self.created, "proposed", legal)]
        if self.incubated:
            out.append((self.incubated, "incubating", legal))
        if self.filed:
            legal = "filed"
            out.append((self.filed, S_ACTIVE, legal))
        if self.registered:
            legal = "registered"
            out.append((self.registered, S_ACTIVE, legal))
        if self.dormant:
            out.append((self.dormant[0], S_DORMANT, legal))
        if self.reactivated:
            out.append((self.reactivated, S_ACTIVE, legal))
        if self.dissolved:
            out.append((self.dissolved[0], S_DISSOLVED, legal))
        return out

    def state_on(self, on: dt.date) -> tuple[str, str] | None:
        state = None
        for when, status, legal in self.events():
            if when <= on:
                state = (status, legal)
        return state

    def active_on(self, on: dt.date) -> bool:
        state = self.state_on(on)
        return state is not None and state[0] == S_ACTIVE and state[1] in LIVE_LEGAL


@dataclass
class PersonPlan:
    name: str
    gender: str
    phone: str
    id_number: str | None
    political_status: str
    community: str
    username: str | None = None


@dataclass
class Plan:
    orgs: list[OrgPlan]
    people: list[PersonPlan]
    leader_name: str

    @property
    def slots(self) -> list[Slot]:
        return [slot for org in self.orgs for slot in org.slots]


# --- helpers ---------------------------------------------------------------------------------------


def day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def weighted_sample(rng: random.Random, items: list, weights: Sequence[float], k: int) -> list:
    items, weights = list(items), list(weights)
    chosen = []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights)[0]
        chosen.append(items.pop(i))
        weights.pop(i)
    return chosen


def nudge(rng: random.Random, items: list, attr: str, diff: int, bounds) -> None:
    """Move the sum of ``attr`` over ``items`` by ``diff``, one step on a random item at a time, within bounds."""
    for _ in range(100_000):
        if not diff:
            return
        item = rng.choice(items)
        step = 1 if diff > 0 else -1
        low, high = bounds(item)
        if low <= getattr(item, attr) + step <= high:
            setattr(item, attr, getattr(item, attr) + step)
            diff -= step
    raise RuntimeError(f"the demo plan cannot reach its {attr} target ({diff} left)")
