"""Deterministic sample data for the 两个健康 pilot-zone performance dashboard.

The five workbooks written by this script are clean, template-form uploads that a
Shenzhen Federation of Industry and Commerce (市工商联) office could have collected for
2021-2023 (data snapshot 2023-12-31):

- ``indicators.xlsx`` (sheet 指标体系): the indicator and evaluation system, 32 indicators in
  five dimensions, weights summing to 100, targets for most indicators.
- ``indicator_values.xlsx`` (sheet 指标数据): one value per indicator, geography (11 districts
  and 全市) and period (month, quarter or year according to the indicator's frequency).
  About 1% of the district values are missing (rows omitted), mostly in 深汕特别合作区 and
  大鹏新区 and in recent periods. For additive indicators (amounts, counts and stocks) the
  全市 value is the sum of the 11 districts' values, including the value of a district whose
  row was left out as not reported; for rates and durations it is the share-weighted mean.
  From 2022 on 龙华区 improves and 福田区 slips (``DRIFT``), so the districts' composite
  ranks move between years.
- ``tasks.xlsx`` (sheet 任务清单): 64 checklist tasks of the six actions, one row per task and
  quarterly report period from the task's start quarter to 2023-Q4. Six tasks are overdue
  at 2023-12-31, three are behind schedule, two are suspended (暂缓).
- ``activities.xlsx`` (sheet 活动台账): about 400 activities in the 12 geographies; every
  district holds activities every year; 深汕特别合作区 has no brand activity in 2023 (the
  deliberate gap of the district x brand matrix).
- ``issues.xlsx`` (sheet 企业诉求): about 300 enterprise issues of the 企业问题反映直通车.
  Enterprise names are random syllable combinations, not real companies.

The 2021 headline figures quoted in the work report (SPEC section 6) must come out of these
files exactly; they are the HEADLINE_2021 constants below and are asserted after writing:

- 16 policy briefings: activities with 活动类型 政策宣讲会 dated in 2021;
- 6 民企话坛 forums: activities with 所属品牌 民企话坛 dated in 2021;
- 30+ government-enterprise meetings: 32 activities with 活动类型 政企座谈会 dated in 2021;
- 100+ enterprise problems solved: 112 issues with 办理状态 已办结 and 办结日期 in 2021;
- 168 group members: indicator ZL01 直联企业家人数, 全市, period 2021-12.

Every random draw comes from ``random.Random(SEED)`` (one fresh generator per workbook), and
the xlsx files are written with fixed document properties and fixed zip timestamps, so two
runs give byte-identical files.

Usage: ``python sample_data/generate.py [--out DIR]`` (default: the folder of this script).
"""

from __future__ import annotations

import argparse
import calendar
import io
import math
import random
import re
import zipfile
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

# ---------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------

SEED = 20211101
FIXED_TIMESTAMP = datetime(2024, 1, 2, 9, 0, 0)  # document properties created/modified
ZIP_TIMESTAMP = (2024, 1, 2, 9, 0, 0)  # date_time of every member of the xlsx zip
SNAPSHOT_DATE = date(2023, 12, 31)  # "as of" date of the sample data
YEARS = (2021, 2022, 2023)
DEFAULT_OUT = Path(__file__).resolve().parent

HEADLINE_2021 = {
    "policy_briefings": 16,  # 活动类型 政策宣讲会, 活动日期 in 2021
    "minqi_huatan_forums": 6,  # 所属品牌 民企话坛, 活动日期 in 2021
    "gov_enterprise_meetings": 32,  # 活动类型 政企座谈会, 活动日期 in 2021 ("30+")
    "issues_resolved": 112,  # 办理状态 已办结, 办结日期 in 2021 ("100+")
    "direct_contact_members": 168,  # ZL01 直联企业家人数, 全市, 2021-12
}
EXPECTED_OVERDUE_TASKS = 6  # deadline before 2023-12-31, progress < 100, not 暂缓

CITY = "全市"
# Districts in master-data order with their share of the city's economic activity.
DISTRICT_SHARES = {
    "罗湖区": 0.09,
    "福田区": 0.14,
    "南山区": 0.17,
    "宝安区": 0.17,
    "龙岗区": 0.15,
    "盐田区": 0.025,
    "龙华区": 0.12,
    "坪山区": 0.05,
    "光明区": 0.06,
    "大鹏新区": 0.015,
    "深汕特别合作区": 0.01,
}
DISTRICTS = tuple(DISTRICT_SHARES)
GEOGRAPHIES = (CITY, *DISTRICTS)
SHORT_NAMES = {
    "罗湖区": "罗湖",
    "福田区": "福田",
    "南山区": "南山",
    "宝安区": "宝安",
    "龙岗区": "龙岗",
    "盐田区": "盐田",
    "龙华区": "龙华",
    "坪山区": "坪山",
    "光明区": "光明",
    "大鹏新区": "大鹏",
    "深汕特别合作区": "深汕",
}

ACTIONS = {
    "A1": "领跑行动",
    "A2": "提质行动",
    "A3": "护航行动",
    "A4": "育才行动",
    "A5": "连心行动",
    "A6": "聚力行动",
}
BRAND_FORUM = "民企话坛"
BRAND_DAY = "深圳企业家日"
BRAND_YOUTH = "深圳青年企业家提升计划"
BRAND_TRADE = "深商经贸交流"

TYPE_BRIEFING = "政策宣讲会"
TYPE_MEETING = "政企座谈会"
TYPE_SURVEY = "走访调研"
TYPE_FORUM = "论坛"
TYPE_TRAINING = "培训"
TYPE_TRADE = "经贸交流"
TYPE_VISIT = "直联走访"

STATUS_RESOLVED = "已办结"

HEADERS = {
    "indicators": (
        "指标编码",
        "指标名称",
        "维度",
        "计量单位",
        "指标方向",
        "权重",
        "目标值",
        "数据频度",
        "汇总方式",
        "数据来源",
        "说明",
    ),
    "indicator_values": ("指标编码", "指标名称", "区", "期间", "数值", "备注"),
    "tasks": (
        "任务编号",
        "所属行动",
        "任务内容",
        "牵头单位",
        "配合单位",
        "责任人",
        "开始日期",
        "完成时限",
        "完成进度(%)",
        "任务状态",
        "进展情况",
        "所属区",
        "报送期",
    ),
    "activities": (
        "活动日期",
        "区",
        "活动类型",
        "活动名称",
        "所属品牌",
        "参与企业数",
        "参与人数",
        "主办单位",
        "备注",
    ),
    "issues": (
        "诉求编号",
        "受理日期",
        "区",
        "企业名称",
        "诉求类别",
        "诉求内容",
        "承办单位",
        "办理状态",
        "办结日期",
        "满意度",
    ),
}
SHEET_NAMES = {
    "indicators": "指标体系",
    "indicator_values": "指标数据",
    "tasks": "任务清单",
    "activities": "活动台账",
    "issues": "企业诉求",
}

