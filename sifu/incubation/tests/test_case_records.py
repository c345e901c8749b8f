"""case_record_existing: the incubation case of an organization already in the registry, from paper records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.incubation.models import IncubationCase, Need
from sifu.incubation.services import cases
from sifu.incubation.tests.factories import make_need
from sifu.registry import services as registry
from sifu.registry.models import Organization, OrganizationStatusChange
from sifu.registry.tests.factories import make_organization

Stage = IncubationCase.Stage


def record(organization, needs, *, stage=Stage.FILED, opened_on=dt.date(2019, 6, 10), by=None, **kw):
    by = by or system_actor()
    return cases.case_record_existing(
        organization=organization,
        needs=needs,
        incubator_kind=kw.pop("incubator_kind", IncubationCase.Incubator.ENERGY_STATION),
        incubator_name=kw.pop("incubator_name", "荔芳社区能量站"),
        mentor=kw.pop("mentor", "陈敏"),
        opened_on=opened_on,
        stage=stage,
        by=by,
    )


def test_a_filed_organization_gets_its_filed_case_and_serves_its_needs(world, community_staff):
    need = make_need(world.community_a, "网红餐饮店密集，食品安全投诉多", reported_on=dt.date(2019, 4, 18))
    changes = OrganizationStatusChange.objects.count()
    case = record(world.org_a, [need], opened_on=dt.date(2019, 6, 10), by=community_staff)
    assert (case.stage, case.organization, case.opened_on) == (Stage.FILED, world.org_a, dt.date(2019, 6, 10))
    assert list(case.needs.all()) == [need]
    need.refresh_from_db()
    assert need.status == Need.Status.SERVED and list(need.organizations.all()) == [world.org_a]
    assert OrganizationStatusChange.objects.count() == changes  # the registry is not touched
    assert case.history.get().history_change_reason == "incubation.case.recorded"
    assert case.created_by == community_staff


def test_stages_follow_the_registry_state(world):
    proposed = registry.organization_create(
        name="荔芳宠物文明劝导队",
        form="team",
        nature="service",
        category="affairs",
        community=world.community_a,
        by=system_actor(),
    )
    need = make_need(world.community_a, "遛狗不牵绳")
    with pytest.raises(ValidationError) as refused:
        record(proposed, [need], stage=Stage.INCUBATING, opened_on=dt.date(2024, 1, 1))
    assert "its case cannot be “Incubating”" in str(refused.value)
    with pytest.raises(ValidationError):
        record(proposed, [need], stage=Stage.FILED, opened_on=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        record(proposed, [need], stage=Stage.FILING, opened_on=dt.date(2024, 1, 1))
    case = record(proposed, [need], stage=Stage.PREPARING, opened_on=dt.date(2024, 1, 1))
    assert case.stage == Stage.PREPARING
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN  # a case in preparation serves nothing yet
    assert IncubationCase.objects.count() == 1


def test_refused_inputs_write_nothing(world, other_staff):
    need = make_need(world.community_a, "夜间噪音")
    other = make_need(world.community_b, "骑手没有歇脚的地方")
    submitted = make_need(world.community_a, "居民提交的需求", submitted=True)
    with pytest.raises(PermissionDenied):
        record(world.org_a, [need], by=other_staff)
    with pytest.raises(ValidationError, match="own community"):
        record(world.org_a, [other])
    with pytest.raises(ValidationError):
        record(world.org_a, [submitted])
    with pytest.raises(ValidationError):
        record(world.org_a, [])
    with pytest.raises(ValidationError):  # opened after the filing date
        record(world.org_a, [need], opened_on=world.org_a.filed_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        record(world.org_a, [need], opened_on=timezone.localdate() + dt.timedelta(days=400))
    with pytest.raises(ValidationError):
        record(world.org_a, [need], incubator_kind="friends")
    assert IncubationCase.objects.count() == 0
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_one_case_per_organization(world):
    need = make_need(world.community_a, "食品安全")
    record(world.org_a, [need])
    with pytest.raises(ValidationError, match="already has an incubation case"):
        record(world.org_a, [need])
    assert IncubationCase.objects.filter(organization=world.org_a).count() == 1


def test_a_dormant_registered_organization_may_be_recorded_as_filed(world):
    org = make_organization(world.community_a, "荔芳老年协会", members=3, filed=True)
    registry.organization_make_dormant(organization=org, reason="骨干外出", on=dt.date(2023, 1, 1), by=system_actor())
    org.refresh_from_db()
    assert org.status == Organization.Status.DORMANT
    need = make_need(world.community_a, "长者活动")
    case = record(org, [need], opened_on=dt.date(2019, 1, 1))
    assert case.stage == Stage.FILED
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN  # linked, but a dormant organization does not serve it
    assert list(need.organizations.all()) == [org]
