"""Which organizations the demo holds: the named ones, the generated ones filling each community's quota,
and the ones that ended, came later or are not filed; then their sizes, party figures and numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sifu.core.validators import USCC_CHARSET, uscc_check_char
from sifu.registry.demo import data
from sifu.registry.demo.named import DISSOLVED, DORMANT, LATER, NAMED, UNFILED
from sifu.registry.demo.shapes import (
    ACTIVE_BY_YEAR,
    FIGURES_ON,
    GENERATED_BRANCHES,
    MEMBERS_ON,
    TARGETS,
    D,
    OrgPlan,
    day,
    nudge,
    weighted_sample,
)


def named_orgs() -> list[OrgPlan]:
    orgs = []
    for n in NAMED:
        org = OrgPlan(
            name=n.name,
            community=n.community,
            nature=n.nature,
            category=n.category,
            created=n.created,
            filed=n.filed,
            founded=n.founded or n.created,
            incubated=n.incubated,
            registered=n.registered,
            dormant=n.dormant,
            reactivated=n.reactivated,
            dissolved=n.dissolved,
            form=n.form or data.form_for(n.name),
            size=n.size or 0,
            initial=n.initial or 0,
            party=n.party or 0,
            party_leader=bool(n.party_leader),
            fixed_party=n.party is not None,
            branch=n.branch,
            branch_name=n.extra.get("branch_name", f"{n.name}党支部") if n.branch else "",
            party_clause=n.party_clause,
            venue=n.venue,
            venue_kind=n.venue_kind,
            purpose=n.purpose,
            scope=n.scope,
            funding=n.funding,
            people=n.people,
        )
        orgs.append(org)
    return orgs


class _Namer:
    """Unique, realistic names per community: prefix (community or estate) + optional epithet + base."""

    def __init__(self, rng: random.Random, taken: list[OrgPlan]) -> None:
        self.rng = rng
        self.keys = {(o.community, o.name.replace("社区", "")) for o in taken}

    def make(self, community: str, category: str) -> tuple[str, str, str]:
        """(name, what the members do, estate or "")."""
        rng = self.rng
        bases = {"culture": data.CULTURE_BASES, "affairs": data.AFFAIRS_BASES, "life": data.LIFE_BASES}[category]
        estates = data.ESTATES[community]
        for _ in range(500):
            base, what = rng.choice(bases)
            r = rng.random()
            estate = rng.choice(estates) if estates and r < 0.3 else ""
            community_prefix = r > 0.8 or (category != "culture" and r > 0.5)
            prefix = estate or (f"{community}社区" if community_prefix else community)
            epithet = rng.choice(_epithets(base)) if category == "culture" else ""
            name = f"{prefix}{epithet}{base}"
            key = (community, name.replace("社区", ""))
            if key not in self.keys:
                self.keys.add(key)
                return name, what, estate
        raise RuntimeError(f"no free name left in {community}")  # pragma: no cover


def _epithets(base: str) -> tuple[str, ...]:
    kinds = [
        kind
        for kind, words in (("elder", data.ELDER_WORDS), ("young", data.YOUNG_WORDS), ("women", data.WOMEN_WORDS))
        if any(w in base for w in words)
    ]
    return data.EPITHETS["any"] + sum((data.EPITHETS[k] for k in kinds), ())


def generated_active(rng: random.Random, named: list[OrgPlan]) -> list[OrgPlan]:
    """The generated organizations active on 2024-04-30, filling each community's quota."""
    active_named = [o for o in named if not o.dormant or o.reactivated]
    counts: defaultdict[str, int] = defaultdict(int)
    for o in active_named:
        counts[o.community] += 1
    places = [c for c in data.COMMUNITIES for _ in range(data.ACTIVE_QUOTA[c] - counts[c])]
    targets = TARGETS[FIGURES_ON]
    by_category: defaultdict[str, int] = defaultdict(int)
    for o in active_named:
        by_category[o.category] += 1
    categories = [c for c in ("affairs", "life", "charity", "culture") for _ in range(targets[c] - by_category[c])]
    years = []
    for year, n in ACTIVE_BY_YEAR.items():
        years += [year] * (n - sum(1 for o in active_named if o.filed and o.filed.year == year))
    assert len(places) == len(categories) == len(years), (len(places), len(categories), len(years))
    rng.shuffle(places)
    rng.shuffle(categories)
    rng.shuffle(years)
    # Community affairs and life services came mostly with the push after 2019 (the case study's 孵化).
    for i, category in enumerate(categories):
        if category != "culture" and years[i] < 2019 and rng.random() < 0.8:
            j = rng.choice([j for j, c in enumerate(categories) if c == "culture" and years[j] >= 2019])
            years[i], years[j] = years[j], years[i]
    namer = _Namer(rng, named)
    orgs = []
    for community, category, year in zip(places, categories, years, strict=True):
        name, what, estate = namer.make(community, category)
        # 2024: before the case study's date; otherwise clear of the year's first and last days.
        first, last = (D(2024, 1, 8), D(2024, 4, 26)) if year == 2024 else (D(year, 1, 5), D(year, 12, 20))
        filed = day(rng, first, last)
        created = filed - dt.timedelta(days=rng.randrange(40, 200))
        founded = created - dt.timedelta(days=rng.randrange(0, 20))
        if category == "culture" and rng.random() < 0.3:
            founded -= dt.timedelta(days=rng.randrange(365, 6 * 365))
        incubated = None
        if created.year >= 2019 and rng.random() < 0.6:
            incubated = created + dt.timedelta(days=rng.randrange(5, 30))
        venue = rng.choice(data.VENUES).format(c=community)
        if any(w in name for w in data.ELDER_WORDS) and rng.random() < 0.3:
            venue = data.ELDER_VENUE.format(c=community)
        if estate and category == "culture" and rng.random() < 0.5:
            venue = f"{estate}小区广场"
        org = OrgPlan(
            name=name,
            community=community,
            nature="service",
            category=category,
            created=created,
            filed=filed,
            founded=founded,
            incubated=incubated,
            form=data.form_for(name),
            venue=venue,
            purpose=data.CATEGORY_PURPOSE[category].format(what=what),
            scope=data.CATEGORY_SCOPE[category].format(what=what),
            funding=rng.choice(data.FUNDING),
            generated=True,
        )
        orgs.append(org)
    # The case study's "师傅·家" venue serves 16 organizations of 月亮湾.
    shifu = [o for o in named + orgs if o.venue == data.SHIFU_VENUE]
    for org in [o for o in orgs if o.community == "月亮湾"][: data.SHIFU_ORGS - len(shifu)]:
        org.venue = data.SHIFU_VENUE
    return orgs


