"""Incubation case services: every step allowed and refused, with history, through the registry's services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.incubation import checklist, selectors, services
from sifu.incubation.models import CoachingNote, Filing, IncubationCase, Need
from sifu.incubation.services import cases
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry
from sifu.registry.models import Membership, Organization, OrganizationStatusChange
from sifu.registry.tests.factories import make_person

Stage = IncubationCase.Stage
OPENED = dt.date(2024, 3, 1)


def open_case(world, *, by=None, needs=None, name="荔芳外卖骑手互助会", community=None, **kw) -> IncubationCase:
    """A case of community A answering one open need, through the service."""
    by = by or system_actor()
    community = community or world.community_a
    if needs is None:
        needs = [
            make_need(community, "外卖骑手没有歇脚的地方", affected_group="外卖骑手", reported_on=dt.date(2024, 1, 5))
        ]
    return cases.case_open(
        community=community,
        name=name,
        form=kw.pop("form", Organization.Form.SOCIETY),
        nature=kw.pop("nature", Organization.Nature.ASSOCIATION),
        category=kw.pop("category", Organization.Category.LIFE),
        needs=needs,
        incubator_kind=kw.pop("incubator_kind", IncubationCase.Incubator.ENERGY_STATION),
        incubator_name=kw.pop("incubator_name", "荔芳社区能量站"),
        mentor=kw.pop("mentor", "李老师"),
        opened_on=kw.pop("opened_on", OPENED),
        by=by,
        **kw,
    )


def complete_checklist(organization: Organization, on: dt.date = OPENED) -> None:
    """Everything the filing checklist asks of an association-type organization, through the registry."""
    registry.organization_update(
        organization=organization,
        data={
            "venue": "荔芳社区党群服务中心",
            "charter_file": SimpleUploadedFile("章程.pdf", b"%PDF-1.4 charter", content_type="application/pdf"),
            "party_clause_in_charter": True,
            "election_rules_adopted": True,
            "deliberation_rules_adopted": True,
        },
        by=system_actor(),
    )
    for i in range(10):
        person = make_person(community=organization.community, party=i < 2)
        registry.membership_add(
            organization=organization,
            person=person,
            joined_on=on,
            role=Membership.Role.LEADER if i == 0 else Membership.Role.MEMBER,
            is_initiator=i < 3,
            by=system_actor(),
        )


def actions(case: IncubationCase) -> list[str]:
    return list(case.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True))


# Opening -----------------------------------------------------------------------------------------


def test_open_creates_the_proposed_organization_through_the_registry(world, community_staff):
    need = make_need(world.community_a, "网红餐饮油烟扰民", category=Organization.Category.AFFAIRS)
    case = open_case(world, by=community_staff, needs=[need], name="  荔芳食品安全促进会 ")
    org = case.organization
    assert org.name == "荔芳食品安全促进会" and org.community == world.community_a
    assert org.status == Organization.Status.PROPOSED and org.status_since == OPENED
    assert org.legal_status == Organization.LegalStatus.UNFILED
    # The registry's own service ran: its history and lifecycle log have the creation.
    assert org.history.get().history_change_reason == "registry.organization.created"
    assert OrganizationStatusChange.objects.get(organization=org).effective_on == OPENED
    assert case.stage == Stage.PREPARING and case.opened_on == OPENED
    assert case.incubator_name == "荔芳社区能量站" and case.mentor == "李老师"
    assert case.created_by == community_staff
    assert list(case.needs.all()) == [need]
    assert actions(case) == ["incubation.case.opened"]
    assert case.history.get().history_user == community_staff


def test_open_refuses_a_need_of_another_community_and_saves_nothing(world, community_staff, office_admin):
    other = make_need(world.community_b, "南园骑手充电难")
    with pytest.raises(ValidationError) as exc:
        open_case(world, by=office_admin, needs=[other])
    assert "南园社区" in exc.value.message_dict["needs"][0]
    assert not IncubationCase.objects.exists()
    assert not Organization.objects.filter(name="荔芳外卖骑手互助会").exists()


@pytest.mark.parametrize("how", ["merged", "declined", "submitted"])
def test_open_refuses_needs_that_are_not_current(world, community_staff, how):
    need = make_need(world.community_a, "重复的需求", submitted=how == "submitted")
    if how == "merged":
        into = make_need(world.community_a, "原需求")
        services.need_merge(need=need, into=into, by=system_actor())
    elif how == "declined":
        services.need_decline(need=need, reason="不属于社区事务", by=system_actor())
    with pytest.raises(ValidationError) as exc:
        open_case(world, by=community_staff, needs=[need])
    message = exc.value.message_dict["needs"][0]
    assert "重复的需求" in message
    assert ("awaiting screening" in message) if how == "submitted" else ("choose an open need" in message)
    assert not IncubationCase.objects.exists()
    assert Organization.objects.count() == 3  # the world's three


def test_open_needs_at_least_one_need(world, community_staff):
    with pytest.raises(ValidationError) as exc:
        open_case(world, by=community_staff, needs=[])
    assert "at least one need" in exc.value.message_dict["needs"][0]
    assert not IncubationCase.objects.exists()


def test_open_refuses_a_future_date(world, community_staff):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        open_case(world, by=community_staff, opened_on=tomorrow)
    assert "future" in exc.value.message_dict["opened_on"][0]
    assert not IncubationCase.objects.exists()


def test_open_refuses_a_name_taken_in_the_community(world, community_staff):
    with pytest.raises(ValidationError) as exc:
        open_case(world, by=community_staff, name=world.org_a.name)
    assert "already has an organization" in exc.value.message_dict["name"][0]
    assert not IncubationCase.objects.exists()


def test_open_outside_the_users_area_is_refused(world, other_staff, district_leader):
    for user in (other_staff, district_leader):
        with pytest.raises(PermissionDenied):
            open_case(world, by=user)
    assert not IncubationCase.objects.exists()


# Editing and needs -------------------------------------------------------------------------------


def test_update_changes_incubator_and_mentor_with_history(world, community_staff):
    case = open_case(world, by=community_staff)
    case = cases.case_update(
        case=case,
        data={"incubator_kind": "agency", "incubator_name": " 南山社工机构 ", "mentor": "王督导"},
        by=system_actor(),
    )
    case.refresh_from_db()
    assert (case.incubator_kind, case.incubator_name, case.mentor) == ("agency", "南山社工机构", "王督导")
    assert actions(case) == ["incubation.case.opened", "incubation.case.updated"]
    with pytest.raises(ValidationError, match="cannot be changed here"):
        cases.case_update(case=case, data={"stage": "filed"}, by=system_actor())
    with pytest.raises(ValidationError) as exc:
        cases.case_update(case=case, data={"incubator_kind": "nobody"}, by=system_actor())
    assert "incubator_kind" in exc.value.message_dict


def test_update_refused_outside_scope_and_on_a_closed_case(world, community_staff, other_staff, district_leader):
    case = open_case(world, by=community_staff)
    for user in (other_staff, district_leader):
        with pytest.raises(PermissionDenied):
            cases.case_update(case=case, data={"mentor": "别人"}, by=user)
    cases.case_close(case=case, reason="发起人放弃", on=OPENED, by=system_actor())
    with pytest.raises(ValidationError, match="kept as it was"):
        cases.case_update(case=case, data={"mentor": "别人"}, by=community_staff)
    case.refresh_from_db()
    assert case.mentor == "李老师"


def test_link_and_unlink_needs(world, community_staff):
    case = open_case(world, by=community_staff)
    first = case.needs.get()
    second = make_need(world.community_a, "骑手子女暑期托管")
    cases.case_link_need(case=case, need=second, by=community_staff)
    assert set(case.needs.all()) == {first, second}
    with pytest.raises(ValidationError, match="already linked"):
        cases.case_link_need(case=case, need=second, by=community_staff)
    cases.case_unlink_need(case=case, need=first, by=community_staff)
    assert list(case.needs.all()) == [second]
    with pytest.raises(ValidationError, match="at least one need"):
        cases.case_unlink_need(case=case, need=second, by=community_staff)
    with pytest.raises(ValidationError, match="not linked"):
        cases.case_unlink_need(case=case, need=first, by=community_staff)
    assert list(case.needs.all()) == [second]
    assert actions(case)[-2:] == ["incubation.case.need_linked", "incubation.case.need_unlinked"]


def test_link_refuses_needs_of_another_community_or_not_current(world, office_admin, other_staff):
    case = open_case(world, by=office_admin)
    with pytest.raises(ValidationError, match="南园社区"):
        cases.case_link_need(case=case, need=make_need(world.community_b), by=office_admin)
    declined = make_need(world.community_a, "不收的需求")
    services.need_decline(need=declined, reason="重复", by=system_actor())
    with pytest.raises(ValidationError, match="choose an open need"):
        cases.case_link_need(case=case, need=declined, by=office_admin)
    with pytest.raises(PermissionDenied):
        cases.case_link_need(case=case, need=make_need(world.community_a), by=other_staff)
    assert case.needs.count() == 1


# Starting ----------------------------------------------------------------------------------------


def test_start_moves_the_case_and_the_organization(world, community_staff):
    case = open_case(world, by=community_staff)
    on = dt.date(2024, 3, 15)
    case = cases.case_start(case=case, on=on, by=community_staff)
    assert case.stage == Stage.INCUBATING
    org = Organization.objects.get(pk=case.organization_id)
    assert org.status == Organization.Status.INCUBATING and org.status_since == on
    assert actions(case)[-1] == "incubation.case.started"
    assert org.history.first().history_change_reason == "registry.organization.incubation_started"


def test_start_refused_twice_in_the_future_or_before_opening(world, community_staff):
    case = open_case(world, by=community_staff)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        cases.case_start(case=case, on=tomorrow, by=community_staff)
    with pytest.raises(ValidationError, match="before the case was opened"):
        cases.case_start(case=case, on=OPENED - dt.timedelta(days=1), by=community_staff)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING
    assert case.organization.status == Organization.Status.PROPOSED
    cases.case_start(case=case, by=community_staff)
    with pytest.raises(ValidationError, match="cannot move this way"):
        cases.case_start(case=case, by=community_staff)


def test_start_refused_without_the_permission(world, community_staff, district_leader, other_staff):
    case = open_case(world, by=community_staff)
    for user in (district_leader, other_staff):
        with pytest.raises(PermissionDenied):
            cases.case_start(case=case, by=user)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING and case.organization.status == Organization.Status.PROPOSED


def test_start_catches_up_with_an_organization_started_in_the_registry(world, community_staff):
    case = open_case(world, by=community_staff)
    registry.organization_start_incubation(organization=case.organization, on=OPENED, by=system_actor())
    case = cases.case_start(case=case, by=community_staff)
    assert case.stage == Stage.INCUBATING


# Coaching notes ----------------------------------------------------------------------------------


def test_coaching_notes_are_dated_within_the_case(world, community_staff):
    case = open_case(world, by=community_staff)
    note = cases.coaching_note_add(
        case=case, on=OPENED, kind="meeting", text=" 与骑手代表座谈 ", next_step="起草章程", by=community_staff
    )
    assert note.text == "与骑手代表座谈" and note.created_by == community_staff
    assert note.history.get().history_change_reason == "incubation.case.note_added"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        cases.coaching_note_add(case=case, on=tomorrow, kind="visit", text="x", by=community_staff)
    with pytest.raises(ValidationError, match="before the case was opened"):
        cases.coaching_note_add(case=case, on=OPENED - dt.timedelta(days=1), kind="visit", text="x", by=system_actor())
    with pytest.raises(ValidationError) as exc:
        cases.coaching_note_add(case=case, on=OPENED, kind="visit", text="  ", by=system_actor())
    assert "text" in exc.value.message_dict
    assert CoachingNote.objects.count() == 1


def test_coaching_notes_refused_on_closed_cases_and_outside_scope(world, community_staff, other_staff, district_leader):
    case = open_case(world, by=community_staff)
    for user in (other_staff, district_leader):
        with pytest.raises(PermissionDenied):
            cases.coaching_note_add(case=case, on=OPENED, kind="visit", text="走访", by=user)
    cases.case_close(case=case, reason="发起人放弃", on=OPENED, by=community_staff)
    with pytest.raises(ValidationError, match="closed"):
        cases.coaching_note_add(case=case, on=OPENED, kind="visit", text="走访", by=community_staff)
    assert not CoachingNote.objects.exists()


# Closing -----------------------------------------------------------------------------------------


def test_close_dissolves_the_organization_with_the_reason(world, community_staff):
    case = open_case(world, by=community_staff)
    cases.case_start(case=case, on=OPENED, by=community_staff)
    on = dt.date(2024, 6, 1)
    case = cases.case_close(case=case, reason=" 发起人迁出社区 ", on=on, by=community_staff)
    assert case.stage == Stage.CLOSED and case.closed_on == on and case.close_reason == "发起人迁出社区"
    org = Organization.objects.get(pk=case.organization_id)
    assert org.status == Organization.Status.DISSOLVED and org.status_since == on
    assert org.status_changes.order_by("-id").first().reason == "发起人迁出社区"
    assert actions(case)[-1] == "incubation.case.closed"


def test_close_needs_a_reason_and_a_proper_date(world, community_staff):
    case = open_case(world, by=community_staff)
    with pytest.raises(ValidationError) as exc:
        cases.case_close(case=case, reason=" ", by=community_staff)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError, match="future"):
        cases.case_close(case=case, reason="放弃", on=timezone.localdate() + dt.timedelta(days=1), by=community_staff)
    with pytest.raises(ValidationError, match="before the case was opened"):
        cases.case_close(case=case, reason="放弃", on=OPENED - dt.timedelta(days=1), by=community_staff)
    case.refresh_from_db()
    assert case.stage == Stage.PREPARING and case.organization.status == Organization.Status.PROPOSED


def test_close_refused_while_a_filing_is_open(world, community_staff):
    case = open_case(world, by=community_staff)
    cases.case_start(case=case, on=OPENED, by=community_staff)
    # A filing request in progress (its own workflow is tested with the filing services).
    Filing.objects.create(organization=case.organization, status=Filing.Status.RETURNED, due_on=OPENED)
    with pytest.raises(ValidationError, match="decided or withdrawn"):
        cases.case_close(case=case, reason="放弃", by=community_staff)
    case.refresh_from_db()
    assert case.stage == Stage.INCUBATING and case.organization.status == Organization.Status.INCUBATING


def test_close_refused_once_filing_or_filed_and_without_permission(world, community_staff, district_leader):
    case = open_case(world, by=community_staff)
    with pytest.raises(PermissionDenied):
        cases.case_close(case=case, reason="放弃", by=district_leader)
    IncubationCase.objects.filter(pk=case.pk).update(stage=Stage.FILED)
    with pytest.raises(ValidationError, match="cannot move this way"):
        cases.case_close(case=case, reason="放弃", by=community_staff)
    assert Organization.objects.get(pk=case.organization_id).status == Organization.Status.PROPOSED


# The filing hooks --------------------------------------------------------------------------------


def test_filing_hooks_move_the_case_and_approval_serves_its_needs(world, office_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world, by=office_admin)
    need = case.needs.get()
    org = case.organization
    # Not incubated yet: a first filing is refused with what to do (the workflow's transaction undoes it).
    assert "start the incubation" in cases.case_filing_problem(org)
    with pytest.raises(ValidationError, match="start the incubation"):
        cases.case_filing_submitted(organization=org, by=office_admin)
    cases.case_start(case=case, on=OPENED, by=office_admin)
    assert cases.case_filing_problem(org) is None and cases.case_filing_problem(world.org_a) is None
    complete_checklist(org)
    org.refresh_from_db()
    assert checklist.missing(org, timezone.localdate()) == []
    assert cases.case_filing_submitted(organization=org, by=office_admin).stage == Stage.FILING
    assert cases.case_filing_refused(organization=org, by=office_admin).stage == Stage.INCUBATING
    cases.case_filing_submitted(organization=org, by=office_admin)
    registry.organization_file(
        organization=org, filing_number="NSJD-2024-001", filed_on=dt.date(2024, 5, 1), by=system_actor()
    )
    case = cases.case_filing_approved(organization=org, by=office_admin)
    assert case.stage == Stage.FILED
    need.refresh_from_db()
    assert need.status == Need.Status.SERVED and list(need.organizations.all()) == [org]
    assert actions(case)[-1] == "incubation.case.filed"
    assert steps(case)[-1] == ("filed", "done", dt.date(2024, 5, 1))
    # A second approval (or one for an organization without a case) changes nothing.
    assert cases.case_filing_approved(organization=org, by=office_admin).stage == Stage.FILED
    assert cases.case_filing_approved(organization=world.org_a, by=office_admin) is None


# The stepper ------------------------------------------------------------------------------------


def steps(case: IncubationCase) -> list[tuple[str, str, dt.date | None]]:
    case = IncubationCase.objects.select_related("organization").get(pk=case.pk)
    filings = list(Filing.objects.filter(organization_id=case.organization_id).order_by("-submitted_at"))
    return [(s.stage, s.state, s.on) for s in selectors.case_steps(case, filings)]


def test_the_stepper_shows_effective_dates(world, community_staff):
    case = open_case(world, by=community_staff)
    assert steps(case) == [
        ("preparing", "current", OPENED),
        ("incubating", "todo", None),
        ("filing", "todo", None),
        ("filed", "todo", None),
    ]
    cases.case_start(case=case, on=dt.date(2024, 3, 20), by=system_actor())
    assert steps(case)[:2] == [("preparing", "done", OPENED), ("incubating", "current", dt.date(2024, 3, 20))]
    cases.case_close(case=case, reason="放弃", on=dt.date(2024, 4, 1), by=system_actor())
    assert [state for _stage, state, _on in steps(case)] == ["done", "done", "todo", "todo"]
