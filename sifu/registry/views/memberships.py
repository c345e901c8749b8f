"""Office pages for an organization's members (issue #2 §4): the members page with add, end, role
and leader changes. The people pages are in ``views.people``.

Reads go through ``registry.selectors``, writes through ``registry.services``. Objects are fetched
with ``get_membership_for_user`` / ``get_organization_for_user``: 404 outside the user's scope, 403
without the permission. Every action works as a plain POST; with htmx the inline forms of the
members page swap one table row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area
from sifu.core.forms import add_service_error
from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_id_number, normalize_phone
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.registry import selectors, services
from sifu.registry.forms import (
    NON_LEADER_ROLES,
    LeaderForm,
    MembershipAddForm,
    MembershipEndForm,
    MembershipRoleForm,
)
from sifu.registry.models import Membership, Organization
from sifu.registry.permissions import (
    get_membership_for_user,
    get_organization_for_user,
)
from sifu.registry.views.people import _masked

MEMBER_STATES = ("current", "past", "all")


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


@office_view()
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


@office_view(methods=("GET", "POST"))
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


@office_view(methods=("GET", "POST"))
def membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def apply(membership: Membership, data: dict[str, Any], user: Any) -> Membership:
        return services.membership_end(membership=membership, left_on=data["left_on"], by=user)

    return _membership_action(request, pk, MembershipEndForm, "end", apply, _("%(name)s has left."))


@office_view(methods=("GET", "POST"))
def membership_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def apply(membership: Membership, data: dict[str, Any], user: Any) -> Membership:
        return services.membership_change_role(
            membership=membership, role=data["role"], is_initiator=data["is_initiator"], by=user
        )

    return _membership_action(request, pk, MembershipRoleForm, "role", apply, _("The role of %(name)s is saved."))


@office_view(methods=("GET", "POST"))
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


@office_view()
def organization_leader_candidates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The search matches of the leader form (htmx fragment); ``?q=`` as on the page itself."""
    org = get_organization_for_user(request.user, pk, Perm.MEMBERS_CHANGE)
    q = request.GET.get("q", "").strip()
    context = {"organization": org, **_leader_matches(org, q, chosen=request.GET.get("member"))}
    return render(request, "registry/organization_members_leader.html#candidates", context)


urls = [
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
