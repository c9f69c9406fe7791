"""Task lists as people keep them: their own column names, 序号 instead of a code, the
report period in the title, progress written in words or fractions."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from data_model.cli import main
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.ingest.task_lists import period_in_title, read_task_sheet
from data_model.ingest.templates import template_workbook
from data_model.kinds import TASKS
from data_model.normalize.tasks import derived_task_code, parse_progress
from data_model.reference.master import load_master
from data_model.store.models import Action, District, Task, TaskSnapshot
from tests.conftest import ACTIVITY_HEADER, activity_row, make_xlsx


def load_master_for(engine):
    with engine.connect() as conn:
        return load_master(conn)


def xlsx(build) -> bytes:
    book = Workbook()
    build(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_every_synonym_real_lists_use_is_an_alias_of_its_task_column():
    expected = {
        "content": {"重点任务", "工作任务", "主要任务", "具体任务", "工作内容"},
        "lead_unit": {"责任单位", "牵头部门"},
        "deadline": {"完成时间", "时间节点", "时限要求"},
        "progress": {"进度", "完成比例", "完成率"},
        "progress_note": {"工作进展", "推进情况"},
    }
    for field_name, words in expected.items():
        assert words <= set(TASKS.column(field_name).aliases), field_name


def test_the_template_instructions_list_the_task_synonyms():
    book = load_workbook(io.BytesIO(template_workbook(["tasks"], {})))
    text = "\n".join(
        str(cell) for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell
    )
    for word in ("重点任务", "工作内容", "牵头部门", "时限要求", "完成比例", "推进情况"):
        assert word in text
    # The columns a list may leave out say where their values then come from.
    assert "“序号”不作编号" in text and "（2022年第一季度进展）" in text


def test_a_sheet_that_almost_matches_names_the_kind_the_columns_found_and_those_missing(engine):
    rows = [
        ["序号", "重点任务", "责任单位", "完成进度"],
        [1, "开展营商环境评价", "市发展改革委", 50],
    ]
    report = import_file(engine, make_xlsx({"Sheet1": rows}), "almost.xlsx")
    assert report.status == "rejected"
    message = report.errors[0].message
    assert "任务清单" in message
    assert "重点任务、责任单位、完成进度" in message
    assert "所属行动" in message and "完成时限" in message
    assert "未找到可识别的表头" not in message


def test_a_sheet_like_no_kind_keeps_the_generic_message(engine):
    rows = [["姓名", "电话", "邮箱"], ["张三", "123", "a@b.c"]]
    report = import_file(engine, make_xlsx({"通讯录": rows}), "contacts.xlsx")
    assert report.errors[0].message.startswith("未找到可识别的表头")


ACTIVITIES = [ACTIVITY_HEADER, activity_row(date=date(2022, 3, 15), organizer="福田区工商联")]


def test_a_notes_sheet_beside_data_is_skipped_with_a_warning_not_an_error(engine):
    notes = [["填报说明：本表由福田区填写"], ["如有疑问请联系区工商联"]]
    workbook = make_xlsx({"活动台账": ACTIVITIES, "备注": notes, "Sheet2": [["目录"], ["1. 活动"]]})
    report = import_file(engine, workbook, "with_notes.xlsx")
    assert report.status == "accepted", report.errors
    assert not report.errors
    skipped = {w.sheet: w.message for w in report.warnings if w.sheet in ("备注", "Sheet2")}
    assert set(skipped) == {"备注", "Sheet2"}
    assert skipped["备注"].startswith("该工作表没有可识别的表头，不像任何一类报送数据，已跳过")
    # Alone, the same sheet is still an error: nothing of the file was read.
    alone = import_file(engine, make_xlsx({"备注": notes}), "notes.xlsx")
    assert alone.status == "rejected"
    assert alone.errors[0].message.startswith("未找到可识别的表头")


def test_a_sheet_resembling_a_kind_beside_data_stays_an_error(engine):
    almost = [
        ["序号", "重点任务", "责任单位", "完成进度"],
        [1, "开展营商环境评价", "市发展改革委", 50],
    ]
    report = import_file(engine, make_xlsx({"活动台账": ACTIVITIES, "Sheet1": almost}), "two.xlsx")
    assert report.status == "rejected"
    assert [e.sheet for e in report.errors] == ["Sheet1"]


TITLE = "深圳市“两个健康”试验区建设重点任务清单（{period}进展）"
HEADER = ["序号", "所属行动", "重点任务", "责任单位", "时间节点", "完成进度", "工作进展"]
# content: (action, lead unit, deadline)
TASKS_KEPT = {
    "开展营商环境评价": ("领跑行动", "市发展改革委", "2022年6月底前"),
    "优化企业开办流程": ("领跑行动", "市商务局", "2022年底"),
    "建立涉企法律服务机制": ("领跑行动", "市司法局", "长期坚持"),
    "培育商贸龙头企业": ("提质行动", "市商务局", "2022年第三季度末"),
    "发布涉企法律指引": ("提质行动", "市司法局", "2022年12月31日"),
}


def real_task_list(
    period: str,
    rows: list[tuple[str, object]],
    numbering: str = "",
    tasks: dict[str, tuple[str, str, str]] = TASKS_KEPT,
) -> bytes:
    """A list as a federation keeps it: a merged title naming the period, 序号, its own
    column names, each action merged over its tasks, a footnote. `rows` are (content,
    progress) in the order of the list; `numbering` is written before each content;
    `tasks` gives each content's (action, lead unit, deadline)."""

    def build(sheet):
        sheet.title = "Sheet1"
        sheet.append([TITLE.format(period=period)])
        sheet.merge_cells("A1:G1")
        sheet.append(HEADER)
        ordered = sorted(rows, key=lambda row: tasks[row[0]][0])  # grouped by action
        start = None
        for number, (content, progress) in enumerate(ordered, start=1):
            action, unit, deadline = tasks[content]
            excel_row = number + 2
            first_of_action = start is None or sheet.cell(start, 2).value != action
            sheet.append(
                [
                    number,
                    action if first_of_action else None,
                    f"{numbering.format(n=number)}{content}",
                    unit,
                    deadline,
                    progress,
                    f"{content}：按计划推进",
                ]
            )
            if first_of_action:
                start = excel_row
            elif excel_row > start:
                for merged in list(sheet.merged_cells.ranges):
                    if merged.min_col == 2 and merged.min_row == start:
                        sheet.unmerge_cells(str(merged))
                sheet.merge_cells(start_row=start, start_column=2, end_row=excel_row, end_column=2)
        sheet.append(["注：完成进度按百分比填写。"])

    return xlsx(build)


