"""Texts longer than their column holds are problems on their cell, on both engines.

PostgreSQL's VARCHAR(n) refused a 129-character indicator name with a DataError out of
the import (a traceback), where SQLite, which does not check lengths, stored it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data_model.ingest.importer import import_file
from data_model.kinds import FREE_TEXT_LIMIT
from data_model.store.kind_registry import REGISTRY
from data_model.store.models import IndicatorValue, Submission, Task
from tests.conftest import (
    ACTIVITY_HEADER,
    INDICATOR_HEADER,
    ISSUE_HEADER,
    VALUE_HEADER,
    import_indicators,
    make_xlsx,
)
from tests.ingest.test_import_template_kinds import A1_01, TASK_HEADER


def indicator(code: str, name: str, dimension: str = "发展质量", unit: str = "亿元") -> list:
    return [code, name, dimension, unit, "正向", 2, None, "年", "求和"]


def test_each_kind_knows_the_longest_text_its_columns_hold():
    assert REGISTRY["indicators"].text_limits == {
        "code": 64,
        "name": 128,
        "dimension": 64,
        "unit": 32,
        "direction": 16,
        "frequency": 16,
        "aggregation": 16,
        "source": 2_000,
        "note": 2_000,
    }
    assert REGISTRY["tasks"].text_limits == {
        "code": 64,
        "content": 2_000,
        "co_units": 2_000,
        "owner": 2_000,
        "report_period": 16,
        "stated_status": 16,
        "progress_note": 2_000,
    }
    assert REGISTRY["activities"].text_limits == {
        "activity_type": 64,
        "name": 255,
        "organizer": 2_000,
        "note": 2_000,
    }
    assert REGISTRY["indicator_values"].text_limits["note"] == FREE_TEXT_LIMIT == 2_000
    assert REGISTRY["issues"].text_limits["content"] == 2_000


def test_an_indicator_system_with_texts_too_long_names_each_cell(db_engine):
    data = make_xlsx(
        {
            "指标体系": [
                INDICATOR_HEADER,
                indicator("L01", "名" * 129),
                indicator("L" * 65, "长代码"),
                indicator("L03", "长维度", dimension="维" * 65),
                indicator("L04", "长单位", unit="元" * 33),
                indicator("L05", "名" * 128),  # as long as it may be
            ]
        }
    )
    report = import_file(db_engine, data, "indicators.xlsx")
    assert report.status == "rejected"
    assert [(p.row, p.column, p.cell) for p in report.errors] == [
        (2, "指标名称", (1, 1)),
        (3, "指标编码", (2, 0)),
        (4, "维度", (3, 2)),
        (5, "计量单位", (4, 3)),
    ]
    assert report.errors[0].message == "太长：最多 128 个字符，这里有 129 个。请缩短后再上传。"
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count(Submission.id))).scalar_one() == 0


def test_long_task_codes_activity_names_and_enterprise_names_are_problems(db_engine):
    task = [*A1_01, 60, "", "已完成方案", "", "2022-Q1"]
    task[0] = "A" * 65
    data = make_xlsx(
        {
            "任务清单": [TASK_HEADER, task],
            "活动台账": [
                ACTIVITY_HEADER,
                [dt.datetime(2022, 3, 15), "福田区", "政策宣讲会", "会" * 256, "", 30, 80, "", ""],
            ],
            "企业诉求": [
                ISSUE_HEADER,
                [
                    "SQ2022001",
                    dt.datetime(2022, 3, 1),
                    "宝安区",
                    "企" * 256,
                    "融资贷款",
                    "贷款受阻",
                    "市地方金融监管局",
                    "已办结",
                    dt.datetime(2022, 3, 20),
                    "满意",
                ],
            ],
        }
    )
    report = import_file(db_engine, data, "long.xlsx")
    assert report.status == "rejected"
    assert [(p.sheet, p.column) for p in report.errors] == [
        ("任务清单", "任务编号"),
        ("活动台账", "活动名称"),
        ("企业诉求", "企业名称"),
    ]
    assert "最多 255 个字符，这里有 256 个" in report.errors[1].message


def test_free_text_longer_than_a_cell_holds_is_a_problem_in_every_kind(db_engine):
    # One 100 MB shared string in 备注 (a 308 KB file) was stored, and every export of it
    # took gigabytes: free text holds at most FREE_TEXT_LIMIT characters.
    import_indicators(db_engine)
    task = [*A1_01, 60, "", "已完成方案", "", "2022-Q1"]
    task[2] = "内" * 2_001  # 任务内容
    task[10] = "展" * 2_000  # 进展情况: as long as it may be
    data = make_xlsx(
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "南山区", "2022-03", 5, "注" * 10_000],
                ["YS02", "", "福田区", "2022-03", 6, "注" * 2_000],
                ["YS02", "", "罗湖区" * 1_000, "2022-03", 7, ""],  # not free text
            ],
            "任务清单": [TASK_HEADER, task],
            "活动台账": [
                ACTIVITY_HEADER,
                [
                    dt.datetime(2022, 3, 15),
                    "福田区",
                    "政策宣讲会",
                    "宣讲",
                    "",
                    30,
                    80,
                    "",
                    "备" * 2_001,
                ],
            ],
        }
    )
    report = import_file(db_engine, data, "long.xlsx")
    assert report.status == "rejected"
    assert [(p.sheet, p.row, p.column) for p in report.errors] == [
        ("指标数据", 2, "备注"),
        ("指标数据", 4, "区"),
        ("任务清单", 2, "任务内容"),
        ("活动台账", 2, "备注"),
    ]
    assert report.errors[0].message == (
        "太长：一个单元格最多 2,000 个字符，这里有 10,000 个。"
        "请只保留要点、缩短后再上传；较长的材料请另行报送。"
    )
    assert "最多 2,000 个字符，这里有 3,000 个" in report.errors[1].message
    assert "最多 2,000 个字符，这里有 2,001 个" in report.errors[2].message
    assert len(report.errors[0].value) < 600  # quoted, not the whole text
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count(IndicatorValue.id))).scalar_one() == 0
        assert conn.execute(select(func.count(Task.id))).scalar_one() == 0
