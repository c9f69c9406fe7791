"""情况说明: which rows need one, where it comes from, how it is stored and where it shows.

On both engines. The requirement is on (EXPLANATIONS_REQUIRED=1) in every test here; the
shared conftest turns it off for the older workbooks of other modules.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.cli import main
from data_model.ingest.annotate import annotated_workbook
from data_model.ingest.importer import ImportOptions, import_file
from data_model.outputs.bulletin import bulletin_figures, bulletin_tables
from data_model.outputs.presentation import build_slides
from data_model.queries.task_queries import behind_tasks, overdue_tasks, scoped_tasks
from data_model.queries.task_status import task_status_frame
from data_model.queries.trends_queries import trend_series
from data_model.store.models import Explanation, IndicatorValue, TaskSnapshot
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.task_workbook import task_rows

AS_OF = date(2022, 12, 31)
K03_ROW, K04_ROW = 7, 8  # Excel rows of K03's 2022-Q4 (overdue) and K04's (behind) reports


@pytest.fixture
def engine(db_engine, monkeypatch):
    monkeypatch.setenv("EXPLANATIONS_REQUIRED", "1")
    monkeypatch.delenv("EXPLAIN_TARGET_MARGIN", raising=False)
    return db_engine


def tasks_xlsx(notes: dict[str, str] | None = None) -> bytes:
    """The shared task list; with `notes`, a 进展情况 column holding notes[code] on every
    report of that code."""
    rows = task_rows()
    if notes is not None:
        rows = [rows[0] + ["进展情况"]] + [row + [notes.get(row[0], "")] for row in rows[1:]]
    return make_xlsx({"任务清单": rows})


def explanations_of(conn, model, *keys: str) -> list[tuple]:
    """(row table, *keys, reasons, text, source) of the explanations stored for `model`'s rows."""
    columns = [getattr(model, key) for key in keys]
    return conn.execute(
        select(
            Explanation.row_table,
            *columns,
            Explanation.reasons,
            Explanation.text,
            Explanation.source,
        )
        .join(model, model.id == Explanation.row_id)
        .where(Explanation.row_table == model.__tablename__)
    ).all()


def stored(engine) -> list[tuple]:
    """(row table, key, reasons, text, source) of every stored explanation."""
    with engine.connect() as conn:
        tasks = explanations_of(conn, TaskSnapshot, "task_code", "report_period")
        values = explanations_of(conn, IndicatorValue, "indicator_code", "period")
    return sorted((t, f"{a} {b}", r, x, s) for t, a, b, r, x, s in [*tasks, *values])


def needs(report) -> list[tuple]:
    return [
        (p.sheet, p.row, p.explanation.subject, p.explanation.reasons)
        for p in report.errors
        if p.explanation is not None
    ]


def test_overdue_and_behind_reports_without_a_reason_are_refused_naming_each_row(engine):
    report = import_file(engine, tasks_xlsx(), "tasks.xlsx")
    assert report.status == "rejected"
    assert needs(report) == [
        ("任务清单", K03_ROW, "K03", ("overdue",)),
        ("任务清单", K04_ROW, "K04", ("behind",)),
    ]
    assert [p.message for p in report.errors] == [
        "K03逾期，需填写情况说明。",
        "K04滞后，需填写情况说明。",
    ]
    assert "进展情况" in report.errors[0].suggestion
    assert stored(engine) == []


def test_the_progress_column_is_the_explanation_stored_with_the_exact_report(engine):
    notes = {"K03": "平台招标两次流标，已重新发包", "K04": "龙头企业名单待市政府审定"}
    report = import_file(engine, tasks_xlsx(notes), "tasks.xlsx")
    assert report.status == "accepted", report.errors
    assert stored(engine) == [
        ("task_snapshot", "K03 2022-Q4", "overdue", notes["K03"], "sheet"),
        ("task_snapshot", "K04 2022-Q4", "behind", notes["K04"], "sheet"),
    ]


