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

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from data_model.i18n import t
from data_model.queries.task_queries import scope_conditions
from data_model.queries.task_status import task_status_frame
from data_model.store.models import Task, TaskSnapshot

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


def task_forecasts(conn: Connection, as_of: date, where: Iterable = ()) -> pd.DataFrame:
    """One row per open task with a deadline and at least MIN_REPORTS reports on or before
    `as_of` (FORECAST_COLUMNS), soonest deadline first. `where` adds SQL conditions on
    `Task`, as in `task_status_frame`."""
    where = list(where)
    tasks = task_status_frame(conn, as_of, where)
    tasks = tasks[
        tasks["status"].isin(OPEN_STATUSES) & tasks["deadline"].notna() & ~tasks["ongoing"]
    ]
    history = _reports(conn, as_of, where)
    history = history[history["code"].isin(tasks["code"])]
    rows = []
    for code, reports in history.groupby("code", sort=False):
        if len(reports) < MIN_REPORTS:
            continue
        reports = reports.sort_values("day")
        pace = pace_per_day(reports["day"].to_numpy(), reports["progress"].to_numpy())
        last = reports.iloc[-1]
        finish = expected_finish(EPOCH + timedelta(days=int(last["day"])), last["progress"], pace)
        rows.append((code, len(reports), pace * 30 if pace == pace else None, finish))
    paces = pd.DataFrame(rows, columns=["code", "reports", "pace", "expected_finish"])
    frame = tasks.merge(paces, on="code", how="inner")
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
    """The 将逾期 list of a page's scope (districts, action), as the task page filters."""
    forecasts = task_forecasts(conn, as_of, scope_conditions(districts, action))
    return slipping_tasks(forecasts, as_of, weeks)


EPOCH = date(1970, 1, 1)


def _reports(conn: Connection, as_of: date, where: list) -> pd.DataFrame:
    """Every current report on or before `as_of` of the current tasks (within `where`):
    code, day number (days since 1970-01-01), progress."""
    task, s = Task.__table__, TaskSnapshot.__table__
    query = (
        select(s.c.task_code, s.c.period_end, s.c.progress)
        .join(task, (task.c.code == s.c.task_code) & task.c.is_current)
        .where(s.c.is_current, s.c.period_end <= as_of, *where)
    )
    rows = conn.execute(query).all()
    return pd.DataFrame(
        [(code, (end - EPOCH).days, float(progress)) for code, end, progress in rows],
        columns=["code", "day", "progress"],
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
