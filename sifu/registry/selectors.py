"""Reads of the registry shared by pages, exports, the API and outcomes.

Figures are SQL aggregates over records, never stored totals. "Active on a date" reads the
effective-dated lifecycle log (OrganizationStatusChange): the latest change on or before the date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sifu.accounts.models import Area
from sifu.core import masking
from sifu.core.history import Change, HistoryEntry, history_entries
from sifu.core.permissions import Perm, scope_for
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person

LIVE_LEGAL = (Organization.LegalStatus.FILED, Organization.LegalStatus.REGISTERED)


def organizations_with_state_on(on: dt.date, qs: QuerySet[Organization] | None = None) -> QuerySet[Organization]:
    """Annotate ``state_on`` and ``legal_on``: each organization's status and legal status on ``on``."""
    latest = OrganizationStatusChange.objects.filter(organization=OuterRef("pk"), effective_on__lte=on).order_by(
        "-effective_on", "-id"
    )
    qs = Organization.objects.all() if qs is None else qs
    return qs.annotate(
        state_on=Subquery(latest.values("status")[:1]),
        legal_on=Subquery(latest.values("legal_status")[:1]),
    )


def active_organizations_on(on: dt.date, *, area: Area | None = None) -> QuerySet[Organization]:
    """Filed or registered organizations, neither dormant nor dissolved, on ``on``."""
    qs = Organization.objects.all()
    if area is not None:
        qs = qs.filter(community__path__startswith=area.path)
    return organizations_with_state_on(on, qs).filter(state_on=Organization.Status.ACTIVE, legal_on__in=LIVE_LEGAL)


def registry_figures(on: dt.date, *, area: Area | None = None) -> dict[str, Any]:
    """The registry's figures on a date, in six aggregate queries:

    1. organizations by nature, category and legal status (one row of conditional counts)
    2. organizations by community
    3. memberships and distinct people
    4. party members, organizations with party members, party-member leaders
    5. party branches founded by the date and 党建入章 (one row)
    """
    active = active_organizations_on(on, area=area)
    N, C = Organization.Nature, Organization.Category
    org_row = active.aggregate(
        active=Count("pk"),
        association=Count("pk", filter=Q(nature=N.ASSOCIATION)),
        service=Count("pk", filter=Q(nature=N.SERVICE)),
        charity=Count("pk", filter=Q(category=C.CHARITY)),
        life=Count("pk", filter=Q(category=C.LIFE)),
        affairs=Count("pk", filter=Q(category=C.AFFAIRS)),
        culture=Count("pk", filter=Q(category=C.CULTURE)),
        filed=Count("pk", filter=Q(legal_on=Organization.LegalStatus.FILED)),
        registered=Count("pk", filter=Q(legal_on=Organization.LegalStatus.REGISTERED)),
        party_branches=Count("pk", filter=Q(party_branch_founded_on__lte=on)),
        party_clause_in_charter=Count("pk", filter=Q(party_clause_in_charter=True)),
    )
    by_community_rows = (
        active.order_by()
        .values("community__name", "community__path")
        .annotate(n=Count("pk"))
        .order_by("community__path")
    )
    by_community = {row["community__name"]: row["n"] for row in by_community_rows}
    memberships = Membership.objects.current(on).filter(organization__in=active.values("pk"))
    party = Q(person__political_status__in=Person.PARTY_STATUSES)
    member_row = memberships.aggregate(
        memberships=Count("pk"),
        people=Count("person", distinct=True),
        party_members=Count("pk", filter=party),
        orgs_with_party_members=Count("organization", filter=party, distinct=True),
        party_member_leaders=Count("organization", filter=party & Q(role=Membership.Role.LEADER), distinct=True),
    )
    return {
        "organizations": {
            "active": org_row["active"],
            "by_nature": {"association": org_row["association"], "service": org_row["service"]},
            "by_category": {k: org_row[k] for k in ("charity", "life", "affairs", "culture")},
            "by_legal_status": {"filed": org_row["filed"], "registered": org_row["registered"]},
            "by_community": by_community,
        },
        "members": {"memberships": member_row["memberships"], "people": member_row["people"]},
        "party": {
            "orgs_with_party_members": member_row["orgs_with_party_members"],
            "party_members": member_row["party_members"],
            "party_member_leaders": member_row["party_member_leaders"],
            "party_branches": org_row["party_branches"],
            "party_clause_in_charter": org_row["party_clause_in_charter"],
        },
    }


