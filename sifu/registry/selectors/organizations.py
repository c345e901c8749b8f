"""Reads behind the office's organization pages: the list (filters, sort, member counts), the
home page's summary, filing expiry, the detail page's members, and the edit and filing forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.core.permissions import Perm, scope_for
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.selectors.common import ROLE_RANK, party_q


def office_summary(user: Any) -> dict[str, Any]:
    """What a staff member's home page shows about the organizations in their scope (one query)."""
    qs = Organization.objects.for_user(user, Perm.ORG_VIEW)
    S = Organization.Status
    return qs.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=S.ACTIVE)),
        incubating=Count("pk", filter=Q(status__in=[S.PROPOSED, S.INCUBATING])),
        dormant=Count("pk", filter=Q(status=S.DORMANT)),
        filing_expiring=Count("pk", filter=filing_expiring_q()),
    )


EXPIRY_WARNING_DAYS = 30


def filing_expiring_q(today: dt.date | None = None) -> Q:
    """Active, filed organizations whose filing ends within 30 days or has ended."""
    today = today or timezone.localdate()
    return Q(
        status=Organization.Status.ACTIVE,
        legal_status=Organization.LegalStatus.FILED,
        filing_valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
    )


def filing_warning(organization: Organization, today: dt.date | None = None) -> str:
    """ "expired", "expiring" or "" for one organization: the rule of ``filing_expiring_q`` in memory.

    Only an active, *filed* organization has a filing to renew: once registered (a legal person)
    its old filing no longer matters, and a dormant or dissolved one is not chased for renewal.
    """
    until = organization.filing_valid_until
    if (
        until is None
        or organization.status != Organization.Status.ACTIVE
        or organization.legal_status != Organization.LegalStatus.FILED
    ):
        return ""
    today = today or timezone.localdate()
    if until < today:
        return "expired"
    if until <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return ""


def with_member_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``member_count`` and ``party_member_count`` (current memberships) as subqueries,
    so a page of organizations costs one query however many members they have."""
    current = Membership.objects.filter(organization=OuterRef("pk"), left_on__isnull=True).order_by()

    def counted(memberships: QuerySet[Membership]) -> Coalesce:
        return Coalesce(Subquery(memberships.values("organization").annotate(n=Count("pk")).values("n")[:1]), 0)

    return qs.annotate(member_count=counted(current), party_member_count=counted(current.filter(party_q())))


ORGANIZATION_SORTS: dict[str, str] = {
    "name": "name",
    "community": "community__path",
    "category": "category",
    "status": "status",
    "founded": "founded_on",
    "filed": "filed_on",
    "members": "member_count",
}


def sort_organizations(qs: QuerySet[Organization], sort: str | None) -> QuerySet[Organization]:
    """Order by one of ORGANIZATION_SORTS ("-" for descending); empty dates last; ties by name."""
    key = (sort or "").lstrip("-")
    if key not in ORGANIZATION_SORTS:
        return qs.order_by("community__path", "name", "pk")
    expr = F(ORGANIZATION_SORTS[key])
    first = expr.desc(nulls_last=True) if (sort or "").startswith("-") else expr.asc(nulls_last=True)
    return qs.order_by(first, "name", "pk")


def filter_organizations(qs: QuerySet[Organization], filters: Mapping[str, Any]) -> QuerySet[Organization]:
    """Apply the office list's filters (the cleaned data of OrganizationFilterForm)."""
    S = Organization.Status
    if community := filters.get("community"):
        qs = qs.filter(community_id=getattr(community, "pk", community))
    for name in ("category", "nature", "legal_status"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if status := filters.get("status"):
        # "incubating" is how the office home counts it: proposed or incubating.
        qs = qs.filter(status__in=[S.PROPOSED, S.INCUBATING]) if status == S.INCUBATING else qs.filter(status=status)
    if (branch := filters.get("party_branch")) in ("yes", "no"):
        qs = qs.filter(party_branch_founded_on__isnull=branch == "no")
    if (party := filters.get("party_members")) in ("yes", "no"):
        has_party = Exists(
            Membership.objects.filter(organization=OuterRef("pk"), left_on__isnull=True).filter(party_q())
        )
        qs = qs.filter(has_party) if party == "yes" else qs.filter(~has_party)
    if filters.get("filing") == "expiring":
        qs = qs.filter(filing_expiring_q())
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=text) | Q(filing_number__icontains=text) | Q(uscc__icontains=text))
    return qs


