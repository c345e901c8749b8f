"""The writes of a checked registry import, each through a service, inside the import's transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sifu.core.spreadsheets import SheetRow
from sifu.registry import services
from sifu.registry.imports.checks import overlaps
from sifu.registry.imports.plan import FilePerson, ImportSummary, MemberPlan, OrgKey, OrgOutcome, OrgPlan
from sifu.registry.imports.vocabulary import LEGAL_RANK, STATUSES, Legal, Political, Role, Status, word_for
from sifu.registry.models import Membership, Organization
from sifu.registry.services import in_chunks

# Profile fields an import sets on an existing organization, when the sheet has their column.
PROFILE_FROM_FILE = (
    "form",
    "nature",
    "category",
    "founded_on",
    "venue",
    "party_clause_in_charter",
    "party_branch_founded_on",
)
NEW_PROFILE = ("founded_on", "venue", "party_clause_in_charter", "party_branch_founded_on")
BLANK = {"venue": "", "party_clause_in_charter": False}
DORMANT_REASON = "导入：状态为休眠"
DISSOLVED_REASON = "导入：状态为注销"
REACTIVATED_REASON = "导入：状态为活跃"
# Service field names → form fields, to put a refusal in the right column.
TRANSITION_FIELDS = {"filing_number": "filing_number", "uscc": "uscc", "registered_on": "registered_on"}

# Organizations per bulk call in the writes, and between two progress reports.
PROGRESS_EVERY = 500
Step = tuple[str, str, dict[str, Any]]  # transition (lifecycle.TRANSITIONS), column to blame, keyword arguments


def created_on(data: dict[str, Any], today: dt.date) -> dt.date:
    """A new organization starts on the earliest date the file gives for it (today if none)."""
    dates = [d for d in (data.get("founded_on"), data.get("filed_on"), data.get("registered_on")) if d]
    return min(dates) if dates else today


def transition_steps(org: Organization, data: dict[str, Any], *, new: bool, today: dt.date) -> list[Step] | None:
    """The transitions that take ``org`` to the file's state, in date order.

    None when no transition leads there (e.g. back from 活跃 to 拟成立). The services still check
    each step, so a refusal (a date before the last change, a filing floor) is reported too.
    """
    status, legal = org.status, org.legal_status
    steps: list[Step] = []
    if LEGAL_RANK[data["legal_status"]] > LEGAL_RANK[legal]:
        if legal == Legal.UNFILED:
            filing = {"filing_number": data["filing_number"], "filed_on": data["filed_on"], "check_floor": False}
            steps.append(("file", "legal_status", filing))
            status = Status.ACTIVE
        if data["legal_status"] == Legal.REGISTERED:
            registration = {"uscc": data["uscc"], "registered_on": data["registered_on"]}
            steps.append(("register", "legal_status", registration))
    target = data["status"]
    if target == status:
        return steps
    if target == Status.INCUBATING and status == Status.PROPOSED:
        on = created_on(data, today) if new else today
        return [("start_incubation", "status", {"on": on}), *steps]
    if target == Status.DORMANT and status == Status.ACTIVE:
        return [*steps, ("make_dormant", "status", {"reason": DORMANT_REASON, "on": today})]
    if target == Status.DISSOLVED:
        return [*steps, ("dissolve", "status", {"reason": DISSOLVED_REASON, "on": today})]
    if target == Status.ACTIVE and status in (Status.DORMANT, Status.DISSOLVED):
        return [*steps, ("reactivate", "status", {"reason": REACTIVATED_REASON, "on": today})]
    return None


class RegistryWrites:
    """Mixed into ``RegistryImport``: ``write()`` after ``check()`` found nothing wrong.

    Writes go through the bulk services (``persons_bulk_create``, ``organizations_bulk_create``,
    ``memberships_bulk_add_many``, ``organizations_bulk_transition``): a few queries per chunk of
    rows, not per row. A bulk service refuses rows by index (``RowsRefused``); each refusal becomes
    an error on its row, and the rest are written again without them, so one round reports every
    refusal. Changes to what is already recorded (a profile, a person, a membership) are rare and
    go through the one-row services.
    """

    by: Any
    today: dt.date
    dry_run: bool
    attempt: Any
    row_error: Any
    report: Any
    service_error: Any
    warn: Any
    org_plans: list[OrgPlan]
    member_plans: list[MemberPlan]
    people: list[Any]
    registry_orgs: dict[OrgKey, Organization]

    def write(self, rows: dict[str, list[SheetRow]]) -> ImportSummary:
        summary = ImportSummary()
        # Progress, in organizations: each counts twice (its row, then its members and transitions);
        # the bulk calls take PROGRESS_EVERY organizations at a time, and progress is reported after each.
        steps, half = 2 * len(self.org_plans) + 1, len(self.org_plans)
        self._write_people(summary)
        self.report("write", 1, steps)
        self._created: set[OrgKey] = set()
        for start in range(0, half, PROGRESS_EVERY):
            batch = self.org_plans[start : start + PROGRESS_EVERY]
            self._write_organizations(batch)
            self._report_done(start + 2, start + 2 + len(batch), steps)
        orgs: dict[OrgKey, Organization] = dict(self.registry_orgs)
        orgs.update({plan.key: plan.org for plan in self.org_plans if plan.org is not None})
        members: dict[OrgKey, list[MemberPlan]] = defaultdict(list)
        for member in self.member_plans:
            members[member.org_key].append(member)
        recorded = self._recorded_memberships([org for key, org in orgs.items() if key not in self._created])
        for start in range(0, half, PROGRESS_EVERY):
            batch = self.org_plans[start : start + PROGRESS_EVERY]
            written = [plan for plan in batch if plan.org is not None]
            # Members join before dormancy or dissolution (a dissolved organization's members are
            # frozen); an organization being brought back from dissolution is reactivated first.
            dissolved = [plan for plan in written if plan.org and plan.org.status == Status.DISSOLVED]
            self._write_transitions(dissolved)
            self._write_memberships(
                [(org, members.pop(plan.key, [])) for plan in written if (org := plan.org) is not None],
                recorded,
                summary,
            )
            first = {id(plan) for plan in dissolved}
            self._write_transitions([plan for plan in written if id(plan) not in first])
            self._report_done(half + 2 + start, half + 2 + start + len(batch), steps)
        rest = [(orgs[key], plans) for key, plans in members.items() if key in orgs]  # only on the 成员 sheet
        self._write_memberships(rest, recorded, summary)
        self._summarise(summary)
        self._warn_leaderless([org.pk for org in orgs.values()])
        return summary

    def _report_done(self, first: int, stop: int, steps: int) -> None:
        """Report the progress steps in [first, stop) that fall on a multiple of PROGRESS_EVERY."""
        for done in range(first, stop):
            if done % PROGRESS_EVERY == 0:
                self.report("write", done, steps)

    def _refused(self, call: Any, items: list[Any], rows: Any, **kwargs: Any) -> tuple[list[Any], Any]:
        """Call a bulk service on ``items``; report each refused item on its row and call again
        without them. Returns (the items written, the service's result)."""
        while items:
            try:
                with transaction.atomic():
                    return items, call(items)
            except services.RowsRefused as exc:
                refused = {refusal.index for refusal in exc.refusals}
                for refusal in exc.refusals:
                    row, options = rows(items[refusal.index], refusal)
                    self.service_error(row, refusal.error, **options)
                items = [item for index, item in enumerate(items) if index not in refused]
        return [], None

    def _summarise(self, summary: ImportSummary) -> None:
        plans = [(plan, org.pk) for plan in self.org_plans if (org := plan.org) is not None]
        fresh: dict[int, Organization] = {}
        for chunk in in_chunks([pk for _plan, pk in plans]):
            fresh.update(Organization.objects.in_bulk(chunk))
        for plan, pk in plans:
            org = fresh[pk]
            plan.outcome = plan.outcome or "unchanged"
            name = f"organizations_{plan.outcome}"
            setattr(summary, name, getattr(summary, name) + 1)
            summary.organizations.append(
                OrgOutcome(
                    name=org.name,
                    community=plan.row.data["community"].name,
                    outcome=plan.outcome,
                    status=org.status,
                    legal_status=org.legal_status,
                    pk=None if self.dry_run else org.pk,
                )
            )

    # People -------------------------------------------------------------------------------------

    def _write_people(self, summary: ImportSummary) -> None:
        """New people in one bulk service call; known people updated one by one when the file says more."""
        new = [fp for fp in self.people if fp.match is None]
        self._create_people(new)
        summary.people_created += len(new)
        for fp in self.people:
            if fp.match is None:
                continue
            summary.people_matched += 1
            match, changes = fp.match, {}
            if fp.phone and match.phone != fp.phone:
                changes["phone"] = fp.phone
            if fp.id_number and not match.id_number:
                changes["id_number"] = fp.id_number
            if fp.political_status and match.political_status != fp.political_status:
                changes["political_status"] = fp.political_status
            if not changes:
                fp.person = match
                continue
            fp.person = self.attempt(
                fp.first_row, services.person_update, default="name", person=match, data=changes, by=self.by
            )
            summary.people_updated += 1

    def _create_people(self, new: list[FilePerson]) -> None:
        def row(fp: FilePerson) -> dict[str, Any]:
            return {
                "name": fp.name,
                "phone": fp.phone or None,
                "id_number": fp.id_number or None,
                "political_status": fp.political_status or Political.MASSES,
            }

        if not new:
            return
        try:
            with transaction.atomic():
                created = services.persons_bulk_create(rows=[row(fp) for fp in new], by=self.by)
        except ValidationError:
            # The checks should have caught it; create one by one so the refusal names its row.
            for fp in new:
                fp.person = self.attempt(fp.first_row, services.person_create, default="name", by=self.by, **row(fp))
            return
        for fp, person in zip(new, created, strict=True):
            fp.person = person

    # Organizations ------------------------------------------------------------------------------

    def _write_organizations(self, plans: list[OrgPlan]) -> None:
        """New organizations in bulk; recorded ones updated one by one where the file differs."""
        new = [plan for plan in plans if plan.existing is None]

        def create(plans: list[OrgPlan]) -> list[Organization]:
            return services.organizations_bulk_create(rows=[self._new_organization(p) for p in plans], by=self.by)

        written, created = self._refused(create, new, lambda plan, _r: (plan.row, {"default": "name"}))
        for plan, org in zip(written, created or (), strict=True):
            plan.org, plan.outcome = org, "created"
            self._created.add(plan.key)
        for plan in plans:
            if plan.existing is not None:
                self._update_organization(plan)

    def _new_organization(self, plan: OrgPlan) -> dict[str, Any]:
        data, row = plan.row.data, plan.row
        return {
            "name": data["name"],
            "form": data["form"],
            "nature": data["nature"],
            "category": data["category"],
            "community": data["community"],
            "on": created_on(data, self.today),
            **{name: data[name] for name in NEW_PROFILE if row.has(name)},
        }

    def _update_organization(self, plan: OrgPlan) -> None:
        data, row = plan.row.data, plan.row
        org, changes = plan.existing, {}
        assert org is not None
        for name in PROFILE_FROM_FILE:
            if row.has(name):
                value = data[name] if data[name] is not None else BLANK.get(name)
                if getattr(org, name) != value:
                    changes[name] = value
        plan.org = org
        if changes:
            plan.org = self.attempt(
                row, services.organization_update, default="name", organization=org, data=changes, by=self.by
            )
            plan.outcome = "updated"

    def _write_transitions(self, plans: Iterable[OrgPlan]) -> None:
        """Each organization through the transitions to the file's state, all in one bulk call."""
        items: list[tuple[OrgPlan, list[Step]]] = []
        for plan in plans:
            org, row = plan.org, plan.row
            assert org is not None
            steps = transition_steps(org, row.data, new=plan.existing is None, today=self.today)
            if steps is None:
                self.row_error(
                    row,
                    "status",
                    _("The registry records this organization as %(now)s; an import cannot change it to %(file)s.")
                    % {"now": word_for(STATUSES, org.status), "file": word_for(STATUSES, row.data["status"])},
                )
            elif steps:
                items.append((plan, steps))

        def transition(items: list[tuple[OrgPlan, list[Step]]]) -> list[Organization]:
            calls = []
            for plan, steps in items:  # refusals come back by index: one call per item
                assert plan.org is not None, "transitions apply to organizations already written"
                calls.append((plan.org, [(name, kwargs) for name, _column, kwargs in steps]))
            return services.organizations_bulk_transition(items=calls, by=self.by)

        def blame(item: tuple[OrgPlan, list[Step]], refusal: Any) -> tuple[SheetRow, dict[str, Any]]:
            plan, steps = item
            return plan.row, {"fields": TRANSITION_FIELDS, "default": steps[refusal.step][1]}

        written, _orgs = self._refused(transition, items, blame)
        for plan, _steps in written:
            plan.outcome = plan.outcome or "updated"

    # Memberships --------------------------------------------------------------------------------

    def _recorded_memberships(self, orgs: list[Organization]) -> dict[int, list[Membership]]:
        result: dict[int, list[Membership]] = defaultdict(list)
        for chunk in in_chunks([o.pk for o in orgs]):
            for membership in Membership.objects.filter(organization__in=chunk).select_related("person"):
                result[membership.organization_id].append(membership)
        return result

    def _write_memberships(
        self,
        batches: list[tuple[Organization, list[MemberPlan]]],
        recorded: dict[int, list[Membership]],
        summary: Any,
    ) -> None:
        """Existing memberships (same person, organization and 加入日期) are compared; new ones are
        checked against the registry's current members and leader, then added in one bulk call."""
        groups: list[tuple[Organization, list[dict[str, Any]], SheetRow]] = []
        for org, members in batches:
            new_rows, first_new = self._new_memberships(org, members, recorded.get(org.pk, []), summary)
            if first_new is not None:
                groups.append((org, new_rows, first_new))

        def add(groups: list[tuple[Organization, list[dict[str, Any]], SheetRow]]) -> list[list[Membership]]:
            return services.memberships_bulk_add_many(groups=[(org, rows) for org, rows, _r in groups], by=self.by)

        _written, created = self._refused(add, groups, lambda group, _r: (group[2], {"default": "organization"}))
        summary.memberships_created += sum(len(c) for c in created or ())

    def _new_memberships(
        self, org: Organization, members: list[MemberPlan], known: list[Membership], summary: Any
    ) -> tuple[list[dict[str, Any]], SheetRow | None]:
        by_key = {(m.person_id, m.joined_on): m for m in known}
        leader = next((m for m in known if m.left_on is None and m.role == Role.LEADER), None)
        new_rows: list[dict[str, Any]] = []
        first_new: SheetRow | None = None
        for member in members:
            person, data, row = member.person.person, member.row.data, member.row
            if person is None:
                continue  # creating the person failed and was reported
            found = by_key.get((person.pk, data["joined_on"]))
            if found is not None:
                self._update_membership(found, row, summary)
                continue
            clash = next((m for m in known if m.person_id == person.pk and overlaps(vars(m), data)), None)
            if clash is not None and clash.left_on is None and data["left_on"] is None:
                self.row_error(
                    row,
                    "joined_on",
                    _("%(name)s is already a current member (since %(date)s in the registry): use that 加入日期.")
                    % {"name": person.name, "date": clash.joined_on.isoformat()},
                )
                continue
            if clash is not None:
                self.row_error(
                    row,
                    "joined_on",
                    _("%(name)s was a member from %(start)s to %(end)s in the registry; this period overlaps it.")
                    % {
                        "name": person.name,
                        "start": clash.joined_on.isoformat(),
                        "end": clash.left_on.isoformat() if clash.left_on else _("now"),
                    },
                )
                continue
            if data["left_on"] is None and data["role"] == Role.LEADER and leader and leader.person_id != person.pk:
                self.row_error(
                    row,
                    "role",
                    _("The registry records %(name)s as the current leader; hand over in the office first.")
                    % {"name": leader.person.name},
                )
                continue
            first_new = first_new or row
            new_rows.append({k: data[k] for k in ("role", "joined_on", "left_on")} | {"person": person})
        return new_rows, first_new

    def _update_membership(self, membership: Membership, row: SheetRow, summary: Any) -> None:
        data = row.data
        if membership.role == data["role"] and membership.left_on == data["left_on"]:
            summary.memberships_unchanged += 1
            return
        if membership.left_on is not None:
            self.row_error(
                row,
                "left_on",
                _("The registry records that this membership ended on %(date)s; an import cannot change that.")
                % {"date": membership.left_on.isoformat()},
            )
            return
        if membership.role != data["role"]:
            changed = self.attempt(
                row,
                services.membership_change_role,
                default="role",
                membership=membership,
                role=data["role"],
                by=self.by,
            )
            if changed is None:
                return
        if data["left_on"] is not None:
            ended = self.attempt(
                row,
                services.membership_end,
                default="left_on",
                membership=membership,
                left_on=data["left_on"],
                by=self.by,
            )
            if ended is None:
                return
        summary.memberships_updated += 1

    def _warn_leaderless(self, org_ids: list[int]) -> None:
        # Two plain reads per chunk: a NOT EXISTS over rows written in this very transaction ran
        # for seconds per chunk on PostgreSQL (no statistics yet for the planner).
        names: list[str] = []
        for chunk in in_chunks(sorted(org_ids)):
            led = set(
                Membership.objects.filter(organization__in=chunk, role=Role.LEADER, left_on__isnull=True).values_list(
                    "organization_id", flat=True
                )
            )
            names += [
                name
                for pk, name in Organization.objects.filter(pk__in=chunk, status__in=[Status.ACTIVE, Status.DORMANT])
                .order_by("name")
                .values_list("pk", "name")
                if pk not in led
            ]
        if names:
            shown = "、".join(names[:10]) + ("…" if len(names) > 10 else "")
            self.warn(
                _("%(n)d active or dormant organizations have no current leader (负责人): %(names)s.")
                % {"n": len(names), "names": shown}
            )
