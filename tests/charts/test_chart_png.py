"""Charts rendered to PNG on the server (kaleido driving Chrome/Chromium), Chinese text
included. Skipped, with the reason, where no browser is installed."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from data_model.charts.common import FONT_FAMILY, base_layout
from data_model.charts.images import (
    PNG_MAGIC,
    ChartImageError,
    browser_problem,
    chart_png,
    chart_pngs,
    find_browser,
    png_size,
)

needs_browser = pytest.mark.skipif(
    find_browser() is None,
    reason=f"chart images need Chrome/Chromium (apt-get install chromium): {browser_problem()}",
)


def chinese_figure() -> go.Figure:
    figure = go.Figure(go.Bar(x=["福田区", "南山区", "深汕特别合作区"], y=[3, 5, 1]))
    figure.update_layout(title="逾期任务6项，集中在3个牵头单位")
    figure.update_xaxes(title="区")
    return base_layout(figure)


@needs_browser
def test_a_chart_with_chinese_labels_becomes_a_png_of_the_asked_size():
    image = chart_png(chinese_figure(), width=640, height=360, scale=2)
    assert image.startswith(PNG_MAGIC)
    assert png_size(image) == (1280, 720)
    assert len(image) > 10_000  # bars, axes and text, not an empty canvas


@needs_browser
def test_several_charts_come_back_in_order_from_one_browser_start():
    small = chinese_figure()
    wide = chinese_figure()
    images = chart_pngs([(small, 300, 200), (wide, 800, 300)], scale=1)
    assert [png_size(image) for image in images] == [(300, 200), (800, 300)]


@needs_browser
def test_rendering_leaves_the_figure_unchanged():
    figure = go.Figure(go.Bar(x=["甲"], y=[1]))
    chart_png(figure, 200, 150, scale=1)
    assert figure.layout.font.family is None
    assert figure.layout.paper_bgcolor is None


def test_a_wrong_browser_path_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    assert find_browser() is None
    with pytest.raises(ChartImageError, match="BROWSER_PATH=.*no-such-chrome.*not an executable"):
        chart_png(chinese_figure())


def test_no_charts_need_no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    assert chart_pngs([]) == []


def test_png_size_rejects_other_data():
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + b"\0" * 30)


def test_chinese_font_family_names_a_cjk_font():
    assert "Noto Sans CJK SC" in FONT_FAMILY
