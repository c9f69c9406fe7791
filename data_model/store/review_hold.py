"""What review holds back: the rules that decide whether a staff submission waits for a
reviewer, and its validated records kept, not current anywhere, until approval.

A rule names a kind, and optionally one district or one lead unit: a submission needs
review when it holds a record of a ruled kind that the rule covers (a rule without a
district or unit covers every record of its kind). With no rule, nothing waits and an
upload counts at commit, as it always did.

The records are kept as data (`pending_row`), one row per record, so a reviewer can
return one row or cell with a reason and approval can write them exactly as an import
would (`storage.write_kind`), superseding what is current then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, delete, insert, select, update

from data_model.store.models import PendingRow, ReviewRule, Submission
from data_model.store.storage import LOCKED_LAST

PENDING, RETURNED = "pending", "returned"
NOT_DECIDED_STATUSES = (PENDING, RETURNED)  # held rows, nothing stored for real
# The write lock counted by every change to rules and reviews, always taken last.
REVIEW_LOCK = LOCKED_LAST


def needs_review(conn: Connection, records_by_kind: dict[str, list[dict]]) -> bool:
    """Whether a rule covers any of these records (kind → validated records)."""
    kinds = [kind for kind, records in records_by_kind.items() if records]
    if not kinds:
        return False
    rules = conn.execute(
        select(ReviewRule.kind, ReviewRule.district_id, ReviewRule.unit_id).where(
            ReviewRule.kind.in_(kinds)
        )
    ).all()
    for kind, district_id, unit_id in rules:
        records = records_by_kind[kind]
        if district_id is None and unit_id is None:
            return True
        if district_id is not None and any(r.get("district_id") == district_id for r in records):
            return True
        if unit_id is not None and any(r.get("lead_unit_id") == unit_id for r in records):
            return True
    return False


def hold_records(conn: Connection, submission_id: int, rows: Iterable[tuple]) -> int:
    """Keep `(kind, sheet, excel row, record)` as the submission's pending rows; their count."""
    values = [
        {
            "submission_id": submission_id,
            "kind": kind,
            "sheet": sheet,
            "row": row,
            "record": encode_record(record),
        }
        for kind, sheet, row, record in rows
    ]
    if values:
        conn.execute(insert(PendingRow), values)
    return len(values)


def held_records(conn: Connection, submission_id: int) -> list[dict]:
    """The pending rows of a submission in upload order: id, kind, sheet, row, record."""
    rows = conn.execute(
        select(PendingRow.id, PendingRow.kind, PendingRow.sheet, PendingRow.row, PendingRow.record)
        .where(PendingRow.submission_id == submission_id)
        .order_by(PendingRow.id)
    ).all()
    return [
        {"id": i, "kind": kind, "sheet": sheet, "row": row, "record": decode_record(record)}
        for i, kind, sheet, row, record in rows
    ]


def release_records(conn: Connection, submission_id: int) -> None:
    """Drop the pending rows of an approved submission: its rows are stored for real now."""
    conn.execute(delete(PendingRow).where(PendingRow.submission_id == submission_id))


def returned_to_resubmit(conn: Connection, uploader: str, kinds: Iterable[str]) -> int | None:
    """The newest returned submission of `uploader` sharing a kind with a new one and not
    resubmitted yet: the one a new submission resubmits."""
    resubmitted = select(Submission.resubmission_of).where(Submission.resubmission_of.is_not(None))
    for submission_id, submitted_kinds in conn.execute(
        select(Submission.id, Submission.kinds)
        .where(
            Submission.uploader == uploader,
            Submission.status == RETURNED,
            Submission.id.not_in(resubmitted),
        )
        .order_by(Submission.id.desc())
    ):
        if set(submitted_kinds.split(",")) & set(kinds):
            return submission_id
    return None


# Records hold text, numbers, booleans, None and dates; JSON has no date, so a date is
# kept as {"date": "2023-03-15"} (a record never holds a dict of its own).
def encode_record(record: dict) -> dict:
    return {key: _encode(value) for key, value in record.items()}


def decode_record(stored: dict) -> dict:
    return {key: _decode(value) for key, value in stored.items()}


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        return dt.date.fromisoformat(value["date"])
    return value


# The record field of held rows that names an entry of each master list: by id, or (the
# activity types and issue categories) by name, as the stored rows do.
HELD_REFERENCES = {
    "districts": "district_id",
    "units": "lead_unit_id",
    "actions": "action_id",
    "brands": "brand_id",
    "activity_types": "activity_type",
    "issue_categories": "category",
}


def held_references(conn: Connection, list_key: str, value: object) -> int:
    """How many held rows name `value` (an entry's id, or name for text lists)."""
    field = HELD_REFERENCES.get(list_key)
    if field is None:
        return 0
    records = conn.execute(select(PendingRow.record)).scalars()
    return sum(1 for record in records if record.get(field) == value)


def move_held_references(conn: Connection, list_key: str, old: object, new: object) -> int:
    """Held rows naming `old` name `new` instead (a master-data merge or rename), so that
    approving them later stores what an upload today would; returns how many moved."""
    field = HELD_REFERENCES.get(list_key)
    if field is None:
        return 0
    moved = 0
    for row_id, record in conn.execute(select(PendingRow.id, PendingRow.record)).all():
        if record.get(field) == old:
            conn.execute(
                update(PendingRow)
                .where(PendingRow.id == row_id)
                .values(record={**record, field: new})
            )
            moved += 1
    return moved
