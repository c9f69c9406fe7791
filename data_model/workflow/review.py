"""Review before it counts (上报 → 审核 → 退回/通过): rules, the reviewer's queue, one
submission's rows and what they would change, approval and return.

A staff commit that a review rule covers is stored as a submission in state pending
(待审核) with its records held (see `review_hold`), current nowhere. A reviewer (审核员,
or an admin) within whose districts/units every row falls approves it, which writes the
records as an import would, superseding what is current at that moment, all in one
transaction, after the checks a commit runs then (scope: a key that has meanwhile become
another district's or unit's is refused, `refuse_out_of_scope`; closed periods); or
returns it (退回) with a reason for the whole and optionally per row or cell, which keeps
nothing current. The staff member sees the reasons and resubmits; the
new submission links to the returned one.

Every function takes the acting `Principal`, checks its rights here (not only in the
page), takes the write locks of the kinds involved and of `review` (the pages' cache
key) and records an audit event in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from data_model.accounts.permissions import Principal, may_review, require, require_review_of
from data_model.errors import InputError
from data_model.evaluation import score_summary  # noqa: F401  (installs the store's scorer)
from data_model.formatting import join_names
from data_model.i18n import t
from data_model.ingest.importer import SCOPE_OUTSIDE, SubmitterScope, scope_refusals
from data_model.reference.master import load_master
from data_model.store import audit
from data_model.store.closed_periods import refuse_approval_if_closed
from data_model.store.kind_registry import CLI_NAMES, REGISTRY, kind_order
from data_model.store.models import PendingRow, ReviewNote, ReviewRule, Submission
from data_model.store.review_hold import (
    NOT_DECIDED_STATUSES,
    PENDING,
    RETURNED,
    REVIEW_LOCK,
    held_records,
    release_records,
)
from data_model.store.storage import (
    WriterBusy,
    refresh_statuses,
    superseded_submissions,
    take_write_locks,
    update_submission,
    write_kind,
)
from data_model.store.submissions import SCOPE_COLUMNS
from data_model.store.write_counts import WriteCounts

REASON_LIMIT = 2000
QUEUE_COLUMNS = [
    *["id", "uploaded_at", "uploader", "file_name"],
    *SCOPE_COLUMNS,
    *["rows_accepted", "resubmission_of"],
]

# Checks run inside the approval's transaction, after the locks and before any row is
# written: each is called as check(conn, submission_id, records_by_kind) and refuses by
# raising InputError. A closed period refuses an approval that would change it.
BEFORE_APPROVAL: tuple[Callable[[Connection, int, dict[str, list[dict]]], None], ...] = (
    refuse_approval_if_closed,
)


# --- rules: which staff submissions wait for review ---------------------------------


def kind_of(name: str) -> str:
    """The kind a command-line name (`indicator-values`, as in `export`) or kind names."""
    kind = CLI_NAMES.get(name) or (name if name in CLI_NAMES.values() else None)
    if kind is None:
        raise InputError("review.unknown_kind", value=name, kinds=", ".join(CLI_NAMES))
    return kind


def set_review_rule(
    conn: Connection,
    principal: Principal,
    kind: str,
    required: bool,
    district: str | None = None,
    unit: str | None = None,
) -> bool:
    """Require review of `kind` (everywhere, or only for one district or lead unit), or
    turn it off (`required=False`; without a district or unit every rule of the kind goes).

    Returns whether anything changed. Admins only; audited.
    """
    require(principal, "manage_review_rules")
    kind = kind_of(kind)
    if district and unit:
        raise InputError("review.district_or_unit")
    master = load_master(conn)
    district_id = master.district_ids[master.districts.match(district)] if district else None
    unit_id = master.unit_ids[master.units.match(unit)] if unit else None
    take_write_locks(conn, [REVIEW_LOCK], holder=principal.username)
    same = select(ReviewRule.id).where(
        ReviewRule.kind == kind,
        ReviewRule.district_id.is_(None)
        if district_id is None
        else ReviewRule.district_id == district_id,
        ReviewRule.unit_id.is_(None) if unit_id is None else ReviewRule.unit_id == unit_id,
    )
    if required:
        if conn.execute(same).first() is not None:
            return False
        conn.execute(
            insert(ReviewRule).values(
                kind=kind,
                district_id=district_id,
                unit_id=unit_id,
                set_by=principal.username,
                set_at=datetime.now(UTC),
            )
        )
    else:
        scope = (
            same if district_id or unit_id else select(ReviewRule.id).where(ReviewRule.kind == kind)
        )
        ids = list(conn.execute(scope).scalars())
        if not ids:
            return False
        conn.execute(delete(ReviewRule).where(ReviewRule.id.in_(ids)))
    audit.record(
        conn,
        principal.username,
        "review_rule",
        kind=kind,
        required=required,
        district=master.district_names.get(district_id) if district_id else None,
        unit=master.units.match(unit) if unit else None,
    )
    return True


def review_rules(conn: Connection) -> pd.DataFrame:
    """Every rule: kind, district, unit (names, "" for all), set_by, set_at."""
    master = load_master(conn)
    unit_names = master.unit_names
    rows = conn.execute(
        select(
            ReviewRule.kind,
            ReviewRule.district_id,
            ReviewRule.unit_id,
            ReviewRule.set_by,
            ReviewRule.set_at,
        ).order_by(ReviewRule.kind, ReviewRule.id)
    ).all()
    return pd.DataFrame(
        [
            (
                kind,
                master.district_names.get(d, "") if d else "",
                unit_names.get(u, "") if u else "",
                by,
                at,
            )
            for kind, d, u, by, at in rows
        ],
        columns=["kind", "district", "unit", "set_by", "set_at"],
    )


# --- the queue and one submission -------------------------------------------------


@dataclass(frozen=True)
class HeldSubmission:
    """A submission held by review, as a reviewer or its submitter sees it."""

    id: int
    status: str
    uploader: str
    uploaded_at: datetime
    file_name: str
    kinds: tuple[str, ...]
    valid_rows_only: bool
    resubmission_of: int | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    rows: list[dict]  # review_hold.held_records
    submitter_scope: dict | None = None  # `Submission.submitter_scope`

    def scope_rows(self, conn: Connection) -> list[tuple[str | None, str | None]]:
        """(district name, lead unit name) of each row, for the reviewer's scope."""
        master = load_master(conn)
        unit_names = master.unit_names
        return [
            (
                master.district_names.get(r["record"].get("district_id")),
                unit_names.get(r["record"].get("lead_unit_id")),
            )
            for r in self.rows
        ]

    def rows_by_kind(self) -> dict[str, list[dict]]:
        """The held rows by kind, in the order kinds are written (`kind_order`)."""
        by_kind: dict[str, list[dict]] = {}
        for row in self.rows:
            by_kind.setdefault(row["kind"], []).append(row)
        return {kind: by_kind[kind] for kind in kind_order() if kind in by_kind}

    def records_by_kind(self) -> dict[str, list[dict]]:
        return {kind: [r["record"] for r in rows] for kind, rows in self.rows_by_kind().items()}


