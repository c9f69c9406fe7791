"""Hostile or broken files: one clear reason, exit 1 from the CLI, nothing written."""

from __future__ import annotations

import io
import json
import zipfile

import msoffcrypto
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from data_model.cli import main
from data_model.ingest.importer import ImportOptions, import_file
from data_model.ingest.raw_sheet import Limits
from data_model.outputs.export import export_frame, export_kinds
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

GOOD = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})


def encrypted(data: bytes, password: str = "1234") -> bytes:
    source = OOXMLFile(io.BytesIO(data))
    target = io.BytesIO()
    source.encrypt(password, target)
    return target.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def word_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

HOSTILE = {
    "csv": ("data.xlsx", "区,数值\n南山区,1\n".encode(), "不是 Excel"),
    "image": ("photo.xlsx", PNG, "不是 Excel"),
    "word": ("report.xlsx", word_document(), "不是 Excel 工作簿"),
    "truncated": ("half.xlsx", truncated(GOOD), "损坏"),
    "encrypted": ("secret.xlsx", encrypted(GOOD), "密码"),
    "empty file": ("empty.xlsx", b"", "空"),
    "empty workbook": ("blank.xlsx", make_xlsx({"Sheet1": []}), "没有任何数据"),
    "no header": ("odd.xlsx", make_xlsx({"Sheet1": [["a", "b"], [1, 2]]}), "表头"),
}


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {kind: export_frame(conn, kind).to_dict("records") for kind in export_kinds()}


@pytest.fixture
def seeded(engine):
    assert (
        import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status
        == "accepted"
    )
    assert import_file(engine, GOOD, "good.xlsx").status == "accepted"
    return engine


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_gets_one_reason_and_writes_nothing(seeded, case):
    name, data, fragment = HOSTILE[case]
    before = snapshot(seeded)
    report = import_file(seeded, data, name)
    assert report.status == "rejected"
    assert len(report.errors) == 1
    assert fragment in report.errors[0].message
    assert "\n" not in report.errors[0].message
    assert snapshot(seeded) == before


@pytest.mark.parametrize("case", ["csv", "truncated", "encrypted"])
def test_cli_exits_1_with_a_one_line_reason(tmp_path, case, capsys, sqlite_url):
    name, data, fragment = HOSTILE[case]
    path = tmp_path / name
    path.write_bytes(data)
    db = sqlite_url  # as init makes it: import creates no database
    assert main(["import", str(path), "--db", db, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "rejected"
    assert fragment in result["sheets"][0]["errors"][0]["message"]


def test_limits_are_checked_before_parsing(seeded):
    big = make_xlsx(
        {
            "指标数据": [VALUE_HEADER]
            + [["YS02", "", "南山区", f"2022-{m:02d}", m, ""] for m in range(1, 13)]
        }
    )
    cases = {
        "file size": (Limits(max_file_bytes=1000), "超过上限"),
        "rows": (Limits(max_rows_per_sheet=5), "行，超过上限"),
        "uncompressed": (Limits(max_uncompressed_bytes=2000), "解压后"),
    }
    for limits, fragment in cases.values():
        report = import_file(seeded, big, "big.xlsx", ImportOptions(limits=limits))
        assert report.status == "rejected"
        assert fragment in report.errors[0].message


def test_zip_bomb_is_refused_from_the_directory_without_inflating(seeded):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    report = import_file(
        seeded,
        data,
        "bomb.xlsx",
        ImportOptions(limits=Limits(max_uncompressed_bytes=10 * 1024 * 1024)),
    )
    assert "解压后" in report.errors[0].message


def test_decrypted_copy_of_the_encrypted_file_imports(seeded):
    # The reason given ("remove the password") really is the fix.
    data = encrypted(
        make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "福田区", "2022-03", 5, ""]]})
    )
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password="1234")
    plain = io.BytesIO()
    office.decrypt(plain)
    assert import_file(seeded, plain.getvalue(), "plain.xlsx").status == "accepted"
