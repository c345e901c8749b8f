from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sifu.core.permissions import AREA_ROLES, ORG_ROLES, Role


class User(AbstractUser):
    """Staff, organization leaders and reviewers. Residents use the public site without one."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The one account that stands for the system (demo loader, commands, jobs, public submissions):
    # history records it as the actor. It cannot log in and is not listed among the accounts.
    is_system = models.BooleanField(_("system actor"), default=False, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["is_system"], condition=models.Q(is_system=True), name="accounts_user_one_system_actor"
            )
        ]

    def __str__(self) -> str:
        if self.is_system:
            return str(_("System"))
        return self.display_name or self.get_full_name() or self.username

    @property
    def label(self) -> str:
        return str(self)


class AreaQuerySet(models.QuerySet["Area"]):
    def subtree(self, area: Area) -> AreaQuerySet:
        return self.filter(path__startswith=area.path)

    def communities(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.COMMUNITY)


class Area(models.Model):
    """A node of the area tree: city → district → subdistrict → community → estate → grid.

    ``path`` is a materialized path of primary keys ("3/17/"), so a subtree is
    ``path__startswith`` on one indexed column.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        COMMUNITY = "community", _("Community")
        ESTATE = "estate", _("Residential estate")
        GRID = "grid", _("Grid")

    # Allowed kinds of children for each kind.
    CHILD_KINDS = {
        Kind.CITY: (Kind.DISTRICT,),
        Kind.DISTRICT: (Kind.SUBDISTRICT,),
        Kind.SUBDISTRICT: (Kind.COMMUNITY,),
        Kind.COMMUNITY: (Kind.ESTATE, Kind.GRID),
        Kind.ESTATE: (Kind.GRID,),
        Kind.GRID: (),
    }

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    code = models.CharField(_("division code"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = AreaQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="area_unique_root_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_key(self) -> tuple[str | None, int | None]:
        return self.path, None

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """One role of one user on an area (and its subtree) or on one organization."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("revoked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(area__isnull=False) & Q(organization__isnull=True))
                | (Q(area__isnull=True) & Q(organization__isnull=False)),
                name="grant_on_area_xor_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=Q(revoked_at__isnull=True, area__isnull=False),
                name="grant_unique_active_area_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(revoked_at__isnull=True, organization__isnull=False),
                name="grant_unique_active_org_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.target}"

    @property
    def target(self) -> models.Model | None:
        return self.area if self.area_id else self.organization

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_key(self) -> tuple[str | None, int | None]:
        if self.area is not None:
            return self.area.path, None
        assert self.organization is not None  # a grant is on an area or on an organization (a check constraint)
        return self.organization.community.path, self.organization_id

    @staticmethod
    def role_is_for_area(role: str) -> bool:
        return role in AREA_ROLES

    @staticmethod
    def role_is_for_organization(role: str) -> bool:
        return role in ORG_ROLES
