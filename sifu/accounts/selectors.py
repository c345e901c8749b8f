"""Reads of accounts, role grants and areas shared by the office pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from sifu.accounts.models import Area, RoleGrant, User
from sifu.accounts.permissions import grants_in_scope_q, visible_accounts_q
from sifu.core.history import HistoryEntry, history_entries
from sifu.core.permissions import Perm, Role, scope_for

# --- accounts ---------------------------------------------------------------------------------------------

_GRANT_RELATED = ("area", "organization__community", "granted_by", "revoked_by")


def accounts_for_user(viewer: Any, *, search: str = "") -> QuerySet[User]:
    """Accounts ``viewer`` may manage (see sifu.accounts.permissions), each with ``active_grants``.

    Rows cost one query and the active grants of a page one more (prefetch), whatever the page size.
    """
    qs = User.objects.filter(visible_accounts_q(viewer))
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(display_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    active = RoleGrant.objects.active().select_related("area", "organization").order_by("granted_at", "pk")
    return qs.prefetch_related(Prefetch("grants", queryset=active, to_attr="active_grants")).order_by(
        "-is_active", "username"
    )


def get_account_for_user(viewer: Any, pk: int, perm: str = Perm.ACCOUNTS_MANAGE) -> User:
    """The account ``pk`` if ``viewer`` may see it: 403 without ``perm``, 404 outside their scope."""
    if not viewer.has_perm(perm):
        raise PermissionDenied
    account = User.objects.filter(visible_accounts_q(viewer), pk=pk).first()
    if account is None:
        raise Http404
    return account


def account_created_by(account: User) -> Any:
    """Who created the account (from its first history version), or None."""
    first = account.history.filter(history_type="+").select_related("history_user").order_by("history_date").first()
    return first.history_user if first else None


def account_grants(account: User) -> list[RoleGrant]:
    """Every grant of the account, active first, then revoked, newest first (one query)."""
    grants = list(RoleGrant.objects.filter(user=account).select_related(*_GRANT_RELATED))
    grants.sort(key=lambda g: (not g.is_active, -g.granted_at.timestamp()))
    return grants


def account_timeline(account: User) -> list[HistoryEntry]:
    """The account's own versions and the versions of its grants (two queries)."""
    user_versions = account.history.select_related("history_user")
    grant_versions = RoleGrant.history.filter(user_id=account.pk).select_related("history_user", "area", "organization")
    # password and last_login are not versioned (User.history excludes them), so they are hidden from diffs.
    hidden = frozenset({"updated_at", "user", "password", "last_login"})
    entries = history_entries([*user_versions, *grant_versions], hidden_fields=hidden)
    # Each login saves last_login, which simple_history versions with nothing visible changed: skip those.
    return [e for e in entries if e.kind != "~" or e.changes or e.action]


# --- grants ----------------------------------------------------------------------------------------------


def grant_scope_q(viewer: Any) -> Q:
    """Grants whose target lies where ``viewer`` may hand out (or take back) some role."""
    area_scope = scope_for(viewer, Perm.GRANT_AREA_ROLES)
    org_scope = scope_for(viewer, Perm.GRANT_ORG_ROLES)
    return grants_in_scope_q(area_scope) | grants_in_scope_q(org_scope)


def get_grant_for_user(viewer: Any, pk: int) -> RoleGrant:
    """A grant ``viewer`` may act on: 403 without any grant permission, 404 outside their scope.

    Whether this particular role may be revoked by them is decided by ``role_revoke``.
    """
    if not (viewer.has_perm(Perm.GRANT_AREA_ROLES) or viewer.has_perm(Perm.GRANT_ORG_ROLES)):
        raise PermissionDenied
    grant = RoleGrant.objects.filter(grant_scope_q(viewer), pk=pk).select_related(*_GRANT_RELATED, "user").first()
    if grant is None:
        raise Http404
    return grant


def organization_admin_grants(organization: Any) -> list[RoleGrant]:
    """All organization-admin grants on one organization, active first (one query)."""
    grants = list(
        RoleGrant.objects.filter(organization=organization, role=Role.ORG_ADMIN).select_related(
            "user", "granted_by", "revoked_by"
        )
    )
    grants.sort(key=lambda g: (not g.is_active, -g.granted_at.timestamp()))
    return grants


# --- areas -----------------------------------------------------------------------------------------------


def get_area_for_user(viewer: Any, pk: int, perm: str = Perm.AREA_MANAGE) -> Area:
    """The area ``pk`` if it lies in ``viewer``'s scope for ``perm``: 403 without it at all, 404 outside."""
    if not viewer.has_perm(perm):
        raise PermissionDenied
    area = Area.objects.filter(scope_for(viewer, perm).q("path"), pk=pk).first()
    if area is None:
        raise Http404
    return area


def areas_for_user(viewer: Any, perm: str) -> QuerySet[Area]:
    return Area.objects.filter(scope_for(viewer, perm).q("path")).order_by("path")


@dataclass
class AreaRow:
    area: Area
    level: int  # indentation below the top of the user's tree
    organizations: int  # in the area's whole subtree
    active: int
    child_kinds: tuple[Any, ...]


def area_tree(viewer: Any) -> list[AreaRow]:
    """The area tree in ``viewer``'s scope, in tree order, with organization counts per subtree.

    One query: the areas, each with the count of its own organizations (through the reverse
    relation ``Area.organizations``, so accounts needs no registry code), rolled up the tree by path.
    """
    # The model behind the reverse relation, read from the relation itself (no import of the registry).
    organization = Area._meta.get_field("organizations").related_model
    active = organization.Status.ACTIVE  # type: ignore[attr-defined]  # the registry's Organization, not imported
    scope = scope_for(viewer, Perm.AREA_MANAGE)
    areas = sorted(
        Area.objects.filter(scope.q("path")).annotate(
            own_organizations=Count("organizations"),
            own_active=Count("organizations", filter=Q(organizations__status=active)),
        ),
        key=lambda a: [int(p) for p in a.path.split("/") if p],
    )
    totals: dict[str, list[int]] = {}
    for a in areas:
        if not a.own_organizations:
            continue
        parts = [p for p in a.path.split("/") if p]
        for i in range(1, len(parts) + 1):
            key = "/".join(parts[:i]) + "/"
            counts = totals.setdefault(key, [0, 0])
            counts[0] += a.own_organizations
            counts[1] += a.own_active
    top = min((a.depth for a in areas), default=0)
    return [
        AreaRow(
            area=a,
            level=a.depth - top,
            organizations=totals.get(a.path, [0, 0])[0],
            active=totals.get(a.path, [0, 0])[1],
            child_kinds=Area.CHILD_KINDS[Area.Kind(a.kind)],
        )
        for a in areas
    ]
