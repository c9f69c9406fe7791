"""The Alembic migrations build exactly the models' schema, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import data_model.store.models  # noqa: F401
from data_model.accounts.permissions import SYSTEM, Principal, guarded_import
from data_model.admin import master_admin
from data_model.admin.bootstrap import open_database
from data_model.evaluation.scoring import period_ranking, period_scores
from data_model.ingest import validate
from data_model.ingest.importer import import_file
from data_model.queries.coverage_queries import submission_coverage
from data_model.queries.task_queries import task_choices
from data_model.store import (
    summaries_coverage,
    summaries_references,
    summaries_scores,
    summaries_task_status,
    summaries_tasks,
)
from data_model.store.db import downgrade, make_engine, migrate
from data_model.store.models import ActivityType, BulletinPublication, District
from data_model.workflow import evidence, review
from sample_data.generate import HEADERS
from tests.conftest import ISSUE_HEADER, VALUE_HEADER, indicator_rows, make_xlsx

TASK_HEADER = list(HEADERS["tasks"])
INDICATOR_HEADER = indicator_rows()[0]

EXPECTED_TABLES = {
    "action",
    "activity",
    "activity_type",
    "alembic_version",
    "app_user",
    "audit_event",
    "evidence",
    "expected_submission",
    "explanation",
    "submission_file",
    "brand",
    "sign_in_session",
    "bulletin_publication",
    "closed_period",
    "district",
    "enterprise_issue",
    "held_upload",
    "indicator",
    "indicator_value",
    "indicator_value_summary",
    "issue_category",
    "pending_row",
    "period_coverage_summary",
    "period_score_summary",
    "reference_count",
    "review_note",
    "review_rule",
    "reported_summary",
    "submission",
    "task",
    "task_latest",
    "task_status_summary",
    "task_snapshot",
    "unit",
    "write_lock",
    "escalation_level",
    "supervision_notice",
    "delivery",
}


def check_round_trip(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    check_round_trip(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_migrations_match_models_on_postgresql(pg_url):
    check_round_trip(pg_url)


def test_an_existing_database_keeps_its_master_data_and_gets_the_names_its_data_uses(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate(engine, "0005")
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as conn:
        conn.execute(
            tables.tables["district"].insert(),
            {"code": "440305", "name": "南山区", "short_name": "南山", "pinyin": "nanshan",
             "kind": "district", "aliases": [], "sort_order": 0},
        )  # fmt: skip
        conn.execute(
            tables.tables["submission"].insert(),
            {"uploaded_at": datetime.now(UTC), "uploader": "t", "file_name": "a.xlsx",
             "sha256": "0" * 64, "file_size": 1, "kinds": "activities", "periods": "",
             "districts": "", "rows_read": 1, "rows_accepted": 1, "rows_rejected": 0,
             "rows_new": 1, "rows_replaced": 0, "rows_unchanged": 0, "status": "accepted",
             "valid_rows_only": False, "note": "", "confirmed_warnings": []},
        )  # fmt: skip
        conn.execute(
            tables.tables["activity"].insert(),
            {"submission_id": 1, "is_current": True, "activity_date": date(2023, 3, 1),
             "district_id": 1, "activity_type": "政策宣讲会", "name": "宣讲", "organizer": "",
             "note": ""},
        )  # fmt: skip
    migrate(engine)
    with engine.connect() as conn:
        district = conn.execute(select(District)).one()
        assert (district.map_code, district.is_active) == ("440305", True)
        assert conn.execute(select(ActivityType.name, ActivityType.aliases)).all() == [
            ("政策宣讲会", [])
        ]
    engine.dispose()


def test_revision_0015_fills_the_task_summary_with_the_reports_values(fresh_sample_db):
    """Upgraded from 0013 (the table without the carried values), `task_latest` holds
    the values of the stored reports, as the write path keeps them."""
    engine = fresh_sample_db.open()
    downgrade(engine, "0013")
    columns = {column["name"] for column in inspect(engine).get_columns("task_latest")}
    assert not columns & set(summaries_tasks.CARRIED_COLUMNS)
    migrate(engine)
    with engine.connect() as conn:
        stored = summaries_tasks.stored_rows(conn)["latest"]
        assert stored == summaries_tasks.expected_rows(conn)["latest"]
    progress, completed_end = zip(*((row[5], row[7]) for row in stored), strict=True)
    assert max(progress) > 0 and any(end is not None for end in completed_end)
    engine.dispose()


def test_revision_0016_fills_the_task_status_counts_from_the_stored_rows(fresh_sample_db):
    """Upgraded from 0015 (no status counts, no report periods in `task_latest`), the
    status counts (filled by 0024) and `task_latest` hold what the write path keeps."""
    engine = fresh_sample_db.open()
    downgrade(engine, "0015")
    assert "task_status_summary" not in inspect(engine).get_table_names()
    migrate(engine)
    with engine.connect() as conn:
        stored = summaries_task_status.stored_rows(conn)
        assert stored == summaries_task_status.expected_rows(conn) and sum(stored.values()) > 0
        latest = summaries_tasks.stored_rows(conn)["latest"]
        assert latest == summaries_tasks.expected_rows(conn)["latest"]
    engine.dispose()


def test_revision_0024_recomputes_the_task_status_counts_stored_before(fresh_sample_db):
    """Counts made by 0023's rule (evidence by the code alone) are recomputed, by the
    owner the evidence was attached under; here stored counts made wrong stand for them."""
    engine = fresh_sample_db.open()
    downgrade(engine, "0023")
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE task_status_summary SET completed_with_evidence ="
                " completed_with_evidence + completed_without_evidence,"
                " completed_without_evidence = 0"
            )
        )
        assert summaries_task_status.stored_rows(conn) != summaries_task_status.expected_rows(conn)
    migrate(engine)
    with engine.connect() as conn:
        stored = summaries_task_status.stored_rows(conn)
        assert stored == summaries_task_status.expected_rows(conn) and sum(stored.values()) > 0
    engine.dispose()


def issue_row(code: str, content: str = "贷款受阻") -> list:
    return [code, datetime(2022, 3, 1), "南山区", "深圳市某某科技有限公司", "融资贷款", content,
            "", "办理中"]  # fmt: skip


def task_row(code: str, progress: int, period: str) -> list:
    return [code, "领跑行动", "开展营商环境评价", "市发展改革委", "", "张三",
            datetime(2022, 1, 1), "2022年6月底前", progress, "", "", "", period]  # fmt: skip


def codes(conn, table: str, column: str = "code") -> list[tuple]:
    """(code, is_current) of every row of `table`, sorted; (code,) of a summary's."""
    current = "" if table.endswith(("_summary", "_latest")) else ", is_current"
    return sorted(tuple(r) for r in conn.execute(text(f"SELECT {column}{current} FROM {table}")))


