"""Bulk writes for large imports.

The same rules as the one-row services, checked in memory over many rows, with reads and writes
in chunks: a 10,000-organization workbook costs a few hundred queries instead of a few hundred
thousand (bench/results.md). Each checks EVERY row and, when some are refused, raises
``RowsRefused`` naming each refused row, before writing anything.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import bulk_create_histories, insert_histories
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_uscc
from sifu.registry.lifecycle import ORGANIZATION_FLOW, floor_problems
from sifu.registry.models import (
    Membership,
    Organization,
    OrganizationStatusChange,
    Person,
)
from sifu.registry.services._common import (
    PROFILE_FIELDS,
    _check_community,
    _check_date,
    _check_member_change_allowed,
    _clean_identifiers,
    _match_found,
    _membership_objects,
    _today,
    _validate_party_branch,
)
from sifu.registry.services.lifecycle import check_uscc_matches, filing_valid_until

BULK_CHUNK = 500


def in_chunks(items: Sequence[Any], size: int = BULK_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Refusal:
    """Why a bulk service refused its row ``index`` (0-based); ``step``: which transition of the row."""

    index: int
    error: ValidationError | PermissionDenied
    step: int = 0


class RowsRefused(ValidationError):
    """A bulk service refused some of its rows; ``refusals`` lists them, in row order. Nothing was written."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = sorted(refusals, key=lambda r: r.index)
        messages: list[str] = []
        for refusal in self.refusals:
            error = refusal.error
            messages += error.messages if isinstance(error, ValidationError) else [str(error)]
        super().__init__(messages)


def _lock_many(organizations: Sequence[Organization]) -> dict[int, Organization]:
    """Re-read the rows under a lock (``_locked`` for many), one query per chunk."""
    locked: dict[int, Organization] = {}
    pks = sorted({o.pk for o in organizations})
    for chunk in in_chunks(pks):
        locked.update(
            (o.pk, o) for o in Organization.objects.select_for_update().select_related("community").filter(pk__in=chunk)
        )
    return locked


