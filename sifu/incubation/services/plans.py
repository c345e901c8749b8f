"""Writes for service plans (《三年服务规划》): the plan, its goals and its milestones.

Each function is keyword-only, takes the acting user as ``by``, checks ``Perm.PLANS_CHANGE`` on
the plan's area, runs in a transaction, locks the plan (or milestone) it changes, records history
with a dotted action code and raises ``ValidationError`` with a message a user can act on.
A goal's progress is never typed in: ``selectors.plans.plan_progress`` reads it from the records.
Nothing is deleted: goals are edited, milestones reopened.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.incubation.models import PlanGoal, PlanMilestone, ServicePlan


def _today() -> dt.date:
    return timezone.localdate()


def _check_change(by: User, plan: ServicePlan) -> None:
    if not by.has_perm(Perm.PLANS_CHANGE, plan):
        raise PermissionDenied(_("You cannot change the service plans of %(area)s.") % {"area": plan.area.name})


def _locked(plan: ServicePlan) -> ServicePlan:
    return ServicePlan.objects.select_for_update(of=("self",)).select_related("area").get(pk=plan.pk)


def _clean_plan(title: str, starts_on: dt.date | None, ends_on: dt.date | None) -> str:
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the plan a title, e.g. 三年服务规划 2024–2026.")
    if starts_on is None:
        errors["starts_on"] = _("Give the date the plan starts.")
    if ends_on is None:
        errors["ends_on"] = _("Give the date the plan ends.")
    elif starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = _("The plan has to end after it starts.")
    if errors:
        raise ValidationError(errors)
    return title


def _check_within(plan: ServicePlan, due_on: dt.date | None, field: str = "due_on") -> None:
    if due_on is None:
        raise ValidationError({field: _("Give the date it is due.")})
    if not plan.starts_on <= due_on <= plan.ends_on:
        raise ValidationError(
            {
                field: _("Choose a date within the plan, from %(start)s to %(end)s.")
                % {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()}
            }
        )


@transaction.atomic
def plan_create(
    *, area: Area, title: str, starts_on: dt.date, ends_on: dt.date, summary: str = "", by: User
) -> ServicePlan:
    """A subdistrict's plan (the service center works for a subdistrict)."""
    if not by.has_perm(Perm.PLANS_CHANGE, area):
        raise PermissionDenied(_("You cannot make service plans for %(area)s.") % {"area": area.name})
    if area.kind != Area.Kind.SUBDISTRICT:
        raise ValidationError(
            {"area": _("A service plan is made for a subdistrict, not a %(kind)s.") % {"kind": area.get_kind_display()}}
        )
    title = _clean_plan(title, starts_on, ends_on)
    plan = ServicePlan(
        area=area, title=title, starts_on=starts_on, ends_on=ends_on, summary=(summary or "").strip(), created_by=by
    )
    save_with_history(plan, action="incubation.plan.created", by=by)
    return plan


@transaction.atomic
def plan_update(
    *, plan: ServicePlan, title: str, starts_on: dt.date, ends_on: dt.date, summary: str = "", by: User
) -> ServicePlan:
    """Change the title, dates or summary; the goals must still fall within the new dates."""
    _check_change(by, plan)
    plan = _locked(plan)
    title = _clean_plan(title, starts_on, ends_on)
    outside = [goal for goal in plan.goals.order_by("due_on", "id") if not starts_on <= goal.due_on <= ends_on]
    if outside:
        names = "; ".join(f"{goal.get_metric_display()} ({goal.due_on.isoformat()})" for goal in outside)
        raise ValidationError(
            _("These goals would fall outside the plan's new dates: %(goals)s. Change their dates first.")
            % {"goals": names}
        )
    plan.title, plan.starts_on, plan.ends_on, plan.summary = title, starts_on, ends_on, (summary or "").strip()
    save_with_history(
        plan, action="incubation.plan.updated", by=by, update_fields=["title", "starts_on", "ends_on", "summary"]
    )
    return plan


