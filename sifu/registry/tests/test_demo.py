"""The Nanshan demo (issue #2 §7): loaded once for the module, then checked against the case study.

The module fixture loads the registry's demo (``sifu.registry.demo.seed_demo``; the ``seed_demo``
command adds the incubation demo on top, tested in sifu/incubation/tests/test_demo.py) inside a
transaction it rolls back at the end, so the other test modules never see the demo. Each test
runs in its own savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Count, Q

from sifu.accounts.models import Area, RoleGrant, User
from sifu.core.permissions import Perm, Role
from sifu.core.validators import birth_date_from_id, is_valid_phone, normalize_id_number, normalize_uscc
from sifu.registry.demo import SeedResult, seed_demo
from sifu.registry.demo.data import COMMUNITIES, PASSWORD, SHIFU_VENUE
from sifu.registry.demo.plan import build_plan
from sifu.registry.lifecycle import floor_problems
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person
from sifu.registry.selectors import active_organizations_on, community_figures, registry_figures

pytestmark = [pytest.mark.demo, pytest.mark.django_db]

D = dt.date
Org = Organization
S = Org.Status


@dataclass
class Loaded:
    result: SeedResult
    seconds: float


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        start = time.perf_counter()
        result = seed_demo()
        yield Loaded(result, time.perf_counter() - start)
        transaction.set_rollback(True)


@pytest.fixture
def subdistrict(demo) -> Area:
    return Area.objects.get(name="南山街道", parent__name="南山区")


def org(name: str) -> Organization:
    return Organization.objects.select_related("community").get(name=name)


def current_members(organization: Organization, on: dt.date):
    return Membership.objects.filter(organization=organization).current(on)


# --- the command -------------------------------------------------------------------------------------


def test_seed_is_fast(demo):
    print(f"the registry demo took {demo.seconds:.1f} s")
    assert demo.seconds < 60
    assert demo.result.created
    assert (demo.result.organizations, demo.result.memberships) == (218, 4347)


def test_second_run_changes_nothing(demo):
    def row_counts() -> dict[str, int]:
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    before = row_counts()
    again = seed_demo()
    assert row_counts() == before
    assert not again.created and again.organizations == 218
    assert before["registry.Organization"] == 218 and before["registry.HistoricalMembership"] > 4000


def test_plan_is_deterministic():
    def fingerprint(plan):
        return (
            [
                (
                    o.name,
                    o.community,
                    o.filed,
                    o.filing_number,
                    o.uscc,
                    [(s.person, s.role, s.joined, s.left) for s in o.slots],
                )
                for o in plan.orgs
            ],
            [(p.name, p.phone, p.id_number, p.political_status) for p in plan.people],
        )

    assert fingerprint(build_plan()) == fingerprint(build_plan())


# --- the case study's figures ---------------------------------------------------------------------------


def test_figures_on_2024_04_30(subdistrict):
    figures = registry_figures(D(2024, 4, 30), area=subdistrict)["organizations"]
    assert figures["active"] == 197
    assert figures["by_nature"] == {"association": 16, "service": 181}
    assert figures["by_category"] == {"charity": 2, "life": 6, "affairs": 29, "culture": 160}
    assert figures["by_legal_status"] == {"filed": 191, "registered": 6}
    assert "by_community" not in figures  # per community: community_figures (outcomes labels them)
    per_community = [row["active"] for row in community_figures(D(2024, 4, 30), area=subdistrict)]
    assert len(per_community) == 13 and sum(per_community) == 197
    assert len(set(per_community)) > 3  # not spread uniformly


def test_figures_on_2019_01_01(subdistrict):
    assert registry_figures(D(2019, 1, 1), area=subdistrict)["organizations"]["active"] == 82


def test_members_and_party_on_2023_12_31(subdistrict):
    figures = registry_figures(D(2023, 12, 31), area=subdistrict)
    assert figures["members"]["memberships"] == 3883
    assert figures["members"]["people"] < 3883  # some people belong to two organizations
    party = figures["party"]
    assert party["orgs_with_party_members"] == 104
    assert party["party_members"] == 488
    assert party["party_member_leaders"] == 57
    assert party["party_branches"] == 17


def test_the_whole_district_counts_the_same(demo, subdistrict):
    """南山区 holds only 南山街道 in the demo, so its figures are the subdistrict's."""
    on = D(2024, 4, 30)
    assert registry_figures(on, area=subdistrict.parent) == registry_figures(on, area=subdistrict)


# --- places and named organizations --------------------------------------------------------------------


