"""The indicator-trends page on the sample data (32 indicators, 2021-2023) and on an empty
database."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from data_model.charts.common import MUTED_COLOR, TONE_COLORS
from data_model.evaluation.aggregation import aggregate
from data_model.evaluation.scoring import scored_districts
from tests.app.conftest import captions, open_app_page, subheaders
from tests.conftest import AppDatabase

PAGE = "pages/trends.py"


def open_page(db: AppDatabase, monkeypatch, **query) -> AppTest:
    return open_app_page(PAGE, db, monkeypatch, **query)


def table(app: AppTest, index: int = 0) -> dict[str, dict]:
    frame = app.dataframe[index].value
    return {row[frame.columns[0]]: row for row in frame.to_dict("records")}


def chart_count(app: AppTest) -> int:
    return len(app.get("plotly_chart"))


def test_the_first_indicator_in_2023_against_its_target(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert app.title[0].value == "指标趋势"
    assert app.selectbox(key="trend_indicator").value == "YS01"
    headings = subheaders(app)
    assert "企业开办时间：2023年龙华区最优，深汕特别合作区最弱" in headings
    assert "2023年同比变化" in headings
    assert "2023年各区排名：龙华区第一，深汕特别合作区末位" in headings
    assert "营商环境维度各指标走势（2021年—2023年）" in headings
    text = captions(app)
    assert "11个区中10个达到目标值 1 天" in text
    # 龙华区's 2023 is the mean of the 11 months it reported (未报齐 below)
    assert "0个区上升、11个区下降，龙华区变化幅度最大（\u221231.3%）" in text
    assert "逆向指标" in text
    assert "营商环境共 7 项指标，按年度显示 7 项" in text
    changes = table(app)
    assert changes["宝安区"]["同比"] == "\u221226.3%"
    assert changes["龙华区"]["数据完整性"] == "未报齐"
    assert "全市" not in changes  # the city is shown only when chosen
    assert chart_count(app) == 4
    # The series chart colours only the two districts its heading names, labelled at
    # their lines' ends; the other nine are grey.
    series = json.loads(app.get("plotly_chart")[0].proto.spec)
    coloured = {
        trace["legendgroup"]: trace["line"]["color"]
        for trace in series["data"]
        if trace.get("legendgroup") not in (None, "others")
    }
    assert coloured == {"龙华区": TONE_COLORS["good"], "深汕特别合作区": TONE_COLORS["bad"]}
    greys = [t for t in series["data"] if t.get("legendgroup") == "others"]
    assert len(greys) == 9 and {t["line"]["color"] for t in greys} == {MUTED_COLOR}
    ends = [a["text"] for a in series["layout"]["annotations"]]
    assert ends == ["龙华区 0.6", "深汕特别合作区 1.1"]


def test_a_heading_keeps_a_number_on_one_line_with_its_unit(sample_db, monkeypatch):
    """On a projector a heading in large type broke `0.8 天` between the number and its
    unit: the space between them is a no-break space, as in the slides' titles."""
    app = open_page(sample_db, monkeypatch)
    app.sidebar.multiselect(key="f_districts").set_value(["南山区"]).run()
    assert not app.exception
    assert subheaders(app)[0] == "企业开办时间：2023年南山区为 0.8\u00a0天"


