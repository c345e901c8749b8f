"""Writes for an organization's profile: create it, edit it, lock its row for another app's service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.registry.models import (
    Organization,
)
from sifu.registry.selectors.shared import organization_name_taken
from sifu.registry.services._common import (
    PROFILE_FIELDS,
    _check_community,
    _check_date,
    _locked,
    _record_status,
    _today,
    _validate_party_branch,
)


def organization_lock(organization: Organization | int) -> Organization:
    """The organization re-read under a row lock, for another app's service that must serialise its
    writes about one organization (two filing requests, two candidates at the same moment). Call it
    inside that service's transaction; only the organization's row is locked, not its community."""
    pk = organization if isinstance(organization, int) else organization.pk
    return Organization.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)


@transaction.atomic
def organization_create(
    *,
    name: str,
    form: str,
    nature: str,
    category: str,
    community: Area,
    by: User,
    on: dt.date | None = None,
    **profile: Any,
) -> Organization:
    """A new organization, proposed. Filing and registration come through their transitions."""
    if not by.has_perm(Perm.ORG_CREATE, community):
        raise PermissionDenied(_("You cannot add organizations in %(area)s.") % {"area": community.name})
    _check_community(community)
    on = on or _today()
    _check_date(on, label=_("The date"))
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"organization_create() got unknown fields: {sorted(unknown)}")
    org = Organization(
        name=name.strip(),
        form=form,
        nature=nature,
        category=category,
        community=community,
        status=Organization.Status.PROPOSED,
        status_since=on,
        **profile,
    )
    _validate_party_branch(org)
    org.full_clean(exclude=["charter_file"], validate_constraints=False)
    if organization_name_taken(community.pk, org.name):
        raise ValidationError(
            {
                "name": _("%(community)s already has an organization called “%(name)s”.")
                % {"community": community.name, "name": org.name}
            }
        )
    save_with_history(org, action="registry.organization.created", by=by)
    _record_status(org, action="registry.organization.created", from_status="", on=on, reason="", by=by)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, data: dict[str, Any], by: User) -> Organization:
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    org = _locked(organization)
    if not by.has_perm(Perm.ORG_CHANGE, org):
        raise PermissionDenied(_("You cannot change this organization."))
    changed = [f for f, v in data.items() if getattr(org, f) != v]
    if not changed:
        return org
    for field, value in data.items():
        setattr(org, field, value)
    if "name" in changed:
        org.name = org.name.strip()
        if organization_name_taken(org.community_id, org.name, exclude_pk=org.pk):
            raise ValidationError(
                {"name": _("This community already has an organization called “%(name)s”.") % {"name": org.name}}
            )
    _validate_party_branch(org)
    org.full_clean(exclude=["charter_file"], validate_constraints=False)
    save_with_history(org, action="registry.organization.updated", by=by, update_fields=changed)
    return org
