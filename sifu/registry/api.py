"""Read-only API of the registry (an ApiRoute of its contributions.py, mounted at /api/v1/).

Payloads carry no personal data: no people at all (not even the leader or the party-building
instructor), only the organization's own record and counts of current members.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from sifu.core.api import perm_required
from sifu.core.permissions import Perm
from sifu.registry.models import Organization, Person


class OrganizationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:organization-detail")
    community_name = serializers.CharField(source="community.name", read_only=True)
    has_party_branch = serializers.BooleanField(read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text="Current memberships.")
    party_member_count = serializers.IntegerField(
        read_only=True, help_text="Current memberships held by CPC (probationary) members."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "name",
            "form",
            "nature",
            "category",
            "community",
            "community_name",
            "guiding_unit",
            "status",
            "legal_status",
            "status_since",
            "filing_number",
            "filed_on",
            "filing_valid_until",
            "uscc",
            "registered_on",
            "founded_on",
            "purpose",
            "service_scope",
            "venue",
            "venue_kind",
            "funding_source",
            "party_clause_in_charter",
            "party_branch_name",
            "party_branch_founded_on",
            "has_party_branch",
            "member_count",
            "party_member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrganizationFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id", help_text="Area id of the community.")
    category = django_filters.ChoiceFilter(choices=Organization.Category.choices)
    nature = django_filters.ChoiceFilter(choices=Organization.Nature.choices)
    legal_status = django_filters.ChoiceFilter(choices=Organization.LegalStatus.choices)
    status = django_filters.ChoiceFilter(choices=Organization.Status.choices)
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the name, filing number or unified social credit code."
    )

    class Meta:
        model = Organization
        fields = ["community", "category", "nature", "legal_status", "status", "search"]

    def filter_search(self, queryset: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(filing_number__icontains=value) | Q(uscc__icontains=value.upper())
        )


@extend_schema_view(
    list=extend_schema(summary="Organizations in your scope", tags=["registry"]),
    retrieve=extend_schema(summary="One organization in your scope", tags=["registry"]),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Community social organizations (社区社会组织) the caller may see; 404 for any other."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    permission_classes = [perm_required(Perm.ORG_VIEW)]

    def get_queryset(self) -> QuerySet[Organization]:
        current = Q(memberships__left_on__isnull=True)
        party = current & Q(memberships__person__political_status__in=Person.PARTY_STATUSES)
        return (
            Organization.objects.for_user(self.request.user, Perm.ORG_VIEW)
            .select_related("community")
            .annotate(
                member_count=Count("memberships", filter=current),
                party_member_count=Count("memberships", filter=party),
            )
            .order_by("community__path", "name", "pk")
        )
