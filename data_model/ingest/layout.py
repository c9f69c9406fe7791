"""Recognise which kind a sheet holds, where its header row is, and which column is which."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest
from operator import itemgetter

from data_model.ingest.raw_sheet import RawSheet, is_blank_row
from data_model.kinds import ROW_NUMBER_HEADERS, Kind, is_too_long_cell
from data_model.store.kind_registry import KINDS
from data_model.text import clean_header, to_halfwidth

HEADER_SCAN_ROWS = 30
_ROW_NUMBER_HEADERS = frozenset(clean_header(h)[0].lower() for h in ROW_NUMBER_HEADERS)
# A sheet resembles a kind when its closest row names this many of the kind's columns
# (and at least one of those the kind requires): then the message names what is missing.
RESEMBLANCE_COLUMNS = 3
INSTRUCTION_SHEETS = ("填写说明", "说明", "使用说明", "instructions")
TEMPLATE_LISTS_SHEET = "_lists"
FOOTNOTE_PREFIXES = (
    "数据来源",
    "来源",
    "注",
    "备注",
    "说明",
    "填报人",
    "审核人",
    "填报日期",
    "制表",
)


@dataclass
class SheetLayout:
    kind: Kind
    header_row: int  # 0-based index into RawSheet.rows
    columns: dict[str, int]  # field → 0-based column index
    headers: dict[str, str]  # field → header text as written in the file
    units: dict[str, str]  # field → unit given in brackets in the header
    ignored_headers: list[str]


def clean_sheet_name(name: str) -> str:
    return "".join(to_halfwidth(name).split()).lower()


def is_instruction_sheet(sheet: RawSheet) -> bool:
    """The template's own instructions and dropdown-list sheets, skipped without a note."""
    return clean_sheet_name(sheet.name) in INSTRUCTION_SHEETS or sheet.name == TEMPLATE_LISTS_SHEET


def kind_named_by_sheet(sheet: RawSheet) -> Kind | None:
    name = clean_sheet_name(sheet.name)
    for kind in KINDS.values():
        if name in (kind.sheet, *kind.sheet_aliases):
            return kind
    return None


def detect_layout(sheet: RawSheet, only: Kind | None = None) -> SheetLayout | None:
    """The best (kind, header row) found in the first rows; None when no row is a full header.

    A row is a header for a kind when it names every required column of that kind
    (by header text or alias) other than those the sheet may supply otherwise
    (`Kind.sheet_fields`: a task list's report period in its title, its code derived). Among candidates, the one matching most columns wins,
    and a kind named by the sheet name is preferred.
    """
    kinds = [only] if only else list(KINDS.values())
    preferred = kind_named_by_sheet(sheet)
    best: tuple[tuple[int, int], SheetLayout] | None = None
    cleaned_cells: dict[tuple[type, object], tuple[str, str | None]] = {}
    for index, row in header_candidates(sheet.rows):
        # Each distinct cell is cleaned once: header rows of a wide sheet repeat few values.
        cleaned = [_cleaned(cell, cleaned_cells) for cell in row]
        if sum(1 for name, _ in cleaned if name) < 2:
            continue
        for kind in kinds:
            layout = _match_header(kind, index, row, cleaned)
            if layout is None:
                continue
            score = (len(layout.columns) + (100 if kind is preferred else 0), -index)
            if best is None or score > best[0]:
                best = (score, layout)
    return best[1] if best else None


def header_candidates(rows: list[list]) -> list[tuple[int, list]]:
    """(index of the last header row, header cells) for every row that may be a header.

    Besides each single row, a two-row header is offered as one row: a group row over
    column names reads as the name below where there is one, else the text above
    (a name merged over both rows is already filled into both by the reader).
    """
    candidates = []
    scanned = rows[:HEADER_SCAN_ROWS]
    for index, row in enumerate(scanned):
        candidates.append((index, row))
        if index + 1 < len(rows):
            below = rows[index + 1]
            combined = [
                lower if lower not in ("", None) else upper
                for upper, lower in zip_longest(row, below, fillvalue="")
            ]
            if combined != below:
                candidates.append((index + 1, combined))
    return candidates