def held_submission(conn: Connection, submission_id: int) -> HeldSubmission:
    """The submission with its held rows; InputError when there is no such submission."""
    row = conn.execute(select(Submission).where(Submission.id == submission_id)).mappings().first()
    if row is None:
        raise InputError("permissions.no_such_submission", id=submission_id)
    return HeldSubmission(
        id=row["id"],
        status=row["status"],
        uploader=row["uploader"],
        uploaded_at=row["uploaded_at"],
        file_name=row["file_name"],
        kinds=tuple(k for k in row["kinds"].split(",") if k),
        valid_rows_only=row["valid_rows_only"],
        resubmission_of=row["resubmission_of"],
        reviewed_by=row["reviewed_by"],
        reviewed_at=row["reviewed_at"],
        rows=held_records(conn, submission_id),
        submitter_scope=row["submitter_scope"],
    )


def review_queue(conn: Connection, principal: Principal) -> pd.DataFrame:
    """The pending submissions `principal` may review, oldest first (QUEUE_COLUMNS)."""
    require(principal, "review")
    rows = conn.execute(
        select(*(getattr(Submission, c) for c in QUEUE_COLUMNS))
        .where(Submission.status == PENDING)
        .order_by(Submission.id)
    ).all()
    mine = [
        tuple(row)
        for row in rows
        if principal.role == "admin"
        or may_review(principal, held_submission(conn, row.id).scope_rows(conn))
    ]
    return pd.DataFrame(mine, columns=QUEUE_COLUMNS)


def may_see_held_rows(
    principal: Principal, held: HeldSubmission, conn: Connection | None = None
) -> bool:
    """Held rows are the submitter's and their reviewers' alone: a leader never sees
    values that were not approved."""
    if principal.username == held.uploader:
        return True
    return principal.role == "admin" or (
        conn is not None and may_review(principal, held.scope_rows(conn))
    )


def may_download_upload(
    principal: Principal, held: HeldSubmission, conn: Connection | None = None
) -> bool:
    """The uploaded file of a submission waiting for review or returned holds the values
    nobody approved: only whoever may see its held rows may download it. Once decided,
    the file is as open as the submissions list."""
    return held.status not in NOT_DECIDED_STATUSES or may_see_held_rows(principal, held, conn)


