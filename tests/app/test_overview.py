"""The app renders the overview from a database holding the sample data, and an empty state."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.conftest import AppDatabase, sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def run_app(db: AppDatabase, monkeypatch, **query) -> AppTest:
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def metric_values(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_overview_shows_the_2021_figures_of_the_sample_data(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch)
    assert not app.exception
    app.sidebar.selectbox(key="f_period").set_value("2021").run()
    assert not app.exception
    metrics = metric_values(app)
    assert metrics["政策宣讲会"] == "16 场"
    assert metrics["民企话坛"] == "6 期"
    assert metrics["政企座谈会"] == "32 场"
    assert metrics["解决企业问题"] == "112 件"
    assert metrics["直联企业家"] == "168 人"


def test_overview_in_english(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, lang="en")
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert "Task completion rate" in metric_values(app)


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = run_app(empty_db, monkeypatch)
    assert not app.exception
    assert app.info, [e for e in app.main]
    assert "暂无数据" in app.info[0].value


def test_a_link_with_filters_reopens_the_same_view(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, gran="quarter", period="2022-Q2")
    assert not app.exception
    assert app.sidebar.selectbox(key="f_period").value == "2022-Q2"
    assert app.query_params["period"] == "2022-Q2"
    assert "2022年第二季度工作进展" in [h.value for h in app.subheader]


def test_an_invalid_link_falls_back_with_a_notice(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, period="2099", gran="week")
    assert not app.exception
    assert app.sidebar.selectbox(key="f_period").value == "2023"
    assert len(app.toast) == 2
