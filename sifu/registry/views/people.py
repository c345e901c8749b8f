"""Office pages for people (issue #2 §4): people list, person page (with logged unmasking), create
and edit. An organization's members pages are in ``views.memberships``.

Reads go through ``registry.selectors``, writes through ``registry.services``. Objects are fetched
with ``get_person_for_user``: 404 outside the user's scope, 403 without the permission. Every
action works as a plain POST; with htmx the "show" buttons of the person page swap the value in
place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sifu.accounts.models import Area
from sifu.core.contributions import PersonPanel, panels
from sifu.core.forms import add_service_error
from sifu.core.masking import mask_id_number, mask_phone
from sifu.core.permissions import Perm, scope_for
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.privacy import services as privacy_services
from sifu.privacy.models import SensitiveView
from sifu.registry import selectors, services
from sifu.registry.forms import (
    PersonFilterForm,
    PersonForm,
)
from sifu.registry.models import Organization, Person
from sifu.registry.permissions import (
    get_person_for_user,
    user_has_person_perm,
)

REVEALABLE = {
    SensitiveView.Field.PHONE: mask_phone,
    SensitiveView.Field.ID_NUMBER: mask_id_number,
}


def _masked(person: Person) -> Person:
    person.masked_phone = mask_phone(person.phone)  # type: ignore[attr-defined]
    person.masked_id_number = mask_id_number(person.id_number)  # type: ignore[attr-defined]
    return person


# People -------------------------------------------------------------------------------------


@office_view(Perm.PEOPLE_VIEW)
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PersonFilterForm(request.GET or None, user=user)
    filters = form.filters
    people = selectors.people_for_list(
        user,
        q=filters.get("q", ""),
        political_status=filters.get("political_status", ""),
        community_id=filters.get("community"),
    )
    page = Paginator(people, selectors.PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page.object_list:
        _masked(person)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "page_query": query_without(request, "page"),
        "can_create": user.has_perm(Perm.PEOPLE_CHANGE),
        "party_statuses": Person.PARTY_STATUSES,
    }
    if request.htmx and request.htmx.target == "people-results":
        response = render(request, "registry/person_list.html#results", context)
    else:
        response = render(request, "registry/person_list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _person_form_communities(user: Any, perm: str) -> Any:
    """Communities a person may be placed in: those under the user's granted areas for ``perm``."""
    scope = scope_for(user, perm)
    qs = Area.objects.communities()
    if scope.everywhere:
        return qs
    return qs.filter(scope.q("path"))


@office_view(Perm.PEOPLE_CHANGE, methods=("GET", "POST"))
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user, Perm.PEOPLE_CHANGE)
    if not scope.everywhere and not scope.area_paths:
        # Organization admins record people as members of their organization (the person would
        # otherwise fall outside what they can see).
        orgs = Organization.objects.for_user(user, Perm.MEMBERS_CHANGE).select_related("community")
        return render(request, "registry/person_form.html", {"org_only": True, "organizations": orgs})
    form = PersonForm(
        request.POST or None,
        communities=_person_form_communities(user, Perm.PEOPLE_CHANGE),
        community_required=not scope.everywhere,
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(**form.create_data(), by=user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is recorded.") % {"name": person.name})
            return redirect("registry:person-detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form}, status=400 if form.errors else 200)


def _person_page_context(user: Any, person: Person, revealed: dict[str, str] | None = None) -> dict[str, Any]:
    """What the person page shows. Queries: memberships (1), timeline (2), and one per permission
    that is not settled by the user's areas (reveal, edit)."""
    memberships = selectors.person_memberships(person)
    org_scope = scope_for(user, Perm.ORG_VIEW)
    visible = [m for m in memberships if org_scope.covers(m.organization.community.path, m.organization_id)]
    can_reveal = user_has_person_perm(user, Perm.PEOPLE_SENSITIVE, person)
    return {
        "person": _masked(person),
        "current_memberships": [m for m in visible if m.left_on is None],
        "past_memberships": [m for m in visible if m.left_on is not None],
        "hidden_memberships": len(memberships) - len(visible),
        "can_reveal": can_reveal,
        "can_edit": user_has_person_perm(user, Perm.PEOPLE_CHANGE, person),
        "revealed": revealed or {},
        "timeline": selectors.person_timeline(person, organization_ids=sorted({m.organization_id for m in visible})),
    }


@office_view()
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, Perm.PEOPLE_VIEW)
    context = _person_page_context(request.user, person)
    context["panels"] = panels(PersonPanel, request, person)  # what other apps contribute to the page
    return render(request, "registry/person_detail.html", context)


@office_view(methods=("POST",))
def person_reveal(request: AuthenticatedHttpRequest, pk: int, field: str) -> HttpResponse:
    """Show one identifier in full, recording that the user saw it (privacy.services.person_reveal)."""
    if field not in REVEALABLE:
        raise Http404
    person = get_person_for_user(request.user, pk, Perm.PEOPLE_VIEW)
    value = privacy_services.person_reveal(person=person, field=field, by=request.user, context=request.path)
    if request.htmx:
        return render(
            request, "registry/person_detail.html#sensitive", {"field": field, "value": value, "person": person}
        )
    context = _person_page_context(request.user, person, revealed={field: value})
    context["panels"] = panels(PersonPanel, request, person)
    return render(request, "registry/person_detail.html", context)


@office_view(methods=("GET", "POST"))
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_person_for_user(user, pk, Perm.PEOPLE_CHANGE)
    form = PersonForm(
        request.POST or None,
        communities=_person_form_communities(user, Perm.PEOPLE_CHANGE),
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, data=form.update_data(), by=user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The changes to %(name)s are saved.") % {"name": person.name})
            return redirect("registry:person-detail", pk=person.pk)
    context = {"form": form, "person": _masked(person)}
    return render(request, "registry/person_form.html", context, status=400 if form.errors else 200)


urls = [
    path("office/people/", person_list, name="person-list"),
    path("office/people/new/", person_create, name="person-create"),
    path("office/people/<int:pk>/", person_detail, name="person-detail"),
    path("office/people/<int:pk>/edit/", person_edit, name="person-edit"),
    path("office/people/<int:pk>/reveal/<str:field>/", person_reveal, name="person-reveal"),
]
