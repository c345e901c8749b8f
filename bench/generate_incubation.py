"""The incubation part of the benchmark city (``bench.generate`` calls ``_incubation`` once the
registry part is written).

**Incubation records** (issue #3) follow the registry, also in bulk and from a seeded generator
(dates relative to today, as the demo's are): ``NEEDS_PER_COMMUNITY`` needs per community (open,
served, awaiting screening, merged, declined; served ones linked to active organizations of their
community), an incubation case in every other community with its own organization (proposed,
incubating, active and filed, or dissolved, with its status log) and its needs, coaching notes and
leader candidates, filing requests (each case's first filing, a renewal for about a fifth of the
active filed organizations, some overdue; at most one open per organization) with their steps,
and one service plan per subdistrict with six goals and six milestones. The first case (in the
benchmarked subdistrict's first community) is always a first filing awaiting subdistrict review,
so its pages compare across scales. At city scale that is about 4,800 needs, 400 cases and 3,500
filing requests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from bench.generate import GIVEN, NATURES, NEEDS_PER_COMMUNITY, SURNAMES, Scale, _date, _known, _system, _weighted
from sifu.accounts.models import Area
from sifu.core.history import bulk_create_histories
from sifu.incubation.models import (
    CoachingNote,
    Filing,
    FilingEvent,
    IncubationCase,
    LeaderCandidate,
    Need,
    PlanGoal,
    PlanMilestone,
    ServicePlan,
)
from sifu.registry.models import Organization, OrganizationStatusChange, Person
from sifu.registry.services import filing_valid_until

# --- incubation (issue #3): needs, cases with their organizations, filings, candidates, plans ---------

NEED_STATUSES = [("open", 40), ("served", 30), ("submitted", 15), ("merged", 10), ("declined", 5)]
NEED_CATEGORIES = [
    (Organization.Category.LIFE, 35),
    (Organization.Category.AFFAIRS, 25),
    (Organization.Category.CULTURE, 25),
    (Organization.Category.CHARITY, 15),
]
# category → (title, affected group) templates; the community's name is prefixed.
NEED_TITLES = {
    Organization.Category.LIFE: [
        ("独居老人午餐没人做", "独居老人"),
        ("双职工家庭孩子放学后无人看护", "双职工家庭"),
        ("外卖骑手缺少歇脚充电的地方", "外卖骑手"),
        ("老旧小区加装电梯协调难", "高层老人"),
        ("残疾人出行缺少陪护", "残疾人"),
    ],
    Organization.Category.AFFAIRS: [
        ("电动车楼道充电隐患多", "居民"),
        ("商业街油烟噪音扰民", "沿街居民"),
        ("垃圾分类投放点管理混乱", "小区居民"),
        ("夜间大车乱停占用消防通道", "货车司机、居民"),
    ],
    Organization.Category.CULTURE: [
        ("青少年暑期缺少活动场地", "青少年"),
        ("广场舞时段和音量纠纷", "广场舞队员、居民"),
        ("外来务工人员缺少文体活动", "外来务工人员"),
    ],
    Organization.Category.CHARITY: [
        ("困难家庭助学需要结对", "困难家庭学生"),
        ("社区微心愿无人认领", "困难群众"),
        ("临终关怀缺少志愿者", "失能老人家属"),
    ],
}
CASE_STAGES = [("preparing", 20), ("incubating", 35), ("filing", 15), ("filed", 20), ("closed", 10)]
RENEWAL_SHARE = 0.2  # of the active, filed organizations
RENEWAL_STATUSES = [
    ("approved", 70),
    ("submitted", 9),
    ("prechecked", 9),
    ("returned", 4),
    ("refused", 4),
    ("withdrawn", 4),
]
ASSESSMENTS = [("strong", 50), ("fair", 35), ("weak", 10), ("", 5)]
MILESTONES = [
    "社区社会组织能量站挂牌运行",
    "完成社区需求摸底调查",
    "举办社区社会组织负责人培训班",
    "出台社区社会组织评星定级办法",
    "召开年度社区社会组织成果展示会",
    "完成备案组织年度检查",
]
PLAN_METRICS = [
    "active_organizations",
    "filed_organizations",
    "party_branches",
    "members",
    "communities_at_target",
    "needs_served",
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime on ``day`` in the site's time zone (Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


@dataclass
class _CasePlan:
    community: Area
    stage: str
    needs: list[Need]
    opened: dt.date
    started: dt.date | None = None
    submitted: dt.date | None = None
    ended: dt.date | None = None  # filed on, or closed on
    org: Organization | None = None
    case: IncubationCase | None = None


def _needs(
    rng: random.Random, communities: list[Area], per_community: int, today: dt.date
) -> tuple[list[Need], list[tuple[int, Need]]]:
    """Accepted and awaiting needs (first), and merged ones as (community index, need) whose target is
    chosen once the others have ids."""
    needs: list[Need] = []
    merged: list[tuple[int, Need]] = []
    for c, community in enumerate(communities):
        for k in range(per_community):
            status = "open" if k == 0 else _weighted(rng, NEED_STATUSES)  # every community has an open need
            category = _weighted(rng, NEED_CATEGORIES)
            title, group = rng.choice(NEED_TITLES[category])
            resident = status == Need.Status.SUBMITTED or rng.random() < 0.1
            need = Need(
                community=community,
                title=f"{community.name}{title}（{k + 1}）",
                description="走访和座谈中居民反映的问题，希望有社区社会组织长期跟进。",
                affected_group=group,
                category=category,
                source=Need.Source.RESIDENT
                if resident
                else _weighted(rng, [("visit", 40), ("survey", 25), ("forum", 25), ("hotline", 10)]),
                reported_on=today - dt.timedelta(days=rng.randrange(3 if status == "submitted" else 30, 1000)),
                place=f"{community.name}党群服务中心周边",
                status=status,
                decline_reason="不属于社区社会组织服务范围，已转交街道相关科室。" if status == "declined" else "",
                submitter_name=rng.choice(SURNAMES) + rng.choice(GIVEN) if resident else "",
                submitter_phone=f"139{rng.randrange(10**8):08d}" if resident else "",
            )
            if status == Need.Status.MERGED:
                merged.append((c, need))
            else:
                needs.append(need)
    return needs, merged


def _case_plans(
    rng: random.Random, communities: list[Area], needs_by_community: dict[int, list[Need]], today: dt.date
) -> list[_CasePlan]:
    """One case in every other community; the first (in the benchmarked subdistrict's first community)
    is always a filing under subdistrict review, so the case and filing pages compare across scales."""
    day = dt.timedelta(days=1)
    plans: list[_CasePlan] = []
    for i, community in enumerate(communities[::2]):
        stage = "filing" if i == 0 else _weighted(rng, CASE_STAGES)
        candidates = [n for n in needs_by_community.get(community.pk, []) if n.status == Need.Status.OPEN]
        chosen = rng.sample(candidates, min(len(candidates), 2 if i == 0 else rng.choice((1, 1, 2))))
        started: dt.date | None
        if stage == "preparing":
            plan = _CasePlan(community, stage, chosen, today - rng.randrange(0, 60) * day)
        elif stage == "incubating":
            opened = today - rng.randrange(40, 300) * day
            plan = _CasePlan(community, stage, chosen, opened, started=opened + rng.randrange(7, 30) * day)
        elif stage == "filing":
            opened = today - rng.randrange(150, 500) * day
            plan = _CasePlan(
                community,
                stage,
                chosen,
                opened,
                started=opened + rng.randrange(7, 30) * day,
                submitted=today - (12 if i == 0 else rng.randrange(0, 20)) * day,
            )
        elif stage == "filed":
            opened = today - rng.randrange(300, 900) * day
            started = opened + rng.randrange(7, 30) * day
            filed = started + rng.randrange(90, 250) * day
            plan = _CasePlan(
                community, stage, chosen, opened, started, submitted=filed - rng.randrange(3, 8) * day, ended=filed
            )
        else:
            opened = today - rng.randrange(100, 700) * day
            started = opened + rng.randrange(7, 30) * day if rng.random() < 0.7 else None
            plan = _CasePlan(community, stage, chosen, opened, started, ended=opened + rng.randrange(60, 95) * day)
        for need in chosen:  # reported before the case opened
            need.reported_on = min(need.reported_on, plan.opened - rng.randrange(5, 90) * day)
            if stage == "filed":  # the approved filing linked them to the organization, which serves them
                need.status = Need.Status.SERVED
        plans.append(plan)
    return plans


def _case_organizations(rng: random.Random, plans: list[_CasePlan]) -> list[OrganizationStatusChange]:
    """The prospective organization of each case (in memory, on ``plan.org``) and its status log."""
    S, L = Organization.Status, Organization.LegalStatus
    changes: list[OrganizationStatusChange] = []
    for n, plan in enumerate(plans, start=1):
        community = plan.community
        org = Organization(
            name=f"{_known(community.parent).name}{community.name}孵化组织{n}",
            form=rng.choice(Organization.Form.values),
            nature=_weighted(rng, NATURES),
            category=plan.needs[0].category,
            community=community,
            status=S.PROPOSED,
            legal_status=L.UNFILED,
            status_since=plan.opened,
            founded_on=plan.opened,
            venue=f"{community.name}社区社会组织能量站",
            venue_kind=Organization.VenueKind.SHARED,
            purpose=f"回应社区需求：{plan.needs[0].title}。",
        )
        log: list[tuple[str, str, str, str, dt.date, str]] = [
            ("registry.organization.created", "", S.PROPOSED, L.UNFILED, plan.opened, "")
        ]
        if plan.started:
            org.status, org.status_since = S.INCUBATING, plan.started
            log.append(
                ("registry.organization.incubation_started", S.PROPOSED, S.INCUBATING, L.UNFILED, plan.started, "")
            )
        if plan.stage == "filed":
            filed = _known(plan.ended)
            org.status, org.legal_status, org.status_since = S.ACTIVE, L.FILED, filed
            org.filing_number, org.filed_on = f"BENCH-C{n:06d}", filed
            org.filing_valid_until = filing_valid_until(filed)
            log.append(("registry.organization.filed", S.INCUBATING, S.ACTIVE, L.FILED, filed, ""))
        elif plan.stage == "closed":
            reason = "发起人精力不足，暂停孵化。"
            closed = _known(plan.ended)
            log.append(("registry.organization.dissolved", org.status, S.DISSOLVED, L.UNFILED, closed, reason))
            org.status, org.status_since = S.DISSOLVED, closed
        plan.org = org
        changes += [
            OrganizationStatusChange(
                organization=org,
                action=action,
                from_status=from_status,
                status=status,
                legal_status=legal,
                effective_on=on,
                reason=reason,
            )
            for action, from_status, status, legal, on, reason in log
        ]
    return changes


def _filing(
    org: Organization,
    kind: str,
    status: str,
    submitted: dt.date,
    events: list[FilingEvent],
    *,
    valid_until: dt.date | None = None,
) -> Filing:
    """A filing request in its final ``status`` and its steps (appended to ``events``, without ids yet)."""
    day = dt.timedelta(days=1)
    F, A, LV = Filing.Status, FilingEvent.Action, FilingEvent.Level
    filing = Filing(
        organization=org,
        kind=kind,
        status=status,
        statement="按期提交续期材料。" if kind == Filing.Kind.RENEWAL else "申请社区社会组织备案。",
        submitted_at=_at(submitted),
        due_on=submitted + Filing.REVIEW_DAYS * day,
    )
    steps = [(A.SUBMITTED, LV.APPLICANT, submitted, "")]
    if status in (F.PRECHECKED, F.APPROVED) or (status == F.REFUSED and kind == Filing.Kind.RENEWAL):
        filing.prechecked_at = _at(submitted + 2 * day)
        steps.append((A.PRECHECK_PASSED, LV.COMMUNITY, submitted + 2 * day, ""))
    decided = submitted + 5 * day
    if status == F.APPROVED:
        filing.decided_at, filing.filing_number, filing.valid_until = _at(decided), org.filing_number or "", valid_until
        steps.append((A.APPROVED, LV.SUBDISTRICT, decided, ""))
    elif status == F.REFUSED:
        filing.decided_at, filing.decision_note = _at(decided), "活动开展不足，材料与实际不符。"
        steps.append((A.REFUSED, LV.SUBDISTRICT, decided, filing.decision_note))
    elif status == F.WITHDRAWN:
        filing.decided_at = _at(submitted + 3 * day)
        steps.append((A.WITHDRAWN, LV.APPLICANT, submitted + 3 * day, ""))
    elif status == F.RETURNED:
        steps.append((A.RETURNED, LV.COMMUNITY, submitted + 2 * day, "花名册缺少身份证号，请补正后重新提交。"))
    events += [
        FilingEvent(filing=filing, action=action, level=level, round=1, note=note, at=_at(on, 10 + k))
        for k, (action, level, on, note) in enumerate(steps)
    ]
    return filing


FILING_ACTIONS = {
    "submitted": "incubation.filing.submitted",
    "prechecked": "incubation.filing.prechecked",
    "returned": "incubation.filing.returned",
    "approved": "incubation.filing.approved",
    "refused": "incubation.filing.refused",
    "withdrawn": "incubation.filing.withdrawn",
}


def _incubation(
    rng: random.Random,
    scale: Scale,
    subdistricts: list[Area],
    communities: list[Area],
    orgs: list[Organization],
    people: list[Person],
    say: Callable[[str], None],
) -> dict[str, int]:
    """Needs, incubation cases (with their own organizations), renewals and first filings, leader
    candidates, coaching notes and one service plan per subdistrict, in bulk. Dates are relative to
    today (deterministic for a given day), as the demo's are."""
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    S = Organization.Status

    # Needs, with the cases planned on them (their dates move the needs' reports earlier).
    needs, merged = _needs(rng, communities, NEEDS_PER_COMMUNITY, today)
    by_community: dict[int, list[Need]] = {}
    for need in needs:
        by_community.setdefault(need.community_id, []).append(need)
    plans = _case_plans(rng, communities, by_community, today)
    needs = bulk_create_histories(Need, needs, action="incubation.need.recorded", by=_system(), batch_size=1000)
    for c, need in merged:
        targets = [n for n in by_community[communities[c].pk] if n.status in (Need.Status.OPEN, Need.Status.SERVED)]
        need.merged_into = rng.choice(targets)  # there is always one: the community's first need is open
    merged_needs = bulk_create_histories(Need, [n for _c, n in merged], action="incubation.need.merged", by=_system())

    # The cases' organizations, their status log, the cases and what ties them to needs.
    changes = _case_organizations(rng, plans)
    case_orgs = bulk_create_histories(
        Organization,
        [_known(p.org) for p in plans],
        action="registry.organization.created",
        by=_system(),
        batch_size=1000,
    )
    OrganizationStatusChange.objects.bulk_create(changes, batch_size=2000)
    cases = []
    for plan in plans:
        plan.case = IncubationCase(
            organization=plan.org,
            stage=plan.stage,
            incubator_kind=_weighted(rng, [("energy_station", 50), ("service_center", 30), ("agency", 20)]),
            incubator_name=f"{plan.community.name}社区社会组织能量站",
            mentor=rng.choice(SURNAMES) + rng.choice(GIVEN) + "老师",
            opened_on=plan.opened,
            closed_on=plan.ended if plan.stage == "closed" else None,
            close_reason="发起人精力不足，暂停孵化。" if plan.stage == "closed" else "",
        )
        cases.append(plan.case)
    cases = bulk_create_histories(IncubationCase, cases, action="incubation.case.opened", by=_system())
    CaseNeed = IncubationCase.needs.through
    CaseNeed.objects.bulk_create([CaseNeed(incubationcase=p.case, need=n) for p in plans for n in p.needs])

    # Who serves the needs: a served need by one or two active organizations of its community
    # (its category's first), a few open ones by an organization being incubated there.
    active: dict[int, list[Organization]] = {}
    incubated: dict[int, list[Organization]] = {}
    for org in orgs:
        if org.status == S.ACTIVE:
            active.setdefault(org.community_id, []).append(org)
        elif org.status in (S.PROPOSED, S.INCUBATING):
            incubated.setdefault(org.community_id, []).append(org)
    NeedOrg = Need.organizations.through
    links: list[Any] = [NeedOrg(need=n, organization=p.org) for p in plans if p.stage == "filed" for n in p.needs]
    by_case = {link.need.pk for link in links}
    for need in needs:
        if need.status == Need.Status.SERVED and need.pk not in by_case:
            pool = active.get(need.community_id, [])
            same = [o for o in pool if o.category == need.category] or pool
            links += [
                NeedOrg(need=need, organization=o) for o in rng.sample(same, min(len(same), rng.choice((1, 1, 2))))
            ]
        elif need.status == Need.Status.OPEN and incubated.get(need.community_id) and rng.random() < 0.15:
            links.append(NeedOrg(need=need, organization=rng.choice(incubated[need.community_id])))
    NeedOrg.objects.bulk_create(links, batch_size=2000)
    served = sum(1 for need in needs if need.status == Need.Status.SERVED)
    say(f"{len(needs) + len(merged_needs)} needs ({served} served), {len(cases)} cases, {len(links)} links")

    # Filing requests: each case's first filing, renewals of a share of the active filed organizations.
    events: list[FilingEvent] = []
    filings: list[Filing] = []
    for plan in plans:
        if plan.stage == "filing":
            status = (
                "prechecked"
                if plan is plans[0]
                else _weighted(rng, [("submitted", 45), ("prechecked", 40), ("returned", 15)])
            )
            filings.append(_filing(_known(plan.org), Filing.Kind.INITIAL, status, _known(plan.submitted), events))
        elif plan.stage == "filed":
            org = _known(plan.org)
            filings.append(
                _filing(
                    org,
                    Filing.Kind.INITIAL,
                    "approved",
                    _known(plan.submitted),
                    events,
                    valid_until=org.filing_valid_until,
                )
            )
        elif plan.stage == "incubating" and rng.random() < 0.2:  # refused once, incubated further
            refused_on = _known(plan.started) + 40 * day
            filings.append(_filing(_known(plan.org), Filing.Kind.INITIAL, "refused", refused_on, events))
    renewed: list[Organization] = []
    for org in orgs:
        if org.status != S.ACTIVE or org.legal_status != Organization.LegalStatus.FILED:
            continue
        if rng.random() >= RENEWAL_SHARE:
            continue
        status = _weighted(rng, RENEWAL_STATUSES)
        until = _known(org.filing_valid_until)
        if status in Filing.OPEN_STATUSES:
            submitted = today - rng.randrange(0, 25) * day  # past the 7 days: overdue
        else:
            submitted = until - rng.randrange(8, 26) * day
            if submitted > today - 10 * day:
                submitted = today - rng.randrange(10, 200) * day
            submitted = max(submitted, _known(org.filed_on) + 30 * day)
        valid_until = None
        if status == "approved":
            decided = submitted + 5 * day
            valid_until = filing_valid_until(until + day if decided <= until else decided)
            org.filing_valid_until = valid_until
            renewed.append(org)
        filings.append(_filing(org, Filing.Kind.RENEWAL, status, submitted, events, valid_until=valid_until))
    Organization.objects.bulk_update(renewed, ["filing_valid_until"], batch_size=1000)
    by_status: dict[str, list[Filing]] = {}
    for filing in filings:
        by_status.setdefault(filing.status, []).append(filing)
    for status, group in by_status.items():
        bulk_create_histories(Filing, group, action=FILING_ACTIONS[status], by=_system(), batch_size=1000)
    for event in events:
        event.filing_id = event.filing.pk
    FilingEvent.objects.bulk_create(events, batch_size=2000)
    say(f"{len(filings)} filing requests ({len(renewed)} renewals approved), {len(events)} steps")

    # Leader candidates (三强) and coaching notes of each case.
    candidates: list[LeaderCandidate] = []
    notes: list[CoachingNote] = []
    for plan in plans:
        if plan.stage != "closed":
            chosen = 3 if plan is plans[0] else rng.randrange(1, 4)
            for k, p in enumerate(rng.sample(range(len(people)), chosen)):
                assessed = rng.random() < 0.8
                candidates.append(
                    LeaderCandidate(
                        organization=plan.org,
                        person=people[p],
                        party_spirit=_weighted(rng, ASSESSMENTS) if assessed else "",
                        organizing_ability=_weighted(rng, ASSESSMENTS) if assessed else "",
                        public_spirit=_weighted(rng, ASSESSMENTS) if assessed else "",
                        note="热心社区事务，有组织活动经验。" if assessed else "",
                        assessed_on=min(plan.opened + rng.randrange(5, 40) * day, today) if assessed else None,
                        status=LeaderCandidate.Status.CHOSEN
                        if plan.stage == "filed" and k == 0
                        else _weighted(rng, [("candidate", 90), ("withdrawn", 10)]),
                    )
                )
        last = plan.ended or today
        for _k in range(3 if plan is plans[0] else rng.randrange(1, 5)):
            notes.append(
                CoachingNote(
                    case=plan.case,
                    on=_date(rng, plan.opened, max(plan.opened, last)),
                    kind=rng.choice(CoachingNote.Kind.values),
                    text="与发起人梳理章程草案、骨干分工和下月活动计划。",
                    next_step="补齐成员花名册，确定固定活动场所。",
                )
            )
    bulk_create_histories(LeaderCandidate, candidates, action="incubation.candidate.added", by=_system())
    bulk_create_histories(CoachingNote, notes, action="incubation.case.note_added", by=_system())

    # One three-year service plan per subdistrict: goals measured on the registry, dated milestones.
    first = today.year - 1
    orgs_per_subdistrict = scale.communities_per_subdistrict * scale.organizations_per_community
    goal_targets = {
        "active_organizations": orgs_per_subdistrict,
        "filed_organizations": orgs_per_subdistrict * 9 // 10,
        "party_branches": max(1, orgs_per_subdistrict // 8),
        "members": scale.memberships // scale.subdistricts,
        "communities_at_target": scale.communities_per_subdistrict,
        "needs_served": scale.communities_per_subdistrict * 3,
    }
    service_plans = [
        ServicePlan(
            area=sd,
            title=f"{sd.name}社会组织服务中心三年服务规划（{first}—{first + 2}年）",
            starts_on=dt.date(first, 1, 1),
            ends_on=dt.date(first + 2, 12, 31),
            summary="提质量、树样板：立足属地需求孵化，推动备案组织按期续期。",
        )
        for sd in subdistricts
    ]
    service_plans = bulk_create_histories(ServicePlan, service_plans, action="incubation.plan.created", by=_system())
    goals: list[PlanGoal] = []
    milestones: list[PlanMilestone] = []
    for service_plan in service_plans:
        for k, metric in enumerate(PLAN_METRICS):
            goals.append(
                PlanGoal(
                    plan=service_plan,
                    metric=metric,
                    target=goal_targets[metric],
                    due_on=dt.date(first + k % 3, 12, 31),
                )
            )
        for k, title in enumerate(MILESTONES):
            due = dt.date(first, 3, 31) + dt.timedelta(days=k * 150)
            done = due - rng.randrange(0, 20) * day if due < today and rng.random() < 0.7 else None
            milestones.append(PlanMilestone(plan=service_plan, title=title, due_on=due, done_on=done))
    bulk_create_histories(PlanGoal, goals, action="incubation.plan.goal_added", by=_system(), batch_size=1000)
    bulk_create_histories(
        PlanMilestone, milestones, action="incubation.plan.milestone_added", by=_system(), batch_size=1000
    )
    say(f"{len(candidates)} leader candidates, {len(notes)} coaching notes, {len(service_plans)} service plans")

    return {
        "needs": len(needs) + len(merged_needs),
        "need_links": len(links),
        "incubation_cases": len(cases),
        "case_organizations": len(case_orgs),
        "filings": len(filings),
        "filing_events": len(events),
        "leader_candidates": len(candidates),
        "coaching_notes": len(notes),
        "service_plans": len(service_plans),
        "plan_goals": len(goals),
        "plan_milestones": len(milestones),
    }
