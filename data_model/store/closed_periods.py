"""Closed periods: which periods of which kind are closed, and the refusal of a change there.

An admin closes a period for a kind (`period_closing.close_period`); while it stays closed,
nothing may change that kind's data inside it: a rollback (and, with review, an
approval) calls `refuse_if_closed` or `refuse_rollback_if_closed` before it writes, an
evidence attachment `refuse_if_closed_from`, and the
importer makes each row of a closed period an error of its own (`closure_of`). A closed period covers every period whose months lie in it, and a data period is
refused when any of its months is closed: closing 2023 refuses 2023, 2023-H2, 2023-Q4 and
2023-11; closing 2023-Q4 refuses 2023-Q4, 2023-11 and also the year 2023, whose value
includes the closed quarter.

Which period a stored row belongs to: indicator values their `period`, task reports their
report period, activities the month of their date, enterprise issues the month of their
receipt and of their resolution (a later status change of an issue received in a closed
month touches only the months of the resolution dates it changes).

A task report also counts after its own period: a period's task figures read each task's
latest report up to the period's end and the end of its first complete report (on time
or late), so a report of an open period before a closed one changes the closed one when
it is, or stops being, the task's latest report at its end (no other stored report of
the task ends after it and by then), or its first complete one (no stored complete
report ends before it) (`_carried_reports`). The closed periods it is checked against
are those of its own granularity or coarser whose months are all closed: a quarterly
report against closed quarters, halves and years, a monthly one against closed months
too. Evidence attached to a report counts from its end on (`refuse_if_closed_from`).

This module reads; it writes nothing, so `storage` can call it inside a rollback.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, literal, or_, select, union_all

from data_model.errors import InputError
from data_model.i18n import t
from data_model.kinds import TASKS
from data_model.periods import (
    GRANULARITIES,
    granularity,
    months_of,
    period_containing,
    period_end,
    period_label,
    to_granularity,
)
from data_model.store.audit import time_text
from data_model.store.db import as_date
from data_model.store.kind_registry import REGISTRY, closable_kinds
from data_model.store.models import (
    ClosedPeriod,
    EnterpriseIssue,
    Submission,
    TaskSnapshot,
)

# The write lock every close, reopen and recorded bulletin takes (and counts up).
PERIODS_LOCK = "periods"
# Issue columns whose change is a change of the resolution only (not of the receipt).
ISSUE_RESOLUTION_COLUMNS = ("status", "resolved_date", "satisfaction", "handling_unit")
# A stored row's columns that say which version it is, not what it holds.
VERSION_COLUMNS = ("id", "submission_id", "is_current", "replaced_id", "superseded_by_id")


@dataclass(frozen=True)
class Closure:
    """One close of `period` for `kind`; open again once `reopened_at` is set."""

    id: int
    kind: str
    period: str
    closed_at: datetime
    closed_by: str
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    reopen_reason: str = ""

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None

    def describe(self, language: str | None = None) -> str:
        """`2023年的指标数据已于 2024-01-10 08:00 由 chen 关账`."""
        return t(
            "closed_periods.closed_by",
            language,
            period=period_label(self.period, language),
            kind=t(f"kinds.{self.kind}", language),
            user=self.closed_by,
            at=_local(self.closed_at),
        )


class PeriodClosed(InputError):
    """A change would touch `period` (of `kind`), which `closure` keeps closed."""

    def __init__(self, closure: Closure, period: str) -> None:
        self.closure = closure
        self.period = period
        super().__init__("closed_periods.refused", period=period)

    def message(self, language: str | None = None) -> str:
        return t(
            "closed_periods.refused",
            language,
            period=period_label(self.period, language),
            closed=self.closure.describe(language),
        )


def _local(moment: datetime) -> str:
    return time_text(moment)[:16]


def _closure(row) -> Closure:
    """A `closed_period` row (the same fields) as a Closure."""
    return Closure(**{**row._mapping, "reopen_reason": row.reopen_reason or ""})


def closures(conn: Connection, kind: str | None = None, closed_only: bool = False) -> list[Closure]:
    """Every close on record (of `kind`), newest first; `closed_only`: those still closed."""
    query = select(ClosedPeriod).order_by(ClosedPeriod.closed_at.desc(), ClosedPeriod.id.desc())
    if kind is not None:
        query = query.where(ClosedPeriod.kind == kind)
    if closed_only:
        query = query.where(ClosedPeriod.reopened_at.is_(None))
    return [_closure(row) for row in conn.execute(query)]


def closed_months(conn: Connection, kind: str) -> dict[str, Closure]:
    """Month → the closure that keeps it closed, for `kind`."""
    found: dict[str, Closure] = {}
    for closure in closures(conn, kind, closed_only=True):
        for month in months_of(closure.period):
            found.setdefault(month, closure)
    return found


def closure_of(months: dict[str, Closure], period: str) -> Closure | None:
    """The closure that keeps part of `period` closed, given `closed_months`' answer."""
    if not months:
        return None
    return next((months[m] for m in months_of(period) if m in months), None)


