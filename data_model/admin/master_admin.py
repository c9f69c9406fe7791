"""Master data managed in the product: list, add, edit, rename, merge, deactivate, delete.

Every function takes the caller's connection (inside its transaction) and the acting
principal, requires `manage_master_data`, takes the `master_data` write lock (which
counts up the data version, the pages' cache key) and records a `master_change` audit
event with the list, the operation and old → new. Errors are `InputError`s with
catalogue messages.

Entries are plain dicts keyed by the list's fields (`LISTS[key].fields`); a unit's
`district` and `parent` are names, `aliases` a list of names. A referenced entry can be
deactivated but not deleted; renaming keeps the old name as an alias; merging moves
every reference (every version of the data rows, the schedule, units, users' bindings)
to the survivor in the caller's transaction and then removes the merged entry.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, update

from data_model.accounts.permissions import Principal, require
from data_model.errors import InputError
from data_model.evaluation import score_summary  # noqa: F401  (installs the store's scorer)
from data_model.formatting import join_names
from data_model.i18n import LANGUAGES, t
from data_model.kinds import MASTER_FIELDS
from data_model.normalize.names import normalize_name
from data_model.store import (
    audit,
    summaries_periods,
    summaries_references,
    summaries_task_status,
    summaries_tasks,
    summaries_values,
)
from data_model.store.kind_registry import REGISTRY
from data_model.store.models import (
    Action,
    ActivityType,
    Brand,
    District,
    Evidence,
    ExpectedSubmission,
    IssueCategory,
    ReviewRule,
    Unit,
    User,
)
from data_model.store.review_hold import held_references, move_held_references
from data_model.store.storage import take_write_locks
from data_model.store.summaries_references import KIND_ID_COLUMNS  # column of a kind → list
from data_model.text import check_email, is_missing


@dataclass(frozen=True)
class ListSpec:
    """One master list: its table, editable fields (in workbook column order) and the
    catalogue key naming one entry in messages."""

    key: str
    model: type
    fields: tuple[str, ...]
    kind_key: str


LISTS: dict[str, ListSpec] = {
    spec.key: spec
    for spec in (
        ListSpec(
            "districts",
            District,
            (
                "name",
                "code",
                "short_name",
                "pinyin",
                "kind",
                "aliases",
                "map_code",
                "sort_order",
                "is_active",
            ),
            "normalize.kind_district",
        ),
        ListSpec(
            "units",
            Unit,
            (
                "name",
                "category",
                "district",
                "parent",
                "aliases",
                "sort_order",
                "is_active",
                "email",  # where reminders and 督办通知 are e-mailed (optional)
            ),
            "normalize.kind_unit",
        ),
        ListSpec(
            "actions",
            Action,
            ("name", "code", "description", "aliases", "sort_order", "is_active"),
            "normalize.kind_action",
        ),
        ListSpec(
            "brands",
            Brand,
            ("name", "description", "aliases", "sort_order", "is_active"),
            "normalize.kind_brand",
        ),
        ListSpec(
            "activity_types",
            ActivityType,
            ("name", "aliases", "sort_order", "is_active"),
            "normalize.kind_activity_type",
        ),
        ListSpec(
            "issue_categories",
            IssueCategory,
            ("name", "aliases", "sort_order", "is_active"),
            "normalize.kind_issue_category",
        ),
    )
}
DISTRICT_KINDS = ("city", "district", "functional_area")
UNIT_CATEGORIES = (
    "city_department",
    "district_federation",
    "federation_department",
    "chamber",
    "other",
)
ALIAS_SEPARATOR = "、"
_ALIAS_SPLIT = re.compile(r"[、,，;；\n]+")

# Other columns that reference an entry by id: (table, column, write lock of what it holds).
OTHER_ID_REFERENCES: dict[str, tuple[tuple[type, str, str], ...]] = {
    "districts": (
        (ExpectedSubmission, "district_id", "schedule"),
        (Unit, "district_id", "master_data"),
        (ReviewRule, "district_id", "review"),
        (Evidence, "district_id", "evidence"),
    ),
    "units": (
        (ExpectedSubmission, "unit_id", "schedule"),
        (Unit, "parent_id", "master_data"),
        (ReviewRule, "unit_id", "review"),
        (Evidence, "lead_unit_id", "evidence"),
    ),
}


def id_references(list_key: str) -> tuple[tuple[type, str, str], ...]:
    """Columns that reference an entry of `list_key` by id: (table, column, write lock)."""
    return kind_id_references(list_key) + OTHER_ID_REFERENCES.get(list_key, ())


def kind_id_references(list_key: str) -> tuple[tuple[type, str, str], ...]:
    """The columns of `id_references` in the kinds' tables (their references counted by
    `summaries_references`)."""
    return tuple(
        (model, column, rule.name)
        for rule in REGISTRY.values()
        for model in rule.tables
        for column, listed in KIND_ID_COLUMNS.items()
        if listed == list_key and column in model.__table__.c
    )


def text_references(list_key: str) -> tuple[tuple[type, str, str], ...]:
    """Columns that hold an entry's name as text (the upload does not resolve these yet)."""
    return tuple(
        (model, field_name, rule.name)
        for rule in REGISTRY.values()
        for model in rule.tables
        for field_name, listed in MASTER_FIELDS.items()
        if listed == list_key and field_name in model.__table__.c
    )


