"""Master data: the default lists shipped with the product and lookups used by the importer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from data_model import settings
from data_model.normalize.districts import DistrictRecord, district_matcher
from data_model.normalize.names import NameMatcher
from data_model.store.models import Action, ActivityType, Brand, District, IssueCategory, Unit
from data_model.store.storage import take_write_locks

DEFAULT_MASTER_DATA = settings.DEFAULTS_DIR / "master_data.json"


MASTER_MODELS = (District, Unit, Action, Brand, ActivityType, IssueCategory)
LIST_KEYS = ("districts", "units", "actions", "brands", "activity_types", "issue_categories")
# The lists an unknown name in an upload can be resolved against in place (mapped to an
# entry as its alias, or registered as new), by the catalogue key naming the list in
# messages. Districts are not among them: a wrong district is a wrong figure, so an
# unknown district stays an error to fix in the file.
RESOLVABLE_LISTS = {
    "normalize.kind_unit": "units",
    "normalize.kind_action": "actions",
    "normalize.kind_brand": "brands",
    "normalize.kind_activity_type": "activity_types",
    "normalize.kind_issue_category": "issue_categories",
}


def has_master_data(conn: Connection) -> bool:
    """Whether any master list holds an entry (a database that was set up already)."""
    return any(
        conn.execute(select(model.id).limit(1)).first() is not None for model in MASTER_MODELS
    )


def load_master_data_file(conn: Connection, path: Path = DEFAULT_MASTER_DATA) -> dict[str, int]:
    """Fill a database that has no master data at all with the lists of a JSON file.

    A database with any master data is left exactly as it is: the defaults are never
    merged into another city's lists or into what an admin edited (the admin manages
    them with `master_admin`). Returns how many rows of each list were added.
    """
    if has_master_data(conn):
        return dict.fromkeys(LIST_KEYS, 0)
    data = json.loads(path.read_text(encoding="utf-8"))
    take_write_locks(conn, ["master_data"], holder="master_data")
    added = {}
    added["districts"] = _insert(
        conn,
        District,
        [
            {
                "code": d["code"],
                "name": d["name"],
                "short_name": d["short_name"],
                "pinyin": d["pinyin"],
                "kind": d["kind"],
                "aliases": d.get("aliases", []),
                "sort_order": i,
                "map_code": d.get("map_code") or d["code"],
            }
            for i, d in enumerate(data["districts"])
        ],
    )
    district_ids = dict(conn.execute(select(District.name, District.id)).all())
    added["units"] = _insert(
        conn,
        Unit,
        [
            {
                "name": u["name"],
                "category": u["category"],
                "district_id": district_ids.get(u.get("district")),
                "aliases": u.get("aliases", []),
                "sort_order": i,
            }
            for i, u in enumerate(data["units"])
        ],
    )
    unit_ids = dict(conn.execute(select(Unit.name, Unit.id)).all())
    for u in data["units"]:
        if u.get("parent"):
            conn.execute(
                update(Unit)
                .where(Unit.id == unit_ids[u["name"]])
                .values(parent_id=unit_ids[u["parent"]])
            )
    added["actions"] = _insert(
        conn,
        Action,
        [
            {
                "code": a["code"],
                "name": a["name"],
                "description": a.get("description", ""),
                "aliases": a.get("aliases", []),
                "sort_order": i,
            }
            for i, a in enumerate(data["actions"])
        ],
    )
    added["brands"] = _insert(
        conn,
        Brand,
        [
            {
                "name": b["name"],
                "description": b.get("description", ""),
                "aliases": b.get("aliases", []),
                "sort_order": i,
            }
            for i, b in enumerate(data["brands"])
        ],
    )
    for key, model in (("activity_types", ActivityType), ("issue_categories", IssueCategory)):
        added[key] = _insert(
            conn,
            model,
            [
                {"name": e["name"], "aliases": e.get("aliases", []), "sort_order": i}
                for i, e in enumerate(data.get(key, []))
            ],
        )
    return added


def _insert(conn: Connection, model, rows: list[dict]) -> int:
    if rows:
        conn.execute(insert(model), rows)
    return len(rows)


@dataclass(frozen=True)
class MasterData:
    """Ids and name matchers of the master lists, read once per import."""

    district_ids: dict[str, int]
    district_names: dict[int, str]
    districts: NameMatcher
    unit_ids: dict[str, int]
    unit_names: dict[int, str]  # unit_ids turned round
    units: NameMatcher
    action_ids: dict[str, int]
    actions: NameMatcher
    brand_ids: dict[str, int]
    brands: NameMatcher
    # Unit name → the name of the district it belongs to (district federations).
    unit_districts: dict[str, str] = field(default_factory=dict)
    activity_types: NameMatcher = field(
        default_factory=lambda: NameMatcher([], "normalize.kind_activity_type")
    )
    issue_categories: NameMatcher = field(
        default_factory=lambda: NameMatcher([], "normalize.kind_issue_category")
    )

    def lists(self) -> dict[str, list[str]]:
        """The active names of each list, in display order (as templates offer them)."""
        return {
            key: getattr(self, key).names
            for key in (
                "districts",
                "units",
                "actions",
                "brands",
                "activity_types",
                "issue_categories",
            )
        }


def load_master(conn: Connection) -> MasterData:
    district_rows = conn.execute(select(District).order_by(District.sort_order)).mappings().all()
    records = [
        DistrictRecord(
            code=r["code"],
            name=r["name"],
            short_name=r["short_name"],
            pinyin=r["pinyin"],
            kind=r["kind"],
            aliases=tuple(r["aliases"] or ()),
            is_active=r["is_active"],
        )
        for r in district_rows
    ]
    units = conn.execute(
        select(Unit.id, Unit.name, Unit.aliases, Unit.is_active).order_by(Unit.sort_order)
    ).all()
    district_names = {r["id"]: r["name"] for r in district_rows}
    unit_districts = {
        name: district_names[district_id]
        for name, district_id in conn.execute(
            select(Unit.name, Unit.district_id).where(Unit.district_id.is_not(None))
        )
        if district_id in district_names
    }
    actions = conn.execute(
        select(Action.id, Action.name, Action.code, Action.aliases, Action.is_active).order_by(
            Action.sort_order
        )
    ).all()
    brands = conn.execute(
        select(Brand.id, Brand.name, Brand.aliases, Brand.is_active).order_by(Brand.sort_order)
    ).all()
    return MasterData(
        district_ids={r["name"]: r["id"] for r in district_rows},
        district_names=district_names,
        districts=district_matcher(records),
        unit_ids={r.name: r.id for r in units},
        unit_names={r.id: r.name for r in units},
        units=NameMatcher(
            [(r.name, r.aliases or []) for r in units],
            "normalize.kind_unit",
            [r.name for r in units if not r.is_active],
        ),
        action_ids={r.name: r.id for r in actions},
        actions=NameMatcher(
            [(r.name, [r.code, *(r.aliases or [])]) for r in actions],
            "normalize.kind_action",
            [r.name for r in actions if not r.is_active],
        ),
        brand_ids={r.name: r.id for r in brands},
        brands=NameMatcher(
            [(r.name, r.aliases or []) for r in brands],
            "normalize.kind_brand",
            [r.name for r in brands if not r.is_active],
        ),
        unit_districts=unit_districts,
        activity_types=_plain_matcher(conn, ActivityType, "normalize.kind_activity_type"),
        issue_categories=_plain_matcher(conn, IssueCategory, "normalize.kind_issue_category"),
    )


def _plain_matcher(conn: Connection, model, kind_key: str) -> NameMatcher:
    """A matcher over a list of names and aliases only (activity types, issue categories)."""
    rows = conn.execute(
        select(model.name, model.aliases, model.is_active).order_by(model.sort_order, model.id)
    ).all()
    return NameMatcher(
        [(r.name, r.aliases or []) for r in rows],
        kind_key,
        [r.name for r in rows if not r.is_active],
    )
