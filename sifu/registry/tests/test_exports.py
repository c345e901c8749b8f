"""The organization list export: the import's columns, masked phones, one query whatever the rows."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from openpyxl import load_workbook

from sifu.accounts.services import system_actor
from sifu.core.permissions import Perm
from sifu.registry import selectors, services
from sifu.registry.exports import OrganizationListExporter
from sifu.registry.imports import ORG_COLUMNS, RegistryImport
from sifu.registry.models import Membership, Organization
from sifu.registry.tests.factories import make_organization, make_person

EXTRA = ["负责人", "负责人手机", "当前成员数", "党员数"]


def rows(exporter: OrganizationListExporter) -> dict[str, dict[str, object]]:
    ws = load_workbook(io.BytesIO(exporter.to_bytes()))["组织"]
    values = list(ws.iter_rows(values_only=True))
    header = list(values[0])
    return {row[0]: dict(zip(header, row, strict=True)) for row in values[1:]}


def test_columns_words_and_dates(world):
    org_a = world.org_a
    services.organization_update(
        organization=org_a, data={"party_clause_in_charter": True, "founded_on": dt.date(2019, 3, 1)}, by=system_actor()
    )
    ws = load_workbook(io.BytesIO(OrganizationListExporter(Organization.objects.all()).to_bytes()))["组织"]
    assert [c.value for c in ws[1]] == [c.title for c in ORG_COLUMNS] + EXTRA
    assert ws.freeze_panes == "A2"
    row = rows(OrganizationListExporter(Organization.objects.all()))["荔芳食品安全自治会"]
    assert row["所属社区"] == "荔芳社区"
    assert (row["组织形式"], row["组织性质"], row["功能类别"]) == ("队", "社团型", "社区事务")
    assert (row["登记状态"], row["状态"], row["党建入章"]) == ("备案", "活跃", "是")
    assert row["备案编号"] == org_a.filing_number
    assert row["成立日期"] == dt.datetime(2019, 3, 1)
    assert row["备案日期"] == dt.datetime(2020, 1, 1)
    assert row["当前成员数"] == 12


def test_phones_are_masked_unless_asked(world):
    leader = world.org_a.memberships.get(role=Membership.Role.LEADER, left_on__isnull=True).person
    masked = rows(OrganizationListExporter(Organization.objects.all()))["荔芳食品安全自治会"]
    assert masked["负责人"] == leader.name
    assert masked["负责人手机"] == f"{leader.phone[:3]}****{leader.phone[-4:]}"
    assert leader.phone not in str(masked)
    unmasked = rows(OrganizationListExporter(Organization.objects.all(), unmasked=True))["荔芳食品安全自治会"]
    assert unmasked["负责人手机"] == leader.phone


def test_counts_are_current_members_and_party_members(world):
    org = make_organization(world.community_b, "计数队", members=3)
    party = make_person(party=True)
    services.membership_add(organization=org, person=party, joined_on=dt.date(2021, 1, 1), by=system_actor())
    gone = make_person(party=True)
    services.memberships_bulk_add(
        organization=org,
        rows=[{"person": gone, "role": "member", "joined_on": dt.date(2020, 1, 1), "left_on": dt.date(2020, 6, 1)}],
        by=system_actor(),
    )
    row = rows(OrganizationListExporter(Organization.objects.filter(pk=org.pk)))["计数队"]
    assert (row["当前成员数"], row["党员数"]) == (4, 1)
    assert row["状态"] == "拟成立" and row["登记状态"] == "未备案" and row["备案日期"] is None


def test_one_query_whatever_the_number_of_rows(world, office_admin, django_assert_num_queries):
    def export() -> None:
        # 1 query: the organizations in scope with community, leader name and phone, member and
        # party-member counts (all subqueries). office_admin's grants are already cached.
        OrganizationListExporter(selectors.organization_list(office_admin, {}, perm=Perm.ORG_EXPORT)).to_bytes()

    office_admin.has_perm(Perm.ORG_EXPORT)  # load the grants once
    with django_assert_num_queries(1):
        export()
    for i in range(6):
        make_organization(world.community_a if i % 2 else world.community_b, members=4, filed=i % 3 == 0)
    with django_assert_num_queries(1):
        export()
    assert len(rows(OrganizationListExporter(selectors.organization_list(office_admin, {})))) == 8


def test_an_export_imports_back_unchanged(world):
    """The export speaks the import's language: re-importing it changes nothing."""
    data = OrganizationListExporter(Organization.objects.all()).to_bytes()
    with translation.override("en"):
        result = RegistryImport(by=system_actor()).run(data)
    assert result.ok, result.errors
    assert result.summary.organizations_unchanged == 3
    assert not result.summary.changed_anything
    assert "负责人、负责人手机、当前成员数、党员数" in result.warnings[0]
