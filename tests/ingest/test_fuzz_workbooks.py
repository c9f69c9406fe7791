"""Fuzz: valid workbooks, mutated part by part, always end in a report, never a traceback.

Mutations follow what broken or hostile files do: odd XML declarations and encodings,
damaged shared strings, lying dimensions, zip entries removed, duplicated or cut short,
broken styles, far-away cells, damaged bytes. Examples are derived from a fixed seed
(`derandomize=True`), so CI runs the same files every time.
"""

from __future__ import annotations

import io
import time
import warnings
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_model.admin.bootstrap import open_database
from data_model.ingest.importer import import_file
from tests.conftest import VALUE_HEADER, database_examples, indicator_rows, make_xlsx
from tests.raw_xlsx import (
    CONTENT_TYPES,
    ROOT_RELS,
    WORKBOOK_RELS,
    package,
    workbook_xml,
)

STATUSES = {"accepted", "rejected", "partial", "unchanged"}
# A hang guard, not a performance assertion (the project keeps none in tests): a file
# of a few kilobytes takes well under a second; ten means something loops or explodes.
HANG_GUARD_SECONDS = 10

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
VALUES = [
    VALUE_HEADER,
    ["YS02", "", "南山区", "2022-03", 5, ""],
    ["YS03", "诉求办结率", "福田区", "2022-Q1", 0.95, "初步数"],
    ["YS01", "", "罗湖区", "2022年3月", "1,234.5", ""],
]


def shared_strings_workbook() -> bytes:
    """`VALUES` as Excel saves it: text in xl/sharedStrings.xml, a percent style on 0.95,
    the 5 as a formula with its cached value."""
    strings: list[str] = []
    cells = []
    for r, row in enumerate(VALUES, start=1):
        cells.append(f'<row r="{r}">')
        for c, value in enumerate(row):
            name = f"{'ABCDEF'[c]}{r}"
            if value == "":
                continue
            if isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{name}" t="s"><v>{len(strings) - 1}</v></c>')
            elif value == 5:  # a formula with its cached value
                cells.append(f'<c r="{name}"><f>2+3</f><v>{value}</v></c>')
            else:
                style = ' s="1"' if value == 0.95 else ""
                cells.append(f'<c r="{name}"{style}><v>{value}</v></c>')
        cells.append("</row>")
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    sheet = (
        f'{declaration}<worksheet xmlns="{MAIN}"><dimension ref="A1:F{len(VALUES)}"/>'
        f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
    )
    shared = (
        f'{declaration}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{text}</t></si>" for text in strings)
        + "</sst>"
    )
    styles = (
        f'{declaration}<styleSheet xmlns="{MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>"
    )
    rels = WORKBOOK_RELS.replace(
        "</Relationships>",
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>',
    )
    return package(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": workbook_xml("指标数据"),
            "xl/_rels/workbook.xml.rels": rels,
            "xl/worksheets/sheet1.xml": sheet,
            "xl/sharedStrings.xml": shared,
            "xl/styles.xml": styles,
        }
    )


