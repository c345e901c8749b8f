"""The registry workbook's vocabulary: sheet names, column titles and the words users write.

Words are Chinese, as they appear in the workbook and in the Guangdong filing rules; each maps to
the model value it stands for. The template (registry.exports) and the import read these same
tables, so the two never drift apart.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sifu.core.spreadsheets import ImportColumn
from sifu.registry.models import Membership, Organization, Person

ORG_SHEET = "组织"
MEMBER_SHEET = "成员"
NOTES_SHEET = "说明"
EXAMPLE_PREFIX = "示例："

Org, Status, Legal = Organization, Organization.Status, Organization.LegalStatus
Political, Role = Person.PoliticalStatus, Membership.Role

FORMS = {
    "社": Org.Form.SOCIETY,
    "站": Org.Form.STATION,
    "队": Org.Form.TEAM,
    "中心": Org.Form.CENTER,
    "组": Org.Form.GROUP,
}
NATURES = {"社团型": Org.Nature.ASSOCIATION, "民非型": Org.Nature.SERVICE}
CATEGORIES = {
    "生活服务": Org.Category.LIFE,
    "社区事务": Org.Category.AFFAIRS,
    "文体活动": Org.Category.CULTURE,
    "公益慈善": Org.Category.CHARITY,
}
LEGAL_STATUSES = {"未备案": Legal.UNFILED, "备案": Legal.FILED, "登记": Legal.REGISTERED}
STATUSES = {
    "拟成立": Status.PROPOSED,
    "培育中": Status.INCUBATING,
    "活跃": Status.ACTIVE,
    "休眠": Status.DORMANT,
    "注销": Status.DISSOLVED,
}
YES_NO = {"是": True, "否": False}
POLITICAL_STATUSES = {
    "中共党员": Political.CPC_MEMBER,
    "中共预备党员": Political.CPC_PROBATIONARY,
    "共青团员": Political.CYL_MEMBER,
    "民主党派": Political.DEMOCRATIC_PARTY,
    "群众": Political.MASSES,
}
ROLES = {
    "负责人": Role.LEADER,
    "副负责人": Role.DEPUTY,
    "骨干": Role.BACKBONE,
    "成员": Role.MEMBER,
    "志愿者": Role.VOLUNTEER,
}

# Spellings people commonly use for the same words.
NATURE_ALIASES = {
    "社团": "社团型",
    "社会团体": "社团型",
    "民非": "民非型",
    "民办非企业": "民非型",
    "社会服务机构": "民非型",
}
CATEGORY_ALIASES = {f"{word}类": word for word in CATEGORIES} | {"文体": "文体活动", "慈善公益": "公益慈善"}
LEGAL_ALIASES = {"已备案": "备案", "已登记": "登记"}
POLITICAL_ALIASES = {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员"}
YES_NO_ALIASES = {"Y": "是", "N": "否", "有": "是", "无": "否"}


def word_for(mapping: dict[str, Any], value: Any) -> str:
    """The workbook word for a model value: ``word_for(STATUSES, "active") == "活跃"``."""
    for word, candidate in mapping.items():
        if candidate == value:
            return word
    return ""


ORG_COLUMNS = (
    ImportColumn(
        title="组织名称",
        field="name",
        required=True,
        help=_("Name of the organization, unique within its community."),
        example=EXAMPLE_PREFIX + "荔芳食品安全自治会",
        width=30,
    ),
    ImportColumn(
        title="所属社区",
        field="community",
        required=True,
        help=_("A community in your area, by name; write 街道/社区 if two subdistricts have a community of that name."),
        example="荔芳社区",
        width=14,
    ),
    ImportColumn(
        title="组织形式",
        field="form",
        required=True,
        help=_("Form of the organization."),
        values=tuple(FORMS),
        example="社",
    ),
    ImportColumn(
        title="组织性质",
        field="nature",
        required=True,
        help=_("社团型 (association-type) or 民非型 (service-type)."),
        values=tuple(NATURES),
        example="社团型",
    ),
    ImportColumn(
        title="功能类别",
        field="category",
        required=True,
        help=_("Field of work."),
        values=tuple(CATEGORIES),
        example="社区事务",
    ),
    ImportColumn(
        title="登记状态",
        field="legal_status",
        required=True,
        help=_("未备案; 备案: filed with the subdistrict; 登记: registered with civil affairs (after filing)."),
        values=tuple(LEGAL_STATUSES),
        example="备案",
    ),
    ImportColumn(
        title="备案编号",
        field="filing_number",
        help=_("Required for 备案 and 登记; unique."),
        example="NS2020-0001",
        width=16,
        text=True,
    ),
    ImportColumn(
        title="统一社会信用代码",
        field="uscc",
        help=_("Required for 登记: 18 characters (GB 32100), starting with 51 for 社团型 or 52 for 民非型."),
        width=22,
        text=True,
    ),
    ImportColumn(title="成立日期", field="founded_on", help=_("A date: YYYY-MM-DD."), example="2019-03-01", width=12),
    ImportColumn(
        title="备案日期",
        field="filed_on",
        help=_("Required for 备案 and 登记. A date: YYYY-MM-DD."),
        example="2020-05-01",
        width=12,
    ),
    ImportColumn(title="登记日期", field="registered_on", help=_("Required for 登记; not before 备案日期."), width=12),
    ImportColumn(title="活动场所", field="venue", help=_("Where it meets."), example="荔芳社区党群服务中心", width=24),
    ImportColumn(
        title="党建入章",
        field="party_clause_in_charter",
        help=_("Party building written into the charter. Blank: 否."),
        values=tuple(YES_NO),
        example="是",
    ),
    ImportColumn(
        title="党支部成立日期",
        field="party_branch_founded_on",
        help=_("Only if it has a party branch: the date it was founded, not before 成立日期."),
        width=16,
    ),
    ImportColumn(
        title="状态",
        field="status",
        required=True,
        help=_("活跃 and 休眠 need 备案 or 登记; a 未备案 organization is 拟成立, 培育中 or 注销."),
        values=tuple(STATUSES),
        example="活跃",
    ),
)

MEMBER_COLUMNS = (
    ImportColumn(
        title="组织名称",
        field="organization",
        required=True,
        help=_("An organization of the 组织 sheet or of the registry; write 社区/组织名称 if the name repeats."),
        example=EXAMPLE_PREFIX + "荔芳食品安全自治会",
        width=30,
    ),
    ImportColumn(title="姓名", field="name", required=True, help=_("Full name."), example="张伟", width=10),
    ImportColumn(
        title="手机",
        field="phone",
        help=_("11-digit mainland mobile number. Give 手机 or 身份证号 (or both)."),
        example="13800001234",
        width=14,
        text=True,
    ),
    ImportColumn(
        title="身份证号",
        field="id_number",
        help=_("18 characters, typed as text so Excel keeps every digit."),
        width=22,
        text=True,
    ),
    ImportColumn(
        title="政治面貌",
        field="political_status",
        help=_("Blank: 群众 for a new person, unchanged for a known one."),
        values=tuple(POLITICAL_STATUSES),
        example="中共党员",
    ),
    ImportColumn(
        title="角色",
        field="role",
        help=_("At most one current 负责人 per organization. Blank: 成员."),
        values=tuple(ROLES),
        example="负责人",
    ),
    ImportColumn(
        title="加入日期",
        field="joined_on",
        required=True,
        help=_("A date: YYYY-MM-DD."),
        example="2019-03-01",
        width=12,
    ),
    ImportColumn(title="退出日期", field="left_on", help=_("Only for people who have left."), width=12),
)

LEGAL_RANK: dict[str, int] = {Legal.UNFILED: 0, Legal.FILED: 1, Legal.REGISTERED: 2}
