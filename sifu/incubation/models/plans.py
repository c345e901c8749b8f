"""Service plans (《三年服务规划》), their goals and milestones."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.accounts.models import Area
from sifu.core.permissions import scope_for


class ServicePlanQuerySet(models.QuerySet["ServicePlan"]):
    def for_user(self, user: object, perm: str) -> ServicePlanQuerySet:
        """Plans of areas in the user's scope, and plans of the areas above a community in scope
        (community staff see their subdistrict's plan)."""
        scope = scope_for(user, perm)  # type: ignore[arg-type]
        if scope.everywhere:
            return self
        q = scope.q("area__path")
        for path in scope.area_paths:
            q |= Q(area__path__in=_ancestor_paths(path))
        return self.filter(q)


def _ancestor_paths(path: str) -> list[str]:
    """Materialized paths of the areas above ``path`` (segments end with "/")."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


class ServicePlan(models.Model):
    """The service center's multi-year plan (《三年服务规划》): goals measured on the registry."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="service_plans")
    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ServicePlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="plan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.area.path, None


class PlanGoal(models.Model):
    """A target of a plan whose progress is read from the registry, never typed in."""

    class Metric(models.TextChoices):
        ACTIVE_ORGANIZATIONS = "active_organizations", _("Active organizations")
        FILED_ORGANIZATIONS = "filed_organizations", _("Filed organizations")
        REGISTERED_ORGANIZATIONS = "registered_organizations", _("Organizations converted to registration")
        PARTY_BRANCHES = "party_branches", _("Organizations with a party branch")
        PARTY_MEMBER_LEADERS = "party_member_leaders", _("Organizations led by a party member")
        ORGS_WITH_PARTY_MEMBERS = "orgs_with_party_members", _("Organizations with party members")
        MEMBERS = "members", _("Members")
        COMMUNITIES_AT_TARGET = "communities_at_target", _("Communities with at least 10 active organizations")
        NEEDS_SERVED = "needs_served", _("Needs served")

    plan = models.ForeignKey(ServicePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="goals")
    metric = models.CharField(_("measure"), max_length=32, choices=Metric.choices)
    target = models.PositiveIntegerField(_("target"))
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.target}"

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.plan.area.path, None


class PlanMilestone(models.Model):
    """A dated step of a plan; overdue when its date has passed and it is not done."""

    plan = models.ForeignKey(ServicePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan milestone")
        verbose_name_plural = _("plan milestones")
        ordering = ["plan", "due_on", "id"]
        indexes = [models.Index(fields=["due_on", "done_on"], name="milestone_due_idx")]

    def __str__(self) -> str:
        return self.title

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.plan.area.path, None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())
