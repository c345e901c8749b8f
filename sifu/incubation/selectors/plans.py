"""Reads for the service plan pages: the plans in scope, each goal's progress computed from the
records of the plan's area, and overdue milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from sifu.core.history import HistoryEntry, history_entries
from sifu.core.permissions import Perm
from sifu.incubation.models import Need, PlanGoal, PlanMilestone, ServicePlan
from sifu.incubation.selectors.gaps import COMMUNITY_TARGET
from sifu.registry.selectors import community_figures, registry_figures

M = PlanGoal.Metric


# Metrics read from ``registry_figures`` (one call, two aggregate queries) and where.
_REGISTRY_METRICS: dict[str, Callable[[dict[str, Any]], int]] = {
    M.ACTIVE_ORGANIZATIONS: lambda f: f["organizations"]["active"],
    M.FILED_ORGANIZATIONS: lambda f: f["organizations"]["by_legal_status"]["filed"],
    M.REGISTERED_ORGANIZATIONS: lambda f: f["organizations"]["by_legal_status"]["registered"],
    M.PARTY_BRANCHES: lambda f: f["party"]["party_branches"],
    M.PARTY_MEMBER_LEADERS: lambda f: f["party"]["party_member_leaders"],
    M.ORGS_WITH_PARTY_MEMBERS: lambda f: f["party"]["orgs_with_party_members"],
    M.MEMBERS: lambda f: f["members"]["people"],
}


class GoalStatus:
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"


@dataclass(frozen=True)
class GoalProgress:
    goal: PlanGoal
    value: int
    percent: int  # achieved share of the target, may exceed 100
    bar: int  # the same, capped at 100 for a progress bar
    expected: int  # share of the time from the plan's start to the goal's due date already elapsed
    status: str
    past_due: bool  # its date has passed and the target was not reached


def goal_status(*, value: int, target: int, starts_on: dt.date, due_on: dt.date, today: dt.date) -> tuple[str, int]:
    """Met when the value reached the target; behind when past due and unmet, or when the share of
    time elapsed (plan start → goal due date) exceeds the share of the target achieved; else on
    track. Returns the status and the elapsed share in percent."""
    span = (due_on - starts_on).days
    if today >= due_on or span <= 0:
        elapsed = 1.0 if today >= due_on else 0.0
    else:
        elapsed = max(0.0, (today - starts_on).days / span)
    achieved = value / target if target else 1.0
    if value >= target:
        status = GoalStatus.MET
    elif today > due_on or elapsed > achieved:
        status = GoalStatus.BEHIND
    else:
        status = GoalStatus.ON_TRACK
    return status, round(elapsed * 100)


def metric_values(plan: ServicePlan, metrics: set[str], today: dt.date) -> dict[str, int]:
    """The current value of each metric in ``metrics`` for the plan's area, by SQL aggregates.

    Only what the metrics need is read: ``registry_figures`` (2 queries) for organizations, party
    building and members; ``community_figures`` (3 queries) for communities at the target; one
    count for needs served. At most 6 queries whatever the number of goals or records.
    """
    values: dict[str, int] = {}
    wanted = metrics & set(_REGISTRY_METRICS)
    if wanted:
        figures = registry_figures(today, area=plan.area)
        values.update({metric: _REGISTRY_METRICS[metric](figures) for metric in wanted})
    if M.COMMUNITIES_AT_TARGET in metrics:
        rows = community_figures(today, area=plan.area)
        values[M.COMMUNITIES_AT_TARGET] = sum(1 for row in rows if row["active"] >= COMMUNITY_TARGET)
    if M.NEEDS_SERVED in metrics:
        values[M.NEEDS_SERVED] = Need.objects.filter(
            community__path__startswith=plan.area.path, status=Need.Status.SERVED
        ).count()
    return values


def measured_on(plan: ServicePlan, today: dt.date) -> dt.date:
    """The day a plan's goals are measured on: today while it runs, its last day once it has ended."""
    return min(today, plan.ends_on)


def plan_progress(plan: ServicePlan, today: dt.date) -> list[GoalProgress]:
    """Each goal of the plan with its value, share of the target and status: measured today, or on the
    plan's last day once it has ended (a finished plan is judged on its own span, not on later years).

    One query for the goals plus ``metric_values`` (at most 6, fewer when the goals need less).
    """
    goals = list(plan.goals.order_by("due_on", "metric", "id"))
    values = metric_values(plan, {goal.metric for goal in goals}, measured_on(plan, today))
    rows = []
    for goal in goals:
        goal.plan = plan  # already loaded: no query when a template or has_perm reads it
        value = values.get(goal.metric, 0)
        status, expected = goal_status(
            value=value, target=goal.target, starts_on=plan.starts_on, due_on=goal.due_on, today=today
        )
        percent = round(100 * value / goal.target) if goal.target else 100
        rows.append(
            GoalProgress(
                goal=goal,
                value=value,
                percent=percent,
                bar=min(percent, 100),
                expected=expected,
                status=status,
                past_due=status != GoalStatus.MET and today > goal.due_on,
            )
        )
    return rows


def plan_milestones(plan: ServicePlan, today: dt.date) -> list[PlanMilestone]:
    """The plan's milestones by due date, each with ``overdue`` set (one query)."""
    milestones = list(plan.milestones.order_by("due_on", "id"))
    for milestone in milestones:
        milestone.plan = plan
        milestone.overdue = milestone.is_overdue(today)  # type: ignore[attr-defined]
    return milestones


def plan_list(user: Any, today: dt.date) -> QuerySet[ServicePlan]:
    """Plans in the user's PLANS_VIEW scope (community staff see their subdistrict's), newest first,
    with counts of goals, milestones, milestones done and milestones overdue. One query per page."""
    return (
        ServicePlan.objects.for_user(user, Perm.PLANS_VIEW)
        .select_related("area")
        .annotate(
            goal_count=Count("goals", distinct=True),
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
            milestones_overdue=Count(
                "milestones",
                filter=Q(milestones__done_on__isnull=True, milestones__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by("-starts_on", "-id")
    )


def overdue_milestones(user: Any, today: dt.date) -> int:
    """Milestones past their date and not done, in the plans the user may see (one query)."""
    plans = ServicePlan.objects.for_user(user, Perm.PLANS_VIEW)
    return PlanMilestone.objects.filter(plan__in=plans, done_on__isnull=True, due_on__lt=today).count()


def plan_timeline(plan: ServicePlan) -> list[HistoryEntry]:
    """The plan's versions and those of its goals and milestones, newest first (three queries)."""
    return history_entries(
        [
            *ServicePlan.history.filter(id=plan.pk).select_related("history_user"),
            *PlanGoal.history.filter(plan_id=plan.pk).select_related("history_user"),
            *PlanMilestone.history.filter(plan_id=plan.pk).select_related("history_user"),
        ]
    )