def rows_frame(conn: Connection, held: HeldSubmission) -> pd.DataFrame:
    """Every held row as a clerk reads it: pending row id, kind, sheet, Excel row, then
    the record's fields with districts, units, actions and brands by name."""
    master = load_master(conn)
    names = {
        "district_id": master.district_names,
        "lead_unit_id": master.unit_names,
        "action_id": {i: n for n, i in master.action_ids.items()},
        "brand_id": {i: n for n, i in master.brand_ids.items()},
    }
    records = []
    for row in held.rows:
        fields = {
            name: names[name].get(value, value) if name in names and value is not None else value
            for name, value in row["record"].items()
        }
        records.append(
            {
                "pending_row_id": row["id"],
                "kind": row["kind"],
                "sheet": row["sheet"],
                "row": row["row"],
                **fields,
            }
        )
    return pd.DataFrame(records)


def record_fields(held: HeldSubmission) -> list[str]:
    """The fields a reviewer may name as the cell a row note is about, in record order."""
    seen: dict[str, None] = {}
    for row in held.rows:
        seen.update(dict.fromkeys(row["record"]))
    return list(seen)


def preview_changes(engine: Engine, principal: Principal, submission_id: int) -> WriteCounts:
    """What approving would do now: new, replaced (old → new) and unchanged rows.

    The approval's writes are made and rolled back, so the answer is exactly what
    `approve` would store at this moment (as the upload page's dry run is). They are made
    under the approval's locks: a preview waits for an import of the same kinds under way
    and counts against the rows it stored.
    """
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _lock(conn, principal, submission_id)
            held = _pending(conn, principal, submission_id)
            return _write_held(conn, held)
        finally:
            transaction.rollback()


def _pending(conn: Connection, principal: Principal, submission_id: int) -> HeldSubmission:
    """The pending submission `principal` may review; InputError or PermissionDenied else."""
    require(principal, "review")
    held = held_submission(conn, submission_id)
    if held.status != PENDING:
        raise InputError(
            "review.not_pending", id=submission_id, status=t(f"submissions.status_{held.status}")
        )
    require_review_of(principal, held.scope_rows(conn))
    return held


class ApprovalRefused(InputError):
    """Approving would write a row its submitter may not commit now (`refuse_out_of_scope`):
    the reviewer can only return the submission."""


def refuse_out_of_scope(conn: Connection, held: HeldSubmission) -> None:
    """ApprovalRefused, naming the first such row, when a held row is one the submitter's
    commit would refuse now (`importer.scope_refusals`, against the scope they committed
    with): above all a key that has since become a current row of another district or
    unit, which approving would take over, superseding that submission."""
    if held.submitter_scope is None:
        return
    scope = SubmitterScope.from_record(held.submitter_scope)
    for kind, rows in held.rows_by_kind().items():
        refused = scope_refusals(conn, kind, [row["record"] for row in rows], scope)
        if not refused:
            continue
        place = min(refused)
        row = rows[place]
        where = {"id": held.id, "sheet": row["sheet"], "row": row["row"]}
        if refused[place] == SCOPE_OUTSIDE:
            raise ApprovalRefused(
                "review.approval_out_of_scope",
                **where,
                uploader=held.uploader,
                scope=join_names(sorted(scope.districts | scope.units)) or "-",
            )
        owner_field = REGISTRY[kind].stored_owner
        raise ApprovalRefused("review.approval_key_taken", **where, code=row["record"][owner_field])


def _write_held(conn: Connection, held: HeldSubmission) -> WriteCounts:
    """The approval's writes (`approve`; `preview_changes` rolls them back), after the
    scope check a commit runs."""
    refuse_out_of_scope(conn, held)
    totals = WriteCounts()
    for kind, records in held.records_by_kind().items():
        totals.add(write_kind(conn, kind, records, held.id))
    return totals


def _lock(conn: Connection, principal: Principal, submission_id: int) -> None:
    """Take the locks of the submission's kinds and of review before its state is read:
    of two reviewers acting at once, the second waits and then finds it decided."""
    kinds = conn.execute(
        select(Submission.kinds).where(Submission.id == submission_id)
    ).scalar_one_or_none()
    if kinds is None:
        raise InputError("permissions.no_such_submission", id=submission_id)
    try:
        take_write_locks(
            conn, [*(k for k in kinds.split(",") if k), REVIEW_LOCK], holder=principal.username
        )
    except WriterBusy as error:
        raise InputError("permissions.writer_busy", id=submission_id) from error


