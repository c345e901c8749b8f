"""The organizations the demo fixes by name: those of the case study, with their stories, and the few
that end (dormant, dissolved), are filed after 2024-04-30 or are not filed yet.

Names, places and stories come from the case study (see data.py); dates, sizes and party figures
per organization are invented so that the totals match the case study's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sifu.registry.demo.data import SHIFU_VENUE

D = dt.date


@dataclass
class Named:
    """An organization whose name, place and story the demo fixes (most come from the case study)."""

    name: str
    community: str
    nature: str  # association | service
    category: str  # charity | life | affairs | culture
    filed: dt.date | None
    created: dt.date
    founded: dt.date | None = None
    incubated: dt.date | None = None
    registered: dt.date | None = None
    dormant: tuple[dt.date, str] | None = None
    reactivated: dt.date | None = None
    dissolved: tuple[dt.date, str] | None = None
    size: int | None = None  # current members on 2023-12-31 (None: generated)
    initial: int | None = None  # founding members (None: generated)
    party: int | None = None  # party members among the current members on 2023-12-31
    party_leader: bool | None = None
    branch: dt.date | None = None  # party branch founded on
    party_clause: bool = False
    venue: str = ""
    venue_kind: str = "shared"
    purpose: str = ""
    scope: str = ""
    funding: str = ""
    form: str = ""
    people: str = ""  # a hint for ages and genders: elder, young, men, women
    extra: dict = field(default_factory=dict)


SAFETY_PURPOSE = "落实安全生产治本攻坚三年行动，组织居民开展夜查，发现、上报并督促整改安全隐患，守护社区平安。"
SAFETY_SCOPE = (
    "夜查群租房、餐饮店、燃气使用和电动自行车入户、飞线充电、堵塞通道等隐患；隐患拍照上报、跟踪整改和复查销号；"
    "消防和用电安全宣传；参与“社区党委+专业机构+社会组织+居民”的社区安全治理。"
)

# fmt: off
NAMED: tuple[Named, ...] = (
    Named(
        "荔芳食品安全自治会", "荔芳", "association", "affairs", D(2019, 9, 16), D(2019, 6, 3),
        founded=D(2019, 5, 20), incubated=D(2019, 6, 10), size=28, initial=12, party=5, party_leader=True,
        party_clause=True, venue="荔芳社区党群服务中心", funding="会员自筹、社区党群服务中心经费支持",
        purpose="针对荔芳社区网红餐饮店、人气外卖店密集的特点，发动商户、外卖骑手和居民共同参与食品安全自治，"
        "守护群众“舌尖上的安全”。",
        scope="餐饮商户食品安全自查互查、后厨开放日和“明厨亮灶”宣传；外卖包装与配送卫生劝导；收集居民投诉，"
        "协助社区和市场监管部门核查整改；食品安全知识进社区、进商铺宣传。",
    ),
    Named(
        "南园骑手互助会", "南园", "association", "affairs", D(2020, 10, 20), D(2020, 7, 6),
        founded=D(2020, 7, 1), incubated=D(2020, 7, 15), size=46, initial=14, party=9, party_leader=True,
        branch=D(2021, 6, 28), venue="南园村骑手驿站（南园社区党群服务中心分站）", people="young men",
        funding="会员自筹、社区党群服务中心经费支持",
        purpose="团结聚居在南园村的外卖、快递骑手，互帮互助、守法安全配送，引导新就业群体融入社区、参与基层治理。",
        scope="骑手驿站休息、充电和饮水服务；交通安全和电动车充电安全宣传；困难骑手互助帮扶与权益咨询；"
        "组织骑手担任社区“流动网格员”，随手上报安全隐患；南园骑手党支部组织生活和党员先锋岗。",
        extra={"branch_name": "南园骑手党支部"},
    ),
    Named(
        "月亮湾物流协会", "月亮湾", "association", "affairs", D(2017, 8, 22), D(2017, 3, 20),
        founded=D(2017, 3, 10), registered=D(2021, 4, 16), size=38, initial=15, party=7, party_leader=True,
        branch=D(2019, 7, 1), venue=SHIFU_VENUE, people="men", funding="会费、会员自筹",
        purpose="服务月亮湾花园及周边聚居的货车司机和物流从业者，推动行业自律、安全驾驶和邻里和谐。",
        scope="货车司机安全驾驶培训和交通安全宣传；大型车辆规范停放劝导；物流从业人员权益咨询与互助；"
        "协助社区开展安全生产检查。",
    ),
    Named(
        "月亮湾拖车队", "月亮湾", "association", "affairs", D(2018, 5, 10), D(2018, 1, 15),
        founded=D(2018, 1, 8), size=32, initial=12, party=8, party_leader=True, branch=D(2020, 6, 30),
        party_clause=True, venue=SHIFU_VENUE, people="men", funding="会员自筹",
        purpose="由居住在月亮湾花园的拖车（集装箱运输）司机组成的行业自律组织，落实党建入章，"
        "发挥党员司机带头作用，守护行车安全和小区安宁。",
        scope="拖车司机安全驾驶互助和经验交流；夜间停车秩序和小区周边道路安全巡查；在棚改等重点工作中做政策宣传和"
        "居民引导，成员兼任片区长、楼栋长；困难司机家庭互助。",
    ),
    Named(
        "荔林关爱中心", "荔林", "service", "charity", D(2021, 6, 8), D(2021, 3, 20),
        founded=D(2021, 3, 15), incubated=D(2021, 3, 25), registered=D(2022, 11, 18), size=1809, initial=36,
        party=56, party_leader=True, branch=D(2022, 7, 1), venue="荔林社区关爱中心专用阵地（约70平方米）",
        venue_kind="dedicated", funding="居民自筹、社会捐赠、民生微实事项目",
        purpose="秉持“不花政府一分钱，自己想办法”的理念，动员居民互助关爱，服务老旧小区居民和困难群体，"
        "积极参与乡村振兴和对口帮扶。",
        scope="自筹款项为老旧小区新建单车棚、设立免费学生复印打印点；困难家庭和独居长者关爱探访；"
        "参与荔秀园区党群服务中心日常管理和骑手慰问；承接民生微实事项目；向广东连平、广西百色、甘肃震区等地"
        "捐款捐物20万余元。",
    ),
    Named(
        "荔林好声音队", "荔林", "service", "culture", D(2021, 9, 14), D(2021, 6, 1),
        founded=D(2021, 5, 20), size=14, initial=5, venue="荔林社区党群服务中心多功能室",
        funding="会员自筹", purpose="以歌会友，发现和培养社区里的好声音，活跃社区文化生活。",
        scope="每周声乐练习；参加社区公益集市（2021年起）和节庆文艺演出；为长者和困难群体送歌上门。",
    ),
    Named(
        "风华楼联会", "风华", "association", "affairs", D(2016, 4, 12), D(2015, 12, 1),
        founded=D(2015, 11, 18), size=75, initial=16, party=32, party_leader=True, branch=D(2018, 7, 1),
        venue="风华社区党群服务中心", funding="会员自筹",
        purpose="以楼栋为单元联系居民，反映居民诉求、解决居民困难，主动承担业委会相关职能，常年活跃在小区治理最前沿。",
        scope="楼栋议事和居民诉求收集；邻里纠纷调解（2023年调解60余起）；与风华社区老年协会共同推动开通地铁接驳微巴"
        "（2024年1月11日开通，沿线13个小区受益）；参与饮用水管改造的协调和监督。",
    ),
    Named(
        "风华社区老年协会", "风华", "association", "affairs", D(2015, 6, 18), D(2015, 3, 2),
        founded=D(2012, 9, 9), size=58, initial=18, party=10, party_leader=True, branch=D(2017, 7, 1),
        venue="风华社区长者活动室", people="elder", funding="会费、社区党群服务中心经费支持",
        purpose="团结社区长者，老有所为、老有所乐，反映长者需求，参与社区治理。",
        scope="长者文体活动和健康讲座；与风华楼联会共同协调解决居民出行难题，推动地铁接驳微巴开通；长者互助探访；"
        "参与饮用水管改造意见征集。",
    ),
    Named(
        "学府社区治理联合会", "学府", "association", "affairs", D(2020, 5, 15), D(2020, 1, 13),
        founded=D(2020, 1, 6), incubated=D(2020, 2, 3), registered=D(2023, 5, 19), size=40, initial=14,
        party=9, party_leader=True, branch=D(2021, 7, 1), venue="学府社区党群服务中心",
        funding="会费、公益创投项目资助",
        purpose="联合小区党支部、物业、业委会和热心居民，形成架构清晰、职能明确的社区治理联合体。",
        scope="安全隐患排查上报（年均100余条）；电动自行车室内充电行为排查劝导（年均100余起）；组织消防演练"
        "（年均11次）；小区议事协商。",
    ),
    Named(
        "南山粤剧团", "南山", "association", "culture", D(2015, 3, 20), D(2014, 12, 8),
        founded=D(2009, 5, 1), registered=D(2019, 6, 18), size=42, initial=15, party=6, party_leader=True,
        branch=D(2020, 7, 1), venue="南山社区党群服务中心排练厅", people="elder", form="team",
        funding="会费、演出补贴、公益创投项目资助",
        purpose="传承和弘扬粤剧艺术，丰富群众文化生活，推动粤剧进校园。",
        scope="每周送粤剧课到辖区中小学，覆盖学生超万人；粤剧排练与展演；参加市、省级比赛（获深圳市社团银奖、"
        "市级金奖6枚及省级二、三等奖多次）；社区文化惠民演出。",
    ),
    # The case study does not say which community 大陆庄园 is in; the demo places it in 南光社区.
    Named(
        "大陆庄园舞蹈队", "南光", "service", "culture", D(2017, 10, 11), D(2017, 8, 1),
        founded=D(2016, 3, 8), size=16, initial=6, party=2, venue="大陆庄园小区中心广场", people="women",
        funding="会员自筹",
        purpose="舞出健康、舞出和谐，丰富大陆庄园居民的业余文化生活。",
        scope="每周舞蹈排练；把小区宣传栏打造成社区党委工作及组织服务的宣传窗口；参加社区文艺汇演和公益集市。",
    ),
    Named(
        "向南社区楼栋长联合会", "向南", "association", "affairs", D(2022, 3, 15), D(2021, 12, 6),
        founded=D(2021, 12, 1), incubated=D(2021, 12, 20), size=36, initial=14, party=8, party_leader=True,
        branch=D(2023, 3, 1), party_clause=True, venue="向南社区党群服务中心", funding="社区党群服务中心经费支持",
        purpose="联合各小区楼栋长，做好政策宣传、民情收集和邻里服务，打通服务居民“最后一米”。",
        scope="楼栋住户信息更新和民情收集；安全隐患、矛盾纠纷早发现早上报；协助社区开展重点工作入户宣传。",
    ),
    Named(
        "南山社区“小个专”市场协会", "南山", "association", "affairs", D(2021, 7, 20), D(2021, 4, 6),
        founded=D(2021, 4, 1), incubated=D(2021, 4, 19), size=24, initial=12, party=4, party_leader=True,
        party_clause=True, venue="南山社区党群服务中心", funding="会费",
        purpose="团结辖区小微企业、个体工商户和专业市场经营者（“小个专”），在党建引领下诚信经营、规范发展。",
        scope="商户诚信经营和消防安全自查；“小个专”党建宣传；经营者互助和经营纠纷协调；配合开展市场环境整治。",
    ),
    Named(
        "北头社区安全自治会", "北头", "association", "affairs", D(2022, 5, 18), D(2022, 3, 1),
        founded=D(2022, 2, 25), incubated=D(2022, 3, 10), size=22, initial=11, party=4, party_leader=True,
        party_clause=True, venue="北头社区党群服务中心", funding="社区党群服务中心经费支持",
        purpose=SAFETY_PURPOSE, scope=SAFETY_SCOPE,
    ),
    Named(
        "登良社区安全自治会", "登良", "association", "affairs", D(2022, 8, 9), D(2022, 6, 6),
        founded=D(2022, 6, 1), incubated=D(2022, 6, 13), size=19, initial=10, party=3, party_leader=True,
        party_clause=True, venue="登良社区党群服务中心", funding="社区党群服务中心经费支持",
        purpose=SAFETY_PURPOSE, scope=SAFETY_SCOPE,
    ),
    Named(
        "荔湾社区安全自治会", "荔湾", "association", "affairs", D(2023, 3, 21), D(2023, 1, 9),
        founded=D(2023, 1, 5), incubated=D(2023, 1, 16), size=24, initial=12, party=5, party_leader=True,
        party_clause=True, venue="荔湾社区党群服务中心", funding="社区党群服务中心经费支持",
        purpose=SAFETY_PURPOSE, scope=SAFETY_SCOPE,
    ),
    Named(
        "阳光棕榈社区安全自治会", "阳光棕榈", "association", "affairs", D(2023, 6, 13), D(2023, 4, 3),
        founded=D(2023, 3, 28), incubated=D(2023, 4, 10), size=18, initial=10, party=3, party_leader=True,
        party_clause=True, venue="阳光棕榈社区党群服务中心", funding="社区党群服务中心经费支持",
        purpose=SAFETY_PURPOSE, scope=SAFETY_SCOPE,
    ),
    Named(
        "月亮湾社区妇联卡嫂协会", "月亮湾", "association", "affairs", D(2019, 3, 8), D(2018, 12, 3),
        founded=D(2018, 11, 26), incubated=D(2018, 12, 10), size=30, initial=12, party=3, party_leader=True,
        venue=SHIFU_VENUE, people="women", funding="会员自筹、社区妇联支持",
        purpose="团结货车司机家属（“卡嫂”），互助互爱，守护家庭平安出行，参与社区治理。",
        scope="卡嫂互助和家庭关爱；行车安全“枕边风”宣传；在老旧小区棚改等工作中做居民引导，协助担任片区长、楼栋长。",
    ),
    Named(
        "南光社区书画协会", "南光", "association", "culture", D(2016, 9, 20), D(2016, 6, 6),
        founded=D(2014, 10, 1), size=22, initial=11, venue="南光社区党群服务中心书画室", people="elder",
        funding="会费", purpose="以书画会友，传承中华书画艺术，丰富社区长者文化生活。",
        scope="书法、国画日常创作和交流；春节义写春联；社区书画展和进校园书画课。",
    ),
    Named(
        "阳光棕榈爱心互助中心", "阳光棕榈", "service", "charity", D(2019, 11, 5), D(2019, 8, 1),
        founded=D(2019, 7, 22), incubated=D(2019, 8, 12), registered=D(2022, 8, 26), size=25, initial=6,
        venue="阳光棕榈社区党群服务中心", funding="社会捐赠、公益创投项目资助",
        purpose="汇聚邻里爱心，帮扶社区困难家庭、独居长者和特殊儿童。",
        scope="困难家庭结对帮扶；独居长者探访和节日慰问；孤独症等特殊儿童关爱活动；爱心物资募集和发放。",
    ),
    Named(
        "荔湾社区长者助餐服务中心", "荔湾", "service", "life", D(2020, 9, 8), D(2020, 6, 1),
        founded=D(2020, 5, 25), incubated=D(2020, 6, 15), registered=D(2023, 9, 12), size=18, initial=6,
        venue="荔湾社区长者饭堂", funding="民生微实事项目、用餐者付费",
        purpose="为社区长者提供安全、实惠、便利的助餐服务，让长者在家门口吃上热饭。",
        scope="长者堂食和送餐上门（每周送餐日）；助餐志愿者招募和培训；长者营养和健康讲座。",
    ),
    # Filed before 2019, dormant for a while, then reactivated.
    Named(
        "月亮湾花园粤曲社", "月亮湾", "service", "culture", D(2017, 5, 12), D(2017, 3, 1),
        founded=D(2015, 4, 1), dormant=(D(2019, 6, 20), "骨干成员返乡，活动暂停"), reactivated=D(2021, 3, 15),
        size=9, initial=4, venue=SHIFU_VENUE, people="elder", funding="会员自筹",
        purpose="以粤曲会友，传承岭南曲艺，陪伴社区长者。",
        scope="每周粤曲练唱；节庆和公益集市演出；到长者家中送曲上门。",
    ),
)

# Organizations that end before 2024-04-30 (dormant, dissolved), are filed after it, or are not filed.
DORMANT: tuple[tuple[str, str, str, dt.date, dt.date, dt.date, str], ...] = (
    # name, community, category, created, filed, dormant on, reason
    ("北头村舞龙队", "北头", "culture", D(2016, 5, 9), D(2016, 8, 16), D(2021, 2, 10), "疫情期间活动停止，成员流失"),
    ("荔湾英语角小组", "荔湾", "culture", D(2017, 2, 6), D(2017, 4, 18), D(2020, 3, 1), "疫情影响，线下活动暂停"),
    ("南山村门球队", "南山", "culture", D(2017, 12, 4), D(2018, 3, 6), D(2023, 4, 15), "门球场改造，暂无活动场地"),
    ("向南亲子读书社", "向南", "culture", D(2019, 7, 1), D(2019, 10, 22), D(2022, 9, 1), "负责人搬离，未选出新负责人"),
    ("登良健身气功队", "登良", "culture", D(2020, 3, 2), D(2020, 6, 9), D(2023, 8, 20), "成员年事已高，活动减少"),
)

DISSOLVED: tuple[tuple[str, str, str, dt.date, dt.date, dt.date, str], ...] = (
    ("南园象棋社", "南园", "culture", D(2016, 3, 1), D(2016, 5, 24), D(2018, 6, 30), "成员自愿解散"),
    ("学府轮滑队", "学府", "culture", D(2017, 6, 5), D(2017, 9, 12), D(2020, 8, 31), "骨干成员升学离开，自愿注销"),
    ("荔芳村腰鼓队", "荔芳", "culture", D(2018, 1, 8), D(2018, 4, 17), D(2021, 12, 15), "与社区其他文体队伍合并"),
    ("南光交谊舞队", "南光", "culture", D(2020, 8, 3), D(2020, 11, 10), D(2023, 6, 30), "活动场地取消，成员转入他队"),
)

# Filed after 2024-04-30: name, community, category, created, incubation started, filed.
LATER: tuple[tuple[str, str, str, dt.date, dt.date | None, dt.date], ...] = (
    ("南园新就业群体关爱站", "南园", "life", D(2024, 3, 11), D(2024, 4, 1), D(2024, 9, 12)),
    ("学府电动车安全宣传队", "学府", "affairs", D(2024, 6, 3), D(2024, 7, 1), D(2024, 11, 20)),
    ("荔芳夜市摊主自律小组", "荔芳", "affairs", D(2024, 12, 2), D(2025, 1, 6), D(2025, 4, 18)),
    ("阳光棕榈匹克球队", "阳光棕榈", "culture", D(2025, 4, 7), None, D(2025, 7, 9)),
    ("荔林数字助老服务站", "荔林", "life", D(2025, 6, 2), D(2025, 7, 1), D(2025, 10, 28)),
    ("向南飞盘队", "向南", "culture", D(2026, 2, 9), None, D(2026, 5, 15)),
)

# Not filed: name, community, category, created, incubation started (None: still proposed).
UNFILED: tuple[tuple[str, str, str, dt.date, dt.date | None], ...] = (
    ("北头社区儿童友好议事小组", "北头", "affairs", D(2026, 9, 10), None),
    ("荔湾宠物友好文明劝导队", "荔湾", "affairs", D(2026, 10, 12), None),
    ("登良咏春拳队", "登良", "culture", D(2026, 11, 2), None),
    ("南光非遗剪纸社", "南光", "culture", D(2026, 3, 5), D(2026, 4, 1)),
    ("风华邻里互助站", "风华", "life", D(2026, 5, 20), D(2026, 6, 15)),
    ("月亮湾货车司机安全驾驶宣传队", "月亮湾", "affairs", D(2026, 7, 1), D(2026, 8, 3)),
)
# fmt: on
