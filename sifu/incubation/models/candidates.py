"""Leader candidates (三强): the people considered to lead an incubated organization."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.incubation.models.scoping import OrganizationScopedQuerySet, _org_scope
from sifu.registry.models import Organization


class LeaderCandidateQuerySet(OrganizationScopedQuerySet["LeaderCandidate"]):
    pass


class LeaderCandidate(models.Model):
    """A person considered as an organization's leader, assessed on the three qualities (三强):
    党性意识强, 组织能力强, 公益爱心强 (case study 二(一), 发动党员带头孵化)."""

    class Assessment(models.TextChoices):
        STRONG = "strong", _("Strong")
        FAIR = "fair", _("Fair")
        WEAK = "weak", _("Needs work")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        CHOSEN = "chosen", _("Chosen as leader")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="leader_candidates"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="leader_candidacies"
    )
    party_spirit = models.CharField(_("party spirit (党性意识)"), max_length=8, choices=Assessment.choices, blank=True)
    organizing_ability = models.CharField(
        _("organizing ability (组织能力)"), max_length=8, choices=Assessment.choices, blank=True
    )
    public_spirit = models.CharField(
        _("public spirit (公益爱心)"), max_length=8, choices=Assessment.choices, blank=True
    )
    note = models.TextField(_("assessment notes"), blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CANDIDATE)
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

    objects = LeaderCandidateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader candidate")
        verbose_name_plural = _("leader candidates")
        ordering = ["organization", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "person"], name="candidate_once_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organization}"

    def scope_key(self) -> tuple[str | None, int | None]:
        return _org_scope(self.organization)

    @property
    def three_strong(self) -> bool:
        strong = self.Assessment.STRONG
        return self.party_spirit == strong and self.organizing_ability == strong and self.public_spirit == strong