def district_keys() -> tuple[tuple[type, tuple[str, ...]], ...]:
    """Current-key columns of data rows that contain a district, besides the district
    itself: two districts merged must not both hold a current row for the same rest of
    the key."""
    return tuple(
        (rule.table, tuple(k for k in rule.record_key if k != "district_id"))
        for rule in REGISTRY.values()
        if "district_id" in rule.record_key
    )


# Users bind to districts and units by name (User.districts / User.units).
USER_BINDINGS = {"districts": "districts", "units": "units"}


def spec_of(list_key: str) -> ListSpec:
    spec = LISTS.get(list_key)
    if spec is None:
        raise InputError("master.unknown_list", value=list_key, choices=", ".join(LISTS))
    return spec


def kind_name(spec: ListSpec, language: str | None = None) -> str:
    return t(spec.kind_key, language)


# --- reading ---------------------------------------------------------------------------


def entries(conn: Connection, list_key: str) -> list[dict]:
    """Every entry of a list in display order, as dicts of its fields plus `id`."""
    spec = spec_of(list_key)
    model = spec.model
    rows = conn.execute(select(model).order_by(model.sort_order, model.id)).mappings().all()
    names: dict[str, dict[int, str]] = {}
    if list_key == "units":
        names["district"] = dict(conn.execute(select(District.id, District.name)).all())
        names["parent"] = {row["id"]: row["name"] for row in rows}
    result = []
    for row in rows:
        entry = {"id": row["id"]}
        for field in spec.fields:
            if field in ("district", "parent"):
                entry[field] = names[field].get(row[f"{field}_id"], "")
            elif field == "aliases":
                entry[field] = list(row["aliases"] or [])
            else:
                entry[field] = row[field]
        result.append(entry)
    return result


