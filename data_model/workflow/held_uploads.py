"""Uploads held on the server until they can be committed (no Streamlit here).

A staff member's upload that names a unit, action, brand, activity type or issue category
the master data does not know cannot be committed until an admin maps or registers the
name (`unknown_names`). Waiting for that must not cost the upload: the upload page holds
it here — the file's bytes, the period and district chosen, the cells corrected so far and
the names it waits for — and lists it for its uploader, who re-checks it later (another
session, another day) without sending the file again, and for admins, who see which names
their staff are waiting for. Committing or discarding it removes it.

Only its uploader opens, re-checks or discards a held upload; admins see the list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from data_model.accounts.permissions import Principal, allowed, require
from data_model.admin import master_admin
from data_model.admin.unknown_names import UnknownName
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, sha256_of
from data_model.normalize.names import normalize_name
from data_model.store.audit import record
from data_model.store.models import HeldUpload
from data_model.text import stored_file_name
from data_model.workflow.upload import PendingUpload

MAX_HELD_PER_USER = 20
TABLE = HeldUpload.__table__


@dataclass(frozen=True)
class Held:
    """One held upload as the page lists it (without its bytes)."""

    id: int
    username: str
    file_name: str
    sha256: str
    period: str | None
    district: str | None
    valid_rows_only: bool
    edits: dict[tuple[str, int, int], object]
    waiting_for: list[UnknownName]  # the unknown names not resolved since it was held
    saved_at: datetime

    def options(self, base: ImportOptions) -> ImportOptions:
        """`base` (the page's limits and uploader) with the choices made when it was held."""
        return ImportOptions(
            uploader=base.uploader,
            period=self.period,
            district=self.district,
            valid_rows_only=self.valid_rows_only,
            limits=base.limits,
            fix_in_page=base.fix_in_page,
        )


# The fields of a Held that are its row's columns as they are stored.
AS_STORED = [f.name for f in fields(Held) if f.name not in ("edits", "waiting_for")]


def hold(
    engine: Engine,
    principal: Principal,
    pending: PendingUpload,
    options: ImportOptions,
    waiting_for: list[UnknownName],
) -> int:
    """Keep `pending` for `principal` (replacing an earlier hold of the same file); its id.

    Only uploaders hold uploads; at most MAX_HELD_PER_USER each (InputError beyond).
    """
    require(principal, "upload")
    values = {
        "file_name": stored_file_name(pending.name),
        "content": pending.data,
        "period": options.period,
        "district": options.district,
        "valid_rows_only": options.valid_rows_only,
        "edits": [[*key, value] for key, value in sorted(pending.edits.items())],
        "unknown": [asdict(name) for name in waiting_for],
        "saved_at": datetime.now(UTC),
    }
    sha = sha256_of(pending.data)
    with engine.begin() as conn:
        earlier = conn.execute(
            select(TABLE.c.id).where(TABLE.c.username == principal.username, TABLE.c.sha256 == sha)
        ).scalar()
        if earlier is not None:
            conn.execute(update(TABLE).where(TABLE.c.id == earlier).values(**values))
            return earlier
        count = len(
            conn.execute(select(TABLE.c.id).where(TABLE.c.username == principal.username)).all()
        )
        if count >= MAX_HELD_PER_USER:
            raise InputError("held.too_many", None, limit=MAX_HELD_PER_USER)
        held_id = conn.execute(
            insert(TABLE).values(username=principal.username, sha256=sha, **values)
        ).inserted_primary_key[0]
        record(conn, principal.username, "upload", held=held_id, file=pending.name, sha256=sha)
        return held_id


def held_uploads(conn: Connection, principal: Principal) -> list[Held]:
    """The principal's own held uploads, newest first."""
    rows = conn.execute(
        _listing().where(TABLE.c.username == principal.username).order_by(TABLE.c.saved_at.desc())
    ).mappings()
    return _with_waiting_for(conn, rows)


def waiting_for_names(conn: Connection, principal: Principal) -> list[Held]:
    """Every uploader's held uploads still waiting for an unknown name (admins only),
    oldest first: what staff are waiting for the admin to add."""
    require(principal, "manage_master_data")
    rows = conn.execute(_listing().order_by(TABLE.c.saved_at)).mappings()
    return [held for held in _with_waiting_for(conn, rows) if held.waiting_for]


def open_held(conn: Connection, principal: Principal, held_id: int) -> tuple[Held, bytes]:
    """One of the principal's held uploads with its file's bytes, to check again."""
    row = (
        conn.execute(
            _listing()
            .add_columns(TABLE.c.content)
            .where(TABLE.c.id == held_id, TABLE.c.username == principal.username)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise InputError("held.not_found", None, id=held_id)
    return _with_waiting_for(conn, [row])[0], bytes(row["content"])


def release(engine: Engine, principal: Principal, data: bytes) -> bool:
    """Forget the principal's held copy of this file (committed or discarded); whether
    there was one."""
    with engine.begin() as conn:
        gone = conn.execute(
            delete(TABLE).where(
                TABLE.c.username == principal.username, TABLE.c.sha256 == sha256_of(data)
            )
        ).rowcount
    return bool(gone)


def discard(engine: Engine, principal: Principal, held_id: int) -> None:
    """Delete one of the principal's held uploads (audited)."""
    with engine.begin() as conn:
        name = conn.execute(
            select(TABLE.c.file_name).where(
                TABLE.c.id == held_id, TABLE.c.username == principal.username
            )
        ).scalar()
        if name is None:
            raise InputError("held.not_found", None, id=held_id)
        conn.execute(delete(TABLE).where(TABLE.c.id == held_id))
        record(conn, principal.username, "upload", held=held_id, file=name, discarded=True)


def _listing():
    columns = [c for c in TABLE.c if c.name != "content"]
    return select(*columns)


def _with_waiting_for(conn: Connection, rows) -> list[Held]:
    known: dict[str, set[str]] = {}

    def still_unknown(name: UnknownName) -> bool:
        if name.list_key not in known:
            known[name.list_key] = master_admin.known_keys(conn, name.list_key)
        return normalize_name(name.value) not in known[name.list_key]

    result = []
    for row in rows:
        names = [
            UnknownName(
                n["list_key"], n["value"], n["rows"], tuple(n["candidates"]), n.get("close")
            )
            for n in row["unknown"]
        ]
        result.append(
            Held(
                **{name: row[name] for name in AS_STORED},
                edits={(s, int(r), int(c)): v for s, r, c, v in row["edits"]},
                waiting_for=[n for n in names if still_unknown(n)],
            )
        )
    return result


def may_hold(principal: Principal) -> bool:
    """Staff hold uploads that wait for master data; an admin resolves names in place."""
    return allowed(principal, "upload") and not allowed(principal, "manage_master_data")
