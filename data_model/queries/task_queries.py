"""任务完成 Task completion (SPEC §6): rates, overdue and behind lists, progress over
report periods, a deadline timeline and the lead units' appraisal ranking.

The scope of every figure: `as_of` (the day statuses are judged on: the end of the
selected period, or today while that period is running, see `as_of_date`), `districts`
and `action`. A task's district is its 所属区; a task without one is city-wide: it is
kept when no district is selected and dropped when some are.

`scoped_tasks` reads the tasks of a scope once; the totals, rates, lists, timeline and
ranking are computed from that frame (`task_totals(tasks)`, `rates_by(tasks, ...)`, …),
so a page showing all of them reads the tasks once. `progress_by_period` reads the
counts of every quarter itself.

Statuses come from `task_status.task_status_frame` (the latest report per task, read
from the `task_latest` summary); so does the first report that shows a task complete.

Definitions shared by every figure here (suspended tasks are excluded from all of them):

- tasks: tasks reported on or before `as_of`, not suspended.
- completion rate = completed / tasks x 100.
- on time: a completed task whose first report showing it complete (progress 100 or
  stated 已完成) covers a report period ending on or before its deadline; a completed
  task without a deadline (长期坚持 and the like) is always on time. Completion is only
  known from reports, so a task due mid-quarter and reported complete at that quarter's
  end counts as late.
- on-time rate = on time / (completed + overdue) x 100: of the tasks that are finished
  or should have been, the share finished by their deadline. Tasks still open and not
  yet due are not judged. None (shown as —) when no task is completed or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from data_model.formatting import (
    APPRAISAL_DECIMALS,
    format_percent,
    format_points,
    local_today,
    unit_word,
)
from data_model.i18n import t
from data_model.periods import (
    period_containing,
    period_end,
    period_start,
    periods_between,
    shift_period,
)
from data_model.queries.task_counts import (
    COUNT_COLUMNS,
    GROUP_COLUMNS,
    TASK_COLUMNS,
    scope_conditions,
    status_counts,
    timeline_tasks,
    totals_by_day,
)
from data_model.queries.task_status import task_status_frame
from data_model.queries.task_status_arrays import EPOCH, day_numbers
from data_model.store.db import as_date, folded
from data_model.store.models import District, Task, TaskSnapshot, Unit
from data_model.task_rules import STATUSES

GROUPINGS = ("action", "lead_unit", "district")

# Quarters shown by `progress_by_period`, up to the selected one: three years, readable on a
# projector, as the trends page's small multiples by quarter.
PROGRESS_QUARTERS = 12

# Appraisal score of a lead unit (see `unit_ranking`).
COMPLETION_WEIGHT = 0.6
ON_TIME_WEIGHT = 0.4
OVERDUE_PENALTY = 5.0  # points per overdue task

RATE_COLUMNS = [
    "group",
    "tasks",
    "completed",
    "completion_rate",
    "on_time",
    "on_time_rate",
    "overdue",
    "behind",
]


def as_of_date(period: str, today: date | None = None) -> date:
    """The day a period's statuses are judged on: its last day, or today if that is earlier."""
    return min(period_end(period), today or local_today())


def expected_progress(start: date | None, deadline: date | None, as_of: date) -> float | None:
    """The progress (%) the schedule asks for by `as_of`: the elapsed share of start→deadline."""
    if start is None or deadline is None or (deadline - start).days <= 0:
        return None
    elapsed = (as_of - start).days / (deadline - start).days
    return min(max(elapsed, 0.0), 1.0) * 100


