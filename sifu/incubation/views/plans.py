"""Office pages for service plans (《三年服务规划》): the list, the plan with its goals' progress
(computed from the registry) and milestones, and the forms that create and change them.

Reads go through ``incubation.selectors``, writes through ``incubation.services.plans``. Plans,
goals and milestones are fetched with ``get_plan_for_user`` / ``get_plan_goal_for_user`` /
``get_plan_milestone_for_user``: 404 outside scope, 403 without the permission. Community staff
see their subdistrict's plan but do not change it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.forms import add_service_error
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.incubation.forms.plans import GoalForm, MilestoneDoneForm, MilestoneForm, PlanForm
from sifu.incubation.models import PlanGoal, PlanMilestone, ServicePlan
from sifu.incubation.permissions import get_plan_for_user, get_plan_goal_for_user, get_plan_milestone_for_user
from sifu.incubation.selectors import plans as selectors
from sifu.incubation.services import plans as services

ACTION_LABELS = {
    "incubation.plan.created": gettext_lazy("Plan created"),
    "incubation.plan.updated": gettext_lazy("Plan changed"),
    "incubation.plan.goal_added": gettext_lazy("Goal added"),
    "incubation.plan.goal_updated": gettext_lazy("Goal changed"),
    "incubation.plan.milestone_added": gettext_lazy("Milestone added"),
    "incubation.plan.milestone_done": gettext_lazy("Milestone done"),
    "incubation.plan.milestone_reopened": gettext_lazy("Milestone reopened"),
}
TIMELINE_LIMIT = 20


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one, so it is validated), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


@office_view(Perm.PLANS_VIEW)
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    page = Paginator(selectors.plan_list(user, today), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_query": query_without(request, "page"),
        "can_create": user.has_perm(Perm.PLANS_CHANGE),
        "today": today,
    }
    return render(request, "incubation/plan_list.html", context)


@office_view(Perm.PLANS_CHANGE, methods=("GET", "POST"))
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PlanForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                area=data["area"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                summary=data["summary"],
                by=user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The plan “%(title)s” was created: add its goals.") % {"title": plan.title})
            return redirect("incubation:plan-detail", plan.pk)
    return _form_page(request, form, title=_("New service plan"), submit=_("Create the plan"))


def _form_page(
    request: HttpRequest, form: Any, *, title: str, submit: str, plan: ServicePlan | None = None, intro: str = ""
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, "plan": plan, "intro": intro}
    return render(request, "incubation/plan_form.html", context, status=400 if form.errors else 200)


@office_view()
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_plan_for_user(request.user, pk, Perm.PLANS_VIEW))


def _render_detail(request: HttpRequest, plan: ServicePlan, errors: list[str] | None = None) -> HttpResponse:
    """The plan's page; with ``errors`` (a refusal from one of its forms), shown above it as a 400."""
    today = timezone.localdate()
    progress = selectors.plan_progress(plan, today)
    milestones = selectors.plan_milestones(plan, today)
    show_all = request.GET.get("timeline") == "all"
    timeline = [
        {"entry": entry, "label": ACTION_LABELS.get(entry.action, entry.action), "what": _what(entry.record)}
        for entry in selectors.plan_timeline(plan)
    ]
    context = {
        "plan": plan,
        "progress": progress,
        "milestones": milestones,
        "overdue": sum(1 for m in milestones if m.is_overdue(today)),
        "counts": {
            status: sum(1 for row in progress if row.status == status)
            for status in (selectors.GoalStatus.MET, selectors.GoalStatus.ON_TRACK, selectors.GoalStatus.BEHIND)
        },
        "elapsed": _elapsed(plan, today),
        "today": today,
        "measured_on": selectors.measured_on(plan, today),
        "can_change": request.user.has_perm(Perm.PLANS_CHANGE, plan),
        "done_form": MilestoneDoneForm(),
        "errors": errors or [],
        "timeline": timeline if show_all else timeline[:TIMELINE_LIMIT],
        "timeline_hidden": 0 if show_all else max(len(timeline) - TIMELINE_LIMIT, 0),
    }
    return render(request, "incubation/plan_detail.html", context, status=400 if errors else 200)


def _what(record: Any) -> str:
    """What a timeline entry is about: a milestone's title or a goal's measure (the plan's own: nothing)."""
    if isinstance(record, PlanGoal.history.model):
        return record.get_metric_display()
    if isinstance(record, PlanMilestone.history.model):
        return record.title
    return ""


def _elapsed(plan: ServicePlan, today: Any) -> int:
    """The share of the plan's time already elapsed, in percent (0 before it starts, 100 after it ends)."""
    span = (plan.ends_on - plan.starts_on).days
    return max(0, min(100, round(100 * (today - plan.starts_on).days / span))) if span > 0 else 100


