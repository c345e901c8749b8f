"""The service center's plans (《南山街道社会组织服务中心三年服务规划》).

The case study (二(一) 借助专业机构孵化; 三(一)) names two rounds, from 2019 when 82 organizations
were active: the first built the base, the second raised quality; the demo adds the round under
way on the day it is loaded (from 1 January of last year to 31 December of next year), whose
goals are measured on the registry and whose milestones are dated from today (some done, one
overdue, some ahead). Targets and milestones are invented, in the case study's terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date
TITLE = "南山街道社会组织服务中心三年服务规划（{start}—{end}年）"


@dataclass(frozen=True)
class Milestone:
    title: str
    due: dt.date | int  # fixed date, or days before today (negative: ahead)
    done: dt.date | int | None = None
    note: str = ""


@dataclass(frozen=True)
class PlanSpec:
    starts: dt.date | None  # None: the current round (1 January of last year)
    ends: dt.date | None  # None: 31 December of next year
    summary: str
    goals: tuple[tuple[str, int, dt.date | None, str], ...]  # metric, target, due (None: the plan's end), note
    milestones: tuple[Milestone, ...]


# fmt: off
PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        D(2019, 1, 1), D(2021, 12, 31),
        "第一轮：打基础。引进区社创会、社促会等专业机构，13个社区建立社区社会组织能量站，"
        "立足属地需求孵化社区事务类、生活服务类组织。",
        (
            ("active_organizations", 130, None, "2019年初活跃社会组织82家"),
            ("party_branches", 8, None, ""),
        ),
        (
            Milestone("引进区社创会、社促会等专业机构驻点孵化", D(2019, 6, 30), D(2019, 5, 20)),
            Milestone("13个社区社会组织能量站全部挂牌运行", D(2019, 12, 31), D(2019, 11, 28)),
            Milestone("举办首届街道社会治理创新大赛", D(2021, 10, 31), D(2021, 10, 22)),
        ),
    ),
    PlanSpec(
        D(2022, 1, 1), D(2024, 12, 31),
        "第二轮：提质量、树样板。推行“孵化+党建”双培育，出台评星定级制度，成立社区社会组织党支部书记工作室，"
        "推动成规模的组织转化为注册组织。",
        (
            ("active_organizations", 190, D(2024, 4, 30), "截至2024年4月活跃备案组织197家"),
            ("registered_organizations", 6, None, "转化为注册的社会团体或社会服务机构"),
            ("party_branches", 15, None, ""),
            ("party_member_leaders", 50, None, "负责人是党员的组织"),
        ),
        (
            Milestone("成立社区社会组织党支部书记工作室", D(2022, 12, 31), D(2022, 12, 16)),
            Milestone("4个社区安全自治会全部落实党建入章", D(2023, 6, 30), D(2023, 6, 13)),
            Milestone("出台《社区社会组织及骨干评星定级制度》", D(2023, 9, 30), D(2023, 8, 25)),
        ),
    ),
    PlanSpec(
        None, None,
        "第三轮：扩覆盖、强赋力。立足新就业群体、一老一小和安全生产等需求精准孵化，"
        "推动每个社区社会组织达到10家以上、负责人党员化，续期和变更全部网上办理。",
        (
            ("active_organizations", 220, None, ""),
            ("registered_organizations", 9, None, "再转化3家为注册组织"),
            ("party_branches", 22, None, ""),
            ("party_member_leaders", 70, None, "从“三强”党员中培养带头人"),
            ("communities_at_target", 13, None, "每个社区至少10家活跃组织"),
            ("needs_served", 30, None, "需求清单中已有组织服务的需求"),
        ),
        (
            Milestone("到期备案组织集中续期（第一批）", 240, 245, "通过平台受理续期申请"),
            Milestone("新就业群体服务组织覆盖南园、登良、北头", -120, None,
                      "南园、登良已完成；北头骑手歇脚需求仍待孵化"),
            Milestone("登良骑手暖心驿站完成备案", 15, 20),
            Milestone("出台《社区社会组织备案续期和变更办理指引》", 10, None, "初稿已征求13个社区意见"),
            Milestone("举办第五届街道社会治理创新大赛", -60),
            Milestone("13个社区完成新一轮社区社会组织评星定级", -300),
        ),
    ),
)
# fmt: on
