"""Writers of the same keys at once, in separate processes, on SQLite and PostgreSQL.

Two imports of the same keys, an import beside a rollback of the rows it replaces, and
two rollbacks of one submission each end with a report (no traceback), and the data
ends as if they had run one after the other: one current row per key.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_model.accounts.permissions import Principal, guarded_rollback
from data_model.admin.bootstrap import open_database
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.store.db import make_engine
from data_model.store.models import IndicatorValue, Submission
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

DISTRICTS = ("罗湖区", "福田区", "南山区", "宝安区", "龙岗区")
MONTHS = [f"{year}-{month:02d}" for year in range(2000, 2024) for month in range(1, 13)]
# YS03 is quarterly (a month of it is refused).
QUARTERS = [f"{year}-Q{quarter}" for year in range(1990, 2024) for quarter in range(1, 5)]
ADMIN = Principal("chen", "admin")


def values_file(value: float) -> bytes:
    """About 3,600 values of three indicators, all equal to `value`: big enough that two
    imports started together overlap."""
    rows = [
        [code, "", district, period, value, ""]
        for code, periods in (("YS01", MONTHS), ("YS02", MONTHS), ("YS03", QUARTERS))
        for district in DISTRICTS
        for period in periods
    ]
    return make_xlsx({"指标数据": [VALUE_HEADER, *rows]})


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("concurrent")
    paths = {}
    for name, content in (
        ("indicators", make_xlsx({"指标体系": indicator_rows()})),
        ("base", values_file(1)),
        ("first", values_file(2)),
        ("second", values_file(3)),
    ):
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(content)
    return paths


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"


def imported(url: str, path: Path, uploader: str) -> int:
    engine = open_database(url)
    report = import_file(engine, path.read_bytes(), path.name, ImportOptions(uploader=uploader))
    engine.dispose()
    assert report.status == "accepted", report.message
    return report.submission_id


# --- what each process does -------------------------------------------------------------


def run_import(url: str, path: str, barrier, results) -> None:
    engine = make_engine(url)
    barrier.wait()
    try:
        report = import_file(engine, Path(path).read_bytes(), Path(path).name)
        results.put(("import", report.status, report.submission_id))
    except BaseException as error:  # the finding: a raw UniqueViolation
        results.put(("import", f"raised {type(error).__name__}: {error}", None))
    finally:
        engine.dispose()


def run_rollback(url: str, submission_id: int, barrier, results) -> None:
    engine = make_engine(url)
    barrier.wait()
    try:
        guarded_rollback(engine, ADMIN, submission_id)
        results.put(("rollback", "rolled_back", submission_id))
    except InputError as error:
        results.put(("rollback", error.key, submission_id))
    except BaseException as error:
        results.put(("rollback", f"raised {type(error).__name__}: {error}", None))
    finally:
        engine.dispose()


def run_together(*jobs: tuple) -> list[tuple]:
    """Start every (function, args) in its own process at the same moment; their results."""
    # Forked, not spawned: a spawned child re-runs the parent's __main__, which after the
    # page tests is a page script. Each child makes its own engine after the fork.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    processes = [
        context.Process(target=function, args=(*args, barrier, results)) for function, args in jobs
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return sorted(outcomes, key=str)


def current_values(url: str) -> tuple[int, set[float], set[int]]:
    """How many current values, which numbers they hold, which submissions supplied them."""
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(IndicatorValue).where(IndicatorValue.is_current)
        ).scalar_one()
        values = set(
            conn.execute(
                select(IndicatorValue.value).where(IndicatorValue.is_current).distinct()
            ).scalars()
        )
        sources = set(
            conn.execute(
                select(IndicatorValue.submission_id).where(IndicatorValue.is_current).distinct()
            ).scalars()
        )
    engine.dispose()
    return count, values, sources


def statuses(url: str) -> dict[int, str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(select(Submission.id, Submission.status)).all())
    engine.dispose()
    return found


KEYS = len(DISTRICTS) * (2 * len(MONTHS) + len(QUARTERS))


def test_two_imports_of_the_same_keys_run_one_after_the_other(url, files):
    imported(url, files["indicators"], "chen")
    outcomes = run_together(
        (run_import, (url, str(files["first"]))), (run_import, (url, str(files["second"])))
    )
    assert [status for _, status, _ in outcomes] == ["accepted", "accepted"]
    count, values, sources = current_values(url)
    assert count == KEYS
    assert len(values) == 1 and len(sources) == 1  # all from the one that committed last
    (last,) = sources
    (earlier,) = {submission for _, _, submission in outcomes} - {last}
    assert statuses(url)[earlier] == "superseded"
    assert statuses(url)[last] == "accepted"


def test_an_import_beside_a_rollback_of_the_rows_it_replaces(url, files):
    imported(url, files["indicators"], "chen")
    base = imported(url, files["base"], "chen")
    first = imported(url, files["first"], "chen")
    outcomes = run_together((run_rollback, (url, first)), (run_import, (url, str(files["second"]))))
    assert [status for _, status, _ in outcomes] == ["accepted", "rolled_back"]
    count, values, sources = current_values(url)
    # Either order ends with the new import's values, one current row per key.
    assert (count, values) == (KEYS, {3.0})
    assert statuses(url)[first] == "rolled_back"
    assert statuses(url)[base] == "superseded"
    assert len(sources) == 1


def test_two_rollbacks_of_one_submission_roll_it_back_once(url, files):
    imported(url, files["indicators"], "chen")
    base = imported(url, files["base"], "chen")
    first = imported(url, files["first"], "chen")
    outcomes = run_together((run_rollback, (url, first)), (run_rollback, (url, first)))
    assert sorted(status for _, status, _ in outcomes) == [
        "permissions.already_rolled_back",
        "rolled_back",
    ]
    assert current_values(url) == (KEYS, {1.0}, {base})
    assert statuses(url)[base] == "accepted"
