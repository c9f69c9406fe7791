"""What the bulletin of a closed period published, and what changed after a reopen.

Every bulletin file generated for a closed period (`closed_periods.is_closed_for_bulletin`)
is recorded (`record_publication`): its figures as data (`figures_record`: one entry per
figure, language-neutral), the SHA-256 of the file, and its basis, the ids of the current
rows of the period's data it was computed from.

After a period is reopened and changed, `restatement_of` compares the figures of the last
bulletin published before that reopen with today's: each figure that changed (old value,
new value), and each stored value of the period that changed (old, new, the submission
that changed it — an upload, or the rollback of one — who and when). The bulletin of the
period then says it restates figures and lists them in an annex (`bulletin.py`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert, or_, select

from data_model.periods import period_end, period_start, sub_periods
from data_model.queries.frames import records
from data_model.store import audit
from data_model.store.closed_periods import (
    PERIODS_LOCK,
    is_closed_for_bulletin,
)
from data_model.store.closed_periods import last_reopen as find_last_reopen
from data_model.store.kind_registry import REGISTRY, kind_of_table
from data_model.store.models import BulletinPublication, District, Submission
from data_model.store.storage import take_write_locks

DECIMALS = 6  # figures are compared rounded, so a float's last bit is not a restatement
# Which kinds of data each section of the bulletin is computed from.
SECTION_KINDS = {
    "headline.completion_rate": ("tasks",),
    "headline.overdue": ("tasks",),
    "headline.activities": ("activities",),
    "headline.issues_resolved": ("issues",),
    "headline.coverage": ("indicator_values",),
    "tasks": ("tasks",),
    "actions": ("tasks",),
    "units": ("tasks",),
    "overdue": ("tasks",),
    "scores": ("indicator_values",),
    "highlights": ("indicator_values",),
    "targets": ("indicator_values",),
}
# Per table: the key of a row, and the columns that are its figures (a change of a note
# alone is no restatement).
VALUE_COLUMNS = {
    "indicator_value": (("indicator_code", "district_id", "period"), ("value",)),
    "task_snapshot": (("task_code", "report_period"), ("progress", "stated_status")),
    "activity": (
        ("activity_date", "district_id", "name"),
        ("activity_type", "enterprise_count", "participant_count"),
    ),
    "enterprise_issue": (("code",), ("status", "resolved_date", "district_id")),
}


# --- what a bulletin published ------------------------------------------------------------


def _number(value: object) -> float | str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if math.isnan(number) else round(number, DECIMALS)


def figures_record(bulletin) -> list[list]:
    """The figures of a `bulletin.Bulletin` as data: `[section, row, column, value]` per
    figure, sorted; values are numbers rounded to 6 decimals or None. Independent of the
    language and of the day it was issued, so two bulletins of the same data give equal
    records."""
    entries: list[list] = []

    def add(section: str, row: object, column: str, value: object) -> None:
        entries.append([section, str(row), column, _number(value)])

    for h in bulletin.headlines:
        add(f"headline.{h.key}", "", "value", h.value)
        add(f"headline.{h.key}", "", "previous", h.previous)
    tasks = bulletin.tasks
    for column in ("total", "completed", "overdue", "behind", "suspended"):
        add("tasks", "", column, getattr(tasks, column))
    frames = (
        ("actions", bulletin.by_action, "group", ("tasks", "completed", "completion_rate", "on_time_rate", "overdue", "behind")),
        ("units", bulletin.by_unit, "lead_unit", ("rank", "tasks", "completed", "completion_rate", "on_time_rate", "overdue", "score")),
        ("overdue", bulletin.overdue, "code", ("progress", "days_late")),
        ("scores", bulletin.scores, "district", ("composite", "rank", "rank_change", *bulletin.dimensions)),
        ("highlights", bulletin.yoy, "code", ("value", "last_year", "yoy")),
        ("targets", bulletin.targets, "district", ("met", "with_target", "rank")),
    )  # fmt: skip
    for section, frame, row_column, columns in frames:
        for record in records(frame):
            for column in columns:
                add(section, record[row_column], column, record.get(column))
    return sorted(entries, key=lambda e: (e[0], e[1], e[2]))


def basis(conn: Connection, period: str) -> dict[str, list[int]]:
    """The ids of the current rows of every closable kind inside `period`, per table."""
    return {
        table: sorted(conn.execute(_period_rows(table, period, select_ids=True)).scalars())
        for table in VALUE_COLUMNS
    }


def _period_rows(table_name: str, period: str, select_ids: bool = False):
    table = REGISTRY[kind_of_table(table_name)].table.__table__
    query = select(table.c.id) if select_ids else select(table)
    query = query.where(table.c.is_current)
    start, end = period_start(period), period_end(period)
    if table_name == "indicator_value":
        return query.where(table.c.period.in_(sub_periods(period)))
    if table_name == "task_snapshot":
        return query.where(table.c.report_period.in_(sub_periods(period)))
    if table_name == "activity":
        return query.where(table.c.activity_date.between(start, end))
    return query.where(
        or_(table.c.received_date.between(start, end), table.c.resolved_date.between(start, end))
    )


def record_publication(
    conn: Connection,
    bulletin,
    content: bytes,
    file_format: str,
    file_name: str,
    language: str | None,
    by: str,
) -> int | None:
    """Record a bulletin file generated for a closed period (audited, counts up the data
    version); None, and nothing written, when its period is not closed."""
    if not is_closed_for_bulletin(conn, bulletin.period):
        return None
    take_write_locks(conn, [PERIODS_LOCK], holder=by)
    digest = hashlib.sha256(content).hexdigest()
    restated = bulletin.restatement.entries() if bulletin.restatement else []
    publication_id = conn.execute(
        insert(BulletinPublication).values(
            period=bulletin.period,
            generated_at=datetime.now(UTC),
            generated_by=by[:64],
            file_name=file_name[:255],
            file_format=file_format,
            language=language or "",
            sha256=digest,
            figures=figures_record(bulletin),
            basis=basis(conn, bulletin.period),
            restated=restated,
        )
    ).inserted_primary_key[0]
    audit.record(
        conn,
        by,
        "bulletin_publish",
        period=bulletin.period,
        publication_id=publication_id,
        file=file_name,
        sha256=digest,
        restated=len(restated),
    )
    return publication_id


PUBLICATION_COLUMNS = [
    "id",
    "generated_at",
    "generated_by",
    "file_name",
    "file_format",
    "sha256",
    "restated",
]


def publications(conn: Connection, period: str) -> list[dict]:
    """The bulletins recorded for `period`, newest first (PUBLICATION_COLUMNS; `restated`:
    how many figures each said it restated)."""
    rows = conn.execute(
        select(BulletinPublication)
        .where(BulletinPublication.period == period)
        .order_by(BulletinPublication.generated_at.desc(), BulletinPublication.id.desc())
    ).all()
    return [
        {
            "id": p.id,
            "generated_at": p.generated_at,
            "generated_by": p.generated_by,
            "file_name": p.file_name,
            "file_format": p.file_format,
            "sha256": p.sha256,
            "restated": len(p.restated or []),
        }
        for p in rows
    ]


# --- what changed after a reopen ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Who changed a stored value: an upload (`submission_id` by `by` at `at`) or the
    rollback of submission `submission_id` (by `by` at `at`)."""

    submission_id: int
    how: str  # upload | rollback
    by: str
    at: datetime


