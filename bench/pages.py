"""Benchmark of the dashboard pages on a database of realistic size.

Not a test: it prints figures. It

1. builds (or reuses from `bench/output/pages/`) a SQLite database of realistic size:
   the default master data (11 districts + 全市), 300 indicators in 5 dimensions,
   120 monthly periods (2014-01..2023-12) and about 390k indicator values, 5,000 tasks
   with 40 quarterly snapshots each (200k snapshots), 5,000 activities, 4,000
   enterprise issues and the default 报送 schedule. Rows are generated directly and
   inserted with executemany into the tables the project's migrations create
   (`data_model.admin.bootstrap.open_database`), one submission per kind, every row current, and
   the write path's summaries are computed from them (`summaries_tasks.rebuild`,
   `summaries_values.rebuild`, `summaries_periods.rebuild`);
2. for each page, in a fresh process, signs in as an administrator and renders the
   page through `streamlit.testing.v1.AppTest`: once to warm the process up (imports,
   engine), then `--repeat` times with the query cache cleared (cold) and `--repeat`
   times with it filled (warm), each time in a new session, the scripts compiled once
   per process as a server compiles them (`share_script_cache`);
3. prints a table of the medians and of each process's peak RSS.

`--scale N` multiplies every generated count (indicators, tasks, activities, issues, and
so the values and task reports) by N; `--db postgresql://…` builds and measures on that
PostgreSQL database instead of the SQLite file (its schema is emptied on a rebuild; the
rows go in with COPY, then ANALYZE runs, as autovacuum would soon after a bulk load).

Run from the project root: `.venv/bin/python bench/pages.py --help`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))  # so that a child process can import data_model

OUTPUT_DIR = PROJECT_ROOT / "bench" / "output"
DATABASE_FILE = "dashboard.sqlite3"
BUILD_MARKER = "built.json"
BUILD_VERSION = 4  # bump when the generated data changes, to rebuild cached databases
APP = PROJECT_ROOT / "app.py"
PAGES_DIR = PROJECT_ROOT / "pages"
SAMPLE_INDICATORS = PROJECT_ROOT / "sample_data" / "indicators.xlsx"
RESULT_MARK = "BENCH-RESULT "
SEED = 20261125

FIRST_YEAR, LAST_YEAR = 2014, 2023  # 120 months
INDICATORS_PER_PREFIX = 60  # 5 prefixes x 60 = 300 indicators
QUARTERLY_TOTAL, YEARLY_TOTAL = 20, 10  # the rest is monthly
MISSING_SHARE = 0.02  # values left out at random, as late or missing reports
TASK_COUNT = 5000
ACTIVITY_COUNT = 5000
ISSUE_COUNT = 4000


def apply_scale(scale: int) -> None:
    """Multiply every generated count by `scale` (10: 3,000 indicators, about 3.9M values,
    50,000 tasks with 2M quarterly reports, 50,000 activities, 40,000 issues)."""
    global INDICATORS_PER_PREFIX, QUARTERLY_TOTAL, YEARLY_TOTAL
    global TASK_COUNT, ACTIVITY_COUNT, ISSUE_COUNT
    INDICATORS_PER_PREFIX *= scale
    QUARTERLY_TOTAL *= scale
    YEARLY_TOTAL *= scale
    TASK_COUNT *= scale
    ACTIVITY_COUNT *= scale
    ISSUE_COUNT *= scale


@dataclass(frozen=True)
class Target:
    """The database a run builds and measures, and the app's DATA_DIR beside it."""

    url: str
    data_dir: Path

    @property
    def postgresql(self) -> bool:
        return self.url.startswith(("postgresql", "postgres:"))

    @property
    def shown(self) -> str:
        return self.url if self.postgresql else str(self.data_dir.relative_to(PROJECT_ROOT))


def target_of(db: str | None, scale: int) -> Target:
    """SQLite under bench/output/pages[-xN]/ by default; PostgreSQL when `db` names one."""
    suffix = "" if scale == 1 else f"-x{scale}"
    if db is None:
        data_dir = OUTPUT_DIR / f"pages{suffix}"
        return Target(f"sqlite:///{data_dir / DATABASE_FILE}", data_dir)
    if not db.startswith(("postgresql", "postgres:")):
        raise SystemExit(f"--db {db!r}: give a postgresql:// URL (SQLite is the default)")
    name = urlsplit(db).path.strip("/") or "postgres"
    return Target(db, OUTPUT_DIR / f"pages-pg-{name}{suffix}")


