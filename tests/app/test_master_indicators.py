"""The indicators tab of the master-data page: the 指标体系 edited as a table and stored as
the admin's submission through the importer, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_model.admin.indicator_admin import current_indicators
from data_model.evaluation.scoring import period_scores
from data_model.store import audit
from data_model.store.models import Submission
from tests.conftest import sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/master.py"
EDITOR = "indicators_editor"
PERIOD = "2023"


@pytest.fixture
def db(fresh_sample_db, monkeypatch):
    fresh_sample_db.use(monkeypatch)
    return fresh_sample_db


def open_page(db) -> AppTest:
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db, role="admin")
    app.run()
    app.switch_page(PAGE).run()
    app.session_state["master_tab"] = "指标"  # only the open tab runs
    app.run()
    assert not app.exception, app.exception
    return app


def editor(app: AppTest):
    (table,) = [e for e in app.data_editor if e.key == EDITOR]
    return table


def save(app: AppTest, edited_rows: dict) -> AppTest:
    app.session_state[EDITOR] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    app.button(key="indicators_save").click().run()
    assert not app.exception, app.exception
    return app


def submissions(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Submission)).scalar_one()


def after_submission(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(Submission.id))).scalar_one()


def test_the_tab_lists_the_current_indicators_with_every_field(db):
    app = open_page(db)
    assert "指标" in [tab.label for tab in app.tabs]
    shown = editor(app).value
    with db.open().connect() as conn:
        stored = current_indicators(conn)
    assert list(shown.columns) == list(stored.columns)
    assert shown["指标编码"].tolist() == stored["指标编码"].tolist()


def test_an_edited_weight_is_a_new_submission_and_the_scores_use_it(db):
    engine = db.open()
    with engine.connect() as conn:
        before = period_scores(conn, PERIOD)
    code = before.indicators["code"].iloc[0]
    row = editor(app := open_page(db)).value["指标编码"].tolist().index(code)
    count = submissions(engine)

    save(app, {row: {"权重": 500}})
    assert any("已保存" in s.value for s in app.success), [e.value for e in app.error]
    assert submissions(engine) == count + 1
    with engine.connect() as conn:
        after = period_scores(conn, PERIOD)
        commits = audit.events(conn, action="commit")
    assert after.indicators.set_index("code")["weight"][code] == 500
    assert not after.ranking["composite"].equals(before.ranking["composite"])
    assert commits["username"].iloc[0] == "test-admin"
    assert commits["detail"].iloc[0]["submission_id"] == after_submission(engine)
    assert editor(app).value.set_index("指标编码")["权重"][code] == 500


def test_a_bad_value_shows_the_problem_and_writes_nothing(db):
    engine = db.open()
    count = submissions(engine)
    app = open_page(db)
    save(app, {0: {"指标名称": None, "权重": 77}})
    assert any("未写入" in e.value for e in app.error)
    (problems,) = [d.value for d in app.dataframe if "原因与处理办法" in d.value.columns]
    assert problems[["行", "列"]].values.tolist() == [[2, "指标名称"]]
    assert submissions(engine) == count
    with engine.connect() as conn:
        assert 77 not in current_indicators(conn)["权重"].tolist()
