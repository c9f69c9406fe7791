"""Task lists as people keep them: what the title and metadata rows say about the whole
sheet, a stable code for a task the list does not number, and progress in its many forms.

A real 任务清单 names its report period in the title (`……重点任务清单（2022年第一季度进展）`,
`截至2022年6月底`) or in a metadata row (`报送期：2022年上半年`), its district in a row
such as `填报单位：福田区工商联`, numbers its rows with `序号` instead of a task code,
and writes progress as `60%`, `0.35`, `35` or `已完成`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from data_model.errors import InputError
from data_model.ingest.sheet_meta import MetaPart, meta_parts
from data_model.periods import parse_period
from data_model.reference.master import MasterData
from data_model.text import remove_whitespace, to_halfwidth

if TYPE_CHECKING:
    from data_model.reference.master import MasterData

# Metadata keys (`键：值` in a row above the header) naming the sheet's report period or
# district. `填报日期`/`填报时间` is the day the form was filled in, not the period reported.
PERIOD_KEYS = (
    "报送期",
    "报送期间",
    "报告期",
    "时间",
    "期间",
    "统计期",
    "统计时间",
    "进展时间",
    "截至时间",
    "截止时间",
    "填报期间",
)
DISTRICT_KEYS = ("所属区", "区", "地区", "区域", "辖区", "行政区")
UNIT_KEYS = ("填报单位", "报送单位", "填报部门", "报送部门")
# Other metadata that may hold a date but never names the period reported (while a title
# such as `附件1：……清单（2022年第一季度进展）` does).
_DATE_KEY_ENDS = ("日期", "时间", "日")
_FORM_KEY_STARTS = ("填报", "制表", "打印", "审核", "报送")

_CN_NUMBER = "一二三四1-4"
# `截至2022年6月底`, `截止到2022年3月31日`: progress as of the end of that month.
_AS_OF_MONTH = re.compile(
    r"截[至止](?:到|于)?(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?:[0-9]{1,2}[日号])?(?:底|末)?"
)
# `截至2022年底`: the whole year.
_AS_OF_YEAR = re.compile(r"截[至止](?:到|于)?(?P<y>[0-9]{4})年(?:底|末)")
# Periods finer than a year: a bare year in a title (`2022年重点任务清单`) names the plan,
# not the period whose progress is reported, so it is not taken.
_FINE_PERIOD = re.compile(
    rf"(?P<p>[0-9]{{4}}年(?:第?[{_CN_NUMBER}]季度|[上下]半年|1-[0-9]{{1,2}}月|[0-9]{{1,2}}月份?))"
)
_YEAR_REPORT = re.compile(r"(?P<y>[0-9]{4})年(?:度|全年)(?:工作)?(?:进展|完成情况|推进情况|总结)")
# `2022年重点任务清单（一季度进展）`: the part without a year takes the title's year.
_PARTIAL_PERIOD = re.compile(rf"(?P<p>第?[{_CN_NUMBER}]季度|[上下]半年)")
_YEAR = re.compile(r"(?P<y>[0-9]{4})年")


@dataclass(frozen=True)
class SheetFact:
    """A value the sheet states for all its rows, and where: the Excel row and its text."""

    value: str
    row: int | None  # 1-based Excel row; None when it came from the upload's options
    text: str


@dataclass(frozen=True)
class TaskSheetFacts:
    period: SheetFact | None = None
    district: SheetFact | None = None  # value: the district's canonical name
    # A district metadata part that names no known district, and why.
    district_error: tuple[MetaPart, InputError] | None = None


def read_task_sheet(rows: list[list], master: MasterData) -> TaskSheetFacts:
    """What the rows above a task list's header say about the whole sheet.

    A metadata row (`报送期：2022年第一季度`, `所属区：福田区`, `填报单位：福田区工商联`)
    wins over the title; of the titles, the first that names a period counts. A unit
    (`填报单位：…`) names the district it belongs to, if any.
    """
    meta_period = title_period = district = None
    district_error = None
    for index, row in enumerate(rows):
        for part in meta_parts(index, row):
            key, value = part.key, part.value
            if key is not None:
                if key in PERIOD_KEYS and meta_period is None:
                    period = _period_value(value)
                    if period:
                        meta_period = SheetFact(period, part.excel_row, part.text)
                    continue
                if key in DISTRICT_KEYS + UNIT_KEYS and district is None:
                    name, error = _district_of(value, key in UNIT_KEYS, master)
                    if name:
                        district = SheetFact(name, part.excel_row, part.text)
                    elif error is not None and district_error is None:
                        district_error = (part, error)
                    continue
                if key.endswith(_DATE_KEY_ENDS) or key.startswith(_FORM_KEY_STARTS):
                    continue  # `填报时间：2022年7月5日` is when, not what period
            if title_period is None:
                period = period_in_title(part.compact)
                if period:
                    title_period = SheetFact(period, part.excel_row, part.text)
    return TaskSheetFacts(meta_period or title_period, district, district_error)


def _period_value(value: str) -> str | None:
    try:
        return parse_period(value)
    except InputError:
        return period_in_title(value)


def period_in_title(text: str) -> str | None:
    """The report period a title names: `（2022年第一季度进展）` → 2022-Q1,
    `截至2022年6月底` → 2022-06, `2022年上半年` → 2022-H1, `2022年度工作进展` → 2022;
    None for a title naming only the plan's year (`2022年重点任务清单`)."""
    text = remove_whitespace(to_halfwidth(text))
    found = _AS_OF_MONTH.search(text)
    if found:
        return _parsed(f"{found['y']}年{found['m']}月")
    found = _AS_OF_YEAR.search(text)
    if found:
        return _parsed(found["y"])
    found = _FINE_PERIOD.search(text)
    if found:
        return _parsed(found["p"])
    found = _YEAR_REPORT.search(text)
    if found:
        return _parsed(found["y"])
    year, partial = _YEAR.search(text), _PARTIAL_PERIOD.search(text)
    if year and partial:
        return _parsed(f"{year['y']}年{partial['p']}")
    return None


def _parsed(text: str) -> str | None:
    try:
        return parse_period(text)
    except InputError:
        return None


def _district_of(
    value: str, is_unit: bool, master: MasterData
) -> tuple[str | None, InputError | None]:
    """(district name, None), or (None, the error when `value` should have named one)."""
    if is_unit:
        try:
            return master.unit_districts.get(master.units.match(value)), None
        except InputError:
            pass
    try:
        return master.districts.match(value), None
    except InputError as error:
        if not is_unit:
            return None, error
    # An unknown unit whose name starts with a district's (`福田区发展和改革局`).
    compact = remove_whitespace(value)
    for name in master.district_ids:
        if compact.startswith(name):
            return name, None
    return None, None