PAGE_ORDER = ("overview", "coverage", "tasks", "trends", "evaluation", "upload", "submissions")


# --- building the database ------------------------------------------------------------


def months() -> list[str]:
    return [f"{y}-{m:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)]


def quarters() -> list[str]:
    return [f"{y}-Q{q}" for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5)]


def years() -> list[str]:
    return [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]


FREQUENCY = {"月": "month", "季": "quarter", "年": "year"}
DIRECTION = {"正向": "positive", "逆向": "negative"}
AGGREGATION = {"求和": "sum", "期末值": "last", "平均": "mean"}
EXTRA_UNITS = ("家", "%", "亿元", "件", "人", "个", "次", "天")


def indicator_rows(rng: random.Random) -> list[dict]:
    """300 indicators: the 32 of the sample data, then each code prefix continued to 60.

    The real ones keep their definitions; the made-up ones are monthly except a few
    quarterly and yearly ones (QUARTERLY_TOTAL, YEARLY_TOTAL in all); every third has
    a target. `level` is the typical value, used to generate values.
    """
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(SAMPLE_INDICATORS)).get_sheet_by_name("指标体系")
    header, *data = sheet.to_python()
    col = {name: header.index(name) for name in header}
    real = []
    for row in data:
        if not row[col["指标编码"]]:
            continue
        target = row[col["目标值"]]
        real.append(
            {
                "code": row[col["指标编码"]],
                "name": row[col["指标名称"]],
                "dimension": row[col["维度"]],
                "unit": row[col["计量单位"]],
                "direction": DIRECTION[row[col["指标方向"]]],
                "weight": float(row[col["权重"]] or 1),
                "target": float(target) if target != "" else None,
                "frequency": FREQUENCY[row[col["数据频度"]]],
                "aggregation": AGGREGATION[row[col["汇总方式"]]],
            }
        )
    quarterly = QUARTERLY_TOTAL - sum(r["frequency"] == "quarter" for r in real)
    yearly = YEARLY_TOTAL - sum(r["frequency"] == "year" for r in real)
    taken = {r["code"] for r in real}
    dimensions = {r["code"][:2]: r["dimension"] for r in real}
    extra = []
    for number in range(1, INDICATORS_PER_PREFIX + 1):
        for prefix, dimension in dimensions.items():
            code = f"{prefix}{number:02d}"
            if code in taken:
                continue
            unit = EXTRA_UNITS[number % len(EXTRA_UNITS)]
            if quarterly > 0 and number % 7 == 0:
                frequency, quarterly = "quarter", quarterly - 1
            elif yearly > 0 and number % 11 == 0:
                frequency, yearly = "year", yearly - 1
            else:
                frequency = "month"
            extra.append(
                {
                    "code": code,
                    "name": f"{dimension}监测指标{code}",
                    "dimension": dimension,
                    "unit": unit,
                    "direction": "negative" if unit == "天" else "positive",
                    "weight": float(rng.choice((1, 2, 3))),
                    "target": None,
                    "frequency": frequency,
                    "aggregation": "last" if unit == "%" else "mean" if unit == "天" else "sum",
                }
            )
    rows = sorted(real + extra, key=lambda r: r["code"])[: 5 * INDICATORS_PER_PREFIX]
    for number, row in enumerate(rows):
        row["level"] = 80.0 if row["unit"] == "%" else 5.0 if row["unit"] == "天" else 1000.0
        if row["code"] not in taken and number % 3 == 0:
            row["target"] = row["level"] * (12 if row["aggregation"] == "sum" else 1) * 1.05
    return rows


