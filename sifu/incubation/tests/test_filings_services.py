"""The filing workflow (备案) through its services: every step allowed and refused, the documents'
checks, the registry effects of each kind (first filing, renewal, change, deregistration), the
case hooks, the separation of duties, stale pages and two staff deciding at once.

Refused calls are checked to write nothing: no request, event, document, file or registry change.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from sifu.accounts.services import role_grant, system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import Role
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.incubation import checklist
from sifu.incubation.models import Filing, FilingDocument, FilingEvent, FilingQuerySet, IncubationCase
from sifu.incubation.services import filings as services
from sifu.registry import services as registry
from sifu.registry.models import Organization
from sifu.registry.services import filing_valid_until
from sifu.registry.tests.factories import make_organization, make_person

S = Filing.Status
K = Filing.Kind
DocKind = FilingDocument.Kind
PDF = b"%PDF-1.4 filing document"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded documents go to a temporary media root."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Helpers ------------------------------------------------------------------------------------------


def upload(name: str = "申请表.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def docs(kind: str = K.INITIAL) -> list[tuple[str, SimpleUploadedFile]]:
    """The required documents of ``kind``, each a small valid PDF."""
    return [(doc, upload(f"{doc}.pdf")) for doc in FilingDocument.REQUIRED[kind]]


def ready_org(world, name: str = "荔芳食品安全互助社", *, case: bool = True) -> Organization:
    """An incubating association-type organization of community A whose filing checklist is complete;
    with an incubation case at the incubating stage unless ``case`` is False."""
    org = make_organization(
        world.community_a, name, nature=Organization.Nature.ASSOCIATION, members=10, on=dt.date(2024, 1, 1)
    )
    registry.organization_update(
        organization=org,
        data={
            "charter_file": SimpleUploadedFile("章程.pdf", PDF, content_type="application/pdf"),
            "party_clause_in_charter": True,
            "election_rules_adopted": True,
            "deliberation_rules_adopted": True,
        },
        by=system_actor(),
    )
    registry.membership_add(
        organization=org, person=make_person(party=True), joined_on=dt.date(2024, 1, 1), by=system_actor()
    )
    registry.organization_start_incubation(organization=org, on=dt.date(2024, 2, 1), by=system_actor())
    if case:
        IncubationCase.objects.create(
            organization=org,
            incubator_kind=IncubationCase.Incubator.ENERGY_STATION,
            stage=IncubationCase.Stage.INCUBATING,
        )
    assert checklist.missing(org, timezone.localdate()) == []
    org.refresh_from_db()
    return org


def filed_org(world, *, valid_until: dt.date, name: str | None = None) -> Organization:
    """An active filed organization of community A whose filing ends on ``valid_until``."""
    filed_on = (valid_until + dt.timedelta(days=1)).replace(year=valid_until.year - 3)
    org = make_organization(world.community_a, name, members=3, filed=True, on=filed_on)
    assert org.filing_valid_until == valid_until
    return org


def submit(org: Organization, kind: str = K.INITIAL, *, by, **kw: Any) -> Filing:
    kw.setdefault("documents", docs(kind))
    return services.filing_submit(organization=org, kind=kind, by=by, **kw)


def through_precheck(filing: Filing, *, by) -> Filing:
    return services.filing_precheck_pass(filing=filing, by=by)


def snapshot(org: Organization | None = None) -> dict[str, Any]:
    """What any filing step may write, read back from the database."""
    data: dict[str, Any] = {
        "filings": list(Filing.objects.order_by("pk").values()),
        "events": FilingEvent.objects.count(),
        "documents": FilingDocument.objects.count(),
        "versions": Filing.history.count(),
        "cases": list(IncubationCase.objects.order_by("pk").values_list("stage", flat=True)),
    }
    if org is not None:
        fresh = Organization.objects.get(pk=org.pk)
        data["org"] = {f.attname: getattr(fresh, f.attname) for f in Organization._meta.concrete_fields}
    return data


def refused(call, *fragments: str, org: Organization | None = None, exc: type[Exception] = ValidationError):
    """Run ``call``, expect ``exc`` whose message holds every fragment, and prove nothing changed."""
    before = snapshot(org)
    with pytest.raises(exc) as info:
        call()
    assert snapshot(org) == before, "a refused call wrote something"
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return info.value


def actions(filing: Filing) -> list[tuple[str, str, int]]:
    return list(filing.events.order_by("at", "id").values_list("action", "level", "round"))


def stored_files(media) -> list[str]:
    root = media / "filings"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@built_once
def second_admin(world):
    """Another subdistrict admin: decides what ``office_admin`` checked."""
    user = UserFactory(username="second_admin", display_name="街道审核员")
    role_grant(user=user, role=Role.SUBDISTRICT_ADMIN, area=world.subdistrict, by=system_actor())
    return user


# The first filing, end to end --------------------------------------------------------------------


def test_first_filing_submitted_checked_approved_files_the_organization(world, community_staff, office_admin, media):
    org = ready_org(world)
    today = timezone.localdate()
    filing = submit(org, by=community_staff, statement="荔芳社区网红餐饮店经营者自愿成立")
    assert (filing.status, filing.round, filing.kind) == (S.SUBMITTED, 1, K.INITIAL)
    assert filing.due_on == today + dt.timedelta(days=Filing.REVIEW_DAYS)
    assert filing.submitted_by == community_staff
    assert sorted(filing.documents.values_list("kind", flat=True)) == sorted(FilingDocument.REQUIRED[K.INITIAL])
    assert len(stored_files(media)) == 4
    doc = filing.documents.get(kind=DocKind.ROSTER)
    assert (doc.original_name, doc.size, doc.round, doc.uploaded_by) == ("roster.pdf", len(PDF), 1, community_staff)
    assert doc.file.read() == PDF
    assert IncubationCase.objects.get(organization=org).stage == IncubationCase.Stage.FILING

    filing = through_precheck(filing, by=community_staff)
    assert filing.status == S.PRECHECKED and filing.prechecked_by == community_staff

    filing = services.filing_approve(filing=filing, note="材料齐全", by=office_admin)
    org.refresh_from_db()
    assert filing.status == S.APPROVED and filing.decided_by == office_admin and filing.decision_note == "材料齐全"
    assert (org.status, org.legal_status) == (Organization.Status.ACTIVE, Organization.LegalStatus.FILED)
    assert org.filing_number == filing.filing_number and org.filing_number.startswith(f"南山街备〔{today.year}〕")
    assert org.filed_on == today
    assert org.filing_valid_until == filing.valid_until == filing_valid_until(today)
    assert filing.valid_until.year == today.year + 3 and filing.valid_until < today.replace(year=today.year + 3)
    assert Organization.objects.public().filter(pk=org.pk).exists()
    assert IncubationCase.objects.get(organization=org).stage == IncubationCase.Stage.FILED
    assert actions(filing) == [
        ("submitted", "applicant", 1),
        ("precheck_passed", "community", 1),
        ("approved", "subdistrict", 1),
    ]
    reasons = list(
        filing.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["incubation.filing.submitted", "incubation.filing.prechecked", "incubation.filing.approved"]
    assert org.history.latest().history_change_reason == "registry.organization.filed"


def test_the_approver_may_give_the_filing_number(world, community_staff, office_admin):
    org = ready_org(world)
    filing = through_precheck(submit(org, by=community_staff), by=community_staff)
    filing = services.filing_approve(filing=filing, filing_number=" NS-LF-7 ", by=office_admin)
    org.refresh_from_db()
    assert org.filing_number == filing.filing_number == "NS-LF-7"


def test_a_filed_organization_can_then_convert_to_registration(world, community_staff, office_admin):
    """Issue #3 point 5: the registry's "Record registration" still works after the workflow filed it."""
    org = ready_org(world)
    filing = through_precheck(submit(org, by=community_staff), by=community_staff)
    services.filing_approve(filing=filing, by=office_admin)
    uscc = "51440305MJL0000000"
    uscc = uscc[:17] + uscc_check_char(uscc[:17])
    registry.organization_register(organization=org, uscc=uscc, registered_on=timezone.localdate(), by=office_admin)
    org.refresh_from_db()
    assert org.legal_status == Organization.LegalStatus.REGISTERED and org.uscc == uscc
    # …and once registered, the subdistrict's requests are closed to it, with the reason.
    for kind in (K.RENEWAL, K.CHANGE, K.DEREGISTRATION):
        assert "civil affairs" in services.kind_problem(org, kind, timezone.localdate())


