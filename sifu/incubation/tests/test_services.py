"""Needs services: every step allowed and refused; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.permissions import Perm
from sifu.incubation import services
from sifu.incubation.models import Need
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry_services
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization

S = Need.Status


def versions(need: Need) -> int:
    return Need.history.filter(id=need.pk).count()


def unchanged(need: Need):
    """A context manager asserting the need (row and history) is exactly as before."""

    class _Check:
        def __enter__(self):
            self.before = (Need.objects.filter(pk=need.pk).values().get(), versions(need))
            self.links = set(Need.objects.get(pk=need.pk).organizations.values_list("pk", flat=True))

        def __exit__(self, *exc):
            after = (Need.objects.filter(pk=need.pk).values().get(), versions(need))
            assert after == self.before
            assert set(Need.objects.get(pk=need.pk).organizations.values_list("pk", flat=True)) == self.links
            return False

    return _Check()


def test_record_opens_the_need_with_history(world, community_staff):
    need = services.need_record(
        community=world.community_a,
        title="  外卖骑手没有歇脚的地方 ",
        category=Organization.Category.LIFE,
        source=Need.Source.VISIT,
        affected_group="外卖骑手",
        by=community_staff,
    )
    assert need.status == S.OPEN
    assert need.title == "外卖骑手没有歇脚的地方"
    assert need.created_by == community_staff
    record = Need.history.get(id=need.pk)
    assert record.history_change_reason == "incubation.need.recorded"
    assert record.history_user == community_staff


def test_record_is_refused_outside_scope_and_for_read_only(world, other_staff, district_leader):
    for user in (other_staff, district_leader):
        with pytest.raises(PermissionDenied):
            services.need_record(community=world.community_a, title="x", category="life", source="visit", by=user)
    assert not Need.objects.exists()


def test_record_refuses_bad_input(world, office_admin):
    cases = [
        {"community": world.subdistrict, "title": "x", "category": "life", "source": "visit"},
        {"community": world.community_a, "title": "  ", "category": "life", "source": "visit"},
        {"community": world.community_a, "title": "x", "category": "nonsense", "source": "visit"},
        {
            "community": world.community_a,
            "title": "x",
            "category": "life",
            "source": "visit",
            "reported_on": timezone.localdate() + dt.timedelta(days=1),
        },
    ]
    for kwargs in cases:
        with pytest.raises(ValidationError):
            services.need_record(by=office_admin, **kwargs)
    assert not Need.objects.exists()
    assert not Need.history.exists()


def test_public_submission_waits_for_screening_and_normalizes_the_phone(world):
    need = services.need_submit_public(
        community=world.community_a,
        title="独居老人吃饭难",
        category="life",
        submitter_phone="138 0013 8000",
        by=system_actor(),
    )
    assert need.status == S.SUBMITTED
    assert need.source == Need.Source.RESIDENT
    assert need.submitter_phone == "13800138000"
    assert need.created_by is None  # a resident, not an account
    version = Need.history.get(id=need.pk)
    assert version.history_change_reason == "incubation.need.submitted"
    assert version.history_user == system_actor()


def test_public_submission_refuses_an_invalid_phone(world):
    with pytest.raises(ValidationError) as exc:
        services.need_submit_public(
            community=world.community_a, title="x", category="life", submitter_phone="12345", by=system_actor()
        )
    assert "submitter_phone" in exc.value.error_dict
    assert not Need.objects.exists()


def test_accept(world, community_staff):
    need = make_need(world.community_a, submitted=True)
    need = services.need_accept(need=need, by=community_staff)
    assert need.status == S.OPEN
    assert Need.history.filter(id=need.pk).latest().history_change_reason == "incubation.need.accepted"


def test_accept_is_refused_for_a_need_not_awaiting_screening(world, community_staff):
    need = make_need(world.community_a)
    with unchanged(need), pytest.raises(ValidationError, match="already"):
        services.need_accept(need=need, by=community_staff)


def test_screening_is_refused_outside_scope(world, other_staff, district_leader):
    need = make_need(world.community_a, submitted=True)
    for user in (other_staff, district_leader):
        with unchanged(need):
            with pytest.raises(PermissionDenied):
                services.need_accept(need=need, by=user)
            with pytest.raises(PermissionDenied):
                services.need_decline(need=need, reason="r", by=user)


def test_second_screening_of_the_same_need_is_refused(world, community_staff, office_admin):
    need = make_need(world.community_a, submitted=True)
    stale = Need.objects.get(pk=need.pk)  # the second staff member's page, loaded before the first acted
    services.need_accept(need=need, by=community_staff)
    with unchanged(need), pytest.raises(ValidationError, match="Reload"):
        services.need_decline(need=stale, reason="重复", by=office_admin)
    with unchanged(need), pytest.raises(ValidationError, match="Reload"):
        services.need_accept(need=stale, by=office_admin)


def test_merge(world, community_staff):
    target = make_need(world.community_a, "骑手歇脚点")
    need = make_need(world.community_a, submitted=True)
    need = services.need_merge(need=need, into=target, by=community_staff)
    assert need.status == S.MERGED
    assert need.merged_into == target
    assert list(target.merged_needs.all()) == [need]


def test_merge_refusals_write_nothing(world, community_staff):
    need = make_need(world.community_a, submitted=True)
    other_community = make_need(world.community_b)
    still_submitted = make_need(world.community_a, submitted=True)
    declined = make_need(world.community_a)
    services.need_decline(need=declined, reason="不属实", by=community_staff)
    merged = make_need(world.community_a)
    services.need_merge(need=merged, into=make_need(world.community_a), by=community_staff)
    for target, message in [
        (need, "itself"),
        (other_community, "same community"),
        (still_submitted, "open or served"),
        (declined, "open or served"),
        (merged, "open or served"),
    ]:
        with unchanged(need), pytest.raises(ValidationError, match=message):
            services.need_merge(need=need, into=target, by=community_staff)


def test_decline_needs_a_reason(world, community_staff):
    need = make_need(world.community_a, submitted=True)
    with unchanged(need), pytest.raises(ValidationError, match="reason"):
        services.need_decline(need=need, reason="  ", by=community_staff)
    need = services.need_decline(need=need, reason="已由物业解决", by=community_staff)
    assert (need.status, need.decline_reason) == (S.DECLINED, "已由物业解决")
    with unchanged(need), pytest.raises(ValidationError):
        services.need_decline(need=need, reason="again", by=community_staff)


def test_linking_an_active_organization_serves_the_need_and_unlinking_the_last_reopens_it(world, community_staff):
    need = make_need(world.community_a)
    active = world.org_a  # filed and active
    assert active.status == Organization.Status.ACTIVE
    proposed = make_organization(world.community_b, "南园长者饭堂筹备组")
    need = services.need_link_organization(need=need, organization=proposed, by=system_actor())
    assert need.status == S.OPEN  # a proposed organization does not serve anyone yet
    need = services.need_link_organization(need=need, organization=active, by=community_staff)
    assert need.status == S.SERVED
    assert set(need.organizations.all()) == {active, proposed}
    need = services.need_unlink_organization(need=need, organization=active, by=community_staff)
    assert need.status == S.SERVED  # one organization still linked
    need = services.need_unlink_organization(need=need, organization=proposed, by=system_actor())
    assert need.status == S.OPEN
    actions = list(
        Need.history.filter(id=need.pk).order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert actions[-1] == "incubation.need.organization_unlinked"
    assert actions.count("incubation.need.organization_linked") == 2


def test_link_refusals_write_nothing(world, community_staff):
    need = make_need(world.community_a)
    submitted = make_need(world.community_a, submitted=True)
    with unchanged(need), pytest.raises(ValidationError, match="another subdistrict"):
        services.need_link_organization(need=need, organization=world.org_other, by=system_actor())
    with unchanged(need), pytest.raises(ValidationError, match="not in your area"):
        # community B's organization is in the subdistrict but outside community staff A's scope
        services.need_link_organization(need=need, organization=world.org_b, by=community_staff)
    with unchanged(submitted), pytest.raises(ValidationError, match="Only open or served"):
        services.need_link_organization(need=submitted, organization=world.org_a, by=community_staff)
    services.need_link_organization(need=need, organization=world.org_a, by=community_staff)
    with unchanged(need), pytest.raises(ValidationError, match="already linked"):
        services.need_link_organization(need=need, organization=world.org_a, by=community_staff)
    with unchanged(need), pytest.raises(ValidationError, match="not linked"):
        services.need_unlink_organization(need=need, organization=world.org_b, by=community_staff)


def test_scope_per_persona(world, office_admin, community_staff, other_staff, org_leader, district_leader, outsider):
    need = make_need(world.community_a)
    expected = {
        office_admin: (True, True),
        community_staff: (True, True),
        other_staff: (False, False),
        org_leader: (False, False),
        district_leader: (True, False),
        outsider: (False, False),
    }
    for user, (view, change) in expected.items():
        visible = Need.objects.for_user(user, Perm.NEEDS_VIEW).filter(pk=need.pk).exists()
        assert (visible, user.has_perm(Perm.NEEDS_VIEW, need), user.has_perm(Perm.NEEDS_CHANGE, need)) == (
            view,
            view,
            change,
        ), user.username


def test_dormant_organization_does_not_serve_but_can_be_linked(world, community_staff, office_admin):
    org = world.org_a
    registry_services.organization_make_dormant(
        organization=org, reason="暂停", on=timezone.localdate(), by=office_admin
    )
    need = services.need_link_organization(need=make_need(world.community_a), organization=org, by=community_staff)
    assert need.status == S.OPEN
