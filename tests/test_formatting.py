"""The wording module: separators, brackets, scale words, ticks and local times per language."""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go

from data_model.charts.common import localise_axes, nice_ticks
from data_model.formatting import (
    bracketed,
    change,
    format_number,
    format_percent,
    format_points,
    format_signed_percent,
    format_ticks,
    join_names,
    labelled,
    local_time,
    time_text,
    unit_text,
    unit_word,
    value_text,
    with_unit,
)


def test_lists_labels_and_brackets_use_each_languages_punctuation():
    assert join_names(["罗湖区", "福田区"], "zh-CN") == "罗湖区、福田区"
    assert join_names(["罗湖区", "福田区"], "en") == "罗湖区, 福田区"
    assert labelled("牵头单位", "市商务局", "zh-CN") == "牵头单位：市商务局"
    assert labelled("Lead unit", "市商务局", "en") == "Lead unit: 市商务局"
    assert bracketed("企业开办时间", "天", "zh-CN") == "企业开办时间（天）"
    assert bracketed("Start-up time", "days", "en") == "Start-up time (days)"


def test_large_numbers_take_the_languages_scale_words():
    assert format_number(12345678, language="zh-CN") == "1,234.57万"
    assert format_number(3.2e8, language="zh-CN") == "3.20亿"
    assert format_number(12345678, language="en") == "12.35 M"
    assert format_number(99999, language="zh-CN") == "99,999"
    assert format_number(None) == "—"
    assert format_points(11.2, "zh-CN") == "+11.2个百分点"
    assert format_points(-3, "en") == "\u22123.0 pts"


def test_signed_figures_and_ticks_write_a_real_minus_sign_as_plotly_does():
    assert format_signed_percent(-3) == "\u22123.0%"
    assert format_signed_percent(12.46) == "+12.5%"
    assert format_ticks([-20000, 0, 20000], "zh-CN") == ["\u22122万", "0", "2万"]


def test_axis_ticks_are_written_in_wan_and_yi_never_20k():
    assert nice_ticks(0, 56000) == [0, 20000, 40000, 60000]
    assert format_ticks([0, 5000, 10000, 15000], "zh-CN") == ["0", "0.5万", "1万", "1.5万"]
    assert format_ticks([0, 1e8, 2e8], "zh-CN") == ["0", "1亿", "2亿"]
    assert format_ticks([0, 20000, 40000], "en") == ["0", "20,000", "40,000"]
    figure = go.Figure(go.Bar(y=["甲", "乙"], x=[32387.7, 30664.9], orientation="h"))
    localise_axes(figure, "zh-CN")
    assert figure.layout.xaxis.ticktext == ("0", "1万", "2万", "3万", "4万")
    small = localise_axes(go.Figure(go.Scatter(x=["a"], y=[9000])), "zh-CN")
    assert small.layout.yaxis.tickvals is None  # below 10,000 plotly writes the number


