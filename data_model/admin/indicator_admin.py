"""Indicators in the master-data page: the current 指标体系 as a table and as a workbook,
and an edited table stored exactly as an uploaded 指标体系 sheet would be.

Indicators are versioned rows written by the importer with a submission (who, when, the
file), not master entries edited in place: an edit made in the page therefore becomes a
one-sheet workbook that goes through `permissions.guarded_import`, with the importer's
validation and problem list, its audit record, and a submission that a rollback undoes.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from data_model.accounts.permissions import Principal, guarded_import, require
from data_model.kinds import INDICATORS
from data_model.outputs.export import export_frame, frame_to_xlsx
from data_model.problems import ImportReport

SHEET = INDICATORS.sheet
HEADERS = {column.field: column.header for column in INDICATORS.columns}  # field → 指标体系 header


def current_indicators(conn: Connection) -> pd.DataFrame:
    """The current indicator definitions, one row each, under the 指标体系 headers
    (weight and target as numbers, missing ones NaN)."""
    table = export_frame(conn, "indicators")
    for field in ("weight", "target"):
        table[HEADERS[field]] = pd.to_numeric(table[HEADERS[field]]).astype(float)
    return table


def indicators_workbook(conn: Connection) -> bytes:
    """The current 指标体系 as a workbook that imports back unchanged."""
    return frame_to_xlsx(current_indicators(conn), SHEET)


def choices(field: str) -> list[str]:
    """The words a choice column (direction, frequency, aggregation) is written with."""
    words: dict[str, str] = {}  # code → the first word for it, as the export writes
    for word, code in INDICATORS.column(field).choices.items():
        words.setdefault(code, word)
    return list(words.values())


def save_indicators(
    engine: Engine, principal: Principal, table: pd.DataFrame, file_name: str
) -> ImportReport:
    """Store an edited 指标体系 table as `principal`'s submission named `file_name`.

    Rows the edit left as they are count as unchanged and are not written again; a row
    with a new code adds an indicator. A table with problems writes nothing: the report
    names them by row and column of the table's workbook (header in row 1).
    """
    require(principal, "manage_master_data")
    rows = table.dropna(how="all")
    data = frame_to_xlsx(rows[list(HEADERS.values())], SHEET)
    return guarded_import(engine, principal, data, file_name)
