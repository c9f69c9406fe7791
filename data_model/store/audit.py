"""The audit log: who did what and when (logins, uploads, commits, rollbacks, user changes...).

Events are written in the caller's transaction, so an event is recorded exactly when
the change it describes is. Details are small JSON objects; a password or password
hash is never accepted as a detail.

The stored JSON is the record; people read it as `detail_text` writes it, in their
language: `试运行：是；错误：2 条` or `Dry run: yes; errors: 2`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Connection, insert, select

from data_model.formatting import NO_VALUE, join_names, labelled, time_text
from data_model.i18n import catalogue, language_in_use, t
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
    """`events()` for people: labelled columns, local times with offset, details as
    `detail_text` writes them."""
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
                detail_text(d, a, language)
                for d, a in zip(frame["detail"], frame["action"], strict=True)
            ],
        }
    )


def actor_name(username: str, language: str | None = None) -> str:
    """Who did something, as people read it: a user's name, or `系统（命令行）` for
    SYSTEM_ACTOR."""
    return t("audit.actor_system", language) if username == SYSTEM_ACTOR else username


# --- details as people read them ----------------------------------------------------------

# The keys the code records, in the order a detail is read; each has the label
# `audit.detail_<key>` (`audit.detail_<action>_<key>` where an action means it otherwise).
# Keys of older rows that are not here follow, as stored, in name order.
DETAIL_KEYS = (
    "decision",
    "change",
    "op",
    "list",
    "what",
    "file",
    "type",
    "dry_run",
    "discarded",
    "user",
    "role",
    "districts",
    "units",
    "name",
    "old",
    "new",
    "changes",
    "moved",
    "added",
    "updated",
    "unchanged",
    "replaced",
    "kind",
    "required",
    "district",
    "period",
    "reason",
    "closed_by",
    "closed_at",
    "number",
    "unit",
    "as_of",
    "items",
    "channel",
    "target",
    "status",
    "attempts",
    "error",
    "method",
    "count",
    "locked_until",
    "rehashed",
    "task",
    "evidence_id",
    "submission_id",
    "held",
    "publication_id",
    "uploader",
    "rows_accepted",
    "rows",
    "errors",
    "row_notes",
    "restated",
    "sha256",
)
_KEY_ORDER = {key: i for i, key in enumerate(DETAIL_KEYS)}
# Where a key's coded values (`reason` "locked") are named, in the order looked up, then
# `audit.value_<key>_<value>`; a value named nowhere (a file name, a reason typed by a
# person) is written as stored.
_VALUE_NAMES = {
    "role": ("users.role_{}",),
    "channel": ("delivery.channel_{}",),
    "list": ("master.list_{}",),
    "kind": ("kinds.{}", "master.kind_{}"),
}
_TIMES = frozenset({"closed_at", "locked_until"})


def detail_text(detail: object, action: str = "", language: str | None = None) -> str:
    """An event's detail as people read it: `label: value` clauses in the viewer's language
    (`试运行：是；错误：2 条`), booleans as yes or no, lists joined as the language joins
    them, names as written; a key the catalogue does not know reads `key: value`."""
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    names = catalogue(language or language_in_use())
    keys = sorted(detail, key=lambda k: (_KEY_ORDER.get(k, len(_KEY_ORDER)), k))
    clauses = [
        labelled(
            _label(action, key, names), _value(action, key, detail[key], names, language), language
        )
        for key in keys
        if detail[key] is not None
    ]
    return t("format.clause_separator", language).join(clauses)


def _label(action: str, key: str, names: dict[str, str]) -> str:
    return names.get(f"audit.detail_{action}_{key}") or names.get(f"audit.detail_{key}", key)


def _value(
    action: str, key: str, value: object, names: dict[str, str], language: str | None
) -> str:
    if isinstance(value, bool):
        return t("audit.yes" if value else "audit.no", language)
    if isinstance(value, int | float):
        count = names.get(f"audit.count_{key}")
        return count.format(value=value) if count else str(value)
    if isinstance(value, str):
        if not value:
            return NO_VALUE
        if key in _TIMES:
            try:
                return time_text(datetime.fromisoformat(value))
            except ValueError:
                return value
        for name in (*_VALUE_NAMES.get(key, ()), f"audit.value_{key}_{{}}"):
            if name.replace("{}", value) in names:
                return names[name.replace("{}", value)]
        return value
    if isinstance(value, list):
        if not value:
            return NO_VALUE
        return join_names((_value(action, key, v, names, language) for v in value), language)
    if isinstance(value, dict):
        return join_names(_inner(action, key, value, names, language), language) or NO_VALUE
    return str(value)


def _inner(
    action: str, key: str, value: dict, names: dict[str, str], language: str | None
) -> list[str]:
    """The items of a dict detail: a rollback's rows per table, escalation days per level,
    a master-data entry's fields or their changes (`field: old → new`)."""
    if key == "rows":
        name = "audit.table_{}"
    elif action == "escalation_change":
        name = "reminders.level_{}"
    else:
        name = "master.col_{}"
    items = []
    for inner, v in value.items():
        label = names.get(name.replace("{}", str(inner)), inner)
        if key == "changes" and isinstance(v, list) and len(v) == 2:
            old, new = (_value(action, inner, x, names, language) for x in v)
            text = t("audit.change", language, old=old, new=new)
        elif v is None:
            text = NO_VALUE
        else:  # a rollback's rows per table are counted as its rows are
            text = _value(action, "rows" if key == "rows" else inner, v, names, language)
        items.append(labelled(label, text, language))
    return items