# --- indicators ------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator system plus the model its sample values follow.

    model is one of
    ("flow", city value per period in early 2021, annual growth),
    ("stock", city stock at the first period, annual growth),
    ("rate", city level early 2021, level end 2023, district spread, lower, upper bound),
    ("duration", city days early 2021, days end 2023)  -- 逆向, small districts slower,
    ("direct_contact",)  -- ZL01, pinned to 168 at 2021-12.
    """

    code: str
    name: str
    dimension: str
    unit: str
    direction: str
    weight: float
    target: float | None
    frequency: str
    aggregation: str
    source: str
    note: str
    model: tuple


ANNUAL_TARGET_NOTE = "目标值为各区年度目标"
INDICATORS = (
    # 营商环境 (weights 22)
    Indicator("YS01", "企业开办时间", "营商环境", "天", "逆向", 3, 1, "月", "平均",
              "市市场监管局", "新设企业从申请到领取执照、刻章、申领发票的平均用时",
              ("duration", 1.6, 0.7)),
    Indicator("YS02", "政务服务事项网上可办率", "营商环境", "%", "正向", 3, 99, "月", "期末值",
              "市政务服务数据管理局", "可全程网办的涉企政务服务事项占比",
              ("rate", 95.0, 99.3, 1.0, 85, 100)),
    Indicator("YS03", "新登记民营市场主体数", "营商环境", "家", "正向", 4, None, "月", "求和",
              "市市场监管局", "当期新登记的民营企业和个体工商户数量",
              ("flow", 45000, 0.03)),
    Indicator("YS04", "减税降费及退税缓税金额", "营商环境", "亿元", "正向", 4, 60, "季", "求和",
              "市税务局", ANNUAL_TARGET_NOTE, ("flow", 110, 0.05)),
    Indicator("YS05", "惠企政策兑现率", "营商环境", "%", "正向", 3, 95, "季", "期末值",
              "市工业和信息化局", "已兑现惠企项目数占应兑现项目数的比例",
              ("rate", 88.0, 97.0, 2.0, 70, 100)),
    Indicator("YS06", "涉企审批事项平均办理时间", "营商环境", "天", "逆向", 2, 5, "月", "平均",
              "市政务服务数据管理局", "涉企行政审批事项从受理到办结的平均工作日",
              ("duration", 8.5, 4.2)),
    Indicator("YS07", "营商环境企业满意度", "营商环境", "%", "正向", 3, 90, "年", "期末值",
              "市工商联研究室", "年度万家民营企业评营商环境问卷调查结果",
              ("rate", 84.0, 91.0, 2.0, 70, 100)),
    # 民营经济发展质量 (weights 22)
    Indicator("FZ01", "民营经济增加值", "民营经济发展质量", "亿元", "正向", 4, None, "季", "求和",
              "市发展改革委", "按现价计算", ("flow", 3600, 0.06)),
    Indicator("FZ02", "民营经济增加值占GDP比重", "民营经济发展质量", "%", "正向", 3, 50, "季",
              "期末值", "市发展改革委", "年初至报告期末累计口径",
              ("rate", 49.0, 51.0, 3.0, 35, 70)),
    Indicator("FZ03", "在册民营企业数量", "民营经济发展质量", "家", "正向", 3, None, "季",
              "期末值", "市市场监管局", "期末在册民营企业户数", ("stock", 2150000, 0.08)),
    Indicator("FZ04", "国家高新技术企业数", "民营经济发展质量", "家", "正向", 3, 2000, "年",
              "期末值", "市科技创新委", "有效期内的国家高新技术企业中的民营企业",
              ("stock", 21000, 0.09)),
    Indicator("FZ05", "民营企业研发投入", "民营经济发展质量", "亿元", "正向", 3, 100, "季",
              "求和", "市科技创新委", ANNUAL_TARGET_NOTE, ("flow", 380, 0.08)),
    Indicator("FZ06", "民营企业进出口额", "民营经济发展质量", "亿元", "正向", 3, None, "月",
              "求和", "市商务局", "海关统计口径", ("flow", 1500, 0.04)),
    Indicator("FZ07", "专精特新中小企业数", "民营经济发展质量", "家", "正向", 3, 300, "年",
              "期末值", "市工业和信息化局", "含国家级专精特新“小巨人”企业",
              ("stock", 1900, 0.45)),
    # 政企沟通 (weights 22)
    Indicator("ZL01", "直联企业家人数", "政企沟通", "人", "正向", 5, 15, "月", "期末值",
              "市工商联经济服务部", "纳入直联机制的民营企业家人数（直联企业家群成员），期末存量",
              ("direct_contact",)),
    Indicator("ZL02", "涉企诉求受理件数", "政企沟通", "件", "正向", 3, None, "月", "求和",
              "市政务服务数据管理局", "含12345热线、企业问题反映直通车等全部渠道",
              ("flow", 3200, 0.06)),
    Indicator("ZL03", "涉企诉求按期办结率", "政企沟通", "%", "正向", 4, 95, "月", "期末值",
              "市政务服务数据管理局", "按期办结件数占应办结件数的比例",
              ("rate", 90.0, 97.5, 1.5, 75, 100)),
    Indicator("ZL04", "诉求平均办结时长", "政企沟通", "天", "逆向", 4, 10, "月", "平均",
              "市政务服务数据管理局", "已办结诉求从受理到办结的平均自然日",
              ("duration", 15.0, 8.5)),
    Indicator("ZL05", "直联走访企业数", "政企沟通", "家", "正向", 3, 120, "月", "求和",
              "市工商联经济服务部", ANNUAL_TARGET_NOTE, ("flow", 160, 0.10)),
    Indicator("ZL06", "政企恳谈会场次", "政企沟通", "次", "正向", 3, 12, "季", "求和",
              "市工商联经济服务部", ANNUAL_TARGET_NOTE + "，含街道层面", ("flow", 45, 0.05)),
    # 民营经济人士成长 (weights 17)
    Indicator("CZ01", "民营经济人士理想信念教育培训人次", "民营经济人士成长", "人", "正向", 3,
              2000, "季", "求和", "市工商联宣传教育部", ANNUAL_TARGET_NOTE,
              ("flow", 5200, 0.08)),
    Indicator("CZ02", "青年企业家培养人数", "民营经济人士成长", "人", "正向", 3, 50, "季",
              "求和", "深圳市青年企业家联合会", ANNUAL_TARGET_NOTE, ("flow", 150, 0.10)),
    Indicator("CZ03", "新增民营经济代表人士人数", "民营经济人士成长", "人", "正向", 2, 20,
              "年", "求和", "市工商联会员部", ANNUAL_TARGET_NOTE, ("flow", 220, 0.05)),
    Indicator("CZ04", "民营企业家综合评价覆盖率", "民营经济人士成长", "%", "正向", 3, 90,
              "年", "期末值", "市工商联会员部", "已开展综合评价的重点民营企业家占比",
              ("rate", 72.0, 91.0, 4.0, 50, 100)),
    Indicator("CZ05", "企业家培训活动场次", "民营经济人士成长", "次", "正向", 3, 24, "月",
              "求和", "市工商联宣传教育部", ANNUAL_TARGET_NOTE, ("flow", 42, 0.06)),
    Indicator("CZ06", "规模以上民营企业党组织覆盖率", "民营经济人士成长", "%", "正向", 3, 85,
              "季", "期末值", "市工商联办公室", "已建党组织的规模以上民营企业占比",
              ("rate", 76.0, 88.0, 3.0, 55, 100)),
    # 商会建设 (weights 17)
    Indicator("SH01", "基层商会数量", "商会建设", "个", "正向", 3, 30, "季", "期末值",
              "市工商联会员部", "街道、社区商会及行业商会", ("stock", 300, 0.07)),
    Indicator("SH02", "商会规范化建设达标率", "商会建设", "%", "正向", 4, 90, "年", "期末值",
              "市工商联会员部", "年度规范化建设考核达标商会占比",
              ("rate", 71.0, 90.0, 4.0, 50, 100)),
    Indicator("SH03", "会员企业数", "商会建设", "家", "正向", 3, 5000, "季", "期末值",
              "市工商联会员部", "工商联及所属商会会员企业", ("stock", 52000, 0.06)),
    Indicator("SH04", "商会商事调解组织数", "商会建设", "个", "正向", 2, 3, "季", "期末值",
              "市工商联法律维权部", "依托商会设立的人民调解、商事调解组织",
              ("stock", 26, 0.22)),
    Indicator("SH05", "商会参与公益慈善项目数", "商会建设", "个", "正向", 2, 10, "季", "求和",
              "市工商联会员部", ANNUAL_TARGET_NOTE, ("flow", 60, 0.06)),
    Indicator("SH06", "商会调解涉企纠纷件数", "商会建设", "件", "正向", 3, 100, "月", "求和",
              "市工商联法律维权部", ANNUAL_TARGET_NOTE, ("flow", 150, 0.08)),
)  # fmt: skip

DECIMALS_BY_UNIT = {"亿元": 2, "%": 1, "天": 2}
MONTH_SEASON = (0.92, 0.72, 1.0, 1.0, 1.0, 1.04, 0.98, 0.98, 1.03, 0.94, 1.04, 1.25)
QUARTER_SEASON = (0.86, 1.0, 1.0, 1.14)
COVID_DIP = {"2022-03": 0.85, "2022-04": 0.95}  # the March 2022 lockdown, monthly flows only
DIRECT_CONTACT_CODE = "ZL01"
DIRECT_CONTACT_PERIOD = "2021-12"
DIRECT_CONTACT_MIN_PER_DISTRICT = 3  # 直联机制 covers every district
DIRECT_CONTACT_MONTHLY_GROWTH_2022_23 = 3.8  # new members per month in the whole city
MISSING_SHARE = 0.01  # share of district values left out as "not reported"
MISSING_DISTRICT_WEIGHT = {"深汕特别合作区": 12.0, "大鹏新区": 8.0}
MISSING_OTHER_WEIGHT = 0.4
MISSING_YEAR_WEIGHT = {2021: 0.2, 2022: 1.0, 2023: 3.0}
LAST_PERIOD_NOTE = "快报数据"
# The sample's story: from 2022 on 龙华区 improves and 福田区 slips, so composite ranks move
# between years. Share of a value added (龙华) or taken away (福田) per year since the end
# of 2021, in the indicator's good direction (a 逆向 indicator improves by falling); 2021
# itself is untouched. ZL01 (pinned to the 2021 headline figure) does not drift.
DRIFT = {"龙华区": 0.10, "福田区": -0.10}

# --- tasks -----------------------------------------------------------------------------

ONGOING_DEADLINES = ("长期坚持", "持续推进", "常态化")
# (code, content, lead unit, co-operating units, district, start date, deadline, plan)
# The deadline is an ISO date (written as a date cell) or one of the text forms real task
# lists use. plan: ("done",) completed by the deadline; ("late", n) completed n quarters
# after it; ("overdue", p) deadline passed and stuck at p; ("behind", p) deadline in 2024
# but only p at 2023-12-31; ("track",) deadline in 2024 and on schedule; ("ongoing", p)
# no deadline, reaches p; ("paused", p, period) 暂缓 from period on at progress p.
TASKS = (
    ("A1-01", "开展全市民营企业营商环境评价，形成年度评价报告", "市工商联研究室",
     "市发展改革委、市政务服务数据管理局", "", "2021-03-01", "2021年底", ("done",)),
    ("A1-02", "推行企业开办“一网通办”，将企业开办时间压缩至1个工作日以内", "市市场监管局",
     "市政务服务数据管理局、市税务局", "", "2021-01-04", "2021-06-30", ("done",)),
    ("A1-03", "建立涉企政策制定企业家参与机制，重大涉企政策出台前听取企业家意见",
     "市发展改革委", "市工商联研究室、市司法局", "", "2021-04-01", "长期坚持", ("ongoing", 90)),
    ("A1-04", "组织开展“万家民企评营商环境”问卷调查", "市工商联研究室",
     "市工商联经济服务部", "", "2022-03-01", "2022年第三季度末", ("done",)),
    ("A1-05", "梳理惠企政策清单，推动惠企政策“免申即享”", "市工业和信息化局",
     "市财政局、市政务服务数据管理局", "", "2021-06-01", "2022年6月底前", ("done",)),
    ("A1-06", "深化工程建设项目审批制度改革，压缩涉企审批时限", "市政务服务数据管理局",
     "市发展改革委", "", "2021-03-01", "2022-12-31", ("late", 1)),
    ("A1-07", "编印营商环境改革创新典型案例汇编", "市工商联宣传教育部", "市发展改革委", "",
     "2022-07-01", "2023年6月底前", ("overdue", 80)),
    ("A1-08", "开展涉企收费专项清理整治，建立涉企收费目录清单", "市市场监管局",
     "市财政局、市发展改革委", "", "2021-05-06", "2021年底", ("done",)),
    ("A1-09", "建设南山区民营企业服务中心，提供“一站式”涉企服务", "南山区工商联",
     "市工商联经济服务部", "南山区", "2021-07-01", "2022年6月底前", ("done",)),
    ("A1-10", "开展福田区营商环境“体验官”活动", "福田区工商联", "市政务服务数据管理局",
     "福田区", "2022-01-04", "2022年底", ("done",)),
    ("A1-11", "开展宝安区“民营企业服务月”活动", "宝安区工商联", "市工商联经济服务部",
     "宝安区", "2021-04-01", "2021年底", ("done",)),
    ("A2-01", "实施专精特新中小企业梯度培育工程，建立培育企业库", "市工业和信息化局",
     "市科技创新委、市工商联经济服务部", "", "2021-03-01", "持续推进", ("ongoing", 85)),
    ("A2-02", "开展民营企业纾困专项行动，落实减税降费和租金减免政策", "市发展改革委",
     "市财政局、市税务局、市工业和信息化局", "", "2022-03-01", "2022年底", ("done",)),
    ("A2-03", "推动中小民营企业数字化转型，举办数字化转型供需对接会", "市工业和信息化局",
     "市工商联经济服务部", "", "2022-04-01", "2023-12-31", ("done",)),
    ("A2-04", "建立民营企业上市后备资源库，开展上市培育辅导", "市地方金融监管局",
     "市工商联经济服务部", "", "2021-06-01", "2022年第三季度末", ("done",)),
    ("A2-05", "开展“深商回归”招商引资系列活动", "市商务局", "市工商联会员部", "",
     "2022-01-04", "2022年底", ("paused", 40, "2022-Q2")),
    ("A2-06", "引导民营企业加大研发投入，落实研发费用加计扣除政策", "市科技创新委",
     "市税务局", "", "2021-04-01", "常态化", ("ongoing", 90)),
    ("A2-07", "支持民营企业牵头承担重大科技专项和关键核心技术攻关", "市科技创新委",
     "市工商联经济服务部", "", "2023-01-03", "2024-06-30", ("behind", 30)),
    ("A2-08", "推进宝安区制造业民营企业“智改数转”", "宝安区工商联", "市工业和信息化局",
     "宝安区", "2022-03-01", "2023年6月底前", ("done",)),
    ("A2-09", "搭建龙岗区民营企业产业链上下游对接平台", "龙岗区工商联", "市商务局", "龙岗区",
     "2021-09-01", "2022年底", ("done",)),
    ("A2-10", "开展民营企业质量品牌提升行动", "市市场监管局", "市工商联宣传教育部", "",
     "2021-07-01", "2022-06-30", ("done",)),
    ("A2-11", "推动光明区科技型民营企业对接高校科研资源", "光明区工商联", "市科技创新委",
     "光明区", "2021-08-02", "2022年6月底前", ("done",)),
    ("A3-01", "建立企业问题反映直通车，实行诉求受理、转办、督办、反馈闭环管理",
     "市工商联经济服务部", "市政务服务数据管理局", "", "2021-01-04", "2021年6月底前",
     ("done",)),
    ("A3-02", "开展清理拖欠民营企业中小企业账款专项行动", "市工业和信息化局",
     "市财政局、市司法局", "", "2021-03-01", "2021年底", ("done",)),
    ("A3-03", "推动商会人民调解委员会建设，促进商事纠纷多元化解", "市工商联法律维权部",
     "市司法局", "", "2021-04-01", "2022年6月底前", ("done",)),
    ("A3-04", "开展“法治体检”进民企活动", "市司法局", "市工商联法律维权部", "",
     "2021-05-06", "常态化", ("ongoing", 80)),
    ("A3-05", "制定涉企轻微违法行为“首违不罚”清单", "市司法局", "市市场监管局", "",
     "2021-07-01", "2022-03-31", ("done",)),
    ("A3-06", "设立民营企业知识产权保护工作站", "市市场监管局", "市工商联法律维权部", "",
     "2022-01-04", "2022年第三季度末", ("late", 2)),
    ("A3-07", "开展民营企业合规经营专题培训", "市工商联法律维权部", "市司法局", "",
     "2022-06-01", "2023年6月底前", ("done",)),
    ("A3-08", "建设罗湖区民营企业法律服务中心", "罗湖区工商联", "市司法局", "罗湖区",
     "2021-06-01", "2022年底", ("done",)),
    ("A3-09", "推行龙华区涉企行政执法“观察员”制度", "龙华区工商联", "市司法局", "龙华区",
     "2022-04-01", "2023-06-30", ("overdue", 85)),
    ("A3-10", "发布民营企业产权保护典型案例", "市工商联宣传教育部", "市司法局", "",
     "2023-03-01", "2023年底", ("done",)),
    ("A3-11", "建立龙岗区涉企矛盾纠纷联合调处机制", "龙岗区工商联", "市司法局", "龙岗区",
     "2022-05-05", "2023年底", ("done",)),
    ("A4-01", "实施深圳青年企业家提升计划，每年培养青年企业家100名", "深圳市青年企业家联合会",
     "市工商联会员部", "", "2021-03-01", "持续推进", ("ongoing", 90)),
    ("A4-02", "开展民营经济人士理想信念教育专题培训", "市工商联宣传教育部", "市工商联会员部",
     "", "2021-04-01", "2021年底", ("done",)),
    ("A4-03", "建立民营经济代表人士信息数据库", "市工商联会员部", "市工商联办公室", "",
     "2021-05-06", "2021年第三季度末", ("done",)),
    ("A4-04", "开展民营企业家综合评价工作", "市工商联会员部",
     "市市场监管局、市税务局、市人力资源保障局", "", "2021-06-01", "2022年6月底前", ("done",)),
    ("A4-05", "举办新生代企业家“传承与创新”研修班", "深圳市青年企业家联合会",
     "市工商联宣传教育部", "", "2022-03-01", "2022年底", ("paused", 20, "2022-Q3")),
    ("A4-06", "选树优秀民营企业家典型，开展系列宣传", "市工商联宣传教育部", "市工商联会员部",
     "", "2021-09-01", "2022年底", ("done",)),
    ("A4-07", "开展女企业家创新创业能力提升培训", "深圳市女企业家商会", "市工商联会员部", "",
     "2022-04-01", "2023年6月底前", ("done",)),
    ("A4-08", "实施坪山区青年企业家“薪火计划”", "坪山区工商联", "深圳市青年企业家联合会",
     "坪山区", "2022-01-04", "2023年第三季度末", ("overdue", 60)),
    ("A4-09", "建设光明区民营企业家培训基地", "光明区工商联", "市工商联宣传教育部", "光明区",
     "2023-01-03", "2024-06-30", ("behind", 35)),
    ("A4-10", "建立民营企业家参与涉企政策制定人才库", "市工商联研究室", "市发展改革委", "",
     "2023-04-03", "2024年6月底前", ("track",)),
    ("A5-01", "建立市领导直联民营企业家制度，组建直联企业家群", "市工商联经济服务部",
     "市发展改革委、市工业和信息化局", "", "2021-01-04", "2021年6月底前", ("done",)),
    ("A5-02", "举办“民企话坛”系列政企对话活动", "市工商联宣传教育部", "市发展改革委", "",
     "2021-03-01", "常态化", ("ongoing", 90)),
    ("A5-03", "组织2021年“深圳企业家日”系列活动", "市工商联办公室",
     "市工业和信息化局、市商务局", "", "2021-08-02", "2021-11-30", ("done",)),
    ("A5-04", "定期召开政企恳谈会，每季度至少召开1次", "市工商联经济服务部", "市发展改革委",
     "", "2021-03-01", "长期坚持", ("ongoing", 85)),
    ("A5-05", "建设政企沟通线上服务平台", "市政务服务数据管理局", "市工商联办公室", "",
     "2021-06-01", "2022年第三季度末", ("late", 1)),
    ("A5-06", "开展“万家民企大走访”活动", "市工商联经济服务部", "市工业和信息化局", "",
     "2022-03-01", "2022年底", ("done",)),
    ("A5-07", "建立企业家意见建议办理反馈机制", "市工商联办公室", "市政务服务数据管理局", "",
     "2021-04-01", "2021年底", ("done",)),
    ("A5-08", "建立盐田区政企圆桌会议制度", "盐田区工商联", "市商务局", "盐田区",
     "2021-10-08", "2022年6月底前", ("done",)),
    ("A5-09", "推动大鹏新区重点民营企业直联走访全覆盖", "大鹏新区工商联", "市工商联经济服务部",
     "大鹏新区", "2022-04-01", "2023年6月底前", ("overdue", 75)),
    ("A5-10", "建立深汕特别合作区企业服务专员制度", "深汕特别合作区工商联",
     "市工商联经济服务部", "深汕特别合作区", "2022-07-01", "2022年底", ("overdue", 90)),
    ("A5-11", "建立罗湖区商圈企业直联服务机制", "罗湖区工商联", "市商务局", "罗湖区",
     "2023-03-01", "2024年第一季度末", ("track",)),
    ("A6-01", "开展商会规范化建设，评选“四好”商会", "市工商联会员部", "深圳市商业联合会", "",
     "2021-03-01", "2022年底", ("done",)),
    ("A6-02", "推进街道商会组织全覆盖", "市工商联会员部", "", "", "2021-05-06",
     "2023年6月底前", ("done",)),
    ("A6-03", "制定商会服务规范和年度考核办法", "市工商联会员部", "市工商联办公室", "",
     "2021-04-01", "2021年第三季度末", ("done",)),
    ("A6-04", "引导商会和会员企业参与乡村振兴等公益慈善活动", "市工商联会员部",
     "深圳市女企业家商会、深圳市商业联合会", "", "2021-06-01", "持续推进", ("ongoing", 85)),
    ("A6-05", "推动异地商会、行业商会党建工作全覆盖", "市工商联办公室", "市工商联会员部", "",
     "2022-01-04", "2022年第三季度末", ("done",)),
    ("A6-06", "建设商会数字化管理服务平台", "市工商联办公室", "市政务服务数据管理局", "",
     "2022-06-01", "2023-06-30", ("overdue", 55)),
    ("A6-07", "举办商会会长履职能力培训班", "市工商联宣传教育部", "深圳市商业联合会", "",
     "2023-03-01", "2023年底", ("done",)),
    ("A6-08", "建立商会参与商事纠纷调解工作机制", "市工商联法律维权部", "市司法局", "",
     "2022-03-01", "2022年底", ("done",)),
    ("A6-09", "推动南山区街道商会规范化建设", "南山区工商联", "市工商联会员部", "南山区",
     "2023-02-01", "2024-03-31", ("behind", 35)),
    ("A6-10", "建设龙华区商会服务站", "龙华区工商联", "市工商联会员部", "龙华区",
     "2022-09-01", "2023年第三季度末", ("done",)),
)  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文斌宇浩凯晨欣怡佳琳晓东海波志红"

# --- activities ------------------------------------------------------------------------

ACTIVITY_TYPE_COUNTS = {
    2021: {TYPE_BRIEFING: 16, TYPE_MEETING: 32, TYPE_SURVEY: 26, TYPE_FORUM: 12,
           TYPE_TRAINING: 14, TYPE_TRADE: 10, TYPE_VISIT: 22},
    2022: {TYPE_BRIEFING: 14, TYPE_MEETING: 30, TYPE_SURVEY: 24, TYPE_FORUM: 10,
           TYPE_TRAINING: 14, TYPE_TRADE: 8, TYPE_VISIT: 28},
    2023: {TYPE_BRIEFING: 18, TYPE_MEETING: 34, TYPE_SURVEY: 26, TYPE_FORUM: 14,
           TYPE_TRAINING: 16, TYPE_TRADE: 14, TYPE_VISIT: 30},
}  # fmt: skip
# Brand activities per year as (brand, activity type, count), carved out of the counts above.
BRAND_PLAN = {
    2021: ((BRAND_FORUM, TYPE_FORUM, 6), (BRAND_DAY, TYPE_FORUM, 2), (BRAND_DAY, TYPE_BRIEFING, 2),
           (BRAND_DAY, TYPE_MEETING, 2), (BRAND_YOUTH, TYPE_TRAINING, 5),
           (BRAND_TRADE, TYPE_TRADE, 6)),
    2022: ((BRAND_FORUM, TYPE_FORUM, 6), (BRAND_DAY, TYPE_FORUM, 2), (BRAND_DAY, TYPE_BRIEFING, 2),
           (BRAND_DAY, TYPE_MEETING, 2), (BRAND_YOUTH, TYPE_TRAINING, 5),
           (BRAND_TRADE, TYPE_TRADE, 5)),
    2023: ((BRAND_FORUM, TYPE_FORUM, 8), (BRAND_DAY, TYPE_FORUM, 2), (BRAND_DAY, TYPE_BRIEFING, 2),
           (BRAND_DAY, TYPE_MEETING, 3), (BRAND_YOUTH, TYPE_TRAINING, 6),
           (BRAND_TRADE, TYPE_TRADE, 8)),
}  # fmt: skip
BRAND_GAP = ("深汕特别合作区", 2023)  # no brand activity there that year
CITY_ACTIVITY_WEIGHT = 0.25  # share of non-brand activities held at city level
# Relative monthly activity level (Spring Festival in Jan/Feb, summer holidays).
ACTIVITY_MONTH_WEIGHT = (0.7, 0.5, 1.1, 1.1, 1.1, 1.1, 0.9, 0.8, 1.1, 1.0, 1.2, 1.2)
ENTREPRENEUR_DAY_WINDOW = (-4, 4)  # days around 1 November
ACTIVITY_SIZE = {  # (min, max) participating enterprises
    TYPE_BRIEFING: (40, 220),
    TYPE_MEETING: (8, 25),
    TYPE_SURVEY: (1, 6),
    TYPE_FORUM: (60, 300),
    TYPE_TRAINING: (30, 120),
    TYPE_TRADE: (20, 120),
    TYPE_VISIT: (1, 3),
}
CITY_HOSTS = {
    TYPE_BRIEFING: ("市工商联宣传教育部", "市工商联经济服务部"),
    TYPE_MEETING: ("市工商联经济服务部", "市工商联经济服务部、市发展改革委"),
    TYPE_SURVEY: ("市工商联研究室", "市工商联经济服务部"),
    TYPE_FORUM: ("市工商联宣传教育部",),
    TYPE_TRAINING: ("市工商联宣传教育部", "市工商联法律维权部"),
    TYPE_TRADE: ("市工商联会员部", "市工商联会员部、市商务局", "深圳市商业联合会"),
    TYPE_VISIT: ("市工商联经济服务部",),
}
BRAND_CITY_HOSTS = {
    BRAND_FORUM: "市工商联宣传教育部",
    BRAND_DAY: "市工商联办公室",
    BRAND_YOUTH: "深圳市青年企业家联合会",
    BRAND_TRADE: "市工商联会员部、市商务局",
}
POLICY_TOPICS = ("惠企政策", "减税降费政策", "助企纾困政策", "稳经济一揽子政策",
                 "专精特新扶持政策", "数字化转型政策", "知识产权保护政策", "稳岗就业政策",
                 "金融支持政策", "出口退税政策", "研发费用加计扣除政策", "人才安居政策",
                 "产业用房政策")  # fmt: skip
SECTORS = ("制造业", "科技型", "外贸", "商贸流通", "建筑业", "文旅", "物流", "跨境电商",
           "生物医药", "新能源", "电子信息", "餐饮住宿", "专业服务", "现代农业")  # fmt: skip
FORUM_TOPICS = ("数字化转型", "稳外贸稳外资", "专精特新发展", "融资难融资贵", "营商环境优化",
                "科技创新", "绿色低碳发展", "企业传承", "人才引进", "知识产权保护",
                "产业链协同", "品牌建设", "企业出海")  # fmt: skip
TRAINING_TOPICS = ("企业合规经营", "财税政策", "数字化转型", "知识产权", "安全生产",
                   "上市融资", "劳动用工", "跨境贸易")  # fmt: skip
TRADE_REGIONS = ("香港", "澳门", "长三角", "成渝", "东盟", "海南", "北京", "湖南", "江西",
                 "广西", "河源", "汕尾")  # fmt: skip
ONLINE_NOTE = "受疫情影响改为线上举办"

# --- issues ----------------------------------------------------------------------------

ISSUE_COUNTS = {2021: 125, 2022: 98, 2023: 92}
# 2021 is built so that exactly HEADLINE_2021["issues_resolved"] issues close in 2021.
ISSUES_2021_UNRESOLVABLE = 6
ISSUES_2021_DECEMBER = 14  # accepted in December 2021; half of them close in January 2022
UNRESOLVABLE_SHARE = 0.05
# category: (weight, handling units, (min, max) days to close, content templates)
ISSUE_CATEGORIES = {
    "融资贷款": (18, ("市地方金融监管局",), (5, 30), (
        "受{cause}影响企业流动资金紧张，申请{amount}万元银行贷款因缺少抵押物未获批，希望协调信用贷款支持。",
        "企业{amount}万元贷款即将到期，续贷审批周期较长，希望协调银行办理无还本续贷。",
        "希望了解中小微企业贷款贴息政策的申报条件和办理流程。",
    )),
    "政策兑现": (16, ("市工业和信息化局", "市发展改革委", "市科技创新委", "市财政局"), (7, 40), (
        "企业已于{month}月提交{policy}申请，资金至今未拨付，希望加快审核兑现。",
        "企业符合{policy}条件，但申报系统提示材料不全，希望给予申报指导。",
    )),
    "用地用房": (10, ("市工业和信息化局",), (20, 90), (
        "企业扩大生产需要约{area}平方米产业用房，希望推荐符合条件的园区。",
        "厂房租赁合同到期后业主大幅上调租金，企业面临搬迁，希望协调解决。",
    )),
    "人才招聘": (10, ("市人力资源保障局",), (5, 30), (
        "企业急需招聘{count}名技术工人，希望对接职业院校和公共就业服务资源。",
        "企业引进的高层次人才申请人才住房遇到困难，希望协调办理。",
    )),
    "知识产权": (8, ("市市场监管局",), (10, 45), (
        "企业核心产品专利被侵权，希望获得知识产权维权援助。",
        "企业商标被他人抢注，希望指导提出异议申请。",
    )),
    "市场准入": (8, ("市市场监管局", "市政务服务数据管理局", "市商务局"), (3, 20), (
        "企业申请{license}审批时间较长，希望指导加快办理。",
        "企业跨区迁移登记手续繁琐，希望简化办理流程。",
    )),
    "账款拖欠": (10, ("市工业和信息化局", "市司法局"), (20, 90), (
        "企业完成项目后{amount}万元工程款逾期{count}个月未支付，希望协调清欠。",
        "下游客户长期拖欠货款{amount}万元，企业资金周转困难，希望协调解决。",
    )),
    "税费服务": (8, ("市税务局",), (3, 20), (
        "企业对研发费用加计扣除归集口径存在疑问，希望税务部门提供辅导。",
        "企业申请增值税留抵退税，希望加快办理进度。",
    )),
    "法律维权": (7, ("市工商联法律维权部", "市司法局"), (10, 60), (
        "企业与供应商发生合同纠纷，希望商会调解组织介入调解。",
        "企业遭遇恶意投诉举报影响正常经营，希望提供法律咨询。",
    )),
}  # fmt: skip
ISSUE_CAUSES = ("疫情", "原材料价格上涨", "订单下降", "汇率波动")
ISSUE_POLICIES = ("技术改造补贴", "高新技术企业认定奖励", "稳岗补贴", "研发资助", "租金减免",
                  "展会补贴", "专精特新奖励")  # fmt: skip
ISSUE_LICENSES = ("医疗器械经营许可", "食品经营许可", "建筑业企业资质", "进出口经营备案")
SATISFACTION_RESOLVED = (("满意", 70), ("基本满意", 20), ("不满意", 5), ("", 5))
SATISFACTION_UNRESOLVABLE = (("基本满意", 40), ("不满意", 30), ("", 30))
OPEN_ACCEPTED_DAYS = 7  # an open issue younger than this is 已受理, otherwise 办理中

NAME_SYLLABLES = "嘉瑞泓翔睿博宏晟锦鸿恒川澜澄岳悦达越祺祥麒铭峻崧朗熠昕昊旭瀚逸泽霖瑜"
NAME_INDUSTRIES = ("科技", "电子", "智能科技", "新材料", "生物科技", "供应链", "精密制造",
                   "信息技术", "贸易", "食品", "服饰", "物流", "环保科技", "光电", "医疗器械",
                   "建筑工程", "文化传播", "新能源")  # fmt: skip
NAME_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司")

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def weighted_choice(rng: random.Random, items, weights):
    """One item drawn with the given weights."""
    return rng.choices(list(items), weights=list(weights), k=1)[0]


def weighted_sample(rng: random.Random, items, weights, k: int) -> list:
    """k distinct items drawn without replacement (Efraimidis-Spirakis keys)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_deadline(text: str) -> date | None:
    """The date a deadline cell means; None for ongoing tasks (长期坚持 etc.)."""
    if text in ONGOING_DEADLINES:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月底前?", text):
        return month_end(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})年底前?", text):
        return date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})年第([一二三四])季度末", text):
        return quarter_end(int(m[1]), CHINESE_QUARTERS[m[2]])
    raise ValueError(f"unknown deadline form: {text}")