def test_an_annual_indicator_is_shown_by_year_on_a_quarterly_page(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2021-Q4")
    app.selectbox(key="trend_indicator").set_value("YS07").run()
    assert not app.exception
    assert "该指标按年度报送，以下按年度显示（2021年）。" in [i.value for i in app.info]
    assert "营商环境企业满意度：2021年龙华区最优，盐田区最弱" in subheaders(app)
    text = captions(app)
    assert "11个区中0个达到目标值 90%" in text
    assert "营商环境共 7 项指标，按季度显示 6 项" in text
    assert "另有 1 项报送频度低于所选粒度" in text


def test_the_hovers_write_values_as_the_finding_and_the_ranking_do(sample_db, monkeypatch):
    """营商环境企业满意度 is in %: a hover writes 龙华区's 2021 as the finding and the
    ranking do (84.9%), not as plotly would (84.87); each panel of the small multiples
    with its own indicator's unit."""
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2021-Q4")
    app.selectbox(key="trend_indicator").set_value("YS07").run()
    assert "龙华区最优（84.9%），盐田区最弱（82.3%）" in captions(app)
    series, ranking, multiples = (json.loads(c.proto.spec) for c in app.get("plotly_chart"))
    [longhua] = [t for t in series["data"] if t.get("hovertemplate", "").startswith("龙华区 ")]
    assert longhua["hovertemplate"].startswith("龙华区 %{x}: %{customdata[2]} ")
    assert longhua["customdata"][longhua["x"].index("2021年")][2] == "84.9%"
    assert [t["name"] for t in series["data"]][-1] == "目标值 90%"
    [bars] = ranking["data"]
    assert bars["hovertemplate"] == "%{y}: %{customdata}<extra></extra>"
    assert (bars["customdata"][0], bars["customdata"][-1]) == ("84.9%", "82.3%")
    notes = ranking["layout"]["annotations"]
    labels = [a["text"] for a in notes if a.get("name") == "bar_label"]
    pairs = zip(bars["customdata"], labels, strict=True)
    assert all(f"名 {value}" in text for value, text in pairs)  # 第1名 84.9%
    assert [a["text"] for a in notes if a.get("name") != "bar_label"] == ["目标值 90%"]
    # The first panel is YS04 减税降费及退税缓税金额（亿元）, the sixth YS05 惠企政策兑现率（%）.
    luohu = multiples["data"][0]
    assert luohu["hovertemplate"] == "罗湖区 %{x}: %{customdata}<extra></extra>"
    assert luohu["customdata"] == ["8.3 亿元", "8.9 亿元", "8.7 亿元", "10.7 亿元"]
    rates = [t for t in multiples["data"] if t["xaxis"] == "x6"]
    assert len(rates) == 12  # eleven districts and their median
    assert all(text.endswith("%") for t in rates for text in t["customdata"])


def test_the_city_and_a_district_quarter_on_quarter(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2023-Q4")
    app.selectbox(key="trend_indicator").set_value("ZL01").run()
    app.sidebar.multiselect(key="f_districts").set_value(["南山区", "全市"]).run()
    assert not app.exception
    assert "2023年第四季度同比、环比变化" in subheaders(app)
    changes = table(app)
    assert set(changes) == {"南山区", "全市"}
    city = changes["全市"]
    assert (city["本期"], city["上期"], city["上年同期"]) == ("264 人", "252 人", "219 人")
    assert (city["环比"], city["同比"]) == ("+4.8%", "+20.5%")


def test_the_dimension_filter_narrows_the_indicator_choice(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.selectbox(key="f_dimension").set_value("商会建设").run()
    assert not app.exception
    box = app.selectbox(key="trend_indicator")
    assert box.value == "SH01"
    assert [o.split()[0] for o in box.options] == ["SH01", "SH02", "SH03", "SH04", "SH05", "SH06"]
    assert "商会建设维度各指标走势（2021年—2023年）" in subheaders(app)


def test_in_english(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, lang="en")
    assert app.title[0].value == "Indicator trends"
    assert "District ranking in 2023: 龙华区 first, 深汕特别合作区 last" in subheaders(app)


def test_an_indicators_unit_is_written_in_the_viewers_language(sample_db, monkeypatch):
    """YS01 企业开办时间 is stored in 天: the English page writes days (a day after 1) in
    its caption, finding, target line, ranking and the small multiples' choices, where it
    wrote `Unit: 天` and `1 天`; the Chinese page writes 天 as stored."""
    pages = {
        "en": open_page(sample_db, monkeypatch, lang="en"),
        "zh-CN": open_page(sample_db, monkeypatch),
    }
    english, chinese = captions(pages["en"]), captions(pages["zh-CN"])
    assert "Unit: days · negative (lower is better)" in english
    assert "target for 2023: 1 day" in english
    assert "reached the target of 1 day; first 龙华区 \\(0.6 days\\)" in english
    assert "计量单位：天" in chinese and "11个区中10个达到目标值 1 天" in chinese
    shown = {
        "en": ("Target 1 day", "0.6 days", "YS04 减税降费及退税缓税金额 (hundred million yuan)"),
        "zh-CN": ("目标值 1 天", "0.6 天", "YS04 减税降费及退税缓税金额（亿元）"),
    }
    for language, (target, first, choice) in shown.items():
        app = pages[language]
        series, _, ranking, _ = (json.loads(c.proto.spec) for c in app.get("plotly_chart"))
        assert series["data"][-1]["name"] == target
        assert ranking["data"][0]["customdata"][0] == first  # 龙华区's
        assert choice in app.multiselect(key="trend_multiples_营商环境_2023").options


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = open_page(empty_db, monkeypatch)
    assert app.title[0].value == "指标趋势"
    assert "暂无数据" in app.info[0].value
    assert chart_count(app) == 0


def test_by_month_the_small_multiples_show_the_24_months_up_to_the_period(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="month", period="2023-06")
    assert not app.exception
    assert "营商环境维度各指标走势（2021年7月—2023年6月）" in subheaders(app)


def panel_titles(app: AppTest) -> list[str]:
    """The titles of the small multiples' panels (the last chart)."""
    figure = json.loads(app.get("plotly_chart")[-1].proto.spec)
    return [a["text"] for a in figure["layout"]["annotations"]]


def test_the_small_multiples_show_the_indicators_chosen(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    pick = app.multiselect(key="trend_multiples_营商环境_2023")
    assert len(pick.value) == 7  # the dimension has fewer than the limit: all of them
    pick.set_value(["YS03", "YS01"]).run()
    assert not app.exception
    assert panel_titles(app) == ["YS03 新登记民营市场主体数（家）", "YS01 企业开办时间（天）"]
    assert "营商环境共 7 项指标，按年度显示 7 项" in captions(app)  # counted over all 7
    app.multiselect(key="trend_multiples_营商环境_2023").set_value([]).run()
    assert "请在上方选择要显示走势的指标。" in [i.value for i in app.info]


def test_a_large_dimension_shows_first_the_indicators_that_moved_most(sample_db, monkeypatch):
    monkeypatch.setattr("data_model.queries.trends_queries.MULTIPLES_LIMIT", 3)
    engine = sample_db.open()
    with engine.connect() as conn:
        medians = (
            aggregate(conn, ["2022", "2023"], None, scored_districts(conn))
            .groupby(["indicator_code", "period"])["value"]
            .median()
            .unstack("period")
        )
    engine.dispose()
    members = [f"YS0{n}" for n in range(1, 8)]
    moved = (medians.loc[members, "2023"] - medians.loc[members, "2022"]).abs()
    expected = list((moved / medians.loc[members, "2022"].abs()).sort_values(ascending=False).index)
    assert expected[:3] == ["YS06", "YS01", "YS05"]  # not the dimension's order
    app = open_page(sample_db, monkeypatch)
    assert app.multiselect(key="trend_multiples_营商环境_2023").value == expected[:3]
    assert len(panel_titles(app)) == 3
    assert "图中先显示与上期相比各区中位数变化最大的 3 项，其余可在上方选择。" in captions(app)
