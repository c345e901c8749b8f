"""Writes for the registry. Every write is here; views, API, imports and the demo call these.

Each function is keyword-only, takes the acting user as ``by``, runs in a transaction, records
history with a dotted action code, and raises ``ValidationError`` with a message a user can act on.
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
from sifu.core.history import bulk_create_histories, insert_histories, save_with_history
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_id_number, normalize_phone, normalize_uscc
from sifu.core.workflow import Seen
from sifu.registry.lifecycle import ORGANIZATION_FLOW, floor_problems
from sifu.registry.models import (
    Membership,
    Organization,
    OrganizationStatusChange,
    Person,
)
from sifu.registry.selectors.shared import organization_name_taken

FILING_VALID_YEARS = 3

# Profile fields that organization_update may change. Status, filing and registration fields
# change only through the transition services below.
PROFILE_FIELDS = (
    "name",
    "form",
    "nature",
    "category",
    "guiding_unit",
    "founded_on",
    "purpose",
    "service_scope",
    "venue",
    "venue_kind",
    "funding_source",
    "charter_file",
    "party_clause_in_charter",
    "election_rules_adopted",
    "deliberation_rules_adopted",
    "party_branch_name",
    "party_branch_founded_on",
    "party_instructor",
)


def _today() -> dt.date:
    return timezone.localdate()


def _locked(organization: Organization) -> Organization:
    """Re-read the row under a lock so two concurrent transitions cannot both win."""
    return Organization.objects.select_for_update().select_related("community").get(pk=organization.pk)


def organization_lock(organization: Organization | int) -> Organization:
    """The organization re-read under a row lock, for another app's service that must serialise its
    writes about one organization (two filing requests, two candidates at the same moment). Call it
    inside that service's transaction; only the organization's row is locked, not its community."""
    pk = organization if isinstance(organization, int) else organization.pk
    return Organization.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)


def _check_date(value: dt.date, *, label: str, today: dt.date | None = None) -> None:
    if value > (today or _today()):
        raise ValidationError(_("%(label)s cannot be in the future.") % {"label": label})


def _check_community(community: Area) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise ValidationError(
            {"community": _("Choose a community, not a %(kind)s.") % {"kind": community.get_kind_display()}}
        )


def _validate_party_branch(org: Organization) -> None:
    if org.party_branch_founded_on and org.party_branch_founded_on > _today():
        raise ValidationError({"party_branch_founded_on": _("The branch's founding date cannot be in the future.")})
    if org.party_branch_name and not org.party_branch_founded_on:
        raise ValidationError({"party_branch_founded_on": _("Give the date the party branch was founded.")})


def _record_status(org: Organization, *, action: str, from_status: str, on: dt.date, reason: str, by: User) -> None:
    OrganizationStatusChange.objects.create(
        organization=org,
        action=action,
        from_status=from_status,
        status=org.status,
        legal_status=org.legal_status,
        effective_on=on,
        reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _last_effective_on(org: Organization) -> dt.date | None:
    last = org.status_changes.order_by("-effective_on", "-id").values_list("effective_on", flat=True).first()
    return last


@transaction.atomic
def organization_create(
    *,
    name: str,
    form: str,
    nature: str,
    category: str,
    community: Area,
    by: User,
    on: dt.date | None = None,
    **profile: Any,
) -> Organization:
    """A new organization, proposed. Filing and registration come through their transitions."""
    if not by.has_perm(Perm.ORG_CREATE, community):
        raise PermissionDenied(_("You cannot add organizations in %(area)s.") % {"area": community.name})
    _check_community(community)
    on = on or _today()
    _check_date(on, label=_("The date"))
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"organization_create() got unknown fields: {sorted(unknown)}")
    org = Organization(
        name=name.strip(),
        form=form,
        nature=nature,
        category=category,
        community=community,
        status=Organization.Status.PROPOSED,
        status_since=on,
        **profile,
    )
    _validate_party_branch(org)
    org.full_clean(exclude=["charter_file"], validate_constraints=False)
    if organization_name_taken(community.pk, org.name):
        raise ValidationError(
            {
                "name": _("%(community)s already has an organization called “%(name)s”.")
                % {"community": community.name, "name": org.name}
            }
        )
    save_with_history(org, action="registry.organization.created", by=by)
    _record_status(org, action="registry.organization.created", from_status="", on=on, reason="", by=by)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, data: dict[str, Any], by: User) -> Organization:
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    org = _locked(organization)
    if not by.has_perm(Perm.ORG_CHANGE, org):
        raise PermissionDenied(_("You cannot change this organization."))
    changed = [f for f, v in data.items() if getattr(org, f) != v]
    if not changed:
        return org
    for field, value in data.items():
        setattr(org, field, value)
    if "name" in changed:
        org.name = org.name.strip()
        if organization_name_taken(org.community_id, org.name, exclude_pk=org.pk):
            raise ValidationError(
                {"name": _("This community already has an organization called “%(name)s”.") % {"name": org.name}}
            )
    _validate_party_branch(org)
    org.full_clean(exclude=["charter_file"], validate_constraints=False)
    save_with_history(org, action="registry.organization.updated", by=by, update_fields=changed)
    return org


def _transition(
    organization: Organization,
    name: str,
    *,
    on: dt.date,
    reason: str,
    by: User,
    seen: Seen | None = None,
    check: Callable[[Organization], None] | None = None,
    **changes: Any,
) -> Organization:
    """Apply one transition of ``ORGANIZATION_FLOW`` to the row re-read under a lock.

    Order: the workflow's check (permission, the state the page showed when a page posted it as
    ``seen``, the current state and legal status), dates, then ``check`` (the transition's
    own rules, run on the locked row, never on the caller's possibly stale copy), then the writes.
    """
    org = _locked(organization)
    t = ORGANIZATION_FLOW.check(org, name, by, seen=seen)
    _check_date(on, label=_("The effective date"))
    last = _last_effective_on(org)
    if last and on < last:
        raise ValidationError(
            _("The effective date cannot be before the last status change (%(date)s).") % {"date": last.isoformat()}
        )
    if check is not None:
        check(org)
    from_status = org.status
    for field, value in changes.items():
        setattr(org, field, value)
    if ORGANIZATION_FLOW.move(org, t):
        org.status_since = on
    try:
        with transaction.atomic():
            save_with_history(org, action=t.history, by=by, update_fields=[*changes, "status", "status_since"])
    except IntegrityError as exc:  # a unique filing number or code taken at the same moment
        raise ValidationError(
            _("Someone else recorded the same number or code at the same time; reload and try again.")
        ) from exc
    _record_status(org, action=t.history, from_status=from_status, on=on, reason=reason, by=by)
    organization.refresh_from_db()
    return org


@transaction.atomic
def organization_start_incubation(
    *, organization: Organization, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    return _transition(organization, "start_incubation", on=on or _today(), reason="", by=by, seen=seen)


def filing_valid_until(filed_on: dt.date) -> dt.date:
    try:
        end = filed_on.replace(year=filed_on.year + FILING_VALID_YEARS)
    except ValueError:  # 29 February
        end = filed_on.replace(year=filed_on.year + FILING_VALID_YEARS, day=28)
    return end - dt.timedelta(days=1)


@transaction.atomic
def organization_file(
    *,
    organization: Organization,
    filing_number: str,
    filed_on: dt.date,
    by: User,
    check_floor: bool = True,
    seen: Seen | None = None,
) -> Organization:
    """Record the subdistrict's filing (备案): checks the Guangdong floor on the filing date.

    Only the subdistrict decides a filing (``Perm.FILING_DECIDE``): new filings go through the
    incubation filing workflow, which calls this on approval; calling it directly is for entering
    paper filings made before the platform.
    """
    filing_number = (filing_number or "").strip()
    if not filing_number:
        raise ValidationError({"filing_number": _("Enter the filing number.")})

    def check(org: Organization) -> None:
        if Organization.objects.filter(filing_number=filing_number).exclude(pk=org.pk).exists():
            raise ValidationError({"filing_number": _("Filing number %(n)s is already used.") % {"n": filing_number}})
        if check_floor:
            problems = floor_problems(org, filed_on)
            if problems:
                raise ValidationError(_("Cannot file yet. Still missing: %(items)s.") % {"items": "; ".join(problems)})

    return _transition(
        organization,
        "file",
        on=filed_on,
        reason="",
        by=by,
        seen=seen,
        check=check,
        legal_status=Organization.LegalStatus.FILED,
        filing_number=filing_number,
        filed_on=filed_on,
        filing_valid_until=filing_valid_until(filed_on),
    )


@transaction.atomic
def organization_renew_filing(*, organization: Organization, renewed_on: dt.date, by: User) -> Organization:
    """Renew an active organization's filing (续期) for another three years; its status is unchanged.

    Renewed before the filing ends, the new period starts the day after the old one ends (no day
    is lost by renewing early); renewed after it ended, it starts on ``renewed_on``.
    """
    org = _locked(organization)
    if not (by.has_perm(Perm.FILING_DECIDE, org) and by.has_perm(Perm.ORG_TRANSITION, org)):
        raise PermissionDenied(_("Only the subdistrict renews a filing."))
    if org.legal_status != Organization.LegalStatus.FILED or org.status != Organization.Status.ACTIVE:
        raise ValidationError(
            _("Only an active, filed organization renews its filing; this one is %(status)s and %(legal)s.")
            % {"status": org.get_status_display(), "legal": org.get_legal_status_display()}
        )
    _check_date(renewed_on, label=_("The renewal date"))
    if org.filed_on and renewed_on < org.filed_on:
        raise ValidationError(
            _("The renewal date cannot be before the filing date (%(date)s).") % {"date": org.filed_on}
        )
    old = org.filing_valid_until
    org.filing_valid_until = (
        filing_valid_until(old + dt.timedelta(days=1)) if old and renewed_on <= old else filing_valid_until(renewed_on)
    )
    save_with_history(org, action="registry.organization.filing_renewed", by=by, update_fields=["filing_valid_until"])
    organization.refresh_from_db()
    return org


def check_uscc_matches(uscc: str, nature: str) -> None:
    """A registered community organization's code is issued by civil affairs (5): 51 or 52."""
    expected = "51" if nature == Organization.Nature.ASSOCIATION else "52"
    if not uscc.startswith(expected):
        raise ValidationError(
            {
                "uscc": _(
                    "A %(nature)s organization registered with civil affairs has a code starting with %(prefix)s."
                )
                % {"nature": Organization.Nature(nature).label, "prefix": expected}
            }
        )


@transaction.atomic
def organization_register(
    *, organization: Organization, uscc: str, registered_on: dt.date, by: User, seen: Seen | None = None
) -> Organization:
    """Conversion of a filed organization into a registered 社会团体 / 社会服务机构."""
    try:
        uscc = normalize_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc

    def check(org: Organization) -> None:
        check_uscc_matches(uscc, org.nature)
        if Organization.objects.filter(uscc=uscc).exclude(pk=org.pk).exists():
            raise ValidationError({"uscc": _("This code is already recorded for another organization.")})
        if org.filed_on and registered_on < org.filed_on:
            raise ValidationError({"registered_on": _("Registration cannot be before the filing date.")})

    return _transition(
        organization,
        "register",
        on=registered_on,
        reason="",
        by=by,
        seen=seen,
        check=check,
        legal_status=Organization.LegalStatus.REGISTERED,
        uscc=uscc,
        registered_on=registered_on,
    )


@transaction.atomic
def organization_make_dormant(
    *, organization: Organization, reason: str, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the organization is dormant.")})
    return _transition(organization, "make_dormant", on=on or _today(), reason=reason.strip(), by=by, seen=seen)


@transaction.atomic
def organization_reactivate(
    *,
    organization: Organization,
    on: dt.date | None = None,
    reason: str = "",
    by: User,
    seen: Seen | None = None,
) -> Organization:
    on = on or _today()

    def check(org: Organization) -> None:
        problems = floor_problems(org, on)
        if problems:
            raise ValidationError(_("Cannot reactivate. Still missing: %(items)s.") % {"items": "; ".join(problems)})

    return _transition(organization, "reactivate", on=on, reason=(reason or "").strip(), by=by, seen=seen, check=check)


@transaction.atomic
def organization_dissolve(
    *, organization: Organization, reason: str, on: dt.date | None = None, by: User, seen: Seen | None = None
) -> Organization:
    """End an organization. One that is filed or registered ends by a deregistration request (注销)
    that the subdistrict approves (``Perm.FILING_DECIDE``, in ``ORGANIZATION_FLOW``); staff dissolve
    directly only what was never filed (a proposed or incubating organization that did not come about)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the organization is dissolved.")})
    return _transition(organization, "dissolve", on=on or _today(), reason=reason.strip(), by=by, seen=seen)


# People -------------------------------------------------------------------------------------


def _clean_identifiers(phone: str | None, id_number: str | None) -> tuple[str | None, str | None]:
    errors: dict[str, list[str]] = {}
    clean_phone = clean_id = None
    if phone:
        try:
            clean_phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if id_number:
        try:
            clean_id = normalize_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean_phone, clean_id


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


def _match_found(name: str, by_id: Person | None, by_phone: Person | None) -> Person | None:
    """``person_match``'s verdict on the people found by ID number and by phone."""
    if by_id and by_phone and by_id.pk != by_phone.pk:
        raise ValidationError(_("The ID number and the phone number belong to two different people already recorded."))
    match = by_id or by_phone
    if match and match.name != name.strip():
        raise ValidationError(
            _("This %(what)s is already recorded for “%(other)s”, not “%(name)s”.")
            % {"what": _("ID number") if by_id else _("phone number"), "other": match.name, "name": name.strip()}
        )
    return match


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


# Memberships --------------------------------------------------------------------------------


def _check_member_change_allowed(org: Organization, by: User) -> None:
    if not by.has_perm(Perm.MEMBERS_CHANGE, org):
        raise PermissionDenied(_("You cannot change the members of this organization."))
    if org.status == Organization.Status.DISSOLVED:
        raise ValidationError(_("The organization is dissolved; its members can no longer change."))


def _check_no_overlap(org: Organization, person: Person, joined_on: dt.date) -> None:
    """A person who left may rejoin, but not on a date they were still a member."""
    last_left = (
        Membership.objects.filter(organization=org, person=person, left_on__isnull=False)
        .order_by("-left_on")
        .values_list("left_on", flat=True)
        .first()
    )
    if last_left and joined_on < last_left:
        raise ValidationError(
            {
                "joined_on": _("%(person)s was a member until %(date)s; the new joining date cannot be earlier.")
                % {"person": person, "date": last_left.isoformat()}
            }
        )


def _leader_required(org: Organization) -> bool:
    return org.status in (Organization.Status.ACTIVE, Organization.Status.DORMANT)


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    person: Person,
    joined_on: dt.date,
    by: User,
    role: str = Membership.Role.MEMBER,
    is_initiator: bool = False,
) -> Membership:
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    _check_date(joined_on, label=_("The joining date"))
    if Membership.objects.filter(organization=org, person=person, left_on__isnull=True).exists():
        raise ValidationError(_("%(person)s is already a member of %(org)s.") % {"person": person, "org": org})
    _check_no_overlap(org, person, joined_on)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if (
        role == Membership.Role.LEADER
        and Membership.objects.filter(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).exists()
    ):
        raise ValidationError(
            {"role": _("%(org)s already has a leader; use “Change leader” to hand over.") % {"org": org}}
        )
    membership = Membership(organization=org, person=person, role=role, is_initiator=is_initiator, joined_on=joined_on)
    try:
        with transaction.atomic():
            save_with_history(membership, action="registry.membership.added", by=by)
    except IntegrityError as exc:
        raise ValidationError(_("Someone else changed these members at the same time; reload and try again.")) from exc
    return membership


@transaction.atomic
def memberships_bulk_add(*, organization: Organization, rows: list[dict[str, Any]], by: User) -> list[Membership]:
    """Many memberships of one organization at once (demo and large imports): few queries.

    ``rows`` hold person, role, joined_on and optionally left_on and is_initiator; rules are
    the same as ``membership_add``, checked in memory.
    """
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    current_people = set(
        Membership.objects.filter(organization=org, left_on__isnull=True).values_list("person_id", flat=True)
    )
    has_leader = Membership.objects.filter(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).exists()
    objs = _membership_objects(org, rows, current_people, has_leader)
    return bulk_create_histories(Membership, objs, action="registry.membership.added", by=by)


@transaction.atomic
def membership_end(*, membership: Membership, left_on: dt.date, by: User) -> Membership:
    org = _locked(membership.organization)
    _check_member_change_allowed(org, by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("This membership already ended on %(date)s.") % {"date": membership.left_on})
    _check_date(left_on, label=_("The leaving date"))
    if left_on < membership.joined_on:
        raise ValidationError(
            {"left_on": _("A member cannot leave before joining (%(date)s).") % {"date": membership.joined_on}}
        )
    if membership.role == Membership.Role.LEADER and _leader_required(org):
        raise ValidationError(
            _("%(person)s is the leader. Hand over to a new leader first (“Change leader”).")
            % {"person": membership.person}
        )
    membership.left_on = left_on
    save_with_history(membership, action="registry.membership.ended", by=by, update_fields=["left_on"])
    return membership


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, by: User, is_initiator: bool | None = None
) -> Membership:
    org = _locked(membership.organization)
    _check_member_change_allowed(org, by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("This membership has ended."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Membership.Role.LEADER and membership.role != role:
        raise ValidationError({"role": _("Use “Change leader” to make someone the leader.")})
    if membership.role == Membership.Role.LEADER and role != membership.role and _leader_required(org):
        raise ValidationError({"role": _("Hand over to a new leader first (“Change leader”).")})
    fields = []
    if membership.role != role:
        membership.role = role
        fields.append("role")
    if is_initiator is not None and membership.is_initiator != is_initiator:
        membership.is_initiator = is_initiator
        fields.append("is_initiator")
    if fields:
        save_with_history(membership, action="registry.membership.role_changed", by=by, update_fields=fields)
    return membership


@transaction.atomic
def organization_change_leader(
    *,
    organization: Organization,
    person: Person,
    on: dt.date | None = None,
    by: User,
    previous_leader_role: str = Membership.Role.BACKBONE,
) -> Membership:
    """Hand the leadership to ``person`` (adding them as a member if needed), in one step."""
    org = _locked(organization)
    _check_member_change_allowed(org, by)
    if previous_leader_role not in Membership.Role.values or previous_leader_role == Membership.Role.LEADER:
        raise ValidationError({"previous_leader_role": _("Choose the outgoing leader's new role (not leader).")})
    on = on or _today()
    _check_date(on, label=_("The handover date"))
    current = Membership.objects.select_for_update().filter(organization=org, left_on__isnull=True)
    old = current.filter(role=Membership.Role.LEADER).first()
    if old and old.person_id == person.pk:
        raise ValidationError(_("%(person)s is already the leader.") % {"person": person})
    if old:
        old.role = previous_leader_role
        save_with_history(old, action="registry.membership.leader_handed_over", by=by, update_fields=["role"])
    new = current.filter(person=person).first()
    if new:
        new.role = Membership.Role.LEADER
        save_with_history(new, action="registry.membership.leader_appointed", by=by, update_fields=["role"])
        return new
    _check_no_overlap(org, person, on)
    membership = Membership(organization=org, person=person, role=Membership.Role.LEADER, joined_on=on)
    save_with_history(membership, action="registry.membership.leader_appointed", by=by)
    return membership


# Bulk writes for large imports ----------------------------------------------------------------
#
# The same rules as the services above, checked in memory over many rows, with reads and writes
# in chunks: a 10,000-organization workbook costs a few hundred queries instead of a few hundred
# thousand (bench/results.md). Each checks EVERY row and, when some are refused, raises
# ``RowsRefused`` naming each refused row, before writing anything.

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


def _membership_objects(
    org: Organization, rows: Sequence[dict[str, Any]], current_people: set[int], has_leader: bool
) -> list[Membership]:
    """The rules of ``memberships_bulk_add`` for one organization, checked in memory."""
    objs = []
    today, label = _today(), _("The joining date")
    for row in rows:
        person: Person = row["person"]
        left_on = row.get("left_on")
        _check_date(row["joined_on"], label=label, today=today)
        if left_on is None:
            if person.pk in current_people:
                raise ValidationError(_("%(person)s is already a member of %(org)s.") % {"person": person, "org": org})
            current_people.add(person.pk)
            if row.get("role") == Membership.Role.LEADER:
                if has_leader:
                    raise ValidationError(_("%(org)s already has a leader.") % {"org": org})
                has_leader = True
        elif left_on < row["joined_on"]:
            raise ValidationError(_("A member cannot leave before joining."))
        objs.append(
            Membership(
                organization=org,
                person=person,
                role=row.get("role", Membership.Role.MEMBER),
                is_initiator=row.get("is_initiator", False),
                joined_on=row["joined_on"],
                left_on=left_on,
            )
        )
    return objs


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