def random_workday(rng: random.Random, year: int, month_weights=None) -> date:
    """A random Monday-to-Friday date in the year, months weighted."""
    month = weighted_choice(rng, range(1, 13), month_weights or [1] * 12)
    while True:
        day = date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))
        if day.weekday() < 5:
            return day


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def enterprise_name(rng: random.Random) -> str:
    """A fictional company name: two random syllables, an industry and a legal form."""
    first, second = rng.sample(NAME_SYLLABLES, 2)
    return f"深圳市{first}{second}{rng.choice(NAME_INDUSTRIES)}{rng.choice(NAME_SUFFIXES)}"


def district_weights(city_weight: float, districts=DISTRICTS) -> tuple[list, list]:
    """Geographies and weights: city_weight for 全市, the rest by district size."""
    geos = [CITY, *districts] if city_weight > 0 else list(districts)
    total = sum(0.3 / len(DISTRICTS) + 0.7 * DISTRICT_SHARES[d] for d in districts)
    weights = [
        (1 - city_weight) * (0.3 / len(DISTRICTS) + 0.7 * DISTRICT_SHARES[d]) / total
        for d in districts
    ]
    return geos, ([city_weight] if city_weight > 0 else []) + weights


def new_sheet(kind: str) -> tuple[Workbook, object]:
    """A workbook with one sheet named for kind and its header row."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAMES[kind]
    ws.append(list(HEADERS[kind]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return wb, ws


def text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def finish_sheet(ws, date_columns=()) -> None:
    """Date format for date columns and column widths that fit Chinese text."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value))
            if cell.column in date_columns and cell.row > 1 and isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Write an xlsx whose bytes depend only on the workbook's content."""
    wb.properties.creator = "sample_data/generate.py"
    wb.properties.lastModifiedBy = "sample_data/generate.py"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # unlike wb.save(), keeps `modified`
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(member.filename))
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------
# 指标体系
# ---------------------------------------------------------------------------------------


