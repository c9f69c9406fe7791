"""`python -m data_model master …` and `init --master`: the master workbook round trip,
all-or-nothing imports in the importer's problem format, and a second city (杭州) end to
end on SQLite and PostgreSQL with nothing of Shenzhen left in master data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from data_model.accounts import users
from data_model.accounts.permissions import SYSTEM
from data_model.admin import master_admin
from data_model.admin.bootstrap import open_database
from data_model.admin.master_workbook import export_workbook, import_workbook
from data_model.cli import main
from data_model.ingest.importer import import_file
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

HANGZHOU_DISTRICTS = [
    # 名称, 代码, 简称, 拼音, 层级, 别名
    ("全市", "330100", "全市", "quanshi", "市级", "杭州市、杭州、市本级、市级"),
    ("上城区", "330102", "上城", "shangcheng", "区", ""),
    ("拱墅区", "330105", "拱墅", "gongshu", "区", ""),
    ("西湖区", "330106", "西湖", "xihu", "区", ""),
    ("滨江区", "330108", "滨江", "binjiang", "区", ""),
    ("萧山区", "330109", "萧山", "xiaoshan", "区", ""),
    ("余杭区", "330110", "余杭", "yuhang", "区", ""),
]
HANGZHOU = {
    "区": [
        ["名称", "代码", "简称", "拼音", "层级", "别名"],
        *[list(row) for row in HANGZHOU_DISTRICTS],
    ],
    "责任单位": [
        ["名称", "类别", "所属区", "上级单位", "别名"],
        ["市工商联", "其他", "", "", "杭州市工商联、杭州市工商业联合会"],
        ["市工商联经济部", "工商联部室", "", "市工商联", "经济部"],
        ["市发改委", "市直部门", "", "", "杭州市发展和改革委员会"],
        ["上城区工商联", "区工商联", "上城", "", ""],
    ],
    "行动": [["名称", "代码", "说明"], ["助企行动", "H1", "助企纾困"]],
    "品牌": [["名称", "说明", "别名"], ["杭商大会", "", "世界杭商大会"]],
    "活动类型": [["名称"], ["政企恳谈会"]],
    "诉求类别": [["名称"], ["融资服务"]],
}
INDICATORS = [
    INDICATOR_HEADER,
    ["H01", "民营经济增加值", "发展质量", "亿元", "正向", 2, None, "年", "求和"],
    ["H02", "企业开办时间", "营商环境", "天", "逆向", 1, 1, "年", "期末值"],
]
VALUES = [
    VALUE_HEADER,
    *[
        [code, "", district, "2022", value, ""]
        for code, values in (("H01", (900, 700, 800, 600, 500)), ("H02", (1, 2, 1, 3, 2)))
        for district, value in zip(
            ["上城区", "拱墅", "西湖区", "滨江区", "萧山区"], values, strict=True
        )
    ],
]


pytestmark = pytest.mark.usefixtures("cheap_hashing")  # many passwords are hashed


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'master.sqlite3'}"
    engine = open_database(url)
    with engine.begin() as conn:
        users.create_user(conn, "root", "admin", "a-long-password-1", by="t")
        users.create_user(conn, "wang", "staff", "a-long-password-1", by="t", districts=["南山区"])
    engine.dispose()
    return url


def units_file(path: Path, *rows: list) -> Path:
    """A workbook at `path` with one 责任单位 sheet of `rows` (the header first)."""
    path.write_bytes(make_xlsx({"责任单位": list(rows)}))
    return path


def all_entries(url: str) -> dict[str, list[dict]]:
    engine = open_database(url)
    with engine.connect() as conn:
        result = {key: master_admin.entries(conn, key) for key in master_admin.LISTS}
    engine.dispose()
    return result


def test_export_then_import_changes_nothing(tmp_path, db, capsys):
    out = tmp_path / "master.xlsx"
    before = all_entries(db)
    assert main(["master", "export", "--out", str(out), "--db", db]) == 0
    assert "区 12" in capsys.readouterr().out
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["区", "责任单位", "行动", "品牌", "活动类型", "诉求类别"]
    units = list(workbook["责任单位"].values)
    assert units[0][:5] == ("名称", "类别", "所属区", "上级单位", "别名")
    federation = next(row for row in units if row[0] == "市工商联")
    assert "深圳市工商联、市工商业联合会" in federation[4]
    assert main(["master", "import", str(out), "--json", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "unchanged"
    assert (report["rows_new"], report["rows_replaced"]) == (0, 0)
    assert all_entries(db) == before


def test_import_adds_and_updates_by_name_and_is_all_or_nothing(tmp_path, db, capsys):
    good = units_file(
        tmp_path / "good.xlsx",
        ["名称", "类别", "别名"],
        ["市总工会", "其他", "深圳市总工会"],
        ["市商务局", "市直部门", "深圳市商务局、市商务厅"],
    )
    assert main(["master", "import", str(good), "--db", db]) == 0
    assert "新增 1 项，修改 1 项" in capsys.readouterr().out
    bad = units_file(
        tmp_path / "bad.xlsx",
        ["名称", "类别", "所属区", "别名"],
        ["市文旅局", "市直部门", "", ""],
        ["市新部门", "部门", "", ""],
        ["另一个单位", "其他", "福天区", "市发改委"],
    )
    assert main(["master", "import", str(bad), "--json", "--db", db]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "rejected"
    problems = report["sheets"][0]["errors"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (3, "类别", "部门"),
        (4, "名称", "另一个单位"),
    ]
    assert "市发展改革委" in problems[1]["message"]
    assert problems[1]["suggestion"] == "市发展改革委"
    names = {e["name"] for e in all_entries(db)["units"]}
    assert "市文旅局" not in names and "市总工会" in names


def test_replace_is_refused_on_a_database_with_data(tmp_path, db, capsys):
    engine = open_database(db)
    values = make_xlsx(
        {"指标体系": INDICATORS, "指标数据": [VALUE_HEADER, ["H01", "", "南山区", "2022", 1, ""]]}
    )
    assert import_file(engine, values, "v.xlsx").status == "accepted"
    engine.dispose()
    path = tmp_path / "hz.xlsx"
    path.write_bytes(make_xlsx(HANGZHOU))
    assert main(["master", "import", str(path), "--replace", "--db", db]) == 1
    output = capsys.readouterr().out
    assert "已有 3 条报送数据" in output and "不带 --replace" in output
    assert any(e["name"] == "南山区" for e in all_entries(db)["districts"])


def test_master_commands_act_as_the_user_and_refuse_staff(db, capsys):
    assert main(["master", "add", "units", "市总工会", "--set", "category=other", "--db", db]) == 0
    assert main(["master", "rename", "units", "市总工会", "市总工会机关", "--db", db]) == 0
    assert "原名称保留为别名" in capsys.readouterr().out
    assert (
        main(["master", "merge", "units", "市总工会机关", "市工商联", "--user", "root", "--db", db])
        == 0
    )
    assert main(["master", "deactivate", "brands", "民企话坛", "--db", db]) == 0
    assert main(["master", "reactivate", "brands", "民企话坛", "--db", db]) == 0
    assert main(["master", "list", "units", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "市总工会机关" in listing  # now an alias of 市工商联
    assert main(["master", "deactivate", "brands", "民企话坛", "--user", "wang", "--db", db]) == 2
    assert "报送员" in capsys.readouterr().err
    assert main(["master", "merge", "units", "市工商联", "深圳市总商会", "--db", db]) == 2
    assert "合并到它自己" in capsys.readouterr().err
    assert main(["master", "add", "units", "x", "--set", "nonsense", "--db", db]) == 2


def hangzhou_url(kind: str, tmp_path, pg_url=None) -> str:
    return pg_url if kind == "postgresql" else f"sqlite:///{tmp_path / 'hz.sqlite3'}"


def run_second_city(url: str, tmp_path, capsys, via: str) -> None:
    master = tmp_path / "hz.xlsx"
    master.write_bytes(make_xlsx(HANGZHOU))
    if via == "init":
        assert main(["init", "--master", str(master), "--db", url]) == 0
    else:
        assert main(["init", "--db", url]) == 0  # Shenzhen defaults first
        assert main(["master", "import", str(master), "--replace", "--db", url]) == 0
    capsys.readouterr()
    entries = all_entries(url)
    assert [e["name"] for e in entries["districts"]] == [r[0] for r in HANGZHOU_DISTRICTS]
    assert {e["name"] for e in entries["units"]} == {r[0] for r in HANGZHOU["责任单位"][1:]}
    assert [e["name"] for e in entries["brands"]] == ["杭商大会"]
    text = json.dumps(entries, ensure_ascii=False)
    for shenzhen in ("深圳", "南山", "福田", "民企话坛", "领跑行动", "直联走访", "市委统战部"):
        assert shenzhen not in text
    units = {e["name"]: e for e in entries["units"]}
    assert units["上城区工商联"]["district"] == "上城区"
    assert units["市工商联经济部"]["parent"] == "市工商联"
    assert entries["districts"][1]["map_code"] == "330102"
    # Data for those districts goes in through the normal importer.
    for name, sheets in (("i.xlsx", {"指标体系": INDICATORS}), ("v.xlsx", {"指标数据": VALUES})):
        files = tmp_path / name
        files.write_bytes(make_xlsx(sheets))
        assert main(["import", str(files), "--db", url]) == 0, capsys.readouterr().out
    out = tmp_path / "scores.csv"
    assert main(["scores", "--period", "2022", "--out", str(out), "--db", url]) == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == [
        "上城区",
        "西湖区",
        "拱墅区",
        "滨江区",
        "萧山区",
        "余杭区",
    ]
    # A Shenzhen name is now an unknown district.
    wrong = tmp_path / "wrong.xlsx"
    wrong.write_bytes(make_xlsx({"指标数据": [VALUE_HEADER, ["H01", "", "南山区", "2022", 1, ""]]}))
    assert main(["import", str(wrong), "--db", url]) == 1


@pytest.mark.parametrize("via", ["init", "replace"])
def test_a_second_city_end_to_end_on_sqlite(tmp_path, capsys, via):
    run_second_city(f"sqlite:///{tmp_path / 'hz.sqlite3'}", tmp_path, capsys, via)


def test_a_second_city_end_to_end_on_postgresql(tmp_path, capsys, pg_url):
    run_second_city(pg_url, tmp_path, capsys, "init")


def test_init_master_refuses_a_database_with_master_data(tmp_path, db, capsys):
    master = tmp_path / "hz.xlsx"
    master.write_bytes(make_xlsx(HANGZHOU))
    assert main(["init", "--master", str(master), "--db", db]) == 2
    assert "master import" in capsys.readouterr().err


def test_the_exported_workbook_reads_back_in_english_headers_too(tmp_path, db):
    engine = open_database(db)
    with engine.begin() as conn:
        data = export_workbook(conn, SYSTEM)
    engine.dispose()
    workbook = load_workbook(io.BytesIO(data))
    renamed = Workbook()
    renamed.remove(renamed.active)
    sheet = renamed.create_sheet("Brands")
    for row in workbook["品牌"].values:
        sheet.append(list(row))
    sheet["A1"], sheet["C1"] = "Name", "Aliases"
    sheet.append(["民企开放日", "", "开放日", 9, "Active"])
    path = tmp_path / "en.xlsx"
    renamed.save(path)
    assert main(["master", "import", str(path), "--db", db]) == 0
    assert "民企开放日" in {e["name"] for e in all_entries(db)["brands"]}


def test_a_unit_that_would_be_its_own_parent_is_a_problem(tmp_path, db, capsys):
    path = units_file(
        tmp_path / "cycle.xlsx",
        ["名称", "类别", "上级单位"],
        ["甲单位", "其他", "乙单位"],
        ["乙单位", "其他", "甲单位"],
        ["丙单位", "其他", "丙单位"],
    )
    assert main(["master", "import", str(path), "--json", "--db", db]) == 1
    problems = json.loads(capsys.readouterr().out)["sheets"][0]["errors"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, "上级单位"),
        (3, "上级单位"),
        (4, "上级单位"),
    ]
    assert "不能是自己的上级单位" in problems[2]["message"]


def test_another_citys_template_shows_its_own_names_and_its_example_rows_are_skipped(
    tmp_path, capsys
):
    from data_model.normalize.districts import load_default_districts

    url = hangzhou_url("sqlite", tmp_path)
    master = tmp_path / "hz.xlsx"
    master.write_bytes(make_xlsx(HANGZHOU))
    assert main(["init", "--master", str(master), "--db", url]) == 0
    template = tmp_path / "template.xlsx"
    assert main(["template", "all", "--out", str(template), "--db", url]) == 0
    workbook = load_workbook(template)
    shown = " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        if sheet.sheet_state == "visible"
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    shenzhen = {d.name for d in load_default_districts() if d.kind != "city"} | {"深圳"}
    assert [name for name in shenzhen if name in shown] == []
    assert workbook["指标数据"]["C2"].value == HANGZHOU_DISTRICTS[0][0]
    capsys.readouterr()
    assert main(["import", str(template), "--db", url, "--json"]) == 1  # nothing to import
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "rejected"
    assert all(sheet["rows_read"] == 0 for sheet in result["sheets"])


def test_a_unit_whose_chain_of_parents_leads_into_a_cycle_is_a_problem_not_a_long_chain(
    tmp_path, db, capsys
):
    # Each name's chain is followed once: a chain of 10,000 units took 4.6 s.
    chain = [[f"链{n}", "其他", f"链{n + 1}" if n < 300 else ""] for n in range(301)]
    path = units_file(
        tmp_path / "chains.xlsx",
        ["名称", "类别", "上级单位"],
        *chain,
        ["甲单位", "其他", "乙单位"],
        ["乙单位", "其他", "甲单位"],
        ["丁单位", "其他", "甲单位"],
    )
    assert main(["master", "import", str(path), "--json", "--db", db]) == 1
    problems = json.loads(capsys.readouterr().out)["sheets"][0]["errors"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (303, "上级单位"),
        (304, "上级单位"),
        (305, "上级单位"),
    ]


def test_a_workbook_without_a_master_sheet_is_refused_naming_the_master_sheets(
    tmp_path, db, capsys
):
    tasks = tmp_path / "tasks.xlsx"
    tasks.write_bytes(make_xlsx({"任务清单": [["任务编号", "任务名称"], ["T1", "走访企业"]]}))
    assert main(["master", "import", str(tasks), "--db", db]) == 1
    out = capsys.readouterr().out
    assert out.startswith("tasks.xlsx: 已拒绝 — 文件“tasks.xlsx”不是主数据工作簿")
    assert "（文件中的工作表：任务清单）" in out
    assert "主数据工作簿的工作表为：区、责任单位、行动、品牌、活动类型、诉求类别" in out
    # The master page imports with the same function, and shows a rejection as an error.
    engine = open_database(db)
    with engine.connect() as conn:
        report = import_workbook(conn, SYSTEM, tasks.read_bytes(), "tasks.xlsx", dry_run=True)
    engine.dispose()
    assert report.status == "rejected"
    assert [p.value for p in report.errors] == ["tasks.xlsx"]


def test_a_name_already_taken_names_master_merge_on_the_command_line(db, capsys):
    assert main(["master", "add", "units", "市总工会", "--set", "category=other", "--db", db]) == 0
    capsys.readouterr()
    edit = ["master", "edit", "units", "市总工会", "--set", "aliases=深圳市总商会", "--db", db]
    assert main(edit) == 2
    err = capsys.readouterr().err
    assert "「深圳市总商会」已是责任单位「市工商联」的名称、代码或别名" in err
    assert "请用 master merge 合并" in err
    assert "合并”" not in err
