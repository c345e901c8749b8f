"""Office pages of the filing workflow (备案): the review queue, a request with its steps and the
decisions the viewer may take, a new request for an organization, a resubmission, and document
downloads (through a scoped view, never a public media URL).

Reads go through ``incubation.selectors``, writes through ``services.filings``; requests are fetched
with ``get_filing_for_user`` (404 outside scope, 403 without the permission). A decision posts back
the status and round the page showed (``{% seen_fields filing %}``; ``FILING_FLOW.posted``), so a
decision made on a stale page, or posted without them, is refused with the reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.core.forms import add_service_error
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.incubation import selectors
from sifu.incubation.checklist import incubation_checklist
from sifu.incubation.forms.filings import (
    ApproveForm,
    FilingFilterForm,
    FilingRequestForm,
    NoteForm,
    RefuseForm,
    ReturnForm,
)
from sifu.incubation.models import Filing, FilingDocument
from sifu.incubation.permissions import get_filing_document_for_user, get_filing_for_user
from sifu.incubation.services import filings as services
from sifu.incubation.services.cases import case_filing_problem
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization
from sifu.registry.permissions import get_organization_for_user

S = Filing.Status
K = Filing.Kind


# Queue ----------------------------------------------------------------------------------------


@office_view(Perm.FILING_VIEW)
def filing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = FilingFilterForm(request.GET or None, user=user)
    filters = form.filters
    today = timezone.localdate()
    counts = selectors.filing_tab_counts(user, filters, today)
    tab = request.GET.get("tab")
    if tab not in selectors.FILING_TABS:
        tab = selectors.default_tab(user, counts)
    queue = selectors.filing_queue(user, tab, filters, today)
    page = Paginator(queue, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for filing in page.object_list:
        filing.overdue = filing.is_overdue(today)  # type: ignore[attr-defined]  # for the template
    base = query_without(request, "page", "tab")
    tabs = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "url": f"?tab={key}" + (f"&{base}" if base else ""),
            "current": key == tab,
        }
        for key, label in selectors.FILING_TABS.items()
    ]
    context = {
        "form": form,
        "page": page,
        "page_query": query_without(request, "page"),
        "filtered": bool(filters),
        "tab": tab,
        "tabs": tabs,
        "today": today,
    }
    return render(request, "incubation/filing_list.html", context)


# Detail and decisions -------------------------------------------------------------------------


def _change_rows(filing: Filing) -> list[dict[str, Any]]:
    """The requested changes as the page shows them: field label, before → after (choices by label)."""
    rows = []
    for name, change in (filing.changes or {}).items():
        field = Organization._meta.get_field(name)
        assert isinstance(field, models.Field)
        labels = dict(field.flatchoices) if field.choices else {}
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "before": labels.get(change.get("before"), change.get("before")),
                "after": labels.get(change.get("after"), change.get("after")),
            }
        )
    return rows


def _render_detail(
    request: HttpRequest, filing: Filing, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    today = timezone.localdate()
    can = services.FILING_FLOW.allowed_actions(filing, user)
    # A decision the separation of duties keeps from this user is said on the page.
    blocked = services.FILING_FLOW.blocked_actions(filing, user)
    approve_form = forms.get("approve")
    if approve_form is None and can["approve"]:
        initial = (
            {"filing_number": registry_selectors.suggest_filing_number(today.year)} if filing.kind == K.INITIAL else {}
        )
        approve_form = ApproveForm(initial=initial)
    context = {
        "filing": filing,
        "organization": filing.organization,
        "overdue": filing.is_overdue(today),
        "can": can,
        "any_action": bool(can),
        "checked_it": "approve" in blocked,
        "changes": _change_rows(filing),
        "events": selectors.filing_events(filing),
        "rounds": selectors.filing_documents_by_round(filing),
        "precheck_form": forms.get("precheck") or NoteForm(prefix="precheck"),
        "return_form": forms.get("return") or ReturnForm(prefix="return"),
        "refuse_form": forms.get("refuse") or RefuseForm(prefix="refuse"),
        "approve_form": approve_form,
        "errors": forms.get("errors", []),
    }
    return render(request, "incubation/filing_detail.html", context, status=status)


@office_view()
def filing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_filing_for_user(request.user, pk, Perm.FILING_VIEW))


def _refused(request: HttpRequest, pk: int, exc: ValidationError, **forms: Any) -> HttpResponse:
    """Show a refusal on the request's page, as stored now; nothing was saved."""
    filing = get_filing_for_user(request.user, pk, Perm.FILING_VIEW)
    return _render_detail(request, filing, {**forms, "errors": exc.messages}, status=400)


