"""Incubation (孵化): the needs of a community that organizations are incubated to serve.

Field sources: docs/domain.md §2 and issue #3 point 1. A need is recorded by community staff or
submitted by a resident from the public site; submitted needs wait in the community's queue
for screening (accept, merge into an existing need, decline with a reason).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.accounts.models import Area
from sifu.core.permissions import scope_for
from sifu.registry.models import Organization


class NeedQuerySet(models.QuerySet["Need"]):
    def for_user(self, user: object, perm: str) -> NeedQuerySet:
        """Needs of the communities in the user's scope for ``perm`` (one indexed condition per area)."""
        return self.filter(scope_for(user, perm).q("community__path"))  # type: ignore[arg-type]


class Need(models.Model):
    class Source(models.TextChoices):
        VISIT = "visit", _("Home visit (走访)")
        SURVEY = "survey", _("Survey (问卷)")
        FORUM = "forum", _("Forum (座谈会)")
        HOTLINE = "hotline", _("Hotline (热线)")
        RESIDENT = "resident", _("Resident submission (居民提交)")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting screening")
        OPEN = "open", _("Open")
        SERVED = "served", _("Served")
        MERGED = "merged", _("Merged")
        DECLINED = "declined", _("Declined")

    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="needs",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    affected_group = models.CharField(
        _("affected group"), max_length=80, blank=True, help_text=_("Who has the need, e.g. 外卖骑手, 独居老人.")
    )
    category = models.CharField(_("category"), max_length=16, choices=Organization.Category.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_needs",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organizations serving it"), blank=True, related_name="needs"
    )
    submitter_name = models.CharField(_("submitter's name"), max_length=40, blank=True)
    submitter_phone = models.CharField(_("submitter's phone"), max_length=11, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NeedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["community", "status"], name="need_community_status_idx"),
            models.Index(fields=["category"], name="need_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.community.path, None
