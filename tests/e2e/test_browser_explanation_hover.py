"""An indicator value's explanation (情况说明) appears when the mouse rests on its point of
the trend chart, as written and under the value as the page writes it, in chromium against
`streamlit run`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx
from tests.e2e.app_browser import AppServer, cli, create_admin, open_app_page, start_server, tr

EXPLANATION = "春节后<b>集中</b>登记，属正常波动"  # the tag is the staff's text, not bold


@pytest.fixture(scope="module")
def explained_server(tmp_path_factory) -> Iterator[AppServer]:
    """One indicator, two months of 南山区; February jumps and says why in its 备注 cell."""
    data_dir = tmp_path_factory.mktemp("e2e-explained")
    cli(data_dir, "init")
    files = {
        "indicators.xlsx": {
            "指标体系": [
                INDICATOR_HEADER,
                [
                    "YS02",
                    "新增民营企业数",
                    "民营经济发展质量",
                    "家",
                    "正向",
                    20,
                    1000,
                    "月",
                    "求和",
                ],
            ]
        },
        "jan.xlsx": {"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-01", 10, ""]]},
        "feb.xlsx": {
            "指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-02", 45, EXPLANATION]]
        },
    }
    for name, sheets in files.items():
        path = Path(data_dir) / name
        path.write_bytes(make_xlsx(sheets))
        cli(data_dir, "import", str(path))
    create_admin(data_dir)
    server = start_server(data_dir, "explained")
    yield server
    server.stop()


def test_hovering_a_trend_point_shows_its_explanation(browser, explained_server):
    context, app = open_app_page(browser, explained_server)
    try:
        app.open().sign_in()
        app.go("trends")
        chart = app.page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=30_000)
        chart.scroll_into_view_if_needed()
        points = chart.locator(".scatterlayer .trace .points path")
        points.last.wait_for(timeout=30_000)
        points.last.hover(force=True)
        label = chart.locator(".hoverlayer .hovertext")
        label.first.wait_for(timeout=10_000)
        text = label.first.text_content()  # an SVG text: its lines are tspans
        assert "南山区" in text, text
        assert "2022年: 55 家" in text, text  # 10 + 45, as the page writes it (not 55.00)
        assert tr("explanations.hover", text=EXPLANATION) in text, text
        app.screenshot("trends-explanation-hover")
        assert app.blocked_requests == []
        app.assert_clean("trends hover")
    finally:
        context.close()
