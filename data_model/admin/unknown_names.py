"""Unknown names in an upload, one per distinct name, and their resolution in place.

Policy for a name an upload uses that the master lists do not know — a lead unit of a task
list, an action, a brand, an activity type, an issue category:

- It is always an error on its rows, naming up to three nearest known names. Validation
  never matches a name that is not a name or alias of an entry, however close: nothing is
  silently mapped to a wrong unit, and nothing is registered by the upload itself.
- An admin resolves it in the upload page, without re-uploading: *map* it to an existing
  entry (the spelling becomes that entry's alias, so the next file passes) or *register* it
  as a new entry. A close known name (`names.CLOSE_CUTOFF`) is preselected, still applied
  only when the admin applies it; the names with no close match can all be registered as
  new in one action (ten city departments the system has never seen: one click, then
  commit). Every change goes through `master_admin` (admin only, audited, data version).
- Staff see the same errors and are told to ask their federation's admin; their pending
  upload is held on the server (`held_uploads`), listed for the admin with the names it
  waits for, and re-checked against the current master data with one button once the
  admin has acted.

Why not register unknown units automatically (as 待确认)? A task list without task codes
gets codes made from the lead unit's canonical name (`normalize.tasks.derived_task_code`): a
unit registered under a variant spelling and merged later would have given its tasks codes
that next quarter's list (matched through the alias) no longer produces. Resolving before
the commit keeps those codes stable, and keeps staff from adding master data.

A file can name thousands of unknown names (a column of free text where units belong):
the page offers the most used first, `RESOLVE_IN_PAGE` at a time (`first_to_resolve`),
and the check after a resolution lists the next.

Unknown districts are not resolved here: a wrong district is a wrong figure, so they stay
errors to fix in the file (with the suggestion).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import Connection, Engine

from data_model.accounts.permissions import Principal, require
from data_model.admin import master_admin
from data_model.normalize.names import normalize_name
from data_model.problems import ImportReport

# Unknown names offered for resolution in the page at once. A form of 2,000 names (a
# task list with a different unit on every row) took 16 s to build, 4,000 drop-downs.
RESOLVE_IN_PAGE = 50


@dataclass(frozen=True)
class UnknownName:
    """One distinct unknown name of a list in an upload, as the page lists it."""

    list_key: str  # master_admin.LISTS key
    value: str  # as first written in the file
    rows: int  # how many rows use it (any spelling that normalises the same)
    candidates: tuple[str, ...] = ()  # up to three nearest known names, best first
    close: str | None = None  # the nearest one when close enough to preselect


@dataclass(frozen=True)
class Resolution:
    """What an admin decided for one unknown name: map it to `target` (an existing entry's
    name), or register it as new (`target` None) with `fields` (e.g. a unit's category)."""

    list_key: str
    value: str
    target: str | None = None
    fields: dict = field(default_factory=dict)


def unknown_names(report: ImportReport) -> list[UnknownName]:
    """The distinct unknown names of a report's errors, in the order of the file.

    Spellings that differ only in spacing or width are one name; `rows` counts the rows
    (per sheet) that use it.
    """
    found: dict[tuple[str, str], dict] = {}
    for problem in report.errors:
        hint = problem.unknown_name
        if hint is None:
            continue
        key = (hint.list_key, normalize_name(hint.value))
        entry = found.setdefault(key, {"hint": hint, "rows": set()})
        entry["rows"].add((problem.sheet, problem.row))
    return [
        UnknownName(
            entry["hint"].list_key,
            entry["hint"].value,
            len(entry["rows"]),
            entry["hint"].candidates,
            entry["hint"].close,
        )
        for entry in found.values()
    ]


def first_to_resolve(names: list[UnknownName], limit: int = RESOLVE_IN_PAGE) -> list[UnknownName]:
    """The `limit` names that the most rows use (the first written of equals), in the
    order of the file: what resolving first clears the most errors."""
    if len(names) <= limit:
        return names
    chosen = set(heapq.nlargest(limit, names, key=attrgetter("rows")))
    return [name for name in names if name in chosen]


def new_entry_fields(conn: Connection, name: UnknownName) -> dict:
    """The fields a new entry for `name` needs besides its name, guessed for the form.

    A unit's category from its name (…商会 a chamber, a district's name + 工商联 that
    district's federation, 市工商联…部/室 a federation department, else a city department,
    the usual lead unit of a task list) and its district for a district federation.
    """
    if name.list_key != "units":
        return {}
    text = name.value
    district = ""
    for entry in master_admin.entries(conn, "districts"):
        for prefix in (entry["name"], entry["short_name"]):
            if prefix and text.startswith(prefix) and entry["kind"] != "city":
                district = entry["name"]
    if "商会" in text:
        return {"category": "chamber", "district": district}
    if text.endswith("工商联") and district:
        return {"category": "district_federation", "district": district}
    if "工商联" in text and text.endswith(("部", "室", "办公室")):
        return {"category": "federation_department"}
    return {"category": "city_department"}


def active_names(conn: Connection, list_key: str) -> list[str]:
    """The active entries' names of a list, in display order: what a name may be mapped to."""
    return [e["name"] for e in master_admin.entries(conn, list_key) if e["is_active"]]


def resolve(
    conn: Connection, principal: Principal, resolutions: Iterable[Resolution]
) -> list[dict]:
    """Apply an admin's decisions in the caller's transaction; returns the entries changed.

    Admin only (`manage_master_data`): staff get PermissionDenied and nothing changes.
    Each decision is one audited `master_admin` change (op `alias` or `add`).
    """
    require(principal, "manage_master_data")
    changed = []
    for resolution in resolutions:
        if resolution.target is not None:
            changed.append(
                master_admin.add_alias(
                    conn, principal, resolution.list_key, resolution.target, resolution.value
                )
            )
        else:
            changed.append(
                master_admin.add_entry(
                    conn,
                    principal,
                    resolution.list_key,
                    name=resolution.value,
                    **resolution.fields,
                )
            )
    return changed


def resolve_all(
    engine: Engine, principal: Principal, resolutions: Iterable[Resolution]
) -> list[dict]:
    """`resolve` in one transaction of its own: all decisions are applied, or none."""
    with engine.begin() as conn:
        return resolve(conn, principal, resolutions)
