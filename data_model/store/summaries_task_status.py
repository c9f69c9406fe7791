"""The summary of the task status counts at each report period end
(`task_status_summary`, models.py, migration 0016), kept exact by the write path.

A row counts the current tasks of one action x lead unit x district per status on one
`period_end` of `task_latest` (every end a current report has), each judged on that
day by the status rule in SQL (`task_status_sql.Judged`) from its `task_latest` row
of that end: what `task_counts.status_counts` counts on that day, so that a count on a
past report period end (the quarters of the progress chart, the period before of the
headline figures) reads these rows instead of judging every task.

A task's status on an end depends on its `task_latest` row there (its latest report's
progress and stated status, its first complete report's end), its current definition
(action, lead unit, district, start, deadline, ongoing) and whether evidence is attached
to one of its reports up to that end. So the rows of a group change when one of its
tasks is reported on, defined again or moved (a task list import, a review approval, a
rollback: `tasks_changed`), gets evidence (`evidence_attached`), or when master data
merges its action, lead unit or district into another (`master_merged`); and an end
comes or goes with `task_latest`'s. Each change recomputes the rows of the groups the
changed tasks are or were in (a superset: every action x lead unit x district of their
definitions, old and new) from the first end it can change, in the caller's
transaction. `rebuild(conn)` recomputes every row (a restore, the benchmark, the
migration). `expected_rows(conn)` is the plain recomputation (`task_rules.status_of`
per task and end, from the raw rows) the property test compares with.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import (
    Connection,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
)

from data_model.store.db import as_date
from data_model.store.models import (
    Evidence,
    Submission,
    Task,
    TaskLatest,
    TaskSnapshot,
    TaskStatusSummary,
)
from data_model.store.task_status_sql import Judged, has_evidence
from data_model.task_rules import TaskFacts, status_of

GROUP_ID_COLUMNS = ("action_id", "lead_unit_id", "district_id")
COUNTED = ("in_progress", "behind", "overdue", "not_started", "suspended")
SPLIT = (
    "completed_with_evidence",
    "completed_without_evidence",
    "on_time_with_evidence",
    "on_time_without_evidence",
)
SUMS = ("overdue_progress", "behind_gap")
SUMMARY_COLUMNS = ("period_end", *GROUP_ID_COLUMNS, *COUNTED, *SPLIT, *SUMS, "first_code")

# Groups named by ids: {column of GROUP_ID_COLUMNS: the ids (None: city-wide)}; a
# column left out is any id. Their product is the groups recomputed.
Groups = dict[str, set]


def rebuild(conn: Connection) -> None:
    """Recompute every row from `task_latest`, the tasks and the evidence."""
    conn.execute(delete(TaskStatusSummary))
    _insert(conn, {}, [])


def tasks_changed(
    conn: Connection, submission_id: int, ends_before: set[date], ends_after: set[date]
) -> None:
    """After `submission_id`'s task rows were written or withdrawn and `task_latest` was
    brought up to date (its ends were `ends_before`, are `ends_after`): an end that went
    loses its rows, a new one gets every group's; the groups of the tasks the submission
    defined get every end recomputed, those of the tasks it only reported on every end
    from its earliest report's."""
    summary = TaskStatusSummary.__table__
    gone = sorted(ends_before - ends_after)
    if gone:
        conn.execute(delete(summary).where(summary.c.period_end.in_(gone)))
    new = sorted(ends_after - ends_before)
    if new:
        _insert(conn, {}, [TaskLatest.__table__.c.period_end.in_(new)])
    s = TaskSnapshot.__table__
    reported = select(s.c.task_code).where(s.c.submission_id == submission_id)
    since = conn.execute(
        select(func.min(s.c.period_end)).where(s.c.submission_id == submission_id)
    ).scalar()
    refresh(conn, _groups_of(conn, _redefined(submission_id)), None, new)
    if since is not None:
        refresh(conn, _groups_of(conn, reported), as_date(since), new)


def _redefined(submission_id: int):
    """SELECT the codes of the tasks whose definition `submission_id` may have changed
    in what a status reads: a new task, or one whose action, lead unit, district, start,
    deadline or ongoing differ from the definition it replaced (or whose replaced one a
    rollback may skip, its submission being rolled back too). A definition that only
    names a later report period (every import's) changes no status."""
    t, r = Task.__table__, Task.__table__.alias()
    rolled_back = select(Submission.id).where(Submission.status == "rolled_back")
    changed = [
        r.c[column].is_distinct_from(t.c[column])
        for column in (*GROUP_ID_COLUMNS, "start_date", "deadline", "ongoing")
    ]
    return select(t.c.code).where(
        t.c.submission_id == submission_id,
        or_(
            t.c.replaced_id.is_(None),
            exists().where(
                r.c.id == t.c.replaced_id, or_(*changed, r.c.submission_id.in_(rolled_back))
            ),
        ),
    )