def test_revision_0025_writes_the_codes_stored_before_as_the_importer_reads_them(
    empty_db, monkeypatch, caplog
):
    """Rows stored at 0024 by the importer as it was (codes as typed: `ys02`, `a1-01`,
    `sq1`) get their codes as `text.code_text` gives them, in every place that holds
    them, so that an upload of the code now supersedes them; `sq2` beside `SQ2` is left
    alone, and named in a warning."""
    engine = empty_db.open()
    downgrade(engine, "0024")
    staff = Principal("wang", "staff", ("南山区",))
    with monkeypatch.context() as before:
        before.setattr(validate, "code_text", str.strip)  # codes stored as typed
        indicators = [INDICATOR_HEADER, *(
            ["ys02" if cell == "YS02" else cell for cell in row] for row in indicator_rows()[1:]
        )]  # fmt: skip
        for name, sheets in [
            ("indicators.xlsx", {"指标体系": indicators}),
            ("march.xlsx", {"指标数据": [VALUE_HEADER, ["ys02", "", "南山区", "2022-03", 10, ""]]}),
            ("again.xlsx", {"指标数据": [VALUE_HEADER, ["ys02", "", "南山区", "2022-03", 12, ""]]}),
            ("q1.xlsx", {"任务清单": [TASK_HEADER, task_row("a1-01", 60, "2022-Q1")]}),
            ("q2.xlsx", {"任务清单": [TASK_HEADER, task_row("a1-01", 80, "2022-Q2")]}),
            ("sq.xlsx", {"企业诉求": [ISSUE_HEADER[:8], *map(issue_row, ["sq1", "sq2", "SQ2"])]}),
        ]:
            report = import_file(engine, make_xlsx(sheets), name)
            assert report.status == "accepted", report.errors
        evidence.attach(engine, SYSTEM, "a1-01", "2022-Q1", "验收报告.pdf", b"%PDF-1.4\n%%EOF\n")
        with engine.begin() as conn:
            review.set_review_rule(conn, SYSTEM, "issues", True)
            # A published bulletin's figures whose rows are codes (and one that is not).
            figures = [["highlights", "ys02", "value", 12.0], ["overdue", "a1-01", "progress", 80.0],
                       ["tasks", "", "total", 1]]  # fmt: skip
            conn.execute(
                insert(BulletinPublication).values(
                    period="2022", generated_at=datetime.now(UTC), generated_by="admin",
                    file_format="xlsx", sha256="0" * 64, figures=figures, basis={}, restated=[],
                )
            )  # fmt: skip
        corrected = {"企业诉求": [ISSUE_HEADER[:8], issue_row("sq1", "贷款受阻，已约谈")]}
        held = guarded_import(engine, staff, make_xlsx(corrected), "held.xlsx")
        assert held.status == "pending", held.errors
    with engine.connect() as conn:
        assert codes(conn, "enterprise_issue") == [("SQ2", True), ("sq1", True), ("sq2", True)]
        first_issues = conn.execute(text("SELECT DISTINCT submission_id FROM enterprise_issue"))
        (issues_submission,) = first_issues.scalars()
    with caplog.at_level(logging.WARNING, logger="data_model.store.migrations"):
        migrate(engine)
    assert [r.getMessage() for r in caplog.records] == [
        "Migration 0025 left the issue number 'SQ2' as stored: it is stored as 'SQ2' in"
        f" enterprise_issue (current rows from submissions {issues_submission}) and as 'sq2'"
        f" in enterprise_issue (current rows from submissions {issues_submission})."
        " Upper-casing them would give these rows one key. An upload now stores 'SQ2' and"
        " supersedes only the rows spelt so: on the submissions page, roll back the"
        " submissions holding the spelling that should go, then upload again what they held"
        " that is still wanted."
    ]
    with engine.connect() as conn:
        assert codes(conn, "indicator") == [("YS01", True), ("YS02", True), ("YS03", True)]
        assert codes(conn, "indicator_value", "indicator_code") == [("YS02", False), ("YS02", True)]
        assert codes(conn, "indicator_value_summary", "indicator_code") == [("YS02",)] * 2
        assert codes(conn, "task") == [("A1-01", False), ("A1-01", True)]
        assert codes(conn, "task_snapshot", "task_code") == [("A1-01", True)] * 2
        assert codes(conn, "task_latest", "task_code") == [("A1-01",)] * 2
        assert conn.execute(text("SELECT task_code FROM evidence")).scalars().all() == ["A1-01"]
        assert codes(conn, "enterprise_issue") == [("SQ1", True), ("SQ2", True), ("sq2", True)]
        (record,) = conn.execute(text("SELECT record FROM pending_row")).scalars()
        assert (json.loads(record) if isinstance(record, str) else record)["code"] == "SQ1"
        published = conn.execute(select(BulletinPublication.figures)).scalar_one()
        assert published == [["highlights", "YS02", "value", 12.0],
                             ["overdue", "A1-01", "progress", 80.0], ["tasks", "", "total", 1]]  # fmt: skip
        status_counts = summaries_task_status.stored_rows(conn)
        assert status_counts == summaries_task_status.expected_rows(conn)
        assert {row[-1] for row in status_counts} == {"A1-01"}  # first_code
        assert period_ranking(conn, "2022").ranking.equals(period_scores(conn, "2022").ranking)
    # Uploads of the codes now supersede the rows stored before, and so does the approval
    # of the records held before.
    assert review.approve(engine, SYSTEM, held.submission_id).replaced == 1
    for name, sheets in [
        (
            "march-once-more.xlsx",
            {"指标数据": [VALUE_HEADER, ["ys02", "", "南山区", "2022-03", 14, ""]]},
        ),
        ("q2-again.xlsx", {"任务清单": [TASK_HEADER, task_row("A1-01", 100, "2022-Q2")]}),
    ]:
        report = import_file(engine, make_xlsx(sheets), name)
        assert (report.status, report.rows_new, report.rows_replaced) == ("accepted", 0, 1)
    with engine.connect() as conn:
        assert conn.execute(
            text("SELECT code, content FROM enterprise_issue WHERE is_current ORDER BY code")
        ).all() == [("SQ1", "贷款受阻，已约谈"), ("SQ2", "贷款受阻"), ("sq2", "贷款受阻")]
        assert conn.execute(
            text("SELECT indicator_code, value FROM indicator_value WHERE is_current")
        ).all() == [("YS02", 14.0)]
        assert conn.execute(
            text("SELECT task_code, progress FROM task_snapshot WHERE is_current ORDER BY id")
        ).all() == [("A1-01", 60.0), ("A1-01", 100.0)]
    engine.dispose()


