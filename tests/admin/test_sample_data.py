"""Checks of the committed sample workbooks in sample_data/ (see sample_data/README.md)."""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data_model.evaluation.scoring import district_scores

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_data"
MASTER_DATA = ROOT / "data_model" / "defaults" / "master_data.json"
AS_OF = date(2023, 12, 31)

SHEETS = {
    "indicators.xlsx": (
        "指标体系",
        ["指标编码", "指标名称", "维度", "计量单位", "指标方向", "权重", "目标值", "数据频度",
         "汇总方式", "数据来源", "说明"],
    ),
    "indicator_values.xlsx": ("指标数据", ["指标编码", "指标名称", "区", "期间", "数值", "备注"]),
    "tasks.xlsx": (
        "任务清单",
        ["任务编号", "所属行动", "任务内容", "牵头单位", "配合单位", "责任人", "开始日期",
         "完成时限", "完成进度(%)", "任务状态", "进展情况", "所属区", "报送期"],
    ),
    "activities.xlsx": (
        "活动台账",
        ["活动日期", "区", "活动类型", "活动名称", "所属品牌", "参与企业数", "参与人数",
         "主办单位", "备注"],
    ),
    "issues.xlsx": (
        "企业诉求",
        ["诉求编号", "受理日期", "区", "企业名称", "诉求类别", "诉求内容", "承办单位",
         "办理状态", "办结日期", "满意度"],
    ),
}  # fmt: skip


@cache
def sheet_rows(file_name: str) -> tuple[str, list[tuple]]:
    """(sheet title, all rows as value tuples) of the only sheet of a committed workbook."""
    wb = load_workbook(SAMPLE_DIR / file_name, read_only=True)
    try:
        assert len(wb.worksheets) == 1, f"{file_name}: expected exactly one sheet"
        ws = wb.worksheets[0]
        return ws.title, list(ws.iter_rows(values_only=True))
    finally:
        wb.close()


def records(file_name: str) -> list[dict]:
    _, rows = sheet_rows(file_name)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def master_data() -> dict:
    return json.loads(MASTER_DATA.read_text(encoding="utf-8"))


def in_2021(value) -> bool:
    return isinstance(value, (date, datetime)) and value.year == 2021


