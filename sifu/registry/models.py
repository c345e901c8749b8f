"""The registry of community social organizations (社区社会组织), their people and memberships.

Field sources: docs/domain.md §6 "Filed 社区社会组织 record" and §2.2 (Guangdong filing rules).
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.accounts.models import Area
from sifu.core.permissions import scope_for


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user: object, perm: str) -> OrganizationQuerySet:
        """Organizations in the user's scope for ``perm`` (one indexed condition per granted area)."""
        return self.filter(scope_for(user, perm).q("community__path", "pk"))  # type: ignore[arg-type]

    def public(self) -> OrganizationQuerySet:
        return self.exclude(legal_status=Organization.LegalStatus.UNFILED).filter(
            status__in=[Organization.Status.ACTIVE, Organization.Status.DORMANT]
        )


class Organization(models.Model):
    class Form(models.TextChoices):
        SOCIETY = "society", _("Society (社)")
        STATION = "station", _("Station (站)")
        TEAM = "team", _("Team (队)")
        CENTER = "center", _("Center (中心)")
        GROUP = "group", _("Group (组)")

    class Nature(models.TextChoices):
        ASSOCIATION = "association", _("Association-type")
        SERVICE = "service", _("Service-type")

    class Category(models.TextChoices):
        LIFE = "life", _("Life services")
        AFFAIRS = "affairs", _("Community affairs")
        CULTURE = "culture", _("Culture and sports")
        CHARITY = "charity", _("Public welfare and charity")

    class LegalStatus(models.TextChoices):
        UNFILED = "unfiled", _("Not filed")
        FILED = "filed", _("Filed")
        REGISTERED = "registered", _("Registered")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        INCUBATING = "incubating", _("Incubating")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        DISSOLVED = "dissolved", _("Dissolved")

    class VenueKind(models.TextChoices):
        SHARED = "shared", _("Shared venue")
        DEDICATED = "dedicated", _("Dedicated venue")

    name = models.CharField(_("name"), max_length=80)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    guiding_unit = models.CharField(_("guiding unit"), max_length=80, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    legal_status = models.CharField(
        _("legal status"), max_length=16, choices=LegalStatus.choices, default=LegalStatus.UNFILED
    )
    status_since = models.DateField(_("status since"), default=timezone.localdate)

    filing_number = models.CharField(_("filing number"), max_length=40, null=True, blank=True, unique=True)
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    filing_valid_until = models.DateField(_("filing valid until"), null=True, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    purpose = models.TextField(_("purpose"), blank=True)
    service_scope = models.TextField(_("service scope"), blank=True)
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    venue_kind = models.CharField(_("venue kind"), max_length=16, choices=VenueKind.choices, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=120, blank=True)

    charter_file = models.FileField(
        _("charter"),
        upload_to="charters/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "doc", "docx", "jpg", "jpeg", "png"])],
    )
    party_clause_in_charter = models.BooleanField(_("party building in charter"), default=False)
    # Filed organizations must keep both (粤民规字〔2022〕2号, docs/domain.md §2.2).
    election_rules_adopted = models.BooleanField(_("leader election rules adopted (负责人选举制度)"), default=False)
    deliberation_rules_adopted = models.BooleanField(
        _("democratic deliberation rules adopted (民主议事制度)"), default=False
    )
    party_branch_name = models.CharField(_("party branch"), max_length=80, blank=True)
    party_branch_founded_on = models.DateField(_("party branch founded on"), null=True, blank=True)
    party_instructor = models.ForeignKey(
        "Person",
        verbose_name=_("party-building instructor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructed_organizations",
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="org_unique_name_in_community"),
            models.CheckConstraint(
                condition=~Q(legal_status="filed") | Q(filing_number__isnull=False, filed_on__isnull=False),
                name="org_filed_has_number_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(legal_status="registered") | Q(uscc__isnull=False, registered_on__isnull=False),
                name="org_registered_has_uscc_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "legal_status"], name="org_status_idx"),
            models.Index(fields=["category"], name="org_category_idx"),
            models.Index(fields=["nature"], name="org_nature_idx"),
            models.Index(fields=["community", "status"], name="org_community_status_idx"),
            models.Index(fields=["name"], name="org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.community.path, self.pk

    @property
    def is_public(self) -> bool:
        """Shown in the public directory: filed or registered, and not dissolved."""
        return self.legal_status != self.LegalStatus.UNFILED and self.status in (
            self.Status.ACTIVE,
            self.Status.DORMANT,
        )

    @property
    def has_party_branch(self) -> bool:
        return self.party_branch_founded_on is not None


class OrganizationStatusChange(models.Model):
    """Effective-dated lifecycle log, written by the transition services.

    Figures "as of a date" read the latest change on or before that date, so an organization
    that went dormant and was reactivated counts correctly for every date.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="status_changes"
    )
    action = models.CharField(_("action"), max_length=80)
    from_status = models.CharField(_("from status"), max_length=16, choices=Organization.Status.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Organization.Status.choices)
    legal_status = models.CharField(_("legal status"), max_length=16, choices=Organization.LegalStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["organization", "effective_on", "id"]
        indexes = [models.Index(fields=["organization", "effective_on"], name="status_change_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.from_status}→{self.status} {self.effective_on}"


class PersonQuerySet(models.QuerySet["Person"]):
    def for_user(self, user: object, perm: str) -> PersonQuerySet:
        """People living in the user's areas or holding a membership in an organization in scope."""
        scope = scope_for(user, perm)  # type: ignore[arg-type]
        if scope.everywhere:
            return self
        orgs = Organization.objects.filter(scope.q("community__path", "pk"))
        in_orgs = Membership.objects.filter(person=models.OuterRef("pk"), organization__in=orgs)
        return self.filter(scope.q("community__path") | Q(models.Exists(in_orgs)))


class Person(models.Model):
    """One resident, kept once across organizations (matched by ID number, then phone)."""

    class PoliticalStatus(models.TextChoices):
        CPC_MEMBER = "cpc_member", _("CPC member")
        CPC_PROBATIONARY = "cpc_probationary", _("CPC probationary member")
        CYL_MEMBER = "cyl_member", _("Communist Youth League member")
        DEMOCRATIC_PARTY = "democratic_party", _("Member of a democratic party")
        MASSES = "masses", _("Ordinary citizen")

    PARTY_STATUSES = (PoliticalStatus.CPC_MEMBER, PoliticalStatus.CPC_PROBATIONARY)

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=11, null=True, blank=True, unique=True)
    id_number = models.CharField(_("ID number"), max_length=18, null=True, blank=True, unique=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        limit_choices_to={"kind": Area.Kind.COMMUNITY},
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["political_status"], name="person_political_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_key(self) -> tuple[str | None, int | None]:
        return (self.community.path if self.community is not None else None), None

    @property
    def is_party_member(self) -> bool:
        return self.political_status in self.PARTY_STATUSES


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: dt.date | None = None) -> MembershipQuerySet:
        """Memberships held on a date (today by default): joined on or before, not yet left."""
        if on is None:
            return self.filter(left_on__isnull=True)
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy leader")
        BACKBONE = "backbone", _("Backbone member")
        MEMBER = "member", _("Member")
        VOLUNTEER = "volunteer", _("Volunteer")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_initiator = models.BooleanField(_("initiator"), default=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "role", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role="leader", left_on__isnull=True),
                name="membership_one_current_leader",
            ),
            models.UniqueConstraint(
                fields=["person", "organization"],
                condition=Q(left_on__isnull=True),
                name="membership_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "left_on"], name="membership_org_current_idx"),
            models.Index(fields=["joined_on", "left_on"], name="membership_dates_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization} ({self.get_role_display()})"

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.organization.community.path, self.organization_id

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)