def test_revision_0017_fills_the_score_summaries_from_the_stored_rows(fresh_sample_db):
    """Upgraded from 0016 (no score summaries), the summaries hold what the write path
    kept, and a year read from them is its scoring from the rows."""
    engine = fresh_sample_db.open()
    with engine.connect() as conn:
        kept = summaries_scores.stored(conn)
    downgrade(engine, "0016")
    assert "period_score_summary" not in inspect(engine).get_table_names()
    migrate(engine)
    with engine.connect() as conn:
        # repr: the same rows to the last bit, NaN (no weight) equal to NaN
        assert repr(sorted(summaries_scores.stored(conn).items())) == repr(sorted(kept.items()))
        assert {k for k in kept if k[0] == "2023" and k[1] == ""}  # the sample's year
        read = period_ranking(conn, "2023").ranking
        scored = period_scores(conn, "2023").ranking
    assert read.equals(scored) and len(read) > 0
    engine.dispose()


def test_revision_0018_fills_the_coverage_summaries_from_the_stored_rows(fresh_sample_db):
    """Upgraded from 0017 (no coverage totals), the summaries hold what the write path
    kept, each period's the grid's count, and a year's coverage reads them."""
    engine = fresh_sample_db.open()
    with engine.connect() as conn:
        kept = summaries_coverage.stored(conn)
        before = submission_coverage(conn, "2023")
    downgrade(engine, "0017")
    assert "period_coverage_summary" not in inspect(engine).get_table_names()
    migrate(engine)
    with engine.connect() as conn:
        stored = summaries_coverage.stored(conn)
        assert stored == kept and {k for k in kept if k[0] == "2023"}  # the sample's year
        for period in {period for period, _ in stored}:
            computed = summaries_coverage.computed(conn, period)
            assert {k: r for k, r in stored.items() if k[0] == period} == computed
        assert submission_coverage(conn, "2023").equals(before)
        assert before["numerator"].sum() > 0
    engine.dispose()


