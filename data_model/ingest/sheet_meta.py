"""Metadata rows above a header (`地区：深圳`, `报送期：2022年上半年`) and titles, as parts
of cells that know where they stand.

Wide indicator tables and task lists read the rows above their header alike: a cell may
hold several parts (`填报单位：福田区工商联    填报时间：2022年7月5日`), each either
`键：值` or free text such as a title. Both readers take their parts from here and only
decide what the keys mean; a problem with a part names its Excel row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from data_model.errors import InputError
from data_model.ingest.raw_sheet import column_letters
from data_model.problems import Problem
from data_model.text import remove_whitespace, to_halfwidth

_SEPARATORS = re.compile(r"\s{2,}|;|；|\t|\u3000")
_META_PART = re.compile(r"^(?P<key>[^:]{1,6}):(?P<value>.+)$")


@dataclass(frozen=True)
class MetaPart:
    """One part of a cell above the header.

    `key` and `value` are set for a `键：值` part (half-width, no whitespace); `compact`
    is the whole part so normalised, `text` the part as written.
    """

    row: int  # 0-based index into the sheet's rows
    column: int  # 0-based column
    text: str
    compact: str
    key: str | None = None
    value: str | None = None

    @property
    def excel_row(self) -> int:
        return self.row + 1

    @property
    def column_name(self) -> str:
        """The Excel column letters (`A`): a metadata cell stands under no header."""
        return column_letters(self.column)


def meta_parts(index: int, row: list) -> Iterator[MetaPart]:
    """The parts of every text cell of row `index`, left to right."""
    for column, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        for part in _SEPARATORS.split(cell.strip()):
            part = part.strip()
            if not part:
                continue
            compact = remove_whitespace(to_halfwidth(part))
            match = _META_PART.match(compact)
            if match:
                key, value = match.group("key"), match.group("value")
                yield MetaPart(index, column, part, compact, key, value)
            else:
                yield MetaPart(index, column, part, compact)


def metadata_problem(sheet: str, part: MetaPart, error: InputError) -> Problem:
    """The problem with a metadata part, located like any other: Excel row and column
    (letters, there being no header above it), the part as written."""
    return Problem(
        sheet=sheet,
        row=part.excel_row,
        column=part.column_name,
        value=part.text,
        message=error.message(),
        suggestion=error.suggestion,
        cell=(part.row, part.column),
    )
