"""Office pages for incubation cases (孵化): the list by stage, opening a case, the case page with its
stepper, filing checklist, candidate leaders, coaching notes and filings, and the case's actions.

Reads go through ``incubation.selectors``, writes through ``incubation.services.cases``; cases are
fetched with ``get_case_for_user`` (404 outside scope, 403 without the permission). A refused step
re-draws the case page with the reason (status 400) and saves nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.forms import add_service_error
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.incubation import selectors
from sifu.incubation.checklist import incubation_checklist
from sifu.incubation.forms import (
    CaseCloseForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseStartForm,
    CoachingNoteForm,
    NeedPickForm,
)
from sifu.incubation.models import Filing, IncubationCase, Need
from sifu.incubation.permissions import get_case_for_user, get_need_for_user
from sifu.incubation.services import cases as services
from sifu.registry.models import Organization

Stage = IncubationCase.Stage

# Where each checklist item is put right in the registry: (URL name, anchor, permission needed).
FIX_LINKS: dict[str, tuple[str, str, str]] = {
    "name": ("registry:organization-edit", "#id_name", Perm.ORG_CHANGE),
    "venue": ("registry:organization-edit", "#id_venue", Perm.ORG_CHANGE),
    "charter": ("registry:organization-edit", "#id_charter_file", Perm.ORG_CHANGE),
    "party_clause": ("registry:organization-edit", "#id_party_clause_in_charter", Perm.ORG_CHANGE),
    "election_rules": ("registry:organization-edit", "#id_election_rules_adopted", Perm.ORG_CHANGE),
    "deliberation_rules": ("registry:organization-edit", "#id_deliberation_rules_adopted", Perm.ORG_CHANGE),
    "initiators": ("registry:membership-add", "", Perm.MEMBERS_CHANGE),
    "members": ("registry:membership-add", "", Perm.MEMBERS_CHANGE),
    "party_members": ("registry:organization-members", "", Perm.MEMBERS_CHANGE),
    "leader": ("registry:organization-leader", "", Perm.MEMBERS_CHANGE),
}
FIX_LABELS = {
    "registry:organization-edit": gettext_lazy("Edit the profile"),
    "registry:membership-add": gettext_lazy("Add members"),
    "registry:organization-members": gettext_lazy("Members"),
    "registry:organization-leader": gettext_lazy("Choose the leader"),
}


def _url(name: str, *args: Any, query: str = "") -> str:
    return reverse(name, args=args) + query


# List ----------------------------------------------------------------------------------------------


@office_view(Perm.CASES_VIEW)
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    filters = form.filters
    counts = selectors.case_stage_counts(user, filters)
    page = Paginator(selectors.case_list(user, filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    base = query_without(request, "stage", "page")
    current = filters.get("stage", "")
    tabs = [{"stage": "", "label": _("All"), "count": counts["all"]}] + [
        {"stage": value, "label": label, "count": counts[value]} for value, label in Stage.choices
    ]
    for tab in tabs:
        query = "&".join(q for q in (base, f"stage={tab['stage']}" if tab["stage"] else "") if q)
        tab["url"] = f"?{query}" if query else "?"
        tab["current"] = tab["stage"] == current
    context = {
        "form": form,
        "page": page,
        "page_query": query_without(request, "page"),
        "tabs": tabs,
        "filtered": bool({k: v for k, v in filters.items() if k != "stage"}),
        "stage": current,
        "can_create": user.has_perm(Perm.CASES_CHANGE),
    }
    return render(request, "incubation/case_list.html", context)


# Opening -------------------------------------------------------------------------------------------


def _suggested_name(need: Need) -> str:
    """A starting point for the organization's name: the community, who has the need, 互助会."""
    place = re.sub(r"(社区|村)$", "", need.community.name)
    who = need.affected_group or need.title
    return f"{place}{who}互助会"[:80]