def list_entries(conn: Connection, principal: Principal, list_key: str) -> pd.DataFrame:
    """A list as a table: its fields, plus `references` (how often it is used)."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    rows = entries(conn, list_key)
    counts = reference_counts(conn, list_key)
    frame = pd.DataFrame(rows, columns=["id", *spec.fields])
    frame["references"] = [counts.get(row["id"], 0) for row in rows]
    return frame


def reference_counts(conn: Connection, list_key: str) -> dict[int, int]:
    """How many data rows (every version; not the rows held by review), schedule entries,
    units and users reference each entry (by id).

    The data rows are read from their kept counts (`summaries_references`), a row per
    entry, not counted in the kinds' tables; the schedule, units, review rules and users
    are few, and counted here."""
    counts: dict[int, int] = {}
    of_kinds = [(model.__table__, column) for model, column, _ in kind_id_references(list_key)]
    for value, count in summaries_references.counts(conn, of_kinds).items():
        counts[int(value)] = counts.get(int(value), 0) + count
    for model, column, _ in OTHER_ID_REFERENCES.get(list_key, ()):
        col = model.__table__.c[column]
        for entry_id, count in conn.execute(
            select(col, func.count()).where(col.is_not(None)).group_by(col)
        ):
            counts[entry_id] = counts.get(entry_id, 0) + count
    named = [(model.__table__, column) for model, column, _ in text_references(list_key)]
    if named:
        ids = dict(
            conn.execute(select(spec_of(list_key).model.name, spec_of(list_key).model.id)).all()
        )
        for name, count in summaries_references.counts(conn, named).items():
            if name in ids:
                counts[ids[name]] = counts.get(ids[name], 0) + count
    if list_key in USER_BINDINGS:
        ids = dict(
            conn.execute(select(spec_of(list_key).model.name, spec_of(list_key).model.id)).all()
        )
        for bound in conn.execute(select(getattr(User, USER_BINDINGS[list_key]))).scalars():
            for name in set(bound or ()):
                if name in ids:
                    counts[ids[name]] = counts.get(ids[name], 0) + 1
    return counts


def references(conn: Connection, list_key: str, entry: dict) -> dict[str, int]:
    """What references one entry: {"data", "schedule", "units", "users"} counts."""
    found = {"data": 0, "schedule": 0, "units": 0, "users": 0}
    for model, column, lock in id_references(list_key):
        count = conn.execute(
            select(func.count())
            .select_from(model.__table__)
            .where(model.__table__.c[column] == entry["id"])
        ).scalar_one()
        bucket = {"schedule": "schedule", "master_data": "units"}.get(lock, "data")
        found[bucket] += count
    for model, column, _ in text_references(list_key):
        found["data"] += conn.execute(
            select(func.count())
            .select_from(model.__table__)
            .where(model.__table__.c[column] == entry["name"])
        ).scalar_one()
    # Rows held by review count too: approving them later needs the entry.
    held_key = entry["name"] if text_references(list_key) else entry["id"]
    found["data"] += held_references(conn, list_key, held_key)
    if list_key in USER_BINDINGS:
        column = USER_BINDINGS[list_key]
        found["users"] = sum(
            entry["name"] in (bound or ())
            for bound in conn.execute(select(getattr(User, column))).scalars()
        )
    return found


def find_entry(conn: Connection, list_key: str, raw: object) -> dict:
    """The entry `raw` names (its name, or a code or alias), deactivated ones included.

    Unknown: InputError `master.unknown_entry` with the closest name as suggestion.
    """
    spec = spec_of(list_key)
    key = normalize_name(raw)
    rows = entries(conn, list_key)
    for entry in rows:
        if normalize_name(entry["name"]) == key:
            return entry
    for entry in rows:
        if key in _keys(list_key, entry):
            return entry
    names = {normalize_name(e["name"]): e["name"] for e in rows}
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
    raise InputError(
        "master.unknown_entry",
        names[close[0]] if close else None,
        value=str(raw).strip() if raw is not None else "",
        kind=kind_name(spec),
    )


def known_keys(conn: Connection, list_key: str) -> set[str]:
    """The comparison keys (`normalize_name`) the active entries of a list answer to: a
    name an upload uses is known when its key is one of them."""
    return {key for e in entries(conn, list_key) if e["is_active"] for key in _keys(list_key, e)}


def _keys(list_key: str, entry: dict) -> set[str]:
    """Comparison keys an entry answers to: its name and aliases, a district's code, short
    name and pinyin, an action's code. No two entries of a list may share one."""
    raw = [entry.get("name"), *(entry.get("aliases") or ())]
    if list_key == "districts":
        raw += [entry.get("code"), entry.get("short_name"), entry.get("pinyin")]
    if list_key == "actions":
        raw.append(entry.get("code"))
    return {key for key in map(normalize_name, raw) if key}


# --- cleaning values ---------------------------------------------------------------------


def _column(field: str) -> str:
    return t(f"master.col_{field}")


def parse_aliases(raw: object) -> list[str]:
    """Aliases from a list or from text separated by `、` (or commas, semicolons, lines)."""
    if raw is None or (not isinstance(raw, list | tuple) and is_missing(raw)):
        return []
    items = raw if isinstance(raw, list | tuple) else _ALIAS_SPLIT.split(str(raw))
    return list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


