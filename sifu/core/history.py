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

from django.db import connection, models
from django.utils import timezone
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
    if not connection.features.can_return_rows_from_bulk_insert:  # simple-history finds the new keys
        return bulk_create_with_history(
            list(objs),
            model,
            batch_size=batch_size,
            default_user=by if getattr(by, "pk", None) else None,
            default_change_reason=action,
        )
    created = model._default_manager.bulk_create(list(objs), batch_size=batch_size)
    insert_histories(model, [(obj, action) for obj in created], by=by)
    return created


# Fields whose database value is the Python value itself when it is a str, int, bool or None.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
_PLAIN_TYPES = (str, int, bool, type(None))


def insert_histories(
    model: type[models.Model], versions: Sequence[tuple[models.Model, str]], *, by: Any, update: bool = False
) -> None:
    """Write one history version per (row as it is now, action code), in one prepared INSERT run
    for each (``executemany``), as ``save_with_history`` would one at a time.

    For large imports: simple-history's bulk path builds a model instance and compiles SQL for each
    version, which cost more than the rows themselves. Rows must have their primary keys.
    """
    if not versions:
        return
    history = model.history.model  # type: ignore[attr-defined]
    tracked = {f.attname for f in history.tracked_fields}
    fields = [f for f in history._meta.concrete_fields if f is not history._meta.pk]
    user_id = by.pk if getattr(by, "pk", None) else None
    kind = "~" if update else "+"
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(history._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    plain = [f.get_internal_type() in _PLAIN for f in fields]
    rows = []
    for obj, action in versions:
        extra = {
            "history_date": timezone.now(),
            "history_change_reason": action,
            "history_type": kind,
            "history_user_id": user_id,
        }
        row = []
        for f, is_plain in zip(fields, plain, strict=True):
            value = getattr(obj, f.attname) if f.attname in tracked else extra.get(f.attname, f.get_default())
            row.append(value if is_plain and isinstance(value, _PLAIN_TYPES) else f.get_db_prep_save(value, connection))
        rows.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


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
