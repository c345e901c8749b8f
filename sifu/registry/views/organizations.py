"""Office pages for organizations: list (filters, sort, htmx), export, create, detail, edit, transitions.

Reads go through ``registry.selectors``, writes through ``registry.services``; objects are
fetched with ``get_organization_for_user`` (404 outside scope, 403 without the permission).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sifu.core.contributions import OrganizationAction, OrganizationPanel, contributed, holds, panels
from sifu.core.forms import add_service_error
from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.core.workflow import Seen
from sifu.jobs.services import job_start
from sifu.privacy import services as privacy_services
from sifu.registry import selectors, services, tasks
from sifu.registry.exports import OrganizationListExporter, organizations_to_export
from sifu.registry.forms import (
    TRANSITION_FORMS,
    OrganizationCreateForm,
    OrganizationEditForm,
    OrganizationFilterForm,
)
from sifu.registry.lifecycle import ORGANIZATION_FLOW, TRANSITIONS, filing_checklist, transition_problem
from sifu.registry.models import Organization
from sifu.registry.permissions import get_organization_for_user

TIMELINE_LIMIT = 30
MEMBERS_LIMIT = 20


# List and export ----------------------------------------------------------------------------


@office_view(Perm.ORG_VIEW)
def organization_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = OrganizationFilterForm(request.GET or None, user=user)
    filters = form.filters
    page = Paginator(selectors.organization_list(user, filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for org in page.object_list:
        org.filing_warning = selectors.filing_warning(org, today)  # type: ignore[attr-defined]  # for the template
    sort = filters.get("sort", "")
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "sort_links": _sort_links(request, sort),
        "page_query": query_without(request, "page"),
        "export_query": query_without(request, "page", "sort"),
        "filtered": form.active_count > 0,
        "can_export": user.has_perm(Perm.ORG_EXPORT),
        "can_create": user.has_perm(Perm.ORG_CREATE),
    }
    template = "registry/organization_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (flipping direction if already sorted)."""
    links = {}
    base = request.GET.copy()
    base.pop("page", None)
    for key in selectors.ORGANIZATION_SORTS:
        query = base.copy()
        query["sort"] = f"-{key}" if current == key else key
        state = "sorted-asc" if current == key else "sorted" if current == f"-{key}" else ""
        links[key] = {"url": "?" + query.urlencode(), "state": state}
    return links


@office_view()
def organization_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list as .xlsx. Personal data is masked unless ``?unmasked=1`` is asked for by
    someone who may see it; each unmasked export is recorded. Up to ``SIFU_EXPORT_ROWS_AT_ONCE``
    rows download at once; more are made by a background job, whose page ends with the file."""
    user = request.user
    unmasked = request.GET.get("unmasked") == "1"
    queryset = organizations_to_export(user, request.GET, unmasked=unmasked)
    filename = f"organizations-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    rows = queryset.count()
    if rows > settings.SIFU_EXPORT_ROWS_AT_ONCE:
        job = job_start(
            kind=tasks.EXPORT_KIND,
            label=tasks.export_label(rows),
            task=tasks.export_organizations,
            params={"query": request.GET.urlencode(), "unmasked": unmasked, "filename": filename},
            by=user,
        )
        return redirect("jobs:detail", job.pk)
    if unmasked:
        privacy_services.unmasked_export_record(by=user, context=f"organization list export ?{request.GET.urlencode()}")
    return OrganizationListExporter(queryset, unmasked=unmasked).response(filename)


# Create and edit ----------------------------------------------------------------------------


@office_view(Perm.ORG_CREATE, methods=("GET", "POST"))
def organization_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = OrganizationCreateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = services.organization_create(
                name=data.pop("name"),
                form=data.pop("form"),
                nature=data.pop("nature"),
                category=data.pop("category"),
                community=data.pop("community"),
                by=user,
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was recorded as a proposed organization.") % {"name": org.name})
            return redirect("registry:organization-detail", org.pk)
    return render(request, "registry/organization_form.html", {"form": form, "organization": None})


@office_view(methods=("GET", "POST"))
def organization_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for_user(request.user, pk, Perm.ORG_CHANGE)
    form = OrganizationEditForm(request.POST or None, request.FILES or None, instance=org, user=request.user)
    searching = "_find" in request.POST
    if request.method == "POST" and not searching and form.is_valid():
        try:
            services.organization_update(organization=org, data=form.profile_changes(), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The profile of %(name)s was saved.") % {"name": org.name})
            return redirect("registry:organization-detail", org.pk)
    matches = form.offer_instructors(request.POST.get("instructor_search", "")) if searching else None
    context = {"form": form, "organization": org, "instructor_matches": matches, "searching": searching}
    return render(request, "registry/organization_form.html", context)


@office_view()
def organization_instructor_options(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The instructor choices for a search (htmx fragment of the edit form)."""
    org = get_organization_for_user(request.user, pk, Perm.ORG_CHANGE)
    form = OrganizationEditForm(instance=org, user=request.user)
    matches = form.offer_instructors(request.GET.get("instructor_search", ""))
    context = {"form": form, "organization": org, "instructor_matches": matches, "searching": True}
    return render(request, "registry/organization_form.html#instructor-options", context)


# Detail -------------------------------------------------------------------------------------