def _cleaned(cell: object, seen: dict) -> tuple[str, str | None]:
    if cell == "" or cell is None or is_too_long_cell(cell):
        return "", None  # no header: a text longer than any cell holds is never cleaned
    key = (cell.__class__, cell)  # by type too: 1, 1.0 and True are equal keys
    found = seen.get(key)
    if found is None:
        found = seen[key] = clean_header(cell)
    return found


def _named_cells(sheet: RawSheet) -> list[list[tuple[object, str]]]:
    """Each header candidate's cells that name a column of some kind, as (cell as
    written, cleaned name). Each distinct cell is cleaned once: a sheet of 16,384 columns
    has about 2.5 million candidate cells, and every kind is compared with these few."""
    known = _known_headers()
    seen: dict[tuple[type, object], tuple[str, str | None]] = {}
    named = []
    for _, row in header_candidates(sheet.rows):
        cells = [(cell, _cleaned(cell, seen)[0]) for cell in row]
        named.append([(cell, name) for cell, name in cells if name in known])
    return named


@cache
def _known_headers() -> frozenset[str]:
    """Every cleaned header text and alias of every kind."""
    return frozenset(name for kind in KINDS.values() for name in kind.header_lookup())


def _closest_header(
    named: list[list[tuple[object, str]]], kind: Kind
) -> tuple[list[str], list[str]]:
    """(headers found as written, required headers missing) in the candidate row
    closest to a header of `kind`, the row naming most of its columns, from the
    candidates' named cells (`_named_cells`)."""
    lookup = kind.header_lookup()
    best: dict[str, str] = {}
    for row in named:
        found: dict[str, str] = {}
        for cell, name in row:
            field_name = lookup.get(name)
            if field_name is not None and field_name not in found:
                found[field_name] = str(cell).strip()
        if len(found) > len(best):
            best = found
    missing = [kind.column(f).header for f in kind.header_fields if f not in best]
    for group in kind.one_of:
        if not best.keys() & set(group):
            missing.append("/".join(kind.column(f).header for f in group))
    return list(best.values()), missing


def resembled_kind(sheet: RawSheet) -> tuple[Kind, list[str], list[str]] | None:
    """The kind a sheet without a full header comes closest to, with the headers found
    and the required ones missing; None when no kind is close.

    A kind named by the sheet name always counts; otherwise the sheet must name at least
    RESEMBLANCE_COLUMNS of a kind's columns, including one it requires. The kind with
    the most columns found wins (ties: the fewest missing).
    """
    named = kind_named_by_sheet(sheet)
    named_cells = _named_cells(sheet)
    best: tuple[tuple[int, int, int], Kind, list[str], list[str]] | None = None
    for kind in KINDS.values():
        found, missing = _closest_header(named_cells, kind)
        required = {kind.column(f).header for f in kind.header_fields}
        close = len(found) >= RESEMBLANCE_COLUMNS and len(missing) < len(required)
        if kind is not named and not close:
            continue
        score = (int(kind is named), len(found), -len(missing))
        if best is None or score > best[0]:
            best = (score, kind, found, missing)
    return None if best is None else best[1:]


def _match_header(kind: Kind, index: int, row: list, cleaned: list) -> SheetLayout | None:
    lookup = kind.header_lookup()
    # Settled before the columns are built: most candidate rows are not this kind's header.
    present = {lookup[name] for name, _ in cleaned if name in lookup}
    if not all(f in present for f in kind.header_fields):
        return None
    if not all(present.intersection(group) for group in kind.one_of):
        return None
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    units: dict[str, str] = {}
    ignored = []
    for position, (name, unit) in enumerate(cleaned):
        if not name or name.lower() in _ROW_NUMBER_HEADERS:
            continue  # a row number (`序号`) is neither read nor reported as ignored
        field_name = lookup.get(name)
        if field_name is None or field_name in columns:
            ignored.append(str(row[position]).strip())
            continue
        columns[field_name] = position
        headers[field_name] = str(row[position]).strip()
        if unit:
            units[field_name] = unit
    return SheetLayout(kind, index, columns, headers, units, ignored)


