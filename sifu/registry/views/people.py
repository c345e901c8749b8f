"""Office pages for people and memberships (issue #2 §4): people list, person page (with logged
unmasking), create and edit; an organization's members page with add, end, role and leader changes.

Reads go through ``registry.selectors``, writes through ``registry.services``. Objects are fetched
with ``get_person_for_user`` / ``get_membership_for_user`` / ``get_organization_for_user``: 404
outside the user's scope, 403 without the permission. Every action works as a plain POST; with
htmx the inline forms of the members page swap one table row and the "show" buttons of the person
page swap the value in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sifu.accounts.models import Area
from sifu.core.contributions import PersonPanel, panels
from sifu.core.forms import add_service_error
from sifu.core.masking import mask_id_number, mask_phone
from sifu.core.permissions import Perm, scope_for
from sifu.core.validators import normalize_id_number, normalize_phone
from sifu.core.views import AuthenticatedHttpRequest, query_without
from sifu.privacy import services as privacy_services
from sifu.privacy.models import SensitiveView
from sifu.registry import selectors, services
from sifu.registry.forms import (
    NON_LEADER_ROLES,
    LeaderForm,
    MembershipAddForm,
    MembershipEndForm,
    MembershipRoleForm,
    PersonFilterForm,
    PersonForm,
)
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.permissions import (
    get_membership_for_user,
    get_organization_for_user,
    get_person_for_user,
    user_has_person_perm,
)

REVEALABLE = {
    SensitiveView.Field.PHONE: mask_phone,
    SensitiveView.Field.ID_NUMBER: mask_id_number,
}
MEMBER_STATES = ("current", "past", "all")


def _masked(person: Person) -> Person:
    person.masked_phone = mask_phone(person.phone)  # type: ignore[attr-defined]
    person.masked_id_number = mask_id_number(person.id_number)  # type: ignore[attr-defined]
    return person


# People -------------------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm(Perm.PEOPLE_VIEW):
        raise PermissionDenied
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


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm(Perm.PEOPLE_CHANGE):
        raise PermissionDenied
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


@login_required
@require_GET
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, Perm.PEOPLE_VIEW)
    context = _person_page_context(request.user, person)
    context["panels"] = panels(PersonPanel, request, person)  # what other apps contribute to the page
    return render(request, "registry/person_detail.html", context)


@login_required
@require_POST
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


@login_required
@require_http_methods(["GET", "POST"])
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


# Members of an organization -----------------------------------------------------------------


def _member_state(value: str | None) -> str:
    return value if value in MEMBER_STATES else "current"


def _member_row_context(user: Any, organization: Organization, state: str = "current") -> dict[str, Any]:
    return {
        "organization": organization,
        "state": state,
        "can_change": user.has_perm(Perm.MEMBERS_CHANGE, organization)
        and organization.status != Organization.Status.DISSOLVED,
        "can_view_people": user.has_perm(Perm.PEOPLE_VIEW, organization),
        "roles": NON_LEADER_ROLES,
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def organization_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = get_organization_for_user(user, pk, Perm.ORG_VIEW)
    state = _member_state(request.GET.get("state"))
    members = selectors.organization_members(org, state=state)
    page = Paginator(members, selectors.MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    for membership in page.object_list:
        _masked(membership.person)
    context = {
        **_member_row_context(user, org, state),
        "page": page,
        "page_query": query_without(request, "page"),
        "counts": selectors.organization_member_counts(org),
        "leader_required": org.status in (Organization.Status.ACTIVE, Organization.Status.DORMANT),
    }
    return render(request, "registry/organization_members.html", context)


def _members_url(organization: Organization) -> str:
    return reverse("registry:organization-members", args=[organization.pk])


def _person_fields_error(user: Any, form: Any, exc: ValidationError) -> None:
    """Show a refusal of ``person_find_or_create``; a matching conflict with someone the user may
    not see is worded without naming them."""
    if not hasattr(exc, "error_dict"):
        phone = id_number = None
        try:
            phone = normalize_phone(form.cleaned_data.get("phone")) if form.cleaned_data.get("phone") else None
            id_number = (
                normalize_id_number(form.cleaned_data.get("id_number")) if form.cleaned_data.get("id_number") else None
            )
        except ValidationError:
            pass
        if (phone or id_number) and not selectors.identifiers_visible_to(user, phone=phone, id_number=id_number):
            exc = ValidationError(
                _(
                    "These details do not match the person already recorded with this phone or ID number. "
                    "Check the name and the numbers; if they are right, ask the subdistrict office to check the record."
                )
            )
    add_service_error(form, exc)


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a member: an existing resident (matched by ID number or phone) or a new one, in one form."""
    user = request.user
    org = get_organization_for_user(user, pk, Perm.MEMBERS_CHANGE)
    counts = selectors.organization_member_counts(org)
    has_leader = selectors.organization_leader(org) is not None
    form = MembershipAddForm(
        request.POST or None,
        organization=org,
        communities=Area.objects.communities().filter(parent_id=org.community.parent_id).order_by("path"),
        has_leader=has_leader,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person, created = services.person_find_or_create(
                    **form.person_data(), gender=data["gender"], community=data["community"], by=user
                )
                services.membership_add(
                    organization=org,
                    person=person,
                    joined_on=data["joined_on"],
                    role=data["role"],
                    is_initiator=data["is_initiator"],
                    by=user,
                )
        except ValidationError as exc:
            _person_fields_error(user, form, exc)
        else:
            if created:
                text = _("%(name)s is recorded and added as a member.")
            else:
                text = _("%(name)s (already recorded) is added as a member.")
            messages.success(request, text % {"name": person.name})
            if "another" in request.POST:
                return redirect("registry:membership-add", pk=org.pk)
            return redirect(_members_url(org))
    context = {"form": form, "organization": org, "counts": counts, "has_leader": has_leader}
    return render(request, "registry/membership_add.html", context, status=400 if form.errors else 200)


def _membership_action(
    request: AuthenticatedHttpRequest, pk: int, form_class: type, key: str, apply: Any, done: str
) -> HttpResponse:
    """End a membership or change a role: a small form, inline (htmx swaps the row) or on its own page."""
    user = request.user
    membership = get_membership_for_user(user, pk, Perm.MEMBERS_CHANGE)
    org = membership.organization
    initial = {"role": membership.role, "is_initiator": membership.is_initiator}
    form = form_class(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            membership = apply(membership, form.cleaned_data, user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if request.htmx:
                _masked(membership.person)
                context = {
                    **_member_row_context(user, org, _member_state(request.POST.get("state"))),
                    "m": membership,
                    "flash": done % {"name": membership.person},
                }
                return render(request, "registry/organization_members.html#member-row", context)
            messages.success(request, done % {"name": membership.person})
            return redirect(_members_url(org))
    if form.errors:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx and request.method == "POST":
        _masked(membership.person)
        context = {
            **_member_row_context(user, org, _member_state(request.POST.get("state"))),
            "m": membership,
            "row_error": error,
            "open": key,
            "left_on_value": request.POST.get("left_on", ""),
        }
        return render(request, "registry/organization_members.html#member-row", context)
    context = {"form": form, "membership": membership, "organization": org, "person": _masked(membership.person)}
    return render(request, f"registry/membership_{key}.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def apply(membership: Membership, data: dict[str, Any], user: Any) -> Membership:
        return services.membership_end(membership=membership, left_on=data["left_on"], by=user)

    return _membership_action(request, pk, MembershipEndForm, "end", apply, _("%(name)s has left."))


@login_required
@require_http_methods(["GET", "POST"])
def membership_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def apply(membership: Membership, data: dict[str, Any], user: Any) -> Membership:
        return services.membership_change_role(
            membership=membership, role=data["role"], is_initiator=data["is_initiator"], by=user
        )

    return _membership_action(request, pk, MembershipRoleForm, "role", apply, _("The role of %(name)s is saved."))


@login_required
@require_http_methods(["GET", "POST"])
def organization_leader(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Hand the leadership (负责人) to a current member or to another person."""
    user = request.user
    org = get_organization_for_user(user, pk, Perm.MEMBERS_CHANGE)
    leader = selectors.organization_leader(org)
    form = LeaderForm(request.POST or None, candidates=selectors.leader_candidates(org), has_leader=leader is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = data["member"]
                if person is None:
                    person, _created = services.person_find_or_create(**form.person_data(), by=user)
                services.organization_change_leader(
                    organization=org,
                    person=person,
                    on=data["on"],
                    previous_leader_role=data.get("previous_leader_role") or Membership.Role.BACKBONE,
                    by=user,
                )
        except ValidationError as exc:
            _person_fields_error(user, form, exc)
        else:
            messages.success(request, _("%(name)s is now the leader.") % {"name": person.name})
            return redirect(_members_url(org))
    if leader is not None:
        _masked(leader.person)
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()
    context = {
        "form": form,
        "organization": org,
        "leader": leader,
        **_leader_matches(org, q, chosen=request.POST.get("member")),
    }
    return render(request, "registry/organization_members_leader.html", context, status=400 if form.errors else 200)


def _leader_matches(organization: Organization, q: str, chosen: str | None) -> dict[str, Any]:
    """The current members matching a search, for the radio buttons of the leader form (one query)."""
    chosen_id = int(chosen) if chosen and chosen.isdigit() else None
    matches, more = selectors.leader_candidate_matches(organization, q, include=chosen_id)
    for person in matches:
        person.masked_phone = mask_phone(person.phone)  # type: ignore[attr-defined]
        person.role_label = Membership.Role(person.member_role).label  # type: ignore[attr-defined]
    return {"q": q, "matches": matches, "more": more, "chosen_id": chosen_id, "match_limit": selectors.LEADER_MATCHES}


@login_required
@require_GET
def organization_leader_candidates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The search matches of the leader form (htmx fragment); ``?q=`` as on the page itself."""
    org = get_organization_for_user(request.user, pk, Perm.MEMBERS_CHANGE)
    q = request.GET.get("q", "").strip()
    context = {"organization": org, **_leader_matches(org, q, chosen=request.GET.get("member"))}
    return render(request, "registry/organization_members_leader.html#candidates", context)


urls = [
    path("office/people/", person_list, name="person-list"),
    path("office/people/new/", person_create, name="person-create"),
    path("office/people/<int:pk>/", person_detail, name="person-detail"),
    path("office/people/<int:pk>/edit/", person_edit, name="person-edit"),
    path("office/people/<int:pk>/reveal/<str:field>/", person_reveal, name="person-reveal"),
    path("office/organizations/<int:pk>/members/", organization_members, name="organization-members"),
    path("office/organizations/<int:pk>/members/add/", membership_add, name="membership-add"),
    path("office/organizations/<int:pk>/leader/", organization_leader, name="organization-leader"),
    path(
        "office/organizations/<int:pk>/leader/candidates/",
        organization_leader_candidates,
        name="organization-leader-candidates",
    ),
    path("office/memberships/<int:pk>/end/", membership_end, name="membership-end"),
    path("office/memberships/<int:pk>/role/", membership_role, name="membership-role"),
]
