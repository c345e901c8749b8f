"""Office pages for needs: the community's queue, recording, the detail with screening and matching.

Reads go through ``incubation.selectors``, writes through ``incubation.services``; needs are
fetched with ``get_need_for_user`` (404 outside scope, 403 without the permission).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.forms import add_service_error
from sifu.core.masking import mask_name, mask_phone
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.incubation import selectors, services
from sifu.incubation.forms import DeclineForm, MergeForm, NeedEditForm, NeedFilterForm, NeedForm, OrganizationLinkForm
from sifu.incubation.models import Need
from sifu.incubation.permissions import get_need_for_user
from sifu.incubation.services.needs import NEED_FLOW
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization

ACTION_LABELS = {
    "incubation.need.recorded": gettext_lazy("Recorded"),
    "incubation.need.submitted": gettext_lazy("Submitted by a resident"),
    "incubation.need.accepted": gettext_lazy("Accepted"),
    "incubation.need.merged": gettext_lazy("Merged"),
    "incubation.need.declined": gettext_lazy("Declined"),
    "incubation.need.organization_linked": gettext_lazy("Organization linked"),
    "incubation.need.organization_unlinked": gettext_lazy("Organization unlinked"),
    "incubation.need.updated": gettext_lazy("Edited"),
}


@office_view(Perm.NEEDS_VIEW)
def need_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = NeedFilterForm(request.GET or None, user=user)
    filters = form.filters
    page = Paginator(selectors.need_list(user, filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_query": query_without(request, "page"),
        "filtered": bool(filters),
        "can_create": user.has_perm(Perm.NEEDS_CHANGE),
    }
    return render(request, "incubation/need_list.html", context)


@office_view(Perm.NEEDS_CHANGE, methods=("GET", "POST"))
def need_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = NeedForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_record(
                community=data["community"],
                title=data["title"],
                category=data["category"],
                source=data["source"],
                description=data["description"],
                affected_group=data["affected_group"],
                place=data["place"],
                reported_on=data["reported_on"],
                by=user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The need “%(title)s” was recorded.") % {"title": need.title})
            return redirect("incubation:need-detail", need.pk)
    return render(request, "incubation/need_form.html", {"form": form})


@office_view(methods=("GET", "POST"))
def need_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    problem = NEED_FLOW.problem(need, "edit", request.user)
    if problem:
        messages.error(request, problem)
        return redirect("incubation:need-detail", need.pk)
    form = NeedEditForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            # The service compares with the stored row, not with this form's copy.
            services.need_update(
                need=need, data={name: form.cleaned_data[name] for name in NeedEditForm.Meta.fields}, by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The need was updated."))
            return redirect("incubation:need-detail", need.pk)
    need = get_need_for_user(request.user, pk, Perm.NEEDS_VIEW)  # stored values for the page head
    status = 400 if request.method == "POST" else 200
    return render(request, "incubation/need_form.html", {"form": form, "need": need}, status=status)


@office_view()
def need_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_need_for_user(request.user, pk, Perm.NEEDS_VIEW))


def _render_detail(
    request: HttpRequest, need: Need, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    actions = NEED_FLOW.allowed_actions(need, user)
    merge_q = request.GET.get("merge_q", "").strip()
    org_q = request.GET.get("org_q", "").strip()
    forms = forms or {}
    timeline = [
        {"entry": entry, "label": ACTION_LABELS.get(entry.action, entry.action)}
        for entry in selectors.need_timeline(need)
    ]
    sensitive = user.has_perm(Perm.PEOPLE_SENSITIVE, need)
    context = {
        "need": need,
        "actions": actions,
        "organizations": list(need.organizations.select_related("community").order_by("name")),
        "merged_needs": list(need.merged_needs.order_by("-reported_on")),
        # Submitter contact is personal data: masked in the office, never shown publicly.
        "submitter_name": need.submitter_name if sensitive else mask_name(need.submitter_name),
        "submitter_phone": mask_phone(need.submitter_phone),
        "merge_q": merge_q,
        "org_q": org_q,
        "merge_candidates": selectors.merge_candidates(need, merge_q) if actions["merge"] else [],
        "link_candidates": selectors.organizations_to_link(user, need, org_q) if actions["link"] and org_q else [],
        "decline_form": forms.get("decline") or DeclineForm(),
        "timeline": timeline,
        "errors": forms.get("errors", []),
        "cases": list(need.cases.select_related("organization")) if user.has_perm(Perm.CASES_VIEW, need) else [],
    }
    return render(request, "incubation/need_detail.html", context, status=status)


def _done(request: HttpRequest, need: Need, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("incubation:need-detail", need.pk)


def _refused(request: HttpRequest, need: Need, exc: ValidationError, **forms: Any) -> HttpResponse:
    """Show a service's refusal on the detail page; nothing was saved."""
    need = get_need_for_user(request.user, need.pk, Perm.NEEDS_VIEW)  # what is stored now
    return _render_detail(request, need, {**forms, "errors": exc.messages}, status=400)


