"""The rows of a data frame as plain Python values.

`DataFrame.to_dict("records")` boxes every cell on its own, and a cell of an Arrow-backed
text column costs a Python call: most of the time of a list of thousands of rows (the
督办 items, the late list). `records` reads each column once as a list instead.
"""

from __future__ import annotations

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of `frame` as dicts, as `frame.to_dict("records")` gives them (missing
    values of nullable integer columns as None)."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        values = column.tolist()
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.hasnans:
            values = [None if value is pd.NA else value for value in values]
        columns[name] = values
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