def write_indicators(out_dir: Path) -> Path:
    """The indicator system: one row per indicator, weights summing to 100."""
    assert sum(ind.weight for ind in INDICATORS) == 100, "weights must sum to 100"
    wb, ws = new_sheet("indicators")
    for ind in INDICATORS:
        ws.append(list(astuple(ind)[:-1]))  # every field but the value model
    finish_sheet(ws)
    path = out_dir / "indicators.xlsx"
    save_deterministic(wb, path)
    return path


# ---------------------------------------------------------------------------------------
# 指标数据
# ---------------------------------------------------------------------------------------


def periods_for(frequency: str) -> list[tuple[str, float, int]]:
    """(label, years since Jan 2021, position in year) for 2021-2023 at that frequency."""
    if frequency == "月":
        return [(f"{y}-{m:02d}", y - 2021 + (m - 1) / 12, m) for y in YEARS for m in range(1, 13)]
    if frequency == "季":
        return [
            (quarter_label(y, q), y - 2021 + (q - 1) / 4, q) for y in YEARS for q in range(1, 5)
        ]
    return [(str(y), float(y - 2021), 0) for y in YEARS]


def size_index(district: str) -> float:
    """District size relative to an average district: 深汕 about 0.1, 南山/宝安 about 1.9."""
    return DISTRICT_SHARES[district] * len(DISTRICTS)


