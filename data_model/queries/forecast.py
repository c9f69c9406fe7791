"""Slip forecast (风险预警): when an open task will probably reach 100 %, and whether that
is after its deadline.

The method, in the words a leader can check against the task's own reports:

- Points: the task's current progress reports on or before the day of the forecast, as
  (last day of the report period, progress %). A task needs at least `MIN_REPORTS` of
  them; with fewer there is no pace to read, and the 滞后 rule alone speaks for it.
- Pace: the Theil–Sen slope of those points — the median of the slopes between every two
  reports, in points per day — so one odd report (a typo, a restated figure) does not
  swing it, unlike an ordinary least-squares line.
- Expected finish: from the latest report, the remaining points at that pace:
  `latest day + (100 − latest progress) / pace`. A pace of zero or less has no finish.
- Will miss: the expected finish is after the deadline, or there is no finish at all.

Open tasks are those the status rules (`task_status`) call 进行中, 滞后 or 未启动 on that
day and that have a deadline (常态化 tasks have none). Completed, suspended and already
overdue tasks are not forecast: the overdue list already names the last.

`bench/forecast_backtest.py` compares this forecast with the 滞后 rule on the sample
history, standing at each quarter end and checking which tasks ended overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from operator import itemgetter

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, literal, not_, select

from data_model.i18n import t
from data_model.queries.task_counts import scope_conditions
from data_model.queries.task_status import task_status_frame
from data_model.store.db import driver_rows
from data_model.store.models import Task, TaskSnapshot
from data_model.store.task_status_sql import days_between

MIN_REPORTS = 2
OPEN_STATUSES = ("in_progress", "behind", "not_started")
DEFAULT_WEEKS = 14  # the 将逾期 list looks one quarter ahead, the next quarter end included
FORECAST_COLUMNS = [
    "code",
    "action",
    "lead_unit",
    "district",
    "content",
    "deadline",
    "status",
    "progress",
    "reports",
    "pace",  # points per 30 days
    "expected_finish",
    "will_miss",
    "days_short",  # expected finish − deadline in days (None when there is no finish)
]


def pace_per_day(days: np.ndarray, progress: np.ndarray) -> float:
    """Theil–Sen slope: the median of the slopes between every two reports on different
    days (points per day); NaN when no two reports are on different days."""
    days, progress = np.asarray(days, dtype=float), np.asarray(progress, dtype=float)
    first, second = np.triu_indices(len(days), k=1)
    apart = days[second] - days[first]
    usable = apart != 0
    if not usable.any():
        return float("nan")
    return float(np.median((progress[second] - progress[first])[usable] / apart[usable]))


def expected_finish(last_day: date, last_progress: float, pace: float) -> date | None:
    """The day 100 % is reached at `pace` points per day from the latest report; None
    when the pace is not positive."""
    if not pace > 0:
        return None
    return last_day + timedelta(days=int(np.ceil((100 - min(last_progress, 100)) / pace)))


def task_forecasts(
    conn: Connection, as_of: date, where: Iterable = (), due_by: date | None = None
) -> pd.DataFrame:
    """One row per open task with a deadline and at least MIN_REPORTS reports on or before
    `as_of` (FORECAST_COLUMNS), soonest deadline first. `where` adds SQL conditions on
    `Task`, as in `task_status_frame`; with `due_by`, only tasks due by that day are
    forecast (an open task is due on or after `as_of`: one due before is overdue)."""
    where = list(where)
    if due_by is not None:
        task = Task.__table__
        where += [task.c.deadline >= as_of, task.c.deadline <= due_by, not_(task.c.ongoing)]
    tasks = task_status_frame(conn, as_of, where)
    tasks = tasks[
        tasks["status"].isin(OPEN_STATUSES) & tasks["deadline"].notna() & ~tasks["ongoing"]
    ]
    history = _reports(conn, as_of, tasks["code"].tolist())
    frame = tasks.merge(_paces(history), on="code", how="inner")
    frame["will_miss"] = [
        finish is None or finish > deadline
        for finish, deadline in zip(frame["expected_finish"], frame["deadline"], strict=True)
    ]
    frame["days_short"] = pd.array(
        [
            None if finish is None else (finish - deadline).days
            for finish, deadline in zip(frame["expected_finish"], frame["deadline"], strict=True)
        ],
        dtype="Int64",
    )
    return frame[FORECAST_COLUMNS].sort_values(["deadline", "code"], ignore_index=True)


def slipping_tasks(
    forecasts: pd.DataFrame, as_of: date, weeks: int = DEFAULT_WEEKS
) -> pd.DataFrame:
    """The 将逾期 list: tasks forecast to miss a deadline that falls within `weeks` weeks
    of `as_of`, soonest deadline first."""
    horizon = as_of + timedelta(weeks=weeks)
    due = forecasts["deadline"].map(lambda d: d <= horizon)
    return forecasts[forecasts["will_miss"] & due].reset_index(drop=True)


def slipping_in_scope(
    conn: Connection,
    as_of: date,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> pd.DataFrame:
    """The 将逾期 list of a page's scope (districts, action), as the task page filters:
    only the tasks due within `weeks` are read and forecast."""
    horizon = as_of + timedelta(weeks=weeks)
    forecasts = task_forecasts(conn, as_of, scope_conditions(districts, action), due_by=horizon)
    return slipping_tasks(forecasts, as_of, weeks)


EPOCH = date(1970, 1, 1)
PAIRS_AT_ONCE = 2_000_000  # slopes held in memory at once by `_paces`
CODES_AT_ONCE = 5000  # task codes per query of `_reports`


def _paces(history: pd.DataFrame) -> pd.DataFrame:
    """Per task of `history` (code, day, progress) with at least MIN_REPORTS reports: their
    number, the pace (`pace_per_day`, per 30 days; None when there is none) and the
    expected finish from the latest report (`expected_finish`).

    The same as calling those two per task, for tens of thousands of tasks at once: the
    reports sorted by task and day, the tasks with the same number of reports side by
    side, the slopes between every two of their reports as one array.
    """
    columns = ["code", "reports", "pace", "expected_finish"]
    codes, task_of = np.unique(history["code"].to_numpy(dtype=object), return_inverse=True)
    days = history["day"].to_numpy(dtype=float)
    progress = history["progress"].to_numpy(dtype=float)
    order = np.lexsort((days, task_of))  # by task, then day; ties keep their order
    task_of, days, progress = task_of[order], days[order], progress[order]
    counts = np.bincount(task_of, minlength=len(codes))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rows = []
    for n in sorted(set(counts[counts >= MIN_REPORTS].tolist())):
        tasks = np.flatnonzero(counts == n)
        first, second = np.triu_indices(n, k=1)
        step = max(PAIRS_AT_ONCE // max(len(first), 1), 1)
        for at in range(0, len(tasks), step):
            chunk = tasks[at : at + step]
            where = starts[chunk][:, None] + np.arange(n)
            d, p = days[where], progress[where]
            apart = d[:, second] - d[:, first]
            with np.errstate(invalid="ignore", divide="ignore"):
                slopes = np.where(apart != 0, (p[:, second] - p[:, first]) / apart, np.nan)
            pace = _row_medians(slopes)
            for task, value, last_day, last_progress in zip(
                chunk, pace, d[:, -1], p[:, -1], strict=True
            ):
                finish = expected_finish(
                    EPOCH + timedelta(days=int(last_day)), last_progress, float(value)
                )
                rows.append((codes[task], n, value * 30 if value == value else None, finish))
    return pd.DataFrame(rows, columns=columns)


def _row_medians(values: np.ndarray) -> np.ndarray:
    """The median of each row of `values` leaving out its NaNs (NaN for a row of NaNs):
    what `np.median` gives for each row's numbers, the middle one or the mean of the two
    middle ones, for every row at once (`np.nanmedian` of many short rows goes row by
    row in Python)."""
    ordered = np.sort(values, axis=1)  # NaNs last
    count = (~np.isnan(values)).sum(axis=1)
    rows = np.arange(len(values))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, count // 2 - (count == 0)]
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, (low + high) / 2, np.nan)


def _reports(conn: Connection, as_of: date, codes: list[str]) -> pd.DataFrame:
    """Every current report on or before `as_of` of the tasks `codes` (the open ones, a
    share of all): code, day number (days since 1970-01-01, counted in SQL), progress.
    Read through the task-report index, as the driver's plain rows."""
    s = TaskSnapshot.__table__
    day = days_between(conn.dialect.name, s.c.period_end, literal(EPOCH, Date))
    rows: list[tuple] = []
    for at in range(0, len(codes), CODES_AT_ONCE):
        query = select(s.c.task_code, day, s.c.progress).where(
            s.c.task_code.in_(codes[at : at + CODES_AT_ONCE]),
            s.c.is_current,
            s.c.period_end <= as_of,
        )
        rows += driver_rows(conn, query)
    # Columns of the plain rows (`zip(*rows)` takes four times as long).
    code, days, progress = (list(map(itemgetter(at), rows)) for at in range(3))
    return pd.DataFrame(
        {
            "code": code,
            "day": np.array(days, dtype=float),
            "progress": np.array(progress, dtype=float),
        }
    )


TABLE_FIELDS = tuple(c for c in FORECAST_COLUMNS if c != "status")


def forecast_table(conn: Connection, as_of: date, language: str | None = None) -> pd.DataFrame:
    """`task_forecasts` with Chinese (or `language`) headers and words, for the CLI and the
    downloads: 是/否 for will-miss, a sentence where no finish can be expected."""
    frame = task_forecasts(conn, as_of).copy()
    frame["district"] = frame["district"].fillna("")
    frame["pace"] = frame["pace"].map(lambda p: None if p is None or p != p else round(p, 1))
    frame["expected_finish"] = frame["expected_finish"].map(
        lambda d: d.isoformat() if d is not None else t("tasks.forecast_never", language)
    )
    frame["will_miss"] = frame["will_miss"].map(
        lambda miss: t("tasks.forecast_yes" if miss else "tasks.forecast_no", language)
    )
    frame = frame[list(TABLE_FIELDS)]
    return frame.rename(columns={f: t(f"tasks.col_{f}", language) for f in TABLE_FIELDS})
