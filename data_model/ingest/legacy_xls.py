"""How far the cells of each sheet of a legacy workbook (.xls, BIFF8 or BIFF5) reach, read
from its records before calamine opens it.

Calamine builds every cell from A1 to the farthest one of every sheet of an .xls as soon
as it opens the file, before a sheet is asked for: a 10 KB file with one cell at IV65536
on each of 20 sheets made it abort the process (a Rust allocation failure, not an
exception), and one cell in column 65,535 asked for 137 GB. The records say where every
cell is: the row and column of each cell record, the last column of a run of cells
(MULRK, MULBLANK), and the number of merged ranges (MERGEDCELLS).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import olefile

_EOF = 0x000A
_BOUNDSHEET = 0x0085
_MERGEDCELLS = 0x00E5
_DIMENSIONS = 0x0200
_SST = 0x00FC
# Cell records: row and column in their first four bytes.
_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# Runs of cells: row and first column first, last column in the last two bytes.
_RUNS = frozenset({0x00BD, 0x00BE})
_HEADER = struct.Struct("<HH")
_OFFSET = struct.Struct("<I")


@dataclass
class Extents:
    sheets: list[SheetExtent]
    shared_strings: int  # the distinct texts the shared-strings record declares


@dataclass
class SheetExtent:
    name: str
    rows: int = 0  # the farthest row a cell is on, 1-based (0: no cell)
    columns: int = 0  # the farthest column, 1-based
    merged: int = 0  # merged ranges


class NotReadable(ValueError):
    """The file is not an OLE container with a workbook stream, its sheets overlap, or a
    sheet's declared dimensions end before they start."""


def read_extents(data: bytes) -> Extents:
    """The sheets of the workbook in `data`, each with how far its cells reach, and the
    number of shared strings it declares (calamine reserves room for them all).

    Each sheet is read as calamine reads it: from the offset its BOUNDSHEET record gives,
    up to its EOF record. The sheets of a workbook lie one after another, so together they
    are no longer than the stream: a file whose sheets point at the same records again and
    again (calamine would build each) is NotReadable."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise NotReadable("no workbook stream")
            stream = ole.openstream(name).read()
    except (OSError, ValueError, IndexError, struct.error) as error:
        raise NotReadable(str(error)) from error
    sheets: list[tuple[int, str]] = []
    strings = 0
    for kind, body, length in _records(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            raw = stream[body + 6 : body + length]
            sheets.append((_OFFSET.unpack_from(stream, body)[0], _sheet_name(raw, len(sheets))))
        elif kind == _SST and length >= 8:
            strings = max(strings, _OFFSET.unpack_from(stream, body + 4)[0])
    extents, walked = [], 0
    for offset, sheet_name in sheets:
        extent, length = _extent(stream, offset, sheet_name)
        walked += length
        if walked > len(stream):
            raise NotReadable("sheets overlap")
        extents.append(extent)
    return Extents(extents, strings)


def _records(stream: bytes, position: int):
    """(kind, offset of the body, length) of each record from `position` up to the first
    EOF record (not included) or the end of the stream; a record cut short by the end of
    the stream is NotReadable."""
    unpack = _HEADER.unpack_from
    size = len(stream)
    while position + 4 <= size:
        kind, length = unpack(stream, position)
        if kind == _EOF:
            return
        if position + 4 + length > size:
            raise NotReadable("a record runs past the end of the stream")
        yield kind, position + 4, length
        position += 4 + length


def _extent(stream: bytes, offset: int, name: str) -> tuple[SheetExtent, int]:
    """How far the cells of the sheet at `offset` reach, and the bytes of its records. The
    loop runs once per cell (650,000 times in a full sheet of ten columns): plain numbers."""
    rows = columns = merged = 0
    last = offset
    unpack = _HEADER.unpack_from
    cells, runs = _CELLS, _RUNS
    for kind, body, length in _records(stream, offset):
        last = body + length
        if kind in cells:
            if length >= 4:
                row, column = unpack(stream, body)
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind in runs:
            if length >= 6:
                row, first = unpack(stream, body)
                column = max(first, unpack(stream, last - 4)[1])
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind == _MERGEDCELLS and length >= 2:
            merged += unpack(stream, body)[0]
        elif kind == _DIMENSIONS and length >= 10:
            # The rows and columns the sheet declares, which calamine makes room for:
            # (first, last + 1) in BIFF8 (rows in four bytes) or BIFF5 (in two).
            wide = length >= 14
            first_row, end_row = struct.unpack_from("<II" if wide else "<HH", stream, body)
            first_column, end_column = unpack(stream, body + (8 if wide else 4))
            if first_row > end_row or first_column > end_column:
                raise NotReadable("dimensions that end before they start")
            rows, columns = max(rows, end_row), max(columns, end_column)
    return SheetExtent(name, rows, columns, merged), last - offset


def _sheet_name(raw: bytes, index: int) -> str:
    """A BOUNDSHEET record's name (BIFF8: length, a flag for two-byte characters, the
    characters; BIFF5: length and bytes), or `#n` when it cannot be read."""
    try:
        count = raw[0]
        if len(raw) >= 2 + count * (2 if raw[1] & 1 else 1) and raw[1] in (0, 1):
            text = raw[2 : 2 + count * 2] if raw[1] & 1 else raw[2 : 2 + count]
            return text.decode("utf-16-le" if raw[1] & 1 else "latin-1")
        return raw[1 : 1 + count].decode("gbk")
    except (IndexError, UnicodeDecodeError):
        return f"#{index + 1}"
