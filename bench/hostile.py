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
import pickle
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
from data_model.ingest.raw_sheet import Limits  # noqa: E402
from data_model.workflow.upload import (  # noqa: E402
    PROBLEMS_IN_PAGE,
    prepare,
    problem_groups,
    problems_frame,
    rows_to_fix,
)
from tests import raw_xlsx  # noqa: E402
from tests.conftest import VALUE_HEADER  # noqa: E402


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
        *hunted_files(),
    ]


def hunted_files() -> list[tuple[str, bytes, Limits]]:
    """The files of the eleventh session's hunt (docs/benchmarks.md), each small."""
    values = [VALUE_HEADER, *(["YS02", "", "南山区", "2022-03", n, ""] for n in range(100_000))]
    plain = raw_xlsx.sheet_xml([[1, 2, 3]] * 1_000)
    return [
        # Calamine reads a reference in lower case; the guard once looked for capitals only,
        # and the process aborted asking for 549 GB.
        (
            "far cell in lower case",
            with_sheet_tail(plain, '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),
            Limits(),
        ),
        (
            "300,000 formula tags after one cell",
            one_sheet(
                raw_xlsx.sheet_xml([[1]]).replace(
                    "</worksheet>", "<extLst>" + "<f/>" * 300_000 + "</extLst></worksheet>"
                )
            ),
            Limits(),
        ),
        (
            "1,000 percent styles, 100k rows",
            with_percent_styles(raw_xlsx.sheet_xml(values), 1_000),
            Limits(),
        ),
        (
            "A1:XFD1048576 merged, 100k rows",
            with_merges(raw_xlsx.sheet_xml(values), ["A1:XFD1048576"]),
            Limits(),
        ),
        ("100 overlapping merges", with_merges(plain, ["A1:XFD1048576"] * 100), Limits()),
        # Calamine places cells without a reference one after another along their row:
        # 100,000 of them in row 999,999 asked for 3.2 TB. Read in a child process, only
        # the child ends (`isolated.read_isolated`).
        (
            "100,000 cells without a reference in row 999,999",
            with_sheet_tail(plain, '<row r="999999">' + "<c><v>1</v></c>" * 100_000 + "</row>"),
            Limits(),
        ),
        ("600,000 merged ranges", with_merges(plain, ["A1:B2"] * 600_000), Limits()),
        (
            "2,000 cells of 32,000 characters",
            one_sheet(
                raw_xlsx.sheet_xml(
                    [
                        VALUE_HEADER,
                        *(
                            ["YS02", "", f"{n}" + "a" * 32_000, "2022-03", 1, ""]
                            for n in range(2_000)
                        ),
                    ]
                )
            ),
            Limits(),
        ),
        (
            "2,000 sheets",
            raw_xlsx.package(sheets_parts([raw_xlsx.sheet_xml([[1]])] * 2_000)),
            Limits(),
        ),
        (
            "5 sheets spanning A1:AD1000000",
            raw_xlsx.package(
                sheets_parts(
                    [
                        raw_xlsx.sheet_xml([[1]], "A1").replace(
                            "</sheetData>",
                            '<row r="1000000"><c r="AD1000000"><v>1</v></c></row></sheetData>',
                        )
                    ]
                    * 5
                )
            ),
            Limits(),
        ),
    ]


def one_sheet(xml: str) -> bytes:
    parts = raw_xlsx.one_sheet_parts([[1]])
    parts["xl/worksheets/sheet1.xml"] = xml
    return raw_xlsx.package(parts)


def with_sheet_tail(xml: str, rows: str) -> bytes:
    return one_sheet(xml.replace("</sheetData>", rows + "</sheetData>"))


def with_merges(xml: str, ranges: list[str]) -> bytes:
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in ranges)
    return one_sheet(
        xml.replace(
            "</sheetData>", f'</sheetData><mergeCells count="{len(ranges)}">{merges}</mergeCells>'
        )
    )


def with_percent_styles(xml: str, count: int) -> bytes:
    """One sheet under a styles part of `count` cell formats, each a percent (numFmt 9)."""
    parts = raw_xlsx.one_sheet_parts([[1]])
    parts["xl/worksheets/sheet1.xml"] = xml
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count='
        f'"{count}">'
        + '<xf numFmtId="9" applyNumberFormat="1"/>' * count
        + "</cellXfs></styleSheet>"
    )
    parts = raw_xlsx.with_part(parts, "xl/styles.xml", "styles", styles, "styles")
    return raw_xlsx.package(parts)