def test_return_resubmit_at_both_levels_then_approve(world, community_staff, office_admin, media):
    org = ready_org(world)
    filing = submit(org, by=community_staff, statement="第一次")
    filing = services.filing_return(filing=filing, reason="花名册缺少联系电话", by=community_staff)
    assert filing.status == S.RETURNED and filing.decision_note == "花名册缺少联系电话"
    assert IncubationCase.objects.get(organization=org).stage == IncubationCase.Stage.FILING  # still under review

    filing = services.filing_resubmit(
        filing=filing,
        statement="已补充电话",
        documents=[(DocKind.ROSTER, upload("花名册-修订.xlsx", b"PK\x03\x04xl"))],
        by=community_staff,
    )
    assert (filing.status, filing.round, filing.statement, filing.decision_note) == (S.SUBMITTED, 2, "已补充电话", "")
    filing = through_precheck(filing, by=community_staff)
    filing = services.filing_return(filing=filing, reason="章程未写党建条款页码", by=office_admin)
    assert filing.status == S.RETURNED and filing.prechecked_by == community_staff
    filing = services.filing_resubmit(filing=filing, by=community_staff)
    assert filing.round == 3 and filing.prechecked_by is None and filing.statement == "已补充电话"
    filing = through_precheck(filing, by=community_staff)
    filing = services.filing_approve(filing=filing, by=office_admin)
    assert filing.status == S.APPROVED
    assert actions(filing) == [
        ("submitted", "applicant", 1),
        ("returned", "community", 1),
        ("resubmitted", "applicant", 2),
        ("precheck_passed", "community", 2),
        ("returned", "subdistrict", 2),
        ("resubmitted", "applicant", 3),
        ("precheck_passed", "community", 3),
        ("approved", "subdistrict", 3),
    ]
    notes = dict(filing.events.filter(action="returned").values_list("round", "note"))
    assert notes == {1: "花名册缺少联系电话", 2: "章程未写党建条款页码"}
    # Documents are only added: four from round 1, the corrected roster from round 2.
    assert list(filing.documents.order_by("round", "kind").values_list("round", "kind")) == [
        (1, "application"),
        (1, "charter"),
        (1, "roster"),
        (1, "venue"),
        (2, "roster"),
    ]
    assert len(stored_files(media)) == 5