def public_counts() -> dict[str, int]:
    """Headline numbers for the public home page (one query)."""
    return Organization.objects.public().aggregate(
        organizations=Count("pk"),
        communities=Count("community", distinct=True),
    )


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


def community_figures(on: dt.date, *, area: Area | None = None) -> list[dict[str, Any]]:
    """Per community under ``area`` on ``on``: active organizations, current memberships, party
    members among them and party branches. Every community is listed, with zeros where it has
    none, in tree order. Three queries whatever the number of communities or organizations:

    1. the communities (with their parent's name)
    2. active organizations GROUP BY community
    3. current memberships of active organizations GROUP BY community
    """
    communities = Area.objects.communities().select_related("parent").order_by("path")
    if area is not None:
        communities = communities.filter(path__startswith=area.path)
    active = active_organizations_on(on, area=area)
    org_rows = {
        row["community_id"]: row
        for row in active.order_by()
        .values("community_id")
        .annotate(active=Count("pk"), party_branches=Count("pk", filter=Q(party_branch_founded_on__lte=on)))
    }
    party = Q(person__political_status__in=Person.PARTY_STATUSES)
    member_rows = {
        row["organization__community_id"]: row
        for row in Membership.objects.current(on)
        .filter(organization__in=active.values("pk"))
        .order_by()
        .values("organization__community_id")
        .annotate(memberships=Count("pk"), party_members=Count("pk", filter=party))
    }
    rows = []
    for community in communities:
        org_row = org_rows.get(community.pk, {})
        member_row = member_rows.get(community.pk, {})
        rows.append(
            {
                "id": community.pk,
                "name": community.name,
                "path": community.path,
                "parent_name": community.parent.name if community.parent_id else "",
                "active": org_row.get("active", 0),
                "memberships": member_row.get("memberships", 0),
                "party_members": member_row.get("party_members", 0),
                "party_branches": org_row.get("party_branches", 0),
            }
        )
    return rows


# Organization pages: office list and detail, timeline, public directory ----------------------

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
    """"expired", "expiring" or "" for one organization: the rule of ``filing_expiring_q`` in memory.

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


def _party_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}person__political_status__in": Person.PARTY_STATUSES})


def with_member_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``member_count`` and ``party_member_count`` (current memberships) as subqueries,
    so a page of organizations costs one query however many members they have."""
    current = Membership.objects.filter(organization=OuterRef("pk"), left_on__isnull=True).order_by()

    def counted(memberships: QuerySet[Membership]) -> Coalesce:
        return Coalesce(Subquery(memberships.values("organization").annotate(n=Count("pk")).values("n")[:1]), 0)

    return qs.annotate(member_count=counted(current), party_member_count=counted(current.filter(_party_q())))


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
            Membership.objects.filter(organization=OuterRef("pk"), left_on__isnull=True).filter(_party_q())
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
    return Area.objects.communities().filter(q).order_by("path")


ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Membership.Role.values)),
    default=Value(len(Membership.Role.values)),
)


