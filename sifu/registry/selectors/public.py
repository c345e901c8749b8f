"""Reads of the public face: the directory, profiles and the home page's headline numbers.
Only filed or registered organizations that are not dissolved, and no personal data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from sifu.accounts.models import Area
from sifu.registry.models import Organization
from sifu.registry.selectors.organizations import with_member_counts


def public_counts() -> dict[str, int]:
    """Headline numbers for the public home page (one query)."""
    return Organization.objects.public().aggregate(
        organizations=Count("pk"),
        communities=Count("community", distinct=True),
    )


def public_organizations() -> QuerySet[Organization]:
    """Organizations shown to residents (filed or registered, not dissolved), with member counts."""
    return with_member_counts(Organization.objects.public().select_related("community"))


def public_directory(filters: Mapping[str, Any]) -> QuerySet[Organization]:
    """The public directory, filtered by community, category and text. One query per page."""
    qs = public_organizations()
    if community := filters.get("community"):
        qs = qs.filter(community_id=getattr(community, "pk", community))
    if category := filters.get("category"):
        qs = qs.filter(category=category)
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=text) | Q(purpose__icontains=text) | Q(service_scope__icontains=text))
    return qs.order_by("community__path", "name", "pk")


def public_communities() -> QuerySet[Area]:
    """Communities that have at least one organization in the public directory."""
    return Area.objects.filter(pk__in=Organization.objects.public().values("community_id")).order_by("path")