def test_resubmission_resets_the_due_date(world, community_staff):
    org = ready_org(world)
    past = timezone.now() - dt.timedelta(days=20)
    filing = submit(org, by=community_staff, at=past)
    assert filing.due_on == timezone.localdate(past) + dt.timedelta(days=7) and filing.is_overdue()
    filing = services.filing_return(filing=filing, reason="补材料", by=community_staff, at=past + dt.timedelta(days=2))
    filing = services.filing_resubmit(filing=filing, by=community_staff)
    assert filing.due_on == timezone.localdate() + dt.timedelta(days=7) and not filing.is_overdue()


# Refusals of the first filing -------------------------------------------------------------------


def test_first_filing_refused_while_the_checklist_is_incomplete_listing_every_item(world, community_staff):
    org = make_organization(world.community_a, "未完成的组织", nature=Organization.Nature.ASSOCIATION, members=4)
    missing = checklist.missing(org, timezone.localdate())
    assert len(missing) >= 4
    refused(lambda: submit(org, by=community_staff), "Cannot submit the filing yet", *missing, org=org)


def test_first_filing_refused_while_the_case_is_still_preparing(world, community_staff, media):
    org = ready_org(world)
    IncubationCase.objects.filter(organization=org).update(stage=IncubationCase.Stage.PREPARING)
    refused(lambda: submit(org, by=community_staff), "has not started yet", org=org)
    assert stored_files(media) == []


def test_first_filing_refused_for_an_organization_already_filed(world, community_staff):
    refused(lambda: submit(world.org_a, by=community_staff), "already Filed", org=world.org_a)


def test_every_missing_document_is_named(world, community_staff):
    org = ready_org(world)
    refused(
        lambda: submit(org, by=community_staff, documents=[(DocKind.APPLICATION, upload())]),
        "Attach the required documents",
        "Member roster",
        "Charter",
        "Proof of venue",
        org=org,
    )