def first_closed(months: dict[str, Closure], periods: Iterable[str]) -> tuple[Closure, str] | None:
    """(closure, period) for the first of `periods` that `months` keeps closed, or None."""
    for period in sorted(set(periods)):
        closure = closure_of(months, period)
        if closure is not None:
            return closure, period
    return None


def refuse_if_closed(conn: Connection, kind: str, periods: Iterable[str]) -> None:
    """Raise PeriodClosed (an InputError whose message names the period, who closed it and
    when) if any of `periods` (canonical, any granularity) of `kind` is closed.

    Call it inside the writing transaction after the kind's write lock is taken
    (`storage.take_write_locks`): closing takes the same lock, so a close and a change
    never pass each other. Kinds without periods (indicator definitions) are never closed.
    """
    if kind not in closable_kinds():
        return
    found = first_closed(closed_months(conn, kind), periods)
    if found is not None:
        raise PeriodClosed(*found)


def refuse_if_closed_from(conn: Connection, kind: str, day: date) -> None:
    """PeriodClosed if a closed period of `kind` ends on or after `day`: a change that
    counts from `day` on changes it. Evidence attached to a task report ending on `day`
    is such a change: the task counts as evidenced on that day and every later one, so it
    may move a closed period's 已完成 count, that of the report's own period or a later
    one. Call it as `refuse_if_closed`, after the kind's write lock is taken."""
    if kind not in closable_kinds():
        return
    found = closed_between(closed_months(conn, kind), day)
    if found is not None:
        raise PeriodClosed(*found)


def closed_between(
    months: dict[str, Closure], first: date, until: date | None = None, finest: str = "month"
) -> tuple[Closure, str] | None:
    """(closure, closed period) for the closed period that ends first on or after `first`
    (and, with `until`, before `until`): a period of granularity `finest` or coarser all
    of whose months `months` (`closed_months`' answer) keeps closed. A change that counts
    from `first` until `until` changes that period's figures."""
    return _first_end_between(closed_ends(months, finest), first, until)


def closed_ends(months: dict[str, Closure], finest: str = "month") -> list[tuple[date, Closure]]:
    """(end, closure) of each period of granularity `finest` or coarser all of whose months
    `months` keeps closed, by end (the closure of its last month)."""
    coarser = GRANULARITIES[: GRANULARITIES.index(finest) + 1]
    periods = {to_granularity(month, g) for month in months for g in coarser}
    return sorted(
        (
            (period_end(p), months[months_of(p)[-1]])
            for p in periods
            if set(months_of(p)) <= months.keys()
        ),
        key=lambda pair: pair[0],
    )


def _first_end_between(
    ends: list[tuple[date, Closure]], first: date, until: date | None
) -> tuple[Closure, str] | None:
    at = bisect_left(ends, first, key=lambda pair: pair[0])
    if at == len(ends) or (until is not None and ends[at][0] >= until):
        return None
    closure = ends[at][1]
    return closure, closure.period


# --- the periods a change touches ------------------------------------------------------


def _month(day: date | None) -> str | None:
    return None if day is None else period_containing(day, "month")


def row_periods(kind: str, row: dict) -> set[str]:
    """The periods one stored row (or validated record) of `kind` belongs to."""
    return REGISTRY[kind].periods(row)