def _clean_goal(plan: ServicePlan, metric: str, target: int | None, due_on: dt.date | None) -> None:
    if metric not in PlanGoal.Metric.values:
        raise ValidationError({"metric": _("Choose what the goal measures.")})
    if target is None or target <= 0:
        raise ValidationError({"target": _("The target has to be a whole number above zero.")})
    _check_within(plan, due_on)


def _check_duplicate(plan: ServicePlan, metric: str, due_on: dt.date, *, exclude: int | None = None) -> None:
    same = plan.goals.filter(metric=metric, due_on=due_on)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError(
            {
                "metric": _("The plan already has a goal for “%(metric)s” due on %(date)s: edit that one instead.")
                % {"metric": PlanGoal.Metric(metric).label, "date": due_on.isoformat()}
            }
        )


@transaction.atomic
def goal_add(*, plan: ServicePlan, metric: str, target: int, due_on: dt.date, note: str = "", by: User) -> PlanGoal:
    """A goal measured on the registry (``PlanGoal.Metric``), due within the plan."""
    _check_change(by, plan)
    plan = _locked(plan)
    _clean_goal(plan, metric, target, due_on)
    _check_duplicate(plan, metric, due_on)
    goal = PlanGoal(plan=plan, metric=metric, target=target, due_on=due_on, note=(note or "").strip())
    save_with_history(goal, action="incubation.plan.goal_added", by=by)
    return goal


@transaction.atomic
def goal_update(*, goal: PlanGoal, metric: str, target: int, due_on: dt.date, note: str = "", by: User) -> PlanGoal:
    _check_change(by, goal.plan)
    plan = _locked(goal.plan)
    goal = PlanGoal.objects.select_for_update().get(pk=goal.pk)
    _clean_goal(plan, metric, target, due_on)
    _check_duplicate(plan, metric, due_on, exclude=goal.pk)
    goal.metric, goal.target, goal.due_on, goal.note = metric, target, due_on, (note or "").strip()
    goal.plan = plan
    save_with_history(
        goal, action="incubation.plan.goal_updated", by=by, update_fields=["metric", "target", "due_on", "note"]
    )
    return goal


@transaction.atomic
def milestone_add(*, plan: ServicePlan, title: str, due_on: dt.date, note: str = "", by: User) -> PlanMilestone:
    """A dated step of the plan, e.g. 能量站全覆盖, 首批党员负责人培训."""
    _check_change(by, plan)
    plan = _locked(plan)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the milestone a title.")})
    _check_within(plan, due_on)
    milestone = PlanMilestone(plan=plan, title=title, due_on=due_on, note=(note or "").strip())
    save_with_history(milestone, action="incubation.plan.milestone_added", by=by)
    return milestone


def _locked_milestone(milestone: PlanMilestone) -> PlanMilestone:
    return PlanMilestone.objects.select_for_update(of=("self",)).select_related("plan__area").get(pk=milestone.pk)


@transaction.atomic
def milestone_done(*, milestone: PlanMilestone, done_on: dt.date | None, by: User) -> PlanMilestone:
    """Mark the milestone done on ``done_on`` (not in the future)."""
    _check_change(by, milestone.plan)
    current = _locked_milestone(milestone)
    if current.done_on is not None:
        raise ValidationError(
            _("This milestone was already marked done on %(date)s.") % {"date": current.done_on.isoformat()},
            code="stale",
        )
    if done_on is None:
        raise ValidationError({"done_on": _("Give the date it was done.")})
    if done_on > _today():
        raise ValidationError({"done_on": _("The date it was done cannot be in the future.")})
    current.done_on = done_on
    save_with_history(current, action="incubation.plan.milestone_done", by=by, update_fields=["done_on"])
    return current


@transaction.atomic
def milestone_reopen(*, milestone: PlanMilestone, by: User) -> PlanMilestone:
    """Undo a "done" marked by mistake: the milestone is open again (and overdue if its date passed)."""
    _check_change(by, milestone.plan)
    current = _locked_milestone(milestone)
    if current.done_on is None:
        raise ValidationError(_("This milestone is not marked done."), code="stale")
    current.done_on = None
    save_with_history(current, action="incubation.plan.milestone_reopened", by=by, update_fields=["done_on"])
    return current