def scoped_tasks(
    conn: Connection,
    as_of: date,
    districts: tuple[str, ...] = (),
    action: str | None = None,
) -> pd.DataFrame:
    """`task_status_frame` restricted to the scope, with the columns the page needs added.

    Added: `first_period` (the task's first report period), `completed_period` and
    `completed_end` (its first report showing it complete), `counted` (not suspended),
    `on_time` (see the module docstring) and `expected_progress`.
    """
    frame = task_status_frame(
        conn, as_of, where=scope_conditions(districts, action), first_reports=True
    )
    frame["district"] = frame["district"].fillna("")
    for column in ("start_date", "deadline", "completed_end"):
        frame[column] = pd.Series(
            [None if pd.isna(value) else value for value in frame[column]], dtype=object
        )
    start, deadline = day_numbers(frame["start_date"]), day_numbers(frame["deadline"])
    ongoing = frame["ongoing"].to_numpy(dtype=bool)
    completed = (frame["status"] == "completed").to_numpy()
    frame["counted"] = frame["status"] != "suspended"
    with np.errstate(invalid="ignore"):
        ends_in_time = day_numbers(frame["completed_end"]) <= deadline
    frame["on_time"] = completed & (ongoing | np.isnan(deadline) | ends_in_time)
    # As `expected_progress`, for every task at once (NaN where it is None).
    scheduled = ~ongoing & ~np.isnan(start) & ~np.isnan(deadline) & (deadline > start)
    with np.errstate(invalid="ignore", divide="ignore"):
        elapsed = np.clip(((as_of - EPOCH).days - start) / (deadline - start), 0.0, 1.0)
    frame["expected_progress"] = np.where(scheduled, elapsed * 100, np.nan)
    return frame


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole * 100


@dataclass(frozen=True)
class TaskRates:
    tasks: int  # suspended excluded
    completed: int
    on_time: int
    overdue: int
    behind: int
    suspended: int

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.tasks)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.completed + self.overdue)


def counts_of(tasks: pd.DataFrame) -> pd.DataFrame:
    """A `scoped_tasks` frame counted as `task_counts.status_counts` counts a scope in SQL
    (COUNT_COLUMNS, groups in the order of their first task)."""
    status = tasks["status"]
    flags = pd.DataFrame({column: tasks[column] for column in GROUP_COLUMNS})
    for name in STATUSES:
        flags[name] = (status == name).astype(int)
    flags["on_time"] = tasks["on_time"].astype(bool).astype(int)
    flags["overdue_progress"] = tasks["progress"].where(status == "overdue", 0.0).astype(float)
    gap = tasks["expected_progress"] - tasks["progress"]
    flags["behind_gap"] = gap.where(status == "behind", 0.0).astype(float)
    counts = flags.groupby(GROUP_COLUMNS, sort=False, dropna=False).sum().reset_index()
    return counts[COUNT_COLUMNS]


def _rates(sums) -> TaskRates:
    """The TaskRates of a row (or the column sums) of a counts frame."""
    suspended = int(sums["suspended"])
    return TaskRates(
        tasks=int(sum(int(sums[name]) for name in STATUSES)) - suspended,
        completed=int(sums["completed"]),
        on_time=int(sums["on_time"]),
        overdue=int(sums["overdue"]),
        behind=int(sums["behind"]),
        suspended=suspended,
    )


def totals_of(counts: pd.DataFrame) -> TaskRates:
    """The headline counts and rates of a counts frame (`status_counts`, `counts_of`)."""
    return _rates(counts[[*STATUSES, "on_time"]].sum())


def task_totals(tasks: pd.DataFrame) -> TaskRates:
    """The headline counts and rates of every task in `tasks` (a `scoped_tasks` frame)."""
    return totals_of(counts_of(tasks))


def totals_on(
    conn: Connection, as_of: date, districts: tuple[str, ...] = (), action: str | None = None
) -> TaskRates:
    """`task_totals` of a scope on `as_of`, counted in SQL (`status_counts`), for a page
    that needs only the counts (the task page's cards compare with the previous period)."""
    return totals_of(status_counts(conn, as_of, districts, action, grouped=False))