def _update_many(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of many rows in one prepared UPDATE run for each (``executemany``).

    ``QuerySet.bulk_update`` builds one CASE per field over the whole batch, which took most of
    the time of a 10,000-organization import; the values are prepared by the fields all the same.
    """
    if not objs:
        return
    meta = objs[0]._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field), "concrete columns only"
        columns.append(field)
    assert meta.pk is not None
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(str(f.column))} = %s" for f in columns), quote(str(meta.pk.column))
    )
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for chunk in in_chunks(params, 2000):
            cursor.executemany(sql, chunk)


def _copy_fields(source: Organization, target: Organization) -> None:
    for f in Organization._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def organizations_bulk_create(*, rows: Sequence[dict[str, Any]], by: User) -> list[Organization]:
    """Many new organizations at once, each as ``organization_create`` makes it (proposed, with its
    first history version and its ``created`` status change); the rules are the same, checked in memory.

    Each row holds name, form, nature, category, community, optionally ``on`` and profile fields.
    """
    today = _today()
    errors: list[Refusal] = []
    orgs: list[Organization] = []
    indexes: list[int] = []
    dates: list[dt.date] = []
    may_create: dict[int, bool] = {}
    first: dict[tuple[int, str], int] = {}
    for index, row in enumerate(rows):
        row = dict(row)
        name, form, nature, category = (row.pop(k) for k in ("name", "form", "nature", "category"))
        community: Area = row.pop("community")
        on = row.pop("on", None) or today
        unknown = set(row) - set(PROFILE_FIELDS)
        if unknown:
            raise TypeError(f"organizations_bulk_create() got unknown fields: {sorted(unknown)}")
        if community.pk not in may_create:
            may_create[community.pk] = by.has_perm(Perm.ORG_CREATE, community)
        try:
            if not may_create[community.pk]:
                raise PermissionDenied(_("You cannot add organizations in %(area)s.") % {"area": community.name})
            _check_community(community)
            _check_date(on, label=_("The date"), today=today)
            org = Organization(
                name=name.strip(),
                form=form,
                nature=nature,
                category=category,
                community=community,
                status=Organization.Status.PROPOSED,
                status_since=on,
                **row,
            )
            _validate_party_branch(org)
            # The community was checked above; validating it again would cost a query per row.
            org.full_clean(exclude=["charter_file", "community"], validate_unique=False, validate_constraints=False)
            key = (community.pk, org.name)
            if key in first:
                raise ValidationError(
                    {"name": _("Row %(n)d has the same name in the same community.") % {"n": first[key] + 1}}
                )
            first[key] = index
        except (ValidationError, PermissionDenied) as exc:
            errors.append(Refusal(index, exc))
            continue
        orgs.append(org)
        indexes.append(index)
        dates.append(on)
    names = sorted({org.name for org in orgs})
    taken: set[tuple[int, str]] = set()
    for chunk in in_chunks(names):
        taken.update(Organization.objects.filter(name__in=chunk).values_list("community_id", "name"))
    if taken:
        for index, org in zip(indexes, orgs, strict=True):
            if (org.community_id, org.name) in taken:
                message = _("%(community)s already has an organization called “%(name)s”.") % {
                    "community": org.community.name,
                    "name": org.name,
                }
                errors.append(Refusal(index, ValidationError({"name": message})))
    if errors:
        raise RowsRefused(errors)
    created = bulk_create_histories(Organization, orgs, action="registry.organization.created", by=by)
    OrganizationStatusChange.objects.bulk_create(
        [
            OrganizationStatusChange(
                organization=org,
                action="registry.organization.created",
                from_status="",
                status=org.status,
                legal_status=org.legal_status,
                effective_on=on,
                reason="",
                created_by=by if getattr(by, "pk", None) else None,
            )
            for org, on in zip(created, dates, strict=True)
        ],
        batch_size=BULK_CHUNK,
    )
    return created


def _bulk_step(
    org: Organization, name: str, kwargs: dict[str, Any], *, by: User, last: dt.date | None, claims: Any, today: dt.date
) -> tuple[dt.date, str, dict[str, Any]]:
    """Check one transition of ``org`` like its service does, and apply it to ``org`` in memory.

    Returns (effective date, reason, changed fields); raises ValidationError / PermissionDenied.
    """
    reason = (kwargs.get("reason") or "").strip()
    changes: dict[str, Any] = {}
    check: Callable[[Organization], None] | None = None
    if name == "start_incubation":
        on = kwargs.get("on") or today
    elif name == "file":
        filing_number = (kwargs.get("filing_number") or "").strip()
        if not filing_number:
            raise ValidationError({"filing_number": _("Enter the filing number.")})
        on = kwargs["filed_on"]

        def check(org: Organization) -> None:
            if claims("filing_number", filing_number, org):
                raise ValidationError(
                    {"filing_number": _("Filing number %(n)s is already used.") % {"n": filing_number}}
                )
            if kwargs.get("check_floor", True):
                problems = floor_problems(org, on)
                if problems:
                    raise ValidationError(
                        _("Cannot file yet. Still missing: %(items)s.") % {"items": "; ".join(problems)}
                    )

        changes = {
            "legal_status": Organization.LegalStatus.FILED,
            "filing_number": filing_number,
            "filed_on": on,
            "filing_valid_until": filing_valid_until(on),
        }
    elif name == "register":
        try:
            uscc = normalize_uscc(kwargs["uscc"])
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages}) from exc
        on = kwargs["registered_on"]

        def check(org: Organization) -> None:
            check_uscc_matches(uscc, org.nature)
            if claims("uscc", uscc, org):
                raise ValidationError({"uscc": _("This code is already recorded for another organization.")})
            if org.filed_on and on < org.filed_on:
                raise ValidationError({"registered_on": _("Registration cannot be before the filing date.")})

        changes = {"legal_status": Organization.LegalStatus.REGISTERED, "uscc": uscc, "registered_on": on}
    elif name in ("make_dormant", "dissolve"):
        if not reason and name == "make_dormant":
            raise ValidationError({"reason": _("Say why the organization is dormant.")})
        if not reason:
            raise ValidationError({"reason": _("Say why the organization is dissolved.")})
        on = kwargs.get("on") or today

    elif name == "reactivate":
        on = kwargs.get("on") or today

        def check(org: Organization) -> None:
            problems = floor_problems(org, on)
            if problems:
                raise ValidationError(
                    _("Cannot reactivate. Still missing: %(items)s.") % {"items": "; ".join(problems)}
                )

    else:
        raise TypeError(f"organizations_bulk_transition(): unknown transition {name!r}")
    # As ``_transition``: the workflow's check (permission, state), dates, the transition's own
    # check, then the change.
    t = ORGANIZATION_FLOW.check(org, name, by, seen=None)
    _check_date(on, label=_("The effective date"), today=today)
    if last and on < last:
        raise ValidationError(
            _("The effective date cannot be before the last status change (%(date)s).") % {"date": last.isoformat()}
        )
    if check is not None:
        check(org)
    for field, value in changes.items():
        setattr(org, field, value)
    if ORGANIZATION_FLOW.move(org, t):
        org.status_since = on
    return on, reason, changes


@transaction.atomic
def organizations_bulk_transition(
    *, items: Sequence[tuple[Organization, Sequence[tuple[str, dict[str, Any]]]]], by: User
) -> list[Organization]:
    """Take many organizations each through its transitions, in order, as the transition services
    would one call at a time (same checks, history versions and status changes), in few queries.

    Each item is ``(organization, [(transition, keyword arguments of its service), ...])`` with
    transitions named as in ``lifecycle.ORGANIZATION_FLOW``: start_incubation (on), file (filing_number,
    filed_on, check_floor), register (uscc, registered_on), make_dormant / dissolve (reason, on),
    reactivate (on, reason). The callers' objects are updated; the locked copies are returned.
    """
    if not items:
        return []
    today = _today()
    locked = _lock_many([org for org, _steps in items])
    last: dict[int, dt.date] = {}
    for chunk in in_chunks(sorted(locked)):
        last.update(
            OrganizationStatusChange.objects.filter(organization__in=chunk)
            .values("organization")
            .annotate(last=Max("effective_on"))
            .values_list("organization", "last")
        )
    wanted: dict[str, set[str]] = {"filing_number": set(), "uscc": set()}
    for _org, steps in items:
        for name, kwargs in steps:
            if name == "file" and kwargs.get("filing_number"):
                wanted["filing_number"].add(kwargs["filing_number"].strip())
            elif name == "register" and kwargs.get("uscc"):
                wanted["uscc"].add(str(kwargs["uscc"]).strip().upper())
    owners: dict[str, dict[str, int]] = {"filing_number": {}, "uscc": {}}
    for field, values in wanted.items():
        for chunk in in_chunks(sorted(values)):
            owners[field].update(Organization.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))

    def claims(field: str, value: str, org: Organization) -> bool:
        """True if another organization holds (or, earlier in this call, took) ``value``."""
        return owners[field].get(value, org.pk) != org.pk

    errors: list[Refusal] = []
    snapshots: list[Organization] = []
    changes_log: list[OrganizationStatusChange] = []
    fields: set[str] = {"status", "status_since", "updated_at"}
    user = by if getattr(by, "pk", None) else None
    touched: list[tuple[Organization, Organization]] = []
    for index, (organization, steps) in enumerate(items):
        org = locked[organization.pk]
        before = {f.attname: getattr(org, f.attname) for f in Organization._meta.concrete_fields}
        mine: list[Organization] = []
        log: list[OrganizationStatusChange] = []
        claimed: list[tuple[str, str]] = []
        for number, (name, kwargs) in enumerate(steps):
            from_status = org.status
            try:
                on, reason, changed = _bulk_step(
                    org, name, kwargs, by=by, last=last.get(org.pk), claims=claims, today=today
                )
            except (ValidationError, PermissionDenied) as exc:
                errors.append(Refusal(index, exc, step=number))
                for attname, value in before.items():  # leave the row as it was
                    setattr(org, attname, value)
                for field, value in claimed:
                    owners[field].pop(value, None)
                mine, log = [], []
                break
            for field in ("filing_number", "uscc"):
                if field in changed:
                    owners[field][changed[field]] = org.pk
                    claimed.append((field, changed[field]))
            fields.update(changed)
            last[org.pk] = on
            org.updated_at = timezone.now()
            snapshot = copy.copy(org)
            snapshot._change_reason = ORGANIZATION_FLOW.actions[name].history  # type: ignore[attr-defined]
            mine.append(snapshot)
            log.append(
                OrganizationStatusChange(
                    organization=org,
                    action=ORGANIZATION_FLOW.actions[name].history,
                    from_status=from_status,
                    status=org.status,
                    legal_status=org.legal_status,
                    effective_on=on,
                    reason=reason,
                    created_by=user,
                )
            )
        if mine:
            snapshots += mine
            changes_log += log
            touched.append((organization, org))
    if errors:
        raise RowsRefused(errors)
    try:
        with transaction.atomic():
            _update_many([org for _o, org in touched], sorted(fields))
    except IntegrityError as exc:  # a unique filing number or code taken at the same moment
        raise ValidationError(
            _("Someone else recorded the same number or code at the same time; reload and try again.")
        ) from exc
    insert_histories(
        Organization,
        [(s, s._change_reason) for s in snapshots],  # type: ignore[attr-defined]  # set by _transition_one
        by=by,
        update=True,
    )
    OrganizationStatusChange.objects.bulk_create(changes_log, batch_size=BULK_CHUNK)
    for organization, org in touched:
        _copy_fields(org, organization)
    return [locked[org.pk] for org, _steps in items]


@transaction.atomic
def memberships_bulk_add_many(
    *, groups: Sequence[tuple[Organization, Sequence[dict[str, Any]]]], by: User
) -> list[list[Membership]]:
    """``memberships_bulk_add`` for many organizations at once: each group is (organization, rows);
    the rules are the same; a refused group is named by its index in ``RowsRefused``."""
    locked = _lock_many([org for org, _rows in groups])
    current: dict[int, set[int]] = {pk: set() for pk in locked}
    leaders: set[int] = set()
    for chunk in in_chunks(sorted(locked)):
        for org_id, person_id, role in Membership.objects.filter(
            organization__in=chunk, left_on__isnull=True
        ).values_list("organization_id", "person_id", "role"):
            current[org_id].add(person_id)
            if role == Membership.Role.LEADER:
                leaders.add(org_id)
    errors: list[Refusal] = []
    result: list[list[Membership]] = []
    for index, (organization, rows) in enumerate(groups):
        org = locked[organization.pk]
        try:
            _check_member_change_allowed(org, by)
            objs = _membership_objects(org, rows, current[org.pk], org.pk in leaders)
        except (ValidationError, PermissionDenied) as exc:
            errors.append(Refusal(index, exc))
            continue
        if any(row.get("left_on") is None and row.get("role") == Membership.Role.LEADER for row in rows):
            leaders.add(org.pk)
        result.append(objs)
    if errors:
        raise RowsRefused(errors)
    created = bulk_create_histories(
        Membership, [m for objs in result for m in objs], action="registry.membership.added", by=by
    )
    out, start = [], 0
    for objs in result:
        out.append(created[start : start + len(objs)])
        start += len(objs)
    return out


def person_match_many(*, rows: Sequence[dict[str, Any]]) -> list[Person | ValidationError | None]:
    """``person_match`` for many rows (each with name, phone, id_number), in one query per chunk.

    Each result is the matched person, None, or the ValidationError ``person_match`` would raise.
    """
    cleaned: list[tuple[str | None, str | None] | ValidationError] = []
    for row in rows:
        try:
            cleaned.append(_clean_identifiers(row.get("phone"), row.get("id_number")))
        except ValidationError as exc:
            cleaned.append(exc)
    ids = sorted({c[1] for c in cleaned if not isinstance(c, ValidationError) and c[1]})
    phones = sorted({c[0] for c in cleaned if not isinstance(c, ValidationError) and c[0]})
    by_id: dict[str, Person] = {}
    by_phone: dict[str, Person] = {}
    for chunk in in_chunks(ids):
        by_id.update((p.id_number or "", p) for p in Person.objects.filter(id_number__in=chunk))
    for chunk in in_chunks(phones):
        by_phone.update((p.phone or "", p) for p in Person.objects.filter(phone__in=chunk))
    result: list[Person | ValidationError | None] = []
    for row, clean in zip(rows, cleaned, strict=True):
        if isinstance(clean, ValidationError):
            result.append(clean)
            continue
        phone, id_number = clean
        try:
            result.append(
                _match_found(
                    row["name"], by_id.get(id_number) if id_number else None, by_phone.get(phone) if phone else None
                )
            )
        except ValidationError as exc:
            result.append(exc)
    return result
