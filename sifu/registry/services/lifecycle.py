"""The transition services: an organization's status and legal status move only through these
(``registry.lifecycle.ORGANIZATION_FLOW``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_uscc
from sifu.core.workflow import Seen
from sifu.registry.lifecycle import ORGANIZATION_FLOW, floor_problems
from sifu.registry.models import (
    Organization,
)
from sifu.registry.services._common import (
    FILING_VALID_YEARS,
    _check_date,
    _last_effective_on,
    _locked,
    _record_status,
    _today,
)


def _transition(
    organization: Organization,
    name: str,
    *,
    on: dt.date,
    reason: str,
    by: User,
    seen: Seen | None = None,
    check: Callable[[Organization], None] | None = None,
    **changes: Any,
) -> Organization:
    """Apply one transition of ``ORGANIZATION_FLOW`` to the row re-read under a lock.

    Order: the workflow's check (permission, the state the page showed when a page posted it as
    ``seen``, the current state and legal status), dates, then ``check`` (the transition's
    own rules, run on the locked row, never on the caller's possibly stale copy), then the writes.
    """
    org = _locked(organization)
    t = ORGANIZATION_FLOW.check(org, name, by, seen=seen)
    _check_date(on, label=_("The effective date"))
    last = _last_effective_on(org)
    if last and on < last:
        raise ValidationError(
            _("The effective date cannot be before the last status change (%(date)s).") % {"date": last.isoformat()}
        )
    if check is not None:
        check(org)
    from_status = org.status
    for field, value in changes.items():
        setattr(org, field, value)
    if ORGANIZATION_FLOW.move(org, t):
        org.status_since = on
    try:
        with transaction.atomic():
            save_with_history(org, action=t.history, by=by, update_fields=[*changes, "status", "status_since"])
    except IntegrityError as exc:  # a unique filing number or code taken at the same moment
        raise ValidationError(
            _("Someone else recorded the same number or code at the same time; reload and try again.")
        ) from exc
    _record_status(org, action=t.history, from_status=from_status, on=on, reason=reason, by=by)
    organization.refresh_from_db()
    return org


@transaction.atomic
def organization_start_incubation(
    *, organization: Organization, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    return _transition(organization, "start_incubation", on=on or _today(), reason="", by=by, seen=seen)


def filing_valid_until(filed_on: dt.date) -> dt.date:
    try:
        end = filed_on.replace(year=filed_on.year + FILING_VALID_YEARS)
    except ValueError:  # 29 February
        end = filed_on.replace(year=filed_on.year + FILING_VALID_YEARS, day=28)
    return end - dt.timedelta(days=1)


@transaction.atomic
def organization_file(
    *,
    organization: Organization,
    filing_number: str,
    filed_on: dt.date,
    by: User,
    check_floor: bool = True,
    seen: Seen | None = None,
) -> Organization:
    """Record the subdistrict's filing (备案): checks the Guangdong floor on the filing date.

    Only the subdistrict decides a filing (``Perm.FILING_DECIDE``): new filings go through the
    incubation filing workflow, which calls this on approval; calling it directly is for entering
    paper filings made before the platform.
    """
    filing_number = (filing_number or "").strip()
    if not filing_number:
        raise ValidationError({"filing_number": _("Enter the filing number.")})

    def check(org: Organization) -> None:
        if Organization.objects.filter(filing_number=filing_number).exclude(pk=org.pk).exists():
            raise ValidationError({"filing_number": _("Filing number %(n)s is already used.") % {"n": filing_number}})
        if check_floor:
            problems = floor_problems(org, filed_on)
            if problems:
                raise ValidationError(_("Cannot file yet. Still missing: %(items)s.") % {"items": "; ".join(problems)})

    return _transition(
        organization,
        "file",
        on=filed_on,
        reason="",
        by=by,
        seen=seen,
        check=check,
        legal_status=Organization.LegalStatus.FILED,
        filing_number=filing_number,
        filed_on=filed_on,
        filing_valid_until=filing_valid_until(filed_on),
    )


@transaction.atomic
def organization_renew_filing(*, organization: Organization, renewed_on: dt.date, by: User) -> Organization:
    """Renew an active organization's filing (续期) for another three years; its status is unchanged.

    Renewed before the filing ends, the new period starts the day after the old one ends (no day
    is lost by renewing early); renewed after it ended, it starts on ``renewed_on``.
    """
    org = _locked(organization)
    if not (by.has_perm(Perm.FILING_DECIDE, org) and by.has_perm(Perm.ORG_TRANSITION, org)):
        raise PermissionDenied(_("Only the subdistrict renews a filing."))
    if org.legal_status != Organization.LegalStatus.FILED or org.status != Organization.Status.ACTIVE:
        raise ValidationError(
            _("Only an active, filed organization renews its filing; this one is %(status)s and %(legal)s.")
            % {"status": org.get_status_display(), "legal": org.get_legal_status_display()}
        )
    _check_date(renewed_on, label=_("The renewal date"))
    if org.filed_on and renewed_on < org.filed_on:
        raise ValidationError(
            _("The renewal date cannot be before the filing date (%(date)s).") % {"date": org.filed_on}
        )
    old = org.filing_valid_until
    org.filing_valid_until = (
        filing_valid_until(old + dt.timedelta(days=1)) if old and renewed_on <= old else filing_valid_until(renewed_on)
    )
    save_with_history(org, action="registry.organization.filing_renewed", by=by, update_fields=["filing_valid_until"])
    organization.refresh_from_db()
    return org


def check_uscc_matches(uscc: str, nature: str) -> None:
    """A registered community organization's code is issued by civil affairs (5): 51 or 52."""
    expected = "51" if nature == Organization.Nature.ASSOCIATION else "52"
    if not uscc.startswith(expected):
        raise ValidationError(
            {
                "uscc": _(
                    "A %(nature)s organization registered with civil affairs has a code starting with %(prefix)s."
                )
                % {"nature": Organization.Nature(nature).label, "prefix": expected}
            }
        )


@transaction.atomic
def organization_register(
    *, organization: Organization, uscc: str, registered_on: dt.date, by: User, seen: Seen | None = None
) -> Organization:
    """Conversion of a filed organization into a registered 社会团体 / 社会服务机构."""
    try:
        uscc = normalize_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc

    def check(org: Organization) -> None:
        check_uscc_matches(uscc, org.nature)
        if Organization.objects.filter(uscc=uscc).exclude(pk=org.pk).exists():
            raise ValidationError({"uscc": _("This code is already recorded for another organization.")})
        if org.filed_on and registered_on < org.filed_on:
            raise ValidationError({"registered_on": _("Registration cannot be before the filing date.")})

    return _transition(
        organization,
        "register",
        on=registered_on,
        reason="",
        by=by,
        seen=seen,
        check=check,
        legal_status=Organization.LegalStatus.REGISTERED,
        uscc=uscc,
        registered_on=registered_on,
    )


@transaction.atomic
def organization_make_dormant(
    *, organization: Organization, reason: str, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the organization is dormant.")})
    return _transition(organization, "make_dormant", on=on or _today(), reason=reason.strip(), by=by, seen=seen)


@transaction.atomic
def organization_reactivate(
    *,
    organization: Organization,
    on: dt.date | None = None,
    reason: str = "",
    by: User,
    seen: Seen | None = None,
) -> Organization:
    on = on or _today()

    def check(org: Organization) -> None:
        problems = floor_problems(org, on)
        if problems:
            raise ValidationError(_("Cannot reactivate. Still missing: %(items)s.") % {"items": "; ".join(problems)})

    return _transition(organization, "reactivate", on=on, reason=(reason or "").strip(), by=by, seen=seen, check=check)


@transaction.atomic
def organization_dissolve(
    *, organization: Organization, reason: str, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    """End an organization. One that is filed or registered ends by a deregistration request (注销)
    that the subdistrict approves (``Perm.FILING_DECIDE``, in ``ORGANIZATION_FLOW``); staff dissolve
    directly only what was never filed (a proposed or incubating organization that did not come about)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the organization is dissolved.")})
    return _transition(organization, "dissolve", on=on or _today(), reason=reason.strip(), by=by, seen=seen)
