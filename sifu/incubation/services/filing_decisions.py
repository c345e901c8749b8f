"""The community's check (初审) and the subdistrict's decisions (审核) on a filing request: pass,
return, approve (applying the request to the registry), refuse. Part of ``services.filings``
(which re-exports them).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.workflow import Seen
from sifu.incubation.models import Filing, FilingEvent
from sifu.incubation.services import cases
from sifu.incubation.services.filing_flow import (
    _begin,
    _finish,
    _required_reason,
    _when,
)
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry_services

S = Filing.Status
K = Filing.Kind
LEVEL = FilingEvent.Level


@transaction.atomic
def filing_precheck_pass(
    *, filing: Filing, note: str = "", by: User, at: dt.datetime | None = None, seen: Seen | None = None
) -> Filing:
    """The community's check (初审) passes: the request goes to the subdistrict."""
    current, action = _begin(filing, "precheck", by=by, seen=seen)
    at = _when(at, current)
    current.prechecked_at, current.prechecked_by = at, by
    return _finish(
        current,
        action,
        level=LEVEL.COMMUNITY,
        note=(note or "").strip(),
        by=by,
        at=at,
        fields=["prechecked_at", "prechecked_by"],
    )


@transaction.atomic
def filing_return(
    *, filing: Filing, reason: str, by: User, at: dt.datetime | None = None, seen: Seen | None = None
) -> Filing:
    """Send the request back to the applicant with a written reason, from the community's check
    (awaiting it: ``FILING_PRECHECK``) or the subdistrict's review (``FILING_DECIDE``)."""
    current, action = _begin(filing, "return", by=by, seen=seen)
    reason = _required_reason(reason, _("Say what the applicant has to fix."))
    at = _when(at, current)
    level = LEVEL.SUBDISTRICT if current.status == S.PRECHECKED else LEVEL.COMMUNITY
    current.decision_note = reason
    return _finish(current, action, level=level, note=reason, by=by, at=at, fields=["decision_note"])


@transaction.atomic
def filing_approve(
    *,
    filing: Filing,
    filing_number: str | None = None,
    note: str = "",
    by: User,
    at: dt.datetime | None = None,
    seen: Seen | None = None,
) -> Filing:
    """The subdistrict approves (审核通过) and the registry applies the request:

    - first filing: the organization is filed (number, filing date, valid three years) and active;
    - renewal: valid-until extended by three years;
    - change: the requested profile fields are written;
    - deregistration: the organization is dissolved on the requested date.

    The person who did the community check cannot also decide. If the registry refuses, the
    message is raised and nothing is saved.
    """
    current, action = _begin(filing, "approve", by=by, seen=seen)
    at = _when(at, current)
    on = timezone.localdate(at)
    org = current.organization
    fields = ["decided_at", "decided_by", "decision_note"]
    if current.kind == K.INITIAL:
        number = (filing_number or "").strip() or registry_selectors.suggest_filing_number(on.year)
        org = registry_services.organization_file(organization=org, filing_number=number, filed_on=on, by=by)
        current.filing_number, current.valid_until = org.filing_number or "", org.filing_valid_until
        fields += ["filing_number", "valid_until"]
    elif current.kind == K.RENEWAL:
        org = registry_services.organization_renew_filing(organization=org, renewed_on=on, by=by)
        current.filing_number, current.valid_until = org.filing_number or "", org.filing_valid_until
        fields += ["filing_number", "valid_until"]
    elif current.kind == K.CHANGE:
        data = {field: change["after"] for field, change in current.changes.items()}
        registry_services.organization_update(organization=org, data=data, by=by)
    else:
        registry_services.organization_dissolve(
            organization=org, reason=current.statement, on=current.effective_on or on, by=by
        )
    current.decided_at, current.decided_by, current.decision_note = at, by, (note or "").strip()
    _finish(current, action, level=LEVEL.SUBDISTRICT, note=current.decision_note, by=by, at=at, fields=fields)
    if current.kind == K.INITIAL:
        cases.case_filing_approved(organization=org, by=by)
    return current


@transaction.atomic
def filing_refuse(
    *, filing: Filing, reason: str, by: User, at: dt.datetime | None = None, seen: Seen | None = None
) -> Filing:
    """The subdistrict refuses the request with a written reason; the applicant may submit anew."""
    current, action = _begin(filing, "refuse", by=by, seen=seen)
    reason = _required_reason(reason, _("Give the reason for refusing, in writing: the applicant will read it."))
    at = _when(at, current)
    current.decided_at, current.decided_by, current.decision_note = at, by, reason
    _finish(
        current,
        action,
        level=LEVEL.SUBDISTRICT,
        note=reason,
        by=by,
        at=at,
        fields=["decided_at", "decided_by", "decision_note"],
    )
    if current.kind == K.INITIAL:
        cases.case_filing_refused(organization=current.organization, by=by)
    return current