def organization_list(user: Any, filters: Mapping[str, Any], *, perm: str = Perm.ORG_VIEW) -> QuerySet[Organization]:
    """Organizations in the user's scope for ``perm``, filtered, with member counts, sorted. One query."""
    qs = Organization.objects.for_user(user, perm).select_related("community")
    return sort_organizations(with_member_counts(filter_organizations(qs, filters)), filters.get("sort"))


def communities_in_scope(user: Any, perm: str) -> QuerySet[Area]:
    """Communities where the user holds ``perm``: under granted areas or holding a granted organization."""
    scope = scope_for(user, perm)
    q = scope.q("path")
    if not scope.everywhere and scope.organization_ids:
        q |= Q(pk__in=Organization.objects.filter(pk__in=sorted(scope.organization_ids)).values("community_id"))
    # Grouped by subdistrict, then in the order they were created. Not by ``path`` as text: "1/2/10/"
    # sorts before "1/2/9/", so the order would flip as ids gain a digit.
    return Area.objects.communities().filter(q).order_by("parent_id", "pk")


def organization_members_summary(organization: Organization, *, limit: int = 50) -> dict[str, Any]:
    """Current members of one organization for its detail page, in two queries:

    1. counts: members, party members, initiators, whether the leader is a party member
    2. up to ``limit`` current members with their person, leader first then by role and date
    """
    current = Membership.objects.filter(organization=organization, left_on__isnull=True)
    figures = current.aggregate(
        members=Count("pk"),
        party_members=Count("pk", filter=party_q()),
        initiators=Count("pk", filter=Q(is_initiator=True)),
        party_leaders=Count("pk", filter=party_q() & Q(role=Membership.Role.LEADER)),
    )
    rows = list(
        current.select_related("person").annotate(role_rank=ROLE_RANK).order_by("role_rank", "joined_on", "pk")[:limit]
    )
    leader = rows[0] if rows and rows[0].role == Membership.Role.LEADER else None
    return {
        **figures,
        "rows": rows,
        "more": max(figures["members"] - len(rows), 0),
        "leader": leader,
        "leader_is_party_member": bool(figures["party_leaders"]),
    }


def suggest_filing_number(year: int) -> str:
    """The next free filing number of the year in the office's format (settings.SIFU_FILING_NUMBER_FORMAT,
    e.g. 南山街备〔{year}〕{seq:03d}号): one more than the highest sequence used that year. One query."""
    fmt = settings.SIFU_FILING_NUMBER_FORMAT
    head, _, tail = fmt.partition("{seq")
    prefix = head.format(year=year)
    suffix = tail.partition("}")[2].format(year=year)
    used = Organization.objects.filter(filing_number__startswith=prefix).values_list("filing_number", flat=True)
    seqs = [
        int(middle)
        for number in used
        if number is not None
        and number.endswith(suffix)
        and (middle := number[len(prefix) : len(number) - len(suffix)]).isdigit()
    ]
    return fmt.format(year=year, seq=max(seqs, default=0) + 1)


def instructor_candidates(user: Any, text: str, *, limit: int = 10) -> list[Person]:
    """People in the user's scope matching a name (part) or a phone number (at least 4 digits). One query."""
    text = (text or "").strip()
    if not text:
        return []
    q = Q(name__icontains=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4 and digits == text.replace(" ", "").replace("-", ""):
        q |= Q(phone__contains=digits)
    return list(
        Person.objects.for_user(user, Perm.PEOPLE_VIEW)
        .filter(q)
        .select_related("community")
        .order_by("name", "pk")[:limit]
    )