def organization_members_summary(organization: Organization, *, limit: int = 50) -> dict[str, Any]:
    """Current members of one organization for its detail page, in two queries:

    1. counts: members, party members, initiators, whether the leader is a party member
    2. up to ``limit`` current members with their person, leader first then by role and date
    """
    current = Membership.objects.filter(organization=organization, left_on__isnull=True)
    figures = current.aggregate(
        members=Count("pk"),
        party_members=Count("pk", filter=_party_q()),
        initiators=Count("pk", filter=Q(is_initiator=True)),
        party_leaders=Count("pk", filter=_party_q() & Q(role=Membership.Role.LEADER)),
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


ACTION_LABELS: dict[str, Any] = {
    "registry.organization.created": gettext_lazy("Organization recorded"),
    "registry.organization.updated": gettext_lazy("Profile updated"),
    "registry.organization.imported": gettext_lazy("Imported"),
    "registry.organization.incubation_started": gettext_lazy("Incubation started"),
    "registry.organization.filed": gettext_lazy("Filing recorded"),
    "registry.organization.registered": gettext_lazy("Registration recorded"),
    "registry.organization.made_dormant": gettext_lazy("Marked dormant"),
    "registry.organization.reactivated": gettext_lazy("Reactivated"),
    "registry.organization.dissolved": gettext_lazy("Dissolved"),
    "registry.membership.added": gettext_lazy("Member added"),
    "registry.membership.imported": gettext_lazy("Member imported"),
    "registry.membership.ended": gettext_lazy("Membership ended"),
    "registry.membership.role_changed": gettext_lazy("Role changed"),
    "registry.membership.leader_handed_over": gettext_lazy("Leadership handed over"),
    "registry.membership.leader_appointed": gettext_lazy("Leader appointed"),
}


def action_label(code: str) -> str:
    """A human label for a dotted action code; unknown codes are shown as they are."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    return code or str(gettext_lazy("Changed"))


@dataclass
class TimelineEntry:
    """One line of an organization's timeline: an organization version, a membership version,
    or a group of memberships added together (``names``)."""

    when: dt.datetime
    action: str
    label: str
    user: Any
    kind: str  # "organization", "membership" or "status"
    subject: str = ""
    changes: tuple[Change, ...] = ()
    effective_on: dt.date | None = None
    reason: str = ""
    from_status: str = ""
    to_status: str = ""
    names: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.names) or 1


GROUP_WINDOW = dt.timedelta(minutes=2)
_MEMBERSHIP_ADDED = ("registry.membership.added", "registry.membership.imported")


def _readable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _readable_changes(entries: list[HistoryEntry], model: type[models.Model]) -> list[HistoryEntry]:
    """Field changes as people read them: dates as YYYY-MM-DD, related-row ids replaced by the
    rows' names (one query per related model whose link changed; none for most timelines)."""
    fks = {f.name: f.related_model for f in model._meta.concrete_fields if f.is_relation}
    wanted: dict[Any, set[Any]] = {}
    for entry in entries:
        for change in entry.changes:
            if change.field in fks:
                wanted.setdefault(fks[change.field], set()).update(v for v in (change.old, change.new) if v != "")
    names = {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=sorted(ids))}
        for related, ids in wanted.items()
    }

    def readable(change: Change) -> Change:
        if change.field in fks:
            found = names[fks[change.field]]
            return replace(change, old=found.get(change.old, change.old), new=found.get(change.new, change.new))
        return replace(change, old=_readable(change.old), new=_readable(change.new))

    return [replace(entry, changes=tuple(readable(c) for c in entry.changes)) for entry in entries]