def value_rows(rng: random.Random, indicators: list[dict], district_ids: list[int], sub: int):
    """(indicator_code, district_id, period, value) rows, MISSING_SHARE of them left out."""
    periods = {"month": months(), "quarter": quarters(), "year": years()}
    steps = {"month": 1 / 12, "quarter": 1 / 4, "year": 1.0}
    for indicator in indicators:
        frequency, level = indicator["frequency"], indicator["level"]
        scale = steps[frequency] * 12 if indicator["aggregation"] == "sum" else 1
        growth = 1 + (-0.03 if indicator["direction"] == "negative" else 0.05) * steps[frequency]
        for district_id in district_ids:
            size = 11.0 if district_id == district_ids[0] else rng.uniform(0.4, 1.6)
            value = level * size * (scale if frequency != "month" else 1)
            for period in periods[frequency]:
                value *= growth * rng.uniform(0.97, 1.03)
                if rng.random() < MISSING_SHARE:
                    continue
                shown = min(value, 100.0) if indicator["unit"] == "%" else value
                yield (indicator["code"], district_id, period, round(shown, 2), "", sub, 1)


QUARTER_ENDS = [
    (f"{y}-Q{q}", dt.date(y, 3 * q, 31 if q in (1, 4) else 30))
    for y in range(FIRST_YEAR, LAST_YEAR + 1)
    for q in range(1, 5)
]


def task_rows(rng: random.Random, action_ids, unit_ids, district_ids, sub: int):
    """(tasks, snapshots): TASK_COUNT tasks, each reported in all 40 quarters.

    Start dates spread over 2014-2023; a task's progress climbs towards its deadline at
    its own pace (some finish early, some fall behind and become overdue); a tenth are
    ongoing (长期坚持), 3% are suspended from some quarter on.
    """
    tasks, snapshots = [], []
    first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 9, 30)
    for number in range(1, TASK_COUNT + 1):
        code = f"T{number:05d}"
        start = first + dt.timedelta(days=rng.randrange((last - first).days))
        ongoing = rng.random() < 0.1
        deadline = None if ongoing else start + dt.timedelta(days=rng.randrange(120, 1100))
        deadline_text = "长期坚持" if ongoing else f"{deadline.year}年{deadline.month}月底前"
        district = rng.choice(district_ids[1:]) if rng.random() < 0.7 else None
        pace = rng.uniform(0.6, 1.5)
        suspended_from = rng.randrange(40) if rng.random() < 0.03 else None
        tasks.append(
            (
                code,
                rng.choice(action_ids),
                f"重点任务{code}：推动民营经济高质量发展相关工作",
                rng.choice(unit_ids),
                "",
                f"责任人{number % 97}",
                start.isoformat(),
                None if deadline is None else deadline.isoformat(),
                deadline_text,
                int(ongoing),
                district,
                QUARTER_ENDS[-1][0],
                sub,
                1,
            )
        )
        span = 720 if deadline is None else (deadline - start).days
        for index, (period, end) in enumerate(QUARTER_ENDS):
            elapsed = (end - start).days / span
            progress = 0.0 if elapsed <= 0 else min(100.0, round(elapsed * pace * 100 / 5) * 5)
            if ongoing:
                progress = min(progress, 90.0)
            stated = "completed" if progress >= 100 else ""
            if suspended_from is not None and index >= suspended_from and progress < 100:
                stated = "suspended"
            note = "已完成" if stated == "completed" else "按计划推进" if progress else "尚未启动"
            snapshots.append((code, period, end.isoformat(), progress, stated, note, sub, 1))
    return tasks, snapshots


ACTIVITY_TYPES = (
    ("政企座谈会", 96),
    ("直联走访", 80),
    ("走访调研", 76),
    ("政策宣讲会", 48),
    ("培训", 44),
    ("论坛", 36),
    ("经贸交流", 32),
)
ISSUE_CATEGORIES = (
    "融资贷款",
    "政策兑现",
    "账款拖欠",
    "用地用房",
    "市场准入",
    "人才招聘",
    "税费服务",
)
ISSUE_STATUSES = (("resolved", 90), ("unresolvable", 4), ("in_progress", 3), ("received", 3))


def random_day(rng: random.Random) -> dt.date:
    first = dt.date(FIRST_YEAR, 1, 1)
    return first + dt.timedelta(days=rng.randrange((dt.date(LAST_YEAR, 12, 31) - first).days + 1))


def activity_rows(rng: random.Random, district_ids, brand_ids, sub: int) -> list[tuple]:
    types = [t for t, _ in ACTIVITY_TYPES]
    weights = [w for _, w in ACTIVITY_TYPES]
    rows = []
    for number in range(1, ACTIVITY_COUNT + 1):
        kind = rng.choices(types, weights)[0]
        brand = rng.choice(brand_ids) if rng.random() < 0.18 else None
        rows.append(
            (
                random_day(rng).isoformat(),
                rng.choice(district_ids),
                kind,
                f"{kind}第{number}场",
                brand,
                rng.randrange(3, 60),
                rng.randrange(10, 200),
                "工商联",
                "",
                sub,
                1,
            )
        )
    return rows