def test_wrong_type_oversized_empty_and_disguised_files_are_refused_naming_each(
    world, community_staff, settings, media
):
    settings.SIFU_MAX_UPLOAD_BYTES = 100
    org = ready_org(world)
    bad = [
        (DocKind.APPLICATION, upload("申请表.exe", b"MZ")),
        (DocKind.ROSTER, upload("花名册.pdf", b"%PDF" + b"x" * 200)),
        (DocKind.CHARTER, upload("章程.pdf", b"")),
        (DocKind.VENUE, upload("场地.jpg", b"%PDF not a picture")),
    ]
    refused(
        lambda: submit(org, by=community_staff, documents=bad),
        "“申请表.exe” is not an accepted file type",
        "“花名册.pdf” is 204\xa0bytes; files up to 100\xa0bytes are accepted",
        "“章程.pdf” is empty",
        "“场地.jpg” does not look like a .jpg file",
        org=org,
    )
    assert stored_files(media) == []


def test_at_most_ten_files(world, community_staff):
    org = ready_org(world)
    many = docs() + [(DocKind.OTHER, upload(f"附件{i}.pdf")) for i in range(7)]
    refused(lambda: submit(org, by=community_staff, documents=many), "at most 10 files", "you attached 11", org=org)


def test_one_open_request_per_organization(world, community_staff, org_leader):
    org = filed_org(world, valid_until=timezone.localdate() + dt.timedelta(days=5))
    submit(org, K.RENEWAL, by=community_staff)
    refused(
        lambda: submit(org, K.CHANGE, by=community_staff, changes={"venue": "新场地"}),
        "already has a request in progress",
        "Renewal",
        org=org,
    )


def test_a_simultaneous_submission_hits_the_constraint_with_a_clear_message(world, community_staff, monkeypatch):
    """The check before inserting can miss a request submitted at the same moment; the database's
    one-open-request constraint still holds and the user is told."""
    org = filed_org(world, valid_until=timezone.localdate() + dt.timedelta(days=5))
    submit(org, K.RENEWAL, by=community_staff)
    monkeypatch.setattr(FilingQuerySet, "open", lambda self: self.none())
    refused(
        lambda: submit(org, K.CHANGE, by=community_staff, changes={"venue": "新场地"}),
        "at the same moment",
        org=org,
    )


# Renewal ---------------------------------------------------------------------------------------


def test_renewal_before_the_end_extends_from_the_day_after(world, community_staff, office_admin):
    until = timezone.localdate() + dt.timedelta(days=10)
    org = filed_org(world, valid_until=until)
    filing = through_precheck(submit(org, K.RENEWAL, by=community_staff), by=community_staff)
    filing = services.filing_approve(filing=filing, by=office_admin)
    org.refresh_from_db()
    assert org.filing_valid_until == filing.valid_until == filing_valid_until(until + dt.timedelta(days=1))
    assert org.filing_valid_until.year == until.year + 3
    assert filing.filing_number == org.filing_number
    assert (org.status, org.legal_status) == (Organization.Status.ACTIVE, Organization.LegalStatus.FILED)
    assert org.history.latest().history_change_reason == "registry.organization.filing_renewed"


def test_renewal_after_expiry_runs_three_years_from_the_renewal(world, org_leader, community_staff, office_admin):
    org = world.org_a  # filed 2020-01-01: expired at the end of 2022
    filing = submit(org, K.RENEWAL, by=org_leader)
    filing = services.filing_approve(filing=through_precheck(filing, by=community_staff), by=office_admin)
    org.refresh_from_db()
    assert org.filing_valid_until == filing_valid_until(timezone.localdate())


def test_renewal_opens_thirty_days_before_the_end(world, community_staff):
    today = timezone.localdate()
    early = filed_org(world, valid_until=today + dt.timedelta(days=31))
    refused(lambda: submit(early, K.RENEWAL, by=community_staff), "Renewal opens 30 days", org=early)
    just = filed_org(world, valid_until=today + dt.timedelta(days=30))
    assert submit(just, K.RENEWAL, by=community_staff).status == S.SUBMITTED


