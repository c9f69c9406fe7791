"""What the upload page relies on: annotated workbooks, in-page fixes, warnings, stored files."""

from __future__ import annotations

import contextvars
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.i18n import language_in_use, use_language
from data_model.ingest.annotate import annotated_workbook
from data_model.ingest.importer import ImportOptions, apply_edits, import_file, import_sheets
from data_model.ingest.reader import read_workbook
from data_model.store.models import Submission, SubmissionFile
from tests.conftest import (
    VALUE_HEADER,
    import_indicators,
    import_values,
    indicator_rows,
    make_xls,
    make_xlsx,
    values_workbook,
)
from tests.raw_xlsx import one_sheet_xlsx

BAD = values_workbook(
    ["YS02", "", "南山区", "2022-03", 5, ""],
    ["YS02", "", "福天区", "2022-03", 6, ""],
    ["YS02", "", "罗湖区", "2022-13", 7, ""],
)


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


def with_indicators(engine):
    import_indicators(engine)
    return engine


def test_annotated_workbook_marks_the_exact_cells_and_lists_problems(engine):
    report = import_file(with_indicators(engine), BAD, "bad.xlsx")
    workbook = load_workbook(io.BytesIO(annotated_workbook(BAD, "bad.xlsx", report)))
    sheet = workbook["指标数据"]
    assert sheet["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "福田区" in sheet["C3"].comment.text
    assert sheet["D4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["C2"].comment is None
    assert sheet["D3"].comment is None
    problems = workbook["错误清单"]
    assert [(r[1].value, r[2].value, r[3].value) for r in problems.iter_rows(min_row=2)] == [
        ("指标数据", 3, "区"),
        ("指标数据", 4, "期间"),
    ]


def test_an_english_viewers_marked_copy_is_in_english(engine):
    """The importer writes its problems, and the child process making the marked copy its
    labels, in the language in use (`i18n.use_language`, the viewer's on a page)."""

    def in_english() -> bytes:
        use_language("en")
        report = import_file(with_indicators(engine), BAD, "bad.xlsx")
        return annotated_workbook(BAD, "bad.xlsx", report)

    workbook = load_workbook(io.BytesIO(contextvars.copy_context().run(in_english)))
    assert workbook.sheetnames == ["Problems", "指标数据"]
    header, first, _ = workbook["Problems"].iter_rows(values_only=True)
    assert header[:2] == ("Kind", "Sheet") and first[:4] == ("Error", "指标数据", 3, "区")
    assert first[5].startswith("“福天区” is not a registered district; nearest registered names")
    comment = workbook["指标数据"]["C3"].comment.text
    assert comment.startswith("Error: “福天区” is not a registered district"), comment
    assert language_in_use() == "zh-CN"  # the test's own context kept its language


def test_an_english_outcome_counts_one_error_in_the_singular(engine):
    one_bad = values_workbook(["YS02", "", "福天区", "2022-03", 6, ""])

    def in_english(data: bytes) -> str:
        use_language("en")
        return import_file(engine, data, "bad.xlsx").message

    with_indicators(engine)
    assert contextvars.copy_context().run(in_english, one_bad) == (
        "Found 1 error and no row that can be imported; nothing was imported. Fix the errors"
        " listed and upload again."
    )
    assert contextvars.copy_context().run(in_english, BAD).startswith("Found 2 errors; nothing")


def test_a_copy_needing_more_memory_than_a_read_may_take_gives_the_problem_list(
    engine, monkeypatch
):
    # openpyxl loads every cell of every sheet, also of sheets the import did not read: the
    # copy is made in a child process limited as a read is, and the list stands in for it.
    rows = [["YS02", "", "福天区", "2022-03", n, ""] for n in range(20_000)]
    data = one_sheet_xlsx([VALUE_HEADER, *rows], "指标数据")
    report = import_file(with_indicators(engine), data, "bad.xlsx")
    monkeypatch.setenv("READ_MEMORY_MB", "40")  # below what the child holds once started
    workbook = load_workbook(io.BytesIO(annotated_workbook(data, "bad.xlsx", report)))
    assert workbook.sheetnames == ["错误清单"]
    assert [r[2].value for r in workbook["错误清单"].iter_rows(min_row=2, max_row=3)] == [2, 3]
    monkeypatch.delenv("READ_MEMORY_MB")
    copied = load_workbook(io.BytesIO(annotated_workbook(data, "bad.xlsx", report)))
    assert copied.sheetnames == ["错误清单", "指标数据"]


def test_an_upload_too_large_to_copy_gets_the_problem_list_alone(engine, monkeypatch):
    # 300,000 wrong rows took 80 s of CPU and 2.7 GB to copy and mark.
    from data_model.ingest import annotate

    report = import_file(with_indicators(engine), BAD, "bad.xlsx")
    assert annotate.annotated_file_name("bad.xlsx", report) == "bad_错误标注.xlsx"
    monkeypatch.setattr(annotate, "ANNOTATE_MAX_ROWS", 2)  # BAD has 3 data rows
    assert annotate.annotated_file_name("bad.xlsx", report) == "bad_错误清单.xlsx"
    workbook = load_workbook(io.BytesIO(annotated_workbook(BAD, "bad.xlsx", report)))
    assert workbook.sheetnames == ["错误清单"]
    problems = workbook["错误清单"]
    assert problems["A1"].value == "类型" and problems["A1"].font.bold
    assert problems.freeze_panes == "A2"
    assert [(r[1].value, r[2].value, r[3].value) for r in problems.iter_rows(min_row=2)] == [
        ("指标数据", 3, "区"),
        ("指标数据", 4, "期间"),
    ]


def test_the_problem_list_alone_writes_formula_like_values_as_text(engine):
    # A "-" written for "no data" (or "=…", "+5", "@…") in a problem's value broke the
    # write-only list with a TypeError: the quoted text cell had no coordinate.
    from data_model.ingest.annotate import problems_file

    data = values_workbook(
        ["YS02", "", "南山区", "2022-03", "-", ""],
        ["YS02", "", "福田区", "2022-03", "=1+1", ""],
        ["YS02", "", "罗湖区", "2022-03", "@A1", ""],
    )
    report = import_file(with_indicators(engine), data, "dash.xlsx")
    listed = problems_file(data, "dash.xlsx", report, copy=False)
    assert not listed.marked
    problems = load_workbook(io.BytesIO(listed.data))["错误清单"]
    values = [
        (r[2].value, r[4].value, r[4].data_type, r[4].quotePrefix)
        for r in problems.iter_rows(min_row=2)
    ]
    assert values == [
        (2, "-", "s", True),
        (3, "=1+1", "s", True),
        (4, "@A1", "s", True),
    ]


def copy_too_slow(monkeypatch) -> None:
    """The marked copy's child runs out of its time (READ_SECONDS), as a workbook of few
    data rows and millions of styled cells elsewhere does."""
    from data_model.errors import InputError
    from data_model.ingest import annotate

    def too_slow(work, arguments, file_name, limits):
        raise InputError("reader.read_too_slow", file=file_name, seconds=limits.max_read_seconds)

    monkeypatch.setattr(annotate, "run_isolated", too_slow)


def test_a_copy_that_could_not_be_made_is_named_and_labelled_as_the_list_it_gives(
    engine, monkeypatch
):
    """The fallback of a copy the child could not make was the problem list under the
    copy's name (bad_错误标注.xlsx) and label, on every click. The name goes to the browser
    before the copy is tried, so that first download can only be the list; from then on
    the download says and names the list, and does not try the copy again."""
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import prepare, problems_download

    admin = Principal("chen", "admin")
    pending = prepare(with_indicators(engine), admin, "bad.xlsx", BAD, ImportOptions())
    first = problems_download(pending)
    assert (first.label_key, first.file_name) == ("upload.download_annotated", "bad_错误标注.xlsx")
    with monkeypatch.context() as patched:
        copy_too_slow(patched)
        assert load_workbook(io.BytesIO(first.make())).sheetnames == ["错误清单"]
    then = problems_download(pending)
    assert (then.label_key, then.file_name) == (
        "upload.download_problem_list",
        "bad_错误清单.xlsx",
    )
    assert load_workbook(io.BytesIO(then.make())).sheetnames == ["错误清单"]  # not tried again
    other = problems_download(prepare(engine, admin, "bad.xlsx", BAD, ImportOptions()))
    assert load_workbook(io.BytesIO(other.make())).sheetnames == ["错误清单", "指标数据"]


def test_legacy_xls_is_annotated_as_a_rebuilt_xlsx(engine):
    data = make_xls({"指标数据": [VALUE_HEADER, ["YS02", "", "火星区", "2022-03", 1, ""]]})
    report = import_file(with_indicators(engine), data, "old.xls")
    result = load_workbook(io.BytesIO(annotated_workbook(data, "old.xls", report)))
    assert result["指标数据"]["C2"].comment is not None


def test_cells_fixed_in_the_page_are_revalidated_and_recorded(engine):
    with_indicators(engine)
    sheets = read_workbook(BAD, "bad.xlsx")
    report = import_sheets(engine, sheets, BAD, "bad.xlsx", ImportOptions(dry_run=True))
    edits = {("指标数据", p.cell[0], p.cell[1]): p.suggestion or "2022-03" for p in report.errors}
    assert edits == {("指标数据", 2, 2): "福田区", ("指标数据", 3, 3): "2022-03"}
    fixed = import_sheets(
        engine, apply_edits(sheets, edits), BAD, "bad.xlsx", ImportOptions(note="C3, D4 fixed")
    )
    assert fixed.status == "accepted", fixed.errors
    assert fixed.rows_new == 3
    assert sheets[0].rows[2][2] == "福天区"  # the original sheets are not modified
    with engine.connect() as conn:
        note, stored = conn.execute(
            select(Submission.note, SubmissionFile.content)
            .join(SubmissionFile, SubmissionFile.submission_id == Submission.id)
            .where(Submission.id == fixed.submission_id)
        ).one()
    assert note == "C3, D4 fixed"
    assert stored == BAD


def test_a_text_pasted_into_the_page_loses_what_a_file_cannot_hold(engine):
    sheets = read_workbook(BAD, "bad.xlsx")
    fixed = apply_edits(sheets, {("指标数据", 2, 2): "福\x00田\x01区\u202e", ("指标数据", 3, 4): 7})
    assert fixed[0].rows[2][2] == "福田区"
    assert fixed[0].rows[3][4] == 7


def test_sharp_changes_are_warnings_and_the_confirmation_is_recorded(engine):
    with_indicators(engine)
    import_values(engine, "feb.xlsx", ["YS02", "", "南山区", "2022-02", 10, ""])
    march = values_workbook(
        ["YS02", "", "南山区", "2022-03", 45, ""],
        ["YS02", "", "福田区", "2022-03", 9, ""],
    )
    preview = import_file(engine, march, "mar.xlsx", ImportOptions(dry_run=True))
    assert [(w.row, w.value) for w in preview.warnings] == [(2, "45")]
    assert preview.sharp_changes == preview.warnings
    assert "10" in preview.warnings[0].message
    report = import_file(engine, march, "mar.xlsx", ImportOptions(confirm_warnings=True))
    assert report.status == "accepted"
    with engine.connect() as conn:
        confirmed = conn.execute(
            select(Submission.confirmed_warnings).where(Submission.id == report.submission_id)
        ).scalar_one()
    assert [(c["sheet"], c["row"]) for c in confirmed] == [("指标数据", 2)]


def test_replaced_values_are_described_old_to_new(engine):
    with_indicators(engine)
    import_values(engine, "a.xlsx", ["YS02", "", "南山区", "2022-03", 10, ""])
    report = import_values(engine, "b.xlsx", ["YS02", "", "南山区", "2022-03", 12, ""])
    assert report.replaced_examples == [
        {
            "table": "indicator_value",
            "key": {"indicator_code": "YS02", "district_id": 4, "period": "2022-03"},
            "changes": {"value": [10.0, 12.0]},
        }
    ]


def test_the_page_says_a_file_was_imported_before_as_the_command_line_does(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import prepare

    with_indicators(engine)
    good = values_workbook(["YS02", "", "南山区", "2022-03", 5, ""])
    first = import_file(engine, good, "3月.xlsx", ImportOptions(uploader="chen"))
    pending = prepare(engine, Principal("chen", "admin"), "3月-again.xlsx", good, ImportOptions())
    cli = import_file(engine, good, "3月-again.xlsx")
    assert pending.report.status == cli.status == "unchanged"
    assert pending.report.message == cli.message
    assert pending.report.submission_id == first.submission_id


def test_only_sharp_changes_ask_for_confirmation_not_notes_on_rows(engine):
    from tests.task_workbook import TASK_HEADER

    rows = [
        ["K1", "领跑行动", "任务一", "市商务局", "张三", "", "2023年底", "0.35", "", "", "2023-Q1"],
        ["K2", "领跑行动", "任务二", "市商务局", "张三", "", "2023年底", "60", "", "", "2023-Q1"],
    ]
    sheets = {"任务清单": [TASK_HEADER, *rows]}
    report = import_file(engine, make_xlsx(sheets), "t.xlsx", ImportOptions(dry_run=True))
    assert report.status == "accepted"
    assert [w.row for w in report.warnings] == [2]  # 0.35 read as 35%: a note on its row
    assert report.sharp_changes == []


def test_a_file_fixed_in_the_page_and_uploaded_again_is_said_to_be_uncorrected(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import commit, prepare, revalidate

    with_indicators(engine)
    admin = Principal("chen", "admin")
    pending = prepare(engine, admin, "bad.xlsx", BAD, ImportOptions())
    edits = {("指标数据", 2, 2): "福田区", ("指标数据", 3, 3): "2022-03"}
    fixed = revalidate(engine, admin, pending, edits, ImportOptions())
    assert commit(engine, admin, fixed, ImportOptions()).status == "accepted"
    again = prepare(engine, admin, "bad.xlsx", BAD, ImportOptions())
    assert again.report.status == "unchanged"
    assert "在页面中修正后导入" in again.report.message
    assert "指标数据!C3: 福天区 → 福田区" in again.report.message


def test_the_fix_grid_says_per_row_what_is_wrong_and_marks_the_columns(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import REASON_COLUMN, error_columns, prepare, rows_to_fix

    with_indicators(engine)
    pending = prepare(engine, Principal("chen", "admin"), "bad.xlsx", BAD, ImportOptions())
    grid = rows_to_fix(pending)
    reasons = grid.set_index("_row")[REASON_COLUMN]
    assert reasons[2].startswith("区：") and "福天区" in reasons[2]
    assert "（建议：福田区）" in reasons[2]
    assert reasons[3].startswith("期间：")
    assert error_columns(pending, "指标数据", grid["_row"]) == {"2", "3"}
    assert error_columns(pending, "指标数据", [2]) == {"2"}  # Excel row 3: its district


def test_the_fix_grid_holds_the_first_rows_with_errors_each_with_its_own_reasons(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import REASON_COLUMN, error_rows, prepare, rows_to_fix

    with_indicators(engine)
    data = values_workbook(
        ["YS02", "", "福天区", "2022-03", 1, ""],
        ["YS02", "", "南山区", "2022-03", 2, ""],
        ["YS02", "", "罗湖区", "2022-13", 3, ""],
        ["YS02", "", "福天区", "2022-14", 4, ""],
    )
    pending = prepare(engine, Principal("chen", "admin"), "bad.xlsx", data, ImportOptions())
    assert error_rows(pending.report) == {("指标数据", 1), ("指标数据", 3), ("指标数据", 4)}
    grid = rows_to_fix(pending, limit=2)
    assert grid["_row"].tolist() == [1, 3]
    first, second = grid[REASON_COLUMN].tolist()
    assert first.startswith("区：") and "期间" not in first
    assert second.startswith("期间：") and "2022-13" in second and "区：" not in second
    assert rows_to_fix(pending)["_row"].tolist() == [1, 3, 4]


def test_problems_are_counted_by_kind_most_frequent_first_and_listed_up_to_a_limit(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import prepare, problem_groups, problems_frame

    with_indicators(engine)
    data = values_workbook(
        ["YS02", "", "福天区", "2022-03", 1, ""],
        ["YS02", "", "南山区", "2022-13", 2, ""],
        ["YS02", "", "罗湖区", "2022-14", 3, ""],
        ["YS02", "", "福天区", "2022-15", 4, ""],
        ["YS02", "", "福天区", "2022-03", 5, ""],
    )
    pending = prepare(engine, Principal("chen", "admin"), "bad.xlsx", data, ImportOptions())
    assert pending.report.problem_count == 6
    groups = problem_groups(pending.report)
    # Rows 2, 5 and 6 hold the same misspelt district; rows 3, 4 and 5 three wrong periods.
    # A tie keeps the kind seen first first.
    assert groups[["column", "count", "values", "row"]].values.tolist() == [
        ["区", 3, 1, 2],
        ["期间", 3, 3, 3],
    ]
    assert "福天区" in groups["message"][0]
    assert set(groups["level"]) == {"error"}
    assert problems_frame(pending.report, limit=2)["row"].tolist() == [2, 3]
    assert len(problems_frame(pending.report)) == 6
    assert problem_groups(pending.report, limit=1)["column"].tolist() == ["区"]


def test_the_page_commits_the_rows_its_preview_validated_without_validating_again(
    engine, monkeypatch
):
    from data_model.accounts.permissions import Principal
    from data_model.ingest.validate import SheetValidator
    from data_model.workflow.upload import commit, prepare, revalidate

    with_indicators(engine)
    admin = Principal("chen", "admin")
    pending = revalidate(
        engine,
        admin,
        prepare(engine, admin, "bad.xlsx", BAD, ImportOptions()),
        {("指标数据", 2, 2): "福田区", ("指标数据", 3, 3): "2022-03"},
        ImportOptions(),
    )
    preview = [
        row.record
        for _, valid in pending.report.validated.by_kind["indicator_values"]
        for row in valid
    ]
    assert [r["value"] for r in preview] == [5.0, 6.0, 7.0]

    def no_second_pass(*args, **kwargs):
        raise AssertionError("the commit validated the cells again")

    monkeypatch.setattr(SheetValidator, "validate", no_second_pass)
    report = commit(engine, admin, pending, ImportOptions())
    assert (report.status, report.rows_new) == ("accepted", 3)
    with engine.connect() as conn:
        note = conn.execute(
            select(Submission.note).where(Submission.id == report.submission_id)
        ).scalar_one()
    assert "福天区 → 福田区" in note
    # The preview's rows stay as they were: the commit's checks worked on a copy.
    assert [len(valid) for _, valid in pending.report.validated.by_kind["indicator_values"]] == [3]


def test_a_commit_of_bytes_imported_meanwhile_is_unchanged_as_on_the_command_line(engine):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import commit, prepare

    with_indicators(engine)
    good = values_workbook(["YS02", "", "南山区", "2022-03", 5, ""])
    admin = Principal("chen", "admin")
    pending = prepare(engine, admin, "3月.xlsx", good, ImportOptions())
    assert pending.report.status == "accepted"
    first = import_file(engine, good, "3月.xlsx", ImportOptions(uploader="wang"))
    report = commit(engine, admin, pending, ImportOptions())
    cli = import_file(engine, good, "3月.xlsx")
    assert report.status == cli.status == "unchanged"
    assert report.message == cli.message
    assert report.submission_id == first.submission_id


def test_a_staff_row_for_another_district_is_marked_and_correctable_at_its_district_cell(
    engine,
):
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import (
        REASON_COLUMN,
        error_columns,
        prepare,
        revalidate,
        rows_to_fix,
    )

    with_indicators(engine)
    staff = Principal("wang", "staff", ("南山区",))
    data = values_workbook(
        ["YS02", "", "南山区", "2022-03", 1, ""],
        ["YS02", "", "福田区", "2022-04", 2, ""],
    )
    pending = prepare(engine, staff, "mixed.xlsx", data, ImportOptions())
    [problem] = pending.report.errors
    assert (problem.row, problem.column, problem.value, problem.cell) == (3, "区", "福田区", (2, 2))
    workbook = load_workbook(io.BytesIO(annotated_workbook(data, "mixed.xlsx", pending.report)))
    sheet = workbook["指标数据"]
    assert sheet["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "福田区" in sheet["C3"].comment.text
    assert sheet["A3"].comment is None
    assert [
        (r[1].value, r[2].value, r[3].value) for r in workbook["错误清单"].iter_rows(min_row=2)
    ] == [("指标数据", 3, "区")]
    grid = rows_to_fix(pending)
    assert grid.set_index("_row")[REASON_COLUMN][2].startswith("区：")
    assert error_columns(pending, "指标数据", [2]) == {"2"}
    fixed = revalidate(engine, staff, pending, {("指标数据", 2, 2): "南山区"}, ImportOptions())
    assert fixed.report.errors == []


def test_problems_are_listed_by_row_wherever_a_check_found_them(engine):
    """The district check runs after the value checks: a row for another district was
    listed after every wrong number (row 3 after row 4). The page's list, the problem
    sheet of the marked copy and the command line all go by sheet, row, then column."""
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import prepare, problem_groups, problems_frame

    with_indicators(engine)
    staff = Principal("wang", "staff", ("南山区",))
    data = values_workbook(
        ["YS02", "", "南山区", "2022-03", "约5000", ""],
        ["YS02", "", "福田区", "2022-04", 2, ""],
        ["YS02", "", "南山区", "2022-05", "十二", ""],
        ["YS02", "", "南山区", "2022-06", "很多", ""],
    )
    pending = prepare(engine, staff, "mixed.xlsx", data, ImportOptions())
    assert sorted(p.row for p in pending.report.errors) == [2, 3, 4, 5]
    assert problems_frame(pending.report)["row"].tolist() == [2, 3, 4, 5]
    assert problems_frame(pending.report, limit=2)["row"].tolist() == [2, 3]
    workbook = load_workbook(io.BytesIO(annotated_workbook(data, "mixed.xlsx", pending.report)))
    listed = [r[2].value for r in workbook["错误清单"].iter_rows(min_row=2)]
    assert listed == [2, 3, 4, 5]
    # Counted by kind, each kind's first row is the first in the file.
    groups = problem_groups(pending.report).set_index("column")
    assert groups.loc["数值", "row"] == 2


@pytest.mark.parametrize(
    "name, stored",
    [
        ("名" * 300 + ".xlsx", "名" * 250 + ".xlsx"),  # a DataError on PostgreSQL
        ("x.xlsx\x00.txt", "x.xlsx.txt"),  # a DataError on PostgreSQL
        ("a\u202eslx.exe", "aslx.exe"),  # read as "aexe.xlsx"
        ("C:\\Users\\张三\\Desktop\\报表.xlsx", "报表.xlsx"),
        ("../../报表.xlsx", "报表.xlsx"),
        (" 报表.xlsx. ", "报表.xlsx"),
    ],
)
def test_a_file_name_is_stored_the_same_on_both_engines(engine, name, stored):
    # SQLite stored a 300-character name or a NUL as it was; PostgreSQL's VARCHAR(255)
    # refused them with a DataError out of the commit.
    import_indicators(engine)
    report = import_values(engine, name, ["YS02", "", "南山区", "2022-03", 5, ""])
    assert report.status == "accepted", report.errors
    with engine.connect() as conn:
        found = select(Submission.file_name).where(Submission.id == report.submission_id)
        assert conn.execute(found).scalar_one() == stored


def test_a_staff_upload_of_a_file_imported_before_is_scope_checked_before_unchanged(engine):
    """The page told a staff member the indicator system an admin had imported was
    unchanged (已于 … 导入), naming who imported it, before the scope check refused it."""
    from data_model.accounts.permissions import Principal
    from data_model.workflow.upload import prepare

    with_indicators(engine)
    staff = Principal("wang", "staff", ("南山区",))
    indicators = make_xlsx({"指标体系": indicator_rows()})
    pending = prepare(engine, staff, "indicators.xlsx", indicators, ImportOptions())
    assert pending.report.status == "rejected"
    assert {p.message for p in pending.report.errors} == {
        "指标体系属于主数据，只有管理员可以上传或修改。"
    }
    mine = values_workbook(["YS02", "", "南山区", "2022-03", 5, ""])
    first = import_file(engine, mine, "3月.xlsx")
    pending = prepare(engine, staff, "3月.xlsx", mine, ImportOptions())
    assert (pending.report.status, pending.report.submission_id) == (
        "unchanged",
        first.submission_id,
    )
