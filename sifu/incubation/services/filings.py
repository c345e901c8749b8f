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

Docs: domain.md §2.4 (materials, 7 days, 3 years, written reasons), issue #3 point 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Seen, Workflow
from sifu.incubation import checklist
from sifu.incubation.models import Filing, FilingDocument, FilingEvent
from sifu.incubation.services import cases
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry_services
from sifu.registry.models import Organization

S = Filing.Status
K = Filing.Kind
A = FilingEvent.Action
LEVEL = FilingEvent.Level
OrgStatus = Organization.Status
Legal = Organization.LegalStatus

# Profile fields a change request (变更) may ask for; the rest of the profile is the organization's own.
CHANGE_FIELDS = ("name", "form", "category", "guiding_unit", "venue", "venue_kind", "purpose", "service_scope")

MAX_DOCUMENTS = 10

# The first bytes of each accepted file type, so a renamed or damaged file is refused with a reason.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}


def _separation(filing: Filing, user: Any) -> str | None:
    """Whoever did the community check does not also decide (separation of duties)."""
    # Four eyes: a person who checked a request does not also decide it (the system actor is no person).
    if user is None or user.is_system:  # asked about the state alone; the system actor is no person
        return None
    if filing.prechecked_by_id is not None and filing.prechecked_by_id == user.pk:
        return _("You did the community check of this request, so someone else at the subdistrict decides it.")
    return None


def _applicant_withdraws(filing: Filing, user: Any) -> str | None:
    """Staff who check or decide a request withdraw it only if they submitted it (as its incubator);
    otherwise they return or refuse it."""
    if user is None or user.is_system or filing.submitted_by_id == user.pk:
        return None
    if user.has_perm(Perm.FILING_PRECHECK, filing) or user.has_perm(Perm.FILING_DECIDE, filing):
        return _("You check or decide this request: return or refuse it; the applicant withdraws it.")
    return None


def _return_perm(filing: Filing) -> str:
    """A return is the community's while it awaits their check, the subdistrict's after it."""
    return Perm.FILING_DECIDE if filing.status == S.PRECHECKED else Perm.FILING_PRECHECK


def _cannot(filing: Filing, action: Action) -> str:
    return _("This request is “%(status)s”: it cannot be %(step)s now.") % {
        "status": filing.get_status_display(),
        "step": _step_word(action.name),
    }


# The steps of a request; each also writes a FilingEvent (``EVENTS``) besides its history version.
FILING_FLOW = Workflow(
    model=Filing,
    field="status",
    markers=("round",),
    actions=[
        Action(
            "precheck",
            gettext_lazy("Pass the check"),
            sources={S.SUBMITTED},
            target=S.PRECHECKED,
            perm=Perm.FILING_PRECHECK,
            history="incubation.filing.prechecked",
        ),
        Action(
            "return",
            gettext_lazy("Return to the applicant"),
            sources={S.SUBMITTED, S.PRECHECKED},
            target=S.RETURNED,
            perm=_return_perm,
            history="incubation.filing.returned",
        ),
        Action(
            "resubmit",
            gettext_lazy("Fix and resubmit"),
            sources={S.RETURNED},
            target=S.SUBMITTED,
            perm=Perm.FILING_SUBMIT,
            history="incubation.filing.resubmitted",
        ),
        Action(
            "approve",
            gettext_lazy("Approve"),
            sources={S.PRECHECKED},
            target=S.APPROVED,
            perm=Perm.FILING_DECIDE,
            history="incubation.filing.approved",
            guards=[_separation],
        ),
        Action(
            "refuse",
            gettext_lazy("Refuse"),
            sources={S.SUBMITTED, S.PRECHECKED},
            target=S.REFUSED,
            perm=Perm.FILING_DECIDE,
            history="incubation.filing.refused",
            guards=[_separation],
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw the request"),
            sources=Filing.OPEN_STATUSES,
            target=S.WITHDRAWN,
            perm=Perm.FILING_SUBMIT,
            history="incubation.filing.withdrawn",
            guards=[_applicant_withdraws],
        ),
    ],
    state_message=_cannot,
    stale_message=lambda filing: (
        _("Someone else decided this request meanwhile: it is now “%(status)s”. Reload the page to see it.")
        % {"status": filing.get_status_display()}
    ),
    denied=lambda filing: _("You cannot do this for the request of %(org)s.") % {"org": filing.organization},
)

# The event each step writes in the request's own log.
EVENTS: dict[str, str] = {
    "precheck": A.PRECHECK_PASSED,
    "return": A.RETURNED,
    "resubmit": A.RESUBMITTED,
    "approve": A.APPROVED,
    "refuse": A.REFUSED,
    "withdraw": A.WITHDRAWN,
}


# Rules ----------------------------------------------------------------------------------------


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


