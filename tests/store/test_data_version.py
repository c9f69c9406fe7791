"""The pages' cache key (`queries.data_version`) changes with every committed write a page
shows, and only then: imports, rollbacks, schedule edits and master data additions."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from data_model.accounts.permissions import Principal, guarded_rollback
from data_model.ingest.importer import ImportOptions, import_file
from data_model.queries.schedule import ensure_default_schedule, replace_schedule, schedule_frame
from data_model.queries.shared import data_version
from data_model.reference.master import load_master_data_file
from data_model.store.models import Brand
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx


def version(engine) -> tuple:
    with engine.connect() as conn:
        return data_version(conn)


def changed(engine, before: tuple) -> set[str]:
    """The write locks whose version moved since `before`."""
    return {
        name for (name, old), (_, new) in zip(before, version(engine), strict=True) if old != new
    }


@pytest.fixture
def indicators(engine):
    data = make_xlsx({"指标体系": indicator_rows()})
    assert import_file(engine, data, "i.xlsx").status == "accepted"
    return engine


def values(value: float) -> bytes:
    return make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2023-03", value, ""]]})


def test_an_import_changes_the_version_of_its_kinds(indicators):
    before = version(indicators)
    assert import_file(indicators, values(5), "v.xlsx").status == "accepted"
    assert changed(indicators, before) == {"indicator_values"}


@pytest.mark.parametrize(
    "outcome",
    ["dry run", "rejected", "unchanged"],
)
def test_an_import_that_writes_nothing_leaves_the_version(indicators, outcome):
    assert import_file(indicators, values(5), "v.xlsx").status == "accepted"
    before = version(indicators)
    if outcome == "dry run":
        report = import_file(indicators, values(6), "v.xlsx", ImportOptions(dry_run=True))
    elif outcome == "rejected":
        bad = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "福天区", "2023-03", 1, ""]]})
        report = import_file(indicators, bad, "bad.xlsx")
    else:  # the same values in another file
        report = import_file(indicators, values(5.0), "again.xlsx", ImportOptions(note="again"))
    expected = {"dry run": ("accepted", None), "rejected": ("rejected", None)}
    if outcome in expected:
        assert (report.status, report.submission_id) == expected[outcome]
    else:
        assert report.status == "unchanged"
    assert changed(indicators, before) == set()


def test_a_rollback_changes_the_version(indicators):
    report = import_file(indicators, values(5), "v.xlsx")
    before = version(indicators)
    guarded_rollback(indicators, Principal("chen", "admin"), report.submission_id)
    assert changed(indicators, before) == {"indicator_values"}


def test_schedule_edits_change_the_version(engine):
    before = version(engine)
    with engine.begin() as conn:
        assert ensure_default_schedule(conn, "2023-01", "2023-01") > 0
    assert changed(engine, before) == {"schedule"}
    before = version(engine)
    with engine.begin() as conn:
        replace_schedule(conn, schedule_frame(conn).iloc[:3])
    assert changed(engine, before) == {"schedule"}


def test_a_start_neither_changes_the_version_nor_merges_defaults_into_existing_master_data(
    engine,
):
    before = version(engine)
    with engine.begin() as conn:
        assert sum(load_master_data_file(conn).values()) == 0
    assert changed(engine, before) == set()
    with engine.begin() as conn:
        conn.execute(delete(Brand).where(Brand.name == "民企话坛"))
    with engine.begin() as conn:
        # The database has master data: the defaults are not merged back in.
        assert sum(load_master_data_file(conn).values()) == 0
    assert changed(engine, before) == set()
