"""The needs of the demo (需求): the case study's three stories, needs other organizations answer, and
the open needs, resident submissions and screening outcomes of today.

A date is either fixed (``dt.date``: history, consistent with the registry demo; every story's need
was reported before its organization existed) or a number of days before the day the demo is
loaded (``int``: things in progress, so the queue looks current on any day). Texts are realistic
but invented, except the stories themselves (case study 二(一) 立足属地需求孵化).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date


@dataclass(frozen=True)
class NeedSpec:
    key: str
    community: str  # short name, as in registry.demo.data.COMMUNITIES
    title: str
    category: str  # an Organization.Category value
    source: str  # a Need.Source value; "resident" ones go through the public submission
    reported: dt.date | int  # fixed date, or days before today
    description: str = ""
    affected_group: str = ""
    place: str = ""
    serves: tuple[str, ...] = ()  # names of the registry organizations that serve it
    merge_into: str = ""  # key of the need it duplicates
    decline_reason: str = ""
    submitter: tuple[str, str] = ("", "")  # a resident's name and phone (never shown publicly)


# fmt: off
STORIES: tuple[NeedSpec, ...] = (
    NeedSpec(
        "lifang_food", "荔芳", "网红餐饮店、外卖店密集，食品安全投诉多", "affairs", "forum", D(2019, 4, 18),
        "荔芳村商业街两年间新开网红餐饮店、人气外卖店六十余家，后厨狭小，外卖包装和配送卫生不规范，"
        "居民投诉和12345热线工单明显增多。社区党委召集商户、骑手和居民代表座谈，大家希望由商户自己牵头，"
        "互查互督，守护“舌尖上的安全”。",
        "网红餐饮店经营者、外卖骑手、周边居民", "荔芳村商业街",
        serves=("荔芳食品安全自治会",),
    ),
    NeedSpec(
        "nanyuan_riders", "南园", "快递小哥、外卖骑手聚居南园村，缺少歇脚充电的地方", "affairs", "visit",
        D(2020, 6, 8),
        "南园村的出租屋里住着一千多名快递、外卖骑手，白天在外奔波，午间和夜里没有歇脚、喝水、给电动车充电的"
        "地方，楼道飞线充电隐患突出；骑手们彼此不熟，遇到交通事故、欠薪等困难也不知道找谁。",
        "快递小哥、外卖骑手", "南园村",
        serves=("南园骑手互助会",),
    ),
    NeedSpec(
        "nanyuan_party", "南园", "骑手中的流动党员缺少组织生活", "affairs", "forum", D(2020, 6, 22),
        "骑手座谈会上了解到，十余名骑手是党员，组织关系在老家或原单位，来深圳后长期没有参加组织生活，"
        "希望就近亮身份、过组织生活、带头为骑手和社区做点事。",
        "骑手中的流动党员", "南园社区党群服务中心",
        serves=("南园骑手互助会",),
    ),
    NeedSpec(
        "moonbay_trucks", "月亮湾", "货车司机扎堆月亮湾花园，大车停放和行车安全隐患多", "affairs", "visit",
        D(2017, 2, 14),
        "月亮湾花园及周边聚居着大量货车、集装箱拖车司机，夜间大车沿路停放、占用消防通道，疲劳驾驶、超载等"
        "行车安全隐患多；司机们各自为战，缺少行业自律和互助。",
        "货车司机、物流从业者", "月亮湾花园及周边道路",
        serves=("月亮湾物流协会", "月亮湾拖车队"),
    ),
    NeedSpec(
        "moonbay_tow", "月亮湾", "拖车凌晨进出小区鸣笛、占道停车扰民", "affairs", "hotline", D(2017, 11, 22),
        "居民多次通过热线反映，拖车司机凌晨收车进出月亮湾花园时鸣笛、占道停车，噪音扰民，车辆与行人抢道。"
        "住在小区里的拖车司机也希望有人牵头，定规矩、守规矩。",
        "拖车司机、小区居民", "月亮湾花园",
        serves=("月亮湾拖车队",),
    ),
)

# Needs that organizations of the registry demo answer (recorded before each organization existed).
SERVED: tuple[NeedSpec, ...] = (
    NeedSpec(
        "xuefu_ebike", "学府", "电动自行车入户充电、楼道停放隐患多", "affairs", "survey", D(2019, 12, 5),
        "消防安全问卷中，六成居民反映楼道里停放电动自行车、从窗口拉线充电的情况常见，担心引发火灾。",
        "小区居民", "学府社区各小区",
        serves=("学府社区治理联合会", "学府电动车安全宣传队"),
    ),
    NeedSpec(
        "liwan_meals", "荔湾", "独居长者吃饭难，希望在家门口吃上热饭", "life", "visit", D(2020, 4, 20),
        "入户走访发现，辖区八十岁以上独居长者有四十多位，不少人一日三餐靠方便食品凑合。",
        "独居长者", "荔湾社区",
        serves=("荔湾社区长者助餐服务中心",),
    ),
    NeedSpec(
        "palm_children", "阳光棕榈", "困难家庭和特殊儿童缺少关爱", "charity", "visit", D(2019, 6, 15),
        "困难家庭走访中，孤独症等特殊儿童的家长反映长期独自照护、身心俱疲，孩子难以参加社区活动。",
        "困难家庭、特殊儿童家庭", "阳光棕榈社区",
        serves=("阳光棕榈爱心互助中心",),
    ),
    NeedSpec(
        "lilin_bikes", "荔林", "老旧小区没有单车棚，学生打印资料不方便", "life", "forum", D(2021, 2, 20),
        "居民议事会上，老旧小区居民反映自行车只能停在楼道，雨天日晒；学生打印作业资料要跑很远。",
        "老旧小区居民、学生", "荔林社区老旧小区",
        serves=("荔林关爱中心",),
    ),
    NeedSpec(
        "fenghua_metro", "风华", "小区离地铁站远，长者出行难", "life", "forum", D(2023, 5, 10),
        "楼栋议事会上，沿线十多个小区的居民反映到地铁站步行要二十多分钟，长者和上班族出行不便。",
        "长者、上班族", "风华社区沿线小区",
        serves=("风华楼联会", "风华社区老年协会"),
    ),
    NeedSpec(
        "nanyuan_kids", "南园", "新就业群体子女放学后无人照看", "life", "visit", D(2024, 2, 26),
        "外卖、快递、网约车司机家庭走访中，家长们反映下班晚，孩子放学后只能独自在出租屋里。",
        "新就业群体家庭的孩子", "南园村",
        serves=("南园新就业群体关爱站",),
    ),
    NeedSpec(
        "lilin_digital", "荔林", "长者不会用智能手机，就医挂号、缴费难", "life", "survey", D(2025, 3, 10),
        "长者问卷中，近半数长者不会用手机挂号、缴费和出示健康码，常常要等子女回家帮忙。",
        "长者", "荔林社区",
        serves=("荔林数字助老服务站",),
    ),
    NeedSpec(
        "palm_pickleball", "阳光棕榈", "年轻家庭想打匹克球，缺少组织和场地", "culture", "survey", D(2025, 2, 18),
        "社区文体活动问卷中，不少年轻家庭希望有人组织匹克球活动，并协调小区球场的使用时段。",
        "年轻家庭", "阳光棕榈园",
        serves=("阳光棕榈匹克球队",),
    ),
)

# Needs behind the registry demo's organizations still proposed or incubating (before each was created).
INCUBATING: tuple[NeedSpec, ...] = (
    NeedSpec(
        "nanguang_papercut", "南光", "孩子们想学剪纸等非遗手艺，缺少老师和场地", "culture", "survey", D(2026, 2, 10),
        "寒假活动问卷中，不少家长希望孩子能跟着老师学剪纸、扎染等非遗手艺。", "少年儿童及家长", "南光社区",
    ),
    NeedSpec(
        "fenghua_neighbours", "风华", "长者临时无人照看，代买代办找不到人", "life", "visit", D(2026, 5, 6),
        "楼栋走访中，长者反映子女上班时身体不适、需要代买药品或代办业务时找不到人帮忙。", "长者", "风华社区",
    ),
    NeedSpec(
        "moonbay_safety", "月亮湾", "货车司机安全驾驶意识有待提高，家属担心行车安全", "affairs", "forum",
        D(2026, 6, 12),
        "卡嫂座谈会上，家属们希望有人常年给司机讲安全驾驶、防疲劳驾驶，把宣传做到家门口。",
        "货车司机及家属", "月亮湾花园",
    ),
    NeedSpec(
        "beitou_children", "北头", "孩子们对社区公共空间建设没有发言的地方", "affairs", "forum", D(2026, 8, 28),
        "儿童友好社区建设座谈会上，孩子和家长希望在游乐场改造、上学路线等事情上能参与讨论。", "少年儿童",
        "北头社区",
    ),
    NeedSpec(
        "liwan_pets", "荔湾", "遛狗不牵绳、宠物粪便不清理引发邻里矛盾", "affairs", "hotline", D(2026, 9, 25),
        "一个月内接到相关热线投诉十余件，养宠和不养宠居民之间矛盾增多。", "养宠居民、其他居民", "荔湾社区各小区",
    ),
    NeedSpec(
        "dengliang_wingchun", "登良", "青年居民想学咏春拳强身健体", "culture", "forum", D(2026, 10, 20),
        "青年议事会上，十多名青年希望社区组织咏春拳学习，已有一位拳师愿意义务教学。", "青年居民", "登良社区",
    ),
)

# The needs of today: most are gaps (no organization yet) or answered by a case in progress.
CURRENT: tuple[NeedSpec, ...] = (
    NeedSpec(
        "nanguang_meals", "南光", "南光村独居老人吃饭难，希望有人送餐上门", "life", "visit", 45,
        "网格员走访发现，南光村有三十多位独居老人，行动不便，附近没有长者饭堂，午饭常常凑合。",
        "独居老人", "南光村",
    ),
    NeedSpec(
        "xiangnan_elders", "向南", "向南东村独居长者多，缺少定期探访和助餐", "life", "visit", 80,
        "向南东村独居长者五十余位，子女多在外地；长者希望有人定期上门看看，帮忙送餐。",
        "独居长者", "向南东村",
    ),
    NeedSpec(
        "beitou_riders", "北头", "外卖骑手午间没有歇脚、喝水、充电的地方", "affairs", "forum", 30,
        "骑手座谈会上，在北头村一带送餐的骑手反映，午间高峰后只能在路边树荫下休息，喝水、充电、上厕所都不方便。",
        "外卖骑手", "北头村",
    ),
    NeedSpec(
        "beitou_charging", "北头", "城中村电动自行车飞线充电、入户充电屡禁不止", "affairs", "visit", 20,
        "夜查中发现北头村出租屋电动自行车入户充电、飞线充电二十余处，租户和房东都希望有人长期盯着、常提醒。",
        "城中村租户、房东", "北头村",
    ),
    NeedSpec(
        "lifang_noise", "荔芳", "网红餐饮店夜间排队喧哗、油烟噪音扰民", "affairs", "hotline", 60,
        "荔芳村商业街网红餐饮店晚上排队到深夜，食客喧哗、外卖电动车进出频繁，排烟口正对居民楼，"
        "一个月内热线工单二十余件。",
        "网红餐饮店经营者、周边居民", "荔芳村商业街",
    ),
    NeedSpec(
        "nanyuan_mind", "南园", "骑手和年轻租户工作压力大，缺少倾诉和心理疏导", "affairs", "forum", 70,
        "骑手座谈会上，有骑手谈到超时罚款、家人不在身边，压力大时找不到人说说话；年轻租户也有类似困扰。",
        "外卖骑手、年轻租户", "南园村",
    ),
    NeedSpec(
        "xuefu_childcare", "学府", "双职工家庭三岁以下婴幼儿托育难", "life", "survey", 100,
        "家庭问卷中，不少双职工家庭反映三岁以下孩子无处托、托不起，老人带娃力不从心，希望邻里互助照护。",
        "婴幼儿家庭", "学府社区",
    ),
    NeedSpec(
        "nanguang_mind", "南光", "居民心理压力大，缺少倾诉和心理疏导的渠道", "affairs", "forum", 70,
        "居民议事会上，有居民谈到工作和家庭压力大、邻里之间少有交流，希望社区有人能听一听、疏导一下。",
        "居民", "南光社区",
    ),
    NeedSpec(
        "liwan_afterschool", "荔湾", "放学后孩子无人看管，“四点半难题”突出", "life", "visit", 120,
        "双职工家庭走访中，家长反映孩子下午四点半放学后无人接送看管，只能托给邻居或独自在家。",
        "小学生家庭", "荔湾社区",
    ),
    NeedSpec(
        "dengliang_riders", "登良", "登良片区外卖骑手缺少歇脚的驿站", "life", "visit", 150,
        "登良片区写字楼和商铺多，午餐高峰送餐的骑手多，附近没有可以歇脚、热饭、给手机充电的地方。",
        "外卖骑手", "登良片区",
    ),
    NeedSpec(
        "nanshan_reading", "南山", "双职工家庭希望有亲子共读的去处", "culture", "forum", 90,
        "家长座谈会上，家长们希望周末有人组织亲子共读，让孩子少看手机。",
        "亲子家庭", "南山村",
    ),
    NeedSpec(
        "dengliang_sports", "登良", "青少年课余缺少体育活动，沉迷手机", "culture", "forum", 35,
        "家长座谈会上，家长反映孩子放学、周末多在家玩手机，希望社区有人组织篮球、跳绳等活动。",
        "青少年", "登良社区",
    ),
    NeedSpec(
        "fenghua_elevator", "风华", "老旧楼加装电梯协商难，邻里意见分歧大", "affairs", "visit", 15,
        "风华社区多栋老旧楼有加装电梯意愿，但高低层住户意见分歧大，费用分摊谈不拢，希望有人居中协商。",
        "老旧楼住户", "风华社区老旧小区",
    ),
    NeedSpec(
        "liwan_students", "荔湾", "困难家庭学生缺少学习用品和课业辅导", "charity", "hotline", 10,
        "低保和困难家庭的家长来电，希望开学前能得到学习用品，平时有人帮孩子辅导功课。",
        "困难家庭学生", "荔湾社区",
    ),
    NeedSpec(
        "palm_respite", "阳光棕榈", "孤独症儿童家庭缺少喘息服务", "charity", "survey", 55,
        "特殊儿童家庭问卷中，家长们希望每月能有几个小时有人帮忙照看孩子，让自己歇一歇。",
        "孤独症儿童家庭", "阳光棕榈社区",
        serves=("阳光棕榈爱心互助中心",),
    ),
)

# Residents' submissions from the public site, today (no account; their contact stays with the staff).
SUBMITTED: tuple[NeedSpec, ...] = (
    NeedSpec(
        "nanyuan_corridor", "南园", "出租屋楼道堆放杂物，消防通道被堵", "affairs", "resident", 0,
        "我住的那栋楼楼道里堆满纸箱和旧家具，还停着电动车，晚上回家要侧着身走，怕出事。",
        "出租屋租户", "南园村", submitter=("李女士", "13760001234"),
    ),
    NeedSpec(
        "moonbay_school", "月亮湾", "小区周边大货车乱停放，孩子上学不安全", "affairs", "resident", 0,
        "每天早上送孩子上学，学校门口那条路两边都停着大货车，孩子从车中间穿过去，很危险。",
        "学生家长", "月亮湾花园", submitter=("周先生", ""),
    ),
    NeedSpec(
        "dengliang_taichi", "登良", "想找人一起学太极拳", "culture", "resident", 0,
        "退休在家，想学太极拳锻炼身体，不知道社区有没有人组织。", "退休居民", "登良社区",
    ),
    NeedSpec(
        "lifang_smoke", "荔芳", "商业街夜里油烟大，晚上开不了窗", "affairs", "resident", 0,
        "楼下网红店的排烟口对着我家窗户，每天晚上十一二点还有油烟和吵闹声。",
        "周边居民", "荔芳村商业街", merge_into="lifang_noise", submitter=("陈先生", "13923456780"),
    ),
    NeedSpec(
        "xuefu_groupbuy", "学府", "希望社区组织团购新鲜蔬菜", "life", "resident", 0,
        "附近菜市场远，希望社区牵头组织大家团购蔬菜水果。", "居民", "学府社区",
        decline_reason="团购属于商业经营活动，不是社区社会组织孵化的方向；已告知居民可通过社区公益集市"
        "对接周边农产品直供点。",
    ),
)
# fmt: on

ALL: tuple[NeedSpec, ...] = STORIES + SERVED + INCUBATING + CURRENT + SUBMITTED
