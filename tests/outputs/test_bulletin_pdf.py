"""The PDF bulletin (the Word bulletin rendered by LibreOffice), the document number (文号)
and issuing date from settings, and what happens without LibreOffice.

The PDF tests need LibreOffice (`apt-get install libreoffice-writer-nogui`, as .ci/run
does) and are skipped with that reason without it; the PDF is read back with pypdf.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from data_model import settings
from data_model.cli import main
from data_model.i18n import t
from data_model.outputs.bulletin import (
    as_issued,
    bulletin_docx,
    bulletin_figures,
    bulletin_pdf,
    file_name,
)
from data_model.outputs.office_pdf import PdfUnavailable, find_soffice, soffice_problem

NUMBER = "深工商联通〔{year}〕7号"
ISSUED = date(2024, 2, 1)
NO_SOFFICE = f"the PDF bulletin needs LibreOffice: {soffice_problem()}"
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason=NO_SOFFICE)


@pytest.fixture
def numbered(monkeypatch):
    monkeypatch.setenv("BULLETIN_NUMBER", NUMBER)
    monkeypatch.setenv("BULLETIN_DATE", ISSUED.isoformat())


@pytest.fixture
def bulletin_2023(sample_engine, numbered):
    with sample_engine.connect() as conn:
        return as_issued(bulletin_figures(conn, "2023", date(2024, 3, 9)))


def pdf_text(data: bytes) -> tuple[int, str]:
    """Page count and text (without white space: LibreOffice spaces Latin from CJK)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", "", text)


# --- settings ------------------------------------------------------------------------


def test_number_and_date_come_from_the_settings(bulletin_2023):
    assert bulletin_2023.number == "深工商联通〔2024〕7号"
    assert bulletin_2023.issued == ISSUED
    assert bulletin_2023.as_of == date(2023, 12, 31)  # statuses still judged at the period end


def test_without_the_settings_no_number_and_issued_today(sample_engine, monkeypatch):
    monkeypatch.delenv("BULLETIN_NUMBER", raising=False)
    monkeypatch.delenv("BULLETIN_DATE", raising=False)
    with sample_engine.connect() as conn:
        bulletin = as_issued(bulletin_figures(conn, "2023", date(2024, 3, 9)))
    assert bulletin.number is None
    assert bulletin.issued == date(2024, 3, 9)
    document = Document(io.BytesIO(bulletin_docx(bulletin, "zh-CN", charts=False)))
    assert document.paragraphs[2].text.endswith("\t2024年3月9日")


@pytest.mark.parametrize(
    ("name", "value", "quoted"),
    [
        ("BULLETIN_DATE", "2024/13/01", "2024/13/01"),
        ("BULLETIN_NUMBER", "深工商联〔{yr}〕1号", "{year}"),
    ],
)
def test_a_bad_setting_is_named_with_what_to_write(monkeypatch, name, value, quoted):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(quoted)) as raised:
        settings.bulletin_number(ISSUED) if name == "BULLETIN_NUMBER" else settings.bulletin_date()
    assert name in str(raised.value)


def test_a_bad_setting_ends_the_command_with_one_line(sample_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BULLETIN_DATE", "明天")
    out = tmp_path / "通报.docx"
    code = main(["bulletin", "--period", "2023", "--out", str(out), "--db", sample_db.url])
    assert code == 2
    error = capsys.readouterr().err
    assert "BULLETIN_DATE" in error and "Traceback" not in error
    assert not out.exists()


# --- Word ----------------------------------------------------------------------------


def test_word_bulletin_prints_the_number_under_the_title_and_the_date(bulletin_2023):
    document = Document(io.BytesIO(bulletin_docx(bulletin_2023, "zh-CN", charts=False)))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [
        t("bulletin.document_title"),
        "（2023年）",
        "深工商联通〔2024〕7号",
        "深圳市工商业联合会（总商会）\t2024年2月1日",
    ]


# --- PDF -----------------------------------------------------------------------------


@needs_soffice
def test_pdf_bulletin_has_the_title_number_date_and_tables(bulletin_2023):
    data = bulletin_pdf(bulletin_2023, "zh-CN", charts=False)
    assert data.startswith(b"%PDF-")
    pages, text = pdf_text(data)
    assert pages >= 3  # the Word bulletin of 2023 fills several A4 pages
    assert "“两个健康”试验区工作情况通报" in text
    assert t("app.zone") in text
    assert "深工商联通〔2024〕7号" in text
    assert "2024年2月1日" in text
    assert "一、总体进展" in text and "五、下一步工作" in text
    assert "A5-10" in text  # the longest overdue task, from the overdue table


@needs_soffice
def test_pdf_bulletin_command(sample_db, tmp_path, capsys, numbered):
    out = tmp_path / "通报.pdf"
    args = ["bulletin", "--period", "2023", "--out", str(out), "--db", sample_db.url]
    assert main([*args, "--no-charts", "--lang", "en"]) == 0
    assert "Wrote the bulletin" in capsys.readouterr().out or out.exists()
    pages, text = pdf_text(out.read_bytes())
    assert pages > 0
    assert "“TwoHealths”PilotZoneWorkBulletin" in text
    assert "深工商联通〔2024〕7号" in text


def test_without_libreoffice_the_pdf_is_refused_with_what_to_install(
    sample_db, bulletin_2023, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("SOFFICE_PATH", str(tmp_path / "no-such-soffice"))
    with pytest.raises(PdfUnavailable, match="no-such-soffice"):
        bulletin_pdf(bulletin_2023, "zh-CN", charts=False)
    out = tmp_path / "通报.pdf"
    args = ["bulletin", "--period", "2023", "--out", str(out), "--db", sample_db.url]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert "libreoffice-writer-nogui" in error and "no-such-soffice" in error
    assert ".docx" in error
    assert not out.exists()


def test_pdf_file_name(bulletin_2023):
    assert file_name(bulletin_2023, ".pdf") == "两个健康试验区工作情况通报_2023.pdf"
