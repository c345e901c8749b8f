"""Reads for the needs pages: the community's queue, the screening choices, the timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from sifu.accounts.models import Area
from sifu.core.history import HistoryEntry, history_entries
from sifu.core.permissions import Perm
from sifu.incubation.models import Need
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization


def need_list(user: Any, filters: dict[str, Any]) -> QuerySet[Need]:
    """The needs in the user's scope, those awaiting screening first, then the newest.

    One query per page (plus the paginator's count): the community is joined and the number of
    linked organizations is an annotation.
    """
    queryset = (
        Need.objects.for_user(user, Perm.NEEDS_VIEW)
        .select_related("community")
        .annotate(
            organization_count=Count("organizations", distinct=True),
            queue=Case(
                When(status=Need.Status.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("queue", "-reported_on", "-id")
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("community"):
        queryset = queryset.filter(community_id=filters["community"])
    if filters.get("q"):
        q = filters["q"]
        queryset = queryset.filter(Q(title__icontains=q) | Q(affected_group__icontains=q) | Q(place__icontains=q))
    return queryset


def merge_candidates(need: Need, search: str = "", limit: int = 20) -> list[Need]:
    """Needs of the same community this one may be merged into (open or served), by title search."""
    queryset = Need.objects.filter(
        community_id=need.community_id, status__in=[Need.Status.OPEN, Need.Status.SERVED]
    ).exclude(pk=need.pk)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(affected_group__icontains=search))
    return list(queryset.order_by("-reported_on", "-id")[:limit])


def organizations_to_link(user: Any, need: Need, search: str = "", limit: int = 20) -> list[Organization]:
    """Organizations of the need's subdistrict, visible to the user, not yet linked (not dissolved)."""
    queryset = (
        registry_selectors.organizations_for_user(user, Perm.ORG_VIEW)
        .filter(community__parent_id=need.community.parent_id)
        .exclude(status=Organization.Status.DISSOLVED)
        .exclude(needs=need)
        .select_related("community")
    )
    if search:
        queryset = queryset.filter(name__icontains=search)
    return list(queryset.order_by("community__path", "name")[:limit])


def communities_for_submission() -> QuerySet[Area]:
    """Communities a resident can submit a need to: those of subdistricts with a public organization,
    or every community when no subdistrict has one yet."""
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY)
    subdistricts = registry_selectors.subdistricts_with_public_organizations()
    with_public = communities.filter(parent_id__in=subdistricts)
    return (with_public if with_public.exists() else communities).select_related("parent").order_by("path")


def need_timeline(need: Need) -> list[HistoryEntry]:
    """Every recorded version of the need, newest first (one query). Submitter contact is left out."""
    return history_entries(
        Need.history.filter(id=need.pk).select_related("history_user"),
        hidden_fields=frozenset(
            {"updated_at", "created_at", "submitter_name", "submitter_phone", "created_by", "merged_into"}
        ),
    )
