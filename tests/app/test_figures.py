"""`ui.figure`: a chart builder's figure, localised, built once per arguments and language."""

import json

from streamlit.testing.v1 import AppTest


def chart_script() -> None:
    import pandas as pd
    import streamlit as st

    import ui
    from data_model.charts.common import label_bars

    labels, values = pd.Series(["甲", "乙"]), pd.Series([20000, 50000])
    first = ui.figure(label_bars, labels, values, name="x")
    again = ui.figure(label_bars, labels.copy(), values.copy(), name="x")
    other = ui.figure(label_bars, labels, values * 2, name="x")
    st.write(f"same:{first is again}", f"other:{first is other}")
    ui.plot(first)


def run(lang: str) -> tuple[dict, str]:
    app = AppTest.from_function(chart_script)
    app.query_params["lang"] = lang
    app.run()
    assert not app.exception
    (chart,) = [n for n in app.main if n.type == "plotly_chart"]
    spec = json.loads(chart.proto.spec)
    return spec["layout"]["xaxis"], " ".join(m.value for m in app.markdown)


def test_a_figure_is_built_once_per_arguments_and_shared():
    _, written = run("zh-CN")
    assert "same:True" in written
    assert "other:False" in written


def test_a_figure_is_localised_in_the_viewers_language_even_when_cached():
    chinese, _ = run("zh-CN")
    english, _ = run("en")
    chinese_again, _ = run("zh-CN")
    assert "5万" in chinese["ticktext"]
    assert "50,000" in english["ticktext"]
    assert chinese_again["ticktext"] == chinese["ticktext"]