def evidence_attached(conn: Connection, task_code: str, period_end: date) -> None:
    """After evidence was attached to the task's report ending on `period_end`: its
    group's rows from that end on."""
    task = Task.__table__
    refresh(conn, _groups_of(conn, select(task.c.code).where(task.c.code == task_code)), period_end)


def master_merged(conn: Connection, column: str, gone_id: int, kept_id: int) -> None:
    """After master data merged the entry `gone_id` into `kept_id` and moved the tasks'
    `column` (one of GROUP_ID_COLUMNS) to it: the gone entry's rows go, the kept one's
    groups are recomputed."""
    summary = TaskStatusSummary.__table__
    conn.execute(delete(summary).where(summary.c[column] == gone_id))
    refresh(conn, {column: {kept_id}})


def refresh(
    conn: Connection, groups: Groups | None, since: date | None = None, skip: list[date] = ()
) -> None:
    """Recompute the rows of `groups` (None: nothing to do) on the ends from `since` on
    (every end when None), but for the ends in `skip` (computed already)."""
    if groups is None:
        return
    summary, latest = TaskStatusSummary.__table__, TaskLatest.__table__
    kept = _in_groups(summary, groups)
    ends = []
    if since is not None:
        kept.append(summary.c.period_end >= since)
        ends.append(latest.c.period_end >= since)
    if skip:
        kept.append(summary.c.period_end.not_in(list(skip)))
        ends.append(latest.c.period_end.not_in(list(skip)))
    conn.execute(delete(summary).where(*kept))
    _insert(conn, groups, ends)


def _groups_of(conn: Connection, codes) -> Groups | None:
    """The groups of every definition (current or not) of the tasks `codes` (a SELECT
    of task codes), as the ids of each column; None when there is none."""
    task = Task.__table__
    rows = conn.execute(
        select(*(task.c[c] for c in GROUP_ID_COLUMNS)).where(task.c.code.in_(codes)).distinct()
    ).all()
    if not rows:
        return None
    return {column: {row[at] for row in rows} for at, column in enumerate(GROUP_ID_COLUMNS)}


def _in_groups(table, groups: Groups) -> list:
    """SQL conditions: `table`'s group columns within `groups`."""
    conditions = []
    for column, ids in groups.items():
        named = sorted(i for i in ids if i is not None)
        either = [table.c[column].in_(named)] if named else []
        if None in ids:
            either.append(table.c[column].is_(None))
        conditions.append(or_(*either))
    return conditions


def _insert(conn: Connection, groups: Groups, ends: list) -> None:
    """Insert the rows of `groups` on the `task_latest` ends matching `ends` (conditions)."""
    conn.execute(
        insert(TaskStatusSummary.__table__).from_select(
            list(SUMMARY_COLUMNS), _summary_rows(conn.dialect.name, groups, ends)
        )
    )


