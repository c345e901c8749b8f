"""The incubation cases of the demo (孵化).

- ``STORIES``: how the case study's organizations were incubated (二(一)): 荔芳食品安全自治会 by
  荔芳社区能量站, 南园骑手互助会 and its party branch by 南园社区能量站, 月亮湾物流协会 with the partner
  agency 区社创会 and 月亮湾拖车队 by the service center. They are filed in the registry demo already,
  so their cases are recorded from paper (``case_record_existing``), at the registry's dates.
- ``REGISTRY``: the registry demo's organizations still proposed or incubating (fixed dates), whose
  cases are recorded the same way.
- ``NEW``: cases opened through the workflow, one at each stage, dated in days before the day the
  demo is loaded: preparing, incubating, filing under the community's check, filing awaiting the
  subdistrict (one overdue), returned, recently filed, closed.

Names of mentors and texts are invented; the stories follow the case study.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date

# Assessments of the three qualities (党性意识, 组织能力, 公益爱心): S strong, F fair, W needs work.
ASSESS = {"S": "strong", "F": "fair", "W": "weak"}


@dataclass(frozen=True)
class Note:
    on: dt.date | int  # fixed date, or days before today
    kind: str  # a CoachingNote.Kind value
    text: str
    next_step: str = ""


@dataclass(frozen=True)
class Candidate:
    """A candidate leader. ``member`` picks a current member of the organization (stories) or a
    resident of the community (new cases); party members are preferred where ``party``."""

    assessment: str  # e.g. "SSS" (party spirit, organizing ability, public spirit)
    note: str
    assessed: dt.date | int
    party: bool = True
    chosen: dt.date | int | None = None  # chosen as leader on (a handover in the registry)
    withdrawn: str = ""  # reason


@dataclass(frozen=True)
class StoryCase:
    organization: str
    needs: tuple[str, ...]  # NeedSpec keys
    incubator_kind: str
    incubator_name: str
    mentor: str
    opened: dt.date
    stage: str = "filed"  # an IncubationCase.Stage value
    notes: tuple[Note, ...] = ()
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Filing:
    """The first filing of a new case; days before today for each step (None: not reached)."""

    submitted: int
    by: str | None  # login of the applicant (the incubator's staff), None: the organization itself
    prechecked: int | None = None
    precheck_by: str | None = None
    returned: int | None = None
    return_reason: str = ""
    approved: int | None = None


@dataclass(frozen=True)
class NewCase:
    key: str
    community: str
    name: str
    nature: str
    category: str
    needs: tuple[str, ...]
    incubator_kind: str
    incubator_name: str
    mentor: str
    opened: int  # days before today
    by: str  # login that opens and coaches it
    started: int | None = None  # preparing → incubating
    venue: str = ""
    purpose: str = ""
    scope: str = ""
    funding: str = ""
    members: int = 0  # current members, the chosen leader included
    initiators: int = 0  # how many of them initiated it (the chosen leader first)
    party_members: int = 0  # party members among them (the chosen leader included)
    joined: int = 0  # days before today the members joined
    charter: bool = False
    rules: tuple[str, ...] = ()  # "election", "deliberation" adopted
    notes: tuple[Note, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    filing: Filing | None = None
    closed: tuple[int, str] | None = None


# fmt: off
STORIES: tuple[StoryCase, ...] = (
    StoryCase(
        "荔芳食品安全自治会", ("lifang_food",), "energy_station", "荔芳社区能量站", "陈敏", D(2019, 6, 10),
        notes=(
            Note(D(2019, 6, 10), "meeting", "社区党委牵头召开商户、外卖骑手和居民代表座谈会，梳理出后厨卫生、外卖包装、"
                 "油烟排放等12个问题，商户代表提议成立食品安全自治组织。", "物色有党员身份、热心公益的商户担任牵头人"),
            Note(D(2019, 6, 24), "visit", "走访商业街32家餐饮店，发动12家商户作为发起人，推荐2名党员店主进入筹备组。",
                 "起草章程，写入党建工作条款"),
            Note(D(2019, 7, 15), "training", "能量站辅导发起人学习《社区社会组织章程示范文本》：章程写入党建工作，"
                 "明确负责人选举制度和民主议事制度；制定商户自查互查、后厨开放日制度。", "召开成立大会，选举负责人"),
            Note(D(2019, 8, 20), "meeting", "召开成立大会，选举产生负责人和理事会；整理备案申请表、会员花名册、章程和"
                 "场所证明。", "报街道社会组织服务中心备案"),
            Note(D(2024, 6, 18), "training", "组织理事会学习新修订的《社区社会组织及骨干评星定级制度》，"
                 "讨论培养后备带头人。", "对两名党员骨干做“三强”评估"),
        ),
        candidates=(
            Candidate("SSS", "党员店主，带头开放后厨，组织每月商户互查，商户信服。", D(2024, 7, 2)),
            Candidate("SFS", "党员骑手代表，热心负责，组织协调经验还需积累。", D(2024, 7, 2)),
        ),
    ),
    StoryCase(
        "南园骑手互助会", ("nanyuan_riders", "nanyuan_party"), "energy_station", "南园社区能量站", "黄嘉欣",
        D(2020, 7, 15),
        notes=(
            Note(D(2020, 7, 15), "meeting", "在南园村骑手驿站召开骑手座谈会，40多名骑手参加，提出歇脚、充电、交通安全和"
                 "互助帮扶四方面需求。", "摸排骑手中的党员"),
            Note(D(2020, 8, 5), "visit", "摸排出骑手党员11名，其中3名党性意识强、组织能力强、公益爱心强，"
                 "动员其担任发起人。",
                 "辅导发起人起草章程和互助金管理办法"),
            Note(D(2020, 9, 10), "training", "辅导发起人制定章程和骑手互助金管理办法，落实负责人选举制度、"
                 "民主议事制度；14名骑手作为首批会员。", "准备备案材料"),
            Note(D(2021, 6, 28), "meeting", "南园骑手党支部成立，党员骑手设立先锋岗、亮身份，组织生活每月一次。",
                 "党员骑手担任社区“流动网格员”"),
            Note(D(2025, 9, 20), "meeting", "互助会换届筹备：按章程公示候选人，社区党委对候选人做“三强”评估。",
                 "召开会员大会选举新一届负责人"),
        ),
        candidates=(
            Candidate("SSS", "党员骑手，骑手党支部委员，牵头骑手驿站日常运营和困难骑手帮扶。", D(2025, 9, 28),
                      chosen=D(2025, 10, 18)),
            Candidate("SFS", "党员骑手，积极参加先锋岗和交通安全宣传，作为后备带头人培养。", D(2025, 9, 28)),
        ),
    ),
    StoryCase(
        "月亮湾物流协会", ("moonbay_trucks",), "agency", "区社创会", "郑志华", D(2017, 2, 27),
        notes=(
            Note(D(2017, 2, 27), "visit", "区社创会社工随月亮湾社区走访月亮湾花园的货车司机，"
                 "了解停车、行车安全和权益方面的诉求。", "召开物流从业者座谈会"),
            Note(D(2017, 3, 20), "meeting", "召开物流从业者座谈会，15名司机和车队负责人作为发起人，"
                 "筹建月亮湾物流协会。",
                 "辅导制定章程和会费管理办法"),
            Note(D(2017, 6, 12), "training", "辅导协会制定章程、会费管理办法和安全驾驶培训计划，建立理事会议事规则。",
                 "报街道备案"),
            Note(D(2020, 11, 10), "training", "协会规模扩大、财务和项目管理规范，"
                 "辅导其准备社会团体登记材料（转登记）。",
                 "向区民政局申请登记"),
        ),
        candidates=(
            Candidate("SSS", "党员车队长，长期组织安全驾驶培训，协会党支部委员。", D(2023, 3, 15)),
        ),
    ),
    StoryCase(
        "月亮湾拖车队", ("moonbay_trucks", "moonbay_tow"), "service_center", "南山街道社会组织服务中心", "刘建华",
        D(2018, 1, 10),
        notes=(
            Note(D(2018, 1, 10), "visit", "服务中心和月亮湾社区党委走访住在小区里的拖车司机，"
                 "动员党员司机牵头成立拖车队。",
                 "起草章程"),
            Note(D(2018, 3, 5), "training", "章程写入党建工作（党建入章），推荐党员司机进入理事会；"
                 "制定夜间收车停车公约。",
                 "召开成立大会"),
            Note(D(2022, 8, 15), "meeting", "老旧小区棚改期间，拖车队成员与卡嫂协会一起担任片区长、楼栋长，配合社区党委"
                 "做居民引导。", "总结经验，参与“六个一”工作法"),
        ),
        candidates=(
            Candidate("SSS", "党员司机，拖车队党支部委员，棚改中担任片区长。", D(2023, 3, 15)),
        ),
    ),
)

# The registry demo's organizations still being incubated: their cases, from the registry's dates.
REGISTRY: tuple[StoryCase, ...] = (
    StoryCase("南光非遗剪纸社", ("nanguang_papercut",), "energy_station", "南光社区能量站", "何思琪", D(2026, 4, 1),
              stage="incubating",
              notes=(Note(D(2026, 4, 20), "training", "请非遗传承人给发起人讲剪纸课，商量每周六在党群服务中心开课。",
                          "招募会员"),)),
    StoryCase("风华邻里互助站", ("fenghua_neighbours",), "energy_station", "风华社区能量站", "苏婉仪", D(2026, 6, 15),
              stage="incubating",
              notes=(Note(D(2026, 7, 2), "meeting", "楼联会骨干和热心居民商量互助站的服务清单：长者临时照看、代买代办、"
                          "小修小补。", "起草章程"),)),
    StoryCase("月亮湾货车司机安全驾驶宣传队", ("moonbay_safety",), "agency", "月亮湾物流协会", "郑志华",
              D(2026, 8, 3), stage="incubating",
              notes=(Note(D(2026, 8, 20), "training", "物流协会作为枢纽组织带教：安全驾驶宣传的内容、排班和入户宣传"
                          "的注意事项。", "发动党员司机加入"),)),
    StoryCase("北头社区儿童友好议事小组", ("beitou_children",), "energy_station", "北头社区能量站", "郭晓文",
              D(2026, 9, 10), stage="preparing"),
    StoryCase("荔湾宠物友好文明劝导队", ("liwan_pets",), "energy_station", "荔湾社区能量站", "罗颖",
              D(2026, 10, 12), stage="preparing"),
    StoryCase("登良咏春拳队", ("dengliang_wingchun",), "energy_station", "登良社区能量站", "叶志强",
              D(2026, 11, 2), stage="preparing"),
)

RULES = ("election", "deliberation")

NEW: tuple[NewCase, ...] = (
    NewCase(
        "beitou_ebike", "北头", "北头村电动自行车安全劝导队", "association", "affairs", ("beitou_charging",),
        "energy_station", "北头社区能量站", "郭晓文", opened=5, by="admin",
        notes=(
            Note(4, "visit", "与北头村股份公司、房东代表商量，初步确定由5名热心房东和党员租户发起，夜间巡查飞线充电。",
                 "召开发起人会议，推荐负责人人选"),
        ),
        candidates=(Candidate("", "党员房东，主动在自家楼栋安装集中充电桩。", 3),),
    ),
    NewCase(
        "xiangnan_meals", "向南", "向南东村长者助餐志愿队", "association", "life", ("xiangnan_elders",),
        "energy_station", "向南社区能量站", "梁嘉怡", opened=50, started=42, by="admin",
        venue="向南社区党群服务中心长者饭堂", funding="民生微实事项目、会员自筹",
        purpose="组织邻里志愿者为向南东村独居长者送餐、探访，让长者在家门口吃上热饭、有人常来看看。",
        scope="每日午餐送餐上门；每周探访独居长者；长者用餐需求登记和反馈。",
        members=5, initiators=3, party_members=1, joined=30, rules=("election",),
        notes=(
            Note(48, "visit", "入户走访东村独居长者23户，其中15户希望每天有人送午餐。", "联系长者饭堂商量供餐"),
            Note(35, "meeting", "与长者饭堂、楼栋长联合会商量：饭堂供餐，志愿队负责送餐和探访。", "招募送餐志愿者"),
            Note(21, "training", "辅导发起人学习章程示范文本，先行制定负责人选举制度；讲解备案需要的会员人数和材料。",
                 "会员达到10人，起草章程（写入党建工作）"),
            Note(7, "phone", "电话跟进：已有5名会员，还需发动楼栋长和党员加入；章程初稿下周交能量站修改。",
                 "修改章程，补充民主议事制度"),
        ),
        candidates=(
            Candidate("SSS", "退休党员教师，楼栋长，主动承担排班和长者联络。", 20, chosen=14),
            Candidate("SFS", "党员，长者饭堂志愿者，热心但时间有限。", 20),
            Candidate("FSS", "热心居民，组织能力强，愿意作为送餐骨干。", 20, party=False,
                      withdrawn="工作时间冲突，愿意作为志愿者参加送餐"),
        ),
    ),
    NewCase(
        "xuefu_childcare", "学府", "学府社区托育互助小组", "service", "life", ("xuefu_childcare",),
        "service_center", "南山街道社会组织服务中心", "刘建华", opened=95, started=88, by="admin",
        venue="学府社区党群服务中心亲子活动室", funding="会员自筹、公益创投项目资助",
        purpose="组织有育儿经验的邻里互帮互助，缓解双职工家庭三岁以下婴幼儿照护难题。",
        scope="邻里互助看护（每周三次）；育儿经验分享和亲子活动；婴幼儿照护安全知识宣传。",
        members=5, initiators=2, party_members=1, joined=40, charter=True, rules=RULES,
        notes=(
            Note(90, "meeting", "与家长代表座谈，确定先做邻里互助看护和育儿分享，由持证育婴师和退休幼师牵头。",
                 "联系党群服务中心落实活动室"),
            Note(60, "training", "辅导发起人制定章程（写入党建工作）、负责人选举制度和民主议事制度，明确看护安全责任。",
                 "准备备案材料"),
            Note(10, "visit", "检查活动室安全条件和备案材料，章程、花名册、场所证明齐全。", "由服务中心代为提交备案"),
        ),
        candidates=(Candidate("SSS", "党员，退休幼儿园园长，带头制定看护安全制度。", 45, chosen=40),),
        filing=Filing(submitted=2, by="admin"),
    ),
    NewCase(
        "lifang_council", "荔芳", "荔芳网红街邻里议事会", "association", "affairs", ("lifang_noise",),
        "energy_station", "荔芳社区能量站", "陈敏", opened=55, started=50, by="lifang",
        venue="荔芳社区党群服务中心", funding="会员自筹",
        purpose="搭建网红餐饮店经营者和周边居民协商议事的平台，化解夜间喧哗、油烟扰民等矛盾。",
        scope="每月商户与居民议事会；夜间排队秩序劝导；油烟、噪音问题协商和整改跟踪。",
        members=11, initiators=3, party_members=2, joined=35, charter=True, rules=RULES,
        notes=(
            Note(52, "meeting", "召集商户、居民代表和食品安全自治会座谈，商定成立议事会，由自治会骨干和居民代表发起。",
                 "推荐负责人人选"),
            Note(40, "training", "辅导发起人制定议事规则：议题征集、协商、公示、回访四步；章程写入党建工作。",
                 "招募会员，准备备案材料"),
            Note(20, "visit", "陪同议事会成员夜间走访商业街，商户签订《夜间经营文明公约》。", "提交备案"),
        ),
        candidates=(
            Candidate("SSS", "党员，食品安全自治会骨干，熟悉商户和居民。", 42, chosen=34),
            Candidate("FSS", "居民代表，热心公益。", 42, party=False),
        ),
        filing=Filing(submitted=12, by="lifang", prechecked=10, precheck_by="lifang"),
    ),
    NewCase(
        "nanyuan_mind", "南园", "南园青年心理互助小组", "service", "affairs", ("nanyuan_mind",),
        "energy_station", "南园社区能量站", "黄嘉欣", opened=62, started=58, by="nanyuan",
        venue="南园社区党群服务中心心理咨询室", funding="社区党群服务中心经费支持",
        purpose="为骑手和年轻租户提供同伴倾听和心理互助，及时发现和转介心理危机。",
        scope="每周同伴倾听日；减压沙龙和心理健康讲座；心理危机发现、报告和转介。",
        members=4, initiators=2, party_members=1, joined=30, charter=True, rules=RULES,
        notes=(
            Note(60, "meeting", "与骑手党支部和心理咨询师商量，由持证心理咨询师和党员骑手共同发起。", "起草章程"),
            Note(30, "training", "心理咨询师培训同伴倾听志愿者，明确保密和危机转介流程。", "准备备案材料"),
        ),
        candidates=(Candidate("SSS", "党员，国家二级心理咨询师，骑手驿站志愿者。", 35, chosen=30),),
        filing=Filing(submitted=4, by="nanyuan", prechecked=2, precheck_by="nanyuan"),
    ),
    NewCase(
        "liwan_afterschool", "荔湾", "荔湾四点半课堂互助站", "service", "life", ("liwan_afterschool",),
        "agency", "区社创会", "郑志华", opened=115, started=108, by="admin",
        venue="荔湾社区党群服务中心四楼活动室", funding="公益创投项目资助、会员自筹",
        purpose="组织家长和志愿者互助，解决小学生放学后无人看管的“四点半难题”。",
        scope="放学后作业辅导和看护；周末兴趣活动；家长互助排班。",
        members=6, initiators=2, party_members=1, joined=60, charter=True, rules=RULES,
        notes=(
            Note(110, "meeting", "家长座谈会上，8位家长愿意轮流看护，两名退休教师愿意辅导作业。", "落实活动场地"),
            Note(70, "training", "区社创会社工辅导制定看护安全制度、章程和议事规则。", "准备备案材料"),
            Note(12, "phone", "街道退回备案申请后，与负责人逐条核对退回意见，物业正在补盖场所证明公章。",
                 "修改章程第十二条后重新提交"),
        ),
        candidates=(Candidate("SSS", "党员家长，社区志愿者骨干，负责排班。", 80, chosen=58),),
        filing=Filing(submitted=20, by="admin", prechecked=18, returned=15,
                      return_reason="场所使用证明未加盖物业公章；章程第十二条负责人选举办法与负责人选举制度表述不一致。"
                      "请补充、修改后重新提交。"),
    ),
    NewCase(
        "dengliang_station", "登良", "登良骑手暖心驿站", "service", "life", ("dengliang_riders",),
        "service_center", "南山街道社会组织服务中心", "刘建华", opened=140, started=130, by="admin",
        venue="登良社区党群服务中心一楼（骑手驿站）", funding="社区党群服务中心经费支持、爱心商户捐赠",
        purpose="为在登良片区送餐的骑手提供歇脚、热饭、充电的地方，引导骑手参与社区治理。",
        scope="骑手驿站日常开放（饮水、热饭、充电、应急药箱）；交通安全宣传；骑手担任“流动网格员”上报隐患。",
        members=7, initiators=2, party_members=2, joined=100, charter=True, rules=RULES,
        notes=(
            Note(135, "visit", "走访片区商户和骑手，爱心商户愿意提供微波炉和充电柜。", "落实驿站场地"),
            Note(110, "training", "参照南园骑手互助会经验，辅导发起人制定章程（写入党建工作）和驿站值守制度。",
                 "发动党员骑手加入"),
            Note(40, "meeting", "驿站试运行一个月，每天接待骑手30多人次；整理备案材料。", "提交备案"),
        ),
        candidates=(Candidate("SSS", "党员骑手，南园骑手互助会会员，带头值守驿站。", 60, chosen=55),),
        filing=Filing(submitted=25, by="admin", prechecked=23, approved=20),
    ),
    NewCase(
        "nanshan_reading", "南山", "南山村亲子共读会", "service", "culture", ("nanshan_reading",),
        "energy_station", "南山社区能量站", "黄丽华", opened=80, started=72, by="admin",
        notes=(
            Note(75, "meeting", "两位发起人家长组织了两次周末共读，十多个家庭参加。", "物色更多骨干家长"),
        ),
        candidates=(Candidate("FSF", "发起人家长，热心，但工作即将调动。", 70, party=False),),
        closed=(30, "两名发起人工作调动离开深圳，其余家长暂未形成骨干，筹备暂停；需求保留在社区需求清单，"
                    "待有合适带头人再启动。"),
    ),
)
# fmt: on