def approve(engine: Engine, principal: Principal, submission_id: int) -> WriteCounts:
    """Make a pending submission's rows current in one transaction, superseding the
    current rows of the same keys as an import does; audited. Returns the counts."""
    with engine.begin() as conn:
        _lock(conn, principal, submission_id)
        held = _pending(conn, principal, submission_id)
        records = held.records_by_kind()
        for check in BEFORE_APPROVAL:
            check(conn, submission_id, records)
        totals = _write_held(conn, held)
        update_submission(
            conn,
            submission_id,
            status="partial" if held.valid_rows_only else "accepted",
            rows_new=totals.new,
            rows_replaced=totals.replaced,
            rows_unchanged=totals.unchanged,
            reviewed_by=principal.username,
            reviewed_at=datetime.now(UTC),
        )
        release_records(conn, submission_id)
        refresh_statuses(conn, superseded_submissions(conn, submission_id) | {submission_id})
        audit.record(
            conn,
            principal.username,
            "review",
            decision="approve",
            submission_id=submission_id,
            uploader=held.uploader,
            new=totals.new,
            replaced=totals.replaced,
            unchanged=totals.unchanged,
        )
    return totals


@dataclass(frozen=True)
class RowNote:
    """A reason about one held row (`pending_row_id`), or one cell of it (`column`, a
    record field such as `value`)."""

    pending_row_id: int
    reason: str
    column: str = ""


def return_submission(
    engine: Engine,
    principal: Principal,
    submission_id: int,
    reason: str,
    row_notes: Iterable[RowNote] = (),
) -> None:
    """Return (退回) a pending submission with a reason for the whole, and optionally
    reasons per row or cell; nothing of it becomes current. Audited."""
    reason = _reason(reason)
    row_notes = [RowNote(n.pending_row_id, _reason(n.reason), n.column) for n in row_notes]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        _lock(conn, principal, submission_id)
        held = _pending(conn, principal, submission_id)
        ids = {row["id"] for row in held.rows}
        fields = set(record_fields(held))
        for note in row_notes:
            if note.pending_row_id not in ids:
                raise InputError("review.no_such_row", id=submission_id, row=note.pending_row_id)
            if note.column and note.column not in fields:
                raise InputError("review.no_such_column", column=note.column)
        notes = [{"pending_row_id": None, "column": "", "reason": reason}]
        notes += [
            {"pending_row_id": n.pending_row_id, "column": n.column, "reason": n.reason}
            for n in row_notes
        ]
        conn.execute(
            insert(ReviewNote),
            [
                {**n, "submission_id": submission_id, "by": principal.username, "at": now}
                for n in notes
            ],
        )
        update_submission(
            conn, submission_id, status=RETURNED, reviewed_by=principal.username, reviewed_at=now
        )
        audit.record(
            conn,
            principal.username,
            "review",
            decision="return",
            submission_id=submission_id,
            uploader=held.uploader,
            reason=reason,
            row_notes=len(row_notes),
        )


def _reason(raw: str) -> str:
    reason = (raw or "").strip()
    if not reason:
        raise InputError("review.reason_required")
    if len(reason) > REASON_LIMIT:
        raise InputError("review.reason_too_long", maximum=REASON_LIMIT)
    return reason


# --- what the submitter sees ---------------------------------------------------------

NOTE_COLUMNS = ["submission_id", "sheet", "row", "column", "reason", "by", "at"]


def review_notes(conn: Connection, submission_id: int) -> pd.DataFrame:
    """The reasons a submission was returned for: the whole first (no sheet, row or
    column), then per row and cell in the order of the file (NOTE_COLUMNS)."""
    return _notes(conn, [submission_id])


def _notes(conn: Connection, submission_ids: list[int]) -> pd.DataFrame:
    rows = conn.execute(
        select(
            ReviewNote.submission_id,
            PendingRow.sheet,
            PendingRow.row,
            ReviewNote.column,
            ReviewNote.reason,
            ReviewNote.by,
            ReviewNote.at,
        )
        .join(PendingRow, PendingRow.id == ReviewNote.pending_row_id, isouter=True)
        .where(ReviewNote.submission_id.in_(submission_ids))
        .order_by(
            ReviewNote.submission_id, PendingRow.id.is_not(None), PendingRow.id, ReviewNote.id
        )
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=NOTE_COLUMNS)


def returned_to(conn: Connection, username: str) -> pd.DataFrame:
    """The reasons of `username`'s returned submissions not resubmitted yet: what the
    submitter must still fix (shown at sign-in and in the submission history)."""
    resubmitted = select(Submission.resubmission_of).where(Submission.resubmission_of.is_not(None))
    ids = list(
        conn.execute(
            select(Submission.id).where(
                Submission.uploader == username,
                Submission.status == RETURNED,
                Submission.id.not_in(resubmitted),
            )
        ).scalars()
    )
    return _notes(conn, ids) if ids else pd.DataFrame(columns=NOTE_COLUMNS)