def simulate_indicator(rng: random.Random, ind: Indicator) -> dict[str, list[float]]:
    """District values per period for one indicator (full, before any omission)."""
    periods = periods_for(ind.frequency)
    kind, *params = ind.model
    per_year = {"月": 12, "季": 4, "年": 1}[ind.frequency]
    values: dict[str, list[float]] = {}
    if kind == "direct_contact":
        return simulate_direct_contact(rng, periods)
    for district in DISTRICTS:
        share = DISTRICT_SHARES[district]
        bias = math.exp(rng.gauss(0, 0.12))
        series: list[float] = []
        if kind == "flow":
            base, growth = params
            for label, t, pos in periods:
                season = {12: MONTH_SEASON, 4: QUARTER_SEASON}.get(per_year, (1.0,))
                factor = season[pos - 1] if per_year > 1 else 1.0
                if per_year == 12:
                    factor *= COVID_DIP.get(label, 1.0)
                noise = max(0.5, 1 + rng.gauss(0, 0.05))
                series.append(base * share * bias * (1 + growth) ** t * factor * noise)
        elif kind == "stock":
            base, growth = params
            step = (1 + growth) ** (1 / per_year) - 1
            level = base * share * bias
            for _ in periods:
                series.append(level)
                level *= 1 + step * max(0.0, 1 + rng.gauss(0, 0.4))
        elif kind == "rate":
            start, end, spread, lower, upper = params
            offset = spread * 0.5 * (size_index(district) - 1) + rng.gauss(0, spread * 0.5)
            for _, t, _ in periods:
                level = start + (end - start) * t / 3 + offset + rng.gauss(0, spread * 0.15)
                series.append(min(upper, max(lower, level)))
        elif kind == "duration":
            start, end = params
            offset = 0.15 * (1 - size_index(district)) + rng.gauss(0, 0.06)
            for _, t, _ in periods:
                level = start + (end - start) * t / 3
                series.append(level * (1 + offset) * (1 + rng.gauss(0, 0.04)))
        else:
            raise ValueError(kind)
        values[district] = [
            drifted(ind, district, value, t + 1 / per_year - 1)
            for value, (_, t, _) in zip(series, periods, strict=True)
        ]
    return values