BASES = {
    "shared strings": shared_strings_workbook(),
    "openpyxl": make_xlsx({"指标数据": VALUES}),
}


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repackage(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicated name
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in parts:
                archive.writestr(name, content)
    return buffer.getvalue()


def _without_declaration(xml: bytes) -> bytes:
    if xml.startswith(b"<?xml"):
        return xml[xml.index(b"?>") + 2 :]
    return xml


def declare(xml: bytes, encoding: str) -> bytes:
    """The part with its XML declaration replaced (`none`: removed), bytes unchanged."""
    body = _without_declaration(xml)
    if encoding == "none":
        return body
    return f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + body


def reencode(xml: bytes, encoding: str) -> bytes:
    """The part really written in `encoding`, declared so."""
    text = _without_declaration(xml).decode("utf-8", "replace")  # may be re-encoded already
    return f'<?xml version="1.0" encoding="{encoding}"?>{text}'.encode(encoding, "replace")


DIMENSIONS = ["A1", "A1:XFD1048576", "A1:ZZ99", "B2:A1", "A1:A99999999999", "", "A1:B", "!!"]
ENCODINGS = ["GBK", "gb2312", "UTF-16", "UTF-8", "ISO-8859-1", "bogus", "none"]


@st.composite
def mutated_workbooks(draw) -> tuple[str, bytes]:
    base = draw(st.sampled_from(sorted(BASES)))
    parts = list(parts_of(BASES[base]).items())
    names = [name for name, _ in parts]
    xml_names = [name for name in names if name.endswith((".xml", ".rels"))]
    sheet = "xl/worksheets/sheet1.xml"
    steps = draw(st.integers(min_value=1, max_value=3))
    for _ in range(steps):
        kind = draw(
            st.sampled_from(
                [
                    "declaration",
                    "reencode",
                    "shared strings",
                    "dimension",
                    "far cell",
                    "remove",
                    "duplicate",
                    "truncate part",
                    "styles",
                    "cell style",
                ]
            )
        )
        index = draw(st.integers(0, len(parts) - 1))
        name, content = parts[index]
        if kind == "declaration":
            target = names.index(draw(st.sampled_from(xml_names)))
            parts[target] = (
                parts[target][0],
                declare(parts[target][1], draw(st.sampled_from(ENCODINGS))),
            )
        elif kind == "reencode":
            target = names.index(draw(st.sampled_from(xml_names)))
            encoding = draw(st.sampled_from(["utf-16", "gbk", "gb18030", "utf-16-le"]))
            parts[target] = (parts[target][0], reencode(parts[target][1], encoding))
        elif kind == "shared strings" and "xl/sharedStrings.xml" in names:
            target = names.index("xl/sharedStrings.xml")
            shared = parts[target][1]
            shared = draw(
                st.sampled_from(
                    [
                        shared[: len(shared) // 2],
                        shared.replace(b"<si>", b"<si><r>", 1),
                        shared.replace(b'count="', b'count="9', 1),
                        shared.replace(b"<t>", b"<t>\xff\xfe", 1),
                        b"",
                    ]
                )
            )
            parts[target] = ("xl/sharedStrings.xml", shared)
            if draw(st.booleans()):  # a cell pointing past the last string
                s_index = names.index(sheet)
                parts[s_index] = (sheet, parts[s_index][1].replace(b"<v>0</v>", b"<v>99999</v>", 1))
        elif kind == "dimension":
            s_index = names.index(sheet)
            xml = parts[s_index][1]
            start = xml.find(b'<dimension ref="')
            if start >= 0:
                end = xml.index(b'"', start + 16)
                ref = draw(st.sampled_from(DIMENSIONS)).encode()
                parts[s_index] = (sheet, xml[: start + 16] + ref + xml[end:])
        elif kind == "far cell":
            s_index = names.index(sheet)
            ref = draw(
                st.sampled_from(
                    [b"XFD1048576", b"ZZZ1", b"A9999999", b"AMK1", b"ZZ5000", b"xfd1048576"]
                )
            )
            parts[s_index] = (
                sheet,
                parts[s_index][1].replace(b"</row>", b'<c r="' + ref + b'"><v>1</v></c></row>', 1),
            )
        elif kind == "remove":
            del parts[index]
            names = [n for n, _ in parts]
            xml_names = [n for n in names if n.endswith((".xml", ".rels"))]
            if sheet not in names or not xml_names:
                break
        elif kind == "duplicate":
            parts.append((name, draw(st.sampled_from([content, content[: len(content) // 3]]))))
        elif kind == "truncate part":
            cut = draw(st.integers(0, max(len(content) - 1, 0)))
            parts[index] = (name, content[:cut])
        elif kind == "styles" and "xl/styles.xml" in names:
            target = names.index("xl/styles.xml")
            styles = parts[target][1]
            parts[target] = (
                "xl/styles.xml",
                draw(
                    st.sampled_from(
                        [
                            styles.replace(b'numFmtId="164"', b'numFmtId="x"'),
                            styles.replace(b"cellXfs", b"cellXfsBroken"),
                            styles[: len(styles) // 2],
                            styles.replace(b'numFmtId="0"', b'numFmtId="99999999999999999999"'),
                        ]
                    )
                ),
            )
        elif kind == "cell style":
            s_index = names.index(sheet)
            style = draw(st.sampled_from([b' s="999"', b' s="-1"', b' s="x"', b' t="zz"']))
            parts[s_index] = (sheet, parts[s_index][1].replace(b"<c r=", b"<c" + style + b" r=", 2))
    data = repackage(parts)
    if draw(st.booleans()):  # damage the archive itself
        position = draw(st.integers(0, len(data) - 1))
        data = draw(
            st.sampled_from(
                [
                    data[:position],
                    data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :],
                ]
            )
        )
    return base, data


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory):
    # One database for every example (a fresh one per example would cost more than the
    # imports); the indicators are defined first so that valid rows can be accepted.
    engine = open_database(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}")
    assert import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status == (
        "accepted"
    )
    yield engine
    engine.dispose()


def test_unmutated_bases_are_accepted(fuzz_engine):
    # The mutations start from files the importer accepts, so a rejection is the mutation's.
    for name, data in BASES.items():
        report = import_file(fuzz_engine, data, f"{name}.xlsx")
        assert report.status in {"accepted", "unchanged"}, (name, report.message)


@database_examples(150, derandomize=True)  # the hang guard below bounds each file
@given(mutated_workbooks())
def test_mutated_workbook_ends_in_a_report(fuzz_engine, mutated):
    base, data = mutated
    started = time.perf_counter()
    report = import_file(fuzz_engine, data, "mutated.xlsx")
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert report.status in STATUSES
    if report.status == "rejected":
        assert report.message or report.errors
        assert all(problem.message for problem in report.errors)
