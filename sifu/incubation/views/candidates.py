"""Office pages for leader candidates (三强): an organization's candidates with the add form, a
candidate's page (assess, choose as leader, withdraw) and the overview across organizations.

Reads go through ``incubation.selectors``, writes through ``incubation.services.candidates``.
Organizations are fetched with ``get_organization_for_user`` and candidates with
``get_candidate_for_user`` (404 outside scope, 403 without the permission). Phones are masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.forms import add_service_error
from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.incubation.forms.candidates import (
    CandidateAddForm,
    CandidateAssessForm,
    CandidateChooseForm,
    CandidateFilterForm,
    CandidateWithdrawForm,
)
from sifu.incubation.models import LeaderCandidate
from sifu.incubation.permissions import get_candidate_for_user
from sifu.incubation.selectors import candidates as selectors
from sifu.incubation.selectors.candidates import PERSON_MATCHES
from sifu.incubation.services import candidates as services
from sifu.incubation.services.candidates import CANDIDATE_FLOW
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization, Person
from sifu.registry.permissions import get_organization_for_user

ACTION_LABELS = {
    "incubation.candidate.added": gettext_lazy("Recorded as a candidate"),
    "incubation.candidate.assessed": gettext_lazy("Assessed"),
    "incubation.candidate.chosen": gettext_lazy("Chosen as leader"),
    "incubation.candidate.withdrawn": gettext_lazy("Withdrawn"),
}


def _masked(person: Person) -> Person:
    person.masked_phone = mask_phone(person.phone)  # type: ignore[attr-defined]
    return person


def _matches(request: HttpRequest, org: Organization) -> dict[str, Any]:
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()
    chosen = request.POST.get("person") or ""
    chosen_id = int(chosen) if chosen.isdigit() else None
    matches, more = selectors.person_matches(request.user, org, q, include=chosen_id)
    for person in matches:
        _masked(person)
    return {
        "q": q,
        "matches": matches,
        "more": more,
        "chosen_id": chosen_id,
        "match_limit": PERSON_MATCHES,
    }


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one, so it is validated), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


@office_view(methods=("GET", "POST"))
def candidate_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organization's candidates; with CASES_CHANGE, the form that adds one (POST here)."""
    user = request.user
    org = get_organization_for_user(user, pk, Perm.CASES_VIEW)
    can_change = user.has_perm(Perm.CASES_CHANGE, org)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = CandidateAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        person = (
            registry_selectors.people_for_user(user, Perm.PEOPLE_VIEW).filter(pk=form.cleaned_data["person"]).first()
        )
        if person is None:
            form.add_error("person", _("That person is not in your area: choose someone you can see."))
        else:
            try:
                candidate = services.candidate_add(
                    organization=org, person=person, note=form.cleaned_data["note"], by=user
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s is now a leader candidate of %(org)s. Assess the three qualities below.")
                    % {"person": person.name, "org": org.name},
                )
                return redirect("incubation:candidate-detail", candidate.pk)
    if can_change and request.headers.get("HX-Request") and request.method == "GET":
        response = render(
            request, "incubation/candidate_list.html#matches", {"organization": org, **_matches(request, org)}
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    candidates = selectors.organization_candidates(org)
    for candidate in candidates:
        _masked(candidate.person)
    leader = registry_selectors.organization_leader(org)
    context = {
        "organization": org,
        "candidates": candidates,
        "leader": leader,
        "can_change": can_change and org.status != Organization.Status.DISSOLVED,
        "form": form,
        **(_matches(request, org) if can_change else {}),
    }
    response = render(request, "incubation/candidate_list.html", context, status=400 if form.errors else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@office_view()
def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_candidate_for_user(request.user, pk, Perm.CASES_VIEW))


def _render_detail(
    request: HttpRequest, candidate: LeaderCandidate, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    forms = forms or {}
    _masked(candidate.person)
    actions = CANDIDATE_FLOW.allowed_actions(candidate, user)
    context = {
        "candidate": candidate,
        "organization": candidate.organization,
        "person": candidate.person,
        "leader": registry_selectors.organization_leader(candidate.organization),
        "actions": actions,
        "can_see_person": user.has_perm(Perm.PEOPLE_VIEW),
        "assess_form": forms.get("assess") or CandidateAssessForm.for_candidate(candidate),
        "choose_form": forms.get("choose") or CandidateChooseForm(initial={"on": timezone.localdate()}),
        "withdraw_form": forms.get("withdraw") or CandidateWithdrawForm(),
        "errors": forms.get("errors", []),
        "timeline": [
            {"entry": entry, "label": ACTION_LABELS.get(entry.action, entry.action)}
            for entry in selectors.candidate_timeline(candidate)
        ],
    }
    return render(request, "incubation/candidate_detail.html", context, status=status)


def _refused(request: HttpRequest, pk: int, errors: Iterable[object], **forms: Any) -> HttpResponse:
    """Show a refusal on the candidate's page, as stored now; nothing was saved."""
    candidate = get_candidate_for_user(request.user, pk, Perm.CASES_VIEW)
    return _render_detail(request, candidate, {**forms, "errors": errors}, status=400)


@office_view(methods=("POST",))
def candidate_assess(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CandidateAssessForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.candidate_assess(
                candidate=candidate,
                party_spirit=data["party_spirit"],
                organizing_ability=data["organizing_ability"],
                public_spirit=data["public_spirit"],
                note=data["note"],
                assessed_on=data["assessed_on"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The assessment of %(person)s is saved.") % {"person": candidate.person.name})
            return redirect("incubation:candidate-detail", candidate.pk)
    return _refused(request, pk, [], assess=form)


@office_view(methods=("POST",))
def candidate_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CandidateChooseForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, [], choose=form)
    try:
        services.candidate_choose(
            candidate=candidate,
            on=form.cleaned_data["on"],
            seen=CANDIDATE_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        return _refused(request, pk, exc.messages, choose=form)
    messages.success(
        request,
        _("%(person)s is now the leader of %(org)s.")
        % {"person": candidate.person.name, "org": candidate.organization.name},
    )
    return redirect("incubation:candidate-detail", candidate.pk)


@office_view(methods=("POST",))
def candidate_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk, Perm.CASES_CHANGE)
    form = CandidateWithdrawForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, [], withdraw=form)
    try:
        services.candidate_withdraw(
            candidate=candidate,
            reason=form.cleaned_data["reason"],
            seen=CANDIDATE_FLOW.posted(request.POST),
            by=request.user,
        )
    except ValidationError as exc:
        add_service_error(form, exc)
        return _refused(request, pk, form.non_field_errors(), withdraw=form)
    messages.success(request, _("%(person)s is no longer a candidate.") % {"person": candidate.person.name})
    return redirect("incubation:candidate-list", candidate.organization_id)


@office_view(Perm.CASES_VIEW)
def candidate_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Candidates across the organizations in scope, filtered by 三强, party membership, community."""
    user = request.user
    form = CandidateFilterForm(request.GET or None, user=user)
    filters = form.filters
    page = Paginator(selectors.candidate_overview(user, filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for candidate in page.object_list:
        _masked(candidate.person)
    context = {
        "form": form,
        "page": page,
        "page_query": query_without(request, "page"),
        "filtered": bool(filters),
        "counts": selectors.candidate_counts(user),
    }
    return render(request, "incubation/candidate_overview.html", context)


urls = [
    path("office/organizations/<int:pk>/candidates/", candidate_list, name="candidate-list"),
    path("office/incubation/candidates/", candidate_overview, name="candidate-overview"),
    path("office/incubation/candidates/<int:pk>/", candidate_detail, name="candidate-detail"),
    path("office/incubation/candidates/<int:pk>/assess/", candidate_assess, name="candidate-assess"),
    path("office/incubation/candidates/<int:pk>/choose/", candidate_choose, name="candidate-choose"),
    path("office/incubation/candidates/<int:pk>/withdraw/", candidate_withdraw, name="candidate-withdraw"),
]
