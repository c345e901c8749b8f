"""Reads for the leader candidate pages (三强): an organization's candidates, the overview across
organizations, the people who may be added, a candidate's timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from sifu.core.history import HistoryEntry, history_entries
from sifu.core.permissions import Perm
from sifu.incubation.models import LeaderCandidate
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.selectors import person_search_q

STRONG = LeaderCandidate.Assessment.STRONG
THREE_STRONG_Q = Q(party_spirit=STRONG, organizing_ability=STRONG, public_spirit=STRONG)
PARTY_Q = Q(person__political_status__in=Person.PARTY_STATUSES)
PERSON_MATCHES = 20

_STATUS_RANK = Case(
    When(status=LeaderCandidate.Status.CHOSEN, then=Value(0)),
    When(status=LeaderCandidate.Status.CANDIDATE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_STRONG_RANK = Case(When(THREE_STRONG_Q, then=Value(0)), default=Value(1), output_field=IntegerField())


def organization_candidates(organization: Organization) -> list[LeaderCandidate]:
    """The organization's candidates: chosen, then candidates (三强 first), then withdrawn (one query)."""
    return list(
        LeaderCandidate.objects.filter(organization=organization)
        .select_related("person__community")
        .annotate(status_rank=_STATUS_RANK, strong_rank=_STRONG_RANK)
        .order_by("status_rank", "strong_rank", "person__name", "pk")
    )


def candidate_overview(user: Any, filters: dict[str, Any]) -> QuerySet[LeaderCandidate]:
    """Candidates of the organizations in the user's CASES_VIEW scope, by community and organization.

    One query per page (plus the paginator's count): organization, community and person are joined.
    Filters: ``three_strong`` (all three assessed strong), ``party`` (the person is a CPC member or
    probationary member), ``community`` (id), ``status``, ``q`` (person or organization name).
    """
    qs = LeaderCandidate.objects.for_user(user, Perm.CASES_VIEW).select_related("organization__community", "person")
    if filters.get("three_strong"):
        qs = qs.filter(THREE_STRONG_Q)
    if filters.get("party"):
        qs = qs.filter(PARTY_Q)
    if filters.get("community"):
        qs = qs.filter(organization__community_id=filters["community"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(person__name__icontains=q) | Q(organization__name__icontains=q))
    return qs.annotate(status_rank=_STATUS_RANK, strong_rank=_STRONG_RANK).order_by(
        "organization__community__path", "organization__name", "status_rank", "strong_rank", "person__name", "pk"
    )


def candidate_counts(user: Any) -> dict[str, int]:
    """Candidates in scope, those still open, 三强 among them, party members among them (one query)."""
    open_ = Q(status=LeaderCandidate.Status.CANDIDATE)
    return LeaderCandidate.objects.for_user(user, Perm.CASES_VIEW).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=open_),
        three_strong=Count("pk", filter=open_ & THREE_STRONG_Q),
        party=Count("pk", filter=open_ & PARTY_Q),
        chosen=Count("pk", filter=Q(status=LeaderCandidate.Status.CHOSEN)),
    )


def person_matches(
    user: Any, organization: Organization, text: str = "", *, include: int | None = None, limit: int = PERSON_MATCHES
) -> tuple[list[Person], bool]:
    """People the user may see who could be added as candidates of ``organization``, and whether more
    match. One query.

    With ``text`` (``person_search_q``: part of a name, the phone's last four digits, a full phone or
    ID number): anyone in the user's PEOPLE_VIEW scope. Without: the organization's current members.
    People already candidates (or leading it) are left out. Members of the organization come first,
    then party members, then by name; each person carries ``is_member``. ``include`` (a person id
    already chosen) stays in the list when it qualifies, so a form shown again keeps its choice.
    """
    members = registry_selectors.current_memberships(organization)
    qs = (
        registry_selectors.people_for_user(user, Perm.PEOPLE_VIEW)
        .exclude(leader_candidacies__organization=organization)
        .exclude(pk__in=members.filter(role=Membership.Role.LEADER).values("person_id"))
        .select_related("community")
        .annotate(
            is_member=Exists(members.filter(person=OuterRef("pk"))),
            party_rank=Case(
                When(political_status__in=Person.PARTY_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
    )
    text = (text or "").strip()
    wanted = person_search_q(text) if text else Q(is_member=True)
    if include is not None:
        wanted |= Q(pk=include)
    rows: list[Person] = list(
        qs.filter(wanted)
        .annotate(chosen=Case(When(pk=include or 0, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("chosen", "-is_member", "party_rank", "name", "pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def candidate_timeline(candidate: LeaderCandidate) -> list[HistoryEntry]:
    """Every recorded version of the candidate, newest first (one query)."""
    return history_entries(LeaderCandidate.history.filter(id=candidate.pk).select_related("history_user"))
