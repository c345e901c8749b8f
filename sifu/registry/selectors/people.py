"""Reads behind the people and members pages: search, the people list, a person's memberships and
timeline (identifiers masked), an organization's members, and the leader handover's candidates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from sifu.core import masking
from sifu.core.history import history_entries
from sifu.core.permissions import Perm
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.selectors.common import ROLE_RANK
from sifu.registry.selectors.timeline import action_label

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
    them in full goes through ``privacy.services.person_reveal``, which records it.
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
    rows: list[Person] = list(
        qs.filter(wanted)
        .annotate(
            member_role=Subquery(role.values("role")[:1]),
            role_rank=Subquery(role.values("role_rank")[:1]),
            chosen=Case(When(pk=include or 0, then=Value(0)), default=Value(1)),
        )
        .order_by("chosen", "role_rank", "name", "pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit
