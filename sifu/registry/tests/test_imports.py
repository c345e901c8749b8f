"""The registry import (RegistryImport): a good file, bad rows, idempotence, dry runs and scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from sifu.accounts.services import system_actor
from sifu.core.spreadsheets import RowError
from sifu.registry import services
from sifu.registry.imports import RegistryImport
from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person
from sifu.registry.tests.excel import id_number, member, org, phone, table_counts, uscc, workbook
from sifu.registry.tests.factories import make_organization

S, L = Organization.Status, Organization.LegalStatus


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(user, data, **kw):
    return RegistryImport(by=user).run(data, **kw)


def good_file() -> bytes:
    return workbook(
        [
            org("荔芳长者饭堂志愿队", 成立日期="2021-09-01", 备案编号="LF2022-101", 备案日期="2022-03-01",
                党建入章="是", 组织性质="民非型", 功能类别="生活服务"),
            org("南园邻里互助社", 所属社区="南园", 组织形式="社", 组织性质="社团型", 功能类别="社区事务",
                登记状态="登记", 备案编号="NY2020-102", 统一社会信用代码=uscc("51"), 成立日期=dt.date(2019, 5, 1),
                备案日期="2020/01/10", 登记日期=dt.datetime(2023, 6, 1), 党支部成立日期="2021-07-01"),
            org("学府书法小组", 所属社区="南园社区", 登记状态="未备案", 备案编号=None, 备案日期=None, 成立日期=None,
                状态="培育中"),
            org("夜跑队", 备案编号="YP2020-103", 成立日期="2019-08-01", 备案日期="2020-03-01", 状态="休眠"),
            org("旧书交换站", 登记状态="未备案", 备案编号=None, 备案日期=None, 状态="注销"),
        ],
        [
            member("荔芳长者饭堂志愿队", "陈秀英", 1, 身份证号=id_number(1), 政治面貌="中共党员", 角色="负责人",
                   加入日期="2021-09-01"),
            member("荔芳长者饭堂志愿队", "林国强", 2, 角色="骨干"),
            member("荔芳长者饭堂志愿队", "黄小梅", 3, 角色="志愿者", 加入日期=dt.date(2022, 1, 15)),
            member("南园邻里互助社", "陈秀英", 1, 加入日期="2020-01-10"),  # the same person, by phone
            member("南园邻里互助社", "周建华", 4, 政治面貌="党员", 角色="负责人", 加入日期="2019-05-01"),
            member("南园邻里互助社", "吴丽娟", 5, 角色="副负责人", 加入日期="2019-05-01", 退出日期="2023-12-31"),
            member("夜跑队", "何志明", 7, 角色="负责人", 加入日期="2020-03-01"),
            member("旧书交换站", "郑文", 6, 加入日期="2020-01-01"),
            member("荔芳食品安全自治会", "林国强", 2, 加入日期="2024-02-01"),  # an organization already recorded
        ],
    )  # fmt: skip


def test_a_good_file_creates_organizations_people_and_memberships(world, office_admin):
    before = table_counts()
    result = run(office_admin, good_file())
    assert result.ok, result.errors
    s = result.summary
    assert (s.organizations_created, s.organizations_updated, s.organizations_unchanged) == (5, 0, 0)
    assert (s.people_created, s.people_matched) == (7, 0)
    assert (s.memberships_created, s.memberships_unchanged) == (9, 0)
    assert Person.objects.count() == before["registry.Person"] + 7

    elders = Organization.objects.get(name="荔芳长者饭堂志愿队")
    assert (elders.community, elders.status, elders.legal_status) == (world.community_a, S.ACTIVE, L.FILED)
    assert (elders.filing_number, elders.filed_on) == ("LF2022-101", dt.date(2022, 3, 1))
    assert elders.filing_valid_until == dt.date(2025, 2, 28)
    assert elders.party_clause_in_charter and elders.category == Organization.Category.LIFE
    leader = elders.memberships.get(role=Membership.Role.LEADER)
    assert leader.person.name == "陈秀英" and leader.person.id_number == id_number(1)
    assert leader.person.political_status == Person.PoliticalStatus.CPC_MEMBER

    neighbours = Organization.objects.get(name="南园邻里互助社")
    assert (neighbours.community, neighbours.status, neighbours.legal_status) == (
        world.community_b,
        S.ACTIVE,
        L.REGISTERED,
    )
    assert (neighbours.uscc, neighbours.registered_on) == (uscc("51"), dt.date(2023, 6, 1))
    assert neighbours.party_branch_founded_on == dt.date(2021, 7, 1) and neighbours.has_party_branch
    # The lifecycle log holds each step at its own date, in order; history names the importer.
    log = list(neighbours.status_changes.values_list("action", "status", "legal_status", "effective_on"))
    assert log == [
        ("registry.organization.created", S.PROPOSED, L.UNFILED, dt.date(2019, 5, 1)),
        ("registry.organization.filed", S.ACTIVE, L.FILED, dt.date(2020, 1, 10)),
        ("registry.organization.registered", S.ACTIVE, L.REGISTERED, dt.date(2023, 6, 1)),
    ]
    versions = neighbours.history.order_by("history_id")
    assert [v.history_change_reason for v in versions] == [row[0] for row in log]
    assert {v.history_user for v in versions} == {office_admin}
    ended = neighbours.memberships.get(person__name="吴丽娟")
    assert (ended.role, ended.left_on) == (Membership.Role.DEPUTY, dt.date(2023, 12, 31))
    # One person across two organizations.
    chen = Person.objects.get(name="陈秀英")
    assert set(chen.memberships.values_list("organization__name", flat=True)) == {
        "荔芳长者饭堂志愿队",
        "南园邻里互助社",
    }

    calligraphy = Organization.objects.get(name="学府书法小组")
    assert (calligraphy.status, calligraphy.legal_status, calligraphy.filing_number) == (S.INCUBATING, L.UNFILED, None)

    runners = Organization.objects.get(name="夜跑队")
    assert (runners.status, runners.legal_status) == (S.DORMANT, L.FILED)
    dormancy = runners.status_changes.last()
    assert (dormancy.reason, dormancy.effective_on) == ("导入：状态为休眠", timezone.localdate())

    swap = Organization.objects.get(name="旧书交换站")
    assert (swap.status, swap.legal_status) == (S.DISSOLVED, L.UNFILED)
    assert swap.status_changes.last().reason == "导入：状态为注销"
    assert swap.memberships.get().person.name == "郑文", "members are added before the organization is dissolved"

    assert world.org_a.memberships.filter(person__name="林国强").exists()
    assert [o.outcome for o in s.organizations] == ["created"] * 5
    assert all(o.pk for o in s.organizations)


def test_reimporting_the_same_file_changes_nothing(world, office_admin):
    data = good_file()
    assert run(office_admin, data).ok
    before = table_counts()
    again = run(office_admin, data)
    assert again.ok, again.errors
    assert table_counts() == before
    s = again.summary
    assert (s.organizations_created, s.organizations_updated, s.organizations_unchanged) == (0, 0, 5)
    assert (s.people_created, s.people_matched, s.people_updated) == (0, 7, 0)
    assert (s.memberships_created, s.memberships_updated, s.memberships_unchanged) == (0, 0, 9)
    assert not s.changed_anything


def test_bad_rows_are_listed_and_nothing_is_written(world, office_admin):
    code = uscc("51")
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    data = workbook(
        [
            org("好组织"),
            org(
                "坏代码互助社", 组织性质="社团型", 登记状态="登记", 统一社会信用代码=wrong_check, 登记日期="2023-01-01"
            ),
            org("无名社区队", 所属社区="桂湾社区"),
            org("日期队", 备案日期="2021.03.01"),
        ],
        [
            member("好组织", "甲", 11, 角色="负责人"),
            member("好组织", "乙", 12, 角色="负责人"),
        ],
    )
    before = table_counts()
    result = run(office_admin, data)
    assert result.errors == [
        RowError("组织", 3, "统一社会信用代码", "The code's check character is wrong: please check each character."),
        RowError("组织", 4, "所属社区", "There is no community called “桂湾社区”."),
        RowError("组织", 5, "备案日期", "“2021.03.01” is not a date: write it as YYYY-MM-DD, e.g. 2021-03-15."),
        RowError(
            "成员", 3, "角色", "The organization already has a current leader (负责人) on row 2; only one is allowed."
        ),
    ]
    assert result.summary is None
    assert table_counts() == before


def test_a_service_refusal_while_writing_rolls_everything_back(world, office_admin):
    """The filing date is before the organization's last status change: only the service knows."""
    make_organization(world.community_a, "后来登记队", on=dt.date(2023, 1, 1))
    data = workbook([org("新队"), org("后来登记队", 备案编号="NS-LATE", 备案日期="2021-06-01", 成立日期=None)])
    before = table_counts()
    for dry_run in (True, False):
        result = run(office_admin, data, dry_run=dry_run)
        assert result.errors == [
            RowError("组织", 3, "登记状态", "The effective date cannot be before the last status change (2023-01-01).")
        ]
        assert table_counts() == before


def test_dry_run_reports_what_would_happen_and_writes_nothing(world, office_admin):
    before = table_counts()
    result = run(office_admin, good_file(), dry_run=True)
    assert result.ok and result.dry_run and not result.written
    assert (result.summary.organizations_created, result.summary.memberships_created) == (5, 9)
    assert [o.pk for o in result.summary.organizations] == [None] * 5
    assert table_counts() == before


def test_only_importers_may_import(world, community_staff, office_admin):
    with pytest.raises(PermissionDenied):
        run(community_staff, good_file())
    result = run(office_admin, workbook([org("科技园新队", 所属社区="科技园社区")]))
    assert result.errors == [
        RowError(
            "组织",
            2,
            "所属社区",
            "“科技园社区” is outside your area: you can only import into communities you administer.",
        )
    ]
    assert run(system_actor(), workbook([org("科技园新队", 所属社区="科技园社区")])).ok, "the system imports everywhere"


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"备案编号": None}, "备案编号", "need their filing number"),
        ({"备案日期": None}, "备案日期", "need their filing date"),
        ({"登记状态": "登记", "登记日期": "2023-01-01"}, "统一社会信用代码", "needs its unified social credit code"),
        ({"登记状态": "登记", "统一社会信用代码": uscc("52")}, "登记日期", "needs its registration date"),
        (
            {"登记状态": "登记", "组织性质": "社团型", "统一社会信用代码": uscc("52"), "登记日期": "2023-01-01"},
            "统一社会信用代码",
            "starting with 51",
        ),
        ({"统一社会信用代码": uscc("52")}, "统一社会信用代码", "only for registered"),
        ({"登记状态": "未备案", "备案编号": None, "备案日期": None}, "状态", "can only be 拟成立, 培育中 or 注销"),
        ({"状态": "拟成立"}, "状态", "no longer 拟成立 or 培育中"),
        ({"登记状态": "未备案", "备案日期": None, "状态": "培育中"}, "备案编号", "登记状态 is 未备案"),
        ({"成立日期": "2999-01-01"}, "成立日期", "in the future"),
        ({"党支部成立日期": "2020-06-01"}, "党支部成立日期", "before the organization"),
        (
            {"登记状态": "登记", "统一社会信用代码": uscc("52"), "登记日期": "2020-01-01"},
            "登记日期",
            "before the filing date",
        ),
        ({"组织性质": "社会企业"}, "组织性质", "Use one of: 社团型|民非型"),
        ({"状态": "正常"}, "状态", "Use one of: 拟成立|培育中|活跃|休眠|注销"),
        ({"组织名称": None}, "组织名称", "This cell is empty"),
    ],
)
def test_organization_rows_must_be_consistent(world, office_admin, cells, column, reason):
    result = run(office_admin, workbook([org("检查队", **cells)]))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)], result.errors
    assert reason in result.errors[0].reason
    assert not Organization.objects.filter(name="检查队").exists()


def test_aliases_are_accepted(world, office_admin):
    result = run(
        office_admin, workbook([org("别名队", 组织性质="民非", 功能类别="文体活动类", 党建入章="Y", 所属社区="荔芳")])
    )
    assert result.ok, result.errors
    assert Organization.objects.get(name="别名队").party_clause_in_charter


def test_filing_numbers_and_codes_are_unique(world, office_admin):
    data = workbook(
        [
            org("一队", 备案编号="DUP-1"),
            org("二队", 备案编号="DUP-1"),
            org("三队", 备案编号=world.org_a.filing_number),
            org("四队", 所属社区="南园社区"),
            org("四队", 所属社区="南园社区"),
        ]
    )
    result = run(office_admin, data)
    assert [(e.row, e.column) for e in result.errors] == [(6, "组织名称"), (3, "备案编号"), (4, "备案编号")]
    assert "on row 2" in result.errors[1].reason
    assert "荔芳食品安全自治会 (荔芳社区)" in result.errors[2].reason


def test_existing_organizations_are_updated_through_services(world, office_admin):
    org_a = world.org_a
    cells = {
        "所属社区": "荔芳社区",
        "组织性质": "社团型",
        "功能类别": "社区事务",
        "备案编号": org_a.filing_number,
        "备案日期": org_a.filed_on,
        "成立日期": None,
        "活动场所": "荔芳社区新活动室",
        "状态": "休眠",
    }
    result = run(office_admin, workbook([org(org_a.name, **cells)]))
    assert result.ok, result.errors
    assert (result.summary.organizations_updated, result.summary.organizations_created) == (1, 0)
    org_a.refresh_from_db()
    assert (org_a.venue, org_a.form, org_a.status) == ("荔芳社区新活动室", Organization.Form.TEAM, S.DORMANT)
    reasons = list(org_a.history.order_by("-history_id").values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["registry.organization.made_dormant", "registry.organization.updated"]
    assert OrganizationStatusChange.objects.filter(organization=org_a, reason="导入：状态为休眠").exists()


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"备案编号": "NS-OTHER"}, "备案编号", "cannot be changed by import"),
        ({"登记状态": "未备案", "备案编号": None, "备案日期": None, "状态": "注销"}, "登记状态", "cannot move it back"),
    ],
)
def test_existing_filing_details_cannot_change(world, office_admin, cells, column, reason):
    org_a = world.org_a
    base = {"组织性质": "社团型", "功能类别": "社区事务", "备案编号": org_a.filing_number, "备案日期": org_a.filed_on}
    result = run(office_admin, workbook([org(org_a.name, **(base | cells))]))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert reason in result.errors[0].reason


def test_people_are_matched_once_across_rows_and_the_registry(world, office_admin):
    known = world.org_a.memberships.select_related("person").first().person
    data = workbook(
        [org("匹配队")],
        [
            member("匹配队", known.name, 0, 手机=known.phone, 政治面貌="中共党员"),  # already recorded: matched
            member("匹配队", "新人", 21, 身份证号=id_number(21)),
            member("荔芳食品安全自治会", "新人", 0, 手机=None, 身份证号=id_number(21), 加入日期="2022-01-01"),
        ],
    )
    result = run(office_admin, data)
    assert result.ok, result.errors
    assert (result.summary.people_created, result.summary.people_matched, result.summary.people_updated) == (1, 1, 1)
    known.refresh_from_db()
    assert known.political_status == Person.PoliticalStatus.CPC_MEMBER
    assert Person.objects.get(id_number=id_number(21)).memberships.count() == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [member("匹配队", "张三", 31), member("匹配队", "李四", 31, 加入日期="2022-01-01")],
            [(3, "姓名", "Row 2 gives the same person the name “张三”.")],
        ),
        (
            [member("匹配队", "张三", 31), member("匹配队", "张三", 31, 加入日期="2022-01-01")],
            [(3, "姓名", "张三 is already a current member of this organization on row 2.")],
        ),
        (
            [
                member("匹配队", "张三", 31, 身份证号=id_number(31)),
                member("匹配队", "张三", 32, 身份证号=id_number(31)),
            ],
            [(3, "手机", "Row 2 gives this person another phone number.")],
        ),
        ([member("没有这个队", "张三", 31)], [(2, "组织名称", "No organization called “没有这个队”")]),
        ([member("匹配队", "张三", 0, 手机=None)], [(2, "手机", "Give 手机 or 身份证号")]),
        (
            [member("匹配队", "张三", 0, 手机=None, 身份证号=440305198501010000)],
            [(2, "身份证号", "stored as a number")],
        ),
        ([member("匹配队", "张三", 31, 退出日期="2020-01-01")], [(2, "退出日期", "cannot be before 加入日期")]),
    ],
)
def test_member_rows_are_checked(world, office_admin, rows, expected):
    before = table_counts()
    result = run(office_admin, workbook([org("匹配队")], rows))
    assert [(e.row, e.column) for e in result.errors] == [(row, column) for row, column, _ in expected], result.errors
    for error, (_row, _column, reason) in zip(result.errors, expected, strict=True):
        assert reason in error.reason
    assert table_counts() == before


def test_a_known_phone_under_another_name_is_refused(world, office_admin):
    known = world.org_a.memberships.select_related("person").first().person
    result = run(office_admin, workbook([org("匹配队")], [member("匹配队", "别人", 0, 手机=known.phone)]))
    assert result.errors == [
        RowError("成员", 2, "手机", f"This phone number is already recorded for “{known.name}”, not “别人”.")
    ]


def test_an_organization_name_in_two_communities_must_be_qualified(world, office_admin):
    make_organization(world.community_b, "荔芳食品安全自治会", members=1)  # same name, community B
    ambiguous = run(office_admin, workbook([], [member("荔芳食品安全自治会", "张三", 41)]))
    assert [(e.row, e.column) for e in ambiguous.errors] == [(2, "组织名称")]
    assert "南园社区/荔芳食品安全自治会" in ambiguous.errors[0].reason or "荔芳社区/" in ambiguous.errors[0].reason
    qualified = run(office_admin, workbook([], [member("南园社区/荔芳食品安全自治会", "张三", 41)]))
    assert qualified.ok, qualified.errors
    assert Membership.objects.get(person__name="张三").organization.community == world.community_b


def test_a_second_current_leader_against_the_registry_is_refused(world, office_admin):
    data = workbook([], [member("荔芳食品安全自治会", "新会长", 51, 角色="负责人")])
    result = run(office_admin, data)
    assert [(e.row, e.column) for e in result.errors] == [(2, "角色")]
    assert "current leader" in result.errors[0].reason


def test_ending_a_membership_on_reimport(world, office_admin):
    first = workbook([org("结束队")], [member("结束队", "甲", 61, 角色="负责人"), member("结束队", "乙", 62)])
    assert run(office_admin, first).ok
    later = workbook(
        [org("结束队", 备案编号=Organization.objects.get(name="结束队").filing_number)],
        [member("结束队", "甲", 61, 角色="负责人"), member("结束队", "乙", 62, 退出日期="2023-05-01")],
    )
    result = run(office_admin, later)
    assert result.ok, result.errors
    assert (result.summary.memberships_updated, result.summary.memberships_unchanged) == (1, 1)
    assert Membership.objects.get(person__name="乙").left_on == dt.date(2023, 5, 1)


def test_example_rows_and_missing_sheets(world, office_admin):
    data = workbook([org("示例：荔芳食品安全自治会", 所属社区="不存在")], sheets=("组织",))
    result = run(office_admin, data)
    assert result.ok, result.errors
    assert result.warnings[0].startswith("1 example rows")
    assert "No sheet named “成员”" in result.warnings[1]
    assert not Organization.objects.filter(name__startswith="示例").exists()


def test_an_active_organization_without_a_leader_is_flagged(world, office_admin):
    result = run(office_admin, workbook([org("无人队")]))
    assert result.ok
    assert any("no current leader" in w and "无人队" in w for w in result.warnings)


def test_a_member_of_a_dissolved_organization_is_refused(world, office_admin):
    services.organization_dissolve(organization=world.org_b, reason="解散", by=system_actor())
    result = run(office_admin, workbook([], [member("南园骑手互助会", "迟到者", 71)]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "组织名称")]
    assert "dissolved" in result.errors[0].reason
    assert not Person.objects.filter(name="迟到者").exists()


def test_phone_helper_is_not_used_by_fixtures():
    assert phone(1) == "13600000001"


def test_overlapping_memberships_are_refused(world, office_admin):
    first = workbook([org("重叠队")], [member("重叠队", "甲", 81, 加入日期="2021-03-01", 退出日期="2022-12-31")])
    assert run(office_admin, first).ok
    number = Organization.objects.get(name="重叠队").filing_number
    in_file = workbook(
        [org("另一队")],
        [
            member("另一队", "乙", 82, 加入日期="2021-03-01", 退出日期="2022-06-30"),
            member("另一队", "乙", 82, 加入日期="2022-01-01"),
        ],
    )
    assert [(e.row, e.column) for e in run(office_admin, in_file).errors] == [(3, "加入日期")]
    against_registry = workbook([org("重叠队", 备案编号=number)], [member("重叠队", "甲", 81, 加入日期="2022-06-01")])
    result = run(office_admin, against_registry)
    assert [(e.row, e.column) for e in result.errors] == [(2, "加入日期")]
    assert "from 2021-03-01 to 2022-12-31" in result.errors[0].reason
    rejoin = workbook([org("重叠队", 备案编号=number)], [member("重叠队", "甲", 81, 加入日期="2023-01-01")])
    assert run(office_admin, rejoin).ok, "rejoining after leaving is fine"


def test_the_queries_of_an_import_do_not_grow_with_its_rows(world, office_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def file(n: int, start: int) -> bytes:
        orgs, members = [], []
        for i in range(start, start + n):
            name = f"计数队{i}"
            legal = ("备案", "未备案", "登记")[i % 3]
            filed = {"备案编号": f"Q-{i}"} if legal != "未备案" else {"备案编号": None, "备案日期": None}
            registered = {"统一社会信用代码": uscc("52", i), "登记日期": "2022-03-01"} if legal == "登记" else {}
            status = {"备案": "休眠", "未备案": "培育中", "登记": "活跃"}[legal]
            orgs.append(org(name, 登记状态=legal, 状态=status, **filed, **registered))
            members.append(member(name, f"负责人{i}", 1000 + i, 角色="负责人", 身份证号=id_number(i)))
            members.append(member(name, f"成员{i}", 2000 + i))
        return workbook(orgs, members)

    def queries(n: int, start: int, **kw) -> int:
        data = file(n, start)
        with CaptureQueriesContext(connection) as ctx:
            result = run(office_admin, data, **kw)
        assert result.ok, result.errors
        return len(ctx.captured_queries)

    queries(1, 50, dry_run=True)  # warm up: the user's grants and Django's caches are read once
    assert queries(3, 100, dry_run=True) == queries(12, 200, dry_run=True)
    assert queries(3, 300) == queries(12, 400)
    assert queries(3, 300) == queries(12, 400)  # again: every row is known and unchanged
