"""Task lists as people keep them: their own column names, 序号 instead of a code, the
report period in the title, progress written in words or fractions."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from data_model.importer import import_file
from data_model.kinds import TASKS
from data_model.templates import template_workbook
from tests.conftest import make_xlsx


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
