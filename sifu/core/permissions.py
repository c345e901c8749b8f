"""The one permission vocabulary (DESIGN.md §4.5).

A RoleGrant gives one Role on an Area (covering its whole subtree) or on one Organization.
Each role maps to a fixed set of permission codes. Scope checks cost one indexed condition:
``area.path`` is a materialized path and a subtree is ``path__startswith``.

Objects that can be checked expose ``scope_key()`` returning ``(area_path, organization_id)``;
``organization_id`` is None for objects that do not belong to one organization.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import rules
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sifu.accounts.models import User


class Perm:
    """Permission codes. Views, selectors and templates name these, never roles."""

    ORG_VIEW = "registry.view_organization"
    ORG_CHANGE = "registry.change_organization"
    ORG_CREATE = "registry.add_organization"
    ORG_TRANSITION = "registry.transition_organization"
    ORG_IMPORT = "registry.import_registry"
    ORG_EXPORT = "registry.export_registry"
    PEOPLE_VIEW = "people.view_person"
    PEOPLE_CHANGE = "people.change_person"
    PEOPLE_SENSITIVE = "people.view_sensitive"
    # The log of who saw whose personal information unmasked (sifu.privacy).
    PRIVACY_LOG_VIEW = "privacy.view_sensitive_log"
    MEMBERS_CHANGE = "registry.change_membership"
    OUTCOMES_VIEW = "outcomes.view_figures"
    ACCOUNTS_MANAGE = "accounts.manage_accounts"
    GRANT_AREA_ROLES = "accounts.grant_area_roles"
    GRANT_ORG_ROLES = "accounts.grant_org_roles"
    AREA_MANAGE = "accounts.manage_areas"
    NEEDS_VIEW = "incubation.view_need"
    NEEDS_CHANGE = "incubation.change_need"
    CASES_VIEW = "incubation.view_case"
    CASES_CHANGE = "incubation.change_case"
    FILING_VIEW = "incubation.view_filing"
    FILING_SUBMIT = "incubation.submit_filing"
    FILING_PRECHECK = "incubation.precheck_filing"
    FILING_DECIDE = "incubation.decide_filing"
    PLANS_VIEW = "incubation.view_plan"
    PLANS_CHANGE = "incubation.change_plan"


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Subdistrict admin")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    ORG_ADMIN = "org_admin", _("Organization admin")
    LEADER = "leader", _("Read-only leader")
    REVIEWER = "reviewer", _("Expert reviewer")


# Which roles are granted on an area and which on one organization.
AREA_ROLES = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_STAFF, Role.LEADER, Role.REVIEWER})
ORG_ROLES = frozenset({Role.ORG_ADMIN})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SUBDISTRICT_ADMIN: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.ORG_CHANGE,
            Perm.ORG_CREATE,
            Perm.ORG_TRANSITION,
            Perm.ORG_IMPORT,
            Perm.ORG_EXPORT,
            Perm.PEOPLE_VIEW,
            Perm.PEOPLE_CHANGE,
            Perm.PEOPLE_SENSITIVE,
            Perm.PRIVACY_LOG_VIEW,
            Perm.MEMBERS_CHANGE,
            Perm.OUTCOMES_VIEW,
            Perm.ACCOUNTS_MANAGE,
            Perm.GRANT_AREA_ROLES,
            Perm.GRANT_ORG_ROLES,
            Perm.AREA_MANAGE,
            Perm.NEEDS_VIEW,
            Perm.NEEDS_CHANGE,
            Perm.CASES_VIEW,
            Perm.CASES_CHANGE,
            Perm.FILING_VIEW,
            Perm.FILING_SUBMIT,
            Perm.FILING_PRECHECK,
            Perm.FILING_DECIDE,
            Perm.PLANS_VIEW,
            Perm.PLANS_CHANGE,
        }
    ),
    Role.COMMUNITY_STAFF: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.ORG_CHANGE,
            Perm.ORG_CREATE,
            Perm.ORG_TRANSITION,
            Perm.ORG_EXPORT,
            Perm.PEOPLE_VIEW,
            Perm.PEOPLE_CHANGE,
            Perm.PEOPLE_SENSITIVE,
            Perm.MEMBERS_CHANGE,
            Perm.OUTCOMES_VIEW,
            Perm.GRANT_ORG_ROLES,
            Perm.NEEDS_VIEW,
            Perm.NEEDS_CHANGE,
            Perm.CASES_VIEW,
            Perm.CASES_CHANGE,
            Perm.FILING_VIEW,
            Perm.FILING_SUBMIT,
            Perm.FILING_PRECHECK,
            Perm.PLANS_VIEW,
        }
    ),
    # An organization's admin files, renews, changes or deregisters it; the checks are the offices'.
    Role.ORG_ADMIN: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.ORG_CHANGE,
            Perm.PEOPLE_VIEW,
            Perm.PEOPLE_CHANGE,
            Perm.PEOPLE_SENSITIVE,
            Perm.MEMBERS_CHANGE,
            Perm.FILING_VIEW,
            Perm.FILING_SUBMIT,
        }
    ),
    Role.LEADER: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.PEOPLE_VIEW,
            Perm.OUTCOMES_VIEW,
            Perm.ORG_EXPORT,
            Perm.NEEDS_VIEW,
            Perm.CASES_VIEW,
            Perm.FILING_VIEW,
            Perm.PLANS_VIEW,
        }
    ),
    # Reviewers see only the items assigned to them; that comes with the grants stage.
    Role.REVIEWER: frozenset(),
}

ALL_PERMS: frozenset[str] = frozenset(p for perms in ROLE_PERMISSIONS.values() for p in perms)

# The roles a holder of each grant permission may hand out.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Perm.GRANT_AREA_ROLES: frozenset(AREA_ROLES),
    Perm.GRANT_ORG_ROLES: frozenset(ORG_ROLES),
}


@dataclass(frozen=True)
class Scope:
    """Where a user holds one permission: everywhere, under some area paths, or in some orgs."""

    everywhere: bool = False
    area_paths: tuple[str, ...] = ()
    organization_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.everywhere or self.area_paths or self.organization_ids)

    def covers(self, area_path: str | None, organization_id: int | None = None) -> bool:
        if self.everywhere:
            return True
        if area_path and any(area_path.startswith(p) for p in self.area_paths):
            return True
        return organization_id is not None and organization_id in self.organization_ids

    def q(self, area_path_field: str, organization_field: str | None = None) -> Q:
        """A filter for a queryset: rows whose area lies in the scope (or whose org is granted)."""
        if self.everywhere:
            return Q()
        q = Q(pk__in=[])
        for path in _minimal_paths(self.area_paths):
            q |= Q(**{f"{area_path_field}__startswith": path})
        if organization_field and self.organization_ids:
            q |= Q(**{f"{organization_field}__in": sorted(self.organization_ids)})
        return q


def _minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter one, so filters stay small."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(p) for p in result):
            result.append(path)
    return result


class ScopedObject(Protocol):
    def scope_key(self) -> tuple[str | None, int | None]: ...


_CACHE_ATTR = "_sifu_grants_cache"


def _active_grants(user: User) -> list[Any]:
    """All active grants of a user, loaded once per user object (one query)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        RoleGrant = apps.get_model("accounts", "RoleGrant")
        cached = list(
            RoleGrant.objects.active()
            .filter(user_id=user.pk)
            .select_related("area")
            .only("role", "organization_id", "area__path")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user: Any) -> None:
    """Drop the per-object cache, after grants of this user changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_for(user: User | AnonymousUser | None, perm: str) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everywhere=True)
    paths: list[str] = []
    orgs: set[int] = set()
    for grant in _active_grants(user):
        if perm not in ROLE_PERMISSIONS.get(grant.role, ()):
            continue
        if grant.organization_id:
            orgs.add(grant.organization_id)
        elif grant.area_id:
            paths.append(grant.area.path)
    return Scope(area_paths=tuple(_minimal_paths(paths)), organization_ids=frozenset(orgs))


def roles_of(user: User | AnonymousUser | None) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return {grant.role for grant in _active_grants(user)}


def _predicate_for(perm: str) -> rules.Predicate:
    @rules.predicate(name=f"in_scope[{perm}]")
    def in_scope(user: Any, obj: Any = None) -> bool:
        scope = scope_for(user, perm)
        if obj is None:
            return not scope.empty
        area_path, organization_id = obj.scope_key()
        return scope.covers(area_path, organization_id)

    return in_scope


def authorise_in[M: models.Model](user: Any, visible: models.QuerySet[M], pk: Any, perm: str, view_perm: str) -> M:
    """Fetch and authorise in one call (DESIGN.md §4.4): the row ``pk`` among ``visible`` — the rows
    the user may see with ``view_perm`` — else 404; then ``perm`` on it, else 403."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    obj = get_object_or_404(visible, pk=pk)
    if perm != view_perm and not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


for _perm in sorted(ALL_PERMS):
    rules.add_perm(_perm, _predicate_for(_perm))