def _choice(field: str, raw: object, codes: tuple[str, ...], prefix: str) -> str:
    text = normalize_name(raw)
    for code in codes:
        labels = {normalize_name(code)} | {
            normalize_name(t(f"master.{prefix}_{code}", language)) for language in LANGUAGES
        }
        if text in labels:
            return code
    raise InputError(
        "master.bad_choice",
        value=str(raw),
        column=_column(field),
        choices=join_names(t(f"master.{prefix}_{code}") for code in codes),
    )


def parse_active(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = normalize_name(raw)
    if text in {normalize_name(t("master.active", lang)) for lang in LANGUAGES} | {
        "是",
        "true",
        "1",
        "yes",
        "",
    }:
        return True
    if text in {normalize_name(t("master.inactive", lang)) for lang in LANGUAGES} | {
        "否",
        "false",
        "0",
        "no",
    }:
        return False
    raise InputError(
        "master.bad_choice",
        value=str(raw),
        column=_column("is_active"),
        choices=f"{t('master.active')}、{t('master.inactive')}",
    )


def _integer(field: str, raw: object) -> int:
    if isinstance(raw, bool):
        raise InputError("master.bad_integer", value=str(raw), column=_column(field))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).strip()
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return int(float(text))
    raise InputError("master.bad_integer", value=text, column=_column(field))