_NOTE_STARTS = frozenset(prefix[0] for prefix in FOOTNOTE_PREFIXES)


def is_data_row(row: list) -> bool:
    """Neither blank nor a footnote: a row that validation reads."""
    first = row[0] if row else None
    if first.__class__ is str and first and first[0] not in _NOTE_STARTS and not first[0].isspace():
        return True  # the usual data row, decided from its first cell alone
    return not is_blank_row(row) and not is_footnote_row(row)


def is_footnote_row(row: list) -> bool:
    """A row whose only text is a note such as `数据来源：…`, `注：…` or `填报人：…`."""
    first = row[0] if row else None
    if first.__class__ is str and first and first[0] not in _NOTE_STARTS and not first[0].isspace():
        return False  # the usual data row, decided without scanning the rest
    first = next((cell for cell in row if cell != "" and cell is not None), None)
    if not isinstance(first, str) or first.lstrip()[:1] not in _NOTE_STARTS:
        return False
    filled = [cell for cell in row if cell != "" and cell is not None]
    text = "".join(to_halfwidth(filled[0]).split())
    if any(text.startswith(prefix + ":") for prefix in FOOTNOTE_PREFIXES):
        return True
    # A lone note cell such as `注1.数据为初步统计` has no colon but is still a note.
    return len(filled) == 1 and text.startswith(("注", "数据来源", "填报人", "审核人", "填报日期"))


# How a footnote's further points begin: `2.`, `2、`, `（2）`, `(二)`, `二、`, `②`.
_NOTE_POINT = re.compile(
    r"^(?:[(（][0-9一二三四五六七八九十]{1,3}[)）]|[0-9一二三四五六七八九十]{1,3}[.、．]|[\u2460-\u2473])"
)


def data_row_indexes(rows: list[list], first: int) -> list[int]:
    """Indexes of the rows from `first` on that validation reads: neither blank nor a footnote.

    A footnote may run over several rows (`注：1.……` then `2.……` or an indented line):
    once a footnote starts, the rows below still belong to it, across blank rows, until a
    row that is clearly data again. A row continues a footnote only when it is one piece
    of text (one cell, or one cell merged across) that starts with white space or with a
    point's numbering; anything else, such as a district and its figures, is data. So a
    one-line note placed mid-sheet swallows nothing, and a data row is never taken for
    a note because of where it stands.
    """
    if _all_plain_data(rows[first:]):
        return list(range(first, len(rows)))
    indexes = []
    in_note = False
    for index in range(first, len(rows)):
        row = rows[index]
        if is_data_row(row):
            if in_note and _continues_note(row):
                continue
            in_note = False
            indexes.append(index)
        elif not in_note:
            in_note = not is_blank_row(row)  # a footnote starts here
    return indexes


def _all_plain_data(rows: list[list]) -> bool:
    """Whether every row is a data row by `is_data_row`'s first test (its first cell a
    text starting with neither a note's first character nor white space), told a column
    at a time in C: then no footnote starts, and every row is read."""
    if not rows or not all(rows):
        return False
    firsts = list(map(itemgetter(0), rows))
    if set(map(type, firsts)) != {str} or not all(firsts):
        return False
    starts = set(map(itemgetter(0), firsts))
    return starts.isdisjoint(_NOTE_STARTS) and not any(c.isspace() for c in starts)


def _continues_note(row: list) -> bool:
    filled = {cell for cell in row if cell != "" and cell is not None}
    if len(filled) != 1:
        return False
    (text,) = filled
    if not isinstance(text, str):
        return False
    return text[0].isspace() or _NOTE_POINT.match(to_halfwidth(text).strip()) is not None
