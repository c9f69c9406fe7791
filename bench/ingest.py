"""Benchmark of the spreadsheet importer on large long-form indicator-value workbooks.

Not a test: it prints figures. For each size given with `--rows` (default 300k) it

1. generates (or reuses from `bench/output/`) a `指标数据` workbook of that many data rows,
   saved with shared strings as Excel saves it, plus the `指标体系` workbook defining
   its indicators;
2. in a fresh process, creates a fresh SQLite database with `open_database`, imports
   the indicators workbook, then times the values workbook's import as `import --explain`
   runs it (CPU and wall time) and reads the process's peak RSS;
3. in another fresh process, times "the bare floor" for the same file: reading it with
   python-calamine, plus one `sqlite3` executemany of the same rows as plain tuples into a
   fresh table without indexes, in one transaction; then the same write into the app's
   own `indicator_value` table (its key, indexes and foreign keys) of another fresh
   database, "the schema floor";
4. with `--db postgresql://…`, does 2 and 3 again on PostgreSQL in fresh databases on that
   server, the floor writing with one COPY (psycopg 3) instead of executemany;
5. prints the medians of `--repeat` runs, one line per size and engine.

Run from the project root: `make bench` or `.venv/bin/python bench/ingest.py --help`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))  # so that a child process can import data_model

from data_model.kinds import INDICATOR_VALUES, INDICATORS  # noqa: E402 (after the path)

OUTPUT_DIR = PROJECT_ROOT / "bench" / "output"
MASTER_DATA = PROJECT_ROOT / "data_model" / "defaults" / "master_data.json"
SAMPLE_INDICATORS = PROJECT_ROOT / "sample_data" / "indicators.xlsx"

VALUES_SHEET = INDICATOR_VALUES.sheet
VALUES_HEADER = tuple(c.header for c in INDICATOR_VALUES.columns)
INDICATORS_SHEET = INDICATORS.sheet
INDICATORS_HEADER = tuple(c.header for c in INDICATORS.columns if c.field not in ("source", "note"))
INDICATOR_COUNT = 300  # 300 indicators x 12 geographies = 3,600 rows per month
INDICATORS_PER_PREFIX = 60  # codes YS01..YS60, FZ01..FZ60, ... (5 prefixes x 60 = 300)
FIRST_MONTH = (2021, 1)
SEED = 20261125
EXTRA_UNITS = ("家", "%", "亿元", "件", "人", "个", "次", "天")


# --- indicators and geographies -------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the `指标体系` workbook."""

    code: str
    name: str
    dimension: str
    unit: str
    direction: str
    weight: float
    target: float | None
    aggregation: str

    def cells(self) -> list[object]:
        """The row in the order of INDICATORS_HEADER (every indicator is monthly)."""
        return [
            self.code,
            self.name,
            self.dimension,
            self.unit,
            self.direction,
            self.weight,
            self.target,
            "月",
            self.aggregation,
        ]


def geography_names() -> list[str]:
    """The 12 geography names of the default master data, in their file order."""
    data = json.loads(MASTER_DATA.read_text(encoding="utf-8"))
    return [district["name"] for district in data["districts"]]


