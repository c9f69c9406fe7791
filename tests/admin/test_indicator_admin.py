"""Indicators edited in the master-data page go through the importer as a 指标体系 sheet."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_model.accounts.permissions import PermissionDenied, Principal, guarded_rollback
from data_model.admin.indicator_admin import (
    HEADERS,
    choices,
    current_indicators,
    indicators_workbook,
    save_indicators,
)
from data_model.ingest.importer import import_file
from data_model.store import audit
from data_model.store.models import Indicator
from tests.conftest import indicator_rows, make_xlsx

ADMIN = Principal("root", "admin")


@pytest.fixture
def db(engine):
    assert import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status == (
        "accepted"
    )
    return engine


def weights(engine) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(select(Indicator.code, Indicator.weight).where(Indicator.is_current))
        return dict(rows.all())


def test_the_table_lists_every_field_of_the_current_indicators(db):
    with db.connect() as conn:
        table = current_indicators(conn)
    assert list(table.columns) == list(HEADERS.values())
    assert table["指标编码"].tolist() == ["YS01", "YS02", "YS03"]
    assert table.loc[0, "指标方向"] == "逆向"
    assert choices("direction") == ["正向", "逆向"]


def test_the_downloaded_workbook_imports_back_unchanged(db):
    with db.connect() as conn:
        data = indicators_workbook(conn)
    report = import_file(db, data, "指标体系.xlsx")
    assert report.status == "unchanged", report.errors
    assert report.rows_new == report.rows_replaced == 0


def test_an_edited_weight_is_a_submission_of_the_admin_audited_and_undone_by_rollback(db):
    with db.connect() as conn:
        table = current_indicators(conn)
    table.loc[table["指标编码"] == "YS02", "权重"] = 35
    report = save_indicators(db, ADMIN, table, "edit.xlsx")
    assert report.status == "accepted", report.errors
    assert (report.rows_replaced, report.rows_unchanged) == (1, 2)
    assert weights(db) == {"YS01": 10, "YS02": 35, "YS03": 10}
    with db.connect() as conn:
        commits = audit.events(conn, action="commit")
    assert commits["username"].tolist() == ["root"]
    guarded_rollback(db, ADMIN, report.submission_id)
    assert weights(db)["YS02"] == 20


def test_a_bad_value_is_a_problem_named_by_row_and_column_and_writes_nothing(db):
    with db.connect() as conn:
        table = current_indicators(conn)
    table.loc[0, "权重"] = 50
    table.loc[1, "指标名称"] = None
    report = save_indicators(db, ADMIN, table, "bad.xlsx")
    assert report.status == "rejected"
    assert [(p.row, p.column) for p in report.errors] == [(3, "指标名称")]
    assert weights(db)["YS01"] == 10


def test_only_those_who_manage_master_data_may_save(db):
    with db.connect() as conn:
        table = current_indicators(conn)
    with pytest.raises(PermissionDenied):
        save_indicators(db, Principal("wang", "staff", districts=("南山区",)), table, "x.xlsx")
