"""Which accounts a manager may see and manage (the account side of DESIGN.md §4.5).

Accounts have no area of their own; an account is placed by its role grants. A holder of
``Perm.ACCOUNTS_MANAGE`` (a subdistrict admin) sees:

- every account that holds, or once held, a role on an area or organization inside their scope
  (revoked grants count, so an account whose roles ended can be given a new one), and
- every account they created themselves (read from the account's first history version), so a new
  account without a role yet is not lost.

Role-less accounts created by someone else (e.g. by another subdistrict) are not shown: listing
every role-less account to every subdistrict admin would leak accounts across subdistricts.

A manager may activate or deactivate an account only when every active role it holds lies in
their scope, so an admin of one subdistrict cannot lock out someone who also works elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from sifu.accounts.models import RoleGrant, User
from sifu.core.permissions import Perm, Scope, scope_for


def grants_in_scope_q(scope: Scope, prefix: str = "") -> Q:
    """Grants (rows of RoleGrant, or related through ``prefix``) whose area/organization lies in ``scope``."""
    if scope.everywhere:
        return Q()
    return scope.q(f"{prefix}area__path") | scope.q(f"{prefix}organization__community__path")


def visible_accounts_q(viewer: Any) -> Q:
    """A filter on User: the accounts ``viewer`` may see in the office (module docstring)."""
    scope = scope_for(viewer, Perm.ACCOUNTS_MANAGE)
    if scope.empty:
        return Q(pk__in=[])
    people = Q(is_system=False)  # the system actor is nobody's account to manage
    if scope.everywhere:
        return people
    in_scope = RoleGrant.objects.filter(grants_in_scope_q(scope), user=OuterRef("pk"))
    created = User.history.model.objects.filter(id=OuterRef("pk"), history_type="+", history_user_id=viewer.pk)
    return people & (Q(Exists(in_scope)) | Q(Exists(created)))


def can_see_account(viewer: Any, account: User) -> bool:
    return User.objects.filter(visible_accounts_q(viewer), pk=account.pk).exists()


def outside_grants(viewer: Any, account: User) -> list[RoleGrant]:
    """The account's active grants that lie outside ``viewer``'s account-management scope."""
    scope = scope_for(viewer, Perm.ACCOUNTS_MANAGE)
    if scope.everywhere:
        return []
    grants = RoleGrant.objects.active().filter(user=account).select_related("area", "organization__community")
    return [g for g in grants if not scope.covers(*g.scope_key())]


def can_manage_account(viewer: Any, account: User) -> bool:
    """May ``viewer`` activate or deactivate ``account``? (see the module docstring)"""
    if viewer is None:
        return True
    if viewer.is_superuser:
        return True
    if account.is_superuser or not viewer.has_perm(Perm.ACCOUNTS_MANAGE):
        return False
    return can_see_account(viewer, account) and not outside_grants(viewer, account)
