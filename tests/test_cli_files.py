"""The command line's files: every input file checked before anything is read (a folder
said to be one), output names refused when their extension is not what is written, the
sample-data folder checked, and the report's lines as an admin reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_model.admin.bootstrap import open_database
from data_model.cli import PROBLEMS_IN_TERMINAL, main
from data_model.i18n import command_line, t
from data_model.ingest.importer import import_file
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx


@pytest.fixture
def db(sqlite_url):
    """A database as `init` makes it (under tmp_path/db): the commands but `init`, `seed`
    and `restore` make none."""
    return sqlite_url


def write(tmp_path, name: str, sheets: dict) -> str:
    path = tmp_path / name
    path.write_bytes(make_xlsx(sheets))
    return str(path)


def test_a_missing_file_among_several_refuses_before_any_is_imported(tmp_path, db, capsys):
    first = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    missing = str(tmp_path / "missing.xlsx")
    assert main(["import", first, missing, first, "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"找不到文件：{missing}。3 个文件均未导入" in err
    # The first file was committed before the missing one was found.
    assert main(["import", first, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "accepted"


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{dir}"],
        ["restore", "{dir}"],
        ["master", "import", "{dir}"],
        ["init", "--master", "{dir}"],
    ],
    ids=["import", "restore", "master import", "init --master"],
)
def test_a_folder_given_as_input_file_is_called_a_folder(tmp_path, db, capsys, args):
    folder = tmp_path / "somedir"
    folder.mkdir()
    assert main([*(a.replace("{dir}", str(folder)) for a in args), "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"{folder} 是文件夹，不是文件" in err
    assert "找不到文件" not in err


@pytest.mark.parametrize(
    ("folder", "says"),
    [
        ("{tmp}/nope", "示例数据文件夹 {tmp}/nope 不存在"),
        ("{tmp}/empty", "文件夹 {tmp}/empty 中没有示例工作簿（indicators.xlsx、"),
        ("{tmp}/fake.xlsx", "{tmp}/fake.xlsx 是文件，不是文件夹"),
    ],
    ids=["missing", "empty", "a file"],
)
def test_seed_from_a_folder_without_sample_files_says_so_and_exits_2(
    tmp_path, db, capsys, folder, says
):
    (tmp_path / "empty").mkdir()
    (tmp_path / "fake.xlsx").write_bytes(b"not a workbook")
    folder, says = (text.replace("{tmp}", str(tmp_path)) for text in (folder, says))
    assert main(["seed", "--folder", folder, "--db", db]) == 2
    captured = capsys.readouterr()
    assert says in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["template", "tasks", "--out", "{tmp}/t.csv"], "t.csv：请用 .xlsx 结尾的文件名"),
        (["master", "export", "--out", "{tmp}/m.txt"], "m.txt：请用 .xlsx 结尾的文件名"),
        (["backup", "--out", "{tmp}/backup.tar"], "backup.tar：请用 .zip 结尾的文件名"),
    ],
    ids=["template", "master export", "backup"],
)
def test_an_output_name_whose_extension_is_not_what_is_written_is_refused(
    tmp_path, db, capsys, args, says
):
    assert main([*(a.replace("{tmp}", str(tmp_path)) for a in args), "--db", db]) == 2
    assert says in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name != "db"] == []


@pytest.mark.parametrize(
    ("command", "says"), [(["template"], "（.xlsx）"), (["master", "export"], "（.xlsx）")]
)
def test_the_help_of_an_xlsx_output_says_xlsx_only(capsys, command, says):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert says in out and ".csv" not in out


def test_a_file_refused_as_a_whole_is_one_line_without_empty_places(tmp_path, db, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("not a workbook")
    assert main(["import", str(text), "--db", db]) == 1
    out = capsys.readouterr().out
    assert out.startswith("notes.txt: 已拒绝 — 文件“notes.txt”不是 Excel 工作簿")
    assert len(out.splitlines()) == 1  # was a sheet line 工作表“”（-） and [ 第-行 -]


def test_a_dry_run_says_rows_are_valid_not_imported(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    assert main(["import", indicators, "--dry-run", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  工作表“指标体系”（指标体系）：读取 3 行，有效 3 行（未导入）"
    assert main(["import", indicators, "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("读取 3 行，导入 3 行")


def test_a_master_dry_run_says_rows_are_valid_and_a_sheet_note_has_no_row(tmp_path, db, capsys):
    master = tmp_path / "master.xlsx"
    master.write_bytes(
        make_xlsx({"行动": [["名称", "代码"], ["新行动", "X9"]], "说明": [["随便写写"]]})
    )
    assert main(["master", "import", str(master), "--dry-run", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  工作表“行动”（-）：读取 1 行，有效 1 行（未导入）" in lines
    assert "    提示 [说明]: 工作表「说明」不是主数据清单，已忽略。" in "\n".join(lines)


def test_many_problems_are_counted_by_kind_then_the_first_listed_and_json_keeps_all(
    tmp_path, db, capsys
):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    assert main(["import", indicators, "--db", db]) == 0
    rows = [["YS02", "", "福天区", f"2022-{m:02d}", 5, ""] for m in range(1, 13)] * 6
    values = write(tmp_path, "values.xlsx", {"指标数据": [VALUE_HEADER, *rows]})
    capsys.readouterr()
    assert main(["import", values, "--db", db]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[1]
        == f"  共 72 个问题，太多无法逐条列出：先按类别统计，再列出前 {PROBLEMS_IN_TERMINAL} 个。"
    )
    assert lines[2].startswith("    72 个，首个：错误 [指标数据 第2行 区]: ")
    listed = [line for line in lines if line.startswith("    错误 [")]
    assert len(listed) == PROBLEMS_IN_TERMINAL
    assert (
        lines[-1]
        == f"  … 另有 {72 - PROBLEMS_IN_TERMINAL} 个问题未列出：加 --json 可输出全部问题。"
    )
    assert main(["import", values, "--db", db, "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["sheets"][0]["errors"]) == 72


def test_cli_messages_name_the_command_line_option_not_the_page_button(tmp_path, db, capsys):
    indicators = write(tmp_path, "indicators.xlsx", {"指标体系": indicator_rows()})
    bad = write(
        tmp_path,
        "bad.xlsx",
        {
            "指标数据": [
                VALUE_HEADER,
                ["YS02", "", "福天区", "2022-03", 5, ""],
                ["YS02", "", "南山区", "2022-03", 5, ""],
            ]
        },
    )
    assert main(["import", indicators, "--db", db]) == 0
    capsys.readouterr()
    assert main(["import", bad, "--db", db]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("请修改后重新导入，或加 --valid-rows-only 只导入有效行。")
    assert main(["master", "edit", "units", "不存在的单位", "--set", "类别=其他", "--db", db]) == 2
    assert capsys.readouterr().err.endswith("如需新增，请用 master add。\n")
    # The page's text, from the same library call outside the command line, is unchanged.
    report = import_file(open_database(db), Path(bad).read_bytes(), "bad.xlsx")
    assert report.message.endswith("请修改后重新上传，或选择“仅导入有效行”。")


def test_the_command_line_variant_of_a_text_holds_only_while_the_command_line_runs():
    assert t("importer.rejected", errors=2).endswith("或选择“仅导入有效行”。")
    with command_line():
        assert t("importer.rejected", errors=2).endswith("或加 --valid-rows-only 只导入有效行。")
        assert t("cli.status_rejected") == "已拒绝"  # a key without a variant
    assert t("importer.rejected", errors=2).endswith("或选择“仅导入有效行”。")
