"""The evaluation page on the sample data (11 districts, 32 indicators) and on an empty
database."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.app.conftest import captions, open_app_page, subheaders
from tests.conftest import AppDatabase

PAGE = "pages/evaluation.py"


def open_page(db: AppDatabase, monkeypatch, **query) -> AppTest:
    return open_app_page(PAGE, db, monkeypatch, **query)


def scores_table(app: AppTest) -> dict[str, dict]:
    frame = app.dataframe[0].value
    return {row["区"]: row for row in frame.to_dict("records")}


def chart_types(app: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["data"][0]["type"] for c in app.get("plotly_chart")]


def test_2023_scores_ranks_and_method(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    assert app.title[0].value == "综合评价"
    assert "2023年综合评价：南山区排名第一（98.49分）" in subheaders(app)
    scores = scores_table(app)
    assert list(scores) == [
        "南山区",
        "宝安区",
        "龙岗区",
        "龙华区",
        "罗湖区",
        "福田区",
        "光明区",
        "坪山区",
        "盐田区",
        "大鹏新区",
        "深汕特别合作区",
    ]
    assert scores["南山区"]["综合得分"] == "98.49"
    assert scores["南山区"]["营商环境"] == "99.86"
    last = scores["深汕特别合作区"]
    assert (last["综合得分"], last["排名"], last["排名变化"], last["未报送指标数"]) == (
        "38.93",
        11,
        "持平",
        1,
    )
    text = captions(app)
    assert "最高南山区（98.49分），最低深汕特别合作区（38.93分）" in text
    assert "本期计入 32 项指标，权重合计 100。" in text
    assert "共 1 项未报送（各计 0 分），涉及 1 个区，最多的是深汕特别合作区（1项）。" in text
    weights = app.dataframe[1].value
    assert len(weights) == 32
    assert list(weights.columns[:4]) == ["指标编码", "指标名称", "权重", "本期目标值"]
    assert weights.iloc[0].tolist() == [
        "YS01",
        "企业开办时间",
        "3",
        "1 天",
        "逆向",
        "营商环境",
        "平均",
    ]
    missing = app.dataframe[2].value
    assert missing.iloc[0].tolist() == [
        "深汕特别合作区",
        "CZ04",
        "民营企业家综合评价覆盖率",
        "民营经济人士成长",
    ]
    assert any("100 × min(实际值 ÷ 目标值, 1)" in m.value for m in app.markdown)
    assert chart_types(app) == ["bar", "bar"]


def test_scores_table_puts_the_result_before_the_dimensions(sample_db, monkeypatch):
    """The 未报送 column was cut off the table's column even at 1920 px: score, rank, its
    change and the missing count come right after the district, the dimensions after."""
    app = open_app_page(PAGE, sample_db, monkeypatch)
    columns = list(app.dataframe[0].value.columns)
    assert columns[:5] == ["区", "综合得分", "排名", "排名变化", "未报送指标数"]
    assert columns[5:] == [
        "营商环境",
        "民营经济发展质量",
        "政企沟通",
        "民营经济人士成长",
        "商会建设",
    ]


def test_rank_change_against_the_previous_quarter(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, gran="quarter", period="2023-Q4")
    scores = scores_table(app)
    assert (scores["南山区"]["排名"], scores["南山区"]["排名变化"]) == (1, "↑1")
    assert (scores["宝安区"]["排名"], scores["宝安区"]["排名变化"]) == (2, "↓1")
    # and 罗湖区 (↑1) passes 福田区 (↓1), which slips in the sample
    assert (scores["罗湖区"]["排名"], scores["罗湖区"]["排名变化"]) == (5, "↑1")
    assert (scores["福田区"]["排名"], scores["福田区"]["排名变化"]) == (6, "↓1")
    assert "与上期相比，2个区排名上升，2个区排名下降" in captions(app)


def test_one_dimension_ranks_by_its_indicators(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.selectbox(key="f_dimension").set_value("政企沟通").run()
    assert not app.exception
    assert "2023年政企沟通评价：南山区排名第一（100.00分）" in subheaders(app)
    scores = scores_table(app)
    assert "综合得分" not in app.dataframe[0].value.columns
    assert (scores["宝安区"]["政企沟通"], scores["宝安区"]["排名变化"]) == ("98.72", "↑1")
    assert scores["龙岗区"]["排名变化"] == "↓1"
    assert len(app.dataframe[1].value) == 6
    assert "本期计入 6 项指标，权重合计 22。" in captions(app)


def test_chosen_districts_keep_their_overall_rank_and_get_a_radar(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.multiselect(key="f_districts").set_value(["福田区", "盐田区"]).run()
    assert not app.exception
    scores = scores_table(app)
    assert {d: r["排名"] for d, r in scores.items()} == {"福田区": 6, "盐田区": 9}
    assert chart_types(app) == ["bar", "scatterpolar"]
    assert any(s.value == "所示各区本期计分的指标均已报送。" for s in app.success)


def test_only_the_city_chosen_says_the_city_is_not_scored(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch)
    app.sidebar.multiselect(key="f_districts").set_value(["全市"]).run()
    assert not app.exception
    assert "全市不参与评分" in app.info[0].value


def test_in_english(sample_db, monkeypatch):
    app = open_page(sample_db, monkeypatch, lang="en")
    assert app.title[0].value == "Evaluation"
    # The headline names districts: its Markdown is written literally (`ui.literal`).
    assert "Evaluation 2023\\: 南山区 ranks first \\(98.49 points\\)" in subheaders(app)
    # The sample data misses one value, of 深汕特别合作区: not "1 values … in 1 districts".
    assert "1 value not reported \\(it scores 0\\), in 深汕特别合作区." in captions(app)
    assert "32 indicators count in this period, with total weight 100." in captions(app)


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = open_page(empty_db, monkeypatch)
    assert app.title[0].value == "综合评价"
    assert "暂无数据" in app.info[0].value
    assert not app.dataframe
