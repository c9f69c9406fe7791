"""Workbook packages written part by part, for files openpyxl would never produce.

Hostile-file tests need exact control over the XML (declarations, encodings, dimension
refs, broken parts) and a 16,384-column sheet built in a fraction of a second, which
openpyxl cannot give.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook_xml(sheet_name: str, declaration: str = "UTF-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{declaration}" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Formula:
    """A formula cell with the value Excel cached when it saved the file."""

    text: str
    cached: float


def sheet_xml(rows: list[list[object]], dimension: str | None = None) -> str:
    """A worksheet part; numbers as numbers, text as inline strings."""
    width = max((len(row) for row in rows), default=1)
    ref = dimension or f"A1:{column_letters(width - 1)}{max(len(rows), 1)}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{ref}"/><sheetData>'
    ]
    for r, row in enumerate(rows, start=1):
        parts.append(f'<row r="{r}">')
        for c, value in enumerate(row):
            name = f"{column_letters(c)}{r}"
            if isinstance(value, Formula):
                parts.append(f'<c r="{name}"><f>{value.text}</f><v>{value.cached}</v></c>')
            elif isinstance(value, str):
                parts.append(f'<c r="{name}" t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                parts.append(f'<c r="{name}"><v>{value}</v></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def package(parts: dict[str, str | bytes]) -> bytes:
    """A zip of the given parts, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def one_sheet_parts(
    rows: list[list[object]], sheet_name: str = "Sheet1", dimension: str | None = None
) -> dict[str, str]:
    """The parts of a one-sheet workbook, to change before `package`."""
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(sheet_name),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml(rows, dimension),
    }


def one_sheet_xlsx(
    rows: list[list[object]], sheet_name: str = "Sheet1", dimension: str | None = None
) -> bytes:
    return package(one_sheet_parts(rows, sheet_name, dimension))


def with_part(
    parts: dict[str, str], path: str, kind: str, xml: str, relationship: str | None = None
) -> dict[str, str]:
    """The parts with one more, `path` (`xl/styles.xml`) of content type
    `application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml`, linked
    from the workbook when `relationship` names its type (`styles`)."""
    added = dict(parts)
    added["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>",
        f'<Override PartName="/{path}" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"/></Types>',
    )
    if relationship is not None:
        added["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>",
            f'<Relationship Id="rId{relationship}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/{relationship}" '
            f'Target="{path.removeprefix("xl/")}"/></Relationships>',
        )
    added[path] = xml
    return added


def with_external_link(parts: dict[str, str], target: str) -> dict[str, str]:
    """The parts with a link to another workbook, number [1] in formulas, as Excel writes it."""
    linked = dict(parts)
    linked["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        "</sheets>",
        '</sheets><externalReferences><externalReference r:id="rId9"/></externalReferences>',
    )
    linked["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>",
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
        "</Relationships>",
    )
    linked["xl/externalLinks/externalLink1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        "</externalBook></externalLink>"
    )
    linked["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/externalLinkPath" Target="{target}" TargetMode="External"/>'
        "</Relationships>"
    )
    return linked


def wide_numbers_xlsx(columns: int = 16_384, rows: int = 60, seed: int = 12) -> bytes:
    """The hostile file of issue 12: a sheet of whole numbers, `columns` wide.

    Numbers from 0 to 9,999 (seeded): about one cell in a hundred lies in 1990..2100 and
    reads as a year header, so every row looks like the header of a wide table.
    """
    generator = random.Random(seed)
    return one_sheet_xlsx(
        [[generator.randrange(10_000) for _ in range(columns)] for _ in range(rows)]
    )