def _summary_rows(dialect: str, groups: Groups, ends: list):
    """SELECT the summary's rows (SUMMARY_COLUMNS): each current task of `groups` judged
    on every end of its `task_latest` rows matching `ends`, counted per end and group."""
    task, latest = Task.__table__, TaskLatest.__table__
    judged = Judged(dialect, latest.c.period_end, latest, evidence_required=False)
    completed = judged.status == "completed"
    in_time = or_(
        task.c.ongoing, task.c.deadline.is_(None), latest.c.completed_end <= task.c.deadline
    )
    evidenced = has_evidence(latest.c.period_end, (latest,))
    rows = (
        select(
            latest.c.period_end,
            *(task.c[c] for c in GROUP_ID_COLUMNS),
            task.c.code,
            judged.status.label("status"),
            case((completed, case((evidenced, 1), else_=0)), else_=0).label("evidenced"),
            case((and_(completed, in_time), 1), else_=0).label("on_time"),
            latest.c.progress,
            judged.expected.label("expected"),
        )
        .select_from(task)
        .join(latest, latest.c.task_code == task.c.code)
        .where(task.c.is_current, *_in_groups(task, groups), *ends)
        .subquery("judged")
    )

    def count(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    status, with_evidence = rows.c.status, rows.c.evidenced == 1
    on_time = rows.c.on_time == 1
    query = select(
        rows.c.period_end,
        *(rows.c[c] for c in GROUP_ID_COLUMNS),
        *(count(status == name) for name in COUNTED),
        count(and_(status == "completed", with_evidence)),
        count(and_(status == "completed", not_(with_evidence))),
        count(and_(on_time, with_evidence)),
        count(and_(on_time, not_(with_evidence))),
        count(status == "overdue", rows.c.progress),
        count(status == "behind", rows.c.expected - rows.c.progress),
        func.min(rows.c.code),
    ).group_by(rows.c.period_end, *(rows.c[c] for c in GROUP_ID_COLUMNS))
    # In end order: the rows of a day lie together on disk (see `summaries_tasks`).
    return query.order_by(rows.c.period_end)


# --- the recomputation the property test compares with --------------------------------


def expected_rows(conn: Connection) -> Counter:
    """The summary's rows recomputed from the raw rows with the plain rule
    (`task_rules.status_of`): for every end a current report has and every current task,
    its latest current report up to that end (by end, then id), judged on that end; the
    sums rounded to 6 decimals (SQL adds them in another order)."""
    s, task, evidence = TaskSnapshot.__table__, Task.__table__, Evidence.__table__
    reports = conn.execute(
        select(s.c.task_code, s.c.period_end, s.c.id, s.c.progress, s.c.stated_status).where(
            s.c.is_current
        )
    ).all()
    ends = sorted({as_date(r.period_end) for r in reports})
    by_task: dict[str, list] = {}
    for code, end, report_id, progress, stated in reports:
        by_task.setdefault(code, []).append((as_date(end), report_id, progress, stated or ""))
    # The first end with evidence, by the task code and the owner it was attached under.
    evidence_from: dict[tuple, date] = {}
    owned = (evidence.c.task_code, evidence.c.district_id, evidence.c.lead_unit_id)
    for *owner, end in conn.execute(select(*owned, evidence.c.period_end)):
        owner, end = tuple(owner), as_date(end)
        evidence_from[owner] = min(end, evidence_from.get(owner, end))
    tasks = conn.execute(select(task).where(task.c.is_current)).mappings().all()
    groups: dict[tuple, dict] = {}
    for row in tasks:
        own = sorted(by_task.get(row["code"], []))
        for end in ends:
            upto = [r for r in own if r[0] <= end]
            if not upto:
                continue
            latest = upto[-1]
            done = [r for r in upto if r[2] >= 100 or r[3] == "completed"]
            owner = (row["code"], row["district_id"], row["lead_unit_id"])
            evidenced = owner in evidence_from and evidence_from[owner] <= end
            facts = TaskFacts(
                latest[2],
                latest[3],
                _day(row["start_date"]),
                _day(row["deadline"]),
                bool(row["ongoing"]),
                evidenced,
            )
            status = status_of(facts, end)
            key = (end, *(row[c] for c in GROUP_ID_COLUMNS))
            sums = groups.setdefault(key, Counter(first_code=row["code"]))
            sums["first_code"] = min(sums["first_code"], row["code"])
            if status == "completed":
                deadline = facts.deadline
                on_time = facts.ongoing or deadline is None or done[0][0] <= deadline
                which = "with" if evidenced else "without"
                sums[f"completed_{which}_evidence"] += 1
                sums[f"on_time_{which}_evidence"] += int(on_time)
            else:
                sums[status] += 1
            if status == "overdue":
                sums["overdue_progress"] += latest[2]
            if status == "behind":
                span = (facts.deadline - facts.start_date).days
                elapsed = min(max((end - facts.start_date).days / span, 0.0), 1.0)
                sums["behind_gap"] += elapsed * 100 - latest[2]
    return Counter(
        (*key, *(sums[c] for c in (*COUNTED, *SPLIT)), *_rounded(sums), sums["first_code"])
        for key, sums in groups.items()
    )


def stored_rows(conn: Connection) -> Counter:
    """The summary's rows as stored, in the shape of `expected_rows`."""
    summary = TaskStatusSummary.__table__
    found: Counter = Counter()
    for row in conn.execute(select(*(summary.c[c] for c in SUMMARY_COLUMNS))).mappings():
        found[
            (
                as_date(row["period_end"]),
                *(row[c] for c in GROUP_ID_COLUMNS),
                *(int(row[c]) for c in (*COUNTED, *SPLIT)),
                *_rounded(row),
                row["first_code"],
            )
        ] += 1
    return found


def _rounded(values) -> tuple:
    return tuple(round(float(values[c]), 6) + 0.0 for c in SUMS)


def _day(value) -> date | None:
    return None if value is None else as_date(value)
