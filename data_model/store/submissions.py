"""Read side of submissions: the list, one submission's rows, its stored file."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from data_model.formatting import join_names, local_time
from data_model.i18n import language_in_use, t
from data_model.periods import period_label
from data_model.store.audit import actor_name
from data_model.store.kind_registry import versioned_tables
from data_model.store.models import (
    Action,
    Brand,
    District,
    Submission,
    SubmissionFile,
    Unit,
)
from data_model.store.review_hold import NOT_DECIDED_STATUSES

# What a submission covers and what became of its rows: the columns the submissions list,
# its export and the review queue share.
SCOPE_COLUMNS = ["kinds", "periods", "districts"]
ROW_COLUMNS = ["rows_read", "rows_accepted", "rows_new", "rows_replaced", "rows_unchanged"]
LIST_COLUMNS = [
    *["id", "uploaded_at", "uploader", "file_name"],
    *SCOPE_COLUMNS,
    *ROW_COLUMNS,
    *["status", "valid_rows_only", "note", "sha256"],
]
# The list's columns: a held submission's valid rows are `rows_held`, not `rows_accepted`.
FRAME_COLUMNS = [
    *LIST_COLUMNS[: LIST_COLUMNS.index("rows_accepted") + 1],
    "rows_held",
    *LIST_COLUMNS[LIST_COLUMNS.index("rows_accepted") + 1 :],
]
ROW_LIMIT = 2000
# Columns stored as codes, and the catalogue key of each code's word (`{}` is the code).
CODE_WORDS = {
    "direction": "indicators.direction_{}",
    "frequency": "indicators.frequency_{}",
    "aggregation": "indicators.aggregation_{}",
    "stated_status": "status.{}",
    "status": "submissions.issue_status_{}",
}
# Columns holding the id of a master-data entry, shown by its name.
NAMED_IDS = {"district_id": District, "action_id": Action, "lead_unit_id": Unit, "brand_id": Brand}


def submissions_frame(conn: Connection, uploader: str | None = None) -> pd.DataFrame:
    """Every submission, newest first (only one uploader's when `uploader` is given)
    (FRAME_COLUMNS). The valid rows of a submission waiting for review or returned are
    `rows_held`, and none is imported (`rows_accepted` 0): they never became current, and
    the list read "导入行数 4" for a returned batch."""
    query = select(*(getattr(Submission, c) for c in LIST_COLUMNS)).order_by(Submission.id.desc())
    if uploader is not None:
        query = query.where(Submission.uploader == uploader)
    frame = pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=LIST_COLUMNS)
    held = frame["status"].isin(NOT_DECIDED_STATUSES)
    frame["rows_held"] = frame["rows_accepted"].where(held, 0)
    frame["rows_accepted"] = frame["rows_accepted"].where(~held, 0)
    return frame[FRAME_COLUMNS]


def submissions_for_people(frame: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """A `submissions_frame` as people read it, in the page's list, its download and the
    command line's `export submissions`: headed in `language`, without the note; times
    local; the uploader by name; the status, districts, periods and kinds in words."""
    language = language or language_in_use()
    statuses = {s: t(f"submissions.status_{s}", language) for s in frame["status"].unique()}
    shown = frame.drop(columns=["note"]).assign(
        uploaded_at=frame["uploaded_at"].map(local_time),  # stored in UTC
        uploader=frame["uploader"].map(lambda u: actor_name(u, language)),
        status=frame["status"].map(statuses),
        districts=frame["districts"].map(lambda d: join_names(d.split(","), language)),
        periods=frame["periods"].map(
            lambda p: join_names((period_label(x, language) for x in p.split(",") if x), language)
        ),
        kinds=frame["kinds"].map(
            lambda k: join_names((t(f"kinds.{x}", language) for x in k.split(",") if x), language)
        ),
    )
    return shown.rename(columns=lambda c: t(f"submissions.col_{c}", language))


def submission_rows(
    conn: Connection, submission_id: int, language: str | None = None
) -> dict[str, pd.DataFrame]:
    """The rows a submission supplied, per table, current or not (at most ROW_LIMIT each).

    Ids of districts, actions, units and brands are shown as names, and codes (a status,
    an indicator's direction) as the words of `language`; `is_current` tells whether the
    row is still the live value (False once superseded by a later submission or rolled back).
    """
    names = {
        column: dict(conn.execute(select(model.id, model.name)).all())
        for column, model in NAMED_IDS.items()
    }
    result = {}
    for model in versioned_tables():
        table = model.__table__
        hidden = {"submission_id", "replaced_id", "superseded_by_id"}
        columns = [c for c in table.columns if c.name not in hidden]
        rows = conn.execute(
            select(*columns)
            .where(table.c.submission_id == submission_id)
            .order_by(table.c.id)
            .limit(ROW_LIMIT)
        ).all()
        if not rows:
            continue
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in columns])
        for column, by_id in names.items():
            if column in frame:
                frame[column] = frame[column].map(lambda i, n=by_id: n.get(i, i))
        for column, key in CODE_WORDS.items():
            if column in frame:
                frame[column] = frame[column].map(
                    lambda code, k=key: t(k.format(code), language) if code else code
                )
        result[table.name] = frame
    return result


def stored_file(conn: Connection, submission_id: int) -> tuple[str, bytes] | None:
    """(file name, exact bytes) of an upload, when the file was stored."""
    row = conn.execute(
        select(Submission.file_name, SubmissionFile.content)
        .join(SubmissionFile, SubmissionFile.submission_id == Submission.id)
        .where(Submission.id == submission_id)
    ).first()
    return None if row is None else (row[0], bytes(row[1]))


PROVENANCE_COLUMNS = [
    "district",
    "period",
    "value",
    "submission_id",
    "uploader",
    "uploaded_at",
    "file_name",
]


def value_provenance(
    conn: Connection, indicator_code: str, periods: tuple[str, ...], districts: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The stored values behind a figure, each with the submission that supplied it."""
    from data_model.store.models import IndicatorValue  # local: keeps the list above readable

    query = (
        select(
            District.name,
            IndicatorValue.period,
            IndicatorValue.value,
            Submission.id,
            Submission.uploader,
            Submission.uploaded_at,
            Submission.file_name,
        )
        .join(District, District.id == IndicatorValue.district_id)
        .join(Submission, Submission.id == IndicatorValue.submission_id)
        .where(
            IndicatorValue.is_current,
            IndicatorValue.indicator_code == indicator_code,
            IndicatorValue.period.in_(periods),
        )
        .order_by(District.sort_order, IndicatorValue.period)
    )
    if districts:
        query = query.where(District.name.in_(districts))
    return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=PROVENANCE_COLUMNS)
