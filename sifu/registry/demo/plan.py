"""The demo decided in memory: every organization with its dated lifecycle, every membership and person.

``build_plan()`` is pure Python and deterministic (``random.Random(2024)``). It is shaped so that the
figures the registry selectors compute from the written records match the case study exactly, and
``plan_figures()`` recomputes them from the plan with the selectors' rules (an organization is active
on a date when its latest status change on or before it leaves it active and filed or registered;
memberships count when current on the date, in organizations active then), so ``build_plan`` checks
its own result against ``TARGETS`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import random

from sifu.registry.demo import data
from sifu.registry.demo.memberships import add_memberships, choose_handovers, flag_party_members, make_people
from sifu.registry.demo.organizations import generated_active, named_orgs, other_orgs, set_numbers, set_party, set_sizes
from sifu.registry.demo.shapes import (
    BASELINE_ON,
    FIGURES_ON,
    LIVE_LEGAL,
    MEMBERS_ON,
    SEED,
    TARGETS,
    OrgPlan,
    PersonPlan,
    Plan,
    Slot,
)

__all__ = ["BASELINE_ON", "FIGURES_ON", "MEMBERS_ON", "TARGETS", "OrgPlan", "PersonPlan", "Plan", "Slot", "build_plan"]


def build_plan(seed: int = SEED) -> Plan:
    rng = random.Random(seed)
    named = named_orgs()
    orgs = named + generated_active(rng, named) + other_orgs(rng)
    set_sizes(rng, orgs)
    set_party(rng, orgs)
    set_numbers(rng, orgs)
    add_memberships(rng, orgs)
    choose_handovers(rng, orgs)
    flag_party_members(rng, orgs)
    people = make_people(rng, orgs)
    leader_org = next(o for o in orgs if o.name == data.LEADER_ORG)
    leader = people[next(s for s in leader_org.slots if s.final_role == "leader").person]
    leader.username = "leader"
    plan = Plan(orgs=orgs, people=people, leader_name=leader.name)
    for on, expected in TARGETS.items():
        got = plan_figures(plan, on)
        wrong = {k: (v, got[k]) for k, v in expected.items() if got[k] != v}
        if wrong:  # a bug in the plan, never a user error
            raise RuntimeError(f"the demo plan misses its targets on {on}: {wrong}")
    return plan


def plan_figures(plan: Plan, on: dt.date) -> dict[str, int]:
    """The figures of sifu.registry.selectors.registry_figures, computed from the plan."""
    active = [o for o in plan.orgs if o.active_on(on)]
    out = {"active": len(active)}
    for key in ("association", "service"):
        out[key] = sum(o.nature == key for o in active)
    for key in ("charity", "life", "affairs", "culture"):
        out[key] = sum(o.category == key for o in active)
    for key in LIVE_LEGAL:
        out[key] = sum(state[1] == key for o in active if (state := o.state_on(on)) is not None)
    out["party_branches"] = sum(bool(o.branch and o.branch <= on) for o in active)
    current = [s for o in active for s in o.slots if s.current(on)]
    party_slots = [s for s in current if s.party]
    out["memberships"] = len(current)
    out["people"] = len({s.person for s in current})
    out["party_members"] = len(party_slots)
    out["orgs_with_party_members"] = len({id(s.org) for s in party_slots})
    out["party_member_leaders"] = len({id(s.org) for s in party_slots if s.final_role == "leader"})
    return out
