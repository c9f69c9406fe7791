"""A file lists its first problems one by one and counts the rest (`problems.ProblemBudget`).

A wide table of 3,000 rows by 999 periods, every cell a duplicate, made 2.7 million
problems that held 2.2 GB of the app's memory.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_model import problems
from data_model.accounts.permissions import Principal
from data_model.admin.master_workbook import import_workbook
from data_model.ingest.importer import ImportOptions, import_file
from data_model.problems import ImportReport, Problem, ProblemBudget, SheetReport
from data_model.store.models import Explanation, Submission
from data_model.workflow.upload import (
    commit,
    explain_rows,
    explanations_to_ask,
    prepare,
    problem_groups,
)
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


# --- sharp changes past the budget -----------------------------------------------------

TEN_DISTRICTS = ["罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "盐田区", "龙华区"]
TEN_DISTRICTS += ["坪山区", "光明区", "大鹏新区"]


def values_in(value: float, months: tuple[str, ...]) -> bytes:
    """YS02 (a monthly count, no miss of its annual target) of ten districts in `months`."""
    rows = [["YS02", "", d, f"2022-{m}", value, ""] for d in TEN_DISTRICTS for m in months]
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


@pytest.fixture
def in_yuan(db_engine, budget_of_ten, monkeypatch):
    """January to March stored in 万元; the file of February to April in 元 (× 100): each
    of its 30 rows a sharp change against its month before, and a budget of ten problems."""
    monkeypatch.setenv("EXPLANATIONS_REQUIRED", "1")
    import_indicators(db_engine)
    assert import_file(db_engine, values_in(10, ("01", "02", "03")), "wan.xlsx").status == (
        "accepted"
    )
    return values_in(1000, ("02", "03", "04"))


def test_sharp_changes_past_the_budget_are_counted_and_each_row_still_needs_its_explanation(
    db_engine, in_yuan
):
    """Every sharp change was kept as a Problem (300,000 rows of a file in 元, 800 bytes
    each), past the budget its sheet lists."""
    report = import_file(db_engine, in_yuan, "yuan.xlsx")
    assert [p.row for p in report.sharp_changes] == list(range(2, 12))
    hint, *listed = report.warnings
    assert report.sharp_changes == listed  # the same ten, not copies
    # Every one is 100 times its month before: said once, first, past the budget too.
    assert (hint.row, hint.code) == (None, "plausibility.unit_scale")
    assert report.scale_hints == [hint.message]
    assert hint.message.startswith("工作表“指标数据”中有 30 个数值约为上期的 100 倍")
    assert (report.unlisted_sharp_changes, report.sharp_change_count) == (20, 30)
    assert report.status == "rejected"
    # Each of the 30 rows lacks its explanation, whether its sharp change is listed or not.
    assert (report.unexplained_rows, report.error_count) == (30, 30)


def test_the_text_for_the_rest_explains_the_rows_past_the_budget_and_all_are_confirmed(
    db_engine, in_yuan
):
    report = import_file(
        db_engine,
        in_yuan,
        "yuan.xlsx",
        ImportOptions(explain_rest="报送单位误用元为单位", confirm_warnings=True),
    )
    assert report.status == "accepted", report.errors
    assert report.rows_new + report.rows_replaced == 30
    with db_engine.connect() as conn:
        texts = conn.execute(select(Explanation.text, Explanation.source)).all()
        confirmed = conn.execute(
            select(Submission.confirmed_warnings).where(Submission.id == report.submission_id)
        ).scalar_one()
    assert sorted(map(tuple, texts)) == [("报送单位误用元为单位", "page")] * 30
    assert [c["row"] for c in confirmed[:-1]] == list(range(2, 12))
    assert confirmed[-1] == {"unlisted": 20}


def test_the_page_flow_explains_the_row_it_asks_and_the_rest_with_one_text(db_engine, in_yuan):
    """The budget went to the sharp-change warnings, so the report lists one missing
    explanation: the page asked for that row, and its text for "the remaining rows" went to
    that row alone; the other 29 stayed unexplained, check after check."""
    admin = Principal("chen", "admin")
    pending = prepare(db_engine, admin, "yuan.xlsx", in_yuan, ImportOptions())
    asked, rest = explanations_to_ask(pending.report)
    assert ([n.row for n in asked], rest) == ([2], 29)
    typed = {(asked[0].sheet, asked[0].row): "南山区二月数据已核实"}
    explained = explain_rows(db_engine, admin, pending, typed, ImportOptions(), "单位误用元")
    assert explained.report.status == "accepted", explained.report.errors
    assert explanations_to_ask(explained.report) == ([], 0)
    result = commit(db_engine, admin, explained, ImportOptions(confirm_warnings=True))
    assert result.status == "accepted"
    with db_engine.connect() as conn:
        texts = conn.execute(select(Explanation.text)).scalars().all()
    assert sorted(texts) == ["单位误用元"] * 29 + ["南山区二月数据已核实"]


def test_the_upload_page_counts_the_unlisted_sharp_changes_and_explains_every_row(
    db_engine, in_yuan, empty_db, monkeypatch
):
    empty_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(PAGE, default_timeout=60), empty_db).run()
    app = upload(app, "yuan.xlsx", in_yuan)
    assert not app.exception
    assert [a.label for a in app.text_area] == [
        "第 2 行 YS02 · 罗湖区 · 2022-02（较上期变化异常）的情况说明",
        "其余各行统一使用的情况说明（可选，上面未填写的行使用此说明）",
    ]
    assert any(c.value.startswith("另有 29 行未逐行列出") for c in app.caption)
    app.text_area[1].input("报送单位误用元为单位")
    next(b for b in app.button if b.label == "保存情况说明并重新检查").click()
    app.run()
    assert not app.exception
    assert any("已保存 30 条情况说明" in s.value for s in app.success)
    assert [w.value for w in app.warning if "计量单位" in w.value] == [
        "工作表“指标数据”中有 30 个数值约为上期的 100 倍：文件的计量单位可能与以往不同"
        "（例如以元填报了万元指标）。请先核对单位，改正后重新上传，不要直接确认。"
    ]
    confirm = next(c for c in app.checkbox if c.label.startswith("我已核实"))
    assert confirm.label == (
        "我已核实这 30 处与上期相比变化较大的数据（其中 20 处问题太多未逐条列出，只计数），确认无误"
    )
    confirm.check().run()
    next(b for b in app.button if b.label == "确认导入").click().run()
    assert not app.exception
    with db_engine.connect() as conn:
        texts = conn.execute(select(Explanation.text)).scalars().all()
    assert texts == ["报送单位误用元为单位"] * 30