def sheets_parts(sheets: list[str]) -> dict[str, str]:
    """The parts of a workbook of the given sheet parts, named 表1, 表2, …"""
    ns = "http://schemas.openxmlformats.org"
    parts = raw_xlsx.one_sheet_parts([[1]])
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>",
        "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}"/>'
            for n in range(2, len(sheets) + 1)
        )
        + "</Types>",
    )
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns='
        f'"{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
        "<sheets>"
        + "".join(
            f'<sheet name="表{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, len(sheets) + 1)
        )
        + "</sheets></workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
        f'"{ns}/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{ns}/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    for n, xml in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = xml
    return parts


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
            cpu_start = ingest_bench.cpu_seconds()
            start = time.perf_counter()
            result = step()
            seconds, cpu = time.perf_counter() - start, ingest_bench.cpu_seconds() - cpu_start
            if name.startswith("check"):
                pending = result
                report = pending.report
                outcome = (
                    f"{report.status}, {report.error_count:,} errors "
                    f"({len(report.errors):,} listed)"
                )
            elif isinstance(result, bytes):
                outcome = f"{len(result) / 1024:.0f} KB"
            else:
                outcome = f"{len(result):,} rows"
            print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {peak_rss_mb():.0f} | {outcome} |")
        engine.dispose()


def sharp_again(rows: int) -> None:
    """The check of a values file of `rows` rows written in 元 against a database that
    holds the same file in 万元: every row but the first month's is 10,000 times its
    previous month's stored value, a sharp change that needs its explanation. It
    prints the check's seconds and peak RSS, the sharp changes listed and counted, and the
    size of the pending upload the page keeps in its session (pickled)."""
    path = ingest_bench.ensure_workbooks(rows)
    again = path.with_name(f"{path.stem}_in_yuan.xlsx")  # the same, 10,000 times larger
    if not again.exists():
        header, *cells = ingest_bench.values_rows(
            rows, ingest_bench.benchmark_indicators(), ingest_bench.geography_names()
        )
        in_yuan = ([*row[:4], row[4] * 10_000, row[5]] for row in cells)
        ingest_bench.save_workbook(again, ingest_bench.VALUES_SHEET, [header, *in_yuan])
    data = path.read_bytes()
    print(f"\nthe same file in 元: {again.name} against {path.name} stored")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        indicators = ingest_bench.INDICATORS_PATH
        import_file(engine, indicators.read_bytes(), indicators.name)
        stored = import_file(engine, data, path.name, ImportOptions(explain=ingest_bench.EXPLAIN))
        assert stored.status == "accepted", stored.message
        admin = Principal("bench", "admin")
        cpu_start = ingest_bench.cpu_seconds()
        start = time.perf_counter()
        pending = prepare(engine, admin, again.name, again.read_bytes(), ImportOptions())
        seconds, cpu = time.perf_counter() - start, ingest_bench.cpu_seconds() - cpu_start
        report = pending.report
        listed = len(report.sharp_changes)
        counted = getattr(report, "unlisted_sharp_changes", 0)  # only listed before 741c1a3
        kept_mb = len(pickle.dumps(pending)) / 1024 / 1024
        print(
            "| check s | CPU s | peak RSS MB | sharp changes listed | counted only | pending upload MB |"
        )
        print("|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {seconds:.2f} | {cpu:.2f} | {peak_rss_mb():.0f} | {listed:,} | {counted:,} | {kept_mb:.1f} |"
        )
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=16_384)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--wrong-rows", type=int, default=300_000)
    parser.add_argument("--sharp-rows", type=int, default=0)
    args = parser.parse_args(argv)
    if args.wrong_rows:  # first: the peak RSS it prints is then its own
        every_row_wrong(args.wrong_rows)
    if args.sharp_rows:
        sharp_again(args.sharp_rows)
    print(f"\nhostile files: {args.columns} columns x {args.rows} rows")
    print("| file | size KB | status | importer s | importer CPU s | first message |")
    print("|---|---:|---|---:|---:|---|")
    for name, data, limits in files(args.columns, args.rows):
        with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
            engine = open_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
            cpu_start = ingest_bench.cpu_seconds()
            start = time.perf_counter()
            report = import_file(engine, data, f"{name}.xlsx", ImportOptions(limits=limits))
            seconds = time.perf_counter() - start
            cpu = ingest_bench.cpu_seconds() - cpu_start
            engine.dispose()
        message = report.errors[0].message if report.errors else report.message
        print(
            f"| {name} | {len(data) / 1024:.0f} | {report.status} | {seconds:.2f} | {cpu:.2f} "
            f"| {message[:40]}… |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
