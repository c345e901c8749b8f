"""The filing workflow's table (``FILING_FLOW``, its guards and the event each step writes) and the
mechanics every step shares: the moment of a step, locking and checking, saving with history.
Part of ``services.filings`` (which re-exports the public names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.accounts.models import User
from sifu.core.history import save_with_history
from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Seen, Workflow
from sifu.incubation.models import Filing, FilingEvent

S = Filing.Status
A = FilingEvent.Action


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