def parse_deadline(value) -> date | None:
    """The deadline a 完成时限 cell means (date cell or the text forms used); None = ongoing."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text in ("长期坚持", "持续推进", "常态化"):
        return None
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月底前?", text):
        year, month = int(m[1]), int(m[2])
        return date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4})年底前?", text):
        return date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})年第([一二三四])季度末", text):
        month = 3 * "一二三四".index(m[2]) + 3
        return date(int(m[1]), month, calendar.monthrange(int(m[1]), month)[1])
    raise AssertionError(f"unparseable deadline: {text!r}")


# --- structure -------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", sorted(SHEETS))
def test_sheet_name_and_header_row(file_name):
    title, rows = sheet_rows(file_name)
    expected_title, expected_header = SHEETS[file_name]
    assert title == expected_title
    assert list(rows[0]) == expected_header
    assert len(rows) > 1 and any(v is not None for v in rows[1]), "data must start on row 2"
    assert all(any(v is not None for v in row) for row in rows), "no blank rows"


# --- 2021 headline figures (SPEC section 6) --------------------------------------------


def test_headline_figures_2021():
    activities = [a for a in records("activities.xlsx") if in_2021(a["活动日期"])]
    issues = records("issues.xlsx")
    zl01 = [
        v["数值"]
        for v in records("indicator_values.xlsx")
        if v["指标编码"] == "ZL01" and v["区"] == "全市" and v["期间"] == "2021-12"
    ]
    assert sum(a["活动类型"] == "政策宣讲会" for a in activities) == 16
    assert sum(a["所属品牌"] == "民企话坛" for a in activities) == 6
    assert sum(a["活动类型"] == "政企座谈会" for a in activities) == 32
    assert sum(i["办理状态"] == "已办结" and in_2021(i["办结日期"]) for i in issues) == 112
    assert zl01 == [168]


# --- indicators and values ---------------------------------------------------------------


def test_indicator_system():
    indicators = records("indicators.xlsx")
    assert abs(sum(i["权重"] for i in indicators) - 100) < 1e-9
    assert {i["维度"] for i in indicators} == {
        "营商环境", "民营经济发展质量", "政企沟通", "民营经济人士成长", "商会建设"
    }  # fmt: skip
    zl01 = next(i for i in indicators if i["指标编码"] == "ZL01")
    assert (zl01["指标名称"], zl01["计量单位"], zl01["维度"]) == (
        "直联企业家人数",
        "人",
        "政企沟通",
    )
    assert (zl01["数据频度"], zl01["汇总方式"]) == ("月", "期末值")
    assert all(i["指标方向"] in ("正向", "逆向") for i in indicators)
    assert 3 <= sum(i["目标值"] is None for i in indicators) <= 7


def test_every_geography_and_indicator_has_values():
    geographies = {d["name"] for d in master_data()["districts"]}
    values = records("indicator_values.xlsx")
    assert {v["区"] for v in values} == geographies
    codes = {i["指标编码"] for i in records("indicators.xlsx")}
    assert {v["指标编码"] for v in values} == codes
    keys = [(v["指标编码"], v["区"], v["期间"]) for v in values]
    assert len(keys) == len(set(keys)), "duplicate (indicator, district, period)"


def test_city_total_is_sum_of_districts_for_summed_indicators():
    summed = {i["指标编码"] for i in records("indicators.xlsx") if i["汇总方式"] == "求和"}
    n_districts = len(master_data()["districts"]) - 1
    city, districts = {}, defaultdict(list)
    for v in records("indicator_values.xlsx"):
        if v["指标编码"] in summed:
            key = (v["指标编码"], v["期间"])
            if v["区"] == "全市":
                city[key] = v["数值"]
            else:
                districts[key].append(v["数值"])
    complete = [k for k, vals in districts.items() if len(vals) == n_districts]
    assert len(complete) > 0.9 * len(city)
    for key in complete:
        assert city[key] == pytest.approx(sum(districts[key]), abs=1e-6), key


def test_some_district_values_missing():
    indicators = records("indicators.xlsx")
    per_year = {"月": 36, "季": 12, "年": 3}
    n_districts = len(master_data()["districts"]) - 1
    expected = sum(per_year[i["数据频度"]] for i in indicators) * n_districts
    present = sum(v["区"] != "全市" for v in records("indicator_values.xlsx"))
    assert 0.005 <= 1 - present / expected <= 0.02


# --- the story the sample tells (scored by the product, on both engines) ------------------


def test_longhua_climbs_and_futian_slips_in_the_composite_ranking(sample_db):
    """From 2022 on 龙华区 improves and 福田区 slips (generate.py's DRIFT), so the default
    method's composite ranks move between years: 龙华区 passes 福田区 in 2022, 罗湖区 passes
    福田区 in 2023; the three leaders hold their places."""
    engine = sample_db.open()
    try:
        with engine.connect() as conn:
            years = {year: district_scores(conn, year) for year in ("2021", "2022", "2023")}
    finally:
        engine.dispose()
    ranks = {year: dict(zip(s["district"], s["rank"], strict=True)) for year, s in years.items()}
    assert [ranks[y]["龙华区"] for y in ranks] == [5, 4, 4]
    assert [ranks[y]["福田区"] for y in ranks] == [4, 5, 6]
    assert [ranks[y]["罗湖区"] for y in ranks] == [6, 6, 5]
    moved = {
        year: scores[scores["rank_change"] != 0].set_index("district")["rank_change"].to_dict()
        for year, scores in years.items()
        if year != "2021"
    }
    assert moved == {"2022": {"龙华区": 1, "福田区": -1}, "2023": {"罗湖区": 1, "福田区": -1}}


# --- tasks -------------------------------------------------------------------------------


def test_task_keys_unique_and_progress_non_decreasing():
    tasks = records("tasks.xlsx")
    keys = [(t["任务编号"], t["报送期"]) for t in tasks]
    assert len(keys) == len(set(keys))
    by_task = defaultdict(list)
    for t in tasks:
        assert re.fullmatch(r"\d{4}-Q[1-4]", t["报送期"])
        assert 0 <= t["完成进度(%)"] <= 100
        by_task[t["任务编号"]].append((t["报送期"], t["完成进度(%)"]))
    for code, reports in by_task.items():
        progress = [p for _, p in sorted(reports)]
        assert progress == sorted(progress), code
        assert sorted(reports)[-1][0] == "2023-Q4", code


def test_task_master_data_names():
    data = master_data()
    actions = {a["name"] for a in data["actions"]}
    units = {u["name"] for u in data["units"]}
    districts = {d["name"] for d in data["districts"]}
    for t in records("tasks.xlsx"):
        assert t["所属行动"] in actions
        assert t["牵头单位"] in units
        assert set((t["配合单位"] or "").split("、")) - {""} <= units
        assert t["所属区"] is None or t["所属区"] in districts
        assert isinstance(t["开始日期"], datetime)
        parse_deadline(t["完成时限"])


def test_overdue_tasks_at_end_of_2023():
    latest = {}
    for t in records("tasks.xlsx"):
        if t["报送期"] == "2023-Q4":
            latest[t["任务编号"]] = t
    overdue = [
        code
        for code, t in latest.items()
        if (deadline := parse_deadline(t["完成时限"])) is not None
        and deadline < AS_OF
        and t["完成进度(%)"] < 100
        and t["任务状态"] != "暂缓"
    ]
    assert len(overdue) >= 5, overdue
    completed = [t for t in latest.values() if t["完成进度(%)"] == 100]
    assert all(t["任务状态"] == "已完成" for t in completed)
    assert 1 <= sum(t["任务状态"] == "暂缓" for t in latest.values()) <= 2


# --- activities and issues ---------------------------------------------------------------


def test_activities_keys_and_coverage():
    activities = records("activities.xlsx")
    keys = [(a["活动日期"], a["区"], a["活动名称"]) for a in activities]
    assert len(keys) == len(set(keys))
    geographies = {d["name"] for d in master_data()["districts"]}
    for year in (2021, 2022, 2023):
        held = {a["区"] for a in activities if a["活动日期"].year == year}
        assert held == geographies, year
    shenshan_brands = {
        a["活动日期"].year for a in activities if a["区"] == "深汕特别合作区" and a["所属品牌"]
    }
    assert 2023 not in shenshan_brands and shenshan_brands, "deliberate 2023 brand gap"


def test_issue_dates_and_statuses():
    issues = records("issues.xlsx")
    assert len({i["诉求编号"] for i in issues}) == len(issues)
    for i in issues:
        assert i["办理状态"] in ("已受理", "办理中", "已办结", "无法办理")
        if i["办理状态"] == "已办结":
            assert i["受理日期"] < i["办结日期"] <= datetime(2023, 12, 31)
        else:
            assert i["办结日期"] is None
        assert i["满意度"] in ("满意", "基本满意", "不满意", None)


# --- determinism -------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cell_values(path) -> list[tuple]:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_regeneration_is_deterministic(tmp_path):
    """Two runs give byte-identical files, and the same cells as the committed files.

    Bytes are compared only between runs here: openpyxl serialises XML differently
    with and without lxml installed, which changes bytes but not content.
    """
    for out in ("a", "b"):
        subprocess.run(
            [sys.executable, str(SAMPLE_DIR / "generate.py"), "--out", str(tmp_path / out)],
            check=True,
            capture_output=True,
        )
    for file_name in SHEETS:
        assert sha256(tmp_path / "a" / file_name) == sha256(tmp_path / "b" / file_name), file_name
        assert cell_values(tmp_path / "a" / file_name) == cell_values(SAMPLE_DIR / file_name)