def change_periods(kind: str, new: dict | None, old: dict | None) -> set[str]:
    """The periods changed when `old` (a stored row, None: none) gives way to `new` (None:
    withdrawn): the periods of both rows, except that an issue whose receipt is unchanged
    touches only the months of the resolution dates."""
    if new is None or old is None:
        return row_periods(kind, new or old)
    if kind != "issues":
        return row_periods(kind, new) | row_periods(kind, old)
    receipt_changed = any(
        new.get(c) != old.get(c)
        for c in new
        if c in old and c not in ISSUE_RESOLUTION_COLUMNS and c not in VERSION_COLUMNS
    )
    if receipt_changed:
        return row_periods(kind, new) | row_periods(kind, old)
    if all(new.get(c) == old.get(c) for c in ISSUE_RESOLUTION_COLUMNS):
        return set()
    return {p for p in (_month(new["resolved_date"]), _month(old["resolved_date"])) if p}


def refuse_rollback_if_closed(conn: Connection, submission_id: int) -> None:
    """PeriodClosed if rolling `submission_id` back would change a closed period: the rows
    it withdraws (its current rows) and the rows they would restore."""
    kinds = conn.execute(
        select(Submission.kinds).where(Submission.id == submission_id)
    ).scalar_one_or_none()
    for kind in (kinds or "").split(","):
        if kind not in closable_kinds():
            continue
        months = closed_months(conn, kind)
        if not months:
            continue
        table = REGISTRY[kind].table.__table__
        withdrawn = [
            dict(row)
            for row in conn.execute(
                select(table).where(table.c.submission_id == submission_id, table.c.is_current)
            ).mappings()
        ]
        replaced_ids = sorted({r["replaced_id"] for r in withdrawn if r["replaced_id"]})
        replaced: dict[int, dict] = {}
        for start in range(0, len(replaced_ids), 5000):
            query = select(table).where(table.c.id.in_(replaced_ids[start : start + 5000]))
            replaced.update((r["id"], dict(r)) for r in conn.execute(query).mappings())
        changes = [(replaced.get(row["replaced_id"]), row) for row in withdrawn]
        refused = _refused_changes(conn, kind, months, changes)
        if refused:
            raise PeriodClosed(*refused[min(refused)])


# --- periods of a bulletin ---------------------------------------------------------------


def is_closed_for_bulletin(conn: Connection, period: str) -> bool:
    """Whether the bulletin of `period` is one of a closed period: some kind keeps every
    month of `period` closed."""
    wanted = set(months_of(period))
    return any(wanted <= set(closed_months(conn, kind)) for kind in closable_kinds())


def last_reopen(conn: Connection, period: str) -> Closure | None:
    """The latest reopen of a closure overlapping `period` (any kind), or None."""
    wanted = set(months_of(period))
    reopened = [
        c for c in closures(conn) if c.reopened_at is not None and wanted & set(months_of(c.period))
    ]
    return max(reopened, key=lambda c: (c.reopened_at, c.id), default=None)


def refuse_approval_if_closed(
    conn: Connection, submission_id: int, records_by_kind: dict[str, list[dict]]
) -> None:
    """Refuse (PeriodClosed) the approval of a submission held for review when one of its
    records would change a closed period, as the importer refuses such a row: called by
    `review.approve` after the write locks are taken, before the records are written."""
    for kind, records in records_by_kind.items():
        refused = refused_records(conn, kind, records)
        if refused:
            raise PeriodClosed(*refused[min(refused)])


def refused_records(
    conn: Connection, kind: str, records: list[dict]
) -> dict[int, tuple[Closure, str]]:
    """The records of `kind` that would change a closed period, by their place in
    `records`: the closure and the first such period (the importer refuses those rows,
    an approval the whole submission)."""
    if kind not in closable_kinds():
        return {}
    months = closed_months(conn, kind)
    if not months:
        return {}
    stored = stored_issues(conn, records) if kind == "issues" else {}
    changes = [(record, stored.get(record["code"]) if stored else None) for record in records]
    return _refused_changes(conn, kind, months, changes)