@dataclass(frozen=True)
class ValueChange:
    """A stored value of the period that changed: `key` names it (district by name)."""

    kind: str
    key: dict
    old: dict | None  # the figure columns before (None: there was none)
    new: dict | None  # and now (None: withdrawn)
    change: Change


@dataclass(frozen=True)
class FigureChange:
    """A published figure of the bulletin that changed, and the changes behind it."""

    section: str
    row: str
    column: str
    old: float | str | None
    new: float | str | None
    changes: tuple[Change, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return self.section, self.row, self.column


@dataclass(frozen=True)
class Restatement:
    """The figures of the bulletin published `published_at` (publication `publication_id`)
    that the period's data no longer gives, after the reopen by `reopened_by`."""

    period: str
    publication_id: int
    published_at: datetime
    published_by: str
    reopened_at: datetime
    reopened_by: str
    reopen_reason: str
    figures: tuple[FigureChange, ...] = field(default=())
    values: tuple[ValueChange, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.figures or self.values)

    def entries(self) -> list[dict]:
        """The restated figures as JSON-ready dicts (what a restating bulletin records)."""
        return [
            {
                "section": f.section,
                "row": f.row,
                "column": f.column,
                "old": f.old,
                "new": f.new,
                "submissions": [c.submission_id for c in f.changes],
            }
            for f in self.figures
        ]

    def to_dict(self) -> dict:
        def change(c: Change) -> dict:
            return {"submission_id": c.submission_id, "how": c.how, "by": c.by, "at": c.at}

        return {
            "period": self.period,
            "publication_id": self.publication_id,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "reopened_at": self.reopened_at,
            "reopened_by": self.reopened_by,
            "reopen_reason": self.reopen_reason,
            "figures": [
                {
                    "section": f.section,
                    "row": f.row,
                    "column": f.column,
                    "old": f.old,
                    "new": f.new,
                    "changed_by": [change(c) for c in f.changes],
                }
                for f in self.figures
            ],
            "values": [
                {
                    "kind": v.kind,
                    "key": v.key,
                    "old": v.old,
                    "new": v.new,
                    "changed_by": change(v.change),
                }
                for v in self.values
            ],
        }


def baseline(conn: Connection, period: str):
    """(the last bulletin of `period` published before the latest reopen of a close
    overlapping it, that reopen), or None when there is no such pair."""
    reopen = find_last_reopen(conn, period)
    if reopen is None:
        return None
    publication = conn.execute(
        select(BulletinPublication)
        .where(
            BulletinPublication.period == period,
            BulletinPublication.generated_at < reopen.reopened_at,
        )
        .order_by(BulletinPublication.generated_at.desc(), BulletinPublication.id.desc())
        .limit(1)
    ).first()
    return None if publication is None else (publication, reopen)


def restatement_of(conn: Connection, period: str, bulletin) -> Restatement | None:
    """What changed in the bulletin of `period` since the last one published before its
    latest reopen, given the current figures (a `bulletin.Bulletin`); None without such a
    bulletin. `changed` is False when the data give the published figures again.

    The current figures are recorded (`figures_record`, one entry per figure: ten
    thousand at 10x the benchmark's data) only when there is a bulletin to compare with."""
    found = baseline(conn, period)
    if found is None:
        return None
    publication, reopen = found
    current = figures_record(bulletin)
    values = value_changes(conn, publication.basis or {}, period, publication.generated_at)
    by_kind: dict[str, list[Change]] = {}
    for v in values:
        by_kind.setdefault(v.kind, []).append(v.change)
    old = {(s, r, c): v for s, r, c, v in publication.figures}
    new = {(s, r, c): v for s, r, c, v in current}
    figures = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kinds = SECTION_KINDS.get(key[0], ())
        changes = {(c.submission_id, c.how): c for kind in kinds for c in by_kind.get(kind, [])}
        figures.append(
            FigureChange(*key, before, after, tuple(changes[k] for k in sorted(changes)))
        )
    return Restatement(
        period=period,
        publication_id=publication.id,
        published_at=publication.generated_at,
        published_by=publication.generated_by,
        reopened_at=reopen.reopened_at,
        reopened_by=reopen.reopened_by or "",
        reopen_reason=reopen.reopen_reason,
        figures=tuple(figures),
        values=tuple(values),
    )


def value_changes(
    conn: Connection, published: dict[str, list[int]], period: str, since: datetime
) -> list[ValueChange]:
    """The stored values of `period` whose figures differ from those of the rows
    `published` (ids per table), each with the upload or rollback that changed it."""
    districts = dict(conn.execute(select(District.id, District.name)).all())
    submissions = {}
    found: list[ValueChange] = []
    for table_name, (key_columns, figure_columns) in VALUE_COLUMNS.items():
        table = REGISTRY[kind_of_table(table_name)].table.__table__
        before_ids = set(published.get(table_name, []))
        now = {r["id"]: dict(r) for r in conn.execute(_period_rows(table_name, period)).mappings()}
        gone = sorted(before_ids - now.keys())
        came = [row for row_id, row in now.items() if row_id not in before_ids]
        old_rows = []
        for start in range(0, len(gone), 5000):
            query = select(table).where(table.c.id.in_(gone[start : start + 5000]))
            old_rows.extend(dict(r) for r in conn.execute(query).mappings())
        pairs: dict[tuple, list] = {}
        for row in old_rows:
            pairs.setdefault(tuple(row[k] for k in key_columns), [None, None])[0] = row
        for row in came:
            pairs.setdefault(tuple(row[k] for k in key_columns), [None, None])[1] = row
        for key in sorted(pairs, key=lambda k: tuple(str(v) for v in k)):
            old_row, new_row = pairs[key]
            old_values = _figures_of(old_row, figure_columns, districts)
            new_values = _figures_of(new_row, figure_columns, districts)
            if old_values == new_values:
                continue
            change = _change_of(conn, submissions, old_row, new_row, since)
            shown_key = {
                k: districts.get(v, v) if k == "district_id" else _plain(v)
                for k, v in zip(key_columns, key, strict=True)
            }
            shown_key = {("district" if k == "district_id" else k): v for k, v in shown_key.items()}
            found.append(
                ValueChange(kind_of_table(table_name), shown_key, old_values, new_values, change)
            )
    return found


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _figures_of(row: dict | None, columns: tuple[str, ...], districts: dict) -> dict | None:
    if row is None:
        return None
    return {
        ("district" if c == "district_id" else c): (
            districts.get(row[c], row[c]) if c == "district_id" else _plain(_number(row[c]))
        )
        for c in columns
    }


def _change_of(conn: Connection, cache: dict, old_row, new_row, since: datetime) -> Change:
    def submission(submission_id: int):
        if submission_id not in cache:
            cache[submission_id] = conn.execute(
                select(
                    Submission.id,
                    Submission.uploader,
                    Submission.uploaded_at,
                    Submission.status,
                    Submission.rolled_back_by,
                    Submission.rolled_back_at,
                ).where(Submission.id == submission_id)
            ).one()
        return cache[submission_id]

    if new_row is not None:
        s = submission(new_row["submission_id"])
        if _aware(s.uploaded_at) >= _aware(since) or old_row is None:
            return Change(s.id, "upload", s.uploader, s.uploaded_at)
    # The value was withdrawn, or an older row came back: the rollback of the one published,
    # else the upload that replaced it (by a row now outside the period).
    s = submission(old_row["submission_id"])
    if s.rolled_back_at is not None:
        return Change(s.id, "rollback", s.rolled_back_by or "", s.rolled_back_at)
    successor = old_row["superseded_by_id"] or (new_row or old_row)["submission_id"]
    s = submission(successor)
    return Change(s.id, "upload", s.uploader, s.uploaded_at)


def _aware(moment: datetime) -> datetime:
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
