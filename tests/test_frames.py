"""`frames.records`: the rows of a data frame as `to_dict("records")` gives them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_model.queries.frames import records


def test_records_are_the_rows_as_to_dict_gives_them_with_missing_integers_as_none():
    frame = pd.DataFrame(
        {
            "text": ["南山区", None],
            "count": [1, 2],
            "share": [1.5, np.nan],
            "day": [dt.date(2026, 1, 1), None],
            "stamp": pd.to_datetime(["2026-01-01", None]),
            "maybe": pd.array([3, None], dtype="Int64"),
            "flag": [True, False],
        }
    )
    found = records(frame)
    assert found[0] == frame.to_dict("records")[0]
    assert found[0] == {
        "text": "南山区",
        "count": 1,
        "share": 1.5,
        "day": dt.date(2026, 1, 1),
        "stamp": pd.Timestamp("2026-01-01"),
        "maybe": 3,
        "flag": True,
    }
    assert type(found[0]["count"]) is int and type(found[0]["maybe"]) is int
    second = found[1]
    assert second["maybe"] is None and second["day"] is None
    assert np.isnan(second["share"]) and pd.isna(second["text"]) and second["stamp"] is pd.NaT
    assert records(frame.iloc[:0]) == []
