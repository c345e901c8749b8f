"""Writes for the filing workflow (备案): submission, the community's check (初审), the subdistrict's
review (审核), returns and resubmissions, withdrawal. Views and the demo call these only.

One kind of request serves the first filing, its renewal (续期), changes (变更) and deregistration
(注销). Approval applies the request to the registry through its services (``organization_file``,
``organization_renew_filing``, ``organization_update``, ``organization_dissolve``); if the registry
refuses, nothing at all is saved.

Every step locks the request's row and compares it with the state the caller saw (status and
round): when two staff decide the same request at once, exactly one wins and the other is told.
Each step is a ``FilingEvent`` and a history version with a dotted action code
(``incubation.filing.<step>``). Each service takes ``at`` (default now, never in the future, never
before the request's previous step) so the demo can record steps in the past.

The module is split by topic, its names re-exported here: ``filing_flow`` (the workflow and
the steps' shared mechanics), ``filing_changes`` (what a request may ask for), ``filing_documents``
(the uploads), ``filing_decisions`` (the community's check and the subdistrict's decisions); this
module keeps submission, resubmission and withdrawal.

Docs: domain.md §2.4 (materials, 7 days, 3 years, written reasons), issue #3 point 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.permissions import Perm
from sifu.core.workflow import Seen
from sifu.incubation import checklist
from sifu.incubation.models import Filing, FilingDocument, FilingEvent
from sifu.incubation.services import cases
from sifu.incubation.services.filing_changes import (
    CHANGE_FIELDS,
    _check_deregistration,
    _clean_changes,
    kind_problem,
    offered_kinds,
)
from sifu.incubation.services.filing_decisions import filing_approve, filing_precheck_pass, filing_refuse, filing_return
from sifu.incubation.services.filing_documents import MAX_DOCUMENTS, _store_documents, document_problems
from sifu.incubation.services.filing_flow import (
    EVENTS,
    FILING_FLOW,
    _begin,
    _event,
    _finish,
    _merge,
    _save,
    _when,
)
from sifu.registry import services as registry_services
from sifu.registry.models import Organization

S = Filing.Status
K = Filing.Kind
A = FilingEvent.Action
LEVEL = FilingEvent.Level

__all__ = [
    "CHANGE_FIELDS",
    "EVENTS",
    "FILING_FLOW",
    "MAX_DOCUMENTS",
    "document_problems",
    "filing_approve",
    "filing_precheck_pass",
    "filing_refuse",
    "filing_resubmit",
    "filing_return",
    "filing_submit",
    "filing_withdraw",
    "kind_problem",
    "offered_kinds",
]


# Services -------------------------------------------------------------------------------------


@transaction.atomic
def filing_submit(
    *,
    organization: Organization,
    kind: str,
    statement: str = "",
    changes: Mapping[str, Any] | None = None,
    effective_on: dt.date | None = None,
    documents: Iterable[tuple[str, UploadedFile]] = (),
    by: User,
    at: dt.datetime | None = None,
) -> Filing:
    """Submit a request of ``kind`` with its documents; it waits for the community's check.

    Refused (nothing saved) when the organization's state does not allow the kind, when it
    already has an open request, when a first filing's checklist is incomplete, or when a
    document is missing, of the wrong type, too large or damaged; every problem is listed.
    """
    if kind not in K.values:
        raise ValidationError(_("Unknown kind of request."))
    org = registry_services.organization_lock(organization)
    if not by.has_perm(Perm.FILING_SUBMIT, org):
        raise PermissionDenied(_("You cannot submit filing requests for %(org)s.") % {"org": org})
    at = _when(at)
    on = timezone.localdate(at)
    problem = kind_problem(org, kind, on)
    if problem:
        raise ValidationError(problem, code="kind")
    open_request = Filing.objects.open().filter(organization=org).first()
    if open_request is not None:
        raise ValidationError(
            _("%(org)s already has a request in progress (%(kind)s, “%(status)s”): finish or withdraw it first.")
            % {"org": org, "kind": open_request.get_kind_display(), "status": open_request.get_status_display()},
            code="open_request",
        )
    errors: dict[str, list[str]] = {}
    if kind == K.INITIAL:
        case_problem = cases.case_filing_problem(org)  # asked first: nothing (no file) is stored if it refuses
        if case_problem:
            raise ValidationError(case_problem, code="case")
        missing = checklist.missing(org, on)
        if missing:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Cannot submit the filing yet. Still missing: %(items)s.") % {"items": "; ".join(missing)}
            )
    statement = (statement or "").strip()
    stored_changes: dict[str, dict[str, str]] = {}
    if kind == K.CHANGE:
        try:
            stored_changes = _clean_changes(org, changes or {})
        except ValidationError as exc:
            _merge(errors, exc)
    elif changes:
        raise ValidationError(_("Only a change request lists changes."))
    if kind == K.DEREGISTRATION:
        _check_deregistration(org, statement, effective_on, on, errors)
    else:
        effective_on = None
    documents = list(documents)
    problems = document_problems(documents, required=FilingDocument.REQUIRED[kind])
    if problems:
        errors.setdefault(NON_FIELD_ERRORS, []).extend(problems)
    if errors:
        raise ValidationError(errors)

    filing = Filing(
        organization=org,
        kind=kind,
        status=S.SUBMITTED,
        round=1,
        statement=statement,
        changes=stored_changes,
        effective_on=effective_on,
        submitted_at=at,
        submitted_by=by,
        due_on=on + dt.timedelta(days=Filing.REVIEW_DAYS),
        created_at=at,
    )
    try:
        with transaction.atomic():
            _save(filing, action="incubation.filing.submitted", by=by, at=at)
    except IntegrityError as exc:  # the one-open-request constraint, hit by a simultaneous submission
        raise ValidationError(
            _("Someone else submitted a request for %(org)s at the same moment; reload the page to see it.")
            % {"org": org},
            code="open_request",
        ) from exc
    _event(filing, A.SUBMITTED, LEVEL.APPLICANT, note=statement, by=by, at=at)
    if kind == K.INITIAL:
        cases.case_filing_submitted(organization=org, by=by)
    _store_documents(filing, documents, by=by, at=at)  # last: a refusal above leaves no file behind
    return filing


@transaction.atomic
def filing_resubmit(
    *,
    filing: Filing,
    statement: str | None = None,
    changes: Mapping[str, Any] | None = None,
    effective_on: dt.date | None = None,
    documents: Iterable[tuple[str, UploadedFile]] = (),
    by: User,
    at: dt.datetime | None = None,
    seen: Seen | None = None,
) -> Filing:
    """The applicant fixes a returned request and sends it again: a new round, a new due date.

    ``statement``, ``changes`` and ``effective_on`` replace the earlier ones when given (None
    keeps them); ``documents`` are added to those already attached, none is replaced or deleted.
    """
    current, action = _begin(filing, "resubmit", by=by, seen=seen)
    at = _when(at, current)
    on = timezone.localdate(at)
    org = current.organization
    errors: dict[str, list[str]] = {}
    if statement is not None:
        current.statement = statement.strip()
    if current.kind == K.CHANGE and changes is not None:
        try:
            current.changes = _clean_changes(org, changes)
        except ValidationError as exc:
            _merge(errors, exc)
    elif changes:
        raise ValidationError(_("Only a change request lists changes."))
    if current.kind == K.DEREGISTRATION:
        if effective_on is not None:
            current.effective_on = effective_on
        _check_deregistration(org, current.statement, current.effective_on, on, errors)
    documents = list(documents)
    problems = document_problems(documents)
    if problems:
        errors.setdefault(NON_FIELD_ERRORS, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    current.round += 1
    current.submitted_at, current.submitted_by = at, by
    current.due_on = on + dt.timedelta(days=Filing.REVIEW_DAYS)
    current.prechecked_at = current.prechecked_by = None
    current.decision_note = ""
    fields = ["round", "statement", "changes", "effective_on", "submitted_at", "submitted_by", "due_on"]
    fields += ["prechecked_at", "prechecked_by", "decision_note"]
    _finish(current, action, level=LEVEL.APPLICANT, note=current.statement, by=by, at=at, fields=fields)
    _store_documents(current, documents, by=by, at=at)
    return current


@transaction.atomic
def filing_withdraw(*, filing: Filing, by: User, at: dt.datetime | None = None, seen: Seen | None = None) -> Filing:
    """The applicant withdraws an open request (撤回); staff who check or decide it return or refuse
    it instead, unless they submitted it themselves."""
    current, action = _begin(filing, "withdraw", by=by, seen=seen)
    at = _when(at, current)
    current.decided_at, current.decided_by = at, by
    _finish(current, action, level=LEVEL.APPLICANT, note="", by=by, at=at, fields=["decided_at", "decided_by"])
    if current.kind == K.INITIAL:
        cases.case_filing_refused(organization=current.organization, by=by)
    return current
