"""The spreadsheet kinds of SPEC §4: sheet names, columns, header aliases, keys.

How each is stored and used is declared beside it, in `kind_registry`.

Header texts and enumeration words are spreadsheet vocabulary (what staff type in
Excel), so they live here beside the columns they describe, not in the UI catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from data_model.text import clean_header

# The longest text one cell of any kind may hold, counted as written: a note, a task's
# content or progress, an issue's content, a name. Real ones run to a few hundred
# characters; 2,000 is a full page of Chinese text, and longer material belongs in a
# document, not a cell. Without a cap one 100 MB shared string (from a 308 KB file) was
# stored, and every export holding it took gigabytes. Columns stored as VARCHAR(n) hold
# less (`KindRule.text_limits`).
FREE_TEXT_LIMIT = 2_000


def is_too_long_cell(cell: object) -> bool:
    """A cell whose text, as written, is longer than any column holds (`FREE_TEXT_LIMIT`):
    a problem found before the cell is parsed."""
    return cell.__class__ is str and len(cell) > FREE_TEXT_LIMIT


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    # Allowed words → stored codes, for enumeration columns (shown as template dropdowns).
    choices: dict[str, str] = field(default_factory=dict)
    # The word the template's dropdown offers for each code (first word wins).
    example: object = None
    width: int = 14


@dataclass(frozen=True)
class Kind:
    name: str
    sheet: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    sheet_aliases: tuple[str, ...] = ()
    # Groups of fields of which at least one must be present (besides `required`).
    one_of: tuple[tuple[str, ...], ...] = ()
    # Required fields whose column may be left out: the value then comes from the sheet
    # (its title or a metadata row), the upload's options, or is derived from other
    # columns (a task code). A header is recognised without them.
    sheet_fields: tuple[str, ...] = ()

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.required)

    @property
    def header_fields(self) -> tuple[str, ...]:
        """The required fields a header row must name for the sheet to be this kind."""
        return tuple(f for f in self.required_fields if f not in self.sheet_fields)

    def header_lookup(self) -> dict[str, str]:
        """Cleaned header text or alias → field name (made once: every candidate header
        row of every sheet asks for it, 110,000 times in a workbook of 2,000 sheets)."""
        return self._header_lookup

    @cached_property
    def _header_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for column in self.columns:
            for text in (column.header, *column.aliases):
                lookup[clean_header(text)[0]] = column.field
        return lookup


DIRECTIONS = {
    "正向": "positive",
    "正": "positive",
    "逆向": "negative",
    "负向": "negative",
    "反向": "negative",
}
FREQUENCIES = {
    "月": "month",
    "月度": "month",
    "季": "quarter",
    "季度": "quarter",
    "年": "year",
    "年度": "year",
}
AGGREGATIONS = {
    "求和": "sum",
    "合计": "sum",
    "累计": "sum",
    "期末值": "last",
    "期末": "last",
    "最新值": "last",
    "平均": "mean",
    "平均值": "mean",
}
TASK_STATUSES = {
    "已完成": "completed",
    "完成": "completed",
    "暂缓": "suspended",
    "推进中": "in_progress",
    "进行中": "in_progress",
    "未启动": "not_started",
    "滞后": "behind",
    "逾期": "overdue",
}
ISSUE_STATUSES = {
    "已受理": "received",
    "办理中": "in_progress",
    "已办结": "resolved",
    "无法办理": "unresolvable",
}
# Words written in a task's progress cell: progress in percent points, and the status
# they state ("" states none).
PROGRESS_WORDS = {
    "已完成": (100.0, "completed"),
    "完成": (100.0, "completed"),
    "全部完成": (100.0, "completed"),
    "已全部完成": (100.0, "completed"),
    "已办结": (100.0, "completed"),
    "未启动": (0.0, ""),
    "尚未启动": (0.0, ""),
    "未开始": (0.0, ""),
    "未开展": (0.0, ""),
}
SATISFACTION = {"满意": "满意", "基本满意": "基本满意", "不满意": "不满意"}

DISTRICT_ALIASES = ("地区", "区域", "辖区", "行政区", "区县")
# Row numbers (`序号`): recognised in any header and never read, never a key.
ROW_NUMBER_HEADERS = ("序号", "序", "行号", "no", "no.")

INDICATORS = Kind(
    name="indicators",
    sheet="指标体系",
    sheet_aliases=("指标", "指标库", "评价指标"),
    key=("code",),
    columns=(
        Column("code", "指标编码", True, ("编码", "指标代码", "代码"), example="YS01", width=12),
        Column("name", "指标名称", True, ("指标", "名称"), example="企业开办时间", width=28),
        Column("dimension", "维度", True, ("指标维度", "所属维度", "一级指标"), example="营商环境"),
        Column("unit", "计量单位", False, ("单位",), example="天", width=10),
        Column("direction", "指标方向", False, ("方向", "指标属性"), DIRECTIONS, "逆向", 10),
        Column("weight", "权重", False, ("指标权重",), example=3, width=8),
        Column("target", "目标值", False, ("目标", "年度目标"), example=1, width=10),
        Column(
            "frequency", "数据频度", False, ("频度", "报送频率", "更新频率"), FREQUENCIES, "月", 10
        ),
        Column(
            "aggregation", "汇总方式", False, ("汇总规则", "聚合方式"), AGGREGATIONS, "期末值", 10
        ),
        Column("source", "数据来源", False, ("来源",), example="市市场监管局", width=18),
        Column("note", "说明", False, ("备注", "指标说明"), example="", width=30),
    ),
)

INDICATOR_VALUES = Kind(
    name="indicator_values",
    sheet="指标数据",
    sheet_aliases=("指标值", "数据"),
    key=("indicator_code", "district", "period"),
    one_of=(("indicator_code", "indicator_name"),),
    columns=(
        Column("indicator_code", "指标编码", False, ("编码", "指标代码"), example="YS01", width=12),
        Column("indicator_name", "指标名称", False, ("指标",), example="企业开办时间", width=28),
        Column("district", "区", True, DISTRICT_ALIASES + ("所属区",), example="南山区", width=12),
        Column(
            "period",
            "期间",
            True,
            ("时间", "统计期", "报告期", "月份", "年月", "期别"),
            example="2022-03",
        ),
        Column("value", "数值", True, ("值", "数据", "指标值"), example=1.5, width=12),
        Column("note", "备注", False, ("说明",), example="", width=24),
    ),
)

TASKS = Kind(
    name="tasks",
    sheet="任务清单",
    sheet_aliases=("任务", "工作任务", "任务台账", "重点任务", "重点任务清单", "工作任务清单"),
    key=("code", "report_period"),
    # Lists people keep often have no code (only 序号) and name the report period in
    # their title (`……重点任务清单（2022年第一季度进展）`).
    sheet_fields=("code", "report_period"),
    columns=(
        Column(
            "code", "任务编号", True, ("编号", "任务编码", "任务代码"), example="A1-01", width=10
        ),
        Column(
            "action",
            "所属行动",
            True,
            ("行动", "行动名称", "所属专项行动", "专项行动"),
            example="领跑行动",
            width=12,
        ),
        Column(
            "content",
            "任务内容",
            True,
            (
                "任务",
                "重点任务",
                "工作任务",
                "主要任务",
                "具体任务",
                "任务名称",
                "工作内容",
                "重点工作",
                "工作措施",
                "任务事项",
            ),
            example="开展营商环境评价",
            width=40,
        ),
        Column(
            "lead_unit",
            "牵头单位",
            True,
            ("责任单位", "牵头部门", "责任部门", "牵头责任单位", "主责单位"),
            example="市发展改革委",
            width=18,
        ),
        Column(
            "co_units",
            "配合单位",
            False,
            ("协办单位", "配合部门", "协同单位", "参与单位"),
            example="市工商联经济服务部",
            width=24,
        ),
        Column("owner", "责任人", False, ("联系人", "具体责任人"), example="张三", width=10),
        Column(
            "start_date",
            "开始日期",
            False,
            ("开始时间", "启动时间"),
            example="2022-01-01",
            width=12,
        ),
        Column(
            "deadline",
            "完成时限",
            True,
            ("完成时间", "时间节点", "时限要求", "截止时间", "完成期限", "完成时限要求", "时限"),
            example="2022年6月底前",
            width=16,
        ),
        Column(
            "progress",
            "完成进度",
            True,
            ("进度", "完成比例", "完成率", "完成百分比", "进度百分比"),
            example=60,
            width=12,
        ),
        Column(
            "stated_status", "任务状态", False, ("状态", "完成状态"), TASK_STATUSES, "推进中", 10
        ),
        Column(
            "progress_note",
            "进展情况",
            False,
            ("进展", "工作进展", "推进情况", "完成情况", "进展情况说明", "工作推进情况"),
            example="已完成评价方案",
            width=40,
        ),
        Column("district", "所属区", False, ("区",), example="", width=12),
        Column(
            "report_period",
            "报送期",
            True,
            ("报告期", "报送期间", "期间"),
            example="2022-Q1",
            width=10,
        ),
    ),
)

ACTIVITIES = Kind(
    name="activities",
    sheet="活动台账",
    sheet_aliases=("活动", "活动清单", "活动记录"),
    key=("activity_date", "district", "name"),
    columns=(
        Column(
            "activity_date",
            "活动日期",
            True,
            ("日期", "时间", "举办日期"),
            example="2022-03-15",
            width=12,
        ),
        Column("district", "区", True, DISTRICT_ALIASES + ("所属区",), example="福田区", width=12),
        Column("activity_type", "活动类型", True, ("类型",), example="政策宣讲会", width=12),
        Column(
            "name", "活动名称", True, ("名称", "活动主题"), example="2022年惠企政策宣讲会", width=32
        ),
        Column("brand", "所属品牌", False, ("品牌",), example="民企话坛", width=20),
        Column(
            "enterprise_count", "参与企业数", False, ("企业数", "参与企业"), example=30, width=10
        ),
        Column("participant_count", "参与人数", False, ("人数",), example=80, width=10),
        Column("organizer", "主办单位", False, ("主办方",), example="区工商联", width=18),
        Column("note", "备注", False, ("说明",), example="", width=24),
    ),
)

ISSUES = Kind(
    name="issues",
    sheet="企业诉求",
    sheet_aliases=("诉求", "诉求台账", "企业问题", "直通车"),
    key=("code",),
    columns=(
        Column("code", "诉求编号", True, ("编号",), example="SQ2022001", width=12),
        Column(
            "received_date",
            "受理日期",
            True,
            ("受理时间", "登记日期"),
            example="2022-03-01",
            width=12,
        ),
        Column("district", "区", True, DISTRICT_ALIASES + ("所属区",), example="宝安区", width=12),
        Column(
            "enterprise_name",
            "企业名称",
            True,
            ("企业", "单位名称"),
            example="某某科技有限公司",
            width=28,
        ),
        Column("category", "诉求类别", True, ("类别", "问题类别"), example="融资贷款", width=12),
        Column(
            "content", "诉求内容", True, ("内容", "问题描述"), example="申请贴息贷款受阻", width=40
        ),
        Column(
            "handling_unit",
            "承办单位",
            False,
            ("办理单位", "责任单位"),
            example="市地方金融监管局",
            width=18,
        ),
        Column("status", "办理状态", True, ("状态",), ISSUE_STATUSES, "已办结", 10),
        Column("resolved_date", "办结日期", False, ("办结时间",), example="2022-03-20", width=12),
        Column("satisfaction", "满意度", False, (), SATISFACTION, "满意", 10),
    ),
)

# Fields whose allowed values come from master data: field → master list (the keys of
# `MasterData.lists()`), for template dropdowns and example rows.
MASTER_FIELDS = {
    "district": "districts",
    "action": "actions",
    "lead_unit": "units",
    "brand": "brands",
    "activity_type": "activity_types",
    "category": "issue_categories",
}


def example_values(kind: Kind, master_lists: dict[str, list[str]]) -> dict[str, str]:
    """The template's example row of `kind` as text, field by field.

    A column whose values come from master data shows the shipped example when this
    database's list holds it, else the list's first name: another city's template never
    shows a Shenzhen district. The importer skips a row equal to this one.
    """
    values = {}
    for column in kind.columns:
        text = "" if column.example is None else str(column.example)
        names = master_lists.get(MASTER_FIELDS.get(column.field, ""), [])
        if text and names and text not in names:
            text = names[0]
        values[column.field] = text
    return values
