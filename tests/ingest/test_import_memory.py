"""What keeps a large import's memory down changes nothing an import reports or stores:
`import_file` lets a long value sheet's rows go as they are validated (the sheets the
upload page passes to `import_sheets` stay whole), duplicate keys are first ruled out
from their hashes, and SQLite's page cache is smaller for the import's transaction only.
Runs on SQLite and PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import pytest

from data_model.ingest import importer, validate
from data_model.ingest.importer import ImportOptions, import_file, import_sheets
from data_model.ingest.reader import read_workbook
from data_model.ingest.validate import ValidRow
from data_model.ingest.value_record import ValueRecord
from data_model.problems import ImportReport, SheetReport
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

OPTIONS = ImportOptions(require_explanations=False)


@pytest.fixture
def engine(db_engine, monkeypatch):
    """The test indicators stored; validation in chunks of 3 rows."""
    monkeypatch.setattr(validate, "PLAIN_CHUNK", 3)
    report = import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx")
    assert report.status == "accepted"
    return db_engine


DISTRICTS = ["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"]


def values_file() -> bytes:
    """Ten rows over four chunks, with problems in the first, third and last chunk."""
    rows = [
        ["YS02", "", district, period, float(position), ""]
        for position, (period, district) in enumerate(
            (period, district) for period in ("2022-01", "2022-02") for district in DISTRICTS
        )
    ]
    rows[1][2] = "不存在区"
    rows[6][4] = "abc"
    rows[9][0] = "NOPE"
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


def problems(report: ImportReport) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.value, p.message) for p in report.errors]


def test_rows_let_go_while_validating_give_the_same_report(engine):
    data = values_file()
    sheets = read_workbook(data, "values.xlsx")
    kept = [list(row) for row in sheets[0].rows]
    page = import_sheets(engine, sheets, data, "values.xlsx", ImportOptions(dry_run=True))
    assert sheets[0].rows == kept  # the page's sheets are left whole
    cli = import_file(engine, data, "values.xlsx", ImportOptions(dry_run=True))
    assert problems(cli) == problems(page)
    assert [p[1] for p in problems(cli)] == [3, 8, 11]
    assert (cli.status, cli.rows_new) == (page.status, page.rows_new)
    valid_only = ImportOptions(valid_rows_only=True, require_explanations=False)
    report = import_file(engine, data, "values.xlsx", valid_only)
    assert (report.status, report.rows_new) == ("partial", 7)


def test_keys_sharing_a_hash_are_not_taken_for_repeats():
    # hash(-1) == hash(-2) in CPython, so these two keys share a hash but differ.
    assert hash(("YS01", -1, "2022-01")) == hash(("YS01", -2, "2022-01"))
    records = [
        ValueRecord("YS01", -1, "2022-01", 1.0, ""),
        {"indicator_code": "YS01", "district_id": -2, "period": "2022-01", "value": 2.0},
        ValueRecord("YS01", 3, "2022-01", 3.0, ""),
    ]
    sheet = SheetReport(sheet="指标数据")
    valid = [ValidRow(row, record) for row, record in enumerate(records, start=2)]
    report = ImportReport(file="a.xlsx", status="rejected", sheets=[sheet])
    importer._check_duplicates({"indicator_values": [(sheet, valid)]}, report)
    assert not sheet.errors and len(valid) == 3
    valid.append(ValidRow(5, ValueRecord("YS01", -2, "2022-01", 4.0, "")))
    importer._check_duplicates({"indicator_values": [(sheet, valid)]}, report)
    assert [(p.row, p.message) for p in sheet.errors] == [
        (5, importer.t("importer.duplicate_key", first=importer.t("importer.row_ref", row=3)))
    ]
    assert [row.row for row in valid] == [2, 3, 4]


def test_the_page_cache_is_the_connections_again_after_an_import(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page cache only")
    seen = []
    work = importer.import_file_in_transaction

    def spying(conn, *args):
        seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar())
        return work(conn, *args)

    importer.import_file_in_transaction = spying
    try:
        report = import_file(engine, values_file(), "values.xlsx", OPTIONS)
    finally:
        importer.import_file_in_transaction = work
    assert report.status == "rejected"
    assert seen == [-importer.IMPORT_PAGE_CACHE_KB]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -131072


def test_a_value_record_is_the_dict_the_per_row_way_makes():
    record = ValueRecord("YS01", 3, "2022-01", 1.5, "")
    as_dict = {"indicator_code": "YS01", "district_id": 3, "period": "2022-01", "value": 1.5}
    as_dict["note"] = ""
    assert record == as_dict and as_dict == record and dict(record) == as_dict
    assert record.get("report_period") is None and "report_period" not in record
    assert record["value"] == 1.5 and record.get("period") == "2022-01"
    with pytest.raises(KeyError):
        record["report_period"]
    with pytest.raises(TypeError):
        record["value"] = 2.0  # read-only, as no reader of records changes one


def test_a_remembered_failure_keeps_no_frame_of_the_rows_that_met_it_before():
    # A value met on every row (an indicator code not in the system) fails once and its
    # error is raised again for each row: each raise chained its frames onto the same
    # error, keeping every row's cells alive (300,000 wrong rows: 630 MB).
    from data_model.errors import InputError

    def unknown(raw: object) -> object:
        raise InputError("validate.unknown_indicator", value=raw)

    cached = validate._Cached(unknown)
    raised, depths = [], []
    for _ in range(3):
        try:
            cached("CZ01")
        except InputError as error:
            raised.append(error)
            depth, frame = 0, error.__traceback__
            while frame is not None:
                depth, frame = depth + 1, frame.tb_next
            depths.append(depth)
    assert raised[0] is raised[2]  # the failure is remembered, not parsed again
    assert depths[0] == depths[2] == 2  # this test's frame and the cache's own
