"""Incubation (孵化): the needs of a community that organizations are incubated to serve.

Field sources: docs/domain.md §2 and issue #3 point 1. A need is recorded by community staff or
submitted by a resident from the public site; submitted needs wait in the community's queue
for screening (accept, merge into an existing need, decline with a reason).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
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


def _org_scope(organization: Organization) -> tuple[str | None, int | None]:
    return organization.community.path, organization.pk


class OrganizationScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows that belong to one organization (``organization`` FK): in scope where the organization is."""

    def for_user(self, user: object, perm: str) -> OrganizationScopedQuerySet[M]:
        return self.filter(scope_for(user, perm).q("organization__community__path", "organization_id"))  # type: ignore[arg-type]


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