@office_view(methods=("GET", "POST"))
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, Perm.PLANS_CHANGE)
    initial = {"title": plan.title, "starts_on": plan.starts_on, "ends_on": plan.ends_on, "summary": plan.summary}
    form = PlanForm(_posted(request), initial=initial, user=user, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                summary=data["summary"],
                by=user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("incubation:plan-detail", plan.pk)
    return _form_page(request, form, title=_("Change the plan"), submit=_("Save"), plan=plan)


@office_view(methods=("GET", "POST"))
def plan_goal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, Perm.PLANS_CHANGE)
    form = GoalForm(_posted(request), initial={"due_on": plan.ends_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_add(plan=plan, by=user, **form.cleaned_data)  # metric, target, due_on, note
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The goal was added; its progress is counted from the registry."))
            return redirect(reverse("incubation:plan-detail", args=[plan.pk]) + "#goals")
    intro = _("The plan runs from %(start)s to %(end)s; a goal is due within it.") % {
        "start": plan.starts_on.isoformat(),
        "end": plan.ends_on.isoformat(),
    }
    return _form_page(request, form, title=_("Add a goal"), submit=_("Add the goal"), plan=plan, intro=intro)


@office_view(methods=("GET", "POST"))
def plan_goal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    goal = get_plan_goal_for_user(user, pk, Perm.PLANS_CHANGE)
    form = GoalForm.for_goal(goal, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, by=user, **form.cleaned_data)  # metric, target, due_on, note
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The goal is saved."))
            return redirect(reverse("incubation:plan-detail", args=[goal.plan_id]) + "#goals")
    return _form_page(request, form, title=_("Change the goal"), submit=_("Save"), plan=goal.plan)


@office_view(methods=("GET", "POST"))
def plan_milestone_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, Perm.PLANS_CHANGE)
    form = MilestoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_add(plan=plan, title=data["title"], due_on=data["due_on"], note=data["note"], by=user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The milestone was added."))
            return redirect(reverse("incubation:plan-detail", args=[plan.pk]) + "#milestones")
    intro = _("The plan runs from %(start)s to %(end)s; a milestone is due within it.") % {
        "start": plan.starts_on.isoformat(),
        "end": plan.ends_on.isoformat(),
    }
    return _form_page(request, form, title=_("Add a milestone"), submit=_("Add the milestone"), plan=plan, intro=intro)


def _milestones_url(plan_id: int) -> str:
    return reverse("incubation:plan-detail", args=[plan_id]) + "#milestones"


def _refused(request: HttpRequest, plan_id: int, exc: ValidationError) -> HttpResponse:
    """The plan's page again with the refusal, as stored now: nothing was saved."""
    return _render_detail(request, get_plan_for_user(request.user, plan_id, Perm.PLANS_VIEW), exc.messages)


@office_view(methods=("POST",))
def plan_milestone_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a milestone done on a date (the plan's page offers today)."""
    milestone = get_plan_milestone_for_user(request.user, pk, Perm.PLANS_CHANGE)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        return _refused(request, milestone.plan_id, ValidationError(list(form.errors["done_on"])))
    try:
        services.milestone_done(milestone=milestone, done_on=form.cleaned_data["done_on"], by=request.user)
    except ValidationError as exc:
        return _refused(request, milestone.plan_id, exc)
    messages.success(request, _("“%(title)s” is done.") % {"title": milestone.title})
    return redirect(_milestones_url(milestone.plan_id))


@office_view(methods=("POST",))
def plan_milestone_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a "done" marked by mistake."""
    milestone = get_plan_milestone_for_user(request.user, pk, Perm.PLANS_CHANGE)
    try:
        services.milestone_reopen(milestone=milestone, by=request.user)
    except ValidationError as exc:
        return _refused(request, milestone.plan_id, exc)
    messages.success(request, _("“%(title)s” is open again.") % {"title": milestone.title})
    return redirect(_milestones_url(milestone.plan_id))


urls = [
    path("office/plans/", plan_list, name="plan-list"),
    path("office/plans/new/", plan_create, name="plan-create"),
    path("office/plans/<int:pk>/", plan_detail, name="plan-detail"),
    path("office/plans/<int:pk>/edit/", plan_edit, name="plan-edit"),
    path("office/plans/<int:pk>/goals/new/", plan_goal_add, name="plan-goal-add"),
    path("office/plans/goals/<int:pk>/edit/", plan_goal_edit, name="plan-goal-edit"),
    path("office/plans/<int:pk>/milestones/new/", plan_milestone_add, name="plan-milestone-add"),
    path("office/plans/milestones/<int:pk>/done/", plan_milestone_done, name="plan-milestone-done"),
    path("office/plans/milestones/<int:pk>/reopen/", plan_milestone_reopen, name="plan-milestone-reopen"),
]
