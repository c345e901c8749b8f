"""Selectors behind the organization pages: list filters and sort, counts, timeline, public directory."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sifu.accounts.services import system_actor
from sifu.core.permissions import Perm
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.registry import selectors, services
from sifu.registry.models import Membership, Organization
from sifu.registry.tests.factories import make_organization, make_person

S, L = Organization.Status, Organization.LegalStatus


@pytest.fixture(autouse=True)
def english():
    """Labels are compared in the source language, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def names(qs) -> set[str]:
    return {org.name for org in qs}


@built_once
def variety(world, office_admin):
    """Organizations of community A in different states, next to the world's org_a."""
    a = world.community_a
    proposed = make_organization(a, "拟成立读书会", members=2)
    incubating = make_organization(a, "培育中舞蹈队", members=2)
    services.organization_start_incubation(organization=incubating, on=dt.date(2020, 2, 1), by=system_actor())
    branch = make_organization(
        a,
        "党支部服务站",
        members=3,
        filed=True,
        category=Organization.Category.CHARITY,
        party_branch_name="服务站党支部",
        party_branch_founded_on=dt.date(2021, 1, 1),
    )
    party_person = make_person("党员甲", community=a, party=True)
    services.membership_add(organization=branch, person=party_person, joined_on=dt.date(2021, 1, 1), by=system_actor())
    dormant = make_organization(a, "休眠合唱团", members=2, filed=True)
    services.organization_make_dormant(organization=dormant, reason="暂停", on=dt.date(2022, 1, 1), by=system_actor())
    return {"proposed": proposed, "incubating": incubating, "branch": branch, "dormant": dormant}


def test_list_is_scoped_to_the_users_area(world, community_staff, other_staff, org_leader, office_admin):
    assert names(selectors.organization_list(community_staff, {})) == {world.org_a.name}
    assert names(selectors.organization_list(other_staff, {})) == {world.org_b.name}
    assert names(selectors.organization_list(org_leader, {})) == {world.org_a.name}
    assert names(selectors.organization_list(office_admin, {})) == {world.org_a.name, world.org_b.name}


def test_list_counts_current_members_and_party_members(world, office_admin):
    party = make_person("党员乙", community=world.community_a, party=True)
    services.membership_add(organization=world.org_a, person=party, joined_on=dt.date(2021, 1, 1), by=system_actor())
    leaving = Membership.objects.filter(organization=world.org_a, role=Membership.Role.MEMBER).first()
    services.membership_end(membership=leaving, left_on=dt.date(2022, 1, 1), by=system_actor())
    org = selectors.organization_list(office_admin, {}).get(pk=world.org_a.pk)
    assert org.member_count == 12  # 12 + 1 joined - 1 left
    assert org.party_member_count == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "charity"}, {"党支部服务站"}),
        ({"nature": "association"}, {"荔芳食品安全自治会"}),
        ({"legal_status": "unfiled"}, {"拟成立读书会", "培育中舞蹈队"}),
        ({"status": "proposed"}, {"拟成立读书会"}),
        ({"status": "incubating"}, {"拟成立读书会", "培育中舞蹈队"}),  # proposed or incubating
        ({"status": "dormant"}, {"休眠合唱团"}),
        ({"party_branch": "yes"}, {"党支部服务站"}),
        ({"party_members": "yes"}, {"党支部服务站"}),
        ({"q": "舞蹈"}, {"培育中舞蹈队"}),
    ],
)
def test_each_filter_narrows_the_list(variety, community_staff, filters, expected):
    assert names(selectors.organization_list(community_staff, filters)) == expected


def test_negative_party_filters(variety, community_staff):
    everyone = names(selectors.organization_list(community_staff, {}))
    assert names(selectors.organization_list(community_staff, {"party_branch": "no"})) == everyone - {"党支部服务站"}
    assert names(selectors.organization_list(community_staff, {"party_members": "no"})) == everyone - {"党支部服务站"}


def test_community_filter(world, office_admin):
    assert names(selectors.organization_list(office_admin, {"community": world.community_b.pk})) == {world.org_b.name}


def test_text_search_finds_filing_number_and_uscc(world, office_admin):
    number = world.org_a.filing_number
    assert names(selectors.organization_list(office_admin, {"q": number.lower()})) == {world.org_a.name}
    code = "52440305MJL000071"
    code += uscc_check_char(code)
    services.organization_register(
        organization=world.org_b, uscc=code, registered_on=dt.date(2021, 1, 1), by=system_actor()
    )
    assert names(selectors.organization_list(office_admin, {"q": code[-6:].lower()})) == {world.org_b.name}