def test_the_13_communities(subdistrict):
    assert subdistrict.parent.code == "440305"
    names = list(Area.objects.filter(parent=subdistrict).order_by("pk").values_list("name", flat=True))
    assert names == [f"{c}社区" for c in COMMUNITIES]


NAMED = {
    "荔芳食品安全自治会": ("荔芳社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "南园骑手互助会": ("南园社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "月亮湾物流协会": ("月亮湾社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "月亮湾拖车队": ("月亮湾社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "荔林关爱中心": ("荔林社区", Org.Category.CHARITY, Org.Nature.SERVICE),
    "荔林好声音队": ("荔林社区", Org.Category.CULTURE, Org.Nature.SERVICE),
    "风华楼联会": ("风华社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "风华社区老年协会": ("风华社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "学府社区治理联合会": ("学府社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "南山粤剧团": ("南山社区", Org.Category.CULTURE, Org.Nature.ASSOCIATION),
    "大陆庄园舞蹈队": ("南光社区", Org.Category.CULTURE, Org.Nature.SERVICE),
    "向南社区楼栋长联合会": ("向南社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "南山社区“小个专”市场协会": ("南山社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
    "月亮湾社区妇联卡嫂协会": ("月亮湾社区", Org.Category.AFFAIRS, Org.Nature.ASSOCIATION),
}


@pytest.mark.parametrize("name", NAMED)
def test_named_organizations_are_in_their_communities(demo, name):
    community, category, nature = NAMED[name]
    organization = org(name)
    assert (organization.community.name, organization.category, organization.nature) == (community, category, nature)
    assert organization.purpose and organization.service_scope and organization.venue
    assert organization in active_organizations_on(D(2024, 4, 30))


def test_party_clause_in_charter(demo):
    safety = Organization.objects.filter(name__endswith="社区安全自治会")
    assert safety.count() == 4
    assert safety.values("community").distinct().count() == 4
    clause = set(Organization.objects.filter(party_clause_in_charter=True).values_list("name", flat=True))
    assert clause == {
        "月亮湾拖车队",
        "向南社区楼栋长联合会",
        "南山社区“小个专”市场协会",
        "荔芳食品安全自治会",
        *safety.values_list("name", flat=True),
    }


def test_lilin_care_center_grew_to_1809_members(demo):
    center = org("荔林关爱中心")
    assert center.form == Org.Form.CENTER
    assert center.legal_status == Org.LegalStatus.REGISTERED
    assert center.founded_on.year == 2021
    assert center.venue_kind == Org.VenueKind.DEDICATED and "70" in center.venue
    assert current_members(center, D(2023, 12, 31)).count() == 1809
    assert 20 <= current_members(center, center.filed_on).count() < 100  # a few dozen at the start
    joined = Counter(current_members(center, D(2023, 12, 31)).values_list("joined_on__year", flat=True))
    assert set(joined) == {2021, 2022, 2023}


def test_fenghua_building_federation(demo):
    federation = org("风华楼联会")
    members = current_members(federation, D(2023, 12, 31))
    assert members.count() == 75
    assert members.filter(person__political_status__in=Person.PARTY_STATUSES).count() == 32


def test_nanyuan_riders_have_their_party_branch(demo):
    riders = org("南园骑手互助会")
    assert riders.party_branch_name == "南园骑手党支部"
    assert riders.party_branch_founded_on <= D(2023, 12, 31)


def test_shifu_home_venue_serves_16_organizations_of_yueliangwan(demo):
    served = Organization.objects.filter(venue=SHIFU_VENUE)
    assert served.count() == 16
    assert set(served.values_list("community__name", flat=True)) == {"月亮湾社区"}


def test_registered_organizations_have_valid_codes(demo):
    registered = Organization.objects.filter(legal_status=Org.LegalStatus.REGISTERED)
    assert registered.count() == 6
    for organization in registered:
        assert normalize_uscc(organization.uscc) == organization.uscc
        prefix = "51" if organization.nature == Org.Nature.ASSOCIATION else "52"
        assert organization.uscc.startswith(prefix + "440305")
        assert organization.filed_on < organization.registered_on
        actions = list(organization.status_changes.values_list("action", flat=True))
        assert actions.index("registry.organization.filed") < actions.index("registry.organization.registered")


# --- lifecycle, leaders, floor, history -----------------------------------------------------------------


def test_every_state_of_the_lifecycle_is_there(demo):
    by_status = Counter(Organization.objects.values_list("status", flat=True))
    assert by_status[S.DORMANT] == 5
    assert by_status[S.DISSOLVED] == 4
    assert by_status[S.PROPOSED] == 3 and by_status[S.INCUBATING] == 3
    changes = OrganizationStatusChange.objects
    assert changes.filter(action="registry.organization.reactivated").count() == 1
    assert (
        changes.filter(action__in=["registry.organization.made_dormant", "registry.organization.dissolved"])
        .filter(effective_on__gte=D(2024, 4, 30))
        .count()
        == 0
    )
    later = Organization.objects.filter(filed_on__gt=D(2024, 4, 30))
    assert later.count() == 6


def test_every_active_organization_has_exactly_one_current_leader(demo):
    leaders = Organization.objects.filter(status__in=[S.ACTIVE, S.DORMANT]).annotate(
        n=Count("memberships", filter=Q(memberships__role=Membership.Role.LEADER, memberships__left_on__isnull=True))
    )
    assert leaders.count() == 208
    assert set(leaders.values_list("n", flat=True)) == {1}
    on = D(2023, 12, 31)
    leaders_on = active_organizations_on(on).annotate(
        n=Count(
            "memberships",
            filter=Q(memberships__role=Membership.Role.LEADER, memberships__joined_on__lte=on)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=on)),
        )
    )
    assert set(leaders_on.values_list("n", flat=True)) == {1}
    handed_over = Membership.history.filter(history_change_reason="registry.membership.leader_appointed")
    assert handed_over.count() == 10


def test_every_filed_organization_met_the_floor_on_its_filing_date(demo):
    filed = Organization.objects.exclude(filed_on=None)
    assert filed.count() == 212
    for organization in filed:
        assert floor_problems(organization, organization.filed_on) == [], organization.name


def test_everything_written_carries_history(demo):
    for model in (Organization, Person, Membership, Area, User, RoleGrant):
        rows = model._default_manager.count()
        first_versions = model.history.filter(history_type="+").values("id").distinct().count()
        assert first_versions == rows, model
    filed = Organization.history.filter(history_change_reason="registry.organization.filed")
    assert filed.count() == 212
    assert Membership.history.filter(history_change_reason="registry.membership.ended").exists()


# --- people and accounts --------------------------------------------------------------------------------


def test_people_are_realistic_and_valid(demo):
    people = list(Person.objects.values_list("name", "phone", "id_number", "gender", "political_status"))
    memberships = Membership.objects.count()
    assert 3600 <= len(people) < memberships
    assert Person.objects.annotate(n=Count("memberships")).filter(n=2).count() > 100
    phones = [p[1] for p in people]
    assert all(is_valid_phone(p) for p in phones) and len(set(phones)) == len(phones)
    ids = [p for p in people if p[2]]
    assert 0.4 < len(ids) / len(people) < 0.8
    for name, _phone, id_number, gender, _status in ids:
        assert normalize_id_number(id_number) == id_number
        assert 1945 <= birth_date_from_id(id_number).year <= 2004
        assert gender == ("male" if int(id_number[16]) % 2 else "female"), name
    assert all(2 <= len(p[0]) <= 4 for p in people)
    assert len({p[0][0] for p in people}) > 50  # many surnames
    statuses = Counter(p[4] for p in people)
    assert statuses["cpc_member"] and statuses["cpc_probationary"] and statuses["cyl_member"]


def test_one_account_per_role(demo):
    grants = {
        g.user.username: (g.role, g.area.name if g.area_id else g.organization.name)
        for g in RoleGrant.objects.active().select_related("user", "area", "organization")
    }
    assert grants == {
        "admin": (Role.SUBDISTRICT_ADMIN, "南山街道"),
        "lifang": (Role.COMMUNITY_STAFF, "荔芳社区"),
        "nanyuan": (Role.COMMUNITY_STAFF, "南园社区"),
        "leader": (Role.ORG_ADMIN, "荔芳食品安全自治会"),
        "viewer": (Role.LEADER, "南山区"),
    }
    for user in User.objects.filter(is_system=False):  # the system actor never signs in
        assert user.check_password(PASSWORD)
    assert User.objects.get(username="admin").display_name.startswith("街道社会组织服务中心")


def test_the_leader_account_leads_its_organization(demo):
    user = User.objects.get(username="leader")
    food = org("荔芳食品安全自治会")
    leader = Membership.objects.get(organization=food, role=Membership.Role.LEADER, left_on=None)
    assert leader.person.user == user
    assert leader.person.name in user.display_name
    assert user.has_perm(Perm.ORG_CHANGE, food)
    assert not user.has_perm(Perm.ORG_CHANGE, org("南园骑手互助会"))
    lifang = User.objects.get(username="lifang")
    assert lifang.has_perm(Perm.ORG_CHANGE, food) and not lifang.has_perm(Perm.ORG_CHANGE, org("南园骑手互助会"))