def rates_by(tasks: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """`rates_of` the tasks of a `scoped_tasks` frame."""
    return rates_of(counts_of(tasks), grouping)


def rates_of(counts: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """Completion and on-time rates per action, lead unit or district (`GROUPINGS`) of a
    counts frame (`status_counts`, `counts_of`).

    Columns RATE_COLUMNS; `group` is '' for city-wide tasks when grouping by district.
    Groups whose tasks are all suspended are left out. Sorted by completion rate, then
    on-time rate, then tasks, best first; ties in the order of the groups' first task.
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}; expected one of {GROUPINGS}")
    sums = counts.groupby(grouping, sort=False)[[*STATUSES, "on_time"]].sum()
    records = []
    for group, row in zip(sums.index, sums.to_dict("records"), strict=True):
        rates = _rates(row)
        if rates.tasks == 0:
            continue
        records.append(
            {
                "group": group,
                "tasks": rates.tasks,
                "completed": rates.completed,
                "completion_rate": rates.completion_rate,
                "on_time": rates.on_time,
                "on_time_rate": rates.on_time_rate,
                "overdue": rates.overdue,
                "behind": rates.behind,
            }
        )
    result = pd.DataFrame(records, columns=RATE_COLUMNS)
    # Numbers, NaN where undefined: a scope with nothing completed or overdue has no
    # on-time rate in any group, and a column of None alone is not one a page can round.
    result[["completion_rate", "on_time_rate"]] = result[
        ["completion_rate", "on_time_rate"]
    ].astype(float)
    return result.sort_values(
        ["completion_rate", "on_time_rate", "tasks"],
        ascending=False,
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)


LIST_COLUMNS = TASK_COLUMNS


def overdue_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """The tasks of a `scoped_tasks` frame past their deadline and not complete, longest
    overdue first (with `days_late`)."""
    frame = tasks[tasks["status"] == "overdue"]
    return (
        frame[[*LIST_COLUMNS, "days_late"]]
        .sort_values(["days_late", "code"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )


def behind_tasks(tasks: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The tasks of a `scoped_tasks` frame (judged on `as_of`) more than the margin behind
    schedule, furthest behind first.

    Adds `expected_progress` (elapsed share of start→deadline, %), `gap` (expected minus
    actual, points) and `days_left` (days until the deadline).
    """
    frame = tasks[tasks["status"] == "behind"].copy()
    frame["gap"] = frame["expected_progress"] - frame["progress"]
    frame["days_left"] = [(deadline - as_of).days for deadline in frame["deadline"]]
    return (
        frame[[*LIST_COLUMNS, "expected_progress", "gap", "days_left"]]
        .sort_values(["gap", "code"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )


def progress_by_period(
    conn: Connection, as_of: date, districts: tuple[str, ...] = (), action: str | None = None
) -> pd.DataFrame:
    """Task counts per status and the completion rate at the end of every quarter.

    Quarters run to the one holding `as_of`, which is judged on `as_of` itself: the last
    PROGRESS_QUARTERS of them, and none before the first with a report. Columns: period,
    as_of, one per status (STATUSES), tasks (suspended excluded), completion_rate. Empty
    when nothing was reported.

    Each quarter's statuses are those `scoped_tasks` gives on its last day: every task's
    latest report up to that day, judged on that day. Counted by `task_counts.totals_by_day`:
    a quarter ending on a report period end (every past quarter, when tasks are reported
    quarterly or monthly) is read from the summary of the status counts the write path
    keeps, one query for all of them; another day (the running quarter's, judged on
    `as_of`) is judged in SQL.
    """
    columns = ["period", "as_of", *STATUSES, "tasks", "completion_rate"]
    first = conn.execute(
        select(func.min(TaskSnapshot.period_end)).where(
            TaskSnapshot.is_current, TaskSnapshot.period_end <= as_of
        )
    ).scalar_one()
    if first is None:
        return pd.DataFrame(columns=columns)
    first = as_date(first)
    last = period_containing(as_of, "quarter")
    start = shift_period(last, 1 - PROGRESS_QUARTERS)
    quarters = periods_between(
        max(start, period_containing(first, "quarter"), key=period_start), last
    )
    days = [min(period_end(quarter), as_of) for quarter in quarters]

    counts = totals_by_day(conn, days, districts, action).to_dict("records")
    records = []
    for quarter, day, row in zip(quarters, days, counts, strict=True):
        by_status = {name: int(row[name]) for name in STATUSES}
        tasks_counted = sum(by_status.values()) - by_status["suspended"]
        records.append(
            {
                "period": quarter,
                "as_of": day,
                **by_status,
                "tasks": tasks_counted,
                "completion_rate": _rate(by_status["completed"], tasks_counted),
            }
        )
    result = pd.DataFrame(records, columns=columns)
    return result[(result[list(STATUSES)].sum(axis=1) > 0)].reset_index(drop=True)


def deadline_timeline(tasks: pd.DataFrame, as_of: date, since: date | None = None) -> pd.DataFrame:
    """One bar per task of a `scoped_tasks` frame (judged on `as_of`) from its start to its
    deadline, for a Gantt-like chart.

    `start` is the start date, else the first day of the task's first report period.
    `end` is the deadline; a task without one (长期坚持, marked `open_ended`) runs to
    `as_of`. An overdue task also has `late_until` = `as_of` (the stretch past its
    deadline); other tasks have None. With `since` (the selected period's first day),
    only tasks active in [since, as_of] are kept: a bar reaching into that span, or a
    task still overdue. Sorted by end, then start, then code.
    """
    columns = [
        "code",
        "content",
        "lead_unit",
        "status",
        "progress",
        "start",
        "end",
        "open_ended",
        "late_until",
        "deadline_text",
    ]
    copied = ["code", "content", "lead_unit", "status", "progress", "deadline_text"]
    fields = [*copied, "start_date", "first_period", "deadline", "ongoing"]
    records = []
    # Row by row through plain lists: iterating the frame (Arrow text columns) is 20x slower.
    for values in zip(*(tasks[field].tolist() for field in fields), strict=True):
        task = dict(zip(fields, values, strict=True))
        start = task["start_date"] or period_start(task["first_period"])
        open_ended = bool(task["ongoing"]) or task["deadline"] is None
        end = max(as_of if open_ended else task["deadline"], start)
        late_until = as_of if task["status"] == "overdue" else None
        if start > as_of or (since is not None and end < since and late_until is None):
            continue
        records.append(
            {
                **{field: task[field] for field in copied},
                "start": start,
                "end": end,
                "open_ended": open_ended,
                "late_until": late_until,
            }
        )
    frame = pd.DataFrame(records, columns=columns)
    return frame.sort_values(["end", "start", "code"], kind="stable").reset_index(drop=True)


DUE_SOON_DAYS = 90  # the timeline's finding: open tasks due within this many days
TIMELINE_BARS = 40  # bars the task page's timeline draws, those ending first


@dataclass(frozen=True, eq=False)
class Timeline:
    """The deadline timeline of a scope: the first bars and how many tasks it holds."""

    bars: pd.DataFrame  # `deadline_timeline` of the tasks ending first
    tasks: int  # tasks active in the period
    overdue: int  # of them overdue
    due_soon: int  # of them open and due within DUE_SOON_DAYS


def timeline_page(
    conn: Connection,
    as_of: date,
    since: date | None = None,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    bars: int = TIMELINE_BARS,
) -> Timeline:
    """The deadline timeline of a scope (`task_counts.timeline_tasks`): the `bars` tasks
    ending first as `deadline_timeline` draws them, and the counts of all it holds."""
    frame, counts = timeline_tasks(conn, as_of, since, DUE_SOON_DAYS, districts, action, bars)
    timeline = deadline_timeline(frame, as_of, since).head(bars).reset_index(drop=True)
    return Timeline(timeline, **counts)


PICK_LIMIT = 200  # tasks offered at once by `task_choices`


def task_choices(
    conn: Connection,
    districts: tuple[str, ...] = (),
    action: str | None = None,
    search: str = "",
    own: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
    limit: int = PICK_LIMIT,
) -> pd.DataFrame:
    """Code and content of the current tasks of a scope whose code or content holds
    `search`, by code, at most `limit`: the tasks a picker offers. `own`: (district names,
    unit names) to keep only the tasks of those districts or led by those units."""
    task, district, unit = Task.__table__, District.__table__, Unit.__table__
    query = select(task.c.code, task.c.content).where(
        task.c.is_current, *scope_conditions(districts, action)
    )
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        pattern = pattern.lower()
        query = query.where(
            folded(task.c.code).like(pattern, escape="\\")
            | folded(task.c.content).like(pattern, escape="\\")
        )
    if own is not None:
        own_districts, own_units = own
        query = query.where(
            task.c.district_id.in_(select(district.c.id).where(district.c.name.in_(own_districts)))
            | task.c.lead_unit_id.in_(select(unit.c.id).where(unit.c.name.in_(own_units)))
        )
    rows = conn.execute(query.order_by(task.c.code).limit(limit)).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=["code", "content"])


RANKING_COLUMNS = [
    "lead_unit",
    "tasks",
    "completed",
    "completion_rate",
    "on_time_rate",
    "overdue",
    "score",
    "rank",
]


def appraisal_score(completion_rate: float, on_time_rate: float | None, overdue: int) -> float:
    """0.6 x completion rate + 0.4 x on-time rate - 5 per overdue task, at least 0, 1 decimal.

    A unit with nothing completed or overdue yet has nothing late: its on-time part counts
    as 100.
    """
    on_time = 100.0 if on_time_rate is None or pd.isna(on_time_rate) else on_time_rate
    score = (
        COMPLETION_WEIGHT * completion_rate + ON_TIME_WEIGHT * on_time - OVERDUE_PENALTY * overdue
    )
    return round(max(score, 0.0), APPRAISAL_DECIMALS)


def unit_ranking(tasks: pd.DataFrame) -> pd.DataFrame:
    """`ranking_of` the tasks of a `scoped_tasks` frame."""
    return ranking_of(counts_of(tasks))


def ranking_of(counts: pd.DataFrame) -> pd.DataFrame:
    """The lead units of a counts frame (`status_counts`, `counts_of`) ranked for
    performance appraisal (绩效考核) by `appraisal_score`.

    Equal scores (after rounding to one decimal) share a rank and the next rank is
    skipped (1, 2, 2, 4). Columns RANKING_COLUMNS, best first, ties by unit name.
    """
    rates = rates_of(counts, "lead_unit")
    if rates.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    rates = rates.rename(columns={"group": "lead_unit"})
    rates["score"] = [
        appraisal_score(completion, on_time, overdue)
        for completion, on_time, overdue in zip(
            rates["completion_rate"], rates["on_time_rate"], rates["overdue"], strict=True
        )
    ]
    rates["rank"] = rates["score"].rank(method="min", ascending=False).astype(int)
    return rates.sort_values(["rank", "lead_unit"], kind="stable")[RANKING_COLUMNS].reset_index(
        drop=True
    )


STATUS_TABLE_FIELDS = (
    "code",
    "action",
    "lead_unit",
    "district",
    "progress",
    "deadline",
    "deadline_text",
    "status",
    "days_late",
)


def status_table(conn: Connection, as_of: date, language: str | None = None) -> pd.DataFrame:
    """Every task's status on `as_of` with Chinese (or `language`) headers, for the CLI.

    Status words come from the `status.*` catalogue keys; city-wide tasks have no district.
    """
    frame = task_status_frame(conn, as_of)
    frame["district"] = frame["district"].fillna("")
    frame["deadline_text"] = frame["deadline_text"].fillna("")
    frame["status"] = frame["status"].map(lambda s: t(f"status.{s}", language))
    frame = frame[list(STATUS_TABLE_FIELDS)].astype({"days_late": int})
    return frame.rename(columns={f: t(f"tasks.col_{f}", language) for f in STATUS_TABLE_FIELDS})


# --- finding sentences the task page and the presentation share -------------------------


def rates_title(rates: pd.DataFrame, language: str | None = None, grouping: str = "action") -> str:
    """The best and the worst group's completion rate, e.g. 领跑行动完成率最高（81.8%），
    连心行动最低（54.5%）; when every group shows the same rate, that it is shared (e.g.
    6个行动完成率均为 100%): nobody leads or trails a tie.

    `rates`: `rates_by` output (best first, not empty) with a `label` column naming each
    group; `grouping`: what the groups are (GROUPINGS), named in the tie.
    """
    best, worst = rates.iloc[0], rates.iloc[-1]
    best_rate = format_percent(best["completion_rate"], language)
    if len(rates) == 1:
        return t("tasks.rates_title_single", language, group=best["label"], rate=best_rate)
    if best_rate == format_percent(worst["completion_rate"], language):
        return t(
            "tasks.rates_title_tie",
            language,
            count=len(rates),
            noun=t(f"tasks.noun_{grouping}", language),
            rate=best_rate,
        )
    return t(
        "tasks.rates_title",
        language,
        best=best["label"],
        best_rate=best_rate,
        worst=worst["label"],
        worst_rate=format_percent(worst["completion_rate"], language),
    )


def progress_title(progress: pd.DataFrame, language: str | None = None) -> str:
    """How the completion rate moved from the first report period to the last, e.g.
    完成率由2023年第一季度的 20% 升至2023年第四季度的 69.4%: rose, fell or held (as the
    rates are shown, to one decimal), or only the one period's rate.

    `progress`: `progress_by_period` output (not empty) with a `label` column naming each
    period.
    """
    first, last = progress.iloc[0], progress.iloc[-1]
    first_rate = format_percent(first["completion_rate"], language)
    last_rate = format_percent(last["completion_rate"], language)
    facts = {"first": first["label"], "first_rate": first_rate, "last": last["label"]}
    if len(progress) == 1 or pd.isna(first["completion_rate"]) or pd.isna(last["completion_rate"]):
        return t("tasks.progress_title_single", language, last=last["label"], last_rate=last_rate)
    if first_rate == last_rate:
        return t("tasks.progress_title_level", language, last_rate=last_rate, **facts)
    rose = last["completion_rate"] > first["completion_rate"]
    key = "tasks.progress_title" if rose else "tasks.progress_title_fell"
    return t(key, language, last_rate=last_rate, **facts)


def progress_finding(progress: pd.DataFrame, language: str | None = None) -> str:
    """The last period's counts and how far the completion rate moved since the first,
    e.g. 2023年第四季度末已完成 25 项、逾期 6 项、滞后 3 项；完成率累计变化 +49.4个百分点;
    with one period (or no rate to compare) no change is claimed, not a `+0.0`.

    `progress`: as for `progress_title`."""
    first, last = progress.iloc[0], progress.iloc[-1]
    facts = {
        "last": last["label"],
        "completed": int(last["completed"]),
        "overdue": int(last["overdue"]),
        "behind": int(last["behind"]),
    }
    change = last["completion_rate"] - first["completion_rate"]
    if len(progress) == 1 or pd.isna(change):
        return t("tasks.progress_finding_single", language, **facts)
    return t("tasks.progress_finding", language, change=format_points(change, language), **facts)


def overdue_title(
    overdue: pd.DataFrame, language: str | None = None, count: int | None = None
) -> str:
    """How many tasks are overdue and the longest delay, e.g. 逾期任务6项，最长逾期365天
    （A5-10）, for `overdue_tasks` output or its first page (longest first; `count`: the
    length of the whole list, when `overdue` is a page of it)."""
    if overdue.empty:
        return t("tasks.overdue_none_title", language)
    longest = overdue.iloc[0]
    count = len(overdue) if count is None else count
    days = int(longest["days_late"])
    return t(
        "tasks.overdue_title_one" if count == 1 else "tasks.overdue_title",
        language,
        count=count,
        days=days,
        days_noun=unit_word("format.unit_days", days, language),
        code=longest["code"],
    )


def overdue_finding(overdue: pd.DataFrame, language: str | None = None) -> str:
    """How many lead units the overdue tasks involve and their mean progress (not empty)."""
    return _overdue_sentence(overdue["lead_unit"].nunique(), overdue["progress"].mean(), language)


def overdue_finding_of(counts: pd.DataFrame, language: str | None = None) -> str:
    """`overdue_finding` from a counts frame (`status_counts`) with overdue tasks."""
    units = int((counts.groupby("lead_unit")["overdue"].sum() > 0).sum())
    progress = counts["overdue_progress"].sum() / counts["overdue"].sum()
    return _overdue_sentence(units, progress, language)


def _overdue_sentence(units: int, progress: float, language: str | None) -> str:
    return t(
        "tasks.overdue_finding",
        language,
        units=units,
        units_noun=unit_word("format.unit_lead_units", units, language),
        progress=format_percent(progress, language),
    )
