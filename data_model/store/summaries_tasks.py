"""Summaries of the task reports and of who reported what, kept exact by the write path.

Two tables derived from the versioned rows (models.py, migrations 0013 and 0015):

- `reported_summary`: current rows per kind x report period x district x submission, for
  the late list (`schedule.reporting_status`): grouping a few thousand summary rows
  instead of every current indicator value and task report on each view.
- `task_latest`: each task's latest, first and first complete current report as of
  every report period's last day, for a task's status on a day
  (`task_status.task_status_frame`): the rows of one `period_end` instead of a search
  of every task's reports. It carries the values a status reads (CARRIED_COLUMNS: the
  latest report's progress and stated status, the first complete and first report's
  period ends, migration 0015; the three reports' report periods, migration 0016), so
  `task_counts` judges tasks and `task_status_frame` lists them from this table alone. A
  report row's values never change (a change is a new row), so they are exact whenever
  the ids are.

`values_changed(conn, submission_id)` and `tasks_changed(conn, submission_id)` bring
them up to date after a submission's rows of that kind were written (an import, a review
approval) or withdrawn (a rollback), in the caller's transaction: the kinds' summary hooks
(`summaries`) call them. It recomputes
only what those rows touch: the report periods of the submission's rows (and of the
tasks whose district or lead unit it changed) and the tasks it reported on. Then the
status counts at each report period end follow `task_latest` (`summaries_task_status`).
`rebuild(conn)` recomputes everything from the raw rows, the status counts too (a backup's
restore, the benchmark's generated data); `rebuild_reported(conn)` only the late list's
summary (migration 0013, and after a master-data merge moved rows to another district or
unit); `rebuild_latest(conn)` only `task_latest`.
`expected_rows(conn)` is the recomputation the property test compares with.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import (
    Connection,
    String,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union,
)

from data_model.store import summaries_task_status
from data_model.store.db import as_date
from data_model.store.models import (
    IndicatorValue,
    ReportedSummary,
    Submission,
    Task,
    TaskLatest,
    TaskSnapshot,
)

SUMMARY_KINDS = ("indicator_values", "tasks")
CARRIED_COLUMNS = (
    "progress",
    "stated_status",
    "completed_end",
    "first_end",
    "latest_period",
    "first_period",
    "completed_period",
)
LATEST_COLUMNS = (
    "period_end",
    "task_code",
    "latest_id",
    "first_id",
    "completed_id",
    *CARRIED_COLUMNS,
)
REPORTED_COLUMNS = ("kind", "period", "district_id", "lead_unit_id", "submission_id", "row_count")


def values_changed(conn: Connection, submission_id: int) -> None:
    """Bring the late list's rows up to date after `submission_id`'s indicator values
    changed (the kind's summary hook in `summaries` calls it)."""
    periods = select(IndicatorValue.period).where(IndicatorValue.submission_id == submission_id)
    _refresh_reported(conn, "indicator_values", _strings(conn, periods))


def tasks_changed(conn: Connection, submission_id: int) -> None:
    """Bring the late list's rows, each task's latest reports and the status counts
    (`summaries_task_status`) up to date after `submission_id`'s task reports changed."""
    _refresh_reported(conn, "tasks", _task_periods(conn, submission_id))
    ends_before, ends_after = _refresh_latest(conn, submission_id)
    summaries_task_status.tasks_changed(conn, submission_id, ends_before, ends_after)


def rebuild(conn: Connection) -> None:
    """Recompute every summary from the raw rows."""
    rebuild_reported(conn)
    rebuild_latest(conn)
    summaries_task_status.rebuild(conn)


def rebuild_latest(conn: Connection) -> None:
    """Recompute `task_latest` from the raw rows."""
    conn.execute(delete(TaskLatest))
    _insert_latest(conn, _current_ends(conn), None)


def rebuild_reported(conn: Connection) -> None:
    """Recompute the late list's summary from the raw rows."""
    conn.execute(delete(ReportedSummary))
    for kind in SUMMARY_KINDS:
        conn.execute(_reported_insert(kind, None))


def _strings(conn: Connection, query) -> list[str]:
    return sorted(set(conn.execute(query.distinct()).scalars()))


# --- the late list: current rows per kind x period x district x submission ------------


def _reported_rows(kind: str, periods: list[str] | None):
    """SELECT the summary rows of `kind` (only `periods`, unless None) from the raw rows."""
    if kind == "indicator_values":
        v = IndicatorValue.__table__
        query = select(
            literal(kind, String),
            v.c.period,
            v.c.district_id,
            cast(null(), v.c.district_id.type),
            v.c.submission_id,
            func.count(),
        ).where(v.c.is_current)
        if periods is not None:
            query = query.where(v.c.period.in_(periods))
        return query.group_by(v.c.period, v.c.district_id, v.c.submission_id)
    s, t = TaskSnapshot.__table__, Task.__table__
    query = (
        select(
            literal(kind, String),
            s.c.report_period,
            t.c.district_id,
            t.c.lead_unit_id,
            s.c.submission_id,
            func.count(),
        )
        .select_from(s)
        .join(t, (t.c.code == s.c.task_code) & t.c.is_current)
        .where(s.c.is_current)
    )
    if periods is not None:
        query = query.where(s.c.report_period.in_(periods))
    return query.group_by(s.c.report_period, t.c.district_id, t.c.lead_unit_id, s.c.submission_id)


def _reported_insert(kind: str, periods: list[str] | None):
    return insert(ReportedSummary.__table__).from_select(
        list(REPORTED_COLUMNS), _reported_rows(kind, periods)
    )


def _refresh_reported(conn: Connection, kind: str, periods: list[str]) -> None:
    table = ReportedSummary.__table__
    for chunk in _chunks(periods):
        conn.execute(delete(table).where(table.c.kind == kind, table.c.period.in_(chunk)))
        conn.execute(_reported_insert(kind, chunk))


def _task_periods(conn: Connection, submission_id: int) -> list[str]:
    """The report periods whose task summary a submission's task rows may change: those of
    its reports, and every period reported for a task whose district or lead unit its
    definition changed (a new task, a changed one, or one whose earlier definition a
    rollback may skip because that one's submission is rolled back too)."""
    s, t, r = TaskSnapshot.__table__, Task.__table__, Task.__table__.alias()
    rolled_back = select(Submission.id).where(Submission.status == "rolled_back")
    moved = select(t.c.code).where(
        t.c.submission_id == submission_id,
        or_(
            t.c.replaced_id.is_(None),
            exists().where(
                r.c.id == t.c.replaced_id,
                or_(
                    r.c.district_id.is_distinct_from(t.c.district_id),
                    r.c.lead_unit_id != t.c.lead_unit_id,
                    r.c.submission_id.in_(rolled_back),
                ),
            ),
        ),
    )
    own = select(s.c.report_period).where(s.c.submission_id == submission_id)
    of_moved = select(s.c.report_period).where(s.c.is_current, s.c.task_code.in_(moved))
    return sorted(set(conn.execute(union(own, of_moved)).scalars()))


# --- each task's latest report as of every report period's end ----------------------


def _next_end(conn: Connection, table, after: date | None, current_only: bool) -> date | None:
    query = select(table.c.period_end)
    if current_only:
        query = query.where(table.c.is_current)
    if after is not None:
        query = query.where(table.c.period_end > after)
    return conn.execute(query.order_by(table.c.period_end).limit(1)).scalar()


def _ends(conn: Connection, table, current_only: bool) -> list[date]:
    """The distinct `period_end`s of `table`, one index step each (a few dozen)."""
    ends: list[date] = []
    end = _next_end(conn, table, None, current_only)
    while end is not None:
        ends.append(as_date(end))
        end = _next_end(conn, table, end, current_only)
    return ends


def _current_ends(conn: Connection) -> list[date]:
    return _ends(conn, TaskSnapshot.__table__, current_only=True)


def _refresh_latest(conn: Connection, submission_id: int) -> tuple[set[date], set[date]]:
    """Recompute the rows of the tasks `submission_id` reported on and follow the set
    of report period ends: a new end gets every other task's row of the end before it (no
    report of theirs lies between), an end no current report has any more goes. Returns
    the table's ends before and after."""
    latest = TaskLatest.__table__
    now = _current_ends(conn)
    before = _ends(conn, latest, current_only=False)
    known = set(before)
    for end in sorted(set(now) - known):
        earlier = [b for b in before if b < end]
        if not earlier:
            continue
        copied = [c for c in LATEST_COLUMNS if c != "period_end"]
        conn.execute(
            insert(latest).from_select(
                list(LATEST_COLUMNS),
                # A typed parameter, no CAST: SQLite would cast '2024-06-30' to 2024.
                select(
                    literal(end, latest.c.period_end.type), *(latest.c[c] for c in copied)
                ).where(latest.c.period_end == earlier[-1]),
            )
        )
    gone = sorted(known - set(now))
    for chunk in _chunks(gone):
        conn.execute(delete(latest).where(latest.c.period_end.in_(chunk)))
    # A task's rows before the earliest end of the submission's reports of it (`since`)
    # stay: only its reports (current or withdrawn) and the ones they replaced or
    # restored, of the same report periods, changed. The rows from `since` on are
    # recomputed from the reports from `since` on and the task's row of the end before.
    s = TaskSnapshot.__table__
    since = (
        select(s.c.task_code, func.min(s.c.period_end).label("since"))
        .where(s.c.submission_id == submission_id)
        .group_by(s.c.task_code)
        .subquery()
    )
    for end in sorted(as_date(e) for e in conn.execute(select(since.c.since).distinct()).scalars()):
        codes = select(since.c.task_code).where(since.c.since == end)
        conn.execute(
            delete(latest).where(latest.c.period_end >= end, latest.c.task_code.in_(codes))
        )
        earlier = [e for e in now if e < end]
        _insert_latest(conn, now, (submission_id, end, earlier[-1] if earlier else None))
    return known, set(now)


def _insert_latest(
    conn: Connection, ends: list[date], changed: tuple[int, date, date | None] | None
) -> None:
    """Insert the rows at `ends` of every task (`changed` None), or, with `changed` =
    (submission id, since, the end before it), those from `since` on of the tasks whose
    earliest report in that submission ends on `since`."""
    if not ends:
        return
    postgresql = conn.dialect.name == "postgresql"
    marker = "CAST(:e{} AS DATE)" if postgresql else ":e{}"
    ends_sql = " UNION ALL ".join(
        f"SELECT {marker.format(n)} AS period_end" for n in range(len(ends))
    )
    params: dict = {f"e{n}": end for n, end in enumerate(ends)}
    rows, base, after = "is_current", "", ""
    if changed is not None:
        submission_id, since, before = changed
        codes = (
            "task_code IN (SELECT task_code FROM task_snapshot WHERE submission_id = :s"
            " GROUP BY task_code HAVING MIN(period_end) = :since)"
        )
        rows = f"is_current AND period_end >= :since AND {codes}"
        if before is not None:
            # The row of the end before: the latest, first and first complete report up
            # to it stand for the reports before `since` (its end sorts before theirs).
            base = f"""UNION ALL
            SELECT task_code, period_end, latest_id, first_id, completed_id,
                   completed_end, first_end
            FROM task_latest WHERE period_end = :before AND {codes}"""
            params["before"] = before
        after = "WHERE e.period_end >= :since"
        params.update(s=submission_id, since=since)
    # One pass over the tasks' current reports, with no join but the one with the few
    # ends: per task and report end its latest and first report and first complete one;
    # then, in end order, the next end (so each row stands for the ends up to the next
    # one), the task's first report and its first complete report so far, as 'YYYY-MM-DD:id'
    # text (the report's end and id) whose minimum is the first by (end, id), as
    # task_status reads them; the latest report's values come by its id. Inserted in
    # end order, so that the rows of one end (what a status on a day reads) lie together
    # on disk rather than one in every page of the table.
    done_key = (
        "CAST(done_end AS TEXT) || ':' || CAST(done_id AS TEXT)"
        if postgresql
        else "done_end || ':' || done_id"
    )
    # A typed end: SQLite would CAST '2024-06-30' AS DATE to 2024.
    done_end = (
        "CAST(SUBSTR(s.done_key, 1, 10) AS DATE)" if postgresql else "SUBSTR(s.done_key, 1, 10)"
    )
    sql = f"""
    WITH ends AS ({ends_sql}),
    per_end AS (
        SELECT task_code, period_end, MAX(id) AS latest_id, MIN(id) AS first_id,
               MIN(CASE WHEN progress >= 100 OR stated_status = 'completed' THEN id END)
                   AS done_id,
               period_end AS done_end, period_end AS first_end
        FROM task_snapshot WHERE {rows}
        GROUP BY task_code, period_end
        {base}
    ),
    spans AS (
        SELECT task_code, period_end, latest_id,
               LEAD(period_end) OVER w AS next_end,
               FIRST_VALUE(first_id) OVER w AS first_id,
               FIRST_VALUE(first_end) OVER w AS first_end,
               MIN({done_key}) OVER w AS done_key
        FROM per_end
        WINDOW w AS (PARTITION BY task_code ORDER BY period_end)
    )
    INSERT INTO task_latest ({", ".join(LATEST_COLUMNS)})
    SELECT e.period_end, s.task_code, s.latest_id, s.first_id,
           CAST(SUBSTR(s.done_key, 12) AS INTEGER), r.progress, r.stated_status, {done_end},
           s.first_end, r.report_period, f.report_period, d.report_period
    FROM spans s
    JOIN task_snapshot r ON r.id = s.latest_id
    JOIN task_snapshot f ON f.id = s.first_id
    LEFT JOIN task_snapshot d ON d.id = CAST(SUBSTR(s.done_key, 12) AS INTEGER)
    JOIN ends e ON e.period_end >= s.period_end
               AND (s.next_end IS NULL OR e.period_end < s.next_end)
    {after}
    ORDER BY e.period_end, s.task_code
    """
    conn.execute(text(sql), params)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the recomputation the property test compares with --------------------------------


def expected_rows(conn: Connection) -> dict[str, Counter]:
    """Both summaries as sets of tuples, recomputed from the raw rows by plain queries
    (a search per task and end, not the window functions `rebuild` uses)."""
    reported: Counter = Counter()
    for kind in SUMMARY_KINDS:
        reported.update(tuple(row) for row in conn.execute(_reported_rows(kind, None)))
    s = TaskSnapshot.__table__
    ends = _current_ends(conn)
    codes = sorted(set(conn.execute(select(s.c.task_code).where(s.c.is_current)).scalars()))
    latest: Counter = Counter()
    complete = (s.c.progress >= 100) | (s.c.stated_status == "completed")
    for code in codes:
        for end in ends:
            base = select(s.c.id).where(
                s.c.task_code == code, s.c.is_current, s.c.period_end <= end
            )
            last = conn.execute(
                base.add_columns(s.c.progress, s.c.stated_status, s.c.report_period)
                .order_by(s.c.period_end.desc(), s.c.id.desc())
                .limit(1)
            ).first()
            if last is None:
                continue
            first_id, first_end, first_period = conn.execute(
                base.add_columns(s.c.period_end, s.c.report_period)
                .order_by(s.c.period_end, s.c.id)
                .limit(1)
            ).one()
            done = conn.execute(
                base.add_columns(s.c.period_end, s.c.report_period)
                .where(complete)
                .order_by(s.c.period_end, s.c.id)
                .limit(1)
            ).first()
            done_id, done_end, done_period = (None, None, None) if done is None else tuple(done)
            row = (end, code, last[0], first_id, done_id, last[1], last[2], done_end, first_end)
            row += (last[3], first_period, done_period)
            latest[_with_dates(row)] += 1
    return {"reported": reported, "latest": latest}


def stored_rows(conn: Connection) -> dict[str, Counter]:
    """Both summaries as stored, in the shape of `expected_rows`."""
    r, latest = ReportedSummary.__table__, TaskLatest.__table__
    reported = Counter(
        tuple(row) for row in conn.execute(select(*(r.c[c] for c in REPORTED_COLUMNS)))
    )
    rows = conn.execute(select(*(latest.c[c] for c in LATEST_COLUMNS)))
    return {
        "reported": reported,
        "latest": Counter(_with_dates(tuple(row)) for row in rows),
    }


_DATE_COLUMNS = [LATEST_COLUMNS.index(c) for c in ("period_end", "completed_end", "first_end")]


def _with_dates(row: tuple) -> tuple:
    """A `task_latest` row (LATEST_COLUMNS) with its dates as dates (SQLite gives text)."""
    return tuple(
        as_date(value) if at in _DATE_COLUMNS and value is not None else value
        for at, value in enumerate(row)
    )