@office_view(Perm.CASES_CHANGE, methods=("GET", "POST"))
def case_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {
        "opened_on": timezone.localdate(),
        "form": Organization.Form.SOCIETY,
        "nature": Organization.Nature.ASSOCIATION,
        "incubator_kind": IncubationCase.Incubator.ENERGY_STATION,
    }
    community_id = None
    need = None
    if request.method == "GET":
        if request.GET.get("need", "").isdigit():
            need = get_need_for_user(user, int(request.GET["need"]), Perm.NEEDS_VIEW)
            community_id = need.community_id
            initial.update(
                community=need.community_id, category=need.category, needs=[need.pk], name=_suggested_name(need)
            )
        elif request.GET.get("community", "").isdigit():
            community_id = int(request.GET["community"])
            initial["community"] = community_id
    form = CaseOpenForm(request.POST or None, user=user, initial=initial, community_id=community_id)
    # Choosing a community redraws the needs it offers (htmx); without scripts the service checks the match.
    form.fields["community"].widget.attrs.update(
        {
            "hx-get": reverse("incubation:case-create"),
            "hx-trigger": "change",
            "hx-target": "#case-needs",
            "hx-select": "#case-needs",
            "hx-swap": "outerHTML",
        }
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                community=data["community"],
                name=data["name"],
                form=data["form"],
                nature=data["nature"],
                category=data["category"],
                needs=list(data["needs"]),
                incubator_kind=data["incubator_kind"],
                incubator_name=data["incubator_name"],
                mentor=data["mentor"],
                opened_on=data["opened_on"],
                by=user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The case was opened: %(name)s is now in the registry as a proposed organization.")
                % {"name": case.organization.name},
            )
            return redirect("incubation:case-detail", case.pk)
    form.offer_needs()
    status = 400 if request.method == "POST" else 200
    return render(request, "incubation/case_form.html", {"form": form, "need": need}, status=status)


# The case page -------------------------------------------------------------------------------------


def _checklist(request: HttpRequest, case: IncubationCase) -> list[dict[str, Any]]:
    """The filing checklist, each unmet item with a link to where it is put right (for those who may,
    and not on a closed case: its organization is dissolved)."""
    user = request.user
    organization = case.organization
    rows = []
    for item in incubation_checklist(organization, timezone.localdate()):
        fix = None
        if not item.ok and item.code in FIX_LINKS and case.stage != Stage.CLOSED:
            name, anchor, perm = FIX_LINKS[item.code]
            url = _url(name, organization.pk)
            if url and user.has_perm(perm, organization):
                fix = {"url": url + anchor, "label": FIX_LABELS[name]}
        rows.append({"item": item, "fix": fix})
    return rows


def _render_detail(
    request: HttpRequest, case: IncubationCase, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    organization = case.organization
    actions = services.CASE_FLOW.allowed_actions(case, user)
    checklist = _checklist(request, case)
    missing = [row for row in checklist if not row["item"].ok]
    filings = selectors.case_filings(case)
    open_filing = next((f for f in filings if f.status in Filing.OPEN_STATUSES), None)
    need_q = request.GET.get("need_q", "").strip()
    today = timezone.localdate()
    context = {
        "case": case,
        "organization": organization,
        "steps": selectors.case_steps(case, filings),
        "checklist": checklist,
        "missing": missing,
        "needs": selectors.case_needs(case),
        "notes": selectors.case_notes(case),
        "candidates": selectors.case_candidates(case),
        "candidate_list_url": _url("incubation:candidate-list", organization.pk),
        "filings": filings,
        "open_filing": open_filing,
        "filing_create_url": _url("incubation:filing-create", organization.pk, query="?kind=initial"),
        "actions": actions,
        "can_file": user.has_perm(Perm.FILING_SUBMIT, organization),
        "can_view_filings": user.has_perm(Perm.FILING_VIEW, organization),
        "ready": not missing and case.stage == Stage.INCUBATING and open_filing is None,
        "need_q": need_q,
        "link_candidates": selectors.needs_to_link(case, need_q) if (actions["edit"] and need_q) else [],
        "note_form": forms.get("note") or CoachingNoteForm(initial={"on": today}),
        "close_form": forms.get("close") or CaseCloseForm(auto_id="close_%s"),
        "start_form": forms.get("start") or CaseStartForm(initial={"on": today}, auto_id="start_%s"),
        "errors": forms.get("errors", []),
        "open_panel": forms.get("open_panel", ""),
    }
    return render(request, "incubation/case_detail.html", context, status=status)


@office_view()
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_case_for_user(request.user, pk, Perm.CASES_VIEW))


def _refused(request: HttpRequest, case: IncubationCase, exc: ValidationError, **forms: Any) -> HttpResponse:
    """Show a service's refusal on the case page; nothing was saved."""
    case = get_case_for_user(request.user, case.pk, Perm.CASES_VIEW)  # what is stored now
    return _render_detail(request, case, {**forms, "errors": exc.messages}, status=400)


def _done(request: HttpRequest, case: IncubationCase, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("incubation:case-detail", args=[case.pk]) + anchor)