@office_view(methods=("POST",))
def need_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    try:
        services.need_accept(need=need, seen=NEED_FLOW.posted(request.POST), by=request.user)
    except ValidationError as exc:
        return _refused(request, need, exc)
    return _done(
        request, need, _("The need was accepted: it is now an open need of %(area)s.") % {"area": need.community.name}
    )


@office_view(methods=("POST",))
def need_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _refused(request, need, ValidationError(_("Choose the need to merge into.")))
    into = Need.objects.for_user(request.user, Perm.NEEDS_VIEW).filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        return _refused(request, need, ValidationError(_("That need does not exist or is not in your area.")))
    try:
        services.need_merge(need=need, into=into, seen=NEED_FLOW.posted(request.POST), by=request.user)
    except ValidationError as exc:
        return _refused(request, need, exc)
    return _done(request, need, _("The need was merged into “%(title)s”.") % {"title": into.title})


@office_view(methods=("POST",))
def need_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _refused(request, need, ValidationError(_("Give the reason for declining.")), decline=form)
    try:
        services.need_decline(
            need=need, reason=form.cleaned_data["reason"], seen=NEED_FLOW.posted(request.POST), by=request.user
        )
    except ValidationError as exc:
        return _refused(request, need, exc, decline=form)
    return _done(request, need, _("The need was declined; the reason is kept with it."))


def _organization(request: HttpRequest, need: Need) -> Organization | None:
    form = OrganizationLinkForm(request.POST)
    if not form.is_valid():
        return None
    visible = registry_selectors.organizations_for_user(request.user, Perm.ORG_VIEW)
    return visible.filter(pk=form.cleaned_data["organization"]).first()


@office_view(methods=("POST",))
def need_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    org = _organization(request, need)
    if org is None:
        return _refused(request, need, ValidationError(_("Choose an organization of your area.")))
    try:
        need = services.need_link_organization(need=need, organization=org, by=request.user)
    except ValidationError as exc:
        return _refused(request, need, exc)
    return _done(request, need, _("%(name)s now serves this need.") % {"name": org.name})


@office_view(methods=("POST",))
def need_unlink(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk, Perm.NEEDS_CHANGE)
    org = _organization(request, need)
    if org is None:
        return _refused(request, need, ValidationError(_("Choose an organization of your area.")))
    try:
        need = services.need_unlink_organization(need=need, organization=org, by=request.user)
    except ValidationError as exc:
        return _refused(request, need, exc)
    return _done(request, need, _("%(name)s no longer serves this need.") % {"name": org.name})


urls = [
    path("office/needs/", need_list, name="need-list"),
    path("office/needs/new/", need_create, name="need-create"),
    path("office/needs/<int:pk>/", need_detail, name="need-detail"),
    path("office/needs/<int:pk>/edit/", need_edit, name="need-edit"),
    path("office/needs/<int:pk>/accept/", need_accept, name="need-accept"),
    path("office/needs/<int:pk>/merge/", need_merge, name="need-merge"),
    path("office/needs/<int:pk>/decline/", need_decline, name="need-decline"),
    path("office/needs/<int:pk>/link/", need_link, name="need-link"),
    path("office/needs/<int:pk>/unlink/", need_unlink, name="need-unlink"),
]