def _when(at: dt.datetime | None, filing: Filing | None = None) -> dt.datetime:
    """The moment of a step: now by default, never in the future nor before the previous step."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValueError("filing services take aware datetimes")
    if at > now:
        raise ValidationError(_("A step of a filing request cannot be dated in the future."))
    if filing is not None:
        previous = max(d for d in (filing.submitted_at, filing.prechecked_at, filing.decided_at) if d)
        if at < previous:
            raise ValidationError(
                _("This step cannot be dated before the request's previous step (%(when)s).")
                % {"when": timezone.localtime(previous).strftime("%Y-%m-%d %H:%M")}
            )
    return at


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


def _looks_like(upload: UploadedFile, extension: str) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return any(head.startswith(signature) for signature in _SIGNATURES.get(extension, ()))


def document_problems(documents: Iterable[tuple[str, UploadedFile]], *, required: Iterable[str] = ()) -> list[str]:
    """Every problem with the attached files, each naming the file: type, emptiness, size, content;
    then the required documents that are missing. Empty when the files can be stored."""
    documents = list(documents)
    limit = settings.SIFU_MAX_UPLOAD_BYTES
    problems: list[str] = []
    if len(documents) > MAX_DOCUMENTS:
        problems.append(
            _("Attach at most %(max)d files at once; you attached %(count)d.")
            % {"max": MAX_DOCUMENTS, "count": len(documents)}
        )
    for kind, upload in documents:
        name = upload.name or "?"
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if kind not in FilingDocument.Kind.values:
            problems.append(_("“%(name)s”: unknown kind of document.") % {"name": name})
        elif extension not in FilingDocument.EXTENSIONS:
            problems.append(
                _("“%(name)s” is not an accepted file type: attach PDF, Word, Excel or image files (%(types)s).")
                % {"name": name, "types": ", ".join(FilingDocument.EXTENSIONS)}
            )
        elif not upload.size:
            problems.append(_("“%(name)s” is empty.") % {"name": name})
        elif upload.size > limit:
            problems.append(
                _(
                    "“%(name)s” is %(size)s; files up to %(limit)s are accepted. "
                    "Scan at a lower resolution or save it as PDF."
                )
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        elif not _looks_like(upload, extension):
            problems.append(
                _("“%(name)s” does not look like a .%(ext)s file: it may be damaged or wrongly named.")
                % {"name": name, "ext": extension}
            )
    attached = {kind for kind, _upload in documents}
    missing = [str(FilingDocument.Kind(kind).label) for kind in required if kind not in attached]
    if missing:
        problems.append(_("Attach the required documents: %(list)s.") % {"list": "; ".join(missing)})
    return problems


def _store_documents(
    filing: Filing, documents: list[tuple[str, UploadedFile]], *, by: User, at: dt.datetime
) -> list[FilingDocument]:
    """Store the uploads and their rows. Called as a service's last step, so nothing refused afterwards
    leaves files behind; if storing itself fails, the files stored so far are removed again."""
    stored: list[FilingDocument] = []
    try:
        for kind, upload in documents:
            extension = PurePosixPath(upload.name or "").suffix.lower()
            doc = FilingDocument(
                filing=filing,
                kind=kind,
                original_name=(upload.name or "")[:200],
                size=upload.size or 0,
                round=filing.round,
                uploaded_by=by,
                uploaded_at=at,
            )
            # Stored under a plain name (the kind); the name the applicant gave is kept for downloads.
            doc.file.save(f"{kind}{extension}", upload, save=False)
            stored.append(doc)
            doc.save()
    except BaseException:
        for doc in stored:
            doc.file.delete(save=False)
        raise
    return stored


def _save(filing: Filing, *, action: str, by: User, at: dt.datetime, fields: list[str] | None = None) -> None:
    filing._history_date = at  # type: ignore[attr-defined]
    save_with_history(filing, action=action, by=by, update_fields=fields)


def _event(filing: Filing, action: str, level: str, *, note: str, by: User, at: dt.datetime) -> FilingEvent:
    return FilingEvent.objects.create(
        filing=filing, action=action, level=level, round=filing.round, note=note, by=by, at=at
    )


def _begin(filing: Filing, step: str, *, by: User, seen: Seen | None) -> tuple[Filing, Action]:
    """The request re-read under a lock, then checked by ``FILING_FLOW``: permission (picked from
    the state the page showed, before anything is revealed), that state and round (``seen``, else
    the caller's copy: of two staff deciding at once the second is told instead of overriding the
    first), the step, its guards."""
    current = Filing.objects.select_for_update(of=("self",)).select_related("organization__community").get(pk=filing.pk)
    return current, FILING_FLOW.check(current, step, by, seen=seen or filing)


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    """Add a ValidationError's messages to ``errors`` (by field; the rest under NON_FIELD_ERRORS)."""
    items = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in items.items():
        errors.setdefault(field, []).extend(messages)


def _step_word(step: str) -> str:
    return {
        "precheck": _("passed by the community"),
        "return": _("returned"),
        "resubmit": _("resubmitted"),
        "approve": _("approved (the community check comes first)"),
        "refuse": _("refused"),
        "withdraw": _("withdrawn"),
    }[step]


def _finish(
    filing: Filing,
    action: Action,
    *,
    level: str,
    note: str,
    by: User,
    at: dt.datetime,
    fields: list[str],
) -> Filing:
    moved = FILING_FLOW.move(filing, action)
    _save(filing, action=action.history, by=by, at=at, fields=[*moved, *fields])
    _event(filing, EVENTS[action.name], level, note=note, by=by, at=at)
    return filing


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


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