def test_filing_expiring_matches_the_office_home_figure(world, office_admin):
    """The home page's figure links to ?filing=expiring: both must count the same organizations."""
    fresh = make_organization(world.community_a, "新备案组织", members=2, filed=True, on=timezone.localdate())
    listed = names(selectors.organization_list(office_admin, {"filing": "expiring"}))
    assert world.org_a.name in listed  # filed 2020-01-01, expired
    assert fresh.name not in listed  # valid three more years
    assert len(listed) == selectors.office_summary(office_admin)["filing_expiring"]


def _register(org: Organization, on: dt.date = dt.date(2023, 6, 1)) -> Organization:
    code = ("51" if org.nature == Organization.Nature.ASSOCIATION else "52") + "440305MJL00007"
    code += f"{org.pk % 10}"
    code += uscc_check_char(code)
    return services.organization_register(organization=org, uscc=code, registered_on=on, by=system_actor())


def test_a_registered_organization_is_never_filing_expired(world, office_admin):
    """Registered: its old filing (expired 2022-12-31) no longer matters, for the home figure,
    the ?filing=expiring filter and the in-memory rule of the pages alike."""
    before = selectors.office_summary(office_admin)["filing_expiring"]
    assert world.org_a.name in names(selectors.organization_list(office_admin, {"filing": "expiring"}))
    org = _register(world.org_a)
    assert org.filing_valid_until is not None and org.filing_valid_until < timezone.localdate()
    assert world.org_a.name not in names(selectors.organization_list(office_admin, {"filing": "expiring"}))
    assert selectors.office_summary(office_admin)["filing_expiring"] == before - 1
    assert selectors.filing_warning(org) == ""


@pytest.mark.parametrize(
    ("status", "legal", "days_left", "expected"),
    [
        (S.ACTIVE, L.FILED, -1, "expired"),
        (S.ACTIVE, L.FILED, 0, "expiring"),
        (S.ACTIVE, L.FILED, 30, "expiring"),
        (S.ACTIVE, L.FILED, 31, ""),
        (S.ACTIVE, L.REGISTERED, -400, ""),
        (S.ACTIVE, L.REGISTERED, 10, ""),
        (S.DORMANT, L.FILED, -1, ""),
        (S.DISSOLVED, L.FILED, -1, ""),
        (S.INCUBATING, L.UNFILED, -1, ""),
    ],
)
def test_filing_warning_follows_the_same_rule_as_the_filter(world, status, legal, days_left, expected):
    today = dt.date(2024, 5, 1)
    until = today + dt.timedelta(days=days_left)
    org = Organization(status=status, legal_status=legal, filing_valid_until=until)
    assert selectors.filing_warning(org, today) == expected
    # The database filter (office home figure, ?filing=expiring) flags exactly the same ones.
    registered = {"uscc": "X" * 18, "registered_on": today} if legal == L.REGISTERED else {}
    Organization.objects.filter(pk=world.org_b.pk).update(
        status=status, legal_status=legal, filing_valid_until=until, **registered
    )
    flagged = Organization.objects.filter(selectors.filing_expiring_q(today), pk=world.org_b.pk).exists()
    assert flagged == bool(expected)


def test_sort_by_members_and_dates(variety, community_staff):
    by_members = list(selectors.organization_list(community_staff, {"sort": "-members"}))
    assert by_members[0].name == "荔芳食品安全自治会"  # 12 members
    counts = [o.member_count for o in by_members]
    assert counts == sorted(counts, reverse=True)
    by_filed = [o.filed_on for o in selectors.organization_list(community_staff, {"sort": "filed"})]
    assert by_filed[-2:] == [None, None]  # never filed come last, also ascending
    assert by_filed[:-2] == sorted(by_filed[:-2])
    by_filed_desc = [o.filed_on for o in selectors.organization_list(community_staff, {"sort": "-filed"})]
    assert by_filed_desc[-2:] == [None, None]
    by_name = [o.name for o in selectors.organization_list(community_staff, {"sort": "name"})]
    assert by_name == sorted(by_name)


def test_unknown_sort_falls_back_to_community_and_name(world, office_admin):
    orgs = list(selectors.organization_list(office_admin, {"sort": "password"}))
    assert [o.community.path for o in orgs] == sorted(o.community.path for o in orgs)


def test_communities_in_scope(world, community_staff, org_leader, office_admin, outsider):
    assert list(selectors.communities_in_scope(community_staff, Perm.ORG_VIEW)) == [world.community_a]
    assert list(selectors.communities_in_scope(org_leader, Perm.ORG_VIEW)) == [world.community_a]
    assert list(selectors.communities_in_scope(org_leader, Perm.ORG_CREATE)) == []
    assert set(selectors.communities_in_scope(office_admin, Perm.ORG_CREATE)) == {world.community_a, world.community_b}
    assert list(selectors.communities_in_scope(outsider, Perm.ORG_VIEW)) == []


