"""What a filing request may ask for: the kinds the organization's state allows, the fields a change
request changes (validated like the registry's profile edit), a deregistration's date and reason.
Part of ``services.filings`` (which re-exports the public names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.incubation.models import Filing, FilingEvent
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization

K = Filing.Kind
A = FilingEvent.Action
OrgStatus = Organization.Status
Legal = Organization.LegalStatus


# Profile fields a change request (变更) may ask for; the rest of the profile is the organization's own.
CHANGE_FIELDS = ("name", "form", "category", "guiding_unit", "venue", "venue_kind", "purpose", "service_scope")


def kind_problem(organization: Organization, kind: str, on: dt.date) -> str | None:
    """Why ``organization`` cannot ask for ``kind`` on ``on`` given its state, or None. No query.

    The first filing's checklist (members, charter, rules…) is checked separately, on submission.
    """
    org = organization
    status, legal = org.get_status_display(), org.get_legal_status_display()
    if kind == K.INITIAL:
        if org.legal_status != Legal.UNFILED:
            return _("%(org)s is already %(legal)s: there is no first filing to make.") % {"org": org, "legal": legal}
        if org.status not in (OrgStatus.PROPOSED, OrgStatus.INCUBATING):
            return _("Only a proposed or incubating organization submits a first filing; %(org)s is %(status)s.") % {
                "org": org,
                "status": status,
            }
        return None
    if org.legal_status == Legal.REGISTERED:
        refusals: dict[str, str] = {
            K.RENEWAL: _("%(org)s is registered with civil affairs: it has no filing to renew."),
            K.CHANGE: _("%(org)s is registered: registered organizations report changes to civil affairs."),
            K.DEREGISTRATION: _("%(org)s is registered: registered organizations deregister with civil affairs."),
        }
        return refusals[kind] % {"org": org}
    if org.legal_status != Legal.FILED:
        return _("%(org)s is not filed yet: submit its first filing instead.") % {"org": org}
    if kind == K.RENEWAL:
        if org.status != OrgStatus.ACTIVE:
            return _("Only an active organization renews its filing; %(org)s is %(status)s.") % {
                "org": org,
                "status": status,
            }
        until = org.filing_valid_until
        if until is None:
            return _("No valid-until date is recorded for this filing; ask the subdistrict to correct it.")
        opens = until - dt.timedelta(days=registry_selectors.EXPIRY_WARNING_DAYS)
        if on < opens:
            return _(
                "Renewal opens %(days)d days before the filing ends: from %(opens)s (it is valid until %(until)s)."
            ) % {
                "days": registry_selectors.EXPIRY_WARNING_DAYS,
                "opens": opens.isoformat(),
                "until": until.isoformat(),
            }
        return None
    if org.status not in (OrgStatus.ACTIVE, OrgStatus.DORMANT):
        return _("%(org)s is %(status)s: no request can be made for it.") % {"org": org, "status": status}
    return None


def offered_kinds(organization: Organization, on: dt.date | None = None) -> list[str]:
    """The kinds of request the organization's state allows now (in Kind order). No query."""
    on = on or timezone.localdate()
    return [kind for kind in K.values if kind_problem(organization, kind, on) is None]


def _clean_changes(org: Organization, changes: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The requested changes as {field: {"before": current, "after": new}}, validated like the
    registry's profile edit (choices, lengths, a unique name in the community). At least one
    field must really change."""
    unknown = sorted(set(changes) - set(CHANGE_FIELDS))
    if unknown:
        raise ValidationError(
            _("A change request cannot change these fields: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    errors: dict[str, list[str]] = {}
    result: dict[str, dict[str, str]] = {}
    for name in CHANGE_FIELDS:
        if name not in changes:
            continue
        value = "" if changes[name] is None else str(changes[name]).strip()
        field = Organization._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            field.clean(value, org)
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        before = getattr(org, name) or ""
        if value != before:
            result[name] = {"before": before, "after": value}
    if errors:
        raise ValidationError(errors)
    if not result:
        raise ValidationError(_("Nothing would change: give at least one new value."))
    if "name" in result:
        name = result["name"]["after"]
        if registry_selectors.organization_name_taken(org.community_id, name, exclude_pk=org.pk):
            raise ValidationError(
                {
                    "name": _("%(community)s already has an organization called “%(name)s”.")
                    % {"community": org.community.name, "name": name}
                }
            )
    return result


def _check_deregistration(
    org: Organization, statement: str, effective_on: dt.date | None, on: dt.date, errors: dict[str, list[str]]
) -> None:
    if not statement:
        errors.setdefault("statement", []).append(_("Say why the organization is deregistered."))
    if effective_on is None:
        errors.setdefault("effective_on", []).append(_("Give the date the organization stops its activities."))
    elif effective_on > on:
        errors.setdefault("effective_on", []).append(
            _("The date cannot be in the future: request deregistration once the organization has stopped.")
        )
    elif effective_on < org.status_since:
        errors.setdefault("effective_on", []).append(
            _("The date cannot be before %(date)s, when %(org)s became %(status)s.")
            % {"date": org.status_since.isoformat(), "org": org, "status": org.get_status_display()}
        )
