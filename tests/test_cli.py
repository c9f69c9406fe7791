"""The command line: exit codes, JSON output, export round trip, templates, seed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data_model.admin.bootstrap import open_database
from data_model.cli import EXIT_OUTPUT_CLOSED, main
from data_model.queries.shared import has_data
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(sqlite_url):
    return sqlite_url


def write(tmp_path, name: str, sheets: dict) -> str:
    path = tmp_path / name
    path.write_bytes(make_xlsx(sheets))
    return str(path)


def test_import_of_bad_district_period_and_duplicate_exits_1_and_names_rows(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    assert main(["import", indicators, "--db", db]) == 0
    bad = write(
        tmp_path,
        "bad.xlsx",
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "南山区", "2022-03", 5, ""],
                ["YS02", "", "福天区", "2022-03", 5, ""],
                ["YS02", "", "罗湖区", "2022-13", 5, ""],
                ["YS02", "", "南山", "2022年3月", 6, ""],
            ]
        },
    )
    capsys.readouterr()
    assert main(["import", bad, "--db", db, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "rejected"
    assert result["submission_id"] is None
    errors = result["sheets"][0]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "区"), (4, "期间"), (5, None)]
    assert errors[0]["suggestion"] == "福田区"
    assert set(errors[0]) == {"sheet", "row", "column", "value", "message", "suggestion"}
    assert main(["import", bad, "--db", db]) == 1
    assert "[指标数据 第3行 区] “福天区”: " in (out := capsys.readouterr().out)
    assert "（是否为：福田区？）\n" in out  # a suggested value is asked about
    export = tmp_path / "values.csv"
    assert main(["export", "indicator-values", "--out", str(export), "--db", db]) == 0
    assert export.read_text(encoding="utf-8-sig").strip() == "指标编码,指标名称,区,期间,数值,备注"


def test_import_prints_a_readable_summary_and_export_round_trips(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    values = write(
        tmp_path,
        "values.xlsx",
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "福田", "2022年3月", "1,234", "=cmd|' /C calc'!A0"],
            ]
        },
    )
    assert main(["import", indicators, values, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "values.xlsx: 已导入" in out
    export = tmp_path / "values.xlsx.out.xlsx"
    assert main(["export", "indicator-values", "--out", str(export), "--db", db]) == 0
    sheet = load_workbook(export).active
    assert [c.value for c in sheet[2]] == [
        "YS02",
        "新增民营企业数",
        "福田区",
        "2022-03",
        1234,
        "=cmd|' /C calc'!A0",
    ]
    assert (sheet.cell(2, 6).data_type, sheet.cell(2, 6).quotePrefix) == ("s", True)


def test_same_file_twice_exits_0_unchanged(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    main(["import", indicators, "--db", db])
    capsys.readouterr()
    assert main(["import", indicators, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "unchanged"


def test_dry_run_reports_counts_and_writes_nothing(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    assert main(["import", indicators, "--db", db, "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_new"] == 3
    # Its summary said "已导入 —" although nothing was written.
    assert main(["import", indicators, "--db", db, "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(
        "indicators.xlsx: 仅检查，未导入 — 试导入（未写入）：将新增 3 行"
    )
    export = tmp_path / "indicators.csv"
    main(["export", "indicators", "--out", str(export), "--db", db])
    assert len(export.read_text(encoding="utf-8-sig").strip().splitlines()) == 1


def test_usage_errors_exit_2(tmp_path, db, capsys):
    assert main(["import", str(tmp_path / "missing.xlsx"), "--db", db]) == 2
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    assert main(["import", indicators, "--period", "2022.13.5", "--db", db]) == 2
    assert main(["export", "tasks", "--out", str(tmp_path / "x.txt"), "--db", db]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["import"])
    assert exit_info.value.code == 2


def test_every_command_has_help(capsys):
    for command in ("init", "import", "export", "template", "seed"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "--db" in capsys.readouterr().out


def help_text(capsys, monkeypatch, *command: str) -> str:
    """The --help of `command`, unwrapped (a wide terminal)."""
    monkeypatch.setenv("COLUMNS", "1000")
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_help_says_what_each_option_does_for_its_own_command(capsys, monkeypatch):
    review_off = help_text(capsys, monkeypatch, "review", "off")
    assert "只取消该区的审核设置" in review_off
    assert "只取消该牵头单位的审核设置" in review_off
    assert "要求审核" not in review_off.split("--district")[-1]
    assert "只对该区的数据要求审核" in help_text(capsys, monkeypatch, "review", "require")
    review_list = help_text(capsys, monkeypatch, "review", "list")
    assert "以一个 JSON 对象输出审核设置" in review_list
    assert "每个文件" not in review_list
    assert "否则使用 DATA_DIR 下（默认 data/）的 SQLite 文件" in review_list


def test_template_has_a_sheet_per_kind_instructions_and_dropdowns(tmp_path, db):
    out = tmp_path / "template.xlsx"
    assert main(["template", "all", "--out", str(out), "--db", db]) == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames[:6] == [
        "填写说明",
        "指标体系",
        "指标数据",
        "任务清单",
        "活动台账",
        "企业诉求",
    ]
    tasks = workbook["任务清单"]
    assert tasks.freeze_panes == "A2"
    assert tasks["A1"].value == "任务编号"
    formulas = {str(dv.sqref): dv.formula1 for dv in tasks.data_validations.dataValidation}
    assert formulas["J2:J5000"].startswith('"已完成')
    assert "_lists" in formulas["B2:B5000"]


def test_template_imports_as_nothing_to_do(tmp_path, db, capsys):
    out = tmp_path / "template.xlsx"
    main(["template", "all", "--out", str(out), "--db", db])
    capsys.readouterr()
    assert main(["import", str(out), "--db", db, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "rejected"
    assert all(s["rows_read"] == 0 for s in result["sheets"])


def test_seed_loads_sample_data_once(tmp_path, db, capsys):
    assert main(["seed", "--db", db]) == 0
    capsys.readouterr()
    assert main(["seed", "--if-empty", "--db", db]) == 0
    assert "未载入" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "tasks", "--out", "{tmp}/missing/x.xlsx"], "文件夹不存在"),
        (["export", "tasks", "--out", "{tmp}"], ".xlsx"),
        (["task-status", "--as-of", "2023-12-31", "--out", "{tmp}/missing/t.xlsx"], "文件夹不存在"),
        (["template", "all", "--out", "{tmp}/missing/t.xlsx"], "文件夹不存在"),
        (["audit", "--out", "{tmp}/missing/a.csv"], "文件夹不存在"),
        (["bulletin", "--period", "2023", "--out", "{tmp}/x.odt"], ".docx"),
        (["scores", "--period", "2023-13", "--out", "{tmp}/s.xlsx"], "2023-13"),
    ],
    ids=["no folder", "a folder as file", "status", "template", "audit", "bulletin type", "period"],
)
def test_a_user_mistake_is_one_line_and_exit_2_never_a_traceback(tmp_path, db, capsys, args, says):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main([*args, "--db", db]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "url",
    ["postgresql://someone:secret@127.0.0.1:1/x", "foo://bar", "sqlite:////proc/none/x.sqlite3"],
    ids=["no server", "unknown scheme", "unwritable folder"],
)
def test_a_database_that_cannot_be_opened_says_so_without_its_password(capsys, url):
    assert main(["init", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "secret" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_reader_gone_away_ends_the_command_quietly_with_its_work_done(tmp_path, db):
    """`import … | head -3`: the import committed, then its report met a closed pipe. That
    was "无法读写文件 -：Broken pipe" and exit 2; now nothing is said and the status is a
    SIGPIPE's, as for other Unix tools."""
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    command = [sys.executable, "-m", "data_model", "import", indicators, "--db", db]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the report is written
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_OUTPUT_CLOSED == 141
    assert err == ""
    with open_database(db, create=False).connect() as conn:
        assert has_data(conn)


def test_argparse_own_texts_are_in_the_language_of_the_command_line(capsys, monkeypatch):
    text = help_text(capsys, monkeypatch, "import")
    assert text.startswith("用法：python -m data_model import [-h] [--db URL]")
    assert "位置参数:" in text and "选项:" in text
    assert re.search(r"^  -h, --help +显示此帮助信息并退出$", text, re.MULTILINE)
    assert "usage" not in text and "options" not in text and "show this help" not in text
    for argv, error in (
        (["import"], "python -m data_model import: 错误：缺少必需的参数：FILE"),
        (["nope"], "python -m data_model: 错误：参数 COMMAND：无效的选择 'nope'（可选：'init', "),
        (
            ["review", "off", "tasks", "--district", "南山区", "--unit", "市工商联"],
            "python -m data_model review off: 错误：参数 --unit：不能与参数 --district 同时使用",
        ),
        (["review", "approve", "x"], "python -m data_model review approve: 错误：参数 N："),
        (["init", "--foo"], "python -m data_model: 错误：无法识别的参数：--foo"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("用法：python -m data_model")
        assert err.splitlines()[-1].startswith(error), err