def _refused_changes(
    conn: Connection,
    kind: str,
    months: dict[str, Closure],
    changes: list[tuple[dict | None, dict | None]],
) -> dict[int, tuple[Closure, str]]:
    """The changes (new row or None, stored row it replaces or None) of `kind` that would
    change a closed period of `months` (`closed_months`), by their place in `changes`:
    the closure and the first such period. The one statement of the rule for an import,
    an approval and a rollback."""
    refused = {}
    for place, (new, old) in enumerate(changes):
        found = first_closed(months, change_periods(kind, new, old))
        if found is not None:
            refused[place] = found
    if kind == TASKS.name:
        rest = {place: change for place, change in enumerate(changes) if place not in refused}
        refused.update(_carried_reports(conn, months, rest))
    return refused


def _carried_reports(
    conn: Connection,
    months: dict[str, Closure],
    changes: dict[int, tuple[dict | None, dict | None]],
) -> dict[int, tuple[Closure, str]]:
    """The task reports (records, or `task_snapshot` rows) among `changes` (by place) that
    would change a closed period after their own (`closed_between`, at the report's
    granularity or coarser): one that is, or would become, the task's latest report at
    the closed period's end (no other stored current report of the task ends after it
    and by then), or its first complete report there (it or a stored report ending with
    it is complete, and no stored complete report of the task ends before it). Reports
    of the task ending on the same day count as a change (refused, not guessed)."""
    last_closed = period_end(max(months))
    reports = {}
    for place, (new, old) in changes.items():
        row = new or old
        end = period_end(row["report_period"])
        if end < last_closed:
            complete = any(r is not None and _is_complete(r) for r in (new, old))
            period = row["report_period"]
            reports[place] = (row.get("task_code") or row["code"], end, complete, period)
    if not reports:
        return {}
    later, first_done = _stored_report_ends(conn, reports.values(), last_closed)
    ends = {g: closed_ends(months, g) for g in GRANULARITIES}
    refused = {}
    for place, (code, end, complete, period) in reports.items():
        done = first_done.get(code)
        closed = ends[granularity(period)]
        if (done is None or done >= end) and (complete or done == end):
            found = _first_end_between(closed, end, None)
        else:
            after = [e for e in later.get(code, ()) if e > end]
            found = _first_end_between(closed, end, min(after, default=None))
        if found is not None:
            refused[place] = found
    return refused


def _is_complete(row: dict) -> bool:
    """A task report showing the task complete, as `summaries_tasks` counts it."""
    return row["progress"] >= 100 or row["stated_status"] == "completed"


def _stored_report_ends(
    conn: Connection, reports, last_closed: date
) -> tuple[dict[str, set[date]], dict[str, date]]:
    """For the tasks of `reports` ((code, period end, …)): the ends of their stored
    current reports after the earliest of those ends and by `last_closed`, and the end of
    their first stored complete report by the latest of them; one query per 5,000 tasks."""
    table = TaskSnapshot.__table__
    codes = sorted({report[0] for report in reports})
    first = min(report[1] for report in reports)
    last = max(report[1] for report in reports)
    later: dict[str, set[date]] = {}
    first_done: dict[str, date] = {}
    for start in range(0, len(codes), 5000):
        chunk = table.c.is_current & table.c.task_code.in_(codes[start : start + 5000])
        ends = (
            select(table.c.task_code, table.c.period_end, literal(False).label("done"))
            .where(chunk, table.c.period_end > first, table.c.period_end <= last_closed)
            .distinct()
        )
        done = (
            select(table.c.task_code, func.min(table.c.period_end), literal(True))
            .where(
                chunk,
                table.c.period_end <= last,
                or_(table.c.progress >= 100, table.c.stated_status == "completed"),
            )
            .group_by(table.c.task_code)
        )
        for code, end, is_done in conn.execute(union_all(ends, done)):
            end = as_date(end)
            if is_done:
                first_done[code] = end
            else:
                later.setdefault(code, set()).add(end)
    return later, first_done


def stored_issues(conn: Connection, records: list[dict]) -> dict[str, dict]:
    """The current stored issues `records` would replace, by code."""
    table = EnterpriseIssue.__table__
    codes = sorted({r["code"] for r in records})
    found: dict[str, dict] = {}
    for start in range(0, len(codes), 5000):
        query = select(table).where(
            table.c.is_current, table.c.code.in_(codes[start : start + 5000])
        )
        for row in conn.execute(query).mappings():
            found[row["code"]] = dict(row)
    return found