def test_revision_0019_keeps_the_scores_and_coverage_of_halves(fresh_sample_db):
    """Downgraded to before 0019, no half is kept; upgraded, every half holding values
    has the rows the write path keeps, and a half's ranking read from them is its scoring
    from the rows."""
    engine = fresh_sample_db.open()
    with engine.connect() as conn:
        scores, coverage = summaries_scores.stored(conn), summaries_coverage.stored(conn)
    assert {"2023-H1", "2023-H2"} <= {k[0] for k in scores if "-H" in k[0]}  # the sample's
    downgrade(engine, "0018")
    with engine.connect() as conn:
        assert not {k for k in summaries_scores.stored(conn) if "-H" in k[0]}
        assert not {k for k in summaries_coverage.stored(conn) if "-H" in k[0]}
    migrate(engine)
    with engine.connect() as conn:
        assert repr(sorted(summaries_scores.stored(conn).items())) == repr(sorted(scores.items()))
        assert summaries_coverage.stored(conn) == coverage
        assert summaries_coverage.computed(conn, "2023-H2") == {
            k: r for k, r in coverage.items() if k[0] == "2023-H2"
        }
        read = period_ranking(conn, "2023-H2").ranking
        scored = period_scores(conn, "2023-H2").ranking
    assert read.equals(scored) and len(read) > 0
    engine.dispose()