def other_orgs(rng: random.Random) -> list[OrgPlan]:
    """Dormant and dissolved organizations, later filings and proposals (texts from the category)."""
    orgs = []

    def make(name, community, category, created, **kw):
        what = data.what_for(name, category)
        return OrgPlan(
            name=name,
            community=community,
            nature="service",
            category=category,
            created=created,
            founded=created,
            form=data.form_for(name),
            venue=f"{community}社区党群服务中心",
            purpose=data.CATEGORY_PURPOSE[category].format(what=what),
            scope=data.CATEGORY_SCOPE[category].format(what=what),
            funding=rng.choice(data.FUNDING),
            generated=True,
            **kw,
        )

    for name, community, category, created, filed, on, reason in DORMANT:
        orgs.append(make(name, community, category, created, filed=filed, dormant=(on, reason)))
    for name, community, category, created, filed, on, reason in DISSOLVED:
        orgs.append(make(name, community, category, created, filed=filed, dissolved=(on, reason)))
    for name, community, category, created, incubated, filed in LATER:
        orgs.append(make(name, community, category, created, incubated=incubated, filed=filed))
    for name, community, category, created, incubated in UNFILED:
        orgs.append(make(name, community, category, created, incubated=incubated))
    return orgs


def set_sizes(rng: random.Random, orgs: list[OrgPlan]) -> None:
    """Members on 2023-12-31 for organizations active then (3883 in all); founding sizes for all."""
    counted = [o for o in orgs if o.active_on(MEMBERS_ON)]
    bounds = {"culture": (4, 14, 8), "affairs": (8, 20, 12), "life": (6, 15, 9), "charity": (10, 30, 18)}
    for org in orgs:
        low, high, mode = bounds[org.category]
        if not org.size:
            org.size = round(rng.triangular(low, high, mode)) if org in counted else rng.randint(3, 9)
        if not org.initial:
            org.initial = rng.randint(2, min(6, org.size)) if org.filed else rng.randint(2, 4)
        org.initial = min(org.initial, org.size)
    low_high = {c: (low, high + 4) for c, (low, high, _) in bounds.items()}
    nudge(
        rng,
        [o for o in counted if o.generated],
        "size",
        TARGETS[MEMBERS_ON]["memberships"] - sum(o.size for o in counted),
        lambda o: (max(low_high[o.category][0], o.initial), low_high[o.category][1]),
    )


