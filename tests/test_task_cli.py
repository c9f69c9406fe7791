"""`python -m data_model task-status`: every task's status on a date, as CSV or Excel."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from data_model.cli import main
from tests.task_workbook import STATUS_TABLE_HEADER, task_workbook


@pytest.fixture
def db(tmp_path, sqlite_url):
    url = sqlite_url
    workbook = tmp_path / "tasks.xlsx"
    workbook.write_bytes(task_workbook())
    assert main(["import", str(workbook), "--db", url]) == 0
    return url


def test_task_status_writes_excel_with_chinese_headers_and_status_words(tmp_path, db, capsys):
    out = tmp_path / "status.xlsx"
    assert main(["task-status", "--as-of", "2022-12-31", "--out", str(out), "--db", db]) == 0
    assert "已导出 9 行" in capsys.readouterr().out
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert list(rows[0]) == STATUS_TABLE_HEADER
    by_code = {row[0]: row for row in rows[1:]}
    overdue = by_code["K03"]
    assert overdue[1:5] == ("领跑行动", "市商务局", "南山区", 70)
    assert overdue[5].date().isoformat() == "2022-09-30"
    assert overdue[6:] == ("2022年第三季度末", "逾期", 92)
    assert by_code["K05"][5:8] == (None, "长期坚持", "推进中")
    assert [row[7] for row in rows[1:]].count("已完成") == 5


def test_task_status_as_csv_on_an_earlier_date(tmp_path, db):
    out = tmp_path / "status.csv"
    assert main(["task-status", "--as-of", "2022-09-30", "--out", str(out), "--db", db]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["任务编号"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"K01", "K02", "K03", "K07", "K08", "K09"}  # reported by then
    assert rows["K03"]["任务状态"] == "滞后"  # deadline day itself: not yet overdue
    assert rows["K03"]["逾期天数"] == "0"
    assert rows["K02"]["所属区"] == ""


@pytest.mark.parametrize("bad", ["2022-13-01", "2022-02-30", "20221231", "2022年12月31日", ""])
def test_a_bad_date_exits_2_and_quotes_the_value(tmp_path, db, capsys, bad):
    out = tmp_path / "status.csv"
    assert main(["task-status", "--as-of", bad, "--out", str(out), "--db", db]) == 2
    error = capsys.readouterr().err
    assert f"“{bad}”" in error and "YYYY-MM-DD" in error
    assert not out.exists()


def test_an_unsupported_output_exits_2(tmp_path, db, capsys):
    out = tmp_path / "status.txt"
    assert main(["task-status", "--as-of", "2022-12-31", "--out", str(out), "--db", db]) == 2
    assert "status.txt" in (err := capsys.readouterr().err) and ".xlsx 或 .csv" in err
