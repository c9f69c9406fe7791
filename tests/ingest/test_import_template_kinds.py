"""The importer on clean template workbooks: every kind stored, every error class reported."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_model.ingest.importer import ImportOptions, import_file
from data_model.outputs.export import export_frame
from data_model.store.models import (
    Activity,
    EnterpriseIssue,
    Indicator,
    IndicatorValue,
    Submission,
    Task,
    TaskSnapshot,
)
from sample_data.generate import HEADERS
from tests.conftest import (
    ACTIVITY_HEADER,
    ISSUE_HEADER,
    VALUE_HEADER,
    activity_row,
    import_indicators,
    import_values,
    indicator_rows,
    make_xlsx,
    values_workbook,
)

TASK_HEADER = list(HEADERS["tasks"])  # the sample data's: 完成进度 written as 完成进度(%)
# Task A1-01 up to its deadline, the same in each report period.
A1_01 = [
    "A1-01",
    "领跑行动",
    "开展营商环境评价",
    "市发展改革委",
    "",
    "张三",
    dt.datetime(2022, 1, 1),
    "2022年6月底前",
]


def count(engine, model, current_only=True) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(model)
        if current_only:
            query = query.where(model.is_current)
        return conn.execute(query).scalar_one()


def test_all_five_kinds_in_one_workbook_are_stored(engine):
    data = make_xlsx(
        {
            "指标体系": indicator_rows(),
            "指标数据": [
                VALUE_HEADER,
                ["YS01", "企业开办时间", "南山区", "2022-03", 1.6, ""],
                ["YS02", "", "福田", "2022年3月", "1,234", "初步数"],
                ["YS03", "", "440306", "2022年第一季度", "96.5%", ""],
            ],
            "任务清单": [
                TASK_HEADER,
                [*A1_01, 60, "", "已完成方案", "", "2022-Q1"],
                [*A1_01, 100, "已完成", "完成", "", "2022-Q2"],
                [
                    "A5-02",
                    "连心行动",
                    "政企恳谈会",
                    "市工商联经济服务部",
                    "",
                    "李四",
                    "",
                    "长期坚持",
                    50,
                    "",
                    "",
                    "南山区",
                    "2022-Q2",
                ],
            ],
            "活动台账": [
                ACTIVITY_HEADER,
                activity_row(date=dt.datetime(2022, 3, 15), organizer="福田区工商联"),
            ],
            "企业诉求": [
                ISSUE_HEADER,
                [
                    "SQ2022001",
                    dt.datetime(2022, 3, 1),
                    "宝安区",
                    "深圳市某某科技有限公司",
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
    report = import_file(engine, data, "all.xlsx")
    assert report.errors == [], report.errors
    assert report.status == "accepted"
    assert (count(engine, Indicator), count(engine, IndicatorValue)) == (3, 3)
    assert (count(engine, Task), count(engine, TaskSnapshot)) == (2, 3)
    assert (count(engine, Activity), count(engine, EnterpriseIssue)) == (1, 1)
    with engine.connect() as conn:
        values = export_frame(conn, "indicator-values")
        tasks = export_frame(conn, "tasks")
        deadline = conn.execute(
            select(Task.deadline, Task.deadline_text).where(Task.code == "A1-01")
        ).one()
        ongoing = conn.execute(
            select(Task.ongoing, Task.deadline).where(Task.code == "A5-02")
        ).one()
    assert values[["区", "期间", "数值"]].values.tolist() == [
        ["南山区", "2022-03", 1.6],
        ["福田区", "2022-03", 1234.0],
        ["宝安区", "2022-Q1", 96.5],
    ]
    assert tuple(deadline) == (dt.date(2022, 6, 30), "2022年6月底前")
    assert tuple(ongoing) == (True, None)
    assert tasks["报送期"].tolist() == ["2022-Q1", "2022-Q2", "2022-Q2"]


def test_bad_district_bad_period_and_duplicate_are_named_by_row_and_nothing_is_written(engine):
    import_indicators(engine)
    data = values_workbook(
        ["YS01", "", "南山区", "2022-03", 1.5, ""],
        ["YS01", "", "福天区", "2022-03", 1.5, ""],
        ["YS01", "", "罗湖区", 2022.1, 1.5, ""],
        ["YS01", "", "南山区", "2022年3月", 2.0, ""],
    )
    before = count(engine, IndicatorValue, current_only=False)
    report = import_file(engine, data, "bad.xlsx")
    assert report.status == "rejected"
    problems = {(p.row, p.column): p for p in report.errors}
    assert set(problems) == {(3, "区"), (4, "期间"), (5, None)}
    assert problems[(3, "区")].suggestion == "福田区"
    assert problems[(3, "区")].value == "福天区"
    assert "2022年10月" in problems[(4, "期间")].message
    assert "第 2 行" in problems[(5, None)].message
    assert count(engine, IndicatorValue, current_only=False) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Submission.id))).scalar_one() == 1


def test_valid_rows_only_stores_the_good_rows_and_records_the_choice(engine):
    import_indicators(engine)
    data = values_workbook(
        ["YS01", "", "南山区", "2022-03", 1.5, ""],
        ["YS01", "", "火星区", "2022-03", 2, ""],
    )
    report = import_file(engine, data, "partial.xlsx", ImportOptions(valid_rows_only=True))
    assert report.status == "partial"
    assert count(engine, IndicatorValue) == 1
    with engine.connect() as conn:
        submission = conn.execute(
            select(Submission.status, Submission.valid_rows_only, Submission.rows_rejected).where(
                Submission.id == report.submission_id
            )
        ).one()
    assert tuple(submission) == ("partial", True, 1)


@pytest.mark.parametrize("valid_rows_only", [False, True])
def test_a_file_without_one_valid_row_does_not_offer_to_import_the_valid_rows(
    engine, valid_rows_only
):
    import_indicators(engine)
    wrong = values_workbook(
        ["CZ01", "", "南山区", "2022-03", 1.5, ""],  # values sent before their indicators
        ["YS01", "", "火星区", "2022-03", 2, ""],
    )
    options = ImportOptions(valid_rows_only=valid_rows_only)
    report = import_file(engine, wrong, "wrong.xlsx", options)
    assert report.status == "rejected"
    assert report.message == (
        "发现 2 处错误，没有一行可以导入，未导入任何数据。请按下列错误修改后重新上传。"
    )
    assert count(engine, IndicatorValue) == 0


def test_a_file_with_some_valid_rows_offers_to_import_them(engine):
    import_indicators(engine)
    data = values_workbook(
        ["YS01", "", "南山区", "2022-03", 1.5, ""],
        ["YS01", "", "火星区", "2022-03", 2, ""],
    )
    report = import_file(engine, data, "partial.xlsx")
    assert report.status == "rejected"
    assert report.message.endswith("请修改后重新上传，或选择“仅导入有效行”。")


def test_same_file_twice_changes_nothing_and_says_when(engine):
    data = make_xlsx({"指标体系": indicator_rows()})
    first = import_file(engine, data, "indicators.xlsx", ImportOptions(uploader="wang"))
    second = import_file(engine, data, "indicators.xlsx")
    assert (first.status, second.status) == ("accepted", "unchanged")
    assert second.submission_id == first.submission_id
    assert "wang" in second.message
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Submission.id))).scalar_one() == 1


def test_the_same_file_after_a_later_upload_puts_its_values_back(engine):
    import_indicators(engine)
    first = values_workbook(["YS02", "", "南山区", "2022-03", 10, ""])
    assert import_file(engine, first, "a.xlsx").status == "accepted"
    later = values_workbook(["YS02", "", "南山区", "2022-03", 12, "修正"])
    assert import_file(engine, later, "b.xlsx").status == "accepted"
    again = import_file(engine, first, "a.xlsx")
    assert (again.status, again.rows_replaced) == ("accepted", 1)
    with engine.connect() as conn:
        current = conn.execute(
            select(IndicatorValue.value).where(
                IndicatorValue.is_current, IndicatorValue.district_id == 4
            )
        ).scalar_one()
    assert current == 10
    once_more = import_file(engine, first, "a.xlsx")  # nothing stored since: not read again
    assert (once_more.status, once_more.submission_id) == ("unchanged", again.submission_id)


@pytest.mark.parametrize("look_alike", ["Ａ1-01", "A1-01\u200b", "\ufeffA1－01", "a1-01", "ａ1-01"])
def test_a_code_written_full_width_lower_case_or_with_zero_width_characters_is_the_same_code(
    engine, look_alike
):
    """Such codes are A1-01 to a clerk: the same key, so the same task."""
    first = make_xlsx({"任务清单": [TASK_HEADER, [*A1_01, 60, "", "", "", "2022-Q1"]]})
    assert import_file(engine, first, "a.xlsx").status == "accepted"
    again = [look_alike, *A1_01[1:], 100, "已完成", "完成", "", "2022-Q1"]
    report = import_file(engine, make_xlsx({"任务清单": [TASK_HEADER, again]}), "b.xlsx")
    assert (report.status, report.rows_new, report.rows_replaced) == ("accepted", 0, 1)
    with engine.connect() as conn:
        assert conn.execute(select(Task.code).where(Task.is_current)).scalars().all() == ["A1-01"]


def test_an_indicator_code_in_lower_case_is_the_indicator(engine):
    import_indicators(engine)
    report = import_values(engine, "a.xlsx", ["ys02", "", "南山区", "2022-03", 10, ""])
    assert (report.status, report.errors) == ("accepted", [])
    with engine.connect() as conn:
        codes = conn.execute(select(IndicatorValue.indicator_code)).scalars().all()
    assert codes == ["YS02"]


def test_a_value_for_a_period_finer_than_its_indicators_frequency_is_refused(engine):
    """YS03 is quarterly: a month's value would never be counted, the quarter shown as
    not reported. A coarser period (the year's figure) is read as that period's."""
    import_indicators(engine)
    report = import_values(
        engine,
        "a.xlsx",
        ["YS03", "", "南山区", "2022-03", 96.0, ""],  # a plain number: the fast path
        ["YS03", "", "福田区", "2022年3月", "95%", ""],  # parsed row by row
        ["YS03", "", "南山区", "2022-Q1", 96.0, ""],
        ["YS03", "", "南山区", "2022", 97.0, ""],
    )
    assert report.status == "rejected"
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (2, "期间", "2022-03"),
        (3, "期间", "2022年3月"),
    ]
    assert "季度" in report.errors[0].message and "2022年第一季度" in report.errors[0].message
    wide = make_xlsx({"Sheet1": [["2022年3月各区数据"], ["地区", "诉求办结率"], ["南山区", 96]]})
    report = import_file(engine, wide, "wide.xlsx")
    assert (report.status, [e.row for e in report.errors]) == ("rejected", [3])
    assert "季度" in report.errors[0].message
    coarser = import_values(engine, "b.xlsx", ["YS03", "", "南山区", "2022", 97.0, ""])
    assert coarser.status == "accepted"


def test_a_task_deadline_before_its_start_date_is_an_error_naming_both(engine):
    late_start = [*A1_01[:6], dt.datetime(2022, 7, 1), A1_01[7], 60, "", "", "", "2022-Q1"]
    report = import_file(engine, make_xlsx({"任务清单": [TASK_HEADER, late_start]}), "t.xlsx")
    assert report.status == "rejected"
    assert [(e.row, e.column, e.value) for e in report.errors] == [(2, "完成时限", "2022年6月底前")]
    message = report.errors[0].message
    assert all(w in message for w in ("开始日期", "2022-07-01", "完成时限", "2022-06-30"))
    assert count(engine, Task) == 0


def test_an_activitys_counts_may_carry_the_word_for_what_they_count(engine):
    row = activity_row(
        date=dt.datetime(2022, 3, 15),
        name="宣讲会",
        brand="",
        companies="8家",
        participants="120人",
    )
    report = import_file(engine, make_xlsx({"活动台账": [ACTIVITY_HEADER, row]}), "a.xlsx")
    assert (report.status, report.errors) == ("accepted", [])
    with engine.connect() as conn:
        counts = conn.execute(select(Activity.enterprise_count, Activity.participant_count)).one()
    assert tuple(counts) == (8, 120)


@pytest.mark.parametrize("day", [dt.datetime(1900, 1, 1), "1999-12-31", "2062-03-15"])
def test_an_activity_date_outside_the_plausible_years_is_an_error(engine, day):
    row = activity_row(date=day, name="宣讲会", brand="", companies=8, participants=20)
    report = import_file(engine, make_xlsx({"活动台账": [ACTIVITY_HEADER, row]}), "a.xlsx")
    assert report.status == "rejected"
    assert [(e.row, e.column) for e in report.errors] == [(2, "活动日期")]
    assert f"2000 年至 {dt.date.today().year + 1} 年" in report.errors[0].message
    assert count(engine, Activity) == 0


def test_a_stated_status_contradicting_the_progress_is_a_warning_at_the_status_cell(engine):
    rows = [
        [*A1_01, 0, "已完成", "", "", "2022-Q1"],
        ["A1-02", *A1_01[1:], 100, "未启动", "", "", "2022-Q1"],
        ["A1-03", *A1_01[1:], 100, "已完成", "", "", "2022-Q1"],
        ["A1-04", *A1_01[1:], 0, "未启动", "", "", "2022-Q1"],
    ]
    report = import_file(engine, make_xlsx({"任务清单": [TASK_HEADER, *rows]}), "t.xlsx")
    assert (report.status, report.errors) == ("accepted", [])
    assert [(w.row, w.column, w.value, w.code) for w in report.warnings] == [
        (2, "任务状态", "已完成", "validate.task_completed_below_100"),
        (3, "任务状态", "未启动", "validate.task_not_started_with_progress"),
    ]
    assert "0%" in report.warnings[0].message and "100%" in report.warnings[1].message


def issue_row(code: str, district: str = "南山区") -> list:
    return [
        code,
        dt.datetime(2022, 3, 1),
        district,
        "深圳市某某科技有限公司",
        "融资贷款",
        "贷款受阻",
        "",
        "办理中",
    ]


def test_an_issue_number_written_in_both_cases_in_one_file_is_a_duplicate(engine):
    data = make_xlsx({"企业诉求": [ISSUE_HEADER[:8], issue_row("DUP001"), issue_row("dup001")]})
    report = import_file(engine, data, "dup.xlsx")
    assert report.status == "rejected"
    assert [(e.row, e.value, "第 2 行" in e.message) for e in report.errors] == [
        (3, "DUP001", True)
    ]
    assert count(engine, EnterpriseIssue) == 0


def test_another_districts_issue_number_in_lower_case_is_refused_to_staff(engine):
    from data_model.ingest.importer import SubmitterScope

    nanshan = make_xlsx({"企业诉求": [ISSUE_HEADER[:8], issue_row("SQ2021003")]})
    assert import_file(engine, nanshan, "nanshan.xlsx").status == "accepted"
    futian = make_xlsx({"企业诉求": [ISSUE_HEADER[:8], issue_row("sq2021003", "福田区")]})
    scope = SubmitterScope(districts=frozenset({"福田区"}))
    options = ImportOptions(scope=scope, valid_rows_only=True)
    report = import_file(engine, futian, "futian.xlsx", options)
    assert report.status == "rejected"
    assert [(e.row, e.column, "SQ2021003" in e.message) for e in report.errors] == [
        (2, "诉求编号", True)
    ]
    with engine.connect() as conn:
        codes = conn.execute(select(EnterpriseIssue.code, EnterpriseIssue.district_id)).all()
    assert [code for code, _ in codes] == ["SQ2021003"]


def test_later_submission_supersedes_and_keeps_history(engine):
    import_indicators(engine)
    first = import_values(engine, "a.xlsx", ["YS02", "", "南山区", "2022-03", 10, ""])
    second = import_file(
        engine,
        values_workbook(
            ["YS02", "", "南山区", "2022-03", 12, "修正"],
            ["YS02", "", "福田区", "2022-03", 5, ""],
        ),
        "b.xlsx",
    )
    assert (second.rows_new, second.rows_replaced, second.rows_unchanged) == (1, 1, 0)
    with engine.connect() as conn:
        history = conn.execute(
            select(IndicatorValue.value, IndicatorValue.is_current, IndicatorValue.submission_id)
            .where(IndicatorValue.district_id == 4)
            .order_by(IndicatorValue.id)
        ).all()
        statuses = dict(conn.execute(select(Submission.id, Submission.status)).all())
    assert [tuple(r) for r in history] == [
        (10.0, False, first.submission_id),
        (12.0, True, second.submission_id),
    ]
    assert statuses[first.submission_id] == "superseded"


def test_hidden_sheet_is_skipped_with_a_warning(engine):
    data = make_xlsx({"指标体系": indicator_rows(), "旧数据": indicator_rows()}, hidden=("旧数据",))
    report = import_file(engine, data, "hidden.xlsx")
    assert report.status == "accepted"
    assert [w.sheet for w in report.warnings] == ["旧数据"]
    assert count(engine, Indicator) == 3


def test_missing_required_column_names_the_columns(engine):
    data = make_xlsx({"指标体系": [["指标编码", "维度"], ["YS01", "营商环境"]]})
    report = import_file(engine, data, "short.xlsx")
    assert report.status == "rejected"
    assert "指标名称" in report.errors[0].message


def test_a_sheet_close_to_a_kind_names_the_columns_found_as_written_and_those_missing(engine):
    # Not named after a kind, a title row above a two-row header whose lower row names
    # three of the values' columns: 期间 is missing.
    data = make_xlsx(
        {
            "Sheet1": [
                ["2022年各区数据"],
                ["基本信息", "", "填报"],
                [" 指标 编码", "所属区", "数值（亿元）", "说明"],
                ["YS01", "南山区", 5, ""],
            ]
        }
    )
    report = import_file(engine, data, "close.xlsx")
    assert report.status == "rejected"
    assert [e.message for e in report.errors] == [
        "看起来是“指标数据”表（已识别的列：指标 编码、所属区、数值（亿元）、说明），"
        "但缺少必填列：期间。请补上这些列，或改用模板“填写说明”中列出的列名。"
    ]


def test_not_a_workbook_is_rejected_with_one_reason(engine):
    report = import_file(engine, "区,数值\n南山区,1\n".encode(), "data.xlsx")
    assert report.status == "rejected"
    assert len(report.errors) == 1
    assert "不是 Excel" in report.errors[0].message


def test_staff_scope_rejects_rows_for_another_district_naming_them(engine):
    from data_model.ingest.importer import SubmitterScope

    import_indicators(engine)
    data = values_workbook(
        ["YS02", "", "南山区", "2022-03", 1, ""],
        ["YS02", "", "福田区", "2022-03", 2, ""],
    )
    scope = SubmitterScope(districts=frozenset({"南山区"}))
    report = import_file(engine, data, "mixed.xlsx", ImportOptions(scope=scope))
    assert report.status == "rejected"
    assert [(e.row, "福田区" in e.message) for e in report.errors] == [(3, True)]
    own = values_workbook(["YS02", "", "南山区", "2022-03", 1, ""])
    assert import_file(engine, own, "own.xlsx", ImportOptions(scope=scope)).status == "accepted"
    indicators = make_xlsx({"指标体系": indicator_rows()[:2]})
    refused = import_file(engine, indicators, "i2.xlsx", ImportOptions(scope=scope))
    assert "管理员" in refused.errors[0].message


def where(problems) -> list[tuple]:
    """Each problem's row, column, value as written and 0-based cell."""
    return [(p.row, p.column, p.value, p.cell) for p in problems]


def test_a_value_row_outside_the_staff_scope_is_an_error_at_its_district_cell(engine):
    from data_model.ingest.importer import SubmitterScope

    import_indicators(engine)
    data = values_workbook(
        ["YS02", "", "南山区", "2022-03", 1, ""],
        ["YS02", "", "福田区", "2022-03", 2, ""],
        ["YS02", "", "福田", "2022-04", 3, ""],
        ["YS02", "", "全市", "2022-03", 4, ""],
    )
    scope = SubmitterScope(districts=frozenset({"南山区"}))
    report = import_file(engine, data, "mixed.xlsx", ImportOptions(scope=scope))
    assert report.status == "rejected"
    assert where(report.errors) == [
        (3, "区", "福田区", (2, 2)),
        (4, "区", "福田", (3, 2)),  # as written, not as stored
        (5, "区", "全市", (4, 2)),
    ]
    assert "福田区" in report.errors[1].message


def test_a_wide_row_outside_the_staff_scope_is_an_error_at_its_district_label(engine):
    from data_model.ingest.importer import SubmitterScope

    import_indicators(engine)
    data = make_xlsx(
        {
            "Sheet1": [
                ["2022年3月各区数据"],
                ["地区", "企业开办时间", "新增民营企业数"],
                ["南山区", 1, 10],
                ["福田区", 2, 20],
            ]
        }
    )
    scope = SubmitterScope(districts=frozenset({"南山区"}))
    report = import_file(engine, data, "wide.xlsx", ImportOptions(scope=scope))
    assert report.sheets[0].layout == "districts_x_indicators"
    assert where(report.errors) == [
        (4, "地区", "福田区", (3, 0)),
        (4, "地区", "福田区", (3, 0)),
    ]


def test_a_task_outside_the_staff_scope_is_an_error_at_the_cell_naming_its_owner(engine):
    from data_model.ingest.importer import SubmitterScope

    admin = make_xlsx({"任务清单": [TASK_HEADER, [*A1_01, 60, "", "", "福田区", "2022-Q1"]]})
    assert import_file(engine, admin, "admin.xlsx").status == "accepted"
    data = make_xlsx(
        {
            "任务清单": [
                TASK_HEADER,
                ["N1-01", *A1_01[1:], 60, "", "", "南山区", "2022-Q1"],
                ["N1-02", *A1_01[1:], 60, "", "", "福田区", "2022-Q1"],
                ["N1-03", *A1_01[1:], 60, "", "", "", "2022-Q1"],
                [*A1_01, 80, "", "", "南山区", "2022-Q1"],
            ]
        }
    )
    scope = SubmitterScope(districts=frozenset({"南山区"}))
    report = import_file(engine, data, "tasks.xlsx", ImportOptions(scope=scope))
    assert report.status == "rejected"
    assert where(report.errors) == [
        (3, "所属区", "福田区", (2, 11)),
        # A city task: its lead unit is the cell that places it outside the scope.
        (4, "牵头单位", "市发展改革委", (3, 3)),
        # Its code is another district's task.
        (5, "任务编号", "A1-01", (4, 0)),
    ]


def test_a_sheet_whose_metadata_names_another_district_is_refused_at_that_cell(engine):
    from data_model.ingest.importer import SubmitterScope

    import_indicators(engine)
    data = make_xlsx(
        {
            "Sheet1": [
                ["地区：福田区"],
                ["指标", "2022年1月", "2022年2月"],
                ["企业开办时间", 1, 2],
            ]
        }
    )
    scope = SubmitterScope(districts=frozenset({"南山区"}))
    report = import_file(engine, data, "one.xlsx", ImportOptions(scope=scope))
    assert report.sheets[0].layout == "indicators_x_periods"
    # Every value of the sheet is refused at the one cell that names its district.
    assert where(report.errors) == [(1, "A", "地区：福田区", (0, 0))] * 2