def organization_timeline(organization: Organization) -> list[TimelineEntry]:
    """Every recorded change of one organization, newest first, read from history. Three queries
    (plus one per related model whose link changed, e.g. the party-building instructor):

    1. the organization's versions (with their users)
    2. the versions of its memberships (with users and people)
    3. its lifecycle log (effective dates and reasons), matched to the transitions in 1
    """
    hidden = frozenset({"updated_at", "created_at", "status_since"})
    org_entries = history_entries(
        Organization.history.filter(id=organization.pk).select_related("history_user"), hidden_fields=hidden
    )
    org_entries = _readable_changes(org_entries, Organization)
    member_entries = history_entries(
        Membership.history.filter(organization_id=organization.pk).select_related("history_user", "person"),
        hidden_fields=frozenset({"updated_at", "created_at", "organization", "person"}),
    )
    member_entries = _readable_changes(member_entries, Membership)
    pending: dict[str, list[OrganizationStatusChange]] = {}
    for change in organization.status_changes.select_related("created_by").order_by("id"):
        pending.setdefault(change.action, []).append(change)

    timeline: list[TimelineEntry] = []
    for entry in sorted(org_entries, key=lambda e: (e.when, e.record.history_id)):
        item = TimelineEntry(
            when=entry.when,
            action=entry.action,
            label=action_label(entry.action),
            user=entry.user,
            kind="organization",
            changes=entry.changes,
        )
        if pending.get(entry.action):
            status_change = pending[entry.action].pop(0)
            item.effective_on = status_change.effective_on
            item.reason = status_change.reason
            item.from_status = status_change.get_from_status_display() if status_change.from_status else ""
            item.to_status = status_change.get_status_display()
            item.changes = tuple(c for c in item.changes if c.field != "status")  # shown as from → to
        timeline.append(item)
    for changes in pending.values():  # lifecycle entries without a matching version (e.g. old imports)
        for status_change in changes:
            timeline.append(
                TimelineEntry(
                    when=status_change.created_at,
                    action=status_change.action,
                    label=action_label(status_change.action),
                    user=status_change.created_by,
                    kind="status",
                    effective_on=status_change.effective_on,
                    reason=status_change.reason,
                    from_status=status_change.get_from_status_display() if status_change.from_status else "",
                    to_status=status_change.get_status_display(),
                )
            )
    for entry in member_entries:
        record = entry.record
        timeline.append(
            TimelineEntry(
                when=entry.when,
                action=entry.action,
                label=action_label(entry.action),
                user=entry.user,
                kind="membership",
                subject=f"{record.person.name} ({record.get_role_display()})" if record.person else "",
                changes=entry.changes,
            )
        )
    timeline.sort(key=lambda e: e.when, reverse=True)
    return _group_member_additions(timeline)


