"""The importer, history and rollback give the same results on PostgreSQL as on SQLite."""

from __future__ import annotations

from data_model.admin.bootstrap import open_database, seed
from data_model.ingest.importer import import_file
from data_model.outputs.export import export_frame, export_kinds
from data_model.store.storage import rollback_submission
from tests.conftest import VALUE_HEADER, make_xlsx


def exported(engine) -> dict:
    with engine.connect() as conn:
        frames = {k: export_frame(conn, k) for k in export_kinds() if k != "submissions"}
    # None for missing values: NaN never equals NaN.
    return {
        k: f.astype(object).where(f.notna(), None).to_dict("records") for k, f in frames.items()
    }


def test_sample_data_imports_identically_on_postgresql(pg_url, tmp_path):
    postgres = open_database(pg_url)
    sqlite = open_database(f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert [r.status for r in seed(postgres)] == ["accepted"] * 5
    assert [r.status for r in seed(sqlite)] == ["accepted"] * 5
    assert exported(postgres) == exported(sqlite)

    change = make_xlsx({"指标数据": [VALUE_HEADER, ["YS01", "", "南山区", "2023-12", 0.3, ""]]})
    report = import_file(postgres, change, "fix.xlsx")
    assert (report.status, report.rows_replaced) == ("accepted", 1)
    with postgres.begin() as conn:
        rollback_submission(conn, report.submission_id, by="admin")
    assert exported(postgres) == exported(sqlite)
    postgres.dispose()
    sqlite.dispose()
