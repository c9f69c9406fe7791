"""The coverage charts draw everything themselves: nothing is fetched from the internet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from data_model.charts.common import literal_labels
from data_model.charts.coverage import (
    FOCUS_BORDER,
    NO_VALUE,
    NOT_SHOWN,
    SEQUENTIAL,
    action_heatmap,
    brand_heatmap,
    colour_range,
    district_map,
    scale_colour,
    selected_code,
)
from data_model.reference.geo import Area, load_district_map, tile_grid

DEFAULTS = Path(__file__).resolve().parents[2] / "data_model" / "defaults"


@pytest.fixture
def areas() -> tuple[Area, ...]:
    master = json.loads((DEFAULTS / "master_data.json").read_text(encoding="utf-8"))
    return tuple(
        Area(d["code"], d["name"], d["short_name"], d["kind"]) for d in master["districts"]
    )


@pytest.fixture
def shipped_map(areas, monkeypatch):
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    return load_district_map(areas)


def measure_frame(areas, values: dict[str, float | None]) -> pd.DataFrame:
    rows = [(a.code, a.name, values.get(a.code, 50.0)) for a in areas if a.kind != "city"]
    frame = pd.DataFrame(rows, columns=["code", "district", "value"])
    frame["text"] = [("—" if v is None else f"{v:g}%") for v in frame["value"]]
    return frame


def traces_by_name(figure) -> dict:
    return {trace.name: trace for trace in figure.data}


def assert_offline(figure) -> None:
    text = figure.to_json()
    assert not re.search(r"https?://", text)
    assert {trace.type for trace in figure.data} <= {"scatter", "heatmap"}
    layout = figure.to_plotly_json()["layout"]
    assert not {"geo", "mapbox", "map"} & set(layout)
    assert all(not key.startswith(("geo", "mapbox", "map")) for key in layout)


def test_district_map_needs_nothing_from_the_internet(areas, shipped_map):
    figure = district_map(shipped_map, measure_frame(areas, {}), "报送覆盖率", rate=True)
    assert_offline(figure)
    assert figure.layout.clickmode == "event+select"
    assert figure.layout.yaxis.scaleanchor == "x"
    assert figure.layout.yaxis.scaleratio == pytest.approx(shipped_map.y_scale)
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False


def test_district_map_colours_each_district_by_its_value(areas, shipped_map):
    values = {"440303": 100.0, "440304": 60.0, "440305": None}
    figure = district_map(shipped_map, measure_frame(areas, values), "报送覆盖率", rate=True)
    traces = traces_by_name(figure)
    low, high = 50.0, 100.0  # the lowest value present to 100
    assert traces["罗湖区"].fillcolor == SEQUENTIAL[-1]
    assert traces["福田区"].fillcolor == scale_colour(60.0, low, high)
    assert traces["南山区"].fillcolor == NO_VALUE
    assert traces["罗湖区"].fill == "toself"


def test_areas_without_a_shape_are_marked_tiles_beside_the_map(areas, shipped_map):
    values = {"DAPENG": 100.0, "SHENSHAN": 50.0, "440307": 50.0}
    figure = literal_labels(  # as the page draws it
        district_map(shipped_map, measure_frame(areas, values), "报送覆盖率", rate=True)
    )
    traces = traces_by_name(figure)
    tile = traces["深汕特别合作区"]
    xs = [x for x in tile.x if x is not None]
    assert len(xs) == 5  # a closed square
    assert tile.line.dash == "dot"
    assert tile.fillcolor == SEQUENTIAL[0]
    # 大鹏新区 is its own shape, the 龙岗区 part it is, in its own colour.
    dapeng = traces["大鹏新区"]
    assert len([x for x in dapeng.x if x is not None]) > 100 and dapeng.line.dash != "dot"
    assert (dapeng.fillcolor, traces["龙岗区"].fillcolor) == (SEQUENTIAL[-1], SEQUENTIAL[0])
    labels = traces["labels"]
    text = dict(zip(labels.customdata, labels.text, strict=True))
    assert text["DAPENG"].startswith("大鹏<br>")
    assert text["SHENSHAN"].startswith("深汕*")
    assert text["440303"].startswith("罗湖<br>")


def test_tile_grid_marks_no_tile_and_filtered_districts_are_grey(areas):
    frame = measure_frame(areas, {})
    shown = frame[frame["code"] != "440303"]  # 罗湖区 filtered out
    figure = district_map(tile_grid(areas), shown, "开展活动", rate=False)
    assert_offline(figure)
    traces = traces_by_name(figure)
    assert traces["罗湖区"].fillcolor == NOT_SHOWN
    assert "*" not in "".join(traces["labels"].text)
    assert traces["深汕特别合作区"].line.dash == "solid"


def test_a_click_anywhere_on_a_district_selects_its_code(areas, shipped_map):
    figure = district_map(shipped_map, measure_frame(areas, {}), "报送覆盖率", rate=True)
    hits = traces_by_name(figure)["districts"]
    assert set(hits.customdata) == {a.code for a in areas if a.kind != "city"}
    assert list(hits.customdata).count("440307") > list(hits.customdata).count("440303") > 1


def test_the_focused_district_is_outlined(areas, shipped_map):
    figure = district_map(
        shipped_map, measure_frame(areas, {}), "报送覆盖率", rate=True, focus="440305"
    )
    traces = traces_by_name(figure)
    assert traces["南山区"].line.color == FOCUS_BORDER
    assert traces["福田区"].line.color != FOCUS_BORDER


def test_selected_code_reads_plotlys_selection_state():
    assert selected_code({"points": [{"curve_number": 12, "customdata": "440305"}]}) == "440305"
    assert selected_code({"points": [{"customdata": ["DAPENG"]}]}) == "DAPENG"
    # as the master data writes it, not as `literal_labels` wrote it in the figure
    assert selected_code({"points": [{"customdata": "A&amp;B"}]}) == "A&B"
    assert selected_code({"points": [{"curve_number": 0}]}) is None
    assert selected_code({"points": [], "box": [], "lasso": []}) is None
    assert selected_code(None) is None


def test_colour_scale_ends_and_ranges():
    assert scale_colour(0, 0, 10) == SEQUENTIAL[0]
    assert scale_colour(10, 0, 10) == SEQUENTIAL[-1]
    assert scale_colour(50, 0, 10) == SEQUENTIAL[-1]  # clipped
    assert scale_colour(5, 5, 5) == SEQUENTIAL[0]  # an empty range does not divide by zero
    assert colour_range(pd.Series([80.0, 95.0, None]), rate=True) == (80.0, 100.0)
    assert colour_range(pd.Series([100.0, 100.0]), rate=True) == (0.0, 100.0)
    assert colour_range(pd.Series([0.0, 7.0]), rate=False) == (0.0, 7.0)
    assert colour_range(pd.Series([None], dtype="float64"), rate=False) == (0.0, 1.0)


def test_brand_heatmap_writes_the_counts_and_outlines_the_focus():
    frame = pd.DataFrame(
        [
            ("罗湖区", "民企话坛", 2),
            ("罗湖区", "深圳企业家日", 0),
            ("深汕特别合作区", "民企话坛", 0),
            ("深汕特别合作区", "深圳企业家日", 0),
        ],
        columns=["district", "brand", "count"],
    )
    figure = brand_heatmap(frame, focus="深汕特别合作区")
    assert_offline(figure)
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["罗湖区", "深汕特别合作区"]
    assert list(heatmap.x) == ["民企话坛", "深圳企业家日"]
    assert heatmap.text.tolist() == [["2", "0"], ["0", "0"]]
    (outline,) = figure.layout.shapes
    assert (outline.y0, outline.y1) == (0.5, 1.5)


def test_action_heatmap_labels_cells_completed_of_total():
    frame = pd.DataFrame(
        [
            ("全市", "领跑行动", 2, 1, 50.0),
            ("全市", "连心行动", 0, 0, None),
            ("南山区", "领跑行动", 1, 1, 100.0),
            ("南山区", "连心行动", 3, 0, 0.0),
        ],
        columns=["district", "action", "tasks", "completed", "rate"],
    )
    figure = action_heatmap(frame, "完成率")
    assert_offline(figure)
    heatmap = figure.data[0]
    assert heatmap.text.tolist() == [["1/2", ""], ["1/1", "0/3"]]
    assert heatmap.z[0][0] == 50 and pd.isna(heatmap.z[0][1])
    assert (heatmap.zmin, heatmap.zmax) == (0, 100)
    assert not figure.layout.shapes


def test_action_heatmap_hovers_write_rates_as_the_page_does():
    frame = pd.DataFrame(
        [("南山区", "领跑行动", 3, 2, 200 / 3), ("南山区", "连心行动", 10, 7, 70.0)],
        columns=["district", "action", "tasks", "completed", "rate"],
    )
    heatmap = action_heatmap(frame, "完成率").data[0]
    # One decimal, no trailing .0 (plotly's %{z:.0f}% wrote 67% and 70% here).
    assert heatmap.customdata.tolist() == [["66.7%", "70%"]]
    assert "%{customdata}" in heatmap.hovertemplate and ":.0f" not in heatmap.hovertemplate
