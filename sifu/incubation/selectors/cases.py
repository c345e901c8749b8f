"""Reads for the incubation case pages: the list with its stage counts, and what a case page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from sifu.core.permissions import Perm
from sifu.incubation.models import CoachingNote, Filing, IncubationCase, LeaderCandidate, Need
from sifu.registry import selectors as registry_selectors
from sifu.registry.selectors import communities_in_scope

Stage = IncubationCase.Stage

# The path a case walks, as its page draws it (closed is shown apart).
STEPS = (Stage.PREPARING, Stage.INCUBATING, Stage.FILING, Stage.FILED)


def _scoped(user: Any, filters: dict[str, Any]) -> QuerySet[IncubationCase]:
    """Cases in the user's scope matching every filter except the stage."""
    queryset = IncubationCase.objects.for_user(user, Perm.CASES_VIEW)
    if filters.get("community"):
        queryset = queryset.filter(organization__community_id=filters["community"])
    if filters.get("incubator"):
        queryset = queryset.filter(incubator_kind=filters["incubator"])
    if filters.get("q"):
        q = filters["q"]
        queryset = queryset.filter(Q(organization__name__icontains=q) | Q(incubator_name__icontains=q))
    return queryset


def case_list(user: Any, filters: dict[str, Any]) -> QuerySet[IncubationCase]:
    """The cases in the user's scope, those still in progress first, then the newest.

    One query per page (plus the paginator's count): the organization and its community are
    joined; the number of needs and the date of the latest coaching note are annotations.
    """
    queryset = _scoped(user, filters)
    if filters.get("stage"):
        queryset = queryset.filter(stage=filters["stage"])
    return (
        queryset.select_related("organization__community")
        .annotate(
            need_count=Count("needs", distinct=True),
            last_note_on=Max("notes__on"),
            finished=Case(
                When(stage__in=[Stage.FILED, Stage.CLOSED], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("finished", "-opened_on", "-id")
    )


def case_stage_counts(user: Any, filters: dict[str, Any]) -> dict[str, int]:
    """How many cases are at each stage under the other filters, and in all (one aggregate query)."""
    counts = _scoped(user, filters).aggregate(
        all=Count("pk"), **{stage: Count("pk", filter=Q(stage=stage)) for stage in Stage.values}
    )
    return {key: value or 0 for key, value in counts.items()}


@dataclass(frozen=True)
class Step:
    stage: str
    label: StrOrPromise
    state: str  # "done", "current" or "todo"
    on: dt.date | None


def case_steps(case: IncubationCase, filings: list[Filing]) -> list[Step]:
    """The stepper of a case: each stage with its effective date — opened on, incubation started in
    the registry, the initial filing submitted (``filings``: the organization's, newest first), filed
    on. One query (the registry's log of the incubation start); the case's history is not used, as
    it dates when things were entered, not when they happened."""
    organization = case.organization
    started = registry_selectors.incubation_started_on(organization)
    submitted = next((f.submitted_at for f in filings if f.kind == Filing.Kind.INITIAL), None)
    dates: dict[str, dt.date | None] = {
        Stage.PREPARING: case.opened_on,
        Stage.INCUBATING: started,
        Stage.FILING: timezone.localdate(submitted) if submitted else None,
        Stage.FILED: organization.filed_on,
    }
    current = case.stage
    if current == Stage.CLOSED:
        # How far it went before it was closed.
        at = max((i for i, stage in enumerate(STEPS) if dates[stage]), default=0) + 1
    elif current == Stage.FILED:
        at = len(STEPS)
    else:
        at = STEPS.index(current)
    steps = []
    for i, stage in enumerate(STEPS):
        state = "done" if i < at else "current" if i == at and current != Stage.CLOSED else "todo"
        steps.append(Step(stage, Stage(stage).label, state, dates[stage] if state != "todo" else None))
    return steps


def case_needs(case: IncubationCase) -> list[Need]:
    return list(case.needs.order_by("-reported_on", "-id"))


def case_notes(case: IncubationCase) -> list[CoachingNote]:
    """Coaching notes, newest first, with who recorded them (one query)."""
    return list(case.notes.select_related("created_by").order_by("-on", "-id"))


def case_candidates(case: IncubationCase) -> list[LeaderCandidate]:
    """The organization's candidate leaders (三强), chosen first, withdrawn last (one query)."""
    order = Case(
        When(status=LeaderCandidate.Status.CHOSEN, then=Value(0)),
        When(status=LeaderCandidate.Status.CANDIDATE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        LeaderCandidate.objects.filter(organization_id=case.organization_id)
        .select_related("person")
        .annotate(rank=order)
        .order_by("rank", "-created_at", "-id")
    )


def case_filings(case: IncubationCase) -> list[Filing]:
    """Every filing request of the case's organization, newest first (one query)."""
    return list(Filing.objects.filter(organization_id=case.organization_id).order_by("-submitted_at", "-id"))


def needs_to_link(case: IncubationCase, search: str = "", limit: int = 20) -> list[Need]:
    """Open or served needs of the organization's community that the case does not answer yet."""
    queryset = Need.objects.filter(
        community_id=case.organization.community_id, status__in=[Need.Status.OPEN, Need.Status.SERVED]
    ).exclude(cases=case)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(affected_group__icontains=search))
    return list(queryset.order_by("-reported_on", "-id")[:limit])


def needs_for_case(user: Any, community_id: int | None = None) -> QuerySet[Need]:
    """Needs a new case may answer: open or served needs where the user may open cases."""
    queryset = Need.objects.filter(
        status__in=[Need.Status.OPEN, Need.Status.SERVED],
        community__in=communities_in_scope(user, Perm.CASES_CHANGE),
    )
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    return queryset.select_related("community").order_by("community__path", "-reported_on", "-id")