def test_members_summary_puts_the_leader_first(world):
    summary = selectors.organization_members_summary(world.org_a, limit=5)
    assert summary["members"] == 12
    assert len(summary["rows"]) == 5
    assert summary["more"] == 7
    assert summary["rows"][0].role == Membership.Role.LEADER
    assert summary["leader"] == summary["rows"][0]
    assert summary["initiators"] == 3
    assert summary["leader_is_party_member"] is False


def test_timeline_reads_every_change_from_history(world, office_admin):
    org = world.org_a
    services.organization_update(organization=org, data={"venue": "荔芳社区新址"}, by=office_admin)
    member = Membership.objects.filter(organization=org, role=Membership.Role.MEMBER).first()
    services.membership_change_role(membership=member, role=Membership.Role.BACKBONE, by=office_admin)
    services.organization_make_dormant(organization=org, reason="负责人外出", on=dt.date(2024, 1, 1), by=office_admin)

    timeline = selectors.organization_timeline(org)
    labels = [e.label for e in timeline]
    assert labels[:3] == ["Marked dormant", "Role changed", "Profile updated"]
    dormant, role, venue = timeline[:3]
    assert dormant.user == office_admin
    assert dormant.effective_on == dt.date(2024, 1, 1)
    assert dormant.reason == "负责人外出"
    assert (dormant.from_status, dormant.to_status) == ("Active", "Dormant")
    assert [(c.field, c.old, c.new) for c in role.changes] == [("role", "Member", "Backbone member")]
    assert member.person.name in role.subject
    assert [(c.field, c.old, c.new) for c in venue.changes] == [("venue", "社区党群服务中心", "荔芳社区新址")]
    filed = next(e for e in timeline if e.action == "registry.organization.filed")
    assert filed.effective_on == dt.date(2020, 1, 1)
    assert ("filed_on", "", "2020-01-01") in [(c.field, c.old, c.new) for c in filed.changes]
    added = next(e for e in timeline if e.action == "registry.membership.added")
    assert added.count == 12  # the twelve founding members, added in one go, folded into one entry
    assert timeline[-1].action == "registry.organization.created"


def test_timeline_names_the_instructor_instead_of_an_id(world, office_admin):
    instructor = make_person("指导员丙", community=world.community_a, party=True)
    services.organization_update(organization=world.org_a, data={"party_instructor": instructor}, by=office_admin)
    change = selectors.organization_timeline(world.org_a)[0].changes[0]
    assert (change.field, change.old, change.new) == ("party_instructor", "", "指导员丙")


def test_suggest_filing_number_is_the_next_free_one(world):
    year = timezone.localdate().year
    assert selectors.suggest_filing_number(year) == f"南山街备〔{year}〕001号"
    org = make_organization(world.community_a, members=2)
    number = f"南山街备〔{year}〕041号"
    services.organization_file(organization=org, filing_number=number, filed_on=timezone.localdate(), by=system_actor())
    assert selectors.suggest_filing_number(year) == f"南山街备〔{year}〕042号"
    assert selectors.suggest_filing_number(year - 1) == f"南山街备〔{year - 1}〕001号"


def test_suggest_filing_number_follows_the_configured_format(world, settings):
    settings.SIFU_FILING_NUMBER_FORMAT = "NS{year}-{seq:04d}"
    year = timezone.localdate().year
    org = make_organization(world.community_a, members=2)
    services.organization_file(
        organization=org, filing_number=f"NS{year}-0041", filed_on=timezone.localdate(), by=system_actor()
    )
    make_organization(world.community_a, "别的格式", members=2, filed=True)  # numbers of another style are ignored
    assert selectors.suggest_filing_number(year) == f"NS{year}-0042"


def test_instructor_candidates_stay_in_scope(world, community_staff):
    mine = make_person("王指导", community=world.community_a, phone="13912340001")
    make_person("王外人", community=world.community_b, phone="13912340002")
    assert selectors.instructor_candidates(community_staff, "王") == [mine]
    assert selectors.instructor_candidates(community_staff, "1234") == [mine]
    assert selectors.instructor_candidates(community_staff, "") == []


def test_public_directory_shows_only_filed_or_registered_and_not_dissolved(variety, world):
    services.organization_dissolve(organization=world.org_b, reason="解散", on=dt.date(2023, 1, 1), by=system_actor())
    listed = names(selectors.public_directory({}))
    assert "拟成立读书会" not in listed and "培育中舞蹈队" not in listed
    assert world.org_b.name not in listed
    assert {"荔芳食品安全自治会", "党支部服务站", "休眠合唱团", world.org_other.name} <= listed
    assert names(selectors.public_directory({"category": "charity"})) == {"党支部服务站"}
    assert names(selectors.public_directory({"community": world.community_b.pk})) == set()
    assert world.community_b not in selectors.public_communities()
