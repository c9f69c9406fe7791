"""District shapes for the coverage map, read from a GeoJSON boundary file (no plotly here).

The map is drawn by the app itself from these polygons, so it needs nothing from the
internet. The file is `settings.boundary_file()` (`BOUNDARY_FILE`, default the shipped
Shenzhen districts, see `defaults/BOUNDARIES.md`): a FeatureCollection of Polygon or
MultiPolygon features in lon/lat, each matched to a master-data district by its `code`
property (also `adcode`, as in many published files) or else by its `name`. An optional
`label` property [lon, lat] says where the district's name goes. A feature with a
`part_of` property (a district's code) is part of that district's territory drawn on its
own, such as 大鹏新区 in 龙岗区: it takes the values of the area it names where the
master data has that area, and is drawn as part of the district where it does not.

Districts without a shape (深汕特别合作区, or any the file lacks) are drawn as
labelled tiles beside the map. When the file is missing or unusable the result says
why and the page falls back to the tile grid, which needs no geodata at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data_model import settings

TILES_FILE = settings.DEFAULTS_DIR / "district_tiles.json"

Point = tuple[float, float]
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # exterior ring first, then holes


@dataclass(frozen=True)
class Area:
    """A geography of the master data as the map needs it."""

    code: str
    name: str
    short_name: str
    kind: str  # city | district | functional_area
    # The district's feature code in the boundary file ("" or the admin code by default).
    map_code: str = ""


@dataclass(frozen=True)
class Region:
    """One thing drawn on the map: a district's shape or a square tile."""

    code: str
    name: str
    label: str
    polygons: tuple[Polygon, ...]
    label_point: Point
    tile: bool


@dataclass(frozen=True)
class DistrictMap:
    """What the chart draws. `problem` is set (and `regions` empty) when the file is unusable."""

    regions: tuple[Region, ...]
    without_shape: tuple[str, ...] = ()  # names of areas drawn as tiles beside the map
    # (area, district) names of areas drawn on their own as part of a district's territory
    parts: tuple[tuple[str, str], ...] = ()
    y_scale: float = 1.0  # plot units of y per unit of x, so shapes keep their proportions
    spacing: float = 0.3  # distance between hit points (see `hit_points`)
    problem: str | None = None  # missing | unreadable | invalid | no_match
    source: str = ""


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    polygons: tuple[Polygon, ...]
    label: Point | None
    part_of: str = ""  # the code of the district whose territory this is part of


class BoundaryError(ValueError):
    """The boundary file cannot be used; `reason` is one of DistrictMap.problem's values."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def read_boundary_file(path: Path) -> tuple[Feature, ...]:
    """The polygon features of a GeoJSON file; raises BoundaryError when it is unusable."""
    try:
        stat = path.stat()
    except OSError as error:
        raise BoundaryError("missing", str(path)) from error
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_cached(path: str, _mtime: int, _size: int) -> tuple[Feature, ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryError("unreadable", str(error)) from error
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BoundaryError("invalid", "not a GeoJSON FeatureCollection")
    features = []
    for number, item in enumerate(data["features"], start=1):
        if not isinstance(item, dict):
            raise BoundaryError("invalid", f"feature {number} is not an object")
        geometry = item.get("geometry") or {}
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            continue  # points, lines or empty geometries carry no district area
        properties = item.get("properties") or {}
        code = properties.get("code", properties.get("adcode"))
        try:
            coordinates = geometry["coordinates"]
            parts = [coordinates] if kind == "Polygon" else coordinates
            polygons = tuple(_polygon(part) for part in parts)
            label = _point(properties["label"]) if properties.get("label") else None
        except (KeyError, TypeError, ValueError) as error:
            raise BoundaryError("invalid", f"feature {number}: {error}") from error
        if not polygons:
            continue
        features.append(
            Feature(
                code="" if code is None else str(code).strip(),
                name=str(properties.get("name") or "").strip(),
                polygons=polygons,
                label=label,
                part_of=str(properties.get("part_of") or "").strip(),
            )
        )
    if not features:
        raise BoundaryError("invalid", "no Polygon or MultiPolygon features")
    return tuple(features)


def _polygon(rings: object) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise ValueError("a polygon needs at least its outer ring")
    return tuple(_ring(ring) for ring in rings)


def _ring(ring: object) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError("a ring needs at least four positions")
    points = tuple(_point(position) for position in ring)
    if points[0] != points[-1]:
        points = (*points, points[0])  # tolerate an unclosed ring
    if abs(_signed_area(points)) == 0:
        raise ValueError("a ring encloses no area")
    return points


def _point(position: object) -> Point:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise ValueError(f"bad position {position!r}")
    lon, lat = float(position[0]), float(position[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"position {position!r} is not a longitude/latitude pair")
    return lon, lat


def _signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def _centroid(ring: Ring) -> Point:
    area = _signed_area(ring)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)


def label_point(feature: Feature) -> Point:
    """The file's `label`, else the centroid of the largest part."""
    if feature.label is not None:
        return feature.label
    largest = max(feature.polygons, key=lambda polygon: abs(_signed_area(polygon[0])))
    return _centroid(largest[0])


def match_features(
    areas: Sequence[Area], features: Sequence[Feature]
) -> tuple[dict[str, Feature], tuple[Area, ...]]:
    """Features per area code (by the area's map code, else its admin code, else by name),
    and the areas no feature matches.

    The city itself (kind `city`) is never a map shape: the map shows its parts.
    """
    by_code = {f.code: f for f in features if f.code}
    by_name = {f.name: f for f in features if f.name}
    matched: dict[str, Feature] = {}
    unmatched = []
    for area in areas:
        if area.kind == "city":
            continue
        feature = by_code.get(area.map_code) or by_code.get(area.code) or by_name.get(area.name)
        if feature is None:
            unmatched.append(area)
        else:
            matched[area.code] = feature
    return matched, tuple(unmatched)