def test_renewal_refused_for_dormant_unfiled_or_registered(world, community_staff):
    org = filed_org(world, valid_until=timezone.localdate())
    registry.organization_make_dormant(organization=org, reason="暂停", by=system_actor())
    refused(lambda: submit(org, K.RENEWAL, by=community_staff), "Only an active organization", org=org)
    proposed = make_organization(world.community_a)
    refused(lambda: submit(proposed, K.RENEWAL, by=community_staff), "not filed yet", org=proposed)


def test_registry_renewal_service_rules(world, community_staff, office_admin):
    today = timezone.localdate()
    org = filed_org(world, valid_until=today + dt.timedelta(days=3))
    with pytest.raises(PermissionDenied):
        registry.organization_renew_filing(organization=org, renewed_on=today, by=community_staff)
    with pytest.raises(ValidationError, match="future"):
        registry.organization_renew_filing(organization=org, renewed_on=today + dt.timedelta(days=1), by=office_admin)
    registry.organization_renew_filing(organization=org, renewed_on=today, by=office_admin)
    org.refresh_from_db()
    assert org.filing_valid_until == filing_valid_until(today + dt.timedelta(days=4))
    registry.organization_make_dormant(organization=org, reason="暂停", by=system_actor())
    with pytest.raises(ValidationError, match="Only an active, filed organization"):
        registry.organization_renew_filing(organization=org, renewed_on=today, by=office_admin)


# Change ----------------------------------------------------------------------------------------


def test_change_applies_the_requested_fields_on_approval(world, org_leader, community_staff, office_admin):
    org = world.org_a
    old_venue = org.venue
    filing = submit(
        org,
        K.CHANGE,
        by=org_leader,
        statement="搬到新的活动室，并改名",
        changes={"venue": " 荔芳社区党群服务中心二楼 ", "name": "荔芳食品安全自治协会", "purpose": org.purpose},
    )
    assert filing.changes == {
        "name": {"before": "荔芳食品安全自治会", "after": "荔芳食品安全自治协会"},
        "venue": {"before": old_venue, "after": "荔芳社区党群服务中心二楼"},
    }
    services.filing_approve(filing=through_precheck(filing, by=community_staff), by=office_admin)
    org.refresh_from_db()
    assert (org.name, org.venue) == ("荔芳食品安全自治协会", "荔芳社区党群服务中心二楼")
    assert org.history.latest().history_change_reason == "registry.organization.updated"


def test_change_refused_without_a_real_change_with_a_taken_name_or_other_fields(world, org_leader):
    org = world.org_a
    make_organization(world.community_a, "荔芳书画社")
    refused(lambda: submit(org, K.CHANGE, by=org_leader, changes={"venue": org.venue}), "Nothing would change", org=org)
    refused(lambda: submit(org, K.CHANGE, by=org_leader, changes={}), "Nothing would change", org=org)
    refused(
        lambda: submit(org, K.CHANGE, by=org_leader, changes={"name": "荔芳书画社"}),
        "already has an organization called “荔芳书画社”",
        org=org,
    )
    refused(
        lambda: submit(org, K.CHANGE, by=org_leader, changes={"status": "dissolved", "filing_number": "X"}),
        "cannot change these fields: filing_number, status",
        org=org,
    )
    refused(lambda: submit(org, K.CHANGE, by=org_leader, changes={"name": "  "}), "cannot be blank", org=org)
    refused(lambda: submit(org, K.CHANGE, by=org_leader, changes={"category": "sports"}), "not a valid choice", org=org)


def test_change_refused_for_an_organization_not_filed(world, community_staff):
    proposed = make_organization(world.community_a)
    refused(
        lambda: submit(proposed, K.CHANGE, by=community_staff, changes={"venue": "新"}), "not filed yet", org=proposed
    )


def test_a_change_the_registry_refuses_at_approval_saves_nothing(world, org_leader, community_staff, office_admin):
    """The name was free when asked for, and taken by the time of the decision."""
    org = world.org_a
    filing = through_precheck(
        submit(org, K.CHANGE, by=org_leader, changes={"name": "荔芳美食联盟"}), by=community_staff
    )
    make_organization(world.community_a, "荔芳美食联盟")
    refused(
        lambda: services.filing_approve(filing=filing, by=office_admin), "already has an organization called", org=org
    )
    filing.refresh_from_db()
    assert filing.status == S.PRECHECKED


