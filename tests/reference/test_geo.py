"""The district map's boundary file: the shipped Shenzhen shapes, a customer's own file, and
the fallback to tiles when the file cannot be used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_model import settings
from data_model.reference.geo import (
    Area,
    DistrictMap,
    Feature,
    hit_points,
    load_district_map,
    match_features,
    read_boundary_file,
    tile_grid,
)

DEFAULTS = Path(__file__).resolve().parents[2] / "data_model" / "defaults"
SHIPPED = DEFAULTS / "shenzhen_districts.geojson"
DISTRICT_CODES = [f"4403{n:02d}" for n in range(3, 12)]


@pytest.fixture
def areas() -> tuple[Area, ...]:
    """The default master data's geographies, in order."""
    master = json.loads((DEFAULTS / "master_data.json").read_text(encoding="utf-8"))
    return tuple(
        Area(d["code"], d["name"], d["short_name"], d["kind"]) for d in master["districts"]
    )


def square(left: float, bottom: float, side: float = 0.1) -> list[list[float]]:
    return [
        [left, bottom],
        [left + side, bottom],
        [left + side, bottom + side],
        [left, bottom + side],
        [left, bottom],
    ]


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def ring_area(ring) -> float:
    return (
        abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))) / 2
    )


def test_shipped_file_holds_the_nine_districts_and_is_small():
    assert SHIPPED.stat().st_size < 200 * 1024
    features = read_boundary_file(SHIPPED)
    assert sorted(f.code for f in features if f.code) == DISTRICT_CODES
    names = {f.code: f.name for f in features}
    assert names["440303"] == "罗湖区"
    assert names["440307"] == "龙岗区"
    # 大鹏新区 is 龙岗区's eastern part (the source has it as such, with no border of its
    # own): a feature of its own, marked as part of 龙岗区.
    [dapeng] = [f for f in features if f.part_of]
    assert (dapeng.code, dapeng.name, dapeng.part_of) == ("", "大鹏新区", "440307")
    assert min(x for x, _ in dapeng.polygons[0][0]) > 114.33
    for feature in features:
        assert feature.polygons, feature.code
        for polygon in feature.polygons:
            outer = polygon[0]
            assert len(outer) >= 4 and outer[0] == outer[-1]
            assert ring_area(outer) > 0
            # every vertex lies in Shenzhen (113.7-114.7 E, 22.3-22.9 N)
            assert all(113.7 < x < 114.7 and 22.3 < y < 22.9 for x, y in outer)


def test_shipped_shapes_are_valid_and_do_not_overlap():
    shapely = pytest.importorskip("shapely")  # installed for scripts/build_boundaries.py
    from shapely.geometry import Point, shape

    collection = json.loads(SHIPPED.read_text(encoding="utf-8"))
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in collection["features"]}
    for code, geometry in shapes.items():
        assert geometry.is_valid and not geometry.is_empty, code
    labels = {f["properties"]["name"]: f["properties"]["label"] for f in collection["features"]}
    for code, label in labels.items():
        assert shapes[code].contains(Point(label)), code
    overlap = sum(
        a.intersection(b).area
        for i, a in enumerate(shapes.values())
        for b in list(shapes.values())[i + 1 :]
    )
    assert overlap < 1e-6
    assert shapely.union_all(list(shapes.values())).area > 0.18  # about 1,990 km²


def test_default_map_draws_ten_shapes_and_shenshan_as_a_tile_beside_them(areas, monkeypatch):
    """大鹏新区 has its own figures: its peninsula is drawn in its colour, not in
    龙岗区's (the tester saw 99.5% on it beside a 大鹏* tile reading 93.2%)."""
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    layout = load_district_map(areas)
    assert layout.problem is None
    assert layout.source == str(SHIPPED.resolve())
    shapes = {r.code: r for r in layout.regions if not r.tile}
    tiles = [r.code for r in layout.regions if r.tile]
    assert sorted(shapes) == sorted([*DISTRICT_CODES, "DAPENG"])
    assert tiles == ["SHENSHAN"]
    assert layout.without_shape == ("深汕特别合作区",)
    assert len(shapes["440307"].polygons) == 1  # 龙岗 proper only
    assert min(x for x, _ in shapes["DAPENG"].polygons[0][0]) > 114.33
    assert "440300" not in {r.code for r in layout.regions}  # the city is not a shape
    right_edge = max(x for r in layout.regions if not r.tile for x, _ in r.polygons[0][0])
    assert all(r.polygons[0][0][0][0] > right_edge for r in layout.regions if r.tile)
    assert 1.07 < layout.y_scale < 1.1  # 1 / cos(22.6°)


def test_a_districts_part_no_area_claims_is_drawn_as_the_district(areas, monkeypatch):
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    without_dapeng = tuple(a for a in areas if a.code != "DAPENG")
    layout = load_district_map(without_dapeng)
    longgang = next(r for r in layout.regions if r.code == "440307")
    assert len(longgang.polygons) == 2  # 龙岗 proper and the 大鹏 peninsula: no hole
    assert "DAPENG" not in {r.code for r in layout.regions}
    assert layout.without_shape == ("深汕特别合作区",)


