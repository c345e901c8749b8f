"""Leader candidate services (三强): add, assess, choose (through the registry's leader handover),
withdraw — each allowed and refused; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.incubation.models import LeaderCandidate
from sifu.incubation.services import candidates as services
from sifu.registry import selectors as registry_selectors
from sifu.registry import services as registry_services
from sifu.registry.models import Membership, Organization
from sifu.registry.tests.factories import make_person

S = LeaderCandidate.Status
STRONG, FAIR, WEAK = LeaderCandidate.Assessment.values


def member(org: Organization, *, party: bool = False, name: str | None = None):
    """A new current (non-leader) member of ``org``."""
    person = make_person(name, community=org.community, party=party)
    registry_services.membership_add(organization=org, person=person, joined_on=dt.date(2022, 1, 1), by=system_actor())
    return person


def snapshot(candidate: LeaderCandidate):
    return (
        LeaderCandidate.objects.filter(pk=candidate.pk).values().get(),
        LeaderCandidate.history.filter(id=candidate.pk).count(),
    )


def leader_of(org: Organization):
    leader = registry_selectors.organization_leader(org)
    return leader.person if leader else None


@built_once
def party_member(world):
    return member(world.org_a, party=True, name="王建国")


@built_once
def candidate(world, community_staff, party_member):
    return services.candidate_add(organization=world.org_a, person=party_member, note="退休党员", by=community_staff)


# Add ----------------------------------------------------------------------------------------


def test_add_records_the_candidate_with_history(world, community_staff, party_member):
    c = services.candidate_add(
        organization=world.org_a, person=party_member, note="  组织过骑手歇脚点 ", by=community_staff
    )
    assert (c.status, c.note, c.created_by, c.three_strong) == (S.CANDIDATE, "组织过骑手歇脚点", community_staff, False)
    record = LeaderCandidate.history.get(id=c.pk)
    assert (record.history_change_reason, record.history_user) == ("incubation.candidate.added", community_staff)


def test_add_twice_is_refused_with_a_clear_message(world, community_staff, candidate, party_member):
    with pytest.raises(ValidationError) as exc:
        services.candidate_add(organization=world.org_a, person=party_member, by=community_staff)
    assert "王建国 is already recorded as a candidate of this organization (Candidate)" in str(exc.value)
    assert LeaderCandidate.objects.count() == 1


def test_add_a_person_outside_the_users_area_is_refused(world, community_staff):
    stranger = make_person("外区居民", community=world.other_community)
    with pytest.raises(ValidationError) as exc:
        services.candidate_add(organization=world.org_a, person=stranger, by=community_staff)
    assert "not in your area" in str(exc.value)
    assert not LeaderCandidate.objects.exists()


def test_add_the_current_leader_is_refused(world, community_staff):
    with pytest.raises(ValidationError, match="already leads this organization"):
        services.candidate_add(organization=world.org_a, person=leader_of(world.org_a), by=community_staff)


def test_add_is_refused_without_the_permission(world, other_staff, district_leader, org_leader, party_member):
    for user in (other_staff, district_leader, org_leader):
        with pytest.raises(PermissionDenied):
            services.candidate_add(organization=world.org_a, person=party_member, by=user)
    assert not LeaderCandidate.objects.exists()


def test_add_to_a_dissolved_organization_is_refused(world, office_admin, party_member):
    registry_services.organization_dissolve(organization=world.org_a, reason="停止活动", by=office_admin)
    with pytest.raises(ValidationError, match="dissolved"):
        services.candidate_add(organization=world.org_a, person=party_member, by=office_admin)


# Assess -------------------------------------------------------------------------------------


def test_assess_all_strong_makes_three_strong(community_staff, candidate):
    on = timezone.localdate() - dt.timedelta(days=2)
    c = services.candidate_assess(
        candidate=candidate,
        party_spirit=STRONG,
        organizing_ability=STRONG,
        public_spirit=STRONG,
        note="走访三次，居民口碑好",
        assessed_on=on,
        by=community_staff,
    )
    assert c.three_strong and c.assessed_on == on and c.note == "走访三次，居民口碑好"
    assert LeaderCandidate.history.filter(id=c.pk).latest().history_change_reason == "incubation.candidate.assessed"
    c = services.candidate_assess(
        candidate=c, party_spirit=STRONG, organizing_ability=FAIR, public_spirit=STRONG, by=community_staff
    )
    assert not c.three_strong and c.assessed_on == timezone.localdate()


def test_assess_refuses_a_future_date_or_an_unknown_grade(community_staff, candidate):
    before = snapshot(candidate)
    with pytest.raises(ValidationError) as exc:
        services.candidate_assess(
            candidate=candidate,
            party_spirit=STRONG,
            organizing_ability=STRONG,
            public_spirit=STRONG,
            assessed_on=timezone.localdate() + dt.timedelta(days=1),
            by=community_staff,
        )
    assert exc.value.message_dict == {"assessed_on": ["The date of the assessment cannot be in the future."]}
    with pytest.raises(ValidationError) as exc:
        services.candidate_assess(
            candidate=candidate, party_spirit="great", organizing_ability=WEAK, public_spirit="", by=community_staff
        )
    assert set(exc.value.message_dict) == {"party_spirit", "public_spirit"}
    assert snapshot(candidate) == before


def test_assess_is_refused_for_read_only_and_withdrawn(community_staff, district_leader, candidate):
    with pytest.raises(PermissionDenied):
        services.candidate_assess(
            candidate=candidate,
            party_spirit=STRONG,
            organizing_ability=STRONG,
            public_spirit=STRONG,
            by=district_leader,
        )
    services.candidate_withdraw(candidate=candidate, reason="搬离社区", by=community_staff)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.candidate_assess(
            candidate=candidate,
            party_spirit=STRONG,
            organizing_ability=STRONG,
            public_spirit=STRONG,
            by=community_staff,
        )


# Choose -------------------------------------------------------------------------------------


def test_choose_hands_the_leadership_over_in_the_registry(world, community_staff, candidate, party_member):
    old_leader = leader_of(world.org_a)
    other = services.candidate_add(organization=world.org_a, person=member(world.org_a), by=community_staff)
    chosen = services.candidate_choose(candidate=candidate, by=community_staff)
    assert chosen.status == S.CHOSEN
    assert leader_of(world.org_a) == party_member
    old = Membership.objects.get(organization=world.org_a, person=old_leader, left_on__isnull=True)
    assert old.role == Membership.Role.BACKBONE  # the registry's handover rule
    other.refresh_from_db()
    assert other.status == S.CANDIDATE  # the others stay candidates
    assert LeaderCandidate.history.filter(id=chosen.pk).latest().history_change_reason == "incubation.candidate.chosen"
    assert Membership.history.filter(
        organization_id=world.org_a.pk, history_change_reason="registry.membership.leader_appointed"
    ).exists()


def test_choose_a_person_not_yet_a_member_makes_them_a_member_and_leader(world, community_staff):
    resident = make_person("李秀英", community=world.community_a, party=True)
    c = services.candidate_add(organization=world.org_a, person=resident, by=community_staff)
    services.candidate_choose(candidate=c, on=timezone.localdate(), by=community_staff)
    assert leader_of(world.org_a) == resident


def test_choose_twice_or_a_withdrawn_candidate_is_refused(world, community_staff, candidate, party_member):
    stale = LeaderCandidate.objects.get(pk=candidate.pk)  # a second staff member's copy of the page
    services.candidate_choose(candidate=candidate, by=community_staff)
    with pytest.raises(ValidationError, match="Someone else changed this candidate"):
        services.candidate_choose(candidate=stale, by=community_staff)
    with pytest.raises(ValidationError, match="already chosen"):
        services.candidate_choose(candidate=LeaderCandidate.objects.get(pk=candidate.pk), by=community_staff)

    withdrawn = services.candidate_add(organization=world.org_a, person=member(world.org_a), by=community_staff)
    withdrawn = services.candidate_withdraw(candidate=withdrawn, reason="本人不愿意", by=community_staff)
    before = snapshot(withdrawn)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.candidate_choose(candidate=withdrawn, by=community_staff)
    assert snapshot(withdrawn) == before
    assert leader_of(world.org_a) == party_member


def test_choose_surfaces_the_registrys_refusal_and_saves_nothing(world, community_staff, candidate):
    old_leader = leader_of(world.org_a)
    before = snapshot(candidate)
    with pytest.raises(ValidationError, match="The handover date cannot be in the future"):
        services.candidate_choose(
            candidate=candidate, on=timezone.localdate() + dt.timedelta(days=3), by=community_staff
        )
    assert snapshot(candidate) == before
    assert leader_of(world.org_a) == old_leader


def test_choose_is_refused_without_the_permission(world, district_leader, other_staff, candidate):
    old_leader = leader_of(world.org_a)
    for user in (district_leader, other_staff):
        with pytest.raises(PermissionDenied):
            services.candidate_choose(candidate=candidate, by=user)
    assert leader_of(world.org_a) == old_leader


# Withdraw -----------------------------------------------------------------------------------


def test_withdraw_keeps_the_reason_in_the_notes(community_staff, candidate):
    c = services.candidate_withdraw(candidate=candidate, reason=" 工作调动 ", by=community_staff)
    assert c.status == S.WITHDRAWN
    assert c.note.startswith("退休党员\nWithdrawn on ") and c.note.endswith(": 工作调动")
    assert LeaderCandidate.history.filter(id=c.pk).latest().history_change_reason == "incubation.candidate.withdrawn"


def test_withdraw_is_refused_without_reason_or_for_the_chosen_leader(community_staff, candidate):
    before = snapshot(candidate)
    with pytest.raises(ValidationError) as exc:
        services.candidate_withdraw(candidate=candidate, reason="  ", by=community_staff)
    assert "reason" in exc.value.message_dict
    assert snapshot(candidate) == before
    chosen = services.candidate_choose(candidate=candidate, by=community_staff)
    with pytest.raises(ValidationError, match="change the leader on the organization's members page"):
        services.candidate_withdraw(candidate=chosen, reason="换人", by=community_staff)
