"""The audit log: who did what and when (logins, uploads, commits, rollbacks, user changes...).

Events are written in the caller's transaction, so an event is recorded exactly when
the change it describes is. Details are small JSON objects; a password or password
hash is never accepted as a detail.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Connection, insert, select

from data_model.formatting import time_text
from data_model.i18n import t
from data_model.store.models import AuditEvent

# Who acts when no person does (the command line without --user, the sample data): the
# colon is not allowed in a user name, so the audit log cannot mistake it for a person.
SYSTEM_ACTOR = "system:cli"

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "upload",
    "commit",
    "rollback",
    "user_change",
    "export",
    "master_change",
    "evidence_attach",
    "evidence_download",
    "escalation_change",
    "notice",
    "delivery",
    "period_close",
    "period_reopen",
    "bulletin_publish",
    "review",
    "review_rule",
)
DEFAULT_LIMIT = 10_000
EVENT_COLUMNS = ["id", "at", "username", "action", "detail"]
_SECRET_KEYS = frozenset({"password", "password_hash", "new_password", "secret"})
USERNAME_LENGTH = 64


def record(
    conn: Connection, username: str, action: str, *, at: datetime | None = None, **detail: object
) -> int:
    """Write one event and return its id. `action` is one of ACTIONS; `detail` must hold no secret."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {ACTIONS}")
    secret = _SECRET_KEYS & {key.lower() for key in detail}
    if secret:
        raise ValueError(f"audit details must not hold secrets: {sorted(secret)}")
    at = at or datetime.now(UTC)
    if at.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    result = conn.execute(
        insert(AuditEvent).values(
            at=at,
            # Attempted user names of failed logins are free text: keep the column's size.
            username=(username or "-")[:USERNAME_LENGTH],
            action=action,
            detail={key: _jsonable(value) for key, value in detail.items()},
        )
    )
    return result.inserted_primary_key[0]


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def events(
    conn: Connection,
    since: datetime | date | None = None,
    username: str | None = None,
    action: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """Events newest first: columns id, at, username, action, detail (a dict).

    `since` keeps events at or after it (a date means its midnight UTC); `username`
    and `action` keep exact matches; `limit` None returns every event.
    """
    query = select(
        AuditEvent.id, AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail
    )
    if since is not None:
        if not isinstance(since, datetime):
            since = datetime(since.year, since.month, since.day, tzinfo=UTC)
        query = query.where(AuditEvent.at >= since)
    if username is not None:
        query = query.where(AuditEvent.username == username)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=EVENT_COLUMNS)


def action_label(action: str, language: str | None = None) -> str:
    """The catalogue name of an action; an action unknown to the catalogue shows as is."""
    return t(f"audit.action_{action}", language) if action in ACTIONS else action


def export_frame(frame: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """`events()` for people: labelled columns, local times with offset, details as JSON text."""
    return pd.DataFrame(
        {
            t("audit.column_at", language): [time_text(at, offset=True) for at in frame["at"]],
            t("audit.column_username", language): [
                actor_name(u, language) for u in frame["username"]
            ],
            t("audit.column_action", language): [
                action_label(a, language) for a in frame["action"]
            ],
            t("audit.column_detail", language): [
                json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["detail"]
            ],
        }
    )


def actor_name(username: str, language: str | None = None) -> str:
    """Who did something, as people read it: a user's name, or `系统（命令行）` for
    SYSTEM_ACTOR."""
    return t("audit.actor_system", language) if username == SYSTEM_ACTOR else username