def test_the_marked_copy_says_what_to_do_about_a_missing_explanation(engine):
    # Its comment read "建议改为：在“进展情况”列写明原因…", as if that were the cell's value.
    data = tasks_xlsx()
    report = import_file(engine, data, "tasks.xlsx")
    marked = load_workbook(io.BytesIO(annotated_workbook(data, "tasks.xlsx", report)))
    comment = marked["任务清单"].cell(K03_ROW, 1).comment.text
    assert comment.endswith("\n在“进展情况”列写明原因，或在上传页面填写情况说明。")
    assert "建议改为" not in comment


def test_text_typed_in_the_page_explains_its_row_and_only_that_row(engine):
    typed = {("任务清单", K03_ROW): "  平台招标两次流标  "}
    report = import_file(
        engine, tasks_xlsx(), "tasks.xlsx", ImportOptions(explanations=typed, dry_run=True)
    )
    assert needs(report) == [("任务清单", K04_ROW, "K04", ("behind",))]
    typed[("任务清单", K04_ROW)] = "名单待审定"
    report = import_file(engine, tasks_xlsx(), "tasks.xlsx", ImportOptions(explanations=typed))
    assert report.status == "accepted"
    assert stored(engine) == [
        ("task_snapshot", "K03 2022-Q4", "overdue", "平台招标两次流标", "page"),
        ("task_snapshot", "K04 2022-Q4", "behind", "名单待审定", "page"),
    ]


def test_valid_rows_only_leaves_the_unexplained_rows_out(engine):
    report = import_file(engine, tasks_xlsx(), "tasks.xlsx", ImportOptions(valid_rows_only=True))
    assert report.status == "partial"
    with engine.connect() as conn:
        kept = set(conn.execute(select(TaskSnapshot.task_code, TaskSnapshot.report_period)))
    assert ("K03", "2022-Q2") in kept
    assert ("K03", "2022-Q4") not in kept and ("K04", "2022-Q4") not in kept


def test_the_command_line_reports_the_rows_unless_explain_is_given(engine, tmp_path, capsys):
    path = tmp_path / "tasks.xlsx"
    path.write_bytes(tasks_xlsx())
    url = engine.url.render_as_string(hide_password=False)
    assert main(["import", str(path), "--db", url]) == 1
    out = capsys.readouterr().out
    assert "K03逾期，需填写情况说明" in out and "K04滞后" in out
    # What to do is said as it is, not asked as a value ("（是否为：在…。？）").
    # The command line's own option, not the upload page, is named.
    assert '。 在“进展情况”列写明原因，或加 --explain "说明" 为每一行填写情况说明。\n' in out
    assert "是否为" not in out
    assert main(["import", str(path), "--db", url, "--explain", "受疫情影响，已调整计划"]) == 0
    assert [(key, source) for _, key, _, _, source in stored(engine)] == [
        ("K03 2022-Q4", "cli"),
        ("K04 2022-Q4", "cli"),
    ]


def with_indicators(engine) -> None:
    report = import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    assert report.status == "accepted"


def values_xlsx(*rows) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def test_a_value_off_target_by_more_than_the_margin_needs_an_explanation(engine, monkeypatch):
    with_indicators(engine)
    data = values_xlsx(
        ["YS03", "", "南山区", "2022-Q1", 80, ""],  # 期末值, target 95: 80 < 85.5
        ["YS03", "", "福田区", "2022-Q1", 90, ""],  # within 10% of 95
        ["YS01", "", "南山区", "2022-01", 1.2, ""],  # 逆向, target 1: 1.2 > 1.1
        ["YS02", "", "南山区", "2022-01", 5, ""],  # 求和 by month: a part of the year's target
        ["YS02", "", "福田区", "2022", 500, ""],  # the year's total against the target 1000
    )
    report = import_file(engine, data, "values.xlsx", ImportOptions(dry_run=True))
    assert needs(report) == [
        ("指标数据", 2, "YS03 · 南山区 · 2022-Q1", ("missed_target",)),
        ("指标数据", 4, "YS01 · 南山区 · 2022-01", ("missed_target",)),
        ("指标数据", 6, "YS02 · 福田区 · 2022", ("missed_target",)),
    ]
    monkeypatch.setenv("EXPLAIN_TARGET_MARGIN", "1")
    report = import_file(engine, data, "values.xlsx", ImportOptions(dry_run=True))
    assert [row for _, row, _, _ in needs(report)] == [2, 3, 4, 6]