def drifted(ind: Indicator, district: str, value: float, years_after_2021: float) -> float:
    """value moved by the district's DRIFT for the years between the end of 2021 and the
    end of its period (nothing up to 2021), in the indicator's good direction; a rate
    stays within its bounds."""
    shift = DRIFT.get(district, 0.0) * max(0.0, years_after_2021)
    if ind.direction == "逆向":
        shift = -shift
    moved = value * (1 + shift)
    if ind.model[0] == "rate":
        lower, upper = ind.model[4:6]
        moved = min(upper, max(lower, moved))
    return moved


def allocate(total: int, weights: dict[str, float], minimum: int) -> dict[str, int]:
    """Integers summing to total, each >= minimum, proportional to weights otherwise."""
    spare = total - minimum * len(weights)
    raw = {k: spare * w / sum(weights.values()) for k, w in weights.items()}
    result = {k: minimum + math.floor(v) for k, v in raw.items()}
    leftover = total - sum(result.values())
    for k in sorted(raw, key=lambda k: (raw[k] - math.floor(raw[k]), -len(k)), reverse=True):
        if leftover == 0:
            break
        result[k] += 1
        leftover -= 1
    return result


def simulate_direct_contact(rng: random.Random, periods) -> dict[str, list[float]]:
    """ZL01: members of the direct-contact group, 168 in the whole city at 2021-12."""
    labels = [label for label, _, _ in periods]
    pinned = labels.index(DIRECT_CONTACT_PERIOD)
    at_pin = allocate(
        HEADLINE_2021["direct_contact_members"], DISTRICT_SHARES, DIRECT_CONTACT_MIN_PER_DISTRICT
    )
    values = {}
    for district in DISTRICTS:
        target = at_pin[district]
        first = max(1, round(target * 0.65))
        steps = [0] * pinned
        for _ in range(target - first):
            steps[rng.randrange(pinned)] += 1
        series = [first]
        for step in steps:
            series.append(series[-1] + step)
        p = DIRECT_CONTACT_MONTHLY_GROWTH_2022_23 * DISTRICT_SHARES[district] / 3
        while len(series) < len(labels):
            series.append(series[-1] + sum(rng.random() < p for _ in range(3)))
        values[district] = [float(v) for v in series]
    return values


def write_indicator_values(out_dir: Path) -> Path:
    """Long-form indicator values for every indicator, geography and period."""
    rng = random.Random(SEED)
    simulated = {ind.code: simulate_indicator(rng, ind) for ind in INDICATORS}

    # Rows left out as "not reported": district values only, never ZL01.
    candidates, weights = [], []
    for ind in INDICATORS:
        if ind.code == DIRECT_CONTACT_CODE:
            continue
        for label, _, _ in periods_for(ind.frequency):
            year = int(label[:4])
            recent = 2.0 if label in ("2023-10", "2023-11", "2023-12", "2023-Q4", "2023") else 1.0
            for district in DISTRICTS:
                w = MISSING_DISTRICT_WEIGHT.get(district, MISSING_OTHER_WEIGHT)
                candidates.append((ind.code, label, district))
                weights.append(w * MISSING_YEAR_WEIGHT[year] * recent)
    missing = set(weighted_sample(rng, candidates, weights, round(MISSING_SHARE * len(candidates))))

    wb, ws = new_sheet("indicator_values")
    for ind in INDICATORS:
        decimals = DECIMALS_BY_UNIT.get(ind.unit, 0)
        additive = ind.model[0] in ("flow", "stock", "direct_contact")
        periods = periods_for(ind.frequency)
        last_label = periods[-1][0]
        for i, (label, _, _) in enumerate(periods):
            district_values = {
                d: round(simulated[ind.code][d][i], decimals or None) for d in DISTRICTS
            }
            if additive:
                city = round(sum(district_values.values()), decimals)
            else:
                city = round(
                    sum(v * DISTRICT_SHARES[d] for d, v in district_values.items()), decimals
                )
            note = LAST_PERIOD_NOTE if label == last_label else None
            ws.append([ind.code, ind.name, CITY, label, city, note])
            for district in DISTRICTS:
                if (ind.code, label, district) not in missing:
                    ws.append(
                        [ind.code, ind.name, district, label, district_values[district], None]
                    )
    finish_sheet(ws)
    path = out_dir / "indicator_values.xlsx"
    save_deterministic(wb, path)
    return path


# ---------------------------------------------------------------------------------------
# 任务清单
# ---------------------------------------------------------------------------------------


