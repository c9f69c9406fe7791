"""Uploads are read in a child process bounded in memory and time (`isolated`).

The file that proves it would abort the test process if read here: cells without a
reference along one row far down, which calamine places one column after another and then
allocates as a range of 10^11 cells (3.2 TB). No check of the reader knows that count.
"""

from __future__ import annotations

import gc
import signal

import pytest
from sqlalchemy import func, select

from data_model import settings
from data_model.accounts.permissions import Principal
from data_model.errors import InputError
from data_model.ingest import isolated
from data_model.ingest.importer import ImportOptions, import_file
from data_model.ingest.isolated import read_isolated
from data_model.ingest.raw_sheet import Limits, upload_limits
from data_model.ingest.reader import read_workbook
from data_model.store.models import Submission
from data_model.workflow.upload import prepare
from tests.conftest import VALUE_HEADER, make_xlsx
from tests.raw_xlsx import Formula, one_sheet_parts, one_sheet_xlsx, package


def cells_without_references() -> bytes:
    """A 5 KB workbook whose one far row holds 100,000 cells written without a reference."""
    parts = one_sheet_parts([["指标代码"]])
    cells = "<c><v>1</v></c>" * 100_000
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", f'<row r="999999">{cells}</row></sheetData>'
    )
    return package(parts)


def test_a_workbook_read_in_the_child_is_the_one_read_here():
    parts = one_sheet_parts([["代码", "值"], ["A", Formula("1/4", 0.25)], ["B", 7]])
    data = package(parts)
    here = read_workbook(data, "a.xlsx")
    there = read_isolated(data, "a.xlsx")
    assert there == here
    assert there[0].rows == [["代码", "值"], ["A", 0.25], ["B", 7.0]]


def test_the_child_works_with_the_cycle_collector_paused():
    assert gc.isenabled()
    assert isolated.run_isolated(gc.isenabled, (), "a.xlsx", upload_limits()) is False
    assert gc.isenabled()  # this process's is untouched


def test_the_readers_refusal_comes_back_with_its_key_and_values():
    data = make_xlsx({"指标数据": [VALUE_HEADER, *[["YS02", "", "南山区", "2022-03", 5, ""]] * 5]})
    with pytest.raises(InputError) as refused:
        read_isolated(data, "rows.xlsx", Limits(max_rows_per_sheet=3))
    assert refused.value.key == "reader.too_many_rows"
    assert refused.value.params == {"sheet": "指标数据", "rows": 6, "limit": 3}
    with pytest.raises(InputError) as refused:
        read_isolated(b"a,b\n1,2\n", "data.xlsx")
    assert refused.value.key == "reader.not_a_workbook"


def test_a_file_that_asks_for_terabytes_is_refused_and_this_process_goes_on(caplog, capfd):
    with pytest.raises(InputError) as refused:
        read_isolated(cells_without_references(), "far.xlsx")
    # calamine's abort is in the log, under the file's name, not on the terminal
    assert "reading 'far.xlsx' ended with exit code -6" in caplog.text
    assert "memory allocation" in caplog.text
    assert capfd.readouterr().err == ""
    assert refused.value.key == "reader.read_too_large"
    assert refused.value.params == {"file": "far.xlsx", "limit_mb": 2048}
    assert "2048 MB" in str(refused.value)
    assert read_isolated(make_xlsx({"S": [["a"]]}), "next.xlsx")[0].rows == [["a"]]


def test_a_file_needing_more_memory_than_allowed_is_refused():
    data = one_sheet_xlsx([[f"text {n}", n] for n in range(200_000)])  # 160 MB to read
    assert len(read_isolated(data, "s.xlsx")[0].rows) == 200_000
    with pytest.raises(InputError) as refused:
        read_isolated(data, "s.xlsx", Limits(max_read_memory_bytes=64 * 1024 * 1024))
    assert refused.value.key == "reader.read_too_large"
    assert refused.value.params["limit_mb"] == 64


def test_a_read_longer_than_allowed_is_stopped():
    data = one_sheet_xlsx([[f"text {n}", n] for n in range(200_000)])
    with pytest.raises(InputError) as refused:
        read_isolated(data, "slow.xlsx", Limits(max_read_seconds=0.01))
    assert refused.value.key == "reader.read_too_slow"
    assert "0.01 秒" in str(refused.value)


@pytest.mark.parametrize(
    ("exit_code", "key"),
    [
        (-signal.SIGXCPU, "reader.read_too_slow"),  # its CPU time ran out
        (-signal.SIGABRT, "reader.read_too_large"),  # calamine: an allocation failed
        (-signal.SIGKILL, "reader.read_too_large"),  # the kernel's out-of-memory killer
        (-signal.SIGSEGV, "reader.read_failed"),
        (1, "reader.read_failed"),  # an exception the reader did not expect
    ],
)
def test_how_a_child_ended_names_the_reason(exit_code, key):
    assert isolated._ended(exit_code, "f.xlsx", Limits()).key == key


def test_the_deployments_settings_make_the_upload_limits(monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_MB", "20")
    monkeypatch.setenv("READ_MEMORY_MB", "1024")
    monkeypatch.setenv("READ_SECONDS", "30")
    limits = upload_limits()
    assert limits.max_file_bytes == 20 * 1024 * 1024
    assert limits.max_read_memory_bytes == 1024 * 1024 * 1024
    assert limits.max_read_seconds == 30
    assert ImportOptions().limits == limits  # every import, the page's, the CLI's and others
    monkeypatch.setenv("READ_MEMORY_MB", "lots")
    with pytest.raises(ValueError, match="READ_MEMORY_MB"):
        settings.read_memory_mb()


def test_the_importer_and_the_upload_preview_refuse_the_file_and_store_nothing(empty_db):
    engine = empty_db.open()
    report = import_file(engine, cells_without_references(), "far.xlsx")
    assert report.status == "rejected"
    assert "“far.xlsx”" in report.message and "2048 MB" in report.message
    admin = Principal("chen", "admin")
    pending = prepare(engine, admin, "far.xlsx", cells_without_references(), ImportOptions())
    assert pending.report.status == "rejected"
    assert pending.report.message == report.message
    assert pending.sheets is None
    with engine.connect() as conn:
        assert conn.execute(select(func.count(Submission.id))).scalar_one() == 0
    engine.dispose()