def benchmark_indicators() -> list[IndicatorRow]:
    """INDICATOR_COUNT indicators: the 32 real ones of the sample data, then more of each prefix.

    The real indicators keep their code, name, dimension, unit, direction, weight, target
    and aggregation. Each of their code prefixes (YS, FZ, ZL, CZ, SH) is continued with
    made-up indicators of the same dimension up to INDICATORS_PER_PREFIX codes.
    """
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(SAMPLE_INDICATORS)).get_sheet_by_name(INDICATORS_SHEET)
    header, *data = rows.to_python()
    column = {name: header.index(name) for name in INDICATORS_HEADER}
    real = [
        IndicatorRow(
            code=row[column["指标编码"]],
            name=row[column["指标名称"]],
            dimension=row[column["维度"]],
            unit=row[column["计量单位"]],
            direction=row[column["指标方向"]],
            weight=row[column["权重"]],
            target=row[column["目标值"]] if row[column["目标值"]] != "" else None,
            aggregation=row[column["汇总方式"]],
        )
        for row in data
        if row[column["指标编码"]]
    ]
    indicators = list(real)
    dimensions = {row.code[:2]: row.dimension for row in real}
    taken = {row.code for row in real}
    for prefix, dimension in dimensions.items():
        for number in range(1, INDICATORS_PER_PREFIX + 1):
            code = f"{prefix}{number:02d}"
            if code in taken:
                continue
            unit = EXTRA_UNITS[number % len(EXTRA_UNITS)]
            indicators.append(
                IndicatorRow(
                    code=code,
                    name=f"{dimension}监测指标{code}",
                    dimension=dimension,
                    unit=unit,
                    direction="逆向" if unit == "天" else "正向",
                    weight=1.0,
                    target=None,
                    aggregation="期末值" if unit == "%" else "求和",
                )
            )
    indicators.sort(key=lambda row: row.code)
    if len(indicators) < INDICATOR_COUNT:
        raise SystemExit(f"only {len(indicators)} indicators could be made")
    return indicators[:INDICATOR_COUNT]


def month_periods(count: int) -> list[str]:
    """`count` consecutive months as canonical periods, from FIRST_MONTH: 2021-01, 2021-02, ..."""
    year, month = FIRST_MONTH
    periods = []
    for _ in range(count):
        periods.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


# --- writing workbooks as Excel does (shared strings) ---------------------------------

INLINE_STRING_CELL = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?P<space>[^>]*)>(?P<text>.*?)</t></is></c>',
    re.DOTALL,
)
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
SHARED_STRINGS_OVERRIDE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)
SHARED_STRINGS_RELATIONSHIP = (
    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSharedStrings" />'
)


