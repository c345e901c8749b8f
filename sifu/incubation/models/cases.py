"""Incubation cases (孵化) and their coaching notes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.incubation.models.needs import Need
from sifu.incubation.models.scoping import OrganizationScopedQuerySet, _org_scope
from sifu.registry.models import Organization


class IncubationCaseQuerySet(OrganizationScopedQuerySet["IncubationCase"]):
    pass


class IncubationCase(models.Model):
    """One organization being incubated (孵化), from the needs it answers to its filing.

    The organization is created in the registry as proposed when the case opens; the case adds
    what the registry does not hold: the incubator, the mentor, the needs and the coaching notes.
    ``stage`` moves only through ``incubation.services.cases`` (its transition table).
    """

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("Preparing (筹备)")
        INCUBATING = "incubating", _("Incubating")
        FILING = "filing", _("Filing under review")
        FILED = "filed", _("Filed")
        CLOSED = "closed", _("Closed")

    class Incubator(models.TextChoices):
        SERVICE_CENTER = "service_center", _("Subdistrict service center")
        ENERGY_STATION = "energy_station", _("Community energy station (能量站)")
        AGENCY = "agency", _("Partner agency (专业机构)")

    organization = models.OneToOneField(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="incubation_case"
    )
    needs = models.ManyToManyField(Need, verbose_name=_("needs it answers"), blank=True, related_name="cases")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PREPARING)
    incubator_kind = models.CharField(_("incubator"), max_length=16, choices=Incubator.choices)
    incubator_name = models.CharField(
        _("incubator's name"), max_length=80, blank=True, help_text=_("e.g. 荔芳社区能量站, or the partner agency.")
    )
    mentor = models.CharField(_("mentor"), max_length=40, blank=True, help_text=_("Who coaches the initiators."))
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("opened by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IncubationCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incubation case")
        verbose_name_plural = _("incubation cases")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["stage", "opened_on"], name="case_stage_idx")]

    def __str__(self) -> str:
        return str(self.organization)

    def scope_key(self) -> tuple[str | None, int | None]:
        return _org_scope(self.organization)


class CoachingNote(models.Model):
    """One dated coaching contact with the initiators of a case (辅导记录). Notes are only added."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        TRAINING = "training", _("Training")
        MEETING = "meeting", _("Meeting")
        PHONE = "phone", _("Phone or online")

    case = models.ForeignKey(IncubationCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="notes")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.VISIT)
    text = models.TextField(_("what was done"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["case", "on"], name="note_case_date_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"

    def scope_key(self) -> tuple[str | None, int | None]:
        return _org_scope(self.case.organization)