# Deregistration ---------------------------------------------------------------------------------


def test_deregistration_dissolves_on_the_requested_date(world, org_leader, community_staff, office_admin):
    org = world.org_a
    on = timezone.localdate() - dt.timedelta(days=3)
    filing = submit(org, K.DEREGISTRATION, by=org_leader, statement="成员大会决定解散", effective_on=on)
    services.filing_approve(filing=through_precheck(filing, by=community_staff), by=office_admin)
    org.refresh_from_db()
    assert (org.status, org.status_since) == (Organization.Status.DISSOLVED, on)
    change = org.status_changes.latest("id")
    assert (change.action, change.reason, change.effective_on) == (
        "registry.organization.dissolved",
        "成员大会决定解散",
        on,
    )
    assert not Organization.objects.public().filter(pk=org.pk).exists()


def test_deregistration_needs_a_reason_and_a_proper_date(world, org_leader):
    org = world.org_a
    today = timezone.localdate()
    refused(
        lambda: submit(org, K.DEREGISTRATION, by=org_leader),
        "Say why the organization is deregistered",
        "Give the date the organization stops",
        org=org,
    )
    refused(
        lambda: submit(
            org, K.DEREGISTRATION, by=org_leader, statement="解散", effective_on=today + dt.timedelta(days=1)
        ),
        "cannot be in the future",
        org=org,
    )
    refused(
        lambda: submit(org, K.DEREGISTRATION, by=org_leader, statement="解散", effective_on=dt.date(2019, 1, 1)),
        "cannot be before 2020-01-01",
        org=org,
    )


def test_registered_organizations_deregister_with_civil_affairs(world, office_admin):
    org = world.org_a
    uscc = "51440305MJL0000001"
    registry.organization_register(
        organization=org,
        uscc=uscc[:17] + uscc_check_char(uscc[:17]),
        registered_on=timezone.localdate(),
        by=system_actor(),
    )
    refused(
        lambda: submit(org, K.DEREGISTRATION, by=office_admin, statement="解散", effective_on=timezone.localdate()),
        "registered organizations deregister with civil affairs",
        org=org,
    )


# Steps from the wrong state, stale pages, duties, permissions -----------------------------------------


def test_steps_from_the_wrong_status_are_refused(world, community_staff, office_admin):
    org = ready_org(world)
    filing = submit(org, by=community_staff)
    refused(lambda: services.filing_approve(filing=filing, by=office_admin), "cannot be approved", org=org)
    refused(lambda: services.filing_resubmit(filing=filing, by=community_staff), "cannot be resubmitted", org=org)
    filing = through_precheck(filing, by=community_staff)
    refused(lambda: services.filing_precheck_pass(filing=filing, by=community_staff), "cannot be passed", org=org)
    filing = services.filing_approve(filing=filing, by=office_admin)
    for call in (
        lambda: services.filing_withdraw(filing=filing, by=community_staff),
        lambda: services.filing_refuse(filing=filing, reason="x", by=office_admin),
        lambda: services.filing_return(filing=filing, reason="x", by=office_admin),
    ):
        refused(call, "“Approved”", org=org)


def test_a_decision_on_a_stale_page_is_refused_naming_the_current_status(world, community_staff, office_admin):
    org = ready_org(world)
    filing = submit(org, by=community_staff)
    page_a = Filing.objects.get(pk=filing.pk)
    page_b = Filing.objects.get(pk=filing.pk)
    services.filing_precheck_pass(filing=page_a, by=community_staff)
    refused(
        lambda: services.filing_return(filing=page_b, reason="材料不全", by=community_staff),
        "Someone else decided this request meanwhile",
        "“Awaiting subdistrict review”",
        org=org,
    )
    # The same status in a later round is a different request too.
    services.filing_return(filing=Filing.objects.get(pk=filing.pk), reason="补材料", by=office_admin)
    stale_round = Filing.objects.get(pk=filing.pk)
    services.filing_resubmit(filing=Filing.objects.get(pk=filing.pk), by=community_staff)
    returned_again = Filing.objects.get(pk=filing.pk)
    services.filing_return(filing=returned_again, reason="再补", by=community_staff)
    assert stale_round.status == S.RETURNED and stale_round.round == 1
    refused(lambda: services.filing_resubmit(filing=stale_round, by=community_staff), "meanwhile", org=org)