def report_quarters(start: date) -> list[tuple[str, date]]:
    """(report period, its last day) from the start quarter to 2023-Q4."""
    year, quarter = quarter_of(start)
    out = []
    while (year, quarter) <= quarter_of(SNAPSHOT_DATE):
        out.append((quarter_label(year, quarter), quarter_end(year, quarter)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def share_elapsed(day: date, start: date, end: date) -> float:
    if end <= start:
        return 1.0
    return min(1.0, max(0.0, (day - start).days / (end - start).days))


def shift_quarters(day: date, n: int) -> date:
    year, quarter = quarter_of(day)
    index = year * 4 + quarter - 1 + n
    return quarter_end(index // 4, index % 4 + 1)


def progress_path(
    rng: random.Random,
    start: date,
    deadline: date | None,
    plan: tuple,
    quarters: list[tuple[str, date]],
) -> tuple[list[int], list[str]]:
    """Reported progress (multiples of 5, non-decreasing) and stated status per quarter."""
    kind = plan[0]
    complete_at = None
    if kind == "done":
        complete_at = quarter_end(*quarter_of(deadline))
        if rng.random() < 0.4 and shift_quarters(complete_at, -1) >= quarters[0][1]:
            complete_at = shift_quarters(complete_at, -1)
    elif kind == "late":
        complete_at = shift_quarters(deadline, plan[1])
    raw = []
    for _, end in quarters:
        if complete_at is not None:
            value = 100 * share_elapsed(end, start, complete_at)
        elif kind == "overdue":
            final = plan[1]
            if end <= deadline:
                value = (final - 10) * share_elapsed(end, start, deadline)
            else:
                value = final - 10 + 10 * share_elapsed(end, deadline, SNAPSHOT_DATE)
        elif kind == "behind":
            value = plan[1] * share_elapsed(end, start, SNAPSHOT_DATE)
        elif kind == "track":
            value = 100 * share_elapsed(end, start, deadline)
        elif kind == "ongoing":
            value = 10 + (plan[1] - 10) * share_elapsed(end, start, SNAPSHOT_DATE)
        elif kind == "paused":
            pause_end = dict(quarters)[plan[2]]
            value = plan[1] * share_elapsed(min(end, pause_end), start, pause_end)
        else:
            raise ValueError(kind)
        raw.append(value)
    progress, statuses, best = [], [], 0
    for (label, end), value in zip(quarters, raw, strict=True):
        done = complete_at is not None and end >= complete_at
        if done:
            reported = 100
        else:
            jitter = 0 if kind == "paused" else rng.choice((-5, 0, 0, 5))
            reported = min(95, max(0, 5 * round((value + jitter) / 5)))
        best = max(best, reported)
        progress.append(best)
        if best == 100:
            statuses.append("已完成")
        elif kind == "paused" and label >= plan[2]:
            statuses.append("暂缓")
        else:
            statuses.append("")
    return progress, statuses


def progress_note(rng: random.Random, progress: int, status: str, state: str) -> str:
    """A short 进展情况 sentence; state is "", "first_done", "overdue" or "behind"."""
    if status == "已完成":
        if state == "first_done":
            return rng.choice(("已完成全部工作，形成工作总结。", "任务已完成，相关成果已报送。"))
        return rng.choice(("任务已完成，转入常态化运行。", "已完成，持续巩固工作成效。"))
    if status == "暂缓":
        return "根据工作安排调整，暂缓实施。"
    if state == "overdue":
        return rng.choice(
            ("已超过完成时限，正在加快推进。", "未按期完成，正在督促牵头单位加快办理。")
        )
    if state == "behind":
        return rng.choice(
            ("进度滞后于计划，正在协调解决难点问题。", "前期准备耗时较长，进度偏慢。")
        )
    if progress == 0:
        return "正在研究制定工作方案。"
    if progress < 40:
        return rng.choice(
            ("已制定工作方案，正在开展前期调研。", "已召开工作部署会，明确任务分工。")
        )
    if progress < 80:
        return rng.choice(("按计划推进，阶段性工作已完成。", "主要工作正在推进，部分事项已落地。"))
    return rng.choice(("主体工作基本完成，正在总结完善。", "已进入收尾阶段，正在验收评估。"))


BEHIND_POINTS = 20  # SPEC 滞后: progress more than 20 points behind the elapsed share


def task_state(start, deadline, progress, status, previous, day) -> str:
    if status == "已完成":
        return "first_done" if previous != "已完成" else ""
    if overdue_at(deadline, progress, status, day):
        return "overdue"
    if (
        deadline is not None
        and 100 * share_elapsed(day, start, deadline) - progress > BEHIND_POINTS
    ):
        return "behind"
    return ""


def overdue_at(deadline: date | None, progress: int, status: str, day: date) -> bool:
    return deadline is not None and deadline < day and progress < 100 and status != "暂缓"


def write_tasks(out_dir: Path) -> Path:
    """The task checklist, one row per task and quarterly report period."""
    rng = random.Random(SEED)
    wb, ws = new_sheet("tasks")
    overdue_codes = set()
    for code, content, lead, coops, district, start_text, deadline_text, plan in TASKS:
        start = date.fromisoformat(start_text)
        deadline = parse_deadline(deadline_text)
        is_iso_date = re.fullmatch(r"\d{4}-\d{2}-\d{2}", deadline_text) is not None
        deadline_cell = deadline if is_iso_date else deadline_text
        owner = person_name(rng)
        quarters = report_quarters(start)
        progress, statuses = progress_path(rng, start, deadline, plan, quarters)
        previous = ""
        for (label, end), value, status in zip(quarters, progress, statuses, strict=True):
            state = task_state(start, deadline, value, status, previous, end)
            previous = status
            ws.append(
                [
                    code,
                    ACTIONS[code[:2]],
                    content,
                    lead,
                    coops or None,
                    owner,
                    start,
                    deadline_cell,
                    value,
                    status or None,
                    progress_note(rng, value, status, state),
                    district or None,
                    label,
                ]
            )
        if overdue_at(deadline, progress[-1], statuses[-1], SNAPSHOT_DATE):
            overdue_codes.add(code)
    assert len(overdue_codes) == EXPECTED_OVERDUE_TASKS, sorted(overdue_codes)
    finish_sheet(ws, date_columns=(7, 8))
    path = out_dir / "tasks.xlsx"
    save_deterministic(wb, path)
    return path


# ---------------------------------------------------------------------------------------
# 活动台账
# ---------------------------------------------------------------------------------------


def geo_label(geo: str) -> str:
    return "市工商联" if geo == CITY else geo


def activity_name(rng: random.Random, kind: str, brand: str, geo: str, year: int) -> str:
    short = SHORT_NAMES.get(geo, "")
    if brand == BRAND_FORUM:
        topic = rng.choice(FORUM_TOPICS)
        return f"民企话坛·{topic}" if geo == CITY else f"民企话坛（{short}专场）·{topic}"
    if brand == BRAND_DAY:
        suffix = {
            TYPE_FORUM: "主题论坛",
            TYPE_BRIEFING: "惠企政策宣讲会",
            TYPE_MEETING: "政企座谈会",
        }[kind]
        return (
            f"{year}年深圳企业家日{suffix}"
            if geo == CITY
            else (f"{year}年深圳企业家日·{geo}{suffix}")
        )
    if brand == BRAND_YOUTH:
        topic = rng.choice(TRAINING_TOPICS)
        return (
            f"深圳青年企业家提升计划{topic}研修班"
            if geo == CITY
            else (f"深圳青年企业家提升计划·{short}青年企业家{topic}培训")
        )
    if brand == BRAND_TRADE:
        region = rng.choice(TRADE_REGIONS)
        return (
            f"深商经贸交流·{region}行" if geo == CITY else f"深商经贸交流·{geo}{region}合作对接会"
        )
    label = geo_label(geo)
    if kind == TYPE_BRIEFING:
        return f"{label}{rng.choice(POLICY_TOPICS)}宣讲会"
    if kind == TYPE_MEETING:
        return f"{label}{rng.choice(SECTORS)}企业政企座谈会"
    if kind == TYPE_SURVEY:
        return f"{label}{rng.choice(SECTORS)}企业走访调研"
    if kind == TYPE_FORUM:
        return f"{label}{rng.choice(FORUM_TOPICS)}论坛"
    if kind == TYPE_TRAINING:
        return f"{label}{rng.choice(TRAINING_TOPICS)}专题培训"
    if kind == TYPE_TRADE:
        return f"{label}赴{rng.choice(TRADE_REGIONS)}经贸交流活动"
    if kind == TYPE_VISIT:
        return f"{label}直联走访{rng.choice(SECTORS)}企业家"
    raise ValueError(kind)


def plan_year_activities(rng: random.Random, year: int) -> list[tuple[str, str, str]]:
    """(activity type, brand, geography) for every activity of the year."""
    counts = dict(ACTIVITY_TYPE_COUNTS[year])
    branded = []
    for brand, kind, n in BRAND_PLAN[year]:
        branded += [(kind, brand)] * n
        counts[kind] -= n
    assert min(counts.values()) >= 0
    plain = [(kind, "") for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(branded)
    rng.shuffle(plain)

    # Brand activities reach every district (except the deliberate gap), the rest weighted.
    allowed = [d for d in DISTRICTS if (d, year) != BRAND_GAP]
    geos, weights = district_weights(0.4, allowed)
    planned = []
    for i, (kind, brand) in enumerate(branded):
        geo = allowed[i] if i < len(allowed) else weighted_choice(rng, geos, weights)
        planned.append((kind, brand, geo))
    # Plain activities: each geography at least once, then by size.
    geos, weights = district_weights(CITY_ACTIVITY_WEIGHT)
    for i, (kind, brand) in enumerate(plain):
        geo = GEOGRAPHIES[i] if i < len(GEOGRAPHIES) else weighted_choice(rng, geos, weights)
        planned.append((kind, brand, geo))
    return planned


def write_activities(out_dir: Path) -> Path:
    """The activity ledger 2021-2023 over all geographies."""
    rng = random.Random(SEED)
    rows, keys = [], set()
    for year in YEARS:
        for kind, brand, geo in plan_year_activities(rng, year):
            if brand == BRAND_DAY:
                offset = rng.randint(*ENTREPRENEUR_DAY_WINDOW)
                day = date(year, 11, 1) + timedelta(days=offset)
            else:
                day = random_workday(rng, year, ACTIVITY_MONTH_WEIGHT)
            name = activity_name(rng, kind, brand, geo, year)
            for _attempt in range(10):
                if (day, geo, name) not in keys:
                    break
                name = activity_name(rng, kind, brand, geo, year)
            else:
                name += "（第二场）"
            keys.add((day, geo, name))
            low, high = ACTIVITY_SIZE[kind]
            scale = 1.3 if geo == CITY else 1.0
            enterprises = round(rng.randint(low, high) * scale)
            people = enterprises + round(enterprises * rng.uniform(0.3, 1.0)) + rng.randint(2, 8)
            if geo == CITY:
                host = BRAND_CITY_HOSTS.get(brand) or rng.choice(CITY_HOSTS[kind])
            else:
                host = f"{geo}工商联"
            note = None
            if year == 2022 and day.month in (3, 4, 11, 12) and rng.random() < 0.4:
                note = ONLINE_NOTE
            elif brand == BRAND_DAY and geo == CITY and kind == TYPE_FORUM:
                note = "深圳企业家日主场活动"
            rows.append([day, geo, kind, name, brand or None, enterprises, people, host, note])
    rows.sort(key=lambda r: (r[0], GEOGRAPHIES.index(r[1]), r[3]))
    wb, ws = new_sheet("activities")
    for row in rows:
        ws.append(row)
    finish_sheet(ws, date_columns=(1,))
    path = out_dir / "activities.xlsx"
    save_deterministic(wb, path)
    return path


# ---------------------------------------------------------------------------------------
# 企业诉求
# ---------------------------------------------------------------------------------------


def issue_content(rng: random.Random, template: str) -> str:
    return template.format(
        cause=rng.choice(ISSUE_CAUSES),
        amount=rng.choice((50, 80, 100, 150, 200, 300, 500, 800, 1000)),
        month=rng.randint(1, 12),
        policy=rng.choice(ISSUE_POLICIES),
        area=rng.choice((800, 1500, 2000, 3000, 5000)),
        count=rng.randint(2, 30),
        license=rng.choice(ISSUE_LICENSES),
    )


def issue_accept_dates(rng: random.Random, year: int) -> list[date]:
    """Sorted acceptance dates; 2021 is shaped to give the exact headline count."""
    if year != 2021:
        return sorted(random_workday(rng, year) for _ in range(ISSUE_COUNTS[year]))
    january_to_november = [1] * 11 + [0]
    days = [
        random_workday(rng, 2021, january_to_november)
        for _ in range(ISSUE_COUNTS[2021] - ISSUES_2021_DECEMBER)
    ]
    days += [date(2021, 12, rng.randint(1, 24)) for _ in range(ISSUES_2021_DECEMBER)]
    return sorted(days)


def write_issues(out_dir: Path) -> Path:
    """Enterprise issues 2021-2023 as of the snapshot date."""
    rng = random.Random(SEED)
    categories = list(ISSUE_CATEGORIES)
    category_weights = [ISSUE_CATEGORIES[c][0] for c in categories]
    districts, district_w = district_weights(0.0)
    rows = []
    for year in YEARS:
        accepted = issue_accept_dates(rng, year)
        n = len(accepted)
        if year == 2021:
            # December issues: first half close within 2021, second half in January 2022.
            december = [i for i, d in enumerate(accepted) if d.month == 12]
            late = set(december[len(december) // 2 :])
            early = [i for i in range(n) if i not in december]
            unresolvable = set(rng.sample(early, ISSUES_2021_UNRESOLVABLE))
        else:
            late = set()
            unresolvable = {i for i in range(n) if rng.random() < UNRESOLVABLE_SHARE}
        for i, day in enumerate(accepted):
            category = weighted_choice(rng, categories, category_weights)
            _, units, (low, high), templates = ISSUE_CATEGORIES[category]
            duration = rng.randint(low, high)
            closed = day + timedelta(days=duration)
            if year == 2021:
                year_end = date(2021, 12, 31)
                if i in late:
                    closed = year_end + timedelta(days=rng.randint(3, 20))
                elif closed > year_end:
                    closed = day + timedelta(days=rng.randint(1, (year_end - day).days))
            if i in unresolvable:
                status, closed = "无法办理", None
            elif closed > SNAPSHOT_DATE:
                age = (SNAPSHOT_DATE - day).days
                status = "已受理" if age < OPEN_ACCEPTED_DAYS else "办理中"
                closed = None
            else:
                status = STATUS_RESOLVED
            if status == STATUS_RESOLVED:
                options = SATISFACTION_RESOLVED
            elif status == "无法办理":
                options = SATISFACTION_UNRESOLVABLE
            else:
                options = (("", 1),)
            satisfaction = weighted_choice(rng, *zip(*options, strict=True))
            rows.append(
                [
                    f"SQ{year}{i + 1:03d}",
                    day,
                    weighted_choice(rng, districts, district_w),
                    enterprise_name(rng),
                    category,
                    issue_content(rng, rng.choice(templates)),
                    rng.choice(units),
                    status,
                    closed,
                    satisfaction or None,
                ]
            )
    wb, ws = new_sheet("issues")
    for row in rows:
        ws.append(row)
    finish_sheet(ws, date_columns=(2, 9))
    path = out_dir / "issues.xlsx"
    save_deterministic(wb, path)
    return path


# ---------------------------------------------------------------------------------------
# Verification of the headline figures
# ---------------------------------------------------------------------------------------


def sheet_records(path: Path) -> list[dict]:
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def in_year(value, year: int) -> bool:
    return isinstance(value, (date, datetime)) and value.year == year


def headline_figures(out_dir: Path) -> dict[str, float]:
    """The five 2021 headline figures computed from the written workbooks."""
    activities = sheet_records(out_dir / "activities.xlsx")
    issues = sheet_records(out_dir / "issues.xlsx")
    values = sheet_records(out_dir / "indicator_values.xlsx")
    acts_2021 = [a for a in activities if in_year(a["活动日期"], 2021)]
    zl01 = [
        v["数值"]
        for v in values
        if v["指标编码"] == DIRECT_CONTACT_CODE
        and v["区"] == CITY
        and v["期间"] == DIRECT_CONTACT_PERIOD
    ]
    return {
        "policy_briefings": sum(a["活动类型"] == TYPE_BRIEFING for a in acts_2021),
        "minqi_huatan_forums": sum(a["所属品牌"] == BRAND_FORUM for a in acts_2021),
        "gov_enterprise_meetings": sum(a["活动类型"] == TYPE_MEETING for a in acts_2021),
        "issues_resolved": sum(
            i["办理状态"] == STATUS_RESOLVED and in_year(i["办结日期"], 2021) for i in issues
        ),
        "direct_contact_members": zl01[0] if len(zl01) == 1 else None,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        write_indicators(out_dir),
        write_indicator_values(out_dir),
        write_tasks(out_dir),
        write_activities(out_dir),
        write_issues(out_dir),
    ]
    figures = headline_figures(out_dir)
    assert figures == HEADLINE_2021, f"headline figures differ: {figures} != {HEADLINE_2021}"
    for path in paths:
        print(f"{path}  {path.stat().st_size:,} bytes")
    print("2021 headline figures:", figures)


if __name__ == "__main__":
    main()