def issue_rows(rng: random.Random, district_ids, sub: int) -> list[tuple]:
    statuses = [s for s, _ in ISSUE_STATUSES]
    weights = [w for _, w in ISSUE_STATUSES]
    rows = []
    for number in range(1, ISSUE_COUNT + 1):
        received = random_day(rng)
        status = rng.choices(statuses, weights)[0]
        done = status in ("resolved", "unresolvable")
        resolved = received + dt.timedelta(days=rng.randrange(2, 60)) if done else None
        rows.append(
            (
                f"SQ{received.year}{number:05d}",
                received.isoformat(),
                rng.choice(district_ids),
                f"深圳市样本企业{number}有限公司",
                rng.choice(ISSUE_CATEGORIES),
                "企业反映的问题",
                "市工商联",
                status,
                None if resolved is None else resolved.isoformat(),
                "满意" if status == "resolved" else "",
                sub,
                1,
            )
        )
    return rows


def insert_rows(conn, table: str, columns: list[str], rows) -> int:
    """The rows (plain tuples) into `table` through the driver, with no per-row Core work:
    executemany on SQLite, COPY on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        count = 0
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    rows = list(rows)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    conn.exec_driver_sql(sql, rows)
    return len(rows)


def build_database(url: str) -> dict:
    """Create the realistic data set in the (new or emptied) database `url`; row counts."""
    from sqlalchemy import insert, select

    from data_model.admin.bootstrap import open_database
    from data_model.evaluation import score_summary  # noqa: F401  (the scores' scorer)
    from data_model.evaluation.scoring import INDICATOR_COLUMNS
    from data_model.queries.schedule import ensure_default_schedule
    from data_model.store import (
        summaries_periods,
        summaries_references,
        summaries_tasks,
        summaries_values,
    )
    from data_model.store.models import Action, Brand, District, Submission, Unit
    from data_model.store.task_writer import TASK_FIELDS

    rng = random.Random(SEED)
    engine = open_database(url)
    counts = {}
    with engine.begin() as conn:
        district_ids = list(
            conn.execute(select(District.id).order_by(District.sort_order)).scalars()
        )
        action_ids = list(conn.execute(select(Action.id)).scalars())
        unit_ids = list(conn.execute(select(Unit.id)).scalars())
        brand_ids = list(conn.execute(select(Brand.id)).scalars())
        now = dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC)
        submissions = {}
        for number, kind in enumerate(
            ("indicators", "indicator_values", "tasks", "activities", "issues"), start=1
        ):
            submissions[kind] = conn.execute(
                insert(Submission).values(
                    uploaded_at=now + dt.timedelta(minutes=number),
                    uploader="bench",
                    file_name=f"bench_{kind}.xlsx",
                    sha256=f"{number:064x}",
                    kinds=kind,
                    status="accepted",
                )
            ).inserted_primary_key[0]
        versioned = ["submission_id", "is_current"]
        indicators = indicator_rows(rng)
        counts["indicator"] = insert_rows(
            conn,
            "indicator",
            [*INDICATOR_COLUMNS, "source", "note", *versioned],
            [
                (
                    *(i[c] for c in INDICATOR_COLUMNS),
                    "",
                    "",
                    submissions["indicators"],
                    1,
                )
                for i in indicators
            ],
        )
        counts["indicator_value"] = insert_rows(
            conn,
            "indicator_value",
            ["indicator_code", "district_id", "period", "value", "note", *versioned],
            value_rows(rng, indicators, district_ids, submissions["indicator_values"]),
        )
        tasks, snapshots = task_rows(rng, action_ids, unit_ids, district_ids, submissions["tasks"])
        counts["task"] = insert_rows(
            conn,
            "task",
            [*TASK_FIELDS, *versioned],
            tasks,
        )
        counts["task_snapshot"] = insert_rows(
            conn,
            "task_snapshot",
            [
                "task_code",
                "report_period",
                "period_end",
                "progress",
                "stated_status",
                "progress_note",
                *versioned,
            ],
            snapshots,
        )
        counts["activity"] = insert_rows(
            conn,
            "activity",
            [
                "activity_date",
                "district_id",
                "activity_type",
                "name",
                "brand_id",
                "enterprise_count",
                "participant_count",
                "organizer",
                "note",
                *versioned,
            ],
            activity_rows(rng, district_ids, brand_ids, submissions["activities"]),
        )
        counts["enterprise_issue"] = insert_rows(
            conn,
            "enterprise_issue",
            [
                "code",
                "received_date",
                "district_id",
                "enterprise_name",
                "category",
                "content",
                "handling_unit",
                "status",
                "resolved_date",
                "satisfaction",
                *versioned,
            ],
            issue_rows(rng, district_ids, submissions["issues"]),
        )
        counts["expected_submission"] = ensure_default_schedule(
            conn, f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12"
        )
        summaries_values.rebuild(conn)  # what the import keeps as it writes the values
        summaries_periods.rebuild(conn)  # and the scores and coverage, which read those
        # The rows went in past the write path: its summaries are computed once, as
        # migrations 0013 and 0016 do for the rows stored before them.
        summaries_tasks.rebuild(conn)
        summaries_references.rebuild(conn)  # the master-data page's counts, as 0020 does
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:  # what autovacuum does soon after a bulk load
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    # SQLite: no ANALYZE, the app never runs it, so plans are made without statistics.
    engine.dispose()
    return counts


def ensure_database(target: Target, rebuild: bool, extra: list[str]) -> dict:
    """The target database's row counts, building it in a child process when needed."""
    marker = target.data_dir / BUILD_MARKER
    if not rebuild and marker.exists():
        built = json.loads(marker.read_text(encoding="utf-8"))
        if built.get("version") == BUILD_VERSION and built.get("url") == target.url:
            print(f"using the database built at {built['built_at']}: {target.shown}")
            return built["counts"]
    print(f"building {target.shown} ...", end=" ", flush=True)
    start = time.perf_counter()
    counts = run_child(["build", *extra])["counts"]
    print(f"{time.perf_counter() - start:.1f} s")
    return counts


