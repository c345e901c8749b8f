"""Filing requests (备案), their events and their documents."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.incubation.models.scoping import OrganizationScopedQuerySet, _org_scope
from sifu.registry.models import Organization


class FilingQuerySet(OrganizationScopedQuerySet["Filing"]):
    def open(self) -> FilingQuerySet:
        return self.filter(status__in=Filing.OPEN_STATUSES)


class Filing(models.Model):
    """A filing request (备案申请) and its review: community 初审, then the subdistrict's 审核.

    One kind of request serves the first filing, its renewal (续期), changes (变更) and
    deregistration (注销). A returned request is fixed and resubmitted (``round`` counts them);
    the subdistrict decides within ``REVIEW_DAYS`` of the latest submission (``due_on``).
    Each step is also a ``FilingEvent``, so the whole exchange stays readable.
    """

    REVIEW_DAYS = 7

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Filing (备案)")
        RENEWAL = "renewal", _("Renewal (续期)")
        CHANGE = "change", _("Change (变更)")
        DEREGISTRATION = "deregistration", _("Deregistration (注销)")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting community check")
        PRECHECKED = "prechecked", _("Awaiting subdistrict review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.PRECHECKED, Status.RETURNED)
    AWAITING_OFFICE = (Status.SUBMITTED, Status.PRECHECKED)  # the offices' turn: the 7 days run

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    statement = models.TextField(
        _("statement"),
        blank=True,
        help_text=_("What is asked for and why (for a change or deregistration: what and why)."),
    )
    changes = models.JSONField(_("requested changes"), default=dict, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("decision due on"))
    prechecked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    prechecked_by = models.ForeignKey(
        "accounts.User", verbose_name=_("checked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("reason"), blank=True)
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FilingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("filing request")
        verbose_name_plural = _("filing requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=["submitted", "prechecked", "returned"]),
                name="filing_one_open_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="filing_status_due_idx"),
            models.Index(fields=["organization", "status"], name="filing_org_status_idx"),
            models.Index(fields=["decided_at"], name="filing_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization}"

    def scope_key(self) -> tuple[str | None, int | None]:
        return _org_scope(self.organization)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @classmethod
    def overdue_q(cls, today: dt.date) -> Q:
        """Still waiting for the community or the subdistrict after its due date (``is_overdue`` in SQL)."""
        return Q(status__in=cls.AWAITING_OFFICE, due_on__lt=today)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Still waiting for the community or the subdistrict after its due date."""
        today = today or timezone.localdate()
        return self.status in self.AWAITING_OFFICE and self.due_on < today


class FilingEvent(models.Model):
    """One step of a filing request: submitted, checked, returned, resubmitted, decided."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PRECHECK_PASSED = "precheck_passed", _("Passed the community check")
        RETURNED = "returned", _("Returned for changes")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Level(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        COMMUNITY = "community", _("Community")
        SUBDISTRICT = "subdistrict", _("Subdistrict")

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing request"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    round = models.PositiveSmallIntegerField(_("round"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("filing step")
        verbose_name_plural = _("filing steps")
        ordering = ["filing", "at", "id"]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action} {self.at:%Y-%m-%d}"


def _filing_upload_to(instance: FilingDocument, filename: str) -> str:
    return f"filings/{timezone.localdate():%Y}/{instance.filing_id}/{filename}"


class FilingDocument(models.Model):
    """A document attached to a filing request. Resubmissions add documents; none is replaced."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application form (备案申请表)")
        ROSTER = "roster", _("Member roster (花名册)")
        CHARTER = "charter", _("Charter (章程)")
        VENUE = "venue", _("Proof of venue (场所证明)")
        OTHER = "other", _("Other")

    REQUIRED: ClassVar[dict[str, tuple[Kind, ...]]] = {
        Filing.Kind.INITIAL: (Kind.APPLICATION, Kind.ROSTER, Kind.CHARTER, Kind.VENUE),
        Filing.Kind.RENEWAL: (Kind.APPLICATION, Kind.ROSTER),
        Filing.Kind.CHANGE: (Kind.APPLICATION,),
        Filing.Kind.DEREGISTRATION: (Kind.APPLICATION,),
    }
    EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png")

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing request"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_filing_upload_to, validators=[FileExtensionValidator(EXTENSIONS)])
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("filing document")
        verbose_name_plural = _("filing documents")
        ordering = ["filing", "kind", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def scope_key(self) -> tuple[str | None, int | None]:
        return _org_scope(self.filing.organization)
