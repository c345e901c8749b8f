"""Fetch-and-authorise helpers for registry views (DESIGN.md §4.4).

Views never ``Model.objects.get(pk=...)``. They call ``get_<entity>_for_user(user, pk, perm)``:

- the object is looked up only among the rows the user may *see* (the entity's view
  permission, through ``Model.objects.for_user``), so anything outside the user's scope is a
  404 — its existence is not revealed;
- if it is visible but the user lacks ``perm`` on it, that is a 403.

Each helper selects what ``scope_key()`` needs (``has_perm`` then costs no query) and what the
pages using it always show. To add one for another entity, copy ``get_organization_for_user``:
pick the queryset (``for_user`` with the entity's view permission), then call
``sifu.core.permissions.authorise_in``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from sifu.core.permissions import Perm, authorise_in, scope_for
from sifu.registry.models import Membership, Organization, Person


def get_organization_for_user(user: Any, pk: int, perm: str = Perm.ORG_VIEW) -> Organization:
    """An organization the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``."""
    visible = Organization.objects.for_user(user, Perm.ORG_VIEW).select_related("community", "party_instructor")
    return authorise_in(user, visible, pk, perm, Perm.ORG_VIEW)


# People and memberships ---------------------------------------------------------------------


def user_has_person_perm(user: Any, perm: str, person: Person) -> bool:
    """``perm`` on a person: through an area covering where they live, or through an organization
    in the user's scope for ``perm`` where they hold a membership (current or past).

    The area check costs nothing (grants are cached on the user); only when it fails is one
    query spent on memberships.
    """
    if user.has_perm(perm, person):
        return True
    scope = scope_for(user, perm)
    if scope.empty:
        return False
    orgs = Organization.objects.filter(scope.q("community__path", "pk"))
    return Membership.objects.filter(person_id=person.pk, organization__in=orgs).exists()


def get_person_for_user(user: Any, pk: int, perm: str = Perm.PEOPLE_VIEW) -> Person:
    """A person the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``.

    Scope is ``Person.objects.for_user(user, PEOPLE_VIEW)``: people living in the user's areas or
    holding a membership in an organization the user may see.
    """
    visible = Person.objects.for_user(user, Perm.PEOPLE_VIEW).select_related("community")
    person = get_object_or_404(visible, pk=pk)
    if perm != Perm.PEOPLE_VIEW and not user_has_person_perm(user, perm, person):
        raise PermissionDenied
    return person


def get_membership_for_user(user: Any, pk: int, perm: str = Perm.ORG_VIEW) -> Membership:
    """A membership of an organization the user may see, checked for ``perm`` on that organization."""
    visible = Membership.objects.filter(
        organization__in=Organization.objects.for_user(user, Perm.ORG_VIEW)
    ).select_related("organization__community", "person")
    return authorise_in(user, visible, pk, perm, Perm.ORG_VIEW)