def _done(request: HttpRequest, filing: Filing, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("incubation:filing-detail", filing.pk)


@office_view(methods=("POST",))
def filing_precheck(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = get_filing_for_user(request.user, pk, Perm.FILING_PRECHECK)
    form = NoteForm(request.POST, prefix="precheck")
    form.is_valid()
    try:
        filing = services.filing_precheck_pass(
            filing=filing,
            note=form.cleaned_data.get("note", ""),
            seen=services.FILING_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, pk, exc, precheck=form)
    return _done(
        request,
        filing,
        _("The community check passed: the request goes to the subdistrict, which decides by %(date)s.")
        % {"date": filing.due_on.isoformat()},
    )


@office_view(methods=("POST",))
def filing_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = get_filing_for_user(request.user, pk, Perm.FILING_VIEW)
    if not (request.user.has_perm(Perm.FILING_PRECHECK, filing) or request.user.has_perm(Perm.FILING_DECIDE, filing)):
        raise PermissionDenied  # who may return depends on the state the page showed: the service decides
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Say what the applicant has to fix.")), **{"return": form})
    try:
        services.filing_return(
            filing=filing,
            reason=form.cleaned_data["reason"],
            seen=services.FILING_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, pk, exc, **{"return": form})
    return _done(request, filing, _("The request was returned to the applicant with your reason."))


def _approved_message(filing: Filing) -> str:
    org = filing.organization
    if filing.kind == K.INITIAL:
        return _("Approved: %(org)s is filed as %(number)s, valid until %(date)s.") % {
            "org": org,
            "number": filing.filing_number,
            "date": filing.valid_until.isoformat() if filing.valid_until else "—",
        }
    if filing.kind == K.RENEWAL:
        return _("Approved: the filing of %(org)s is now valid until %(date)s.") % {
            "org": org,
            "date": filing.valid_until.isoformat() if filing.valid_until else "—",
        }
    if filing.kind == K.CHANGE:
        return _("Approved: the profile of %(org)s was changed as requested.") % {"org": org}
    return _("Approved: %(org)s is deregistered.") % {"org": org}


@office_view(methods=("POST",))
def filing_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = get_filing_for_user(request.user, pk, Perm.FILING_DECIDE)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the filing number.")), approve=form)
    try:
        filing = services.filing_approve(
            filing=filing,
            seen=services.FILING_FLOW.posted(request.POST),
            filing_number=form.cleaned_data["filing_number"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, pk, exc, approve=form)
    return _done(request, filing, _approved_message(filing))


@office_view(methods=("POST",))
def filing_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = get_filing_for_user(request.user, pk, Perm.FILING_DECIDE)
    form = RefuseForm(request.POST, prefix="refuse")
    if not form.is_valid():
        return _refused(
            request, pk, ValidationError(_("Give the reason for refusing: the applicant will read it.")), refuse=form
        )
    try:
        services.filing_refuse(
            filing=filing,
            reason=form.cleaned_data["reason"],
            seen=services.FILING_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, pk, exc, refuse=form)
    return _done(request, filing, _("The request was refused; the applicant can read your reason."))


@office_view(methods=("POST",))
def filing_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = get_filing_for_user(request.user, pk, Perm.FILING_SUBMIT)
    try:
        services.filing_withdraw(filing=filing, seen=services.FILING_FLOW.posted(request.POST), by=request.user)
    except ValidationError as exc:
        return _refused(request, pk, exc)
    return _done(request, filing, _("The request was withdrawn."))


@office_view(Perm.FILING_VIEW)
def filing_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A document of a request, as a download, for users who may see the request.

    403 for users who may see no request at all, 404 outside their scope (or when the file is gone).
    """
    doc = get_filing_document_for_user(request.user, pk)
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=doc.original_name or doc.file.name or "")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# New request and resubmission -------------------------------------------------------------------


def _kind_choices(org: Organization, today: Any) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": label, "problem": services.kind_problem(org, kind, today)} for kind, label in K.choices
    ]


@office_view(methods=("GET", "POST"))
def filing_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_organization_for_user(user, pk, Perm.FILING_SUBMIT)
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    if kind not in K.values:
        if request.method == "POST":
            raise Http404
        context = {"organization": org, "kinds": _kind_choices(org, today), "kind": None}
        return render(request, "incubation/filing_form.html", context)
    form = FilingRequestForm(request.POST or None, request.FILES or None, organization=org, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.filing_submit(organization=org, kind=kind, by=user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The request was submitted: the community checks it, then the subdistrict decides by %(date)s.")
                % {"date": filing.due_on.isoformat()},
            )
            return redirect("incubation:filing-detail", filing.pk)
    current = selectors.organization_filing(org)
    checklist = incubation_checklist(org, today) if kind == K.INITIAL else None
    context = {
        "organization": org,
        "kind": kind,
        "kind_label": K(kind).label,
        "form": form,
        "problem": services.kind_problem(org, kind, today) or (case_filing_problem(org) if kind == K.INITIAL else None),
        "open_filing": current if current is not None and current.is_open else None,
        "checklist": checklist,
        "checklist_missing": [item for item in checklist or [] if not item.ok],
        "filing_warning": registry_selectors.filing_warning(org, today),
        "required_documents": [label for _value, label in _required_labels(kind)],
    }
    return render(request, "incubation/filing_form.html", context)


def _required_labels(kind: str) -> list[tuple[str, str]]:
    return [(value, str(FilingDocument.Kind(value).label)) for value in FilingDocument.REQUIRED[kind]]


@office_view(methods=("GET", "POST"))
def filing_resubmit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    filing = get_filing_for_user(user, pk, Perm.FILING_SUBMIT)
    org = filing.organization
    form = FilingRequestForm(
        request.POST or None, request.FILES or None, organization=org, kind=filing.kind, filing=filing
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            filing = services.filing_resubmit(
                filing=filing,
                seen=services.FILING_FLOW.posted(request.POST),
                statement=kwargs["statement"],
                changes=kwargs.get("changes"),
                effective_on=kwargs.get("effective_on"),
                documents=kwargs["documents"],
                by=user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            filing = get_filing_for_user(user, pk, Perm.FILING_SUBMIT)
        else:
            messages.success(
                request,
                _("The request was resubmitted (round %(round)d): the community checks it again.")
                % {"round": filing.round},
            )
            return redirect("incubation:filing-detail", filing.pk)
    context = {
        "filing": filing,
        "organization": org,
        "kind": filing.kind,
        "kind_label": filing.get_kind_display(),
        "form": form,
        "resubmitting": True,
        "returned": filing.status == S.RETURNED,
        "last_reason": filing.decision_note,
    }
    return render(request, "incubation/filing_form.html", context)


urls = [
    path("office/filings/", filing_list, name="filing-list"),
    path("office/filings/<int:pk>/", filing_detail, name="filing-detail"),
    path("office/filings/<int:pk>/precheck/", filing_precheck, name="filing-precheck"),
    path("office/filings/<int:pk>/return/", filing_return, name="filing-return"),
    path("office/filings/<int:pk>/approve/", filing_approve, name="filing-approve"),
    path("office/filings/<int:pk>/refuse/", filing_refuse, name="filing-refuse"),
    path("office/filings/<int:pk>/withdraw/", filing_withdraw, name="filing-withdraw"),
    path("office/filings/<int:pk>/resubmit/", filing_resubmit, name="filing-resubmit"),
    path("office/filings/documents/<int:pk>/", filing_document, name="filing-document"),
    path("office/organizations/<int:pk>/filings/new/", filing_create, name="filing-create"),
]