@office_view()
def organization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_organization_for_user(user, pk, Perm.ORG_VIEW)
    timeline = selectors.organization_timeline(org)
    show_all = request.GET.get("timeline") == "all"
    members = selectors.organization_members_summary(org, limit=MEMBERS_LIMIT)
    for membership in members["rows"]:  # always masked here; unmasking is the person page's logged reveal
        membership.masked_phone = mask_phone(membership.person.phone)
    context = {
        "organization": org,
        "members": members,
        # Every viewer of this page holds ORG_VIEW on it, so the members page is always open to them.
        "members_url": reverse("registry:organization-members", args=[org.pk]),
        "admins_url": reverse("registry:organization-admins", args=[org.pk])
        if user.has_perm(Perm.GRANT_ORG_ROLES, org)
        else None,
        "timeline": timeline if show_all else timeline[:TIMELINE_LIMIT],
        "timeline_hidden": 0 if show_all else max(len(timeline) - TIMELINE_LIMIT, 0),
        "transitions": list(ORGANIZATION_FLOW.allowed_actions(org, user).items()),
        "can_change": user.has_perm(Perm.ORG_CHANGE, org),
        "filing_warning": selectors.filing_warning(org),
        # What the installed apps contribute to this page (sifu.core.contributions).
        "actions": [
            {"label": action.label, "url": reverse(action.url_name, args=[org.pk])}
            for action in contributed(OrganizationAction)
            if holds(user, action.perm)
        ],
        "panels": panels(OrganizationPanel, request, org),
    }
    return render(request, "registry/organization_detail.html", context)


@office_view(Perm.ORG_VIEW)
def organization_charter(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The uploaded charter as a download, for users who may see the organization.

    403 for users who may see no organization at all, 404 outside their scope (or without a
    charter). Templates link here, never to the file's media URL.
    """
    user = request.user
    org = get_organization_for_user(user, pk, Perm.ORG_VIEW)
    if not org.charter_file:
        raise Http404
    try:
        handle = org.charter_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # "荔芳食品安全自治会-章程.pdf": FileResponse writes it as RFC 6266 filename*=utf-8''… for Chinese.
    extension = PurePosixPath(org.charter_file.name or "").suffix.lower()
    filename = f"{org.name}-章程{extension}"
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Lifecycle transitions ----------------------------------------------------------------------


def _apply_transition(name: str, org: Organization, data: dict[str, Any], by: Any, seen: Seen) -> Organization:
    """Call the service for transition ``name`` with the form's cleaned data and the state the page showed."""
    if name == "start_incubation":
        return services.organization_start_incubation(organization=org, on=data["on"], by=by, seen=seen)
    if name == "file":
        return services.organization_file(
            organization=org, filing_number=data["filing_number"], filed_on=data["filed_on"], by=by, seen=seen
        )
    if name == "register":
        return services.organization_register(
            organization=org, uscc=data["uscc"], registered_on=data["registered_on"], by=by, seen=seen
        )
    if name == "make_dormant":
        return services.organization_make_dormant(
            organization=org, reason=data["reason"], on=data["on"], by=by, seen=seen
        )
    if name == "reactivate":
        return services.organization_reactivate(
            organization=org, reason=data["reason"], on=data["on"], by=by, seen=seen
        )
    if name == "dissolve":
        return services.organization_dissolve(organization=org, reason=data["reason"], on=data["on"], by=by, seen=seen)
    raise Http404


@office_view(methods=("GET", "POST"))
def organization_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    org = get_organization_for_user(request.user, pk, Perm.ORG_TRANSITION)
    if not ORGANIZATION_FLOW.permitted(org, action, request.user):
        raise PermissionDenied
    transition = TRANSITIONS[action]
    form_class = TRANSITION_FORMS[action]
    initial = {"filing_number": selectors.suggest_filing_number(timezone.localdate().year)} if action == "file" else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _apply_transition(action, org, form.cleaned_data, request.user, ORGANIZATION_FLOW.posted(request.POST))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(action)s: done for %(name)s.") % {"action": transition.label, "name": org.name}
            )
            return redirect("registry:organization-detail", org.pk)
    checklist = None
    if action == "file":
        on = form.cleaned_data.get("filed_on") if form.is_bound and form.is_valid() else None
        checklist = filing_checklist(org, on or timezone.localdate())
    context = {
        "organization": org,
        "action": action,
        "transition": transition,
        "form": form,
        "problem": transition_problem(org, action),
        "checklist": checklist,
    }
    return render(request, "registry/organization_transition.html", context)


urls = [
    path("office/organizations/", organization_list, name="organization-list"),
    path("office/organizations/export.xlsx", organization_export, name="organization-export"),
    path("office/organizations/new/", organization_create, name="organization-create"),
    path("office/organizations/<int:pk>/", organization_detail, name="organization-detail"),
    path("office/organizations/<int:pk>/edit/", organization_edit, name="organization-edit"),
    path("office/organizations/<int:pk>/charter/", organization_charter, name="organization-charter"),
    path(
        "office/organizations/<int:pk>/instructor-options/",
        organization_instructor_options,
        name="organization-instructor-options",
    ),
    path(
        "office/organizations/<int:pk>/transition/<str:action>/",
        organization_transition,
        name="organization-transition",
    ),
]
