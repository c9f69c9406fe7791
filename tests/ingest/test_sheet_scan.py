"""The sheet XML scan for percent formats and uncalculated formulas parses only candidate cells.

`xlsx_scan.scan_sheet` looks only at cells whose tag names a percent style present in the
sheet and at cells holding a formula. These tests compare it with parsing every cell,
the way the scan worked before, on tags written in the forms Excel, WPS and openpyxl use.
"""

from __future__ import annotations

import re

import pytest

from data_model.ingest.xlsx_scan import scan_sheet

CELL = re.compile(rb"<c ([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
CELL_ATTRS = re.compile(rb'(r|s|t)="([^"]*)"')


def scan_every_cell(xml: bytes, percent_styles: set[bytes]) -> tuple[set, set]:
    """The reference: every cell parsed, its style, type and formula looked at."""
    percent, uncalculated = set(), set()
    for match in CELL.finditer(xml):
        attrs = dict(CELL_ATTRS.findall(match.group(1)))
        inner = match.group(3) or b""
        ref = attrs.get(b"r")
        if ref is None:
            continue
        letters, digits = re.fullmatch(rb"([A-Z]+)(\d+)", ref).groups()
        column = 0
        for letter in letters:
            column = column * 26 + letter - 64
        position = (int(digits) - 1, column - 1)
        if attrs.get(b"s") in percent_styles and attrs.get(b"t", b"n") == b"n":
            percent.add(position)
        if b"<f" in inner and not re.search(rb"<v>[^<]", inner):
            uncalculated.add(position)
    return percent, uncalculated


CELLS = [
    b'<c r="A1" t="s"><v>0</v></c>',
    b'<c r="B1" s="3"><v>0.85</v></c>',  # percent number
    b'<c s="3" r="C1"><v>0.5</v></c>',  # attributes in another order
    b'<c r="D1" s="3" t="s"><v>4</v></c>',  # percent style on text: not a percent cell
    b'<c r="E1" s="3" t="n"><v>1</v></c>',
    b'<c r="F1" s="3"/>',  # empty, styled
    b'<c r="G1" s="13"><v>2</v></c>',  # style 13 is not style 3
    b'<c r="H1" s="7"><v>0.1</v></c>',  # the other percent style
    b'<c s="3"><v>0.2</v></c>',  # no reference: skipped
    b'<c r="I1"><f>SUM(A1:B1)</f><v>3</v></c>',  # calculated
    b'<c r="J1"><f>SUM(A1:B1)</f></c>',  # never calculated
    b'<c r="K1"><f>A1*2</f><v></v></c>',  # empty cached value
    b'<c r="L1" s="3"><f t="shared" ref="L1:L3" si="0">B1*2</f></c>',
    b'<c r="L2" s="3"><f t="shared" si="0"/></c>',
    b'<c r="M1" t="inlineStr"><is><t>&lt;f&gt; as text</t></is></c>',
    b'<c r="AB12" s="7" t="str"><f>"x"</f><v>x</v></c>',
]


def sheet_xml(cells: list[bytes], row_style: bytes = b"") -> bytes:
    return (
        b'<worksheet><sheetData><row r="1"'
        + row_style
        + b">"
        + b"".join(cells)
        + b'</row></sheetData><autoFilter ref="A1:B1"><filterColumn colId="0"/></autoFilter>'
        + b"</worksheet>"
    )


# More percent styles than are searched for one by one (`xlsx_scan._FEW_STYLES`): one pass
# over the cells' styles instead (a workbook can hold thousands).
MANY_STYLES = {b"3", b"7", *(str(n).encode() for n in range(100, 120))}
# Cells of more percent styles than a pattern names one by one.
MANY_STYLED = [
    b'<c r="Q%d" s="%d"><v>0.5</v></c>' % (n, 100 + n)
    if n % 2
    else b'<c s="%d" r="Q%d"><v>0.5</v></c>' % (100 + n, n)
    for n in range(1, 13)
]
# Formula tags the scan must not read twice or take for cells: a cell with two, and bare
# tags after the cells (300,000 of them once took 36 s).
FORMULA_TAGS = [
    b'<c r="N1"><f>A1</f><f/></c>',
    b'<c r="O1" s="3"><f>A1</f><f/><v>1</v></c>',
    b'<c r="P1"><v>1</v></c><f/><f/><f></f>',
]


@pytest.mark.parametrize(
    "percent_styles",
    [set(), {b"3"}, {b"7"}, {b"3", b"7"}, {b"99"}, {b"1"}, MANY_STYLES, MANY_STYLES - {b"3"}],
)
@pytest.mark.parametrize(
    "cells",
    [
        CELLS,
        [cell for cell in CELLS if b"<f" not in cell],
        [cell for cell in CELLS if b's="' not in cell],
        CELLS[:1],
        CELLS + FORMULA_TAGS,
        FORMULA_TAGS + CELLS,
        CELLS + MANY_STYLED,
    ],
)
def test_the_targeted_scan_finds_what_parsing_every_cell_finds(percent_styles, cells):
    for xml in (sheet_xml(cells), sheet_xml(cells, row_style=b' s="1" customFormat="1"')):
        facts = scan_sheet(xml, percent_styles)
        assert (set(facts.percent_cells), set(facts.formulas_without_value)) == scan_every_cell(
            xml, percent_styles
        )


def test_the_scan_finds_percent_cells_and_uncalculated_formulas():
    facts = scan_sheet(sheet_xml(CELLS), {b"3", b"7"})
    assert facts.percent_cells == {(0, 1), (0, 2), (0, 4), (0, 5), (0, 7), (0, 11), (1, 11)}
    assert facts.formulas_without_value == {(0, 9), (0, 10), (0, 11), (1, 11)}