def child_build(target: Target) -> dict:
    """Build the target: SQLite in a fresh folder moved into place, PostgreSQL in its
    emptied schema; the marker (row counts) is written last."""
    if target.postgresql:
        from sqlalchemy import create_engine

        from data_model.store.db import normalize_url

        engine = create_engine(normalize_url(target.url))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        shutil.rmtree(target.data_dir, ignore_errors=True)
        target.data_dir.mkdir(parents=True)
        counts = build_database(target.url)
        folder = target.data_dir
    else:
        folder = target.data_dir.with_name(target.data_dir.name + ".building")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        counts = build_database(f"sqlite:///{folder / DATABASE_FILE}")
    marker = {
        "version": BUILD_VERSION,
        "url": target.url,
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "counts": counts,
    }
    (folder / BUILD_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    if folder != target.data_dir:
        shutil.rmtree(target.data_dir, ignore_errors=True)
        folder.rename(target.data_dir)
    return {"counts": counts}


# --- measuring one page (in a child process) ------------------------------------------


def registered_pages() -> list[str]:
    """Pages `app.py` registers in the navigation (by file name, without .py)."""
    text = APP.read_text(encoding="utf-8")
    return [p.stem for p in sorted(PAGES_DIR.glob("*.py")) if f'"pages/{p.name}"' in text]


def all_pages() -> list[str]:
    found = [p.stem for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_")]
    return [p for p in PAGE_ORDER if p in found] + sorted(p for p in found if p not in PAGE_ORDER)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def share_script_cache() -> None:
    """Compile each script once in this process, as a server does: its runtime keeps one
    `ScriptCache` for every session, where AppTest makes a new one on each run and so
    compiles app.py and the page again on every render (about 15 ms, 50 ms with
    Streamlit's "magic" on), which no view served by the app pays after its first."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


def use_target(target: Target):
    """Point the app at the target (DATA_DIR, and DATABASE_URL on PostgreSQL); the
    AppDatabase the tests' sign-in helper takes. Scripts compile once (`share_script_cache`)."""
    from tests.conftest import AppDatabase

    share_script_cache()

    os.environ["DATA_DIR"] = str(target.data_dir)
    if target.postgresql:
        os.environ["DATABASE_URL"] = target.url
    else:
        os.environ.pop("DATABASE_URL", None)
    return AppDatabase("postgresql" if target.postgresql else "sqlite", target.url, target.data_dir)


def render(page: str, query: dict[str, str], db):
    """One render of `page` in a new signed-in session; returns (AppTest, seconds, cpu)."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import sign_in_app

    if page in registered_pages():
        app = sign_in_app(AppTest.from_file(str(APP), default_timeout=900), db)
        app.switch_page(f"pages/{page}.py")
    else:  # not in the navigation yet: run the page script on its own
        script = str(PAGES_DIR / f"{page}.py")
        app = sign_in_app(AppTest.from_file(script, default_timeout=900), db)
    for key, value in query.items():
        app.query_params[key] = value
    cpu = cpu_seconds()
    start = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    if app.exception:
        raise SystemExit(f"{page}: the page raised {app.exception[0].value}")
    return app, seconds, cpu


def child_measure(target: Target, page: str, repeat: int, query: dict[str, str]) -> dict:
    """First render in this fresh process, then `repeat` cold and `repeat` warm renders."""
    import ui

    db = use_target(target)
    app, first, _ = render(page, query, db)
    title = app.title[0].value if len(app.title) else ""
    cold, cold_cpu, warm, warm_cpu = [], [], [], []
    for _ in range(repeat):
        ui.forget_results()
        _, seconds, cpu = render(page, query, db)
        cold.append(seconds)
        cold_cpu.append(cpu)
    for _ in range(repeat):
        _, seconds, cpu = render(page, query, db)
        warm.append(seconds)
        warm_cpu.append(cpu)
    return {
        "page": page,
        "title": title,
        "registered": page in registered_pages(),
        "first_s": first,
        "cold_s": statistics.median(cold),
        "cold_cpu_s": statistics.median(cold_cpu),
        "warm_s": statistics.median(warm),
        "warm_cpu_s": statistics.median(warm_cpu),
        "cold_runs": cold,
        "warm_runs": warm,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def child_profile(target: Target, page: str, query: dict[str, str], limit: int, cache: str) -> dict:
    """A warm-up render, then one `cache` ("cold" or "warm") render under cProfile;
    prints the top functions."""
    import cProfile
    import io
    import pstats

    import ui

    db = use_target(target)
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    render(page, query, db)
    if cache == "cold":
        ui.forget_results()
    # The page runs in the script runner's thread, which cProfile does not follow:
    # profile inside that thread by wrapping the runner's script execution.
    profiler = cProfile.Profile()
    run_script = ScriptRunner._run_script

    def profiled_run_script(self, rerun_data):
        if profiler_active.get("on"):
            return run_script(self, rerun_data)
        profiler_active["on"] = True
        try:
            return profiler.runcall(run_script, self, rerun_data)
        finally:
            profiler_active["on"] = False

    profiler_active: dict[str, bool] = {}
    ScriptRunner._run_script = profiled_run_script
    try:
        _, seconds, _ = render(page, query, db)
    finally:
        ScriptRunner._run_script = run_script
    stats_path = OUTPUT_DIR / f"profile_page_{page}_{cache}.prof"
    profiler.dump_stats(stats_path)
    out = io.StringIO()
    for order in ("cumulative", "tottime"):
        out.write(f"\n--- {page}: top {limit} by {order} ({cache} render {seconds:.2f} s) ---\n")
        pstats.Stats(str(stats_path), stream=out).sort_stats(order).print_stats(limit)
    return {"stats": str(stats_path), "seconds": seconds, "report": out.getvalue()}


def run_child(arguments: list[str]) -> dict:
    """Run one step in a fresh Python process and return the JSON it printed.

    On Linux a child's ru_maxrss starts from the parent's peak RSS, so this launcher
    does no heavy work itself (it never imports pandas, SQLAlchemy or Streamlit).
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"the step {' '.join(arguments)} failed (exit code {done.returncode})")
    return json.loads(lines[-1].removeprefix(RESULT_MARK))


# --- the parent: build, measure, report ------------------------------------------------


@dataclass
class PageResult:
    page: str
    title: str
    registered: bool
    first_s: float
    cold_s: float
    cold_cpu_s: float
    warm_s: float
    warm_cpu_s: float
    peak_rss_mb: float


def machine_lines() -> list[str]:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("streamlit", "pandas", "plotly", "SQLAlchemy", "sqlmodel")
    )
    import sqlite3

    return [
        f"date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"python: {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}",
        f"packages: {versions}",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def print_table(results: list[PageResult], repeat: int, target: float) -> None:
    print()
    print(
        f"| page | first render s | cold s (median of {repeat}) | warm s (median of {repeat}) "
        "| cold CPU s | warm CPU s | peak RSS MB | under "
        f"{target:g} s warm |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for r in results:
        name = r.page if r.registered else f"{r.page} (on its own)"
        ok = "yes" if r.warm_s < target else "**no**"
        print(
            f"| {name} | {r.first_s:.2f} | {r.cold_s:.2f} | {r.warm_s:.2f} | {r.cold_cpu_s:.2f} "
            f"| {r.warm_cpu_s:.2f} | {r.peak_rss_mb:.0f} | {ok} |"
        )


def parse_query(items: list[str]) -> dict[str, str]:
    query = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--query {item!r}: expected KEY=VALUE, e.g. gran=month")
        query[key] = value
    return query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render time and peak memory of each dashboard page at realistic size."
    )
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", help="pages to measure (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="cold and warm renders per page")
    parser.add_argument(
        "--query",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="URL query parameters of the view, e.g. gran=month period=2023-12",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply every generated count (default 1)"
    )
    parser.add_argument(
        "--db", metavar="URL", help="a PostgreSQL database to build and measure (default SQLite)"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cold",
        choices=["cold", "warm"],
        help="also print a cProfile of one cold (default) or warm render per page",
    )
    parser.add_argument("--profile-limit", type=int, default=30, help="functions per listing")
    parser.add_argument("--target", type=float, default=1.0, help="seconds a page should take")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    query = parse_query(args.query)
    if args.scale < 1:
        raise SystemExit("--scale: a whole number from 1")
    apply_scale(args.scale)
    target = target_of(args.db, args.scale)
    where = ["--scale", str(args.scale)] + (["--db", args.db] if args.db else [])

    if args.child:
        what, *rest = args.child
        if what == "build":
            result = child_build(target)
        elif what == "measure":
            result = child_measure(target, rest[0], args.repeat, query)
        else:
            result = child_profile(target, rest[0], query, args.profile_limit, args.profile)
        print(RESULT_MARK + json.dumps(result))
        return 0

    pages = args.pages or all_pages()
    unknown = [p for p in pages if not (PAGES_DIR / f"{p}.py").exists()]
    if unknown:
        raise SystemExit(
            f"no such page: {', '.join(unknown)} (pages/ has {', '.join(all_pages())})"
        )
    for line in machine_lines():
        print(line)
    print(f"scale: {args.scale}x, database: {target.shown}")
    counts = ensure_database(target, args.rebuild, where)
    print("rows: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    if query:
        print("view: " + "&".join(f"{k}={v}" for k, v in query.items()))
    extra = ["--repeat", str(args.repeat), *where]
    extra += ["--query", *args.query] if args.query else []
    results = []
    for page in pages:
        print(f"{page} ...", end=" ", flush=True)
        run = run_child(["measure", page, *extra])
        results.append(
            PageResult(
                page=page,
                title=run["title"],
                registered=run["registered"],
                first_s=run["first_s"],
                cold_s=run["cold_s"],
                cold_cpu_s=run["cold_cpu_s"],
                warm_s=run["warm_s"],
                warm_cpu_s=run["warm_cpu_s"],
                peak_rss_mb=run["peak_rss_kb"] / 1024,
            )
        )
        cold = ", ".join(f"{s:.2f}" for s in run["cold_runs"])
        warm = ", ".join(f"{s:.2f}" for s in run["warm_runs"])
        print(f"“{run['title']}” first {run['first_s']:.2f} s, cold [{cold}] s, warm [{warm}] s")
        if args.profile:
            profile_extra = ["--profile", args.profile, "--profile-limit", str(args.profile_limit)]
            profile_extra += where
            if args.query:
                profile_extra += ["--query", *args.query]
            profiled = run_child(["profile", page, *profile_extra])
            print(profiled["report"])
            print(f"stats saved to {Path(profiled['stats']).relative_to(PROJECT_ROOT)}")
    print_table(results, args.repeat, args.target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
