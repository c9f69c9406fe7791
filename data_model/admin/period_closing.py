"""Closing and reopening periods (admins), and the list of closes: the services behind the
admin page's 期间关账 tab and the `period close|reopen|list` commands.

Each close and reopen takes the kind's write lock (so it waits for an import or rollback
of that kind under way, and the next one sees it) and the `periods` lock, counts up the
data version and is audited in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, insert, update

from data_model.accounts.permissions import Principal, require
from data_model.errors import InputError
from data_model.formatting import join_names
from data_model.i18n import t
from data_model.periods import months_of, parse_period, period_label, sort_key
from data_model.store import audit
from data_model.store.closed_periods import (
    PERIODS_LOCK,
    Closure,
    closed_months,
    closure_of,
    closures,
)
from data_model.store.kind_registry import closable_kinds
from data_model.store.models import ClosedPeriod
from data_model.store.storage import take_write_locks

LIST_COLUMNS = [
    "kind",
    "period",
    "state",
    "closed_at",
    "closed_by",
    "reopened_at",
    "reopened_by",
    "reopen_reason",
]


def closable_kind(raw: str) -> str:
    """A kind as the CLI or page names it (`indicator-values` or `indicator_values`)."""
    kind = raw.strip().replace("-", "_")
    if kind not in closable_kinds():
        raise InputError(
            "closed_periods.bad_kind",
            kind=raw,
            kinds=join_names(k.replace("_", "-") for k in closable_kinds()),
        )
    return kind


def close_period(conn: Connection, principal: Principal, kind: str, period: str) -> Closure:
    """Close `period` (any form `parse_period` reads) of `kind`. A period already closed,
    itself or as part of a longer one, is an InputError naming who closed it."""
    require(principal, "close_periods")
    kind = closable_kind(kind)
    period = parse_period(period)
    take_write_locks(conn, [kind, PERIODS_LOCK], holder=principal.username)
    held = closure_of(closed_months(conn, kind), period)
    if held is not None and set(months_of(period)) <= set(months_of(held.period)):
        raise InputError("closed_periods.already_closed", closed=held.describe())
    now = datetime.now(UTC)
    closure_id = conn.execute(
        insert(ClosedPeriod).values(
            kind=kind, period=period, closed_at=now, closed_by=principal.username, reopen_reason=""
        )
    ).inserted_primary_key[0]
    audit.record(conn, principal.username, "period_close", kind=kind, period=period)
    return Closure(closure_id, kind, period, now, principal.username)


def reopen_period(
    conn: Connection, principal: Principal, kind: str, period: str, reason: str
) -> Closure:
    """Reopen the close of exactly `period` of `kind`, with a reason (required). A period
    closed only as part of a longer one is an InputError naming the one to reopen."""
    require(principal, "close_periods")
    kind = closable_kind(kind)
    period = parse_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise InputError("closed_periods.reason_required")
    take_write_locks(conn, [kind, PERIODS_LOCK], holder=principal.username)
    held = next((c for c in closures(conn, kind, closed_only=True) if c.period == period), None)
    if held is None:
        wider = closure_of(closed_months(conn, kind), period)
        if wider is not None:
            raise InputError("closed_periods.closed_as_part", closed=wider.describe())
        raise InputError(
            "closed_periods.not_closed", period=period_label(period), kind=t(f"kinds.{kind}")
        )
    now = datetime.now(UTC)
    conn.execute(
        update(ClosedPeriod)
        .where(ClosedPeriod.id == held.id)
        .values(reopened_at=now, reopened_by=principal.username, reopen_reason=reason)
    )
    audit.record(
        conn,
        principal.username,
        "period_reopen",
        kind=kind,
        period=period,
        reason=reason,
        closed_by=held.closed_by,
        closed_at=held.closed_at,
    )
    return Closure(
        held.id, kind, period, held.closed_at, held.closed_by, now, principal.username, reason
    )


def closures_frame(conn: Connection, principal: Principal) -> pd.DataFrame:
    """Every close on record, those still closed first, then by kind and period (latest
    first): LIST_COLUMNS, `state` "closed" or "reopened"."""
    require(principal, "view_dashboards")
    rows = [
        (
            c.kind,
            c.period,
            "closed" if c.is_closed else "reopened",
            c.closed_at,
            c.closed_by,
            c.reopened_at,
            c.reopened_by or "",
            c.reopen_reason,
        )
        for c in closures(conn)
    ]
    frame = pd.DataFrame(rows, columns=LIST_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["period"].map(lambda p: sort_key(p)[0].toordinal())
    frame = frame.sort_values(
        ["state", "kind", "_order", "closed_at"],
        ascending=[True, True, False, False],
        kind="stable",
    )
    return frame.drop(columns="_order").reset_index(drop=True)
