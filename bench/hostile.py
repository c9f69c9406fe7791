"""How long the importer takes over issue 12's hostile files. Not a test: it prints figures.

Each file is built in memory (`tests/raw_xlsx.py`), then imported with the real importer
into a fresh SQLite database; the wall and CPU seconds of `import_file` are printed with
the report's status and first message. The files:

- `wide`: 16,384 columns x 60 rows of whole numbers 0..9,999 (seeded, so that about one
  cell in a hundred reads as a year header), as in the issue; refused from its declared
  dimension under the default limits;
- `wide, lying dimension`: the same cells under `<dimension ref="A1"/>`, caught once read;
- `wide, limit raised`: the same file with `max_columns_per_sheet` raised above its width,
  so that it goes through header and wide-table recognition;
- `GBK declaration`: a one-row values sheet whose workbook.xml declares encoding="GBK".

Then a file of which every row is wrong, as a real one is when values are sent before
their indicator system: `bench/ingest.py`'s values workbook of `--wrong-rows` rows
(300,000; generated into `bench/output/` unless there) imported into a database without
indicators. It prints the seconds, CPU seconds and the process's peak RSS after each step
the upload page takes for it: the check (`prepare`), the problems counted by kind
(`problem_groups`) and the first of them (`problems_frame`), the grid of rows to correct
(`rows_to_fix`) and the download of the problems (`annotated_workbook`), before the files
above. `--wrong-rows 0` skips it.

Run from the project root: `.venv/bin/python bench/hostile.py [--columns N] [--rows N]
[--wrong-rows N]`.
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import ingest as ingest_bench  # noqa: E402 (bench/ingest.py: the values workbook)

from data_model.accounts.permissions import Principal  # noqa: E402
from data_model.admin.bootstrap import open_database  # noqa: E402
from data_model.ingest.annotate import annotated_workbook  # noqa: E402
from data_model.ingest.importer import ImportOptions, import_file  # noqa: E402
from data_model.ingest.reader import Limits  # noqa: E402
from data_model.workflow.upload import (  # noqa: E402
    PROBLEMS_IN_PAGE,
    prepare,
    problem_groups,
    problems_frame,
    rows_to_fix,
)
from tests import raw_xlsx  # noqa: E402
from tests.conftest import VALUE_HEADER  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def gbk_workbook() -> bytes:
    parts = raw_xlsx.one_sheet_parts([VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]])
    parts["xl/workbook.xml"] = raw_xlsx.workbook_xml("指标数据", declaration="GBK")
    return raw_xlsx.package(parts)


def files(columns: int, rows: int) -> list[tuple[str, bytes, Limits]]:
    wide = raw_xlsx.wide_numbers_xlsx(columns, rows)
    return [
        ("wide", wide, Limits()),
        ("wide, lying dimension", with_dimension(wide, "A1"), Limits()),
        ("wide, limit raised", wide, Limits(max_columns_per_sheet=columns + 1)),
        ("GBK declaration", gbk_workbook(), Limits()),
    ]


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its sheet's declared dimension replaced by `ref`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), parts[sheet]
    )
    return raw_xlsx.package(parts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def every_row_wrong(rows: int) -> None:
    """The upload page's steps for a values file of `rows` rows none of whose indicators
    is defined (see the module's text)."""
    path = ingest_bench.ensure_workbooks(rows)
    data = path.read_bytes()
    print(f"every row wrong: {path.name}, {len(data) / 1024:.0f} KB, no indicator system")
    print("| step | s | CPU s | peak RSS MB | result |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        admin = Principal("bench", "admin")
        steps = [
            ("check (prepare)", lambda: prepare(engine, admin, path.name, data, ImportOptions())),
            ("problems by kind", lambda: problem_groups(pending.report)),
            ("first problems", lambda: problems_frame(pending.report, PROBLEMS_IN_PAGE)),
            ("rows to correct", lambda: rows_to_fix(pending)),
            ("download of the problems", lambda: annotated_workbook(data, path.name, report)),
        ]
        for name, step in steps:
            cpu_start = cpu_seconds()
            start = time.perf_counter()
            result = step()
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
            if name.startswith("check"):
                pending = result
                report = pending.report
                outcome = f"{report.status}, {len(report.errors):,} errors"
            elif isinstance(result, bytes):
                outcome = f"{len(result) / 1024:.0f} KB"
            else:
                outcome = f"{len(result):,} rows"
            print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {peak_rss_mb():.0f} | {outcome} |")
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=16_384)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--wrong-rows", type=int, default=300_000)
    args = parser.parse_args(argv)
    if args.wrong_rows:  # first: the peak RSS it prints is then its own
        every_row_wrong(args.wrong_rows)
    print(f"\nhostile files: {args.columns} columns x {args.rows} rows")
    print("| file | size KB | status | importer s | importer CPU s | first message |")
    print("|---|---:|---|---:|---:|---|")
    for name, data, limits in files(args.columns, args.rows):
        with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
            engine = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
            cpu_start = cpu_seconds()
            start = time.perf_counter()
            report = import_file(engine, data, f"{name}.xlsx", ImportOptions(limits=limits))
            seconds = time.perf_counter() - start
            cpu = cpu_seconds() - cpu_start
            engine.dispose()
        message = report.errors[0].message if report.errors else report.message
        print(
            f"| {name} | {len(data) / 1024:.0f} | {report.status} | {seconds:.2f} | {cpu:.2f} "
            f"| {message[:40]}… |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