@office_view(methods=("GET", "POST"))
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    problem = services.CASE_FLOW.problem(case, "edit", request.user)
    if problem:
        messages.error(request, problem)
        return redirect("incubation:case-detail", case.pk)
    form = CaseEditForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                case=case, data={f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS}, by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _done(request, case, _("The case was updated."))
    case = get_case_for_user(request.user, pk, Perm.CASES_VIEW)  # the stored values for the page head
    status = 400 if request.method == "POST" else 200
    return render(request, "incubation/case_edit.html", {"form": form, "case": case}, status=status)


@office_view(methods=("POST",))
def case_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CaseStartForm(request.POST, auto_id="start_%s")
    if not form.is_valid():
        return _refused(request, case, ValidationError(_("Enter a valid start date.")), start=form)
    try:
        services.case_start(
            case=case, on=form.cleaned_data["on"], seen=services.CASE_FLOW.posted(request.POST), by=request.user
        )
    except ValidationError as exc:
        return _refused(request, case, exc, start=form)
    return _done(request, case, _("Incubation started: the organization is now incubating in the registry."))


@office_view(methods=("POST",))
def case_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CoachingNoteForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    saved = False
    if form.is_valid():
        try:
            services.coaching_note_add(case=case, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            saved = True
    if htmx:
        # The notes section alone, redrawn in place (htmx swaps 200 responses only).
        context = {
            "case": case,
            "notes": selectors.case_notes(case),
            "note_form": CoachingNoteForm(initial={"on": timezone.localdate()}) if saved else form,
            "actions": services.CASE_FLOW.allowed_actions(case, request.user),
            "note_saved": saved,
        }
        return render(request, "incubation/case_detail.html#notes", context)
    if saved:
        return _done(request, case, _("The coaching note was added."), "#notes")
    return _render_detail(request, case, {"note": form, "errors": _form_errors(form)}, status=400)


def _form_errors(form: Any) -> list[str]:
    errors = list(form.non_field_errors())
    if not errors and form.errors:
        errors = [_("Correct the fields marked below. Nothing was saved.")]
    return errors


@office_view(methods=("POST",))
def case_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CaseCloseForm(request.POST, auto_id="close_%s")
    if not form.is_valid():
        return _render_detail(
            request, case, {"close": form, "errors": _form_errors(form), "open_panel": "close"}, status=400
        )
    try:
        services.case_close(
            case=case,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
            seen=services.CASE_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, case, exc, close=form, open_panel="close")
    return _done(request, case, _("The case was closed and the organization dissolved; the reason is kept."))


def _picked_need(request: HttpRequest, queryset: Any) -> Need | None:
    form = NeedPickForm(request.POST)
    if not form.is_valid():
        return None
    return queryset.filter(pk=form.cleaned_data["need"]).select_related("community").first()


@office_view(methods=("POST",))
def case_link_need(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    need = _picked_need(request, Need.objects.for_user(request.user, Perm.NEEDS_VIEW))
    if need is None:
        return _refused(request, case, ValidationError(_("Choose a need of your area.")))
    try:
        services.case_link_need(case=case, need=need, by=request.user)
    except ValidationError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("The case now also answers “%(title)s”.") % {"title": need.title}, "#needs")


@office_view(methods=("POST",))
def case_unlink_need(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Perm.CASES_CHANGE)
    need = _picked_need(request, case.needs.all())
    if need is None:
        return _refused(request, case, ValidationError(_("Choose one of the needs the case answers.")))
    try:
        services.case_unlink_need(case=case, need=need, by=request.user)
    except ValidationError as exc:
        return _refused(request, case, exc)
    return _done(request, case, _("The case no longer answers “%(title)s”.") % {"title": need.title}, "#needs")


urls = [
    path("office/incubation/cases/", case_list, name="case-list"),
    path("office/incubation/cases/new/", case_create, name="case-create"),
    path("office/incubation/cases/<int:pk>/", case_detail, name="case-detail"),
    path("office/incubation/cases/<int:pk>/edit/", case_edit, name="case-edit"),
    path("office/incubation/cases/<int:pk>/start/", case_start, name="case-start"),
    path("office/incubation/cases/<int:pk>/notes/", case_note_add, name="case-note-add"),
    path("office/incubation/cases/<int:pk>/close/", case_close, name="case-close"),
    path("office/incubation/cases/<int:pk>/needs/link/", case_link_need, name="case-link-need"),
    path("office/incubation/cases/<int:pk>/needs/unlink/", case_unlink_need, name="case-unlink-need"),
]