def stored(engine) -> dict[str, dict]:
    """Current snapshots by task content (as written, less its numbering): code, and
    progress and stated status per report period."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Task.content,
                Task.code,
                TaskSnapshot.report_period,
                TaskSnapshot.progress,
                TaskSnapshot.stated_status,
            )
            .join(TaskSnapshot, TaskSnapshot.task_code == Task.code)
            .where(Task.is_current, TaskSnapshot.is_current)
            .order_by(TaskSnapshot.period_end)
        ).all()
    found: dict[str, dict] = {}
    for written, code, period, progress, stated in rows:
        content = re.sub(r"^[0-9]+．", "", written)
        found.setdefault(content, {"code": code, "progress": {}, "stated": {}})
        found[content]["progress"][period] = progress
        found[content]["stated"][period] = stated
    return found


def test_a_real_task_list_with_the_period_in_its_title_and_no_code_is_imported(engine):
    rows = [
        ("开展营商环境评价", "60%"),
        ("优化企业开办流程", 0.35),
        ("建立涉企法律服务机制", "已完成"),
        ("培育商贸龙头企业", "未启动"),
        ("发布涉企法律指引", 35),
    ]
    report = import_file(engine, real_task_list("2022年第一季度", rows), "清单一季度.xlsx")
    assert report.status == "accepted", report.errors
    assert report.sheets[0].kind == "tasks"
    assert report.rows_new == 5
    tasks = stored(engine)
    assert {content: task["progress"] for content, task in tasks.items()} == {
        "开展营商环境评价": {"2022-Q1": 60.0},
        "优化企业开办流程": {"2022-Q1": 35.0},
        "建立涉企法律服务机制": {"2022-Q1": 100.0},
        "培育商贸龙头企业": {"2022-Q1": 0.0},
        "发布涉企法律指引": {"2022-Q1": 35.0},
    }
    assert tasks["建立涉企法律服务机制"]["stated"] == {"2022-Q1": "completed"}
    codes = {task["code"] for task in tasks.values()}
    assert len(codes) == 5 and all(re.fullmatch(r"T-[0-9A-F]{10}", code) for code in codes)
    assert not any(code in {"1", "2", "3", "4", "5"} for code in codes)  # never the 序号

    # The user is told where the period came from and each task's code, row by row.
    messages = [(w.row, w.column, w.value, w.message) for w in report.warnings]
    assert (1, None, TITLE.format(period="2022年第一季度")) in [m[:3] for m in messages]
    assert any(row == 1 and "2022年第一季度" in message for row, _, _, message in messages)
    shown = {value for _, column, value, _ in messages if column == "任务编号"}
    assert shown == codes
    # 0.35 in a column of percent points is read as 35, and said so on its row.
    assert [(column, value) for _, column, value, message in messages if "35%" in message] == [
        ("完成进度", "0.35")
    ]
    # A merged action cell applies to every task it covers.
    with engine.connect() as conn:
        actions = dict(
            conn.execute(
                select(Task.content, Action.name)
                .join(Action, Action.id == Task.action_id)
                .where(Task.is_current)
            ).all()
        )
    assert actions == {content: kept[0] for content, kept in TASKS_KEPT.items()}


def test_the_next_quarters_list_supersedes_the_same_tasks_whatever_their_numbers(engine):
    first = [
        ("开展营商环境评价", "60%"),
        ("优化企业开办流程", 0.35),
        ("建立涉企法律服务机制", "已完成"),
        ("培育商贸龙头企业", "未启动"),
        ("发布涉企法律指引", 35),
    ]
    assert import_file(engine, real_task_list("2022年第一季度", first), "q1.xlsx").status == (
        "accepted"
    )
    codes = {content: task["code"] for content, task in stored(engine).items()}

    # Next quarter: rows in another order (so other 序号), numbering typed into the text
    # (`3．`), full-width punctuation, and new progress.
    second = [
        ("发布涉企法律指引", "80%"),
        ("培育商贸龙头企业", 20),
        ("开展营商环境评价", "完成"),
        ("建立涉企法律服务机制", "已完成"),
        ("优化企业开办流程", "0.5"),
    ]
    data = real_task_list("2022年第二季度", second, numbering="{n}．")
    report = import_file(engine, data, "q2.xlsx")
    assert report.status == "accepted", report.errors
    assert (report.rows_new, report.rows_replaced) == (5, 0)  # one new report per task
    tasks = stored(engine)
    assert {content: task["code"] for content, task in tasks.items()} == codes
    assert {content: task["progress"] for content, task in tasks.items()} == {
        "开展营商环境评价": {"2022-Q1": 60.0, "2022-Q2": 100.0},
        "优化企业开办流程": {"2022-Q1": 35.0, "2022-Q2": 50.0},
        "建立涉企法律服务机制": {"2022-Q1": 100.0, "2022-Q2": 100.0},
        "培育商贸龙头企业": {"2022-Q1": 0.0, "2022-Q2": 20.0},
        "发布涉企法律指引": {"2022-Q1": 35.0, "2022-Q2": 80.0},
    }
    with engine.connect() as conn:
        current = conn.execute(select(func.count()).where(Task.is_current)).scalar()
        periods = set(conn.execute(select(Task.report_period).where(Task.is_current)).scalars())
    assert current == 5 and periods == {"2022-Q2"}  # each task defined by its latest report

    # A corrected second-quarter list, reordered again, with one progress changed,
    # supersedes exactly that task's second-quarter report.
    corrected = [(content, progress) for content, progress in reversed(second)]
    corrected[0] = ("优化企业开办流程", "55%")
    report = import_file(engine, real_task_list("2022年第二季度", corrected), "q2-fix.xlsx")
    assert report.status == "accepted", report.errors
    assert (report.rows_new, report.rows_replaced, report.rows_unchanged) == (0, 1, 4)
    assert stored(engine)["优化企业开办流程"]["progress"] == {"2022-Q1": 35.0, "2022-Q2": 55.0}
    assert report.replaced_examples[0]["key"]["task_code"] == codes["优化企业开办流程"]


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("深圳市重点任务清单（2022年第一季度进展）", "2022-Q1"),
        ("重点任务推进情况（截至2022年6月底）", "2022-06"),
        ("重点任务推进情况（截止到2022年3月31日）", "2022-03"),
        ("2022年上半年重点任务清单", "2022-H1"),
        ("2022年重点任务清单（一季度进展）", "2022-Q1"),
        ("2022年度工作进展", "2022"),
        ("截至2022年底重点任务完成情况", "2022"),
        ("２０２２年第三季度　重点任务", "2022-Q3"),
        ("2022年“两个健康”重点任务清单", None),  # the plan's year, not a report period
        ("重点任务清单", None),
    ],
)
def test_the_report_period_a_title_names(title, period):
    assert period_in_title(title) == period


@pytest.mark.parametrize(
    ("raw", "percent_format", "fractions", "expected"),
    [
        ("60%", False, False, (60.0, "")),
        ("６０％", False, False, (60.0, "")),
        (0.35, False, False, (35.0, "")),
        ("0.35", False, False, (35.0, "")),
        (35, False, False, (35.0, "")),
        (1, False, False, (1.0, "")),  # a bare 1 is 1 %
        (1, False, True, (100.0, "")),  # unless the column holds fractions
        (0.35, True, False, (35.0, "")),  # a cell formatted as percent
        (1.0, True, False, (100.0, "")),
        ("0.5%", False, True, (0.5, "")),
        ("已完成", False, False, (100.0, "completed")),
        ("完成", False, False, (100.0, "completed")),
        ("未启动", False, False, (0.0, "")),
    ],
)
def test_progress_as_people_write_it(raw, percent_format, fractions, expected):
    progress = parse_progress(raw, percent_format, fractions)
    assert (progress.value, progress.stated_status) == expected


@pytest.mark.parametrize("raw", ["推进中很好", "120%", 150, -5])
def test_progress_that_is_not_a_percentage_is_an_error(raw):
    with pytest.raises(InputError):
        parse_progress(raw)


def test_a_column_of_fractions_reads_one_as_complete_and_says_so(engine):
    rows = [
        ["时间：2022年第一季度"],
        ["序号", "所属行动", "工作内容", "牵头部门", "时限要求", "完成比例"],
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", 0.2],
        [2, "领跑行动", "优化企业开办流程", "市商务局", "2022年底", 1],
    ]
    report = import_file(engine, make_xlsx({"Sheet1": rows}), "fractions.xlsx")
    assert report.status == "accepted", report.errors
    assert sorted(task["progress"]["2022-Q1"] for task in stored(engine).values()) == [20, 100]
    assert any("1 → 100" in w.message for w in report.warnings)


def test_a_metadata_row_names_period_and_district_and_a_cell_in_the_row_wins(engine):
    rows = [
        ["福田区“两个健康”重点任务清单"],
        ["填报单位：福田区工商联", None, None, "报送期：2022年上半年"],
        ["序号", "所属行动", "主要任务", "牵头单位", "完成时间", "进度", "所属区", "报送期"],
        [1, "连心行动", "走访辖区民营企业", "福田区工商联", "2022年底", "50%", None, None],
        [2, "连心行动", "开展政策宣讲", "福田区工商联", "2022年底", "40%", "南山区", "2022-Q2"],
    ]
    report = import_file(engine, make_xlsx({"Sheet1": rows}), "futian.xlsx")
    assert report.status == "accepted", report.errors
    with engine.connect() as conn:
        found = conn.execute(
            select(Task.content, District.name, TaskSnapshot.report_period)
            .join(District, District.id == Task.district_id)
            .join(TaskSnapshot, TaskSnapshot.task_code == Task.code)
            .order_by(Task.content)
        ).all()
    assert sorted(found) == [
        ("开展政策宣讲", "南山区", "2022-Q2"),
        ("走访辖区民营企业", "福田区", "2022-H1"),
    ]
    # Both came from row 2, and the user is told so.
    from_row_2 = [w.message for w in report.warnings if w.row == 2 and w.column is None]
    assert any("所属区" in m and "福田区" in m for m in from_row_2)
    assert any("报送期" in m and "2022年上半年" in m for m in from_row_2)


def test_a_fill_in_date_is_not_the_period_but_a_title_after_an_annex_number_is(engine):
    master = load_master_for(engine)
    rows = [["附件1：深圳市重点任务清单（2022年第一季度进展）"], ["填报时间：2022年7月5日"]]
    assert read_task_sheet(rows, master).period.value == "2022-Q1"
    assert read_task_sheet(rows[1:], master).period is None
    district = read_task_sheet([["填报单位：福田区工商联    填报时间：2022年7月5日"]], master)
    assert (district.district.value, district.period) == ("福田区", None)


def test_an_unknown_district_in_a_metadata_row_is_named_with_a_suggestion(engine):
    rows = [
        ["所属区：福天区"],
        ["序号", "所属行动", "重点任务", "责任单位", "完成时限", "完成进度"],
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", 60],
    ]
    report = import_file(
        engine, make_xlsx({"Sheet1": rows}), "x.xlsx", ImportOptions(period="2022-Q1")
    )
    assert report.status == "rejected"
    error = report.errors[0]
    assert (error.row, error.suggestion) == (1, "福田区")


def test_a_task_list_without_any_period_asks_for_one_and_takes_the_uploads(engine):
    rows = [
        ["重点任务清单"],
        ["序号", "所属行动", "具体任务", "责任单位", "完成时限", "完成率", "推进情况"],
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", "60%", "推进中"],
    ]
    data = make_xlsx({"Sheet1": rows})
    report = import_file(engine, data, "noperiod.xlsx")
    assert report.status == "rejected"
    assert "--period" in report.errors[0].message
    report = import_file(engine, data, "noperiod.xlsx", ImportOptions(period="2022-Q3"))
    assert report.status == "accepted", report.errors
    assert any("上传时选择" in w.message and w.row is None for w in report.warnings)
    assert [task["progress"] for task in stored(engine).values()] == [{"2022-Q3": 60.0}]


def test_the_same_task_in_two_districts_lists_gets_two_codes():
    code = derived_task_code("连心行动", "走访民营企业", "市工商联会员部", "福田区")
    assert code != derived_task_code("连心行动", "走访民营企业", "市工商联会员部", "南山区")
    assert code != derived_task_code("连心行动", "走访民营企业", "市工商联会员部", None)
    assert code == derived_task_code(
        "连心行动", "（一）走访 民营企业。", "市工商联会员部", "福田区"
    )


def test_the_command_line_takes_the_period_of_a_task_list(tmp_path, capsys, sqlite_url):
    rows = [
        ["序号", "所属行动", "重点任务", "责任单位", "时间节点", "完成进度"],
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", "60%"],
        [2, "提质行动", "发布涉企法律指引", "市司法局", "年底前", "已完成"],
    ]
    path = tmp_path / "清单.xlsx"
    path.write_bytes(make_xlsx({"Sheet1": rows}))
    db = sqlite_url  # as init makes it: import creates no database
    assert main(["import", str(path), "--db", db, "--json"]) == 1
    capsys.readouterr()
    assert main(["import", str(path), "--db", db, "--period", "2022年第二季度", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "accepted"
    codes = [w["value"] for w in result["sheets"][0]["warnings"] if w["column"] == "任务编号"]
    assert len(codes) == 2 and all(code.startswith("T-") for code in codes)
    export = tmp_path / "tasks.csv"
    assert main(["export", "tasks", "--out", str(export), "--db", db]) == 0
    text = export.read_text(encoding="utf-8-sig")
    assert all(code in text for code in codes) and "2022-Q2" in text


def test_an_edited_task_text_is_a_new_task_unless_its_old_code_is_written_beside_it(engine):
    header = ["序号", "所属行动", "重点任务", "责任单位", "时间节点", "完成进度"]
    first = [
        ["（2022年第一季度进展）"],
        header,
        [1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", 30],
        [2, "领跑行动", "优化企业开办流程", "市商务局", "2022年底", 20],
    ]
    assert import_file(engine, make_xlsx({"Sheet1": first}), "q1.xlsx").status == "accepted"
    old = {content: task["code"] for content, task in stored(engine).items()}

    # Whitespace and punctuation are no edit; other words are.
    assert (
        derived_task_code("领跑行动", "开展 营商环境评价。", "市发展改革委", None)
        == old["开展营商环境评价"]
    )
    edited = derived_task_code("领跑行动", "开展全市营商环境评价", "市发展改革委", None)
    assert edited != old["开展营商环境评价"]

    # The list carries the edited task on under its old code when that code is written in
    # a 任务编号 column; rows whose code is left blank keep the code their text makes.
    second = [
        ["（2022年第二季度进展）"],
        ["任务编号", *header],
        [
            old["开展营商环境评价"],
            1,
            "领跑行动",
            "开展全市营商环境评价",
            "市发展改革委",
            "2022年6月底前",
            70,
        ],
        [None, 2, "领跑行动", "优化企业开办流程", "市商务局", "2022年底", 50],
    ]
    report = import_file(engine, make_xlsx({"Sheet1": second}), "q2.xlsx")
    assert report.status == "accepted", report.errors
    assert [w.row for w in report.warnings if w.column == "任务编号"] == [4]
    with engine.connect() as conn:
        progress = conn.execute(
            select(TaskSnapshot.task_code, TaskSnapshot.report_period, TaskSnapshot.progress)
            .where(TaskSnapshot.is_current)
            .order_by(TaskSnapshot.task_code, TaskSnapshot.period_end)
        ).all()
    assert sorted(progress) == sorted(
        [
            (old["开展营商环境评价"], "2022-Q1", 30.0),
            (old["开展营商环境评价"], "2022-Q2", 70.0),
            (old["优化企业开办流程"], "2022-Q1", 20.0),
            (old["优化企业开办流程"], "2022-Q2", 50.0),
        ]
    )


def test_progress_cells_formatted_as_percent_are_percent_points(engine):
    def build(sheet):
        sheet.append(["时间：2022年第一季度"])
        sheet.append(["序号", "所属行动", "重点任务", "责任单位", "完成时限", "完成进度"])
        sheet.append([1, "领跑行动", "开展营商环境评价", "市发展改革委", "2022年6月底前", 0.35])
        sheet.append([2, "领跑行动", "优化企业开办流程", "市商务局", "2022年底", 1])
        sheet["F3"].number_format = "0%"
        sheet["F4"].number_format = "0.0%"

    report = import_file(engine, xlsx(build), "percent.xlsx")
    assert report.status == "accepted", report.errors
    assert sorted(task["progress"]["2022-Q1"] for task in stored(engine).values()) == [35, 100]
    assert not any("小数" in w.message for w in report.warnings)
