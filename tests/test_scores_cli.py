"""`python -m data_model scores`: the district scores of a period as CSV or Excel."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from data_model.admin.bootstrap import open_database
from data_model.cli import main
from data_model.ingest.importer import import_file
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx

INDICATORS = [
    INDICATOR_HEADER,
    ["A1", "达标率", "甲", "%", "正向", 2, 100, "月", "期末值"],
    ["A2", "走访企业数", "乙", "家", "正向", 1, 12, "月", "求和"],
]
VALUES = [
    VALUE_HEADER,
    ["A1", "", "南山区", "2022-01", 100, ""],
    ["A1", "", "福田区", "2022-01", 50, ""],
    ["A1", "", "全市", "2022-01", 80, ""],
    ["A2", "", "南山区", "2022-01", 1, ""],
    ["A2", "", "南山区", "2022-02", 1, ""],
    ["A2", "", "福田区", "2022-01", 3, ""],
]


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'scores.sqlite3'}"
    engine = open_database(url)
    for name, sheets in (("i.xlsx", {"指标体系": INDICATORS}), ("v.xlsx", {"指标数据": VALUES})):
        assert import_file(engine, make_xlsx(sheets), name).status == "accepted"
    engine.dispose()
    return url


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_scores_of_a_quarter_are_written_as_csv_with_chinese_headers(tmp_path, db, capsys):
    out = tmp_path / "scores.csv"
    assert main(["scores", "--period", "2022年第一季度", "--out", str(out), "--db", db]) == 0
    assert "2022-Q1" in capsys.readouterr().out
    rows = read_csv(out)
    assert rows[0] == ["区", "甲", "乙", "综合得分", "排名", "排名变化", "未报送指标数"]
    assert len(rows) == 1 + 11  # the districts, not the city
    # Q1: A1 last value (Jan): 南山 100, 福田 50; A2 sum 2 and 3 against 12 × 3/12 = 3:
    # 南山 66.67, 福田 100. Composite (2 × A1 + A2) / 3: 南山 88.89, 福田 66.67.
    assert rows[1] == ["南山区", "100.0", "66.67", "88.89", "1", "", "0"]
    assert rows[2] == ["福田区", "50.0", "100.0", "66.67", "2", "", "0"]
    assert rows[3][0:1] + rows[3][3:] == ["罗湖区", "0.0", "3", "", "2"]


def test_granularity_widens_the_period_and_excel_works(tmp_path, db):
    out = tmp_path / "scores.xlsx"
    assert (
        main(
            [
                "scores",
                "--period",
                "2022-02",
                "--granularity",
                "quarter",
                "--out",
                str(out),
                "--db",
                db,
            ]
        )
        == 0
    )
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:4] == ["区", "甲", "乙", "综合得分"]
    assert [c.value for c in sheet[2]][:4] == ["南山区", 100, 66.67, 88.89]


def test_a_month_compares_with_the_previous_month(tmp_path, db):
    out = tmp_path / "feb.csv"
    assert main(["scores", "--period", "2022-02", "--out", str(out), "--db", db]) == 0
    rows = {r[0]: r for r in read_csv(out)[1:]}
    # February: only 南山 reported (A2 = 1 against 1): 南山 1/3 × 100 = 33.33, first.
    # January: 南山 (200 + 100×1/1)/3 = 100 first, 福田 (100 + 100)/3 second.
    assert rows["南山区"][3:6] == ["33.33", "1", "0"]
    # 福田 reported nothing in February: tied with the others that did not, no rank change.
    assert rows["福田区"][3:6] == ["0.0", "2", ""]
    assert rows["福田区"][6] == "2"


@pytest.mark.parametrize(
    ("period", "granularity", "message"),
    [
        ("2022-13", None, "2022-13"),
        ("明年", None, "明年"),
        ("2022", "quarter", "2022-Q4"),
        ("2030", None, "2030"),
    ],
)
def test_a_bad_or_empty_period_exits_2_with_a_message(
    tmp_path, db, capsys, period, granularity, message
):
    out = tmp_path / "x.csv"
    args = ["scores", "--period", period, "--out", str(out), "--db", db]
    if granularity:
        args += ["--granularity", granularity]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert "scores" in error and message in error
    assert not out.exists()


def test_an_unknown_output_type_exits_2(tmp_path, db, capsys):
    assert (
        main(["scores", "--period", "2022-01", "--out", str(tmp_path / "x.txt"), "--db", db]) == 2
    )
    assert ".csv" in capsys.readouterr().err
