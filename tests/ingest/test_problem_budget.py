"""A file lists its first problems one by one and counts the rest (`problems.ProblemBudget`).

A wide table of 3,000 rows by 999 periods, every cell a duplicate, made 2.7 million
problems that held 2.2 GB of the app's memory.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_model import problems
from data_model.accounts.permissions import Principal
from data_model.admin.master_workbook import import_workbook
from data_model.ingest.importer import ImportOptions, import_file
from data_model.problems import ImportReport, Problem, ProblemBudget, SheetReport
from data_model.workflow.upload import prepare, problem_groups
from tests.app.test_upload import PAGE, upload
from tests.conftest import VALUE_HEADER, import_indicators, make_xlsx, sign_in_app


def problem(sheet: str, row: int) -> Problem:
    return Problem(sheet, row, "区", "福天区", "未知的区")


def test_a_files_sheets_list_problems_while_its_budget_lasts_then_count_them():
    budget = ProblemBudget(3)
    first, second = SheetReport("A", budget=budget), SheetReport("B", budget=budget)
    first.add_warning(problem("A", 1))
    first.add_error(problem("A", 2))
    first.add_error(problem("A", 3))
    first.add_error(problem("A", 4))  # past the budget
    second.add_warning(problem("B", 1))  # past it too
    second.add_error(problem("B", 2))  # the sheet's first error, listed whatever the budget
    second.add_error(problem("B", 3))
    second.add_error(problem("B", 4))
    assert [p.row for p in first.warnings] == [1]
    assert [p.row for p in first.errors] == [2, 3]
    assert (first.unlisted_errors, first.unlisted_warnings) == (1, 0)
    assert [p.row for p in second.errors] == [2]
    assert second.warnings == []
    assert (second.unlisted_errors, second.unlisted_warnings) == (2, 1)
    report = ImportReport("f.xlsx", "rejected", sheets=[first, second])
    assert (report.error_count, report.problem_count, report.unlisted_count) == (6, 8, 4)
    assert report.to_dict()["sheets"][1]["unlisted_errors"] == 2


def test_a_budget_is_the_files_own():
    assert ProblemBudget().left == problems.MAX_LISTED_PROBLEMS == 100_000
    assert SheetReport("A").budget is not SheetReport("B").budget


@pytest.fixture
def budget_of_ten(monkeypatch):
    monkeypatch.setattr(problems, "MAX_LISTED_PROBLEMS", 10)


def wrong_rows(count: int) -> bytes:
    """A values sheet of `count` rows, each naming an unknown district."""
    rows = [["YS02", "", "福天区", "2022-03", n, ""] for n in range(count)]
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def test_the_importer_counts_every_error_and_lists_the_budgets(db_engine, budget_of_ten):
    import_indicators(db_engine)
    report = import_file(db_engine, wrong_rows(30), "wrong.xlsx")
    assert report.status == "rejected"
    assert report.error_count == 30
    assert [p.row for p in report.errors] == list(range(2, 12))
    assert report.sheets[0].unlisted_errors == 20
    assert (report.sheets[0].rows_read, report.sheets[0].rows_valid) == (30, 0)
    assert "30" in report.message
    valid_too = make_xlsx(
        {
            "指标数据": [
                VALUE_HEADER,
                *[["YS02", "", "福天区", "2022-03", n, ""] for n in range(30)],
                ["YS02", "", "南山区", "2022-03", 7, ""],
            ]
        }
    )
    partial = import_file(db_engine, valid_too, "partly.xlsx", ImportOptions(valid_rows_only=True))
    assert partial.status == "partial"
    assert partial.rows_new == 1
    assert partial.error_count == 30
    assert (partial.sheets[0].rows_read, partial.sheets[0].rows_valid) == (31, 1)


def test_a_previews_rows_checked_again_at_commit_draw_on_a_copy_of_its_budget(
    db_engine, budget_of_ten
):
    import_indicators(db_engine)
    admin = Principal("chen", "admin")
    pending = prepare(db_engine, admin, "wrong.xlsx", wrong_rows(30), ImportOptions())
    assert pending.report.error_count == 30 and len(pending.report.errors) == 10
    kept = pending.report.validated
    sheets, _ = kept.fresh()
    sheets[0].add_error(problem("指标数据", 99))  # as the commit's checks add them
    assert sheets[0].unlisted_errors == 21
    assert kept.sheets[0].unlisted_errors == 20
    assert kept.fresh()[0][0].unlisted_errors == 20
    groups = problem_groups(pending.report)
    assert groups["count"].tolist() == [10]  # the listed ones, counted by kind


def test_the_master_workbook_counts_its_errors_too(db_engine, budget_of_ten):
    rows = [["名称", "类别", "上级单位"], *[[f"单位{n}", "其他", f"单位{n}"] for n in range(25)]]
    with db_engine.connect() as conn:
        report = import_workbook(
            conn, Principal("chen", "admin"), make_xlsx({"责任单位": rows}), "units.xlsx"
        )
    assert report.status == "rejected"
    assert report.error_count == 25
    assert len(report.errors) == 10
    assert "25" in report.message


def test_the_upload_page_says_how_many_problems_were_only_counted(
    empty_db, monkeypatch, budget_of_ten
):
    import ui  # the page's problem tables (before any patch: it binds the page's limit)

    monkeypatch.setattr(ui, "PROBLEMS_IN_PAGE", 5)
    engine = empty_db.open()
    import_indicators(engine)
    engine.dispose()
    empty_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    app = upload(app, "wrong.xlsx", wrong_rows(30))
    assert not app.exception
    note = next(i.value for i in app.info if i.value.startswith("共发现 30 处问题"))
    assert "只记录了前 10 处的详情" in note and "其余 20 处只计数" in note
