"""Writes for people: create, edit, match, find-or-create, and create many at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, User
from sifu.core.history import bulk_create_histories, save_with_history
from sifu.registry.models import (
    Person,
)
from sifu.registry.services._common import (
    _check_community,
    _clean_identifiers,
    _match_found,
)


def _check_identifiers_free(person: Person | None, phone: str | None, id_number: str | None) -> None:
    others = Person.objects.exclude(pk=person.pk) if person else Person.objects.all()
    if phone and others.filter(phone=phone).exists():
        raise ValidationError({"phone": _("This phone number is already recorded for another person.")})
    if id_number and others.filter(id_number=id_number).exists():
        raise ValidationError({"id_number": _("This ID number is already recorded for another person.")})


@transaction.atomic
def person_create(
    *,
    name: str,
    by: User,
    phone: str | None = None,
    id_number: str | None = None,
    political_status: str = Person.PoliticalStatus.MASSES,
    gender: str = "",
    community: Area | None = None,
    note: str = "",
) -> Person:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the person's name.")})
    phone, id_number = _clean_identifiers(phone, id_number)
    _check_identifiers_free(None, phone, id_number)
    person = Person(
        name=name,
        phone=phone,
        id_number=id_number,
        political_status=political_status,
        gender=gender,
        community=community,
        note=note,
    )
    person.full_clean(validate_unique=False, validate_constraints=False)
    save_with_history(person, action="registry.person.created", by=by)
    return person


PERSON_FIELDS = ("name", "phone", "id_number", "political_status", "gender", "community", "note")


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any], by: User) -> Person:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    data = dict(data)
    if "phone" in data or "id_number" in data:
        phone, id_number = _clean_identifiers(data.get("phone", person.phone), data.get("id_number", person.id_number))
        data["phone"], data["id_number"] = phone, id_number
        _check_identifiers_free(person, phone, id_number)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            raise ValidationError({"name": _("Enter the person's name.")})
    changed = [f for f, v in data.items() if getattr(person, f) != v]
    if not changed:
        return person
    for field in changed:
        setattr(person, field, data[field])
    person.full_clean(validate_unique=False, validate_constraints=False)
    save_with_history(person, action="registry.person.updated", by=by, update_fields=changed)
    return person


def person_match(*, name: str, phone: str | None, id_number: str | None) -> Person | None:
    """The person already recorded with this ID number or phone, or None.

    Raises ValidationError when the identifiers point at two different people or at someone
    recorded under another name, so a typo never merges two residents.
    """
    phone, id_number = _clean_identifiers(phone, id_number)
    by_id = Person.objects.filter(id_number=id_number).first() if id_number else None
    by_phone = Person.objects.filter(phone=phone).first() if phone else None
    return _match_found(name, by_id, by_phone)


@transaction.atomic
def person_find_or_create(
    *,
    name: str,
    by: User,
    phone: str | None = None,
    id_number: str | None = None,
    political_status: str = Person.PoliticalStatus.MASSES,
    gender: str = "",
    community: Area | None = None,
) -> tuple[Person, bool]:
    """The resident already recorded with this ID number or phone (see ``person_match``), or a new one.

    Returns ``(person, created)``. A matched person keeps their recorded details; only an
    identifier they lack is filled in from the input. Raises ValidationError on conflicts.
    """
    if not (phone or "").strip() and not (id_number or "").strip():
        raise ValidationError(_("Give a phone number or an ID number, so the person is recorded only once."))
    match = person_match(name=name, phone=phone, id_number=id_number)
    if match is None:
        person = person_create(
            name=name,
            phone=phone,
            id_number=id_number,
            political_status=political_status,
            gender=gender,
            community=community,
            by=by,
        )
        return person, True
    missing = {}
    clean_phone, clean_id = _clean_identifiers(phone, id_number)
    if clean_phone and not match.phone:
        missing["phone"] = clean_phone
    if clean_id and not match.id_number:
        missing["id_number"] = clean_id
    if missing:
        match = person_update(person=match, data=missing, by=by)
    return match, False


def _verbose_name(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


@transaction.atomic
def persons_bulk_create(*, rows: list[dict[str, Any]], by: User) -> list[Person]:
    """Many new people at once (demo and large imports), validated like ``person_create``, in few queries.

    Each row holds ``name`` and optionally phone, id_number, political_status, gender, community,
    note and user (a login account to link). Identifiers are normalized and must be unique within
    ``rows`` and not yet recorded; on any problem a ValidationError names the row and nothing is written.
    """
    allowed = {*PERSON_FIELDS, "user"}
    people: list[Person] = []
    seen: dict[str, dict[str, int]] = {"phone": {}, "id_number": {}}
    for n, row in enumerate(rows, start=1):
        unknown = set(row) - allowed
        if unknown:
            raise TypeError(f"persons_bulk_create() got unknown fields: {sorted(unknown)}")
        name = (row.get("name") or "").strip()
        if not name:
            raise ValidationError(_("Row %(n)d: enter the person's name.") % {"n": n})
        try:
            phone, id_number = _clean_identifiers(row.get("phone"), row.get("id_number"))
        except ValidationError as exc:
            raise ValidationError(_("Row %(n)d: %(problem)s") % {"n": n, "problem": " ".join(exc.messages)}) from exc
        for field, value in (("phone", phone), ("id_number", id_number)):
            if value and value in seen[field]:
                raise ValidationError(
                    _("Row %(n)d repeats the %(what)s of row %(m)d.")
                    % {"n": n, "m": seen[field][value], "what": _verbose_name(Person, field)}
                )
            if value:
                seen[field][value] = n
        community = row.get("community")
        if community is not None:
            _check_community(community)
        person = Person(
            name=name,
            phone=phone,
            id_number=id_number,
            political_status=row.get("political_status", Person.PoliticalStatus.MASSES),
            gender=row.get("gender", ""),
            community=community,
            note=row.get("note", ""),
            user=row.get("user"),
        )
        # Foreign keys were checked above; validating them here would cost one query per row.
        person.full_clean(exclude=["community", "user"], validate_unique=False, validate_constraints=False)
        people.append(person)
    for field, values in seen.items():
        keys = list(values)
        for start in range(0, len(keys), 500):
            taken = Person.objects.filter(**{f"{field}__in": keys[start : start + 500]}).order_by()
            first = next(iter(taken.values_list(field, flat=True)[:1]), None)
            if first is not None:
                raise ValidationError(
                    _("Row %(n)d: this %(what)s is already recorded for another person.")
                    % {"n": values[first], "what": _verbose_name(Person, field)}
                )
    return bulk_create_histories(Person, people, action="registry.person.created", by=by)