def test_a_sharp_change_needs_one_and_the_note_column_gives_it(engine):
    with_indicators(engine)
    assert import_file(engine, values_xlsx(["YS02", "", "南山区", "2022-01", 10, ""]), "a.xlsx")
    jump = values_xlsx(["YS02", "", "南山区", "2022-02", 45, ""])
    report = import_file(engine, jump, "b.xlsx", ImportOptions(dry_run=True))
    assert needs(report) == [("指标数据", 2, "YS02 · 南山区 · 2022-02", ("sharp_change",))]
    noted = values_xlsx(["YS02", "", "南山区", "2022-02", 45, "春节后集中登记"])
    assert import_file(engine, noted, "c.xlsx").status == "accepted"
    assert stored(engine) == [
        ("indicator_value", "YS02 2022-02", "sharp_change", "春节后集中登记", "sheet")
    ]
    with engine.connect() as conn:
        by_month = trend_series(conn, "YS02", "month", "2022-01", "2022-02", ("南山区",))
        by_quarter = trend_series(conn, "YS02", "quarter", "2022-Q1", "2022-Q1", ("南山区",))
    assert by_month["explanation"].tolist() == ["", "春节后集中登记"]
    assert by_quarter["explanation"].tolist() == ["春节后集中登记"]


def test_explanations_show_in_the_lists_the_bulletin_and_the_presentation(engine):
    notes = {"K03": "平台招标两次流标，已重新发包", "K04": "龙头企业名单待市政府审定"}
    assert import_file(engine, tasks_xlsx(notes), "tasks.xlsx").status == "accepted"
    with engine.connect() as conn:
        frame = task_status_frame(conn, AS_OF)
        tasks = scoped_tasks(conn, AS_OF)
        bulletin = bulletin_figures(conn, "2022", today=date(2023, 3, 1))
        slides = build_slides(conn, ("tasks",), "2022", "quarter", today=date(2023, 3, 1))
    explained = frame[frame["explanation"] != ""]
    assert dict(zip(explained["code"], explained["explanation"], strict=True)) == notes
    assert overdue_tasks(tasks)["explanation"].tolist() == [notes["K03"]]
    assert behind_tasks(tasks, AS_OF)["explanation"].tolist() == [notes["K04"]]
    overdue_table = next(t for t in bulletin_tables(bulletin) if t.key == "overdue")
    assert overdue_table.headers[-1] == "情况说明"
    assert [row[-1] for row in overdue_table.rows] == [notes["K03"]]
    overdue_slide = next(s for s in slides if s.key == "overdue")
    assert notes["K03"] in overdue_slide.frame["hover"].iloc[0]
    assert "平台招标两次流标" in overdue_slide.frame["text"].iloc[0]


def test_an_earlier_report_keeps_its_own_explanation_after_a_later_one(engine):
    notes = {"K03": "平台招标两次流标", "K04": "名单待审定"}
    assert import_file(engine, tasks_xlsx(notes), "tasks.xlsx").status == "accepted"
    with engine.connect() as conn:
        before = task_status_frame(conn, date(2022, 9, 30)).set_index("code")
    # K03's report of 2022-Q2 was on schedule: nothing to explain on that date.
    assert before.loc["K03", "report_period"] == "2022-Q2"
    assert before.loc["K03", "explanation"] == ""
