"""Static data of the Nanshan demo: places, accounts and the parts generated names and texts are made of.

Source: the case study of 中共南山街道工委 (people.com.cn, 2024-05-09, in the shared seed folder) and
docs/domain.md §5. Estate names other than those the case study names (南园村, 月亮湾花园,
大陆庄园) are illustrative; so is everything generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT = "南山区"
DISTRICT_CODE = "440305"
SUBDISTRICT = "南山街道"

# Short names in the order of domain.md §5; the area is "<short>社区".
# fmt: off
COMMUNITIES = (
    "南园", "南山", "南光", "向南", "北头", "荔芳", "登良", "荔林", "荔湾", "月亮湾", "学府", "风华", "阳光棕榈",
)
# fmt: on

# Organizations active on 2024-04-30 in each community (sum 197), deliberately uneven.
ACTIVE_QUOTA = {
    "南园": 18,
    "南山": 20,
    "南光": 14,
    "向南": 15,
    "北头": 12,
    "荔芳": 13,
    "登良": 11,
    "荔林": 19,
    "荔湾": 13,
    "月亮湾": 21,
    "学府": 17,
    "风华": 14,
    "阳光棕榈": 10,
}

# Estates used as name prefixes of generated organizations (besides the community's short name).
ESTATES = {
    "南园": ("南园村",),
    "南山": ("南山村",),
    "南光": ("南光村",),
    "向南": ("向南东村", "向南西村"),
    "北头": ("北头村",),
    "荔芳": ("荔芳村",),
    "登良": (),
    "荔林": (),
    "荔湾": (),
    "月亮湾": ("月亮湾花园",),
    "学府": (),
    "风华": (),
    "阳光棕榈": ("阳光棕榈园",),
}

SHIFU_VENUE = "月亮湾社区“师傅·家”阵地"  # the case study's venue shared by 16 organizations
SHIFU_ORGS = 16

# --- accounts -----------------------------------------------------------------------------------

PASSWORD = "Sifu-demo-2024"


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str  # a sifu.core.permissions.Role value
    area: str | None  # DISTRICT, SUBDISTRICT or a community short name; None for the org admin
    description: str


ACCOUNTS = (
    Account("admin", "街道社会组织服务中心 王主任", "subdistrict_admin", SUBDISTRICT, "subdistrict admin · 南山街道"),
    Account("lifang", "荔芳社区能量站 陈敏", "community_staff", "荔芳", "community staff · 荔芳社区"),
    Account("nanyuan", "南园社区能量站 黄嘉欣", "community_staff", "南园", "community staff · 南园社区"),
    # display name completed with the leader's name by the plan
    Account("leader", "荔芳食品安全自治会 负责人", "org_admin", None, "organization admin · 荔芳食品安全自治会"),
    Account("viewer", "南山区委社会工作部 林部长", "leader", DISTRICT, "read-only leader · 南山区"),
)
LEADER_ORG = "荔芳食品安全自治会"

# --- organizations --------------------------------------------------------------------------------

# Name endings → form; the longest matching ending wins.
FORM_BY_ENDING = (
    ("中心", "center"),
    ("站", "station"),
    ("组", "group"),
    ("队", "team"),
    ("团", "team"),
    ("社", "society"),
    ("会", "society"),
)


def form_for(name: str) -> str:
    for ending, form in FORM_BY_ENDING:
        if name.endswith(ending):
            return form
    raise ValueError(f"no form for {name}")


# --- generated organizations ------------------------------------------------------------------------

# (base name, what its members do) per category; the name ending gives the form.
# fmt: off
CULTURE_BASES = (
    ("舞蹈队", "舞蹈排练和演出"), ("合唱队", "合唱排练和演出"), ("太极拳队", "太极拳晨练和交流"),
    ("书画社", "书法国画创作和交流"), ("乒乓球队", "乒乓球训练和友谊赛"), ("广场舞队", "广场舞健身"),
    ("粤曲社", "粤曲练唱和演出"), ("模特队", "时装走秀排练和演出"), ("篮球队", "篮球训练和社区联赛"),
    ("摄影小组", "摄影采风和社区影像记录"), ("诗词社", "诗词创作和朗诵"), ("读书社", "读书分享和亲子阅读"),
    ("象棋社", "象棋对弈和比赛"), ("羽毛球队", "羽毛球训练和友谊赛"), ("健步走队", "健步走健身"),
    ("腰鼓队", "腰鼓排练和节庆表演"), ("旗袍队", "旗袍走秀和礼仪展示"), ("民乐队", "民族乐器合奏"),
    ("气排球队", "气排球训练和比赛"), ("门球队", "门球训练和比赛"), ("柔力球队", "柔力球健身"),
    ("八段锦队", "八段锦晨练"), ("跳绳队", "花样跳绳训练"), ("足球队", "足球训练和社区联赛"),
    ("健身操队", "健身操练习"), ("交谊舞队", "交谊舞练习和舞会"), ("舞狮队", "醒狮训练和节庆表演"),
    ("龙舟队", "龙舟训练和端午赛事"), ("萨克斯队", "萨克斯合奏"), ("葫芦丝队", "葫芦丝合奏"),
    ("排舞队", "排舞练习"), ("木兰扇队", "木兰扇健身"), ("空竹队", "抖空竹健身"), ("瑜伽队", "瑜伽练习"),
    ("京剧社", "京剧票友练唱"), ("茶艺社", "茶艺交流和传统文化分享"), ("朗诵社", "朗诵和主持练习"),
    ("围棋社", "围棋对弈和少儿围棋启蒙"), ("手工编织小组", "手工编织和爱心义卖"), ("插花小组", "插花艺术交流"),
    ("剪纸小组", "剪纸和非遗手工"), ("尤克里里小组", "尤克里里弹唱"), ("亲子绘本小组", "亲子绘本共读"),
    ("口琴队", "口琴合奏"), ("拉丁舞队", "拉丁舞练习"), ("民族舞队", "民族舞排练和演出"),
    ("跑步队", "晨跑和城市定向"), ("戏曲社", "戏曲练唱和演出"), ("电子琴小组", "电子琴学习和合奏"),
)
# Epithets between prefix and base: any team may take a neutral one; the others fit only some teams.
EPITHETS = {
    "any": ("", "", "", "", "", "阳光", "快乐", "和谐", "悦动", "晨曦", "红棉", "欢乐", "活力"),
    "elder": ("夕阳红", "银龄", "金秋", "长青"),
    "young": ("青春", "少儿", "亲子"),
    "women": ("巾帼", "玫瑰"),
}

AFFAIRS_BASES = (
    ("平安巡逻队", "治安巡逻和防范宣传"), ("垃圾分类督导队", "垃圾分类定时定点督导"),
    ("邻里调解小组", "邻里纠纷调解"), ("文明劝导队", "文明行为劝导"), ("交通劝导队", "路口交通文明劝导"),
    ("消防宣传队", "消防安全宣传和演练"), ("环保志愿队", "环境清洁和“周五清洁日”"),
    ("反诈宣传队", "防范电信诈骗宣传"), ("治安巡防队", "夜间治安巡防"), ("居民议事小组", "小区公共事务议事协商"),
    ("电动车安全巡查队", "电动自行车充电安全巡查"),
    ("禁毒宣传队", "禁毒宣传"), ("爱卫志愿队", "爱国卫生运动和病媒防治"), ("文明养犬劝导队", "文明养犬劝导"),
    ("网格服务队", "网格走访和民情收集"), ("楼道整治志愿队", "楼道杂物清理和安全通道整治"),
)
LIFE_BASES = (
    ("长者助餐站", "长者助餐和送餐上门"), ("四点半课堂托管站", "放学后作业辅导和看护"),
    ("家电维修队", "家电义务维修和便民服务日"), ("便民理发队", "长者和行动不便居民义剪"),
    ("健康服务站", "健康讲座、血压血糖义测"), ("便民服务站", "缝补、磨刀、配钥匙等便民服务"),
    ("托育互助小组", "婴幼儿家庭互助照护"),
)



CATEGORY_PURPOSE = {
    "culture": "丰富社区居民精神文化生活，以{what}凝聚邻里，倡导健康文明的生活方式。",
    "affairs": "发动居民参与社区治理，开展{what}，共建平安、文明、和谐社区。",
    "life": "立足居民日常生活需求，开展{what}，把服务送到居民家门口。",
}
CATEGORY_SCOPE = {
    "culture": "组织{what}；参加社区节庆文艺活动和公益集市；在社区党委引导下参与文明倡导、交通劝导等志愿服务。",
    "affairs": "{what}；收集并上报居民诉求和安全隐患；配合社区党委开展中心工作和专项行动。",
    "life": "{what}；固定便民服务日；为长者、困难家庭等重点群体提供上门服务。",
}
FUNDING = (
    "会员自筹", "会员自筹", "社区党群服务中心经费支持", "公益创投项目资助", "民生微实事项目", "会员自筹、社会捐赠",
)
VENUES = (
    "{c}社区党群服务中心",
    "{c}社区党群服务中心",
    "{c}社区社会组织能量站",
    "{c}社区文体广场",
    "{c}社区小区架空层",
)
ELDER_VENUE = "{c}社区长者活动室"

# Words in a name that hint at who the members are (ages and genders of generated people).
ELDER_WORDS = ("老年", "太极", "粤曲", "粤剧", "门球", "八段锦", "柔力球", "合唱", "夕阳红", "银龄", "长青", "京剧",
               "书画", "诗词", "葫芦丝", "腰鼓", "旗袍", "交谊舞", "木兰扇", "空竹", "健步走", "气功", "戏曲", "长者")
YOUNG_WORDS = ("骑手", "篮球", "足球", "跑步", "跳绳", "飞盘", "匹克", "拉丁", "尤克里里", "英语角", "轮滑", "青春",
               "亲子", "少儿", "托育", "四点半")
WOMEN_WORDS = ("卡嫂", "舞蹈", "广场舞", "模特", "旗袍", "瑜伽", "排舞", "插花", "编织", "巾帼", "木兰扇")
MEN_WORDS = ("骑手", "拖车", "物流", "货车", "篮球", "足球", "象棋", "围棋", "门球", "舞龙", "舞狮", "龙舟", "维修")

# --- people ---------------------------------------------------------------------------------------

# Common surnames, more Cantonese-weighted at the front; weights fall off with the index.
SURNAMES = (
    "陈李黄张梁林刘吴罗何郑杨王周谢曾邓许冯朱蔡叶彭苏潘钟赖卢杜温余廖谭邱方江肖徐孙胡马高郭赵唐韩宋丁袁蒋"
    "沈姚魏汤莫麦关冼霍邝甘龙田石熊戴范严侯雷程傅符练欧董薛尹贺龚万钱顾毛邵孔崔邹任白"
)
COMPOUND_SURNAMES = ("欧阳", "司徒", "上官")
GIVEN_MALE = (
    "伟强军杰涛明辉建华勇斌俊峰磊鹏浩宇文志国海亮东波超刚平飞龙荣锦坤彬晖振家嘉泽铭健永德成新贤耀炳"
    "汉昌冠达宏林祥伦标权佳旭"
)
GIVEN_FEMALE = "芳娟敏静丽燕艳玲霞红梅琳婷慧洁萍秀英兰凤莉雪颖欣怡倩嘉咏诗思雯淑惠月珍翠桂玉妹好丹琼佩宝少玉春美晓"
GIVEN_ELDER = "国建华英秀兰桂珍荣福贵金玉淑德明"

# Mainland mobile prefixes (China Mobile, Unicom, Telecom).
PHONE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178", "182",
    "183", "184", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",
    "133", "153", "173", "177", "180", "181", "189", "199", "191",
)
# Division codes for ID numbers: Shenzhen districts and frequent home regions of Shenzhen residents.
ID_REGIONS = (
    "440305", "440305", "440305", "440305", "440304", "440303", "440306", "440307", "445281", "445122",
    "441481", "441522", "440883", "450881", "430524", "360730", "420983", "441622", "445381", "440981",
)
# fmt: on


def what_for(name: str, category: str) -> str:
    """What the members of an organization do, from the base its name ends with."""
    bases = {"culture": CULTURE_BASES, "affairs": AFFAIRS_BASES, "life": LIFE_BASES}.get(category, ())
    for base, what in bases:
        if name.endswith(base):
            return what
    return {"culture": "文体活动", "affairs": "社区治理志愿服务", "life": "便民生活服务"}.get(category, "公益服务")
