"""Master data: the default lists shipped with the product and lookups used by the importer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select

from data_model.models import Action, Brand, District, Unit
from data_model.normalize.districts import DistrictRecord, district_matcher
from data_model.normalize.names import NameMatcher
from data_model.storage import take_write_locks

DEFAULT_MASTER_DATA = Path(__file__).parent / "defaults" / "master_data.json"


def load_master_data_file(conn: Connection, path: Path = DEFAULT_MASTER_DATA) -> dict[str, int]:
    """Insert the districts, units, actions and brands of a JSON file that are not there yet.

    Existing rows (matched by name) are left as the admin edited them. Returns how
    many rows of each list were added.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if _complete(conn, data):
        return dict.fromkeys(("districts", "units", "actions", "brands"), 0)
    take_write_locks(conn, ["master_data"], holder="master_data")
    added = {}
    added["districts"] = _insert_missing(
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
            }
            for i, d in enumerate(data["districts"])
        ],
    )
    district_ids = dict(conn.execute(select(District.name, District.id)).all())
    added["units"] = _insert_missing(
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
    added["actions"] = _insert_missing(
        conn,
        Action,
        [
            {
                "code": a["code"],
                "name": a["name"],
                "description": a.get("description", ""),
                "sort_order": i,
            }
            for i, a in enumerate(data["actions"])
        ],
    )
    added["brands"] = _insert_missing(
        conn,
        Brand,
        [
            {"name": b["name"], "description": b.get("description", ""), "sort_order": i}
            for i, b in enumerate(data["brands"])
        ],
    )
    return added


def _complete(conn: Connection, data: dict) -> bool:
    """Whether every entry of the file is there already (the usual case, on every start)."""
    for model, key in (
        (District, "districts"),
        (Unit, "units"),
        (Action, "actions"),
        (Brand, "brands"),
    ):
        existing = set(conn.execute(select(model.name)).scalars())
        if any(entry["name"] not in existing for entry in data[key]):
            return False
    return True


def _insert_missing(conn: Connection, model, rows: list[dict]) -> int:
    existing = set(conn.execute(select(model.name)).scalars())
    new_rows = [row for row in rows if row["name"] not in existing]
    if new_rows:
        conn.execute(insert(model), new_rows)
    return len(new_rows)


@dataclass(frozen=True)
class MasterData:
    """Ids and name matchers of the master lists, read once per import."""

    district_ids: dict[str, int]
    district_names: dict[int, str]
    districts: NameMatcher
    unit_ids: dict[str, int]
    units: NameMatcher
    action_ids: dict[str, int]
    actions: NameMatcher
    brand_ids: dict[str, int]
    brands: NameMatcher
    # Unit name → the name of the district it belongs to (district federations).
    unit_districts: dict[str, str] = field(default_factory=dict)


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
        )
        for r in district_rows
    ]
    units = conn.execute(select(Unit.id, Unit.name, Unit.aliases).order_by(Unit.sort_order)).all()
    district_names = {r["id"]: r["name"] for r in district_rows}
    unit_districts = {
        name: district_names[district_id]
        for name, district_id in conn.execute(
            select(Unit.name, Unit.district_id).where(Unit.district_id.is_not(None))
        )
        if district_id in district_names
    }
    actions = conn.execute(
        select(Action.id, Action.name, Action.code).order_by(Action.sort_order)
    ).all()
    brands = conn.execute(select(Brand.id, Brand.name).order_by(Brand.sort_order)).all()
    return MasterData(
        district_ids={r["name"]: r["id"] for r in district_rows},
        district_names=district_names,
        districts=district_matcher(records),
        unit_ids={name: id_ for id_, name, _ in units},
        units=NameMatcher(
            [(name, aliases or []) for _, name, aliases in units], "normalize.kind_unit"
        ),
        action_ids={name: id_ for id_, name, _ in actions},
        actions=NameMatcher([(name, [code]) for _, name, code in actions], "normalize.kind_action"),
        brand_ids={name: id_ for id_, name in brands},
        brands=NameMatcher([(name, []) for _, name in brands], "normalize.kind_brand"),
        unit_districts=unit_districts,
    )
