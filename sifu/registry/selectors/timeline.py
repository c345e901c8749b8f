"""An organization's timeline, read from history (DESIGN.md §4.3): its versions, its members'
versions and its effective-dated lifecycle log, merged newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from sifu.core.history import Change, HistoryEntry, history_entries
from sifu.core.permissions import Perm, scope_for
from sifu.registry.models import Membership, Organization, OrganizationStatusChange

ACTION_LABELS: dict[str, Any] = {
    "registry.organization.created": gettext_lazy("Organization recorded"),
    "registry.organization.updated": gettext_lazy("Profile updated"),
    "registry.organization.imported": gettext_lazy("Imported"),
    "registry.organization.incubation_started": gettext_lazy("Incubation started"),
    "registry.organization.filed": gettext_lazy("Filing recorded"),
    "registry.organization.registered": gettext_lazy("Registration recorded"),
    "registry.organization.filing_renewed": gettext_lazy("Filing renewed"),
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


def recent_status_changes(user: Any, *, limit: int = 10) -> list[OrganizationStatusChange]:
    """The latest lifecycle changes in the user's scope by the day they took effect, newest first (one
    query): a change entered late for an earlier day takes its place among the others."""
    scope = scope_for(user, Perm.ORG_VIEW)
    if scope.empty:
        return []
    changes = list(
        OrganizationStatusChange.objects.filter(scope.q("organization__community__path", "organization_id"))
        .select_related("organization__community", "created_by")
        .order_by("-effective_on", "-created_at", "-id")[:limit]
    )
    for change in changes:
        change.label = action_label(change.action)  # type: ignore[attr-defined]
    return changes