def test_stored_times_are_shown_in_the_configured_time_zone(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Asia/Shanghai")
    stored = datetime(2024, 1, 5, 1, 30)  # naive: UTC, as the database keeps it
    assert time_text(stored) == "2024-01-05 09:30"
    assert time_text(stored.replace(tzinfo=UTC), offset=True) == "2024-01-05 09:30:00 +0800"
    monkeypatch.setenv("TIME_ZONE", "Europe/London")
    assert local_time(stored).hour == 1
    assert time_text(None) == ""


def test_the_submissions_export_writes_upload_times_in_local_time(engine, monkeypatch):
    from data_model.i18n import t
    from data_model.ingest.importer import import_file
    from data_model.outputs.export import export_frame
    from tests.conftest import indicator_rows, make_xlsx

    monkeypatch.setenv("TIME_ZONE", "Asia/Shanghai")
    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    with engine.connect() as conn:
        frame = export_frame(conn, "submissions")
        stored = conn.exec_driver_sql("SELECT uploaded_at FROM submission").scalar_one()
    shown = frame[t("submissions.col_uploaded_at")].iloc[0]
    assert time_text(shown) == time_text(stored)
    assert shown.utcoffset().total_seconds() == 8 * 3600


def test_the_submissions_export_is_the_pages_list_in_words(engine):
    from data_model.i18n import t
    from data_model.ingest.importer import import_file
    from data_model.outputs.export import export_frame
    from data_model.store.audit import actor_name
    from tests.conftest import indicator_rows, make_xlsx

    import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    with engine.connect() as conn:
        frame = export_frame(conn, "submissions")
        uploader = conn.exec_driver_sql("SELECT uploader FROM submission").scalar_one()
    row = frame.iloc[0]
    assert row[t("submissions.col_status")] == t("submissions.status_accepted") == "已导入"
    assert row[t("submissions.col_kinds")] == t("kinds.indicators")
    assert row[t("submissions.col_uploader")] == actor_name(uploader, "zh-CN") != uploader
    assert t("submissions.col_sha256") in frame.columns
    assert len(frame.columns) == 16  # the list's columns but the note


def test_counts_of_one_take_the_singular_in_english():
    assert [unit_word("format.unit_activities", n, "en") for n in (1, 2, 0, -1)] == [
        "event",
        "events",
        "events",
        "event",
    ]
    assert unit_word("format.unit_activities", 1, "zh-CN") == "场"


def test_a_score_changes_by_the_decimals_it_is_written_with():
    """A score reads 78.21 分: its change reads +2.25 分 beside it, not +2.3, and a change
    that reads +0.00 is no change."""
    assert change(78.21, 75.96, "score", "2023").text("zh-CN") == "较上年 +2.25 分"
    assert change(78.214, 78.211, "score", "2023").text("zh-CN") == "与上年持平"
    assert change(69.44, 69.41, "rate", "2023").arrow == "off"  # a rate: one decimal


def test_a_rate_is_written_one_way_one_decimal_without_a_trailing_zero():
    assert [format_percent(v) for v in (69.44, 70.0, 69.96, 0.0, -0.04, 100)] == [
        "69.4%",
        "70%",
        "70%",
        "0%",
        "0%",
        "100%",
    ]
    assert format_percent(81.25, "en") == "81.2%"  # as Python rounds the float 81.25
    assert format_percent(None) == format_percent(float("nan")) == "—"


def test_an_indicator_value_that_reads_whole_is_written_whole_as_the_equal_value_is():
    # 69.96% and 70% both read 70 at one decimal: `70.0%` beside `70%` read (and ranked,
    # `indicator_ranking` ranks by the text) as two different figures.
    assert value_text(69.96, "%") == value_text(70, "%") == format_percent(69.96) == "70%"
    assert [format_number(v, "天") for v in (0.96, 0.64, 12.25, -0.04)] == [
        "1 天",
        "0.6 天",
        "12.2 天",
        "0 天",
    ]
    assert value_text(None, "天") == "—"


# The units of the sample and the generated indicators, and the other usual ones.
STANDARD_UNITS = ("天", "亿元", "万元", "元", "家", "人", "个", "件", "次", "场", "项", "户")


def test_an_indicators_unit_is_written_in_english_and_as_stored_in_chinese():
    assert [unit_text(unit, "en") for unit in STANDARD_UNITS] == [
        *("days", "hundred million yuan", "ten thousand yuan", "yuan", "firms", "people"),
        *("items", "cases", "times", "events", "items", "households"),
    ]
    assert [unit_text(unit, "en", count=1) for unit in STANDARD_UNITS] == [
        *("day", "hundred million yuan", "ten thousand yuan", "yuan", "firm", "person"),
        *("item", "case", "time", "event", "item", "household"),
    ]
    assert [unit_text(unit, "zh-CN", count) for unit in STANDARD_UNITS for count in (1, 2)] == [
        unit for unit in STANDARD_UNITS for _ in (1, 2)
    ]
    assert (unit_text("%", "en"), unit_text("吨", "en"), unit_text("", "en")) == ("%", "吨", "")
    # Every value as the app writes it: `1 day` (and 1.04, written 1), `0.6 days`.
    assert [value_text(v, "天", "en") for v in (1, 1.04, 0.6, 2)] == [
        *("1 day", "1 day", "0.6 days", "2 days")
    ]
    assert [value_text(v, "天", "zh-CN") for v in (1, 0.6)] == ["1 天", "0.6 天"]
    assert value_text(60, "亿元", "en") == "60 hundred million yuan"
    assert value_text(2e6, "人", "en") == "2.00 M people"
    assert value_text(70, "%", "en") == "70%"
    assert with_unit("企业开办时间", "天", "en") == "企业开办时间 (days)"
    assert with_unit("企业开办时间", "天", "zh-CN") == "企业开办时间（天）"
    assert with_unit("企业开办时间", "", "en") == "企业开办时间"
