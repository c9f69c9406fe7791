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

_BOF = 0x0809
_BOUNDSHEET = 0x0085
_MERGEDCELLS = 0x00E5
# Cell records: row and column in their first four bytes.
_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# Runs of cells: row and first column first, last column in the last two bytes.
_RUNS = frozenset({0x00BD, 0x00BE})
_HEADER = struct.Struct("<HH")


@dataclass
class SheetExtent:
    name: str
    rows: int = 0  # the farthest row a cell is on, 1-based (0: no cell)
    columns: int = 0  # the farthest column, 1-based
    merged: int = 0  # merged ranges


class NotReadable(ValueError):
    """The file is not an OLE container with a workbook stream."""


def sheet_extents(data: bytes) -> list[SheetExtent]:
    """The sheets of the workbook in `data`, each with how far its cells reach."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise NotReadable("no workbook stream")
            stream = ole.openstream(name).read()
    except (OSError, ValueError, IndexError, struct.error) as error:
        raise NotReadable(str(error)) from error
    names: dict[int, str] = {}  # the offset of a sheet's BOF → its name
    sheets: list[SheetExtent] = []
    # The sheet being read, as plain numbers (the loop runs once per cell, 650,000 times
    # in a full sheet of ten columns): its extent is stored at its end.
    current: SheetExtent | None = None
    rows = columns = 0
    unpack = _HEADER.unpack_from
    cells, runs = _CELLS, _RUNS
    position, end = 0, len(stream) - 4
    while position <= end:
        kind, length = unpack(stream, position)
        body = position + 4
        position = body + length
        if kind in cells:
            if length >= 4:
                row, column = unpack(stream, body)
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind in runs:
            if length >= 6:
                row, column = unpack(stream, body)
                last = unpack(stream, position - 4)[1]
                if row >= rows:
                    rows = row + 1
                if max(column, last) >= columns:
                    columns = max(column, last) + 1
        elif kind == _BOF:
            if current is not None:
                current.rows, current.columns = rows, columns
            current = None
            rows = columns = 0
            if body - 4 in names:
                current = SheetExtent(names[body - 4])
                sheets.append(current)
        elif kind == _MERGEDCELLS:
            if current is not None and length >= 2:
                current.merged += unpack(stream, body)[0]
        elif kind == _BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            names[offset] = _sheet_name(stream[body + 6 : body + length], len(names))
    if current is not None:
        current.rows, current.columns = rows, columns
    return sheets


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
