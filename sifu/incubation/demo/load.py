"""Write the incubation demo through the services, on top of the registry demo.

Needs through ``services.needs``, cases through ``services.cases`` (stories and the registry's
organizations in incubation through ``case_record_existing``; the others opened, coached and
filed step by step), leader candidates through ``services.candidates``, members and profiles
through the registry's services, every filing step through ``services.filings`` (with its ``at``
in the past) and the plans through ``services.plans``. Things in progress are dated from the day
the demo is loaded; history at the registry demo's dates. The caller runs it in a transaction
(``seed_demo`` loads both demos in one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from sifu.accounts.models import Area, User
from sifu.accounts.services import system_actor
from sifu.incubation.demo import cases as case_data
from sifu.incubation.demo import plans as plan_data
from sifu.incubation.demo.documents import pdf
from sifu.incubation.demo.needs import ALL as NEEDS
from sifu.incubation.demo.needs import NeedSpec
from sifu.incubation.demo.renewals import OrgFiling, plan_renewals
from sifu.incubation.models import Filing, FilingDocument, IncubationCase, LeaderCandidate, Need, ServicePlan
from sifu.incubation.services import candidates as candidate_services
from sifu.incubation.services import cases as case_services
from sifu.incubation.services import filings as filing_services
from sifu.incubation.services import needs as need_services
from sifu.incubation.services import plans as plan_services
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry
from sifu.registry.demo.data import COMMUNITIES, LEADER_ORG, form_for
from sifu.registry.demo.named import NAMED
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person

# Logins of the registry demo the incubation demo acts as; community staff exist for two communities.
STAFF = {"荔芳": "lifang", "南园": "nanyuan"}
CHANGE_ORG = LEADER_ORG  # its admin asks for a venue change (变更)
CHANGE_VENUE = "荔芳村商业街食品安全服务站（荔芳村38号一楼）"
CHANGE_STATEMENT = "商业街食品安全服务站建成，自治会的日常活动、商户培训和后厨开放日改在服务站举行。"
DEREGISTER_ORG = "登良健身气功队"  # dormant; asks to deregister (注销)
DEREGISTER_STATEMENT = "成员年事已高，多数已不再参加活动，经成员大会讨论，决定注销。"


@dataclass(frozen=True)
class IncubationResult:
    created: bool  # False: the subdistrict had incubation records already and nothing was written
    needs: int
    cases: int
    candidates: int
    filings: int
    renewals: int
    plans: int


def is_loaded(subdistrict: Area) -> bool:
    """The subdistrict has needs already (the demo's, or real ones): the demo is not written over them."""
    return Need.objects.filter(community__path__startswith=subdistrict.path).exists()


def seed_incubation_demo(subdistrict: Area, *, today: dt.date | None = None) -> IncubationResult:
    """Load the incubation demo into the registry demo's subdistrict, unless it holds needs already."""
    if is_loaded(subdistrict):
        return result(subdistrict, created=False)
    loader = _Loader(subdistrict, today or timezone.localdate())
    loader.run()
    if connection.vendor == "postgresql":  # as after the registry demo: let the planner see the new rows
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result(subdistrict, created=True)


def result(subdistrict: Area, *, created: bool) -> IncubationResult:
    path = subdistrict.path
    filings = Filing.objects.filter(organization__community__path__startswith=path)
    return IncubationResult(
        created=created,
        needs=Need.objects.filter(community__path__startswith=path).count(),
        cases=IncubationCase.objects.filter(organization__community__path__startswith=path).count(),
        candidates=LeaderCandidate.objects.filter(organization__community__path__startswith=path).count(),
        filings=filings.count(),
        renewals=filings.filter(kind=Filing.Kind.RENEWAL, status=Filing.Status.APPROVED).count(),
        plans=ServicePlan.objects.filter(area=subdistrict).count(),
    )


class _Loader:
    def __init__(self, subdistrict: Area, today: dt.date) -> None:
        self.today = today
        self.subdistrict = subdistrict
        self.tz = timezone.get_default_timezone()
        self.areas = {a.name.removesuffix("社区"): a for a in Area.objects.filter(parent=subdistrict)}
        missing = [c for c in COMMUNITIES if c not in self.areas]
        if missing:
            raise RuntimeError(f"the registry demo's communities are missing: {missing}")
        self.users = {u.username: u for u in User.objects.filter(username__in=["admin", "lifang", "nanyuan", "leader"])}
        self.admin = self.users["admin"]
        self.system = system_actor()  # acts where the story has no signed-in person (e.g. communities without a login)
        self.orgs = {
            o.name: o for o in Organization.objects.filter(community__parent=subdistrict).select_related("community")
        }
        self.needs: dict[str, Need] = {}
        self.used: set[int] = set()  # people already given a part by this demo

    # dates -------------------------------------------------------------------------------------

    def day(self, when: dt.date | int) -> dt.date:
        return when if isinstance(when, dt.date) else self.today - dt.timedelta(days=when)

    def at(self, when: dt.date | int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(self.day(when), dt.time(hour, minute), tzinfo=self.tz)

    def staff(self, community: str) -> User:
        return self.users[STAFF[community]] if community in STAFF else self.admin

    # the whole demo ----------------------------------------------------------------------------

    def run(self) -> None:
        for spec in NEEDS:
            self.need(spec)
        for story in case_data.STORIES + case_data.REGISTRY:
            self.record_case(story)
        for new in case_data.NEW:
            self.new_case(new)
        self.renewals()
        self.requests()
        for plan in plan_data.PLANS:
            self.plan(plan)

    # needs -------------------------------------------------------------------------------------

    def need(self, spec: NeedSpec) -> Need:
        community = self.areas[spec.community]
        text = {
            "description": spec.description,
            "affected_group": spec.affected_group,
            "place": spec.place,
        }
        if spec.source == Need.Source.RESIDENT:
            name, phone = spec.submitter
            need = need_services.need_submit_public(
                community=community,
                title=spec.title,
                category=spec.category,
                submitter_name=name,
                submitter_phone=phone,
                by=self.system,
                **text,
            )
        else:
            need = need_services.need_record(
                community=community,
                title=spec.title,
                category=spec.category,
                source=spec.source,
                reported_on=self.day(spec.reported),
                by=self.staff(spec.community),
                **text,
            )
        by = self.staff(spec.community)
        if spec.merge_into:
            need = need_services.need_merge(need=need, into=self.needs[spec.merge_into], by=by)
        if spec.decline_reason:
            need = need_services.need_decline(need=need, reason=spec.decline_reason, by=by)
        stories = {n for s in case_data.STORIES for n in s.needs}
        if spec.key not in stories:  # the stories' needs are served through their recorded cases
            for name in spec.serves:
                need = need_services.need_link_organization(need=need, organization=self.orgs[name], by=by)
        self.needs[spec.key] = need
        return need

    # people ------------------------------------------------------------------------------------

    def residents(self, community: str, n: int, *, party: bool) -> list[Person]:
        """``n`` residents of the community without a login, not leading an organization and not
        yet used by this demo (party members or not), in a stable order."""
        if n <= 0:
            return []
        party_q = Q(political_status__in=Person.PARTY_STATUSES)
        leading = Membership.objects.filter(role=Membership.Role.LEADER, left_on__isnull=True).values("person_id")
        people = list(
            Person.objects.filter(community=self.areas[community], user__isnull=True)
            .filter(party_q if party else ~party_q)
            .exclude(pk__in=leading)
            .exclude(pk__in=self.used)
            .order_by("pk")[:n]
        )
        if len(people) < n:
            raise RuntimeError(f"not enough residents in {community} for the incubation demo")
        self.used.update(p.pk for p in people)
        return people

    def members_of(self, organization: Organization, n: int) -> list[Person]:
        """``n`` current party members of the organization who do not lead it, in a stable order."""
        people = list(
            Person.objects.filter(
                memberships__organization=organization,
                memberships__left_on__isnull=True,
                political_status__in=Person.PARTY_STATUSES,
            )
            .exclude(memberships__organization=organization, memberships__role=Membership.Role.LEADER)
            .exclude(pk__in=self.used)
            .order_by("pk")[:n]
        )
        self.used.update(p.pk for p in people)
        return people

    # cases -------------------------------------------------------------------------------------

    def notes(self, case: IncubationCase, notes: tuple[case_data.Note, ...], by: User) -> None:
        for note in notes:
            case_services.coaching_note_add(
                case=case, on=self.day(note.on), kind=note.kind, text=note.text, next_step=note.next_step, by=by
            )

    def candidates(
        self, organization: Organization, specs: tuple[case_data.Candidate, ...], people: list[Person], by: User
    ) -> None:
        for spec, person in zip(specs, people, strict=True):
            candidate = candidate_services.candidate_add(organization=organization, person=person, by=by)
            if spec.assessment:
                party, ability, heart = (case_data.ASSESS[c] for c in spec.assessment)
                candidate = candidate_services.candidate_assess(
                    candidate=candidate,
                    party_spirit=party,
                    organizing_ability=ability,
                    public_spirit=heart,
                    note=spec.note,
                    assessed_on=self.day(spec.assessed),
                    by=by,
                )
            if spec.chosen is not None:
                candidate_services.candidate_choose(candidate=candidate, on=self.day(spec.chosen), by=by)
            if spec.withdrawn:
                candidate_services.candidate_withdraw(candidate=candidate, reason=spec.withdrawn, by=by)

    def record_case(self, story: case_data.StoryCase) -> IncubationCase:
        organization = self.orgs[story.organization]
        community = organization.community.name.removesuffix("社区")
        by = self.staff(community)
        case = case_services.case_record_existing(
            organization=organization,
            needs=[self.needs[key] for key in story.needs],
            incubator_kind=story.incubator_kind,
            incubator_name=story.incubator_name,
            mentor=story.mentor,
            opened_on=story.opened,
            stage=story.stage,
            by=by,
        )
        if story.stage == IncubationCase.Stage.FILED:
            # The paper file holds the charter and both sets of rules (the registry demo predates those fields).
            charter = SimpleUploadedFile(
                f"{organization.name}章程.pdf", pdf(f"charter {organization.pk}"), content_type="application/pdf"
            )
            rules = {"charter_file": charter, "election_rules_adopted": True, "deliberation_rules_adopted": True}
            registry.organization_update(organization=organization, data=rules, by=self.admin)
        self.notes(case, story.notes, by)
        people = self.members_of(organization, len(story.candidates))
        self.candidates(organization, story.candidates, people, by)
        return case

    def new_case(self, spec: case_data.NewCase) -> IncubationCase:
        by = self.users[spec.by]
        case = case_services.case_open(
            community=self.areas[spec.community],
            name=spec.name,
            form=form_for(spec.name),
            nature=spec.nature,
            category=spec.category,
            needs=[self.needs[key] for key in spec.needs],
            incubator_kind=spec.incubator_kind,
            incubator_name=spec.incubator_name,
            mentor=spec.mentor,
            opened_on=self.day(spec.opened),
            by=by,
        )
        organization = case.organization
        profile: dict[str, Any] = {"guiding_unit": f"{spec.community}社区党委"}
        for field, value in (
            ("venue", spec.venue),
            ("purpose", spec.purpose),
            ("service_scope", spec.scope),
            ("funding_source", spec.funding),
        ):
            if value:
                profile[field] = value
        if spec.venue:
            profile["venue_kind"] = Organization.VenueKind.SHARED
        if spec.members:
            profile["founded_on"] = self.day(spec.joined)  # when the founding members came together
        registry.organization_update(organization=organization, data=profile, by=by)
        if spec.started is not None:
            case = case_services.case_start(case=case, on=self.day(spec.started), by=by)
        # Candidates first (the chosen one is also the first member and initiator).
        people = [self.residents(spec.community, 1, party=c.party)[0] for c in spec.candidates]
        chosen = [p for c, p in zip(spec.candidates, people, strict=True) if c.chosen is not None]
        if spec.members:
            party = max(spec.party_members - len(chosen), 0)
            members = chosen + self.residents(spec.community, party, party=True)
            members += self.residents(spec.community, spec.members - len(members), party=False)
            joined = self.day(spec.joined)
            rows = [
                {"person": p, "role": Membership.Role.MEMBER, "joined_on": joined, "is_initiator": i < spec.initiators}
                for i, p in enumerate(members)
            ]
            registry.memberships_bulk_add(organization=organization, rows=rows, by=by)
        rules: dict[str, Any] = {}
        if spec.charter:
            rules["charter_file"] = SimpleUploadedFile(
                f"{spec.name}章程.pdf", pdf(f"{spec.name} charter"), content_type="application/pdf"
            )
            rules["party_clause_in_charter"] = True
        if "election" in spec.rules:
            rules["election_rules_adopted"] = True
        if "deliberation" in spec.rules:
            rules["deliberation_rules_adopted"] = True
        if rules:
            registry.organization_update(organization=organization, data=rules, by=by)
        self.notes(case, spec.notes, by)
        self.candidates(organization, spec.candidates, people, by)
        if spec.filing is not None:
            self.first_filing(organization, spec)
        if spec.closed is not None:
            days, reason = spec.closed
            case = case_services.case_close(case=case, reason=reason, on=self.day(days), by=by)
        return case

    def documents(self, organization: Organization, kinds: tuple[str, ...]) -> list[tuple[str, SimpleUploadedFile]]:
        labels: dict[str, str] = {
            FilingDocument.Kind.APPLICATION: "备案申请表",
            FilingDocument.Kind.ROSTER: "会员花名册",
            FilingDocument.Kind.CHARTER: "章程",
            FilingDocument.Kind.VENUE: "场所使用证明",
        }
        return [
            (kind, SimpleUploadedFile(f"{labels[kind]}.pdf", pdf(f"{kind} {organization.pk}"), "application/pdf"))
            for kind in kinds
        ]

    def first_filing(self, organization: Organization, spec: case_data.NewCase) -> Filing:
        steps = spec.filing
        assert steps is not None
        kinds = FilingDocument.REQUIRED[Filing.Kind.INITIAL]
        filing = filing_services.filing_submit(
            organization=organization,
            kind=Filing.Kind.INITIAL,
            statement=f"{spec.name}已完成筹备，申请备案。",
            documents=self.documents(organization, kinds),
            by=self.users[steps.by] if steps.by else self.system,
            at=self.at(steps.submitted, 9, 30),
        )
        if steps.prechecked is not None:
            filing = filing_services.filing_precheck_pass(
                filing=filing,
                note="材料齐全，同意报街道审核。",
                by=self.users[steps.precheck_by] if steps.precheck_by else self.system,
                at=self.at(steps.prechecked, 16, 0),
            )
        if steps.returned is not None:
            filing = filing_services.filing_return(
                filing=filing, reason=steps.return_reason, by=self.admin, at=self.at(steps.returned, 11, 0)
            )
        if steps.approved is not None:
            on = self.day(steps.approved)
            filing = filing_services.filing_approve(
                filing=filing,
                filing_number=registry_selectors.suggest_filing_number(on.year),
                note="符合备案条件，同意备案。",
                by=self.admin,
                at=self.at(steps.approved, 15, 0),
            )
        return filing

    # renewals and other requests ---------------------------------------------------------------

    def renewals(self) -> None:
        organizations = list(
            Organization.objects.filter(
                community__parent=self.subdistrict,
                status=Organization.Status.ACTIVE,
                legal_status=Organization.LegalStatus.FILED,
                filing_valid_until__isnull=False,
            ).select_related("community")
        )
        periods: dict[int, list[dt.date]] = {}
        for pk, on in (
            OrganizationStatusChange.objects.filter(
                organization__in=organizations,
                action__in=["registry.organization.made_dormant", "registry.organization.reactivated"],
            )
            .order_by("organization", "effective_on", "id")
            .values_list("organization", "effective_on")
        ):
            periods.setdefault(pk, []).append(on)
        # The case study's organizations (and so the stories and the demo login's one) renew on time.
        protected = {n.name for n in NAMED} | {s.organization for s in case_data.STORIES} | {LEADER_ORG, CHANGE_ORG}
        plan = plan_renewals(
            [
                OrgFiling(
                    o.pk,
                    o.name,
                    o.filing_valid_until,
                    protected=o.name in protected,
                    dormant=tuple(zip(periods.get(o.pk, [])[::2], periods.get(o.pk, [])[1::2], strict=False)),
                )
                for o in organizations
                if o.filing_valid_until is not None  # all of them (the query asks for it)
            ],
            self.today,
        )
        by_pk = {o.pk: o for o in organizations}
        for renewal in plan.renewals:
            organization = by_pk[renewal.pk]
            self.renewal(organization, renewal.submitted, renewal.prechecked, renewal.approved)
        for pk, submitted, prechecked in plan.pending:
            self.renewal(by_pk[pk], self.day(submitted), self.day(prechecked) if prechecked else None, None)

    def renewal(
        self, organization: Organization, submitted: dt.date, prechecked: dt.date | None, approved: dt.date | None
    ) -> Filing:
        community = organization.community.name.removesuffix("社区")
        filing = filing_services.filing_submit(
            organization=organization,
            kind=Filing.Kind.RENEWAL,
            statement="备案即将到期，申请续期。",
            documents=self.documents(organization, FilingDocument.REQUIRED[Filing.Kind.RENEWAL]),
            by=self.system,
            at=self.at(submitted, 9, 30),
        )
        if prechecked is not None:
            checker = self.users[STAFF[community]] if community in STAFF else self.system
            filing = filing_services.filing_precheck_pass(filing=filing, by=checker, at=self.at(prechecked, 10, 0))
        if approved is not None:
            filing = filing_services.filing_approve(filing=filing, by=self.admin, at=self.at(approved, 15, 0))
        return filing

    def requests(self) -> None:
        """A venue change asked by the demo organization's admin, and a dormant organization's deregistration."""
        organization = self.orgs[CHANGE_ORG]
        filing_services.filing_submit(
            organization=organization,
            kind=Filing.Kind.CHANGE,
            statement=CHANGE_STATEMENT,
            changes={"venue": CHANGE_VENUE},
            documents=self.documents(organization, FilingDocument.REQUIRED[Filing.Kind.CHANGE]),
            by=self.users["leader"],
            at=self.at(1, 20, 15),
        )
        organization = self.orgs[DEREGISTER_ORG]
        filing = filing_services.filing_submit(
            organization=organization,
            kind=Filing.Kind.DEREGISTRATION,
            statement=DEREGISTER_STATEMENT,
            effective_on=self.day(10),
            documents=self.documents(organization, FilingDocument.REQUIRED[Filing.Kind.DEREGISTRATION]),
            by=self.system,
            at=self.at(6, 10, 0),
        )
        filing_services.filing_precheck_pass(
            filing=filing, note="情况属实，同意注销。", by=self.system, at=self.at(3, 15, 0)
        )

    # plans -------------------------------------------------------------------------------------

    def plan(self, spec: plan_data.PlanSpec) -> ServicePlan:
        starts = spec.starts or dt.date(self.today.year - 1, 1, 1)
        ends = spec.ends or dt.date(self.today.year + 1, 12, 31)
        plan = plan_services.plan_create(
            area=self.subdistrict,
            title=plan_data.TITLE.format(start=starts.year, end=ends.year),
            starts_on=starts,
            ends_on=ends,
            summary=spec.summary,
            by=self.admin,
        )
        for metric, target, due, note in spec.goals:
            plan_services.goal_add(
                plan=plan, metric=metric, target=target, due_on=due or ends, note=note, by=self.admin
            )
        for milestone in spec.milestones:
            item = plan_services.milestone_add(
                plan=plan, title=milestone.title, due_on=self.day(milestone.due), note=milestone.note, by=self.admin
            )
            if milestone.done is not None:
                plan_services.milestone_done(milestone=item, done_on=self.day(milestone.done), by=self.admin)
        return plan