def _group_member_additions(timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """Fold runs of members added by the same user within two minutes (a roster typed in or
    imported) into one entry listing their names."""
    grouped: list[TimelineEntry] = []
    last_when: dt.datetime | None = None
    for entry in timeline:
        previous = grouped[-1] if grouped else None
        if (
            previous is not None
            and entry.kind == previous.kind == "membership"
            and entry.action in _MEMBERSHIP_ADDED
            and previous.action == entry.action
            and getattr(previous.user, "pk", None) == getattr(entry.user, "pk", None)
            and last_when is not None
            and last_when - entry.when <= GROUP_WINDOW
        ):
            if not previous.names:
                previous.names.append(previous.subject)
            previous.names.append(entry.subject)
        else:
            grouped.append(entry)
        last_when = entry.when
    for entry in grouped:
        if entry.names:
            entry.names.reverse()  # in the order they were added
            entry.subject = ""
    return grouped


def suggest_filing_number(year: int) -> str:
    """The next free filing number of the form NS{year}-{seq:04d}. One query."""
    prefix = f"NS{year}-"
    used = Organization.objects.filter(filing_number__startswith=prefix).values_list("filing_number", flat=True)
    seqs = [int(number[len(prefix) :]) for number in used if number[len(prefix) :].isdigit()]
    return f"{prefix}{max(seqs, default=0) + 1:04d}"


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


# People and memberships ---------------------------------------------------------------------

PEOPLE_PAGE_SIZE = 50
MEMBERS_PAGE_SIZE = 100
_LAST4_RE = re.compile(r"[0-9]{4}")
_PHONE_RE = re.compile(r"(\+?86|0086)?1[0-9]{10}")
_ID_RE = re.compile(r"[0-9]{17}[0-9Xx]")


def _fold_query(value: str) -> str:
    """Full-width digits and letters (typed with a Chinese input method) become ASCII; spaces go."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).replace("-", "")


def person_search_q(text: str) -> Q:
    """What a search box finds: 4 digits = phone's last four, 11 digits = phone, 18 = ID number, else name."""
    text = (text or "").strip()
    folded = _fold_query(text)
    if _LAST4_RE.fullmatch(folded):
        return Q(phone__endswith=folded)
    if _PHONE_RE.fullmatch(folded):
        return Q(phone=folded[-11:])
    if _ID_RE.fullmatch(folded):
        return Q(id_number=folded.upper())
    return Q(name__icontains=text)


def people_for_list(
    user: Any, *, q: str = "", political_status: str = "", community_id: int | None = None
) -> QuerySet[Person]:
    """People in the user's PEOPLE_VIEW scope with their community and count of current memberships.

    One query per page (plus the paginator's count): community by join, memberships counted by a
    correlated subquery so the scope filter's EXISTS and the count do not multiply rows.
    """
    current = (
        Membership.objects.filter(person=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Person.objects.for_user(user, Perm.PEOPLE_VIEW)
        .select_related("community")
        .annotate(current_memberships=Coalesce(Subquery(current), 0))
    )
    if q:
        qs = qs.filter(person_search_q(q))
    if political_status == "party":
        qs = qs.filter(political_status__in=Person.PARTY_STATUSES)
    elif political_status:
        qs = qs.filter(political_status=political_status)
    if community_id:
        qs = qs.filter(community_id=community_id)
    return qs.order_by("name", "id")


def person_memberships(person: Person) -> list[Membership]:
    """All of a person's memberships, current first then by joining date (one query)."""
    return list(
        Membership.objects.filter(person=person)
        .select_related("organization__community")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on", "id")
    )


PERSON_ACTIONS = {
    "registry.person.created": gettext_lazy("Recorded"),
    "registry.person.updated": gettext_lazy("Details changed"),
    "registry.membership.added": gettext_lazy("Joined %(org)s"),
    "registry.membership.imported": gettext_lazy("Joined %(org)s (imported)"),
    "registry.membership.ended": gettext_lazy("Left %(org)s"),
    "registry.membership.role_changed": gettext_lazy("Role changed in %(org)s"),
    "registry.membership.leader_handed_over": gettext_lazy("Handed over the leadership of %(org)s"),
    "registry.membership.leader_appointed": gettext_lazy("Became leader of %(org)s"),
}
_MASKERS = {"phone": masking.mask_phone, "id_number": masking.mask_id_number}
_PERSON_TIMELINE_HIDDEN = frozenset({"updated_at", "created_at", "user", "person", "organization"})


def person_timeline(person: Person, *, organization_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The person's history and that of their memberships in ``organization_ids``, newest first.

    Two queries (one per history table). Phone and ID number are masked in the diffs: seeing
    them in full goes through ``services.person_reveal``, which records it.
    """
    person_records = list(Person.history.filter(id=person.pk).select_related("history_user", "community"))
    membership_records = list(
        Membership.history.filter(person_id=person.pk, organization_id__in=list(organization_ids)).select_related(
            "history_user", "organization"
        )
    )
    community_names = {r.community_id: r.community.name for r in person_records if r.community_id}
    rows = []
    for entry in history_entries([*person_records, *membership_records], hidden_fields=_PERSON_TIMELINE_HIDDEN):
        org = getattr(entry.record, "organization", None)
        label = PERSON_ACTIONS.get(entry.action)
        title = action_label(entry.action) if label is None else str(label) % {"org": org.name if org else ""}
        changes = []
        for change in entry.changes:
            old, new = change.old, change.new
            if change.field in _MASKERS:
                old, new = _MASKERS[change.field](old or None), _MASKERS[change.field](new or None)
            elif change.field == "community":
                old, new = community_names.get(old, old), community_names.get(new, new)
            changes.append(replace(change, old=old, new=new))
        rows.append(
            {
                "when": entry.when,
                "action": entry.action,
                "title": title,
                "user": entry.user,
                "changes": changes,
                "organization": org,
            }
        )
    return rows


def organization_members(organization: Organization, *, state: str = "current") -> QuerySet[Membership]:
    """The organization's memberships with their people: leader first, then by role and joining date."""
    qs = Membership.objects.filter(organization=organization).select_related("person")
    if state == "current":
        qs = qs.filter(left_on__isnull=True)
    elif state == "past":
        qs = qs.filter(left_on__isnull=False)
    return qs.annotate(role_rank=ROLE_RANK).order_by("role_rank", "joined_on", "person__name", "id")


def organization_member_counts(organization: Organization) -> dict[str, int]:
    """Current, past and current party members of one organization (one query)."""
    current = Q(left_on__isnull=True)
    return Membership.objects.filter(organization=organization).aggregate(
        current=Count("pk", filter=current),
        past=Count("pk", filter=Q(left_on__isnull=False)),
        party=Count("pk", filter=current & Q(person__political_status__in=Person.PARTY_STATUSES)),
        initiators=Count("pk", filter=current & Q(is_initiator=True)),
    )


def identifiers_visible_to(user: Any, *, phone: str | None, id_number: str | None) -> bool:
    """Whether every person recorded with this phone or ID number is in the user's PEOPLE_VIEW scope.

    Used to word a matching error without naming a resident the user may not see (one query).
    """
    q = Q(pk__in=[])
    if phone:
        q |= Q(phone=phone)
    if id_number:
        q |= Q(id_number=id_number)
    found = Person.objects.filter(q)
    return not found.exclude(pk__in=Person.objects.for_user(user, Perm.PEOPLE_VIEW).values("pk")).exists()


def organization_leader(organization: Organization) -> Membership | None:
    """The organization's current leader membership, with the person (one query)."""
    return (
        Membership.objects.filter(organization=organization, left_on__isnull=True, role=Membership.Role.LEADER)
        .select_related("person")
        .first()
    )


def leader_candidates(organization: Organization) -> QuerySet[Person]:
    """Current members who are not the leader, by name: whom the leadership may be handed to."""
    members = Membership.objects.filter(organization=organization, left_on__isnull=True).exclude(
        role=Membership.Role.LEADER
    )
    return Person.objects.filter(pk__in=members.values("person_id")).order_by("name", "pk")


LEADER_MATCHES = 20


def leader_candidate_matches(
    organization: Organization, text: str = "", *, include: int | None = None, limit: int = LEADER_MATCHES
) -> tuple[list[Person], bool]:
    """Up to ``limit`` leader candidates matching ``text`` (``person_search_q``: part of a name, the
    phone's last four digits, a full phone or ID number), and whether more match. One query.

    Without ``text``: the first ``limit`` by role (deputies and backbone members first), then name.
    ``include`` (a person id already chosen) is kept in the list when it is a candidate, so a form
    shown again keeps its choice. Each person carries ``member_role`` (a Membership.Role value).
    """
    current = Membership.objects.filter(organization=organization, left_on__isnull=True).exclude(
        role=Membership.Role.LEADER
    )
    role = current.filter(person=OuterRef("pk")).annotate(role_rank=ROLE_RANK).order_by("role_rank")
    qs = Person.objects.filter(pk__in=current.values("person_id"))
    text = (text or "").strip()
    wanted = Q()
    if text:
        wanted = person_search_q(text) | Q(pk=include) if include is not None else person_search_q(text)
    rows = list(
        qs.filter(wanted)
        .annotate(
            member_role=Subquery(role.values("role")[:1]),
            role_rank=Subquery(role.values("role_rank")[:1]),
            chosen=Case(When(pk=include or 0, then=Value(0)), default=Value(1)),
        )
        .order_by("chosen", "role_rank", "name", "pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit
