"""Checks across rows and against the registry, after every row passed its form (nothing is written)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sifu.core.spreadsheets import SheetRow
from sifu.registry import services
from sifu.registry.imports.plan import FilePerson, MemberPlan, OrgKey, OrgPlan
from sifu.registry.imports.vocabulary import LEGAL_RANK, LEGAL_STATUSES, MEMBER_SHEET, ORG_SHEET, Legal, Role, word_for
from sifu.registry.models import Organization

_QUALIFIED = re.compile(r"[/／]")


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two membership periods [joined_on, left_on) overlap; an open end (None) runs on for ever."""
    never = dt.date.max
    return a["joined_on"] < (b["left_on"] or never) and b["joined_on"] < (a["left_on"] or never)


class RegistryChecks:
    """Mixed into ``RegistryImport``: fills ``org_plans``, ``people``, ``member_plans``, ``registry_orgs``."""

    scope: Any
    rejected: dict[str, list[dict[str, Any]]]
    row_error: Any

    def check(self, rows: dict[str, list[SheetRow]]) -> None:
        self.org_plans = self._check_organizations(rows.get(ORG_SHEET, []))
        self.people, self.member_plans = self._check_members(rows.get(MEMBER_SHEET, []))

    # 组织 ---------------------------------------------------------------------------------------

    def _check_organizations(self, rows: list[SheetRow]) -> list[OrgPlan]:
        plans: list[OrgPlan] = []
        seen: dict[OrgKey, SheetRow] = {}
        existing = {
            (o.community_id, o.name): o
            for o in Organization.objects.filter(
                community__in={r.data["community"].pk for r in rows}, name__in={r.data["name"] for r in rows}
            ).select_related("community")
        }
        for row in rows:
            key = (row.data["community"].pk, row.data["name"])
            if key in seen:
                self.row_error(
                    row,
                    "name",
                    _("This organization is already on row %(row)d of this sheet.") % {"row": seen[key].number},
                )
                continue
            seen[key] = row
            plans.append(OrgPlan(row=row, existing=existing.get(key)))
        self._check_unique(plans, "filing_number", _("filing number"))
        self._check_unique(plans, "uscc", _("unified social credit code"))
        for plan in plans:
            if plan.existing is not None:
                self._check_existing(plan)
        return plans

    def _check_unique(self, plans: list[OrgPlan], field_name: str, what: str) -> None:
        first: dict[str, SheetRow] = {}
        values = {p.row.data[field_name] for p in plans if p.row.data.get(field_name)}
        owners = {
            getattr(o, field_name): o
            for o in Organization.objects.filter(**{f"{field_name}__in": values}).select_related("community")
        }
        for plan in plans:
            value = plan.row.data.get(field_name)
            if not value:
                continue
            if value in first:
                self.row_error(
                    plan.row,
                    field_name,
                    _("This %(what)s is also on row %(row)d.") % {"what": what, "row": first[value].number},
                )
                continue
            first[value] = plan.row
            owner = owners.get(value)
            if owner is not None and (plan.existing is None or owner.pk != plan.existing.pk):
                if self.scope.covers(owner.community.path, owner.pk):
                    reason = _("This %(what)s is already recorded for %(org)s (%(community)s).") % {
                        "what": what,
                        "org": owner.name,
                        "community": owner.community.name,
                    }
                else:
                    reason = _("This %(what)s is already recorded for another organization.") % {"what": what}
                self.row_error(plan.row, field_name, reason)

    def _check_existing(self, plan: OrgPlan) -> None:
        org, data = plan.existing, plan.row.data
        assert org is not None
        if LEGAL_RANK[data["legal_status"]] < LEGAL_RANK[org.legal_status]:
            self.row_error(
                plan.row,
                "legal_status",
                _("The registry records this organization as %(now)s; an import cannot move it back to %(file)s.")
                % {
                    "now": word_for(LEGAL_STATUSES, org.legal_status),
                    "file": word_for(LEGAL_STATUSES, data["legal_status"]),
                },
            )
            return
        checks = []
        if org.legal_status in (Legal.FILED, Legal.REGISTERED):
            checks += [("filing_number", org.filing_number), ("filed_on", org.filed_on)]
        if org.legal_status == Legal.REGISTERED:
            checks += [("uscc", org.uscc), ("registered_on", org.registered_on)]
        for name, recorded in checks:
            if data.get(name) != recorded:
                shown = recorded.isoformat() if isinstance(recorded, dt.date) else recorded
                self.row_error(
                    plan.row,
                    name,
                    _("The registry records %(value)s; filing and registration details cannot be changed by import.")
                    % {"value": shown},
                )

    # 成员 ---------------------------------------------------------------------------------------

    def _check_members(self, rows: list[SheetRow]) -> tuple[list[FilePerson], list[MemberPlan]]:
        org_keys = self._organization_lookup(rows)
        people: list[FilePerson] = []
        by_id: dict[str, FilePerson] = {}
        by_phone: dict[str, FilePerson] = {}
        plans: list[MemberPlan] = []
        for row in rows:
            key = org_keys.get(row.number)
            person = self._file_person(row, people, by_id, by_phone)
            if key is None or person is None:
                continue
            plans.append(MemberPlan(row=row, person=person, org_key=key))
        self._match_people(people)
        self._check_periods(plans)
        self._check_leaders(plans)
        return people, plans

    def _check_periods(self, plans: list[MemberPlan]) -> None:
        """One person's memberships of one organization must not overlap (nor be current twice)."""
        seen: dict[tuple[OrgKey, FilePerson], list[SheetRow]] = defaultdict(list)
        for plan in plans:
            data = plan.row.data
            earlier = seen[(plan.org_key, plan.person)]
            other = next((r for r in earlier if overlaps(r.data, data)), None)
            if other is None:
                earlier.append(plan.row)
            elif other.data["left_on"] is None and data["left_on"] is None:
                self.row_error(
                    plan.row,
                    "name",
                    _("%(name)s is already a current member of this organization on row %(row)d.")
                    % {"name": plan.person.name, "row": other.number},
                )
            else:
                self.row_error(
                    plan.row,
                    "joined_on",
                    _("This membership overlaps the one on row %(row)d for the same person.") % {"row": other.number},
                )

    def _check_leaders(self, plans: list[MemberPlan]) -> None:
        leaders: dict[OrgKey, SheetRow] = {}
        for plan in plans:
            if plan.row.data["left_on"] is not None or plan.row.data["role"] != Role.LEADER:
                continue
            if plan.org_key in leaders:
                self.row_error(
                    plan.row,
                    "role",
                    _("The organization already has a current leader (负责人) on row %(row)d; only one is allowed.")
                    % {"row": leaders[plan.org_key].number},
                )
            else:
                leaders[plan.org_key] = plan.row

    def _organization_lookup(self, rows: list[SheetRow]) -> dict[int, OrgKey]:
        """Which organization each 成员 row means, as (community pk, name); errors for the rest."""
        candidates: dict[OrgKey, str] = {}  # key -> community name
        for plan in self.org_plans:
            candidates[plan.key] = plan.row.data["community"].name
        names = set()
        for row in rows:
            names.add(_QUALIFIED.split(row.data["organization"])[-1].strip())
        in_scope = Organization.objects.filter(self.scope.q("community__path", "pk")).filter(name__in=names)
        self.registry_orgs = {(o.community_id, o.name): o for o in in_scope.select_related("community")}
        for key, org in self.registry_orgs.items():
            candidates.setdefault(key, org.community.name)
        failed = {str(r.get("name") or "").strip() for r in self.rejected.get(ORG_SHEET, [])}
        by_name: dict[str, list[OrgKey]] = defaultdict(list)
        for key in candidates:
            by_name[key[1]].append(key)
        result: dict[int, OrgKey] = {}
        for row in rows:
            text = row.data["organization"]
            parts = _QUALIFIED.split(text)
            name = parts[-1].strip()
            found = by_name.get(name, [])
            if len(parts) > 1:
                community = parts[-2].strip()
                found = [k for k in found if candidates[k] in (community, f"{community}社区")]
            if len(found) == 1:
                result[row.number] = found[0]
            elif not found:
                if name in failed:
                    continue  # its 组织 row failed and says why
                self.row_error(
                    row,
                    "organization",
                    _("No organization called “%(name)s” in the 组织 sheet or in the registry of your area.")
                    % {"name": text},
                )
            else:
                where = sorted(candidates[k] for k in found)
                self.row_error(
                    row,
                    "organization",
                    _("Organizations called “%(name)s” exist in %(where)s: write 社区/组织名称, e.g. %(example)s.")
                    % {"name": name, "where": "、".join(where), "example": f"{where[0]}/{name}"},
                )
        return result

    def _file_person(
        self,
        row: SheetRow,
        people: list[FilePerson],
        by_id: dict[str, FilePerson],
        by_phone: dict[str, FilePerson],
    ) -> FilePerson | None:
        data = row.data
        name, phone, id_number, political = data["name"], data["phone"], data["id_number"], data["political_status"]
        p_id = by_id.get(id_number) if id_number else None
        p_phone = by_phone.get(phone) if phone else None
        if p_id and p_phone and p_id is not p_phone:
            self.row_error(
                row,
                "phone",
                _("This ID number is on row %(a)d and this phone number on row %(b)d, for two different people.")
                % {"a": p_id.first_row.number, "b": p_phone.first_row.number},
            )
            return None
        person = p_id or p_phone
        if person is None:
            person = FilePerson(name=name, first_row=row, phone=phone, id_number=id_number, political_status=political)
            people.append(person)
        else:
            problems = []
            if person.name != name:
                problems.append(("name", _("Row %(row)d gives the same person the name “%(other)s”.")))
            if id_number and person.id_number and person.id_number != id_number:
                problems.append(("id_number", _("Row %(row)d gives this person another ID number.")))
            if phone and person.phone and person.phone != phone:
                problems.append(("phone", _("Row %(row)d gives this person another phone number.")))
            if political and person.political_status and person.political_status != political:
                problems.append(("political_status", _("Row %(row)d gives this person another 政治面貌.")))
            for field_name, message in problems:
                self.row_error(row, field_name, message % {"row": person.first_row.number, "other": person.name})
            if problems:
                return None
            person.phone = person.phone or phone
            person.id_number = person.id_number or id_number
            person.political_status = person.political_status or political
        if person.id_number:
            by_id[person.id_number] = person
        if person.phone:
            by_phone[person.phone] = person
        return person

    def _match_people(self, people: list[FilePerson]) -> None:
        """Find each file person in the registry through ``services.person_match_many`` (the rules of
        ``person_match``, a few queries for the whole file)."""
        rows = [{"name": p.name, "phone": p.phone or None, "id_number": p.id_number or None} for p in people]
        for person, match in zip(people, services.person_match_many(rows=rows), strict=True):
            if isinstance(match, ValidationError):
                column = "id_number" if person.id_number else "phone"
                for message in match.messages:
                    self.row_error(person.first_row, column, message)
                continue
            if match is not None and person.id_number and match.id_number and match.id_number != person.id_number:
                self.row_error(
                    person.first_row,
                    "id_number",
                    _("This phone number is recorded for %(name)s with another ID number.") % {"name": match.name},
                )
                continue
            person.match = match

    # Writes -------------------------------------------------------------------------------------