def test_a_custom_boundary_file_from_the_environment_is_used(areas, tmp_path, monkeypatch):
    custom = write_geojson(
        tmp_path / "approved.geojson",
        [
            # matched by name (its code is the customer's own)
            {
                "type": "Feature",
                "properties": {"code": "LH", "name": "罗湖区"},
                "geometry": {"type": "Polygon", "coordinates": [square(114.1, 22.5)]},
            },
            # matched by `adcode`, as in many published files; two parts
            {
                "type": "Feature",
                "properties": {"adcode": 440304, "name": "Futian"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[square(114.0, 22.5)], [square(113.8, 22.5, 0.05)]],
                },
            },
            # a district's point feature is ignored
            {
                "type": "Feature",
                "properties": {"code": "440305"},
                "geometry": {"type": "Point", "coordinates": [113.9, 22.5]},
            },
        ],
    )
    monkeypatch.setenv("BOUNDARY_FILE", str(custom))
    assert settings.boundary_file() == custom
    layout = load_district_map(areas)
    assert layout.problem is None and layout.source == str(custom)
    shapes = {r.code: r for r in layout.regions if not r.tile}
    assert set(shapes) == {"440303", "440304"}
    assert shapes["440303"].polygons[0][0][0] == (114.1, 22.5)
    assert len(shapes["440304"].polygons) == 2
    # without a `label`, the name goes to the centre of the largest part
    assert shapes["440304"].label_point == pytest.approx((114.05, 22.55))
    assert len([r for r in layout.regions if r.tile]) == 9  # the other nine areas


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "missing"),
        ("{not json", "unreadable"),
        ('{"type": "Feature"}', "invalid"),
        ('{"type": "FeatureCollection", "features": []}', "invalid"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"code": "440303"}, "geometry": {"type": "Polygon", "coordinates": [[[1, 2]]]}}]}',
            "invalid",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"code": "440303"}, "geometry": {"type": "Polygon", "coordinates": '
            "[[[500, 22], [501, 22], [501, 23], [500, 22]]]}}]}",
            "invalid",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"code": "999999", "name": "别处"}, "geometry": {"type": "Polygon", '
            '"coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]}}]}',
            "no_match",
        ),
    ],
)
def test_an_unusable_file_gives_a_problem_and_no_regions(
    areas, tmp_path, monkeypatch, content, problem
):
    path = tmp_path / "boundaries.geojson"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("BOUNDARY_FILE", str(path))
    layout = load_district_map(areas)
    assert layout.problem == problem
    assert layout.regions == ()
    assert layout.source == str(path)


def test_tile_grid_lays_out_every_area_but_the_city(areas):
    layout = tile_grid(areas)
    assert isinstance(layout, DistrictMap) and layout.problem is None
    assert [r.code for r in layout.regions] == [a.code for a in areas if a.kind != "city"]
    assert all(r.tile for r in layout.regions)
    lower_left = {r.code: r.polygons[0][0][0] for r in layout.regions}
    # west to east: 宝安 < 南山 < 福田 < 罗湖 < 盐田 < 大鹏 < 深汕; north above south
    order = ["440306", "440305", "440304", "440303", "440308", "DAPENG", "SHENSHAN"]
    xs = [lower_left[code][0] for code in order]
    assert xs == sorted(xs)
    assert lower_left["440309"][1] > lower_left["440304"][1]  # 龙华 north of 福田


def test_tile_grid_places_unknown_areas_in_a_row_below(areas):
    extra = (*areas, Area("440399", "新设区", "新设", "district"))
    layout = tile_grid(extra, positions={"440303": (0, 0)})
    bottoms = {r.code: r.polygons[0][0][0][1] for r in layout.regions}
    assert bottoms["440399"] < bottoms["440303"]
    assert len(layout.regions) == 12


def test_hit_points_lie_inside_the_region(areas, monkeypatch):
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    layout = load_district_map(areas)
    futian = next(r for r in layout.regions if r.code == "440304")
    points = hit_points(futian, layout.spacing)
    assert len(points) > 10
    xs = [x for x, _ in futian.polygons[0][0]]
    ys = [y for _, y in futian.polygons[0][0]]
    assert all(min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys) for x, y in points)


def test_a_district_is_matched_by_its_map_code_and_an_unknown_one_becomes_a_tile():
    square = ((((120.0, 30.0), (120.1, 30.0), (120.1, 30.1), (120.0, 30.1), (120.0, 30.0)),),)
    features = [Feature(code="HZ-SC", name="", polygons=square, label=None)]
    areas = [
        Area("330102", "上城区", "上城", "district", map_code="HZ-SC"),
        Area("330106", "西湖区", "西湖", "district", map_code="330106"),
    ]
    matched, unmatched = match_features(areas, features)
    assert list(matched) == ["330102"]
    assert [a.name for a in unmatched] == ["西湖区"]
    grid = tile_grid(areas, positions={})  # a tile file that knows neither district
    assert [r.name for r in grid.regions] == ["上城区", "西湖区"]