def _text(field: str, raw: object, limit: int | None = None) -> str:
    if raw is None or is_missing(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if limit is not None and len(text) > limit:
        raise InputError("master.value_too_long", value=text, column=_column(field), limit=limit)
    return text


def _limit(spec: ListSpec, field: str) -> int | None:
    column = spec.model.__table__.c.get(field)
    return getattr(column.type, "length", None) if column is not None else None


def _clean_value(spec: ListSpec, field: str, value: object) -> object:
    if field == "aliases":
        return parse_aliases(value)
    if field == "is_active":
        return parse_active(value)
    if field == "sort_order":
        return None if value is None or is_missing(value) else _integer(field, value)
    if field == "kind":
        return _choice(field, value, DISTRICT_KINDS, "kind")
    if field == "category":
        return _choice(field, value, UNIT_CATEGORIES, "category")
    if field == "email":
        return check_email(_text(field, value, _limit(spec, field)))
    return _text(field, value, _limit(spec, field))


def clean_fields(spec: ListSpec, raw: dict, base: dict | None = None) -> dict:
    """Raw field values (text from a form, a workbook or the command line) → typed values,
    on top of `base` (the entry being edited, or defaults for a new one)."""
    unknown = set(raw) - set(spec.fields)
    if unknown:
        raise InputError(
            "master.unknown_field",
            kind=kind_name(spec),
            field=sorted(unknown)[0],
            choices=", ".join(spec.fields),
        )
    entry = dict(base or {})
    for field, value in raw.items():
        try:
            entry[field] = _clean_value(spec, field, value)
        except InputError as error:
            error.field = field  # where the problem is, for the workbook's problem list
            raise
    if not entry.get("name"):
        error = InputError("master.name_required", kind=kind_name(spec))
        error.field = "name"
        raise error
    entry["aliases"] = [
        a for a in entry.get("aliases") or [] if normalize_name(a) != normalize_name(entry["name"])
    ]
    for alias in entry["aliases"]:
        _text("aliases", alias, 64 if spec.key != "units" else 128)
    if spec.key == "districts":
        if not entry.get("code"):
            error = InputError("master.code_required")
            error.field = "code"
            raise error
        entry["short_name"] = entry.get("short_name") or entry["name"][:32]
        entry["pinyin"] = entry.get("pinyin") or ""
        entry["kind"] = entry.get("kind") or "district"
        entry["map_code"] = entry.get("map_code") or entry["code"]
    if spec.key == "units":
        entry["category"] = entry.get("category") or "other"
        entry.setdefault("district", "")
        entry.setdefault("parent", "")
        entry.setdefault("email", "")  # a workbook from before migration 0011 has no column
    if spec.key in ("actions", "brands"):
        entry.setdefault("description", "")
    entry.setdefault("is_active", True)
    return entry


# --- checks -----------------------------------------------------------------------------


def _check_keys(
    conn: Connection,
    spec: ListSpec,
    entry: dict,
    ignore: Iterable[int] = (),
    *,
    adding: bool = False,
) -> None:
    """No name, alias or code of `entry` may name another entry of the list.

    `adding`: `entry` is new, so the refusal says the name exists already (`master.exists`,
    `master.exists_as_alias`) rather than offering to merge an entry that is not there.
    """
    skip = {entry.get("id"), *ignore}
    mine = _keys(spec.key, entry)
    for other in entries(conn, spec.key):
        if other["id"] in skip:
            continue
        shared = mine & _keys(spec.key, other)
        if shared:
            value = next(
                v
                for v in [
                    entry["name"],
                    *entry.get("aliases", ()),
                    entry.get("code"),
                    entry.get("short_name"),
                    entry.get("pinyin"),
                ]
                if v and normalize_name(v) in shared
            )
            if adding:
                named = normalize_name(value) == normalize_name(other["name"])
                raise InputError(
                    "master.exists" if named else "master.exists_as_alias",
                    value=value,
                    kind=kind_name(spec),
                    other=other["name"],
                )
            raise InputError(
                "master.name_taken",
                other["name"],
                value=value,
                kind=kind_name(spec),
                other=other["name"],
                name=entry["name"],
            )


def _row_values(conn: Connection, spec: ListSpec, entry: dict) -> dict:
    """Column values of the table for a cleaned entry (names resolved to ids)."""
    values = {}
    for field in spec.fields:
        if field == "district":
            values["district_id"] = (
                find_entry(conn, "districts", entry["district"])["id"]
                if entry.get("district")
                else None
            )
        elif field == "parent":
            values["parent_id"] = (
                find_entry(conn, "units", entry["parent"])["id"] if entry.get("parent") else None
            )
        elif field in entry and entry[field] is not None:
            values[field] = entry[field]
    return values


def _check_parent(conn: Connection, entry: dict, parent_id: int | None) -> None:
    if parent_id is None or entry.get("id") is None:
        return
    if parent_id == entry["id"]:
        raise InputError("master.parent_self", name=entry["name"])
    parents = dict(conn.execute(select(Unit.id, Unit.parent_id)).all())
    seen, current = set(), parent_id
    while current is not None and current not in seen:
        if current == entry["id"]:
            raise InputError("master.parent_cycle", name=entry["name"], parent=entry["parent"])
        seen.add(current)
        current = parents.get(current)


def _lock_and_audit(
    conn: Connection, principal: Principal, spec: ListSpec, op: str, locks=(), **detail
) -> None:
    take_write_locks(conn, ["master_data", *locks], holder=principal.username)
    audit.record(conn, principal.username, "master_change", list=spec.key, op=op, **detail)


def _public(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "id"}


# --- changes ----------------------------------------------------------------------------


def add_entry(conn: Connection, principal: Principal, list_key: str, **fields: object) -> dict:
    """Add an entry; returns it. Its names must not collide with another entry's."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    entry = clean_fields(spec, fields)
    if entry.get("sort_order") is None:
        entry["sort_order"] = (
            conn.execute(select(func.max(spec.model.sort_order))).scalar_one() or 0
        ) + 1
    if list_key == "actions" and not entry.get("code"):
        entry["code"] = _next_action_code(conn)
    _check_keys(conn, spec, entry, adding=True)
    values = _row_values(conn, spec, entry)
    entry["id"] = conn.execute(insert(spec.model).values(**values)).inserted_primary_key[0]
    if list_key == "districts":
        # One more geography: it reported 0 of what it owes, and (not the city) is scored.
        summaries_periods.rebuild(conn)
    _lock_and_audit(conn, principal, spec, "add", name=entry["name"], new=_public(entry))
    return entry


def _next_action_code(conn: Connection) -> str:
    codes = set(conn.execute(select(Action.code)).scalars())
    number = len(codes) + 1
    while f"A{number}" in codes:
        number += 1
    return f"A{number}"


def edit_entry(
    conn: Connection, principal: Principal, list_key: str, name: str, **changes: object
) -> dict:
    """Change fields of an entry (not its name: see `rename_entry`); returns it."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    old = find_entry(conn, list_key, name)
    if changes.get("name") == old["name"]:
        del changes["name"]
    if "name" in changes:
        raise InputError(
            "master.unknown_field",
            kind=kind_name(spec),
            field="name",
            choices=", ".join(f for f in spec.fields if f != "name"),
        )
    entry = clean_fields(spec, changes, old)
    if entry.get("sort_order") is None:
        entry["sort_order"] = old["sort_order"]
    _check_keys(conn, spec, entry)
    values = _row_values(conn, spec, entry)
    if list_key == "units":
        _check_parent(conn, entry, values["parent_id"])
    conn.execute(update(spec.model).where(spec.model.id == old["id"]).values(**values))
    if list_key == "districts" and old.get("kind") != entry.get("kind"):
        summaries_periods.rebuild(conn)  # a district scored or no longer (the city is not)
    changed = {f: [old[f], entry[f]] for f in spec.fields if old.get(f) != entry.get(f)}
    _lock_and_audit(conn, principal, spec, "edit", name=old["name"], changes=changed)
    return entry


def rename_entry(
    conn: Connection, principal: Principal, list_key: str, name: str, new_name: str
) -> dict:
    """Rename an entry: the old name becomes an alias (an upload with it still matches),
    users bound to it and data rows holding it as text follow the new name."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    # The kinds holding the name as text too, before their rows are read: an import of
    # one waits, and its rows (and their kept counts) cannot miss the rename.
    text_locks = [lock for _, _, lock in text_references(list_key)]
    take_write_locks(conn, ["master_data", *text_locks], holder=principal.username)
    old = find_entry(conn, list_key, name)
    new_name = _text("name", new_name, _limit(spec, "name"))
    if not new_name:
        raise InputError("master.name_required", kind=kind_name(spec))
    if new_name == old["name"]:
        raise InputError("master.rename_same", name=new_name)
    aliases = [a for a in old["aliases"] if normalize_name(a) != normalize_name(new_name)]
    aliases.append(old["name"])
    entry = {**old, "name": new_name, "aliases": list(dict.fromkeys(aliases))}
    _check_keys(conn, spec, entry)
    conn.execute(
        update(spec.model)
        .where(spec.model.id == old["id"])
        .values(name=new_name, aliases=entry["aliases"])
    )
    locks = _retarget_names(conn, list_key, {old["name"]: new_name})
    _lock_and_audit(
        conn, principal, spec, "rename", locks, name=new_name, old=old["name"], new=new_name
    )
    return entry


def add_alias(conn: Connection, principal: Principal, list_key: str, name: str, alias: str) -> dict:
    """Make `alias` one more name of the entry `name` names (an upload's spelling mapped to
    it by an admin, so that the next file with that spelling matches); returns the entry.

    An alias the entry already answers to changes nothing; one that names another entry is
    `master.name_taken`. Audited as op `alias`.
    """
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    entry = find_entry(conn, list_key, name)
    alias = _text("aliases", alias, 64 if list_key != "units" else 128)
    if not alias:
        raise InputError("master.name_required", kind=kind_name(spec))
    if normalize_name(alias) in _keys(list_key, entry):
        return entry
    changed = {**entry, "aliases": [*entry["aliases"], alias]}
    _check_keys(conn, spec, changed)
    conn.execute(
        update(spec.model).where(spec.model.id == entry["id"]).values(aliases=changed["aliases"])
    )
    _lock_and_audit(conn, principal, spec, "alias", name=entry["name"], new=alias)
    return changed


def _retarget_names(conn: Connection, list_key: str, renames: dict[str, str]) -> list[str]:
    """Users' bindings and text columns that hold an old name get the new one."""
    locks = []
    for model, column, lock in text_references(list_key):
        col = model.__table__.c[column]
        for old, new in renames.items():
            if conn.execute(
                update(model.__table__).where(col == old).values({column: new})
            ).rowcount:
                locks.append(lock)
            summaries_references.moved(conn, model.__table__, column, old, new)
            move_held_references(conn, list_key, old, new)
    if list_key in USER_BINDINGS:
        column = USER_BINDINGS[list_key]
        for user_id, bound in conn.execute(select(User.id, getattr(User, column))).all():
            bound = list(bound or ())
            if any(name in renames for name in bound):
                moved = list(dict.fromkeys(renames.get(name, name) for name in bound))
                conn.execute(update(User).where(User.id == user_id).values({column: moved}))
    return locks


def merge_entries(
    conn: Connection, principal: Principal, list_key: str, merged: str, survivor: str
) -> dict:
    """Merge `merged` into `survivor`: every reference moves to the survivor (every version
    of the data rows, the schedule, units' district and parent, users' bindings), the
    merged entry's name and aliases become the survivor's aliases, and the merged entry is
    removed. Returns {"survivor": entry, "moved": number of references moved}.
    """
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    gone = find_entry(conn, list_key, merged)
    kept = find_entry(conn, list_key, survivor)
    if gone["id"] == kept["id"]:
        raise InputError("master.merge_into_itself", kind=kind_name(spec), name=kept["name"])
    locks = {lock for _, _, lock in id_references(list_key)}
    locks |= {lock for _, _, lock in text_references(list_key)}
    take_write_locks(conn, locks, holder=principal.username)
    if list_key == "districts":
        _check_district_keys(conn, gone, kept)
    carried = [gone["name"], *gone["aliases"]]
    if list_key == "districts":
        carried += [gone["short_name"], gone["code"], gone["pinyin"]]
    if list_key == "actions":
        carried.append(gone["code"])
    own = {normalize_name(v) for v in _own_keys(list_key, kept)}
    aliases = list(kept["aliases"])
    for alias in carried:
        if alias and normalize_name(alias) not in own | {normalize_name(a) for a in aliases}:
            aliases.append(alias)
    entry = {**kept, "aliases": aliases}
    _check_keys(conn, spec, entry, ignore=[gone["id"]])
    moved = 0
    for model, column, _ in id_references(list_key):
        col = model.__table__.c[column]
        if model is ExpectedSubmission:
            moved += _merge_schedule(conn, column, gone["id"], kept["id"])
        elif model is Unit and column == "parent_id":
            # The survivor cannot become its own parent.
            conn.execute(
                update(Unit).where(Unit.id == kept["id"], col == gone["id"]).values(parent_id=None)
            )
            moved += conn.execute(
                update(model.__table__).where(col == gone["id"]).values({column: kept["id"]})
            ).rowcount
        else:
            moved += conn.execute(
                update(model.__table__).where(col == gone["id"]).values({column: kept["id"]})
            ).rowcount
        # The kept counts of the rows just moved (nothing for the schedule, units, rules).
        summaries_references.moved(conn, model.__table__, column, gone["id"], kept["id"])
    for model, column, _ in text_references(list_key):
        col = model.__table__.c[column]
        moved += conn.execute(
            update(model.__table__).where(col == gone["name"]).values({column: kept["name"]})
        ).rowcount
        summaries_references.moved(conn, model.__table__, column, gone["name"], kept["name"])
    moved += _merge_bindings(conn, list_key, gone["name"], kept["name"])
    if text_references(list_key):
        moved += move_held_references(conn, list_key, gone["name"], kept["name"])
    else:
        moved += move_held_references(conn, list_key, gone["id"], kept["id"])
    conn.execute(delete(spec.model).where(spec.model.id == gone["id"]))
    conn.execute(update(spec.model).where(spec.model.id == kept["id"]).values(aliases=aliases))
    if list_key in ("districts", "units"):
        summaries_tasks.rebuild_reported(conn)  # rows moved to another district or unit
    if list_key == "districts":
        # Values moved to the survivor: its quarters and years sum them with its own (the
        # value summaries, kept by district, held the merged one's apart), and then the
        # scores and the coverage, with one district fewer.
        summaries_values.rebuild(conn)
        summaries_periods.rebuild(conn)
    for column in summaries_task_status.GROUP_ID_COLUMNS:
        if KIND_ID_COLUMNS[column] == list_key:  # tasks moved to another group
            summaries_task_status.master_merged(conn, column, gone["id"], kept["id"])
    _lock_and_audit(
        conn,
        principal,
        spec,
        "merge",
        name=kept["name"],
        old=gone["name"],
        new=kept["name"],
        moved=moved,
    )
    return {"survivor": entry, "moved": moved}


def _own_keys(list_key: str, entry: dict) -> list[str]:
    own = [entry["name"]]
    if list_key == "districts":
        own += [entry["code"], entry["short_name"], entry["pinyin"]]
    if list_key == "actions":
        own.append(entry["code"])
    return own


def _check_district_keys(conn: Connection, gone: dict, kept: dict) -> None:
    for model, columns in district_keys():
        a = model.__table__.alias("a")
        b = model.__table__.alias("b")
        clash = (
            select(*(a.c[c] for c in columns))
            .select_from(a.join(b, *[a.c[c] == b.c[c] for c in columns]))
            .where(a.c.district_id == gone["id"], b.c.district_id == kept["id"])
            .where(a.c.is_current, b.c.is_current)
        )
        rows = conn.execute(clash).all()
        if rows:
            raise InputError(
                "master.merge_conflict",
                merged=gone["name"],
                survivor=kept["name"],
                count=len(rows),
                example=" / ".join(str(v) for v in rows[0]),
            )


def _merge_schedule(conn: Connection, column: str, gone_id: int, kept_id: int) -> int:
    """Move schedule entries; one the survivor already owes for the same kind and period
    is the same obligation, so the merged entry's copy is dropped."""
    table = ExpectedSubmission.__table__
    other = "unit_id" if column == "district_id" else "district_id"
    kept = {
        (r[other], r["kind"], r["period"])
        for r in conn.execute(select(table).where(table.c[column] == kept_id)).mappings()
    }
    moved = 0
    for row in conn.execute(select(table).where(table.c[column] == gone_id)).mappings().all():
        if (row[other], row["kind"], row["period"]) in kept:
            conn.execute(delete(table).where(table.c.id == row["id"]))
        else:
            conn.execute(update(table).where(table.c.id == row["id"]).values({column: kept_id}))
        moved += 1
    return moved


def _merge_bindings(conn: Connection, list_key: str, gone: str, kept: str) -> int:
    if list_key not in USER_BINDINGS:
        return 0
    column = USER_BINDINGS[list_key]
    moved = 0
    for user_id, bound in conn.execute(select(User.id, getattr(User, column))).all():
        bound = list(bound or ())
        if gone in bound:
            new = list(dict.fromkeys(kept if name == gone else name for name in bound))
            conn.execute(update(User).where(User.id == user_id).values({column: new}))
            moved += 1
    return moved


def set_active(
    conn: Connection, principal: Principal, list_key: str, name: str, active: bool
) -> dict:
    """Deactivate (history stays, new uploads may no longer name it) or reactivate."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    entry = find_entry(conn, list_key, name)
    conn.execute(update(spec.model).where(spec.model.id == entry["id"]).values(is_active=active))
    _lock_and_audit(
        conn,
        principal,
        spec,
        "reactivate" if active else "deactivate",
        name=entry["name"],
        old=entry["is_active"],
        new=active,
    )
    return {**entry, "is_active": active}


def deactivate_entry(conn: Connection, principal: Principal, list_key: str, name: str) -> dict:
    return set_active(conn, principal, list_key, name, False)


def reactivate_entry(conn: Connection, principal: Principal, list_key: str, name: str) -> dict:
    return set_active(conn, principal, list_key, name, True)


def delete_entry(conn: Connection, principal: Principal, list_key: str, name: str) -> None:
    """Delete an entry nothing references; a referenced one: InputError `master.referenced`."""
    require(principal, "manage_master_data")
    spec = spec_of(list_key)
    take_write_locks(conn, ["master_data"], holder=principal.username)
    entry = find_entry(conn, list_key, name)
    found = references(conn, list_key, entry)
    if any(found.values()):
        raise InputError(
            "master.referenced",
            kind=kind_name(spec),
            name=entry["name"],
            count=sum(found.values()),
            detail=join_names(t(f"master.ref_{k}", count=v) for k, v in found.items() if v),
        )
    conn.execute(delete(spec.model).where(spec.model.id == entry["id"]))
    if list_key == "districts":
        summaries_periods.rebuild(conn)  # one geography fewer counted (and scored, not the city)
    _lock_and_audit(conn, principal, spec, "delete", name=entry["name"], old=_public(entry))