def test_the_community_checker_cannot_also_decide(world, office_admin, second_admin):
    org = ready_org(world)
    filing = through_precheck(submit(org, by=office_admin), by=office_admin)
    refused(lambda: services.filing_approve(filing=filing, by=office_admin), "someone else at the subdistrict", org=org)
    refused(
        lambda: services.filing_refuse(filing=filing, reason="不符合", by=office_admin),
        "someone else at the subdistrict",
        org=org,
    )
    assert services.filing_approve(filing=filing, by=second_admin).status == S.APPROVED


def test_written_reasons_are_required(world, community_staff, office_admin):
    org = ready_org(world)
    filing = submit(org, by=community_staff)
    refused(
        lambda: services.filing_return(filing=filing, reason="  ", by=community_staff), "what the applicant", org=org
    )
    refused(lambda: services.filing_refuse(filing=filing, reason="", by=office_admin), "reason for refusing", org=org)


def test_permissions_are_checked_for_every_step(
    world, community_staff, other_staff, org_leader, district_leader, office_admin
):
    org = ready_org(world)
    for user in (other_staff, district_leader, org_leader):  # org_leader administers org A, not this one
        refused(lambda user=user: submit(org, by=user), org=org, exc=PermissionDenied)
    filing = submit(org, by=community_staff)
    for user in (org_leader, district_leader, other_staff):
        refused(lambda user=user: services.filing_precheck_pass(filing=filing, by=user), org=org, exc=PermissionDenied)
    refused(
        lambda: services.filing_refuse(filing=filing, reason="x", by=community_staff), org=org, exc=PermissionDenied
    )
    refused(lambda: services.filing_withdraw(filing=filing, by=district_leader), org=org, exc=PermissionDenied)
    filing = through_precheck(filing, by=community_staff)
    for user in (community_staff, org_leader, district_leader):
        refused(lambda user=user: services.filing_approve(filing=filing, by=user), org=org, exc=PermissionDenied)
    # At the subdistrict's stage a return is the subdistrict's, not the community's.
    refused(
        lambda: services.filing_return(filing=filing, reason="x", by=community_staff), org=org, exc=PermissionDenied
    )
    assert services.filing_return(filing=filing, reason="补充", by=office_admin).status == S.RETURNED


def test_an_organizations_admin_files_renews_changes_deregisters_its_own(world, org_leader):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader)
    assert filing.submitted_by == org_leader
    assert services.filing_withdraw(filing=filing, by=org_leader).status == S.WITHDRAWN
    refused(lambda: submit(world.org_b, K.RENEWAL, by=org_leader), org=world.org_b, exc=PermissionDenied)


def test_staff_who_check_or_decide_withdraw_only_what_they_submitted(world, org_leader, community_staff):
    """The detail page offered "withdraw" to reviewers only on their own submissions; the workflow's
    guard now holds the service to it too (a reviewer returns or refuses instead)."""
    theirs = submit(world.org_a, K.RENEWAL, by=org_leader)
    refused(
        lambda: services.filing_withdraw(filing=theirs, by=community_staff),
        "return or refuse it; the applicant withdraws it",
        org=world.org_a,
    )
    assert services.filing_withdraw(filing=theirs, by=org_leader).status == S.WITHDRAWN


# Refusal, withdrawal and the case ----------------------------------------------------------------


def test_refusal_and_withdrawal_send_the_case_back_to_incubation(world, community_staff, office_admin):
    org = ready_org(world)
    case = IncubationCase.objects.get(organization=org)
    filing = submit(org, by=community_staff)
    case.refresh_from_db()
    assert case.stage == IncubationCase.Stage.FILING
    filing = services.filing_refuse(filing=filing, reason="名称与既有组织重复", by=office_admin)
    case.refresh_from_db()
    assert (filing.status, filing.decision_note, case.stage) == (S.REFUSED, "名称与既有组织重复", "incubating")
    assert actions(filing)[-1] == ("refused", "subdistrict", 1)

    filing = submit(org, by=community_staff)  # a refused request is closed: a new one may be submitted
    filing = services.filing_withdraw(filing=filing, by=community_staff)
    case.refresh_from_db()
    assert (filing.status, case.stage) == (S.WITHDRAWN, IncubationCase.Stage.INCUBATING)
    org.refresh_from_db()
    assert org.legal_status == Organization.LegalStatus.UNFILED