def load_district_map(areas: Sequence[Area], path: Path | None = None) -> DistrictMap:
    """The map regions: a shape per matched area, a tile beside the map for each other one.

    Never raises for a bad file: the result's `problem` says what is wrong instead.
    """
    path = path or settings.boundary_file()
    try:
        features = read_boundary_file(path)
    except BoundaryError as error:
        return DistrictMap(regions=(), problem=error.reason, source=str(path))
    matched, unmatched = match_features(areas, features)
    if not matched:
        return DistrictMap(regions=(), problem="no_match", source=str(path))
    # A district's part that no area of the master data claims is drawn as the district.
    claimed = {id(feature) for feature in matched.values()}
    unclaimed: dict[str, tuple[Polygon, ...]] = {}
    for feature in features:
        if feature.part_of and id(feature) not in claimed:
            unclaimed[feature.part_of] = unclaimed.get(feature.part_of, ()) + feature.polygons
    regions = [
        Region(
            code=area.code,
            name=area.name,
            label=area.short_name or area.name,
            polygons=matched[area.code].polygons + unclaimed.get(matched[area.code].code, ()),
            label_point=label_point(matched[area.code]),
            tile=False,
        )
        for area in areas
        if area.code in matched
    ]
    district_names = {feature.code: feature.name for feature in features if feature.code}
    parts = tuple(
        (area.name, district_names.get(matched[area.code].part_of, matched[area.code].part_of))
        for area in areas
        if area.code in matched and matched[area.code].part_of
    )
    xs = [x for region in regions for polygon in region.polygons for x, _ in polygon[0]]
    ys = [y for region in regions for polygon in region.polygons for _, y in polygon[0]]
    # Equirectangular at the map's mid-latitude: a degree of latitude is longer than
    # a degree of longitude by 1 / cos(latitude).
    y_scale = 1 / math.cos(math.radians((min(ys) + max(ys)) / 2))
    regions += _side_tiles(unmatched, max(xs), max(ys), max(xs) - min(xs), y_scale)
    return DistrictMap(
        regions=tuple(regions),
        without_shape=tuple(area.name for area in unmatched),
        parts=parts,
        y_scale=y_scale,
        spacing=(max(xs) - min(xs)) / 50,
        source=str(path),
    )


def _side_tiles(
    areas: Sequence[Area], right: float, top: float, width: float, y_scale: float
) -> list[Region]:
    """Squares in a column to the right of the map, from its top down."""
    side = width * 0.1
    height = side / y_scale  # square on screen
    left = right + side * 0.5
    regions = []
    for index, area in enumerate(areas):
        upper = top - index * height * 1.4
        regions.append(_square(area, left, upper - height, side, height))
    return regions


def _square(area: Area, left: float, bottom: float, width: float, height: float) -> Region:
    ring = (
        (left, bottom),
        (left + width, bottom),
        (left + width, bottom + height),
        (left, bottom + height),
        (left, bottom),
    )
    return Region(
        code=area.code,
        name=area.name,
        label=area.short_name or area.name,
        polygons=((ring,),),
        label_point=(left + width / 2, bottom + height / 2),
        tile=True,
    )


def _inside(point: Point, ring: Ring) -> bool:
    """Ray casting: is `point` inside the closed `ring`?"""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


@lru_cache(maxsize=256)
def hit_points(region: Region, spacing: float) -> tuple[Point, ...]:
    """Points on a grid `spacing` apart inside the region, plus its label point.

    The chart puts an invisible marker on each, so a click or hover anywhere on a
    district finds it (plotly reports clicks on markers, not on filled areas). They
    depend on the shape alone, so each region's are found once per process (the ray
    casting of every map took about 0.1 s of each render).
    """
    points = [region.label_point]
    for polygon in region.polygons:
        ring = polygon[0]
        xs = [x for x, _ in ring]
        ys = [y for _, y in ring]
        first_x = math.floor(min(xs) / spacing) * spacing + spacing / 2
        first_y = math.floor(min(ys) / spacing) * spacing + spacing / 2
        for i in range(math.ceil((max(xs) - first_x) / spacing) + 1):
            for j in range(math.ceil((max(ys) - first_y) / spacing) + 1):
                point = (first_x + i * spacing, first_y + j * spacing)
                if _inside(point, ring):
                    points.append(point)
    return tuple(points)


def tile_positions(path: Path = TILES_FILE) -> dict[str, tuple[int, int]]:
    """[column, row] per area code for the tile grid (column 0 west, row 0 north)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: (int(v[0]), int(v[1])) for code, v in data.items() if not code.startswith("_")}


def tile_grid(
    areas: Sequence[Area], positions: dict[str, tuple[int, int]] | None = None
) -> DistrictMap:
    """One square per area (the city itself excluded), laid out roughly as on a map.

    Areas without a configured position fill a row below the others, in the given order.
    """
    positions = tile_positions() if positions is None else positions
    shown = [area for area in areas if area.kind != "city"]
    placed = {area.code: positions[area.code] for area in shown if area.code in positions}
    extra_row = max((row for _, row in placed.values()), default=-1) + 1
    for column, area in enumerate(a for a in shown if a.code not in placed):
        placed[area.code] = (column, extra_row)
    regions = tuple(
        _square(area, placed[area.code][0], -placed[area.code][1] - 0.9, 0.9, 0.9) for area in shown
    )
    return DistrictMap(regions=regions)
