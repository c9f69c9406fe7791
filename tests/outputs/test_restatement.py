"""Bulletins of closed periods record what they published; after a reopen and a change the
restatement lists exactly the figures that changed, and the bulletin says it restates them.
On the sample data, SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.accounts.permissions import (
    Principal,
    guarded_import,
    guarded_publication,
    guarded_rollback,
)
from data_model.admin.period_closing import close_period, reopen_period
from data_model.cli import main
from data_model.ingest.importer import import_file
from data_model.outputs.bulletin import bulletin_docx, bulletin_figures, bulletin_xlsx
from data_model.outputs.restatement import figures_record, publications, record_publication
from data_model.store import audit
from data_model.store.models import BulletinPublication, District, IndicatorValue, Submission
from tests.conftest import VALUE_HEADER, make_xlsx

ADMIN = Principal("chen", "admin")
CORRECTOR = Principal("li", "admin")
ISSUED = date(2024, 1, 15)
CHANGED = ("YS03", "南山区", "2023-06")  # a summed indicator without a target: scores move


@pytest.fixture
def engine(fresh_sample_db):
    engine = fresh_sample_db.open()
    yield engine
    engine.dispose()


def values_xlsx(*rows: tuple[str, str, str, float]) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, *[[c, "", d, p, v, ""] for c, d, p, v in rows]]})


def publish(engine, today: date = ISSUED, by: Principal = ADMIN):
    """Generate the 2023 bulletin workbook and publish it as `by`; (bulletin, publication
    id, bytes)."""
    with engine.connect() as conn:
        bulletin = bulletin_figures(conn, "2023", today)
    content = bulletin_xlsx(bulletin)
    with engine.begin() as conn:
        publication = guarded_publication(conn, by, bulletin, content, "xlsx", "通报.xlsx", None)
    return bulletin, publication, content


def stored_publication(engine, publication_id: int):
    with engine.connect() as conn:
        return conn.execute(
            select(BulletinPublication).where(BulletinPublication.id == publication_id)
        ).one()


def current_value(engine, code: str, district: str, period: str) -> float:
    with engine.connect() as conn:
        return conn.execute(
            select(IndicatorValue.value)
            .join(District, District.id == IndicatorValue.district_id)
            .where(
                IndicatorValue.is_current,
                IndicatorValue.indicator_code == code,
                District.name == district,
                IndicatorValue.period == period,
            )
        ).scalar_one()


def test_only_bulletins_of_closed_periods_are_recorded(engine):
    assert publish(engine)[1] is None  # 2023 is open
    with engine.begin() as conn:
        close_period(conn, ADMIN, "tasks", "2023-Q4")  # a quarter does not close the year
    assert publish(engine)[1] is None
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    bulletin, publication, content = publish(engine)
    row = stored_publication(engine, publication)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert row.figures == figures_record(bulletin)
    assert ["scores", "南山区", "composite", pytest.approx(1, abs=100)] in row.figures
    assert row.basis["indicator_value"]  # the ids of the period's values behind it
    with engine.connect() as conn:
        assert [p["id"] for p in publications(conn, "2023")] == [publication]
        event = audit.events(conn, action="bulletin_publish").iloc[0]
    assert event["detail"]["sha256"] == row.sha256 and event["username"] == "chen"


@pytest.mark.parametrize(
    "reader", [Principal("zhao", "leader"), Principal("wang", "staff", districts=("南山区",))]
)
def test_a_bulletin_downloaded_by_anyone_but_an_admin_is_not_a_publication(engine, reader):
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    assert publish(engine, by=reader)[1] is None
    with engine.connect() as conn:
        assert publications(conn, "2023") == []
        assert audit.events(conn, action="bulletin_publish").empty
    assert publish(engine)[1] is not None  # an admin's file is


def test_regenerating_the_bulletin_of_an_unchanged_closed_period_gives_identical_figures(engine):
    with engine.begin() as conn:
        for kind in ("indicator_values", "tasks", "activities", "issues"):
            close_period(conn, ADMIN, kind, "2023")
    _, publication, _ = publish(engine)
    published = stored_publication(engine, publication).figures

    refused = guarded_import(engine, CORRECTOR, values_xlsx((*CHANGED, 1.0)), "late.xlsx")
    assert refused.status == "rejected"
    later = guarded_import(
        engine, CORRECTOR, values_xlsx(("YS03", "南山区", "2024-01", 5.0)), "n.xlsx"
    )
    assert later.status == "accepted"  # the next year is open, and not in the 2023 bulletin

    bulletin, again, _ = publish(engine, today=date(2024, 6, 30), by=Principal("zhao", "admin"))
    assert bulletin.restatement is None
    assert figures_record(bulletin) == published
    assert stored_publication(engine, again).figures == published


def test_reopen_change_and_the_restatement_lists_exactly_the_changed_figures(engine):
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    _, publication, _ = publish(engine)
    published = {tuple(f[:3]): f[3] for f in stored_publication(engine, publication).figures}
    old_value = current_value(engine, *CHANGED)
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "indicator_values", "2023", "南山区6月数据更正")
    report = guarded_import(engine, CORRECTOR, values_xlsx((*CHANGED, old_value * 10)), "fix.xlsx")
    assert report.status == "accepted"
    with engine.connect() as conn:
        uploaded_at = conn.execute(
            select(Submission.uploaded_at).where(Submission.id == report.submission_id)
        ).scalar_one()
        bulletin = bulletin_figures(conn, "2023", date(2024, 3, 1))

    restated = bulletin.restatement
    assert restated is not None and restated.publication_id == publication
    assert (restated.reopened_by, restated.reopen_reason) == ("chen", "南山区6月数据更正")
    [value] = restated.values
    assert value.key == {"indicator_code": "YS03", "district": "南山区", "period": "2023-06"}
    assert value.old == {"value": pytest.approx(old_value)}
    assert value.new == {"value": pytest.approx(old_value * 10)}
    assert (value.change.submission_id, value.change.how, value.change.by) == (
        report.submission_id,
        "upload",
        "li",
    )
    assert value.change.at == uploaded_at

    now = {tuple(f[:3]): f[3] for f in figures_record(bulletin)}
    expected = {key for key in published.keys() | now.keys() if published.get(key) != now.get(key)}
    listed = {(f.section, f.row, f.column) for f in restated.figures}
    assert listed == expected
    # 南山区 stays the best of a min-max scored indicator; every other district's score moves.
    assert ("scores", "福田区", "composite") in listed
    assert not any(key[0].startswith(("headline.completion", "tasks", "actions")) for key in listed)
    for figure in restated.figures:
        assert (figure.old, figure.new) == (published.get(figure.key), now.get(figure.key))
        assert [c.submission_id for c in figure.changes] == [report.submission_id]

    # The bulletin says it restates figures and lists them in an annex.
    document = Document(io.BytesIO(bulletin_docx(bulletin, charts=False)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本通报更正了" in text and "附件：更正数据清单" in text
    cells = {c.text for table in document.tables for row in table.rows for c in row.cells}
    assert "指标数据 · YS03 · 南山区 · 2023-06" in cells
    assert f"第 {report.submission_id} 号报送" in cells
    workbook = load_workbook(io.BytesIO(bulletin_xlsx(bulletin)))
    assert workbook["更正数据"].max_row == 2 + len(restated.figures) + 1

    # The restating bulletin records what it restated.
    content = bulletin_xlsx(bulletin)
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
        second = record_publication(conn, bulletin, content, "xlsx", "更正.xlsx", None, "chen")
    assert len(stored_publication(engine, second).restated) == len(restated.figures)

    url = engine.url.render_as_string(hide_password=False)
    assert main(["restatement", "--period", "2023", "--json", "--db", url]) == 0


def test_the_restatement_command_prints_the_changes(engine, capsys):
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    publish(engine)
    old_value = current_value(engine, *CHANGED)
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "indicator_values", "2023", "更正")
    fix = guarded_import(engine, CORRECTOR, values_xlsx((*CHANGED, old_value + 1)), "fix.xlsx")
    url = engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert main(["restatement", "--period", "2023", "--json", "--db", url]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [
        (v["key"]["indicator_code"], v["changed_by"]["submission_id"]) for v in found["values"]
    ] == [("YS03", fix.submission_id)]
    assert main(["restatement", "--period", "2023", "--db", url]) == 0
    printed = capsys.readouterr().out
    assert "YS03 · 南山区 · 2023-06" in printed and "li" in printed

    # Rolled back, the data give the published figures again: nothing to restate.
    guarded_rollback(engine, ADMIN, fix.submission_id)
    with engine.connect() as conn:
        assert bulletin_figures(conn, "2023", ISSUED).restatement is None


def test_a_rollback_after_a_reopen_is_the_change_that_restates(engine):
    """A value published from submission S, S rolled back after the reopen: the restatement
    names the rollback of S, who and when."""
    first = import_file(engine, values_xlsx((*CHANGED, 4321.0)), "first.xlsx")
    assert first.status == "accepted"
    with engine.begin() as conn:
        close_period(conn, ADMIN, "indicator_values", "2023")
    publish(engine)
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "indicator_values", "2023", "撤回错报")
    guarded_rollback(engine, CORRECTOR, first.submission_id)
    with engine.connect() as conn:
        restated = bulletin_figures(conn, "2023", ISSUED).restatement
    [value] = restated.values
    assert value.old == {"value": 4321.0} and value.new is not None
    assert (value.change.submission_id, value.change.how, value.change.by) == (
        first.submission_id,
        "rollback",
        "li",
    )


def test_the_bulletin_command_records_the_file_it_writes_for_a_closed_period(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "通报.xlsx"
    assert main(["bulletin", "--period", "2023", "--out", str(out), "--db", url]) == 0
    with engine.connect() as conn:
        assert publications(conn, "2023") == []  # not closed: nothing recorded
    assert main(["period", "close", "tasks", "2023", "--db", url]) == 0
    assert main(["bulletin", "--period", "2023", "--out", str(out), "--db", url]) == 0
    with engine.connect() as conn:
        [recorded] = publications(conn, "2023")
    assert recorded["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (recorded["file_name"], recorded["generated_by"]) == ("通报.xlsx", "system:cli")
