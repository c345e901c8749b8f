"""History helpers (DESIGN.md §4.3).

Every domain model carries ``HistoricalRecords``. Services save through ``save_with_history``
so each version records who (``by``), when, and a dotted action code as the change reason,
e.g. ``registry.organization.filed``. Timelines are read back with ``history_entries``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history


def save_with_history(
    instance: models.Model,
    *,
    action: str,
    by: Any,
    update_fields: Iterable[str] | None = None,
) -> models.Model:
    instance._change_reason = action  # type: ignore[attr-defined]
    instance._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    if update_fields is not None:
        fields = set(update_fields)
        if any(f.name == "updated_at" for f in instance._meta.fields):
            fields.add("updated_at")
        instance.save(update_fields=sorted(fields))
    else:
        instance.save()
    return instance


def bulk_create_histories[M: models.Model](
    model: type[M], objs: Sequence[M], *, action: str, by: Any, batch_size: int = 500
) -> list[M]:
    """Create many rows and their first history versions in a few queries."""
    return bulk_create_with_history(
        list(objs),
        model,
        batch_size=batch_size,
        default_user=by if getattr(by, "pk", None) else None,
        default_change_reason=action,
    )


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One version of one row, as a timeline shows it."""

    when: datetime
    action: str
    user: Any
    kind: str  # "+" created, "~" changed, "-" deleted
    subject: models.Model
    changes: tuple[Change, ...]
    record: Any


def _display(field: models.Field, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return value


def history_entries(
    records: Iterable[Any], *, hidden_fields: frozenset[str] = frozenset({"updated_at"})
) -> list[HistoryEntry]:
    """Turn historical records (any order, possibly of several rows) into entries with diffs.

    Diffs are computed in memory against the previous version of the same row, so a timeline
    costs one query per history table whatever its length.
    """
    by_row: dict[tuple[type, Any], list[Any]] = {}
    for record in records:
        by_row.setdefault((type(record), record.id), []).append(record)
    entries: list[HistoryEntry] = []
    for versions in by_row.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            changes: list[Change] = []
            model = record.instance_type
            if previous is not None:
                tracked = {f.attname for f in type(record)._meta.concrete_fields}
                for field in model._meta.concrete_fields:
                    # Fields excluded from history (e.g. a user's password) are not on the record.
                    if field.name in hidden_fields or field.primary_key or field.attname not in tracked:
                        continue
                    old = getattr(previous, field.attname)
                    new = getattr(record, field.attname)
                    if old != new:
                        changes.append(
                            Change(
                                field=field.name,
                                label=str(field.verbose_name),
                                old=_display(field, old),
                                new=_display(field, new),
                            )
                        )
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    action=record.history_change_reason or "",
                    user=record.history_user,
                    kind=record.history_type,
                    subject=record,
                    changes=tuple(changes),
                    record=record,
                )
            )
            previous = record
    entries.sort(key=lambda e: (e.when, e.record.history_id), reverse=True)
    return entries
