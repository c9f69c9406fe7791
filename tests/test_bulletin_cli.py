"""`python -m data_model bulletin`: the periodic bulletin of a period as Word or Excel."""

from __future__ import annotations

import pytest
from docx import Document
from openpyxl import load_workbook

from data_model.cli import main


@pytest.fixture(scope="module")
def db(sample_db):
    """The sample data's URL, on SQLite and on PostgreSQL."""
    return sample_db.url


def test_word_bulletin_of_a_year(tmp_path, db, capsys):
    out = tmp_path / "通报.docx"
    assert (
        main(["bulletin", "--period", "2023年", "--out", str(out), "--db", db, "--no-charts"]) == 0
    )
    assert "已生成2023年通报" in capsys.readouterr().out
    document = Document(str(out))
    assert document.paragraphs[0].text == "“两个健康”试验区工作情况通报"
    assert document.paragraphs[1].text == "（2023年）"
    overdue = next(t for t in document.tables if t.rows[0].cells[0].text == "序号")
    assert len(overdue.rows) == 1 + 6


def test_excel_bulletin_of_a_quarter_in_english(tmp_path, db):
    out = tmp_path / "bulletin.XLSX"
    assert (
        main(["bulletin", "--period", "2023Q4", "--out", str(out), "--db", db, "--lang", "en"]) == 0
    )
    workbook = load_workbook(out)
    assert workbook.sheetnames[0] == "Overview"
    assert workbook["Overview"]["A4"].value == "Overdue tasks"
    assert workbook["Overview"]["B4"].value == 6


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "2023", "--out", "bulletin.odt"], "“bulletin.odt”"),
        (["--period", "明年", "--out", "bulletin.docx"], "--period"),
        (["--period", "2030", "--out", "bulletin.docx"], "2021, 2022, 2023"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_write_nothing(
    tmp_path, db, capsys, monkeypatch, arguments, message
):
    monkeypatch.chdir(tmp_path)
    assert main(["bulletin", *arguments, "--db", db]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_without_a_browser_the_word_bulletin_asks_for_one_or_no_charts(
    tmp_path, db, capsys, monkeypatch
):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    out = tmp_path / "bulletin.docx"
    assert main(["bulletin", "--period", "2023", "--out", str(out), "--db", db]) == 2
    error = capsys.readouterr().err
    assert "no-such-chrome" in error and "--no-charts" in error
    assert not out.exists()
    assert main(["bulletin", "--period", "2023", "--out", str(out), "--db", db, "--no-charts"]) == 0
    assert len(Document(str(out)).inline_shapes) == 0
