"""The district-coverage page on the sample data (2021-2023) and on an empty database."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_app_page
from tests.conftest import AppDatabase, sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/coverage.py"
ALL_BRANDS = "深圳企业家日、民企话坛、深圳青年企业家提升计划、深商经贸交流"


def open_page(db: AppDatabase, monkeypatch, **query) -> AppTest:
    monkeypatch.delenv("BOUNDARY_FILE", raising=False)
    return open_app_page(PAGE, db, monkeypatch, **query)


def captions(app: AppTest) -> list[str]:
    return [c.value for c in app.caption]


def chart_specs(app: AppTest) -> list[str]:
    return [chart.proto.spec for chart in app.get("plotly_chart")]


def map_labels(app: AppTest) -> dict[str, str]:
    """District code → the text written on the map (name and value)."""
    figure = json.loads(chart_specs(app)[0])
    labels = next(trace for trace in figure["data"] if trace.get("name") == "labels")
    return dict(zip(labels["customdata"], labels["text"], strict=True))


def values_table(app: AppTest):
    return app.dataframe[0].value


def gap_list(app: AppTest):
    return app.dataframe[1].value


def test_2023_submission_coverage_on_the_map(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert app.title[0].value == "区覆盖"
    assert app.sidebar.selectbox(key="f_period").value == "2023"
    assert app.radio(key="coverage_measure").value == "submission_coverage"
    assert "2023年各地区报送覆盖率" in [h.value for h in app.subheader]
    assert "11个地区中3个达到100%，最低为深汕特别合作区（87.9%）。" in captions(app)
    table = values_table(app).set_index("地区")
    assert table.loc["深汕特别合作区"].tolist() == ["87.9%", 181, 206]
    assert table.loc["全市（市本级）"].tolist() == ["100%", 206, 206]
    assert len(table) == 12
    assert any(c.startswith("\\* 深汕特别合作区在边界文件中没有单独的范围") for c in captions(app))
    assert "大鹏新区（属龙岗区）在行政区划数据中是所属区的一部分" in "".join(captions(app))


def test_the_map_is_drawn_offline_with_dapeng_as_a_shape_and_a_marked_tile(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    spec = chart_specs(app)[0]
    assert not re.search(r"https?://", spec)
    assert not re.search(
        r'"type":\s*"(scattergeo|choropleth|choroplethmap|scattermap|\w*mapbox)"', spec
    )
    assert '"geo"' not in spec and '"mapbox"' not in spec
    labels = map_labels(app)
    assert labels["DAPENG"] == "大鹏<br>93.2%"  # its own shape, the peninsula
    assert labels["SHENSHAN"] == "深汕*<br>87.9%"
    assert labels["440307"] == "龙岗<br>99.5%"
    assert "440300" not in labels  # the city itself is not on the map


def test_shenshan_has_no_brand_activity_in_2023_and_is_listed_as_a_gap(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert (
        "12个地区中，0个地区4个品牌都有活动，11个地区部分品牌空白，1个地区没有任何品牌活动。"
        in captions(app)
    )
    gaps = gap_list(app)
    shenshan = gaps[gaps["地区"] == "深汕特别合作区"]
    assert shenshan["缺口"].tolist() == ["无品牌活动", "指标缺报", "无直联走访"]
    assert shenshan["说明"].iloc[0] == f"{ALL_BRANDS}均无活动"
    assert shenshan["说明"].iloc[1].startswith("14/32项指标有缺报：")
    assert len(gaps) == 24
    assert (
        "12个地区共有24处缺口：无品牌活动1个，品牌活动空白11个，指标缺报8个，无直联走访4个。"
        in captions(app)
    )


def test_in_2021_every_geography_held_a_brand_activity(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, period="2021")
    assert "无品牌活动" not in set(gap_list(app)["缺口"])


def test_focusing_on_a_district_narrows_the_gap_list(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.selectbox(key="coverage_focus").set_value("深汕特别合作区").run()
    assert not app.exception
    assert set(gap_list(app)["地区"]) == {"深汕特别合作区"}
    assert len(gap_list(app)) == 3
    assert len(values_table(app)) == 12  # the map's own table still lists everyone
    # the brand matrix outlines the focused row (the 12th of 12)
    assert '"y0":10.5' in chart_specs(app)[1].replace(" ", "")
    app.button[0].click().run()  # clear the focus
    assert app.selectbox(key="coverage_focus").value == ""
    assert len(gap_list(app)) == 24


def test_activities_held_measure_names_the_busiest_and_quietest_district(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.radio(key="coverage_measure").set_value("activities").run()
    assert not app.exception
    assert "11个地区合计112 场，最多为龙华区（18 场），最少为深汕特别合作区（1 场）。" in captions(
        app
    )
    table = values_table(app).set_index("地区")
    assert table.loc["全市（市本级）", "开展活动"] == "40 场"


def test_the_district_filter_limits_the_page(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.multiselect(key="f_districts").set_value(["南山区", "大鹏新区"]).run()
    assert not app.exception
    assert set(gap_list(app)["地区"]) == {"南山区", "大鹏新区"}
    assert "2个地区中0个达到100%，最低为大鹏新区（93.2%）。" in captions(app)


def test_a_broken_boundary_file_falls_back_to_tiles_with_a_notice(sample_db, monkeypatch, tmp_path):
    broken = tmp_path / "map.geojson"
    broken.write_text("{broken", encoding="utf-8")
    sample_db.use(monkeypatch)
    monkeypatch.setenv("BOUNDARY_FILE", str(broken))
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), sample_db)
    app.switch_page(PAGE).run()
    assert not app.exception
    assert len(app.warning) == 1
    assert "已改用方块图" in app.warning[0].value
    labels = map_labels(app)
    assert labels["DAPENG"] == "大鹏<br>93.2%"  # the tile grid: no tile is marked
    assert len(labels) == 11


def test_the_tile_view_needs_no_boundary_file(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.radio(key="coverage_view").set_value("tiles").run()
    assert not app.exception
    assert not app.warning
    labels = map_labels(app)
    assert labels["SHENSHAN"] == "深汕<br>87.9%"
    assert labels["440303"] == "罗湖<br>100%"


def test_coverage_in_english(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, lang="en")
    assert app.title[0].value == "District coverage"
    assert "Submission coverage by district, 2023" in [h.value for h in app.subheader]


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = open_page(empty_db, monkeypatch)
    assert app.info and "暂无数据" in app.info[0].value
    assert not app.get("plotly_chart")