def test_revision_0020_counts_the_master_data_references_of_the_stored_rows(fresh_sample_db):
    """Upgraded from 0019 (no reference counts), the counts are those the write path kept
    as the sample was imported, and the master page's counts read them."""
    engine = fresh_sample_db.open()
    with engine.connect() as conn:
        kept = summaries_references.stored(conn)
        page = {key: master_admin.reference_counts(conn, key) for key in master_admin.LISTS}
    downgrade(engine, "0019")
    assert "reference_count" not in inspect(engine).get_table_names()
    migrate(engine)
    with engine.connect() as conn:
        assert summaries_references.stored(conn) == kept == summaries_references.recount(conn)
        assert {key: master_admin.reference_counts(conn, key) for key in page} == page
    tables = {table for table, _, _ in kept}
    assert tables == {"indicator_value", "task", "activity", "enterprise_issue"}
    assert sum(rows for (table, _, _), rows in kept.items() if table == "indicator_value") > 0
    engine.dispose()


TEXT_COLLATIONS = text(
    "SELECT table_name, column_name, collation_name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND data_type IN ('character varying', 'text')"
)


def test_every_text_column_sorts_by_code_point_on_postgresql(pg_url):
    """As SQLite does, whatever the server's locale (revision 0023; later ones too)."""
    engine = make_engine(pg_url)
    migrate(engine)
    with engine.connect() as conn:
        columns = conn.execute(TEXT_COLLATIONS).all()
    engine.dispose()
    assert len(columns) > 50
    assert [c for c in columns if c.collation_name != "C"] == []


def test_a_database_made_in_chinese_lists_codes_in_the_order_sqlite_does(pg_url, tmp_path):
    admin = make_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"{make_url(pg_url).database}_zh"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        try:
            conn.execute(
                text(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
                    " LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans-CN'"
                    " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                )
            )
        except DBAPIError as error:
            pytest.skip(f"this PostgreSQL cannot make an ICU zh-Hans-CN database: {error}")
    chinese = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    # Codes are upper case (`text.code_text`); Chinese ones still sort otherwise under
    # ICU zh (by pinyin: 甲 before 乙) than by code point (乙 U+4E59 before 甲 U+7532).
    tasks = [["乙1", "乙"], ["Z1-02", "甲"], ["甲1", "丙"], ["A1-01", "丁"]]
    orders = []
    for url in (chinese, f"sqlite:///{tmp_path / 'c.sqlite3'}"):
        engine = open_database(url)
        header = ["任务编号", "所属行动", "任务内容", "牵头单位", "完成时限", "完成进度", "报送期"]
        rows = [[c, "领跑行动", s, "市商务局", "2024年6月底", 10, "2024-Q1"] for c, s in tasks]
        report = import_file(engine, make_xlsx({"任务清单": [header, *rows]}), "t.xlsx")
        assert report.status == "accepted", report.errors
        with engine.connect() as conn:
            orders.append(task_choices(conn)["code"].tolist())
        engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
    assert orders[0] == orders[1] == ["A1-01", "Z1-02", "乙1", "甲1"]