def save_workbook(path: Path, sheet_name: str, rows) -> None:
    """Write `rows` (header first) to one sheet with openpyxl write_only, with shared strings.

    openpyxl writes text cells as inline strings; Excel writes them once in
    `xl/sharedStrings.xml` and refers to them by index. The workbook is written to a
    temporary file, converted, checked, and only then renamed to `path`, so an
    interrupted run never leaves a half-written cached file.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append(row)
    inline_path = path.with_name(path.name + ".inline.tmp")
    shared_path = path.with_name(path.name + ".shared.tmp")
    workbook.save(inline_path)
    share_strings(inline_path, shared_path)
    inline_path.unlink()
    with zipfile.ZipFile(shared_path) as archive:
        if SHARED_STRINGS_PART not in archive.namelist():
            raise SystemExit(f"{path.name}: {SHARED_STRINGS_PART} is missing")
    shared_path.replace(path)


def share_strings(source: Path, target: Path) -> None:
    """Copy the xlsx `source` to `target`, turning inline-string cells into shared strings."""
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    if SHARED_STRINGS_PART in parts:
        target.write_bytes(source.read_bytes())
        return
    index_of: dict[bytes, int] = {}
    strings: list[bytes] = []
    references = 0

    def shared_cell(match: re.Match) -> bytes:
        nonlocal references
        key = match["space"] + b">" + match["text"]  # keeps xml:space="preserve"
        index = index_of.get(key)
        if index is None:
            index = index_of[key] = len(strings)
            strings.append(b"<si><t" + key + b"</t></si>")
        references += 1
        return b"<c " + match[1] + b't="s"' + match[2] + b"><v>" + str(index).encode() + b"</v></c>"

    for name in parts:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            parts[name] = INLINE_STRING_CELL.sub(shared_cell, parts[name])
            if b"inlineStr" in parts[name]:
                raise SystemExit(f"{source.name}: inline strings left in {name}")
    parts[SHARED_STRINGS_PART] = b"".join(
        [
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
            f' count="{references}" uniqueCount="{len(strings)}">'.encode(),
            *strings,
            b"</sst>",
        ]
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", SHARED_STRINGS_OVERRIDE + b"</Types>"
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>", SHARED_STRINGS_RELATIONSHIP + b"</Relationships>"
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


# --- the cached input files -----------------------------------------------------------


INDICATORS_PATH = OUTPUT_DIR / f"indicators_{INDICATOR_COUNT}.xlsx"


def values_path_for(row_count: int) -> Path:
    """Where the `指标数据` workbook of `row_count` data rows is cached."""
    return OUTPUT_DIR / f"indicator_values_{row_count}.xlsx"


def values_rows(row_count: int, indicators: list[IndicatorRow], geographies: list[str]):
    """Header, then `row_count` data rows ordered by period, indicator and geography.

    Keys (indicator, geography, period) are unique: there are as many months as needed
    to reach `row_count`, and the last month is cut short. 备注 is left empty (no cell).
    """
    rng = random.Random(SEED)
    per_month = len(indicators) * len(geographies)
    periods = month_periods(math.ceil(row_count / per_month))
    yield list(VALUES_HEADER)
    produced = 0
    for period in periods:
        for indicator in indicators:
            for geography in geographies:
                if produced == row_count:
                    return
                value = round(rng.uniform(0, 100 if indicator.unit == "%" else 5000), 2)
                yield [indicator.code, indicator.name, geography, period, value, None]
                produced += 1


def generate_workbooks(row_count: int) -> None:
    """Write the indicators workbook and the values workbook of `row_count` rows, if missing."""
    indicators = benchmark_indicators()
    if not INDICATORS_PATH.exists():
        rows = [list(INDICATORS_HEADER), *(indicator.cells() for indicator in indicators)]
        save_workbook(INDICATORS_PATH, INDICATORS_SHEET, rows)
    path = values_path_for(row_count)
    if not path.exists():
        save_workbook(path, VALUES_SHEET, values_rows(row_count, indicators, geography_names()))


def ensure_workbooks(row_count: int) -> Path:
    """The values workbook of `row_count` rows, generated in a child process unless cached."""
    path = values_path_for(row_count)
    if path.exists() and INDICATORS_PATH.exists():
        print(f"  using cached {path.relative_to(PROJECT_ROOT)}", flush=True)
        return path
    print(f"  generating {path.relative_to(PROJECT_ROOT)} ...", end=" ", flush=True)
    start = time.perf_counter()
    run_child("generate", row_count)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"{time.perf_counter() - start:.1f} s, {size_mb:.1f} MB", flush=True)
    return path


# --- measurements, each run in a fresh child process ----------------------------------

# What `import --explain` gives the rows that need an explanation (values off target or
# far from last month's): the generated values are random, so thousands of rows need one.
EXPLAIN = "基准测试数据"


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far, in KB (ru_maxrss is KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds() -> float:
    """User + system CPU time of this process and of the children it has waited for (the
    importer reads a workbook in a child process, `isolated.read_isolated`) so far: unlike
    wall time, it barely changes when other programs compete for the cores."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def reader_peak_kb() -> int:
    """Peak resident set size of the largest child this process has waited for: the
    process that read the workbook (`isolated.read_isolated`), in KB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


@contextmanager
def scratch_database(db: str | None, suffix: str) -> Iterator[str]:
    """A fresh database for one measurement: a SQLite file in a temp dir when `db` is None,
    else a PostgreSQL database named after `db`'s plus `_<suffix>`, dropped afterwards."""
    if db is None:
        with tempfile.TemporaryDirectory(prefix=f"bench-{suffix}-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(db)
    name = f"{parts.path.strip('/') or 'postgres'}_{suffix}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure_importer(values_path: Path, indicators_path: Path, rows: int, db: str | None) -> dict:
    """Fresh database, indicators imported, then the values file imported as `import
    --explain` does (`import_file` with `explain`), timed.

    Returns the wall and CPU seconds (of this process and of the child that read the
    file: PostgreSQL's own work shows in the wall time only), the peak RSS before the
    import (interpreter, libraries and the file's bytes) and at its end, and the reading
    child's peak RSS.
    """
    from data_model.admin.bootstrap import open_database
    from data_model.ingest.importer import ImportOptions, import_file

    with scratch_database(db, "ingest") as url:
        engine = open_database(url)
        report = import_file(engine, indicators_path.read_bytes(), indicators_path.name)
        assert report.status == "accepted", report.message
        data = values_path.read_bytes()
        before_kb = peak_rss_kb()
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        report = import_file(engine, data, values_path.name, ImportOptions(explain=EXPLAIN))
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_start
        peak_kb = peak_rss_kb()
        engine.dispose()
    assert report.status == "accepted", report.message
    assert report.rows_new == rows, (report.rows_new, rows)
    return {
        "importer_s": seconds,
        "importer_cpu_s": cpu,
        "rss_before_kb": before_kb,
        "rss_peak_kb": peak_kb,
        "reader_peak_kb": reader_peak_kb(),
    }


FLOOR_COLUMNS = "indicator_code, district_id, period, value, note"
# The floor's table: indicator_value's data columns, without an index or a key.
FLOOR_TABLE = (
    "CREATE TABLE indicator_value (indicator_code VARCHAR(64) NOT NULL, "
    "district_id INTEGER NOT NULL, period VARCHAR(16) NOT NULL, "
    "value FLOAT NOT NULL, note VARCHAR NOT NULL)"
)


def floor_tuples(values_path: Path, rows: int) -> tuple[list[tuple], float, float]:
    """The sheet read with python-calamine, as (indicator_code, district_id, period, value,
    note) tuples, with the read's wall and CPU seconds (turning cells into tuples is not
    timed). District ids are 1..12 in master-data order, as a fresh database numbers them."""
    from python_calamine import CalamineWorkbook

    cpu_start = cpu_seconds()
    start = time.perf_counter()
    cells = CalamineWorkbook.from_path(str(values_path)).get_sheet_by_name(VALUES_SHEET).to_python()
    read_s, read_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    district_ids = {name: number for number, name in enumerate(geography_names(), start=1)}
    tuples = [
        (code, district_ids[district], period, float(value), note or "")
        for code, _name, district, period, value, note in cells[1:]
    ]
    assert len(tuples) == rows, (len(tuples), rows)
    return tuples, read_s, read_cpu


def measure_floor_sqlite(values_path: Path, rows: int) -> dict:
    """The bare floor on SQLite: the calamine read, then one executemany of the tuples
    into a fresh table without any index (no primary key either) in one transaction,
    with the app's PRAGMAs."""
    tuples, read_s, read_cpu = floor_tuples(values_path, rows)
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        conn = sqlite3.connect(Path(folder) / "floor.sqlite3")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(FLOOR_TABLE)
        conn.commit()
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        with conn:  # one transaction, committed at the end of the block
            conn.executemany(
                f"INSERT INTO indicator_value ({FLOOR_COLUMNS}) VALUES (?, ?, ?, ?, ?)", tuples
            )
        write_s, write_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        stored = conn.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
        conn.close()
    assert stored == rows, (stored, rows)
    floor = {"read_s": read_s, "read_cpu_s": read_cpu, "write_s": write_s, "write_cpu_s": write_cpu}
    return floor | measure_schema_write(tuples, rows, None)


def measure_floor_postgresql(values_path: Path, rows: int, db: str) -> dict:
    """The bare floor on PostgreSQL: the calamine read, then one COPY of the tuples (psycopg
    3, `cursor.copy`) into a fresh table without any index, committed."""
    import psycopg

    tuples, read_s, read_cpu = floor_tuples(values_path, rows)
    with scratch_database(db, "floor") as url, psycopg.connect(url) as conn:
        conn.execute(FLOOR_TABLE)
        conn.commit()
        cpu_start = cpu_seconds()
        start = time.perf_counter()
        sql = f"COPY indicator_value ({FLOOR_COLUMNS}) FROM STDIN"
        with conn.cursor() as cursor, cursor.copy(sql) as copy:
            for row in tuples:
                copy.write_row(row)
        conn.commit()
        write_s, write_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        stored = conn.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
    assert stored == rows, (stored, rows)
    floor = {"read_s": read_s, "read_cpu_s": read_cpu, "write_s": write_s, "write_cpu_s": write_cpu}
    return floor | measure_schema_write(tuples, rows, db)


def measure_schema_write(tuples: list[tuple], rows: int, db: str | None) -> dict:
    """The floor's write again, into the app's own `indicator_value` table of a fresh
    database (`open_database`: its primary key, its three indexes and its foreign keys to
    the district and the submission), as the current rows of a submission added in the
    same transaction: the same one executemany (SQLite, the app's PRAGMAs) or one COPY
    (PostgreSQL), committed. What any importer of this file into the app's schema
    writes, before any check or summary; with the read, "the schema floor"."""

    from sqlalchemy import insert

    from data_model.admin.bootstrap import open_database
    from data_model.store.models import Submission

    columns = f"{FLOOR_COLUMNS}, submission_id, is_current"
    with scratch_database(db, "schema") as url:
        engine = open_database(url)
        with engine.begin() as conn:  # one transaction, as the import's
            submission = conn.execute(
                insert(Submission)
                .values(
                    uploaded_at=dt.datetime.now(dt.UTC),
                    uploader="bench",
                    file_name="floor.xlsx",
                    sha256="0" * 64,
                    status="accepted",
                )
                .returning(Submission.id)
            ).scalar_one()
            current = [(*row, submission, True) for row in tuples]  # not timed
            driver = conn.connection.driver_connection
            cpu_start = cpu_seconds()
            start = time.perf_counter()
            if db is None:
                marks = ", ".join("?" * 7)
                sql = f"INSERT INTO indicator_value ({columns}) VALUES ({marks})"
                driver.executemany(sql, current)
            else:
                sql = f"COPY indicator_value ({columns}) FROM STDIN"
                with driver.cursor() as cursor, cursor.copy(sql) as copy:
                    for row in current:
                        copy.write_row(row)
        write_s, write_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT count(*) FROM indicator_value").scalar_one()
        engine.dispose()
    assert stored == rows, (stored, rows)
    return {"schema_write_s": write_s, "schema_write_cpu_s": write_cpu}


def profile_importer(values_path: Path, indicators_path: Path, rows: int, db: str | None) -> dict:
    """Like measure_importer, under cProfile; the stats go to OUTPUT_DIR/profile_<rows>.prof."""
    import cProfile

    from data_model.admin.bootstrap import open_database
    from data_model.ingest.importer import ImportOptions, import_file

    stats_path = OUTPUT_DIR / f"profile_{rows}{'' if db is None else '_pg'}.prof"
    with scratch_database(db, "profile") as url:
        engine = open_database(url)
        report = import_file(engine, indicators_path.read_bytes(), indicators_path.name)
        assert report.status == "accepted", report.message
        data = values_path.read_bytes()
        profiler = cProfile.Profile()
        options = ImportOptions(explain=EXPLAIN)
        report = profiler.runcall(import_file, engine, data, values_path.name, options)
        profiler.dump_stats(stats_path)
        engine.dispose()
    assert report.status == "accepted", report.message
    return {"stats": str(stats_path)}


def run_child(what: str, rows: int, db: str | None = None) -> dict:
    """Run one step in a fresh Python process and return what it printed as JSON.

    The import's peak RSS is the child's own `ru_maxrss` (RUSAGE_SELF) at the end of the
    import. On Linux a child's ru_maxrss starts from the parent's peak RSS at the
    fork/exec, so this launcher process does no heavy work itself: workbook generation,
    the importer, the floors and the profile each run in their own child.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--child", what, "--rows", str(rows)]
    if db is not None:
        command += ["--db", db]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"the {what} step failed (exit code {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_main(args: argparse.Namespace) -> int:
    """Entry point of a child process (hidden `--child` flag): one step, JSON out."""
    rows = args.rows[0]
    values_path = values_path_for(rows)
    if args.child == "generate":
        generate_workbooks(rows)
        result = {"values": str(values_path)}
    elif args.child == "importer":
        result = measure_importer(values_path, INDICATORS_PATH, rows, args.db)
    elif args.child == "floor":
        if args.db is None:
            result = measure_floor_sqlite(values_path, rows)
        else:
            result = measure_floor_postgresql(values_path, rows, args.db)
    else:
        result = profile_importer(values_path, INDICATORS_PATH, rows, args.db)
    print(json.dumps(result))
    return 0


# --- the parent: generate, measure, report --------------------------------------------


@dataclass
class Result:
    """Medians over the repeated runs of one size on one engine."""

    engine: str
    rows: int
    importer_s: float
    importer_cpu_s: float
    read_s: float
    write_s: float
    floor_cpu_s: float
    schema_write_s: float  # the same write into the app's indicator_value table
    schema_floor_cpu_s: float
    rss_before_mb: float
    rss_peak_mb: float
    reader_peak_mb: float  # the child process that read the workbook
    load: float  # the highest 1-minute load average seen at the start or end of a run

    @property
    def floor_s(self) -> float:
        return self.read_s + self.write_s

    @property
    def ratio(self) -> float:
        return self.importer_s / self.floor_s

    @property
    def cpu_ratio(self) -> float:
        return self.importer_cpu_s / self.floor_cpu_s

    @property
    def schema_ratio(self) -> float:
        return self.importer_s / (self.read_s + self.schema_write_s)

    @property
    def schema_cpu_ratio(self) -> float:
        return self.importer_cpu_s / self.schema_floor_cpu_s


def benchmark_size(rows: int, repeat: int, dbs: list[str | None]) -> list[Result]:
    """Generate (or reuse) the workbook of `rows` rows and measure it `repeat` times on
    each engine: the CLI import, then the bare floor, each in a fresh process."""
    print(f"{rows:,} rows", flush=True)
    ensure_workbooks(rows)
    results = []
    for db in dbs:
        engine = "SQLite" if db is None else "PostgreSQL"
        runs = []
        for number in range(1, repeat + 1):
            load = os.getloadavg()[0]  # other work on the cores shows in the wall times
            importer = run_child("importer", rows, db)
            if peak_rss_kb() >= importer["rss_before_kb"]:
                print("  warning: the launcher's peak RSS may hide the child's (see run_child)")
            floor = run_child("floor", rows, db)
            run = importer | floor
            run["floor_cpu_s"] = floor["read_cpu_s"] + floor["write_cpu_s"]
            run["schema_floor_cpu_s"] = floor["read_cpu_s"] + floor["schema_write_cpu_s"]
            run["load"] = max(load, os.getloadavg()[0])
            runs.append(run)
            print(
                f"  {engine} run {number}/{repeat} (load average {run['load']:.1f}): "
                f"import {run['importer_s']:.2f} s "
                f"(CPU {run['importer_cpu_s']:.2f} s), floor: calamine {run['read_s']:.2f} s "
                f"+ write {run['write_s']:.2f} s (CPU {run['floor_cpu_s']:.2f} s), "
                f"into the app's table {run['schema_write_s']:.2f} s, "
                f"import peak RSS {run['rss_peak_kb'] / 1024:.0f} MB "
                f"(its reading child's {run['reader_peak_kb'] / 1024:.0f} MB)",
                flush=True,
            )

        def median(key: str, runs=runs) -> float:
            return statistics.median(run[key] for run in runs)

        results.append(
            Result(
                engine=engine,
                rows=rows,
                importer_s=median("importer_s"),
                importer_cpu_s=median("importer_cpu_s"),
                read_s=median("read_s"),
                write_s=median("write_s"),
                floor_cpu_s=median("floor_cpu_s"),
                schema_write_s=median("schema_write_s"),
                schema_floor_cpu_s=median("schema_floor_cpu_s"),
                rss_before_mb=median("rss_before_kb") / 1024,
                rss_peak_mb=median("rss_peak_kb") / 1024,
                reader_peak_mb=median("reader_peak_kb") / 1024,
                load=max(run["load"] for run in runs),
            )
        )
    return results


def print_environment() -> None:
    """Versions and machine, so that figures from different runs can be compared."""
    packages = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("python-calamine", "openpyxl", "SQLAlchemy", "sqlmodel", "psycopg")
    )
    print(f"date:     {dt.date.today().isoformat()}")
    print(f"python:   {platform.python_version()} ({platform.python_implementation()})")
    print(f"sqlite:   {sqlite3.sqlite_version}")
    print(f"machine:  {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"packages: {packages}")
    print()


def print_table(results: list[Result], repeat: int) -> None:
    """The medians, one line per size and engine, as a Markdown table."""
    print()
    print(
        f"Medians of {repeat} run(s); seconds, MB (peak RSS of the import process, and of "
        "the child process it reads the workbook in). The floor "
        "is the calamine read plus one executemany (SQLite) or one COPY (PostgreSQL) into a "
        "table without indexes; CPU is the client process's. Load average: the highest "
        "1-minute load average at the start or end of the runs (2 cores: above 2, the wall "
        "times include waiting for a core). The schema floor is the read plus the same write "
        "into the app's own indicator_value table (its key, indexes and foreign keys)."
    )
    print()
    header = (
        "| engine | rows | import s | import CPU s | calamine read s | floor write s | floor s "
        "| floor CPU s | import / floor (wall) | import / floor (CPU) | schema write s "
        "| import / schema floor (wall) | import / schema floor (CPU) | import peak RSS MB "
        "| reader child peak RSS MB | RSS before import MB | load average |"
    )
    print(header)
    print("|---|" + "---:|" * header.count(" | "))
    for r in results:
        print(
            f"| {r.engine} | {r.rows:,} | {r.importer_s:.2f} | {r.importer_cpu_s:.2f} "
            f"| {r.read_s:.2f} | {r.write_s:.2f} | {r.floor_s:.2f} | {r.floor_cpu_s:.2f} "
            f"| {r.ratio:.1f}x | {r.cpu_ratio:.1f}x | {r.schema_write_s:.2f} "
            f"| {r.schema_ratio:.1f}x | {r.schema_cpu_ratio:.1f}x "
            f"| {r.rss_peak_mb:.0f} | {r.reader_peak_mb:.0f} | {r.rss_before_mb:.0f} "
            f"| {r.load:.1f} |"
        )


def print_profile(stats_path: Path, limit: int) -> None:
    """The `limit` top functions of a cProfile dump, by cumulative and by own time."""
    import pstats

    for order in ("cumulative", "tottime"):
        print(f"\n--- {stats_path.name}: top {limit} by {order} ---")
        pstats.Stats(str(stats_path)).strip_dirs().sort_stats(order).print_stats(limit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time the spreadsheet importer against the bare floor on SQLite (and "
        "PostgreSQL with --db)."
    )
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[300_000],
        metavar="N",
        help="data rows of each generated workbook (default: 300000)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="also measure on PostgreSQL (postgresql://…): fresh databases named after the "
        "URL's plus _ingest, _floor and _schema are created and dropped on its server",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs per size; the table shows medians (default: 1)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run the importer once per size under cProfile and print the top functions",
    )
    parser.add_argument(
        "--profile-limit", type=int, default=40, metavar="N", help="functions listed (default: 40)"
    )
    # Used by the script itself to run one step in a fresh process (see run_child).
    parser.add_argument(
        "--child", choices=("generate", "importer", "floor", "profile"), help=argparse.SUPPRESS
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.child:
        return child_main(args)
    if args.repeat < 1 or any(rows < 1 for rows in args.rows):
        raise SystemExit("--rows and --repeat must be positive")
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    print_environment()
    geographies = len(geography_names())
    print(
        f"{INDICATOR_COUNT} indicators x {geographies} geographies "
        f"= {INDICATOR_COUNT * geographies:,} rows per month\n"
    )
    if args.db is not None and not args.db.startswith(("postgresql://", "postgres://")):
        raise SystemExit(f"--db {args.db!r}: give a postgresql:// URL (SQLite is always measured)")
    dbs = [None] if args.db is None else [None, args.db]
    results = [result for rows in args.rows for result in benchmark_size(rows, args.repeat, dbs)]
    print_table(results, args.repeat)
    if args.profile:
        for rows in args.rows:
            for db in dbs:
                stats = run_child("profile", rows, db)["stats"]
                print_profile(Path(stats), args.profile_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