def set_party(rng: random.Random, orgs: list[OrgPlan]) -> None:
    """Which organizations have party members, how many, whose leader is one, which have a branch."""
    targets = TARGETS[MEMBERS_ON]
    counted = [o for o in orgs if o.active_on(MEMBERS_ON)]
    free = [o for o in counted if not o.fixed_party and not o.branch]
    # More party branches among the larger generated organizations, community affairs first.
    big = [o for o in free if o.size >= 10 and o.filed is not None and o.filed <= D(2022, 6, 30)]
    weights = [3 if o.category == "affairs" else 1 for o in big]
    for org in weighted_sample(rng, big, weights, GENERATED_BRANCHES):
        org.branch = day(rng, max(org.filed + dt.timedelta(days=90), D(2017, 1, 1)), D(2023, 10, 31))
        org.branch_name = f"{org.name}党支部"
        org.party, org.party_leader, org.fixed_party = rng.randint(3, 6), True, True
    free = [o for o in free if not o.branch]
    with_party = [o for o in counted if o.party]
    weights = [4 if o.category == "affairs" else 1 for o in free]
    for org in weighted_sample(rng, free, weights, targets["orgs_with_party_members"] - len(with_party)):
        org.party = rng.choices((1, 2, 3, 4, 5), (30, 30, 20, 12, 8))[0]
    with_party = [o for o in counted if o.party]
    leaders = [o for o in with_party if o.party_leader]
    undecided = [o for o in with_party if not o.fixed_party]
    for org in rng.sample(undecided, targets["party_member_leaders"] - len(leaders)):
        org.party_leader = True
    for org in undecided:
        org.party = min(org.party, org.size - (0 if org.party_leader else 1))
    nudge(
        rng,
        [o for o in with_party if o.generated or not o.fixed_party],
        "party",
        targets["party_members"] - sum(o.party for o in with_party),
        lambda o: (3 if o.branch else 1, min(o.size - (0 if o.party_leader else 1), 8 if o.branch else 6)),
    )


def set_numbers(rng: random.Random, orgs: list[OrgPlan]) -> None:
    """Filing numbers in filing order per year; USCCs of registered ones (51 社团, 52 民非)."""
    per_year: defaultdict[int, int] = defaultdict(int)
    for org in sorted((o for o in orgs if o.filed), key=lambda o: (o.filed, o.name)):
        assert org.filed is not None  # (the filter above)
        per_year[org.filed.year] += 1
        org.filing_number = f"南山街备〔{org.filed.year}〕{per_year[org.filed.year]:03d}号"
    used = set()
    for org in orgs:
        if org.registered:
            while True:
                code = "MJL" + "".join(rng.choice(USCC_CHARSET[:10]) for _ in range(6))
                if code not in used:
                    used.add(code)
                    break
            first17 = ("51" if org.nature == "association" else "52") + data.DISTRICT_CODE + code
            org.uscc = first17 + uscc_check_char(first17)