def test_organizations_without_a_case_file_too(world, community_staff, office_admin):
    org = ready_org(world, case=False)
    filing = through_precheck(submit(org, by=community_staff), by=community_staff)
    assert services.filing_approve(filing=filing, by=office_admin).status == S.APPROVED


def test_a_number_the_registry_refuses_saves_nothing(world, community_staff, office_admin, media):
    org = ready_org(world)
    filing = through_precheck(submit(org, by=community_staff), by=community_staff)
    refused(
        lambda: services.filing_approve(filing=filing, filing_number=world.org_a.filing_number, by=office_admin),
        "already used",
        org=org,
    )


# Dates of steps ----------------------------------------------------------------------------------


def test_steps_may_be_recorded_in_the_past_in_order_never_in_the_future(world, community_staff, office_admin):
    org = ready_org(world)
    now = timezone.now()
    submitted = now - dt.timedelta(days=12)
    refused(lambda: submit(org, by=community_staff, at=now + dt.timedelta(hours=1)), "in the future", org=org)
    filing = submit(org, by=community_staff, at=submitted)
    assert filing.submitted_at == submitted and filing.history.first().history_date == submitted
    refused(
        lambda: services.filing_precheck_pass(filing=filing, by=community_staff, at=submitted - dt.timedelta(hours=1)),
        "before the request's previous step",
        org=org,
    )
    filing = services.filing_precheck_pass(filing=filing, by=community_staff, at=submitted + dt.timedelta(days=2))
    filing = services.filing_approve(filing=filing, by=office_admin, at=submitted + dt.timedelta(days=5))
    org.refresh_from_db()
    assert org.filed_on == timezone.localdate(submitted + dt.timedelta(days=5))
    assert [e.at for e in filing.events.order_by("at")] == [
        submitted,
        submitted + dt.timedelta(days=2),
        submitted + dt.timedelta(days=5),
    ]


# Two staff deciding at once (PostgreSQL) --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_exactly_one_wins(world, community_staff, office_admin, second_admin, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serializes whole transactions")
    org = filed_org(world, valid_until=timezone.localdate() + dt.timedelta(days=10))
    filing = through_precheck(submit(org, K.RENEWAL, by=community_staff), by=community_staff)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def decide(label: str, by, approve: bool) -> None:
        page = Filing.objects.get(pk=filing.pk)  # each decider's page, loaded before either decides
        barrier.wait()
        try:
            with translation.override("en"):
                if approve:
                    services.filing_approve(filing=page, by=by)
                else:
                    services.filing_refuse(filing=page, reason="材料不实", by=by)
            outcomes[label] = "won"
        except ValidationError as exc:
            outcomes[label] = exc.messages
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes[label] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("approve", office_admin, True)),
        threading.Thread(target=decide, args=("refuse", second_admin, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o == "won" for o in outcomes.values()) == [False, True], outcomes
    loser = next(o for o in outcomes.values() if o != "won")
    assert "Someone else decided this request meanwhile" in " ".join(loser), loser
    filing.refresh_from_db()
    assert filing.status in (S.APPROVED, S.REFUSED)
    decisions = filing.events.filter(action__in=["approved", "refused"])
    assert decisions.count() == 1 and decisions.get().action == filing.status
    org.refresh_from_db()
    renewed = org.filing_valid_until != timezone.localdate() + dt.timedelta(days=10)
    assert renewed == (filing.status == S.APPROVED)


def test_a_storage_failure_removes_the_files_already_stored_and_saves_nothing(
    world, community_staff, media, monkeypatch
):
    """Documents are stored last; if storing one fails, the ones stored before it are removed again."""
    org = ready_org(world)
    calls = {"n": 0}
    real_save = FilingDocument.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(FilingDocument, "save", failing_save)
    with pytest.raises(OSError):
        services.filing_submit(organization=org, kind=K.INITIAL, documents=docs(), by=community_staff)
    assert not [path for path in (media / "filings").rglob("*") if path.is_file()]  # the charter stays
    assert not Filing.objects.filter(organization=org).exists()
    assert not FilingDocument.objects.exists()
