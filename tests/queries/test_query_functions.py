"""Every public query function runs on SQLite and on PostgreSQL and gives the sample data's
real figures on both.

The query functions are the public functions of `QUERY_MODULES` whose first parameter is
a database connection (`conn`): what the pages, the bulletin and the command line read
the database with. `CALLS` calls each of them once on the sample data and names a figure
it must give; `test_every_public_query_function_is_called` fails when a module gains a
query function that is missing here. Each call runs in a transaction that is rolled back,
so the few that write (the schedule, the audit log) leave the module's database as it was.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import ModuleType

import pandas as pd
import pytest

from data_model.evaluation import aggregation, scoring
from data_model.outputs import bulletin, presentation
from data_model.queries import (
    coverage_queries,
    headlines,
    schedule,
    task_counts,
    task_queries,
    task_status,
    trends_queries,
)
from data_model.queries import shared as queries
from data_model.store import audit, submissions
from tests.conftest import NO_POSTGRESQL

QUERY_MODULES: tuple[ModuleType, ...] = (
    queries,
    headlines,
    coverage_queries,
    task_counts,
    task_queries,
    task_status,
    trends_queries,
    aggregation,
    scoring,
    schedule,
    submissions,
    audit,
    bulletin,
    presentation,
)

END_2023 = date(2023, 12, 31)
ISSUED = date(2024, 1, 15)


def short_name(module: ModuleType) -> str:
    """`shared` for `data_model.queries.shared`: the names CALLS uses."""
    return module.__name__.rsplit(".", 1)[-1]


def query_functions() -> set[str]:
    """`module.function` of every public function of QUERY_MODULES taking `conn` first."""
    found = set()
    for module in QUERY_MODULES:
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue  # imported from elsewhere
            parameters = list(inspect.signature(function).parameters)
            if parameters and parameters[0] == "conn":
                found.add(f"{short_name(module)}.{name}")
    return found


def by_district(frame, column: str = "value") -> dict:
    return dict(zip(frame["district"], frame[column], strict=True))


def lowest(frame) -> tuple[str, float]:
    """The district with the lowest value and that value, rounded as the pages show it."""
    row = frame.loc[frame["value"].idxmin()]
    return row["district"], round(float(row["value"]), 1)


def with_schedule(conn, call: Callable):
    """`call(conn)` after the default schedule of 2023 was stored."""
    schedule.ensure_default_schedule(conn, "2023-01", "2023-12")
    return call(conn)


def recorded_events(conn) -> list[tuple]:
    audit.record(conn, "chen", "login", at=datetime(2024, 1, 5, 1, 30, tzinfo=UTC))
    audit.record(conn, "wang", "upload", at=datetime(2024, 1, 5, 2, 30, tzinfo=UTC), file="a")
    return [(e.username, e.action) for e in audit.events(conn).itertuples()]


def replaced_schedule(conn) -> tuple[int, list[str]]:
    frame = schedule.schedule_frame(conn).head(3)
    stored = schedule.replace_schedule(conn, frame)
    return stored, schedule.schedule_frame(conn)["period"].tolist()


# name → (call on a connection to the sample data, the figure it must give)
CALLS: dict[str, tuple[Callable, object]] = {
    # --- queries: the overview and the filters
    # One version per write lock: each kind imported once by the seed, the master data
    # loaded once, no schedule edit yet.
    "shared.data_version": (
        lambda c: dict(queries.data_version(c)),
        {
            "activities": 1,
            "evidence": 0,
            "indicator_values": 1,
            "indicators": 1,
            "issues": 1,
            "master_data": 1,
            "periods": 0,
            "reminders": 0,
            "review": 0,
            "schedule": 0,
            "tasks": 1,
        },
    ),
    "shared.has_data": (queries.has_data, True),
    "shared.data_years": (queries.data_years, [2021, 2022, 2023]),
    "shared.data_year_range": (queries.data_year_range, (2021, 2023)),
    "shared.activity_count": (lambda c: queries.activity_count(c, "2021", "政策宣讲会"), 16),
    "shared.issues_resolved": (lambda c: queries.issues_resolved(c, "2021"), 112),
    "shared.indicator_period_end": (
        lambda c: queries.indicator_period_end(c, "ZL01", "全市", "2021"),
        168,
    ),
    "shared.first_reported": (
        lambda c: {k: str(v) for k, v in queries.first_reported(c).items()},
        {
            "activities": "2021-01-04",
            "issues": "2021-01-01",
            "tasks": "2021-01-01",
            "indicator_values": "2021-01-01",
        },
    ),
    "shared.tasks_at_period_end": (
        lambda c: (lambda s: (s.total, s.completed, s.overdue))(
            queries.tasks_at_period_end(c, "2023", ISSUED)
        ),
        (62, 43, 6),
    ),
    # The sample's overdue and behind tasks explain themselves in their 进展情况 column.
    "shared.late_tasks_at_period_end": (
        lambda c: (lambda f: (len(f), f.iloc[0]["code"], f.iloc[0]["explanation"]))(
            queries.late_tasks_at_period_end(c, "2023", ISSUED)
        ),
        (9, "A5-10", "已超过完成时限，正在加快推进。"),
    ),
    "shared.highlights": (
        lambda c: [h.value for h in queries.highlights(c, "2021")],
        [16, 6, 32, 112, 168],
    ),
    "shared.activities_by_month": (
        lambda c: (
            queries.activities_by_month(c, "2023")["count"].sum(),
            queries.activities_by_month(c, "2023").head(2).to_dict("records"),
        ),
        (
            152,
            [{"month": 1, "brand": "", "count": 6}, {"month": 1, "brand": "民企话坛", "count": 1}],
        ),
    ),
    "shared.filter_options": (
        lambda c: (
            lambda o: (
                o.first_year,
                o.last_period_day,
                len(o.districts),
                o.actions[0],
                o.dimensions,
                {year: round(coverage, 1) for year, coverage in o.year_coverage.items()},
            )
        )(queries.filter_options(c)),
        (
            2021,
            END_2023,
            12,
            "领跑行动",
            ("商会建设", "政企沟通", "民营经济人士成长", "民营经济发展质量", "营商环境"),
            {"2021": 99.9, "2022": 99.4, "2023": 98.1},
        ),
    ),
    "shared.district_names": (
        lambda c: list(queries.district_names(c).values())[:2],
        ["全市", "罗湖区"],
    ),
    "shared.master_lists": (
        lambda c: queries.master_lists(c)["brands"],
        ["深圳企业家日", "民企话坛", "深圳青年企业家提升计划", "深商经贸交流"],
    ),
    # --- coverage_queries: the coverage page
    "coverage_queries.map_areas": (
        lambda c: [(a.code, a.name) for a in coverage_queries.map_areas(c)][:2],
        [("440300", "全市"), ("440303", "罗湖区")],
    ),
    "coverage_queries.total_submission_coverage": (
        lambda c: round(coverage_queries.total_submission_coverage(c, "2023"), 2),
        98.06,
    ),
    "headlines.headline_figures": (
        lambda c: [
            (h.key, h.value_text(), h.change_text())
            for h in headlines.headline_figures(c, "2023", ISSUED).figures
        ],
        [
            ("completion_rate", "69.4%", "较上年 +11.2 个百分点"),
            ("overdue", "6 项", "较上年 +5 项"),
            ("composite", "78.21 分", "较上年 +2.25 分"),
            ("coverage", "98.1%", "较上年 −1.4 个百分点"),
            ("issues_resolved", "97 件", "较上年 +10 件"),
            ("activities", "152 场", "较上年 +24 场"),
        ],
    ),
    "coverage_queries.submission_coverage": (
        lambda c: lowest(coverage_queries.submission_coverage(c, "2023")),
        ("深汕特别合作区", 87.9),
    ),
    "coverage_queries.indicator_completeness": (
        lambda c: by_district(coverage_queries.indicator_completeness(c, "2023"), "numerator")[
            "全市"
        ],
        32,
    ),
    "coverage_queries.indicators_expected": (
        lambda c: coverage_queries.indicators_expected(c, "2023"),
        32,
    ),
    "coverage_queries.incomplete_indicators": (
        lambda c: len(coverage_queries.incomplete_indicators(c, "2023")),
        34,
    ),
    "coverage_queries.direct_contact_coverage": (
        lambda c: by_district(coverage_queries.direct_contact_coverage(c, "2023"))["全市"],
        50.0,
    ),
    "coverage_queries.activities_held": (
        lambda c: coverage_queries.activities_held(c, "2023")["value"].sum(),
        152,
    ),
    "coverage_queries.issues_resolved": (
        lambda c: by_district(coverage_queries.issues_resolved(c, "2023"))["福田区"],
        12,
    ),
    "coverage_queries.late_reports": (
        lambda c: with_schedule(c, lambda c: len(coverage_queries.late_reports(c, "2023"))),
        12,
    ),
    "coverage_queries.coverage_measure": (
        lambda c: by_district(coverage_queries.coverage_measure(c, "activities", "2023"))["福田区"],
        17,
    ),
    "coverage_queries.brand_matrix": (
        lambda c: (
            coverage_queries.brand_matrix(c, "2023").query("district == '全市'")["count"].tolist()
        ),
        [2, 2, 0, 2],
    ),
    "coverage_queries.action_matrix": (
        lambda c: (
            coverage_queries.action_matrix(c, "2023", ISSUED)
            .iloc[0][["tasks", "completed"]]
            .tolist()
        ),
        [8, 6],
    ),
    "coverage_queries.coverage_gaps": (
        lambda c: coverage_queries.coverage_gaps(c, "2023").iloc[0]["items"],
        ("深圳青年企业家提升计划",),
    ),
    # --- task_queries and task_status: the tasks page
    "task_queries.scoped_tasks": (
        lambda c: task_queries.scoped_tasks(c, END_2023)["status"].value_counts().to_dict(),
        {"completed": 43, "in_progress": 10, "overdue": 6, "behind": 3, "suspended": 2},
    ),
    "task_queries.totals_on": (
        lambda c: (lambda r: (r.tasks, r.completed, r.on_time, r.overdue))(
            task_queries.totals_on(c, END_2023)
        ),
        (62, 43, 40, 6),
    ),
    "task_queries.progress_by_period": (
        lambda c: (
            task_queries.progress_by_period(c, END_2023)
            .iloc[-1][["period", "completed", "tasks"]]
            .tolist()
        ),
        ["2023-Q4", 43, 62],
    ),
    "task_queries.timeline_page": (
        lambda c: (lambda p: (p.tasks, p.overdue, len(p.bars)))(
            task_queries.timeline_page(c, END_2023, date(2023, 1, 1), bars=5)
        ),
        (28, 6, 5),
    ),
    "task_queries.task_choices": (
        lambda c: task_queries.task_choices(c, search="a5-1")["code"].tolist(),
        ["A5-10", "A5-11"],
    ),
    "task_counts.status_counts": (
        lambda c: task_counts.status_counts(c, END_2023)[["completed", "overdue"]].sum().tolist(),
        [43, 6],
    ),
    "task_counts.totals_by_day": (
        lambda c: task_counts.totals_by_day(c, [date(2023, 6, 30), date(2023, 8, 15)])[
            "completed"
        ].tolist(),
        [39, 39],  # a quarter end read from the summary, a day inside a quarter judged
    ),
    "task_counts.task_list": (
        lambda c: task_counts.task_list(c, END_2023, "overdue", limit=2, offset=1)["code"].tolist(),
        ["A1-07", "A3-09"],  # the second and third of six, longest late first,
    ),
    "task_counts.timeline_tasks": (
        lambda c: task_counts.timeline_tasks(c, END_2023, date(2023, 1, 1), 90)[1],
        {"tasks": 28, "overdue": 6, "due_soon": 0},
    ),
    "task_counts.open_tasks_due_by": (
        lambda c: task_counts.open_tasks_due_by(c, END_2023, date(2024, 3, 31))["code"].tolist(),
        # the six overdue (task_status_frame below) and two due on 2024-03-31
        ["A1-07", "A3-09", "A4-08", "A5-09", "A5-10", "A5-11", "A6-06", "A6-09"],
    ),
    "task_queries.status_table": (lambda c: task_queries.status_table(c, END_2023).shape, (64, 9)),
    "task_status.task_status_frame": (
        lambda c: int((task_status.task_status_frame(c, END_2023)["status"] == "overdue").sum()),
        6,
    ),
    # --- trends_queries and aggregation: the trends page
    "trends_queries.trend_series": (
        lambda c: round(
            trends_queries.trend_series(c, "YS01", "quarter", "2023-Q1", "2023-Q4", ("全市",))[
                "value"
            ].iloc[0],
            2,
        ),
        0.88,
    ),
    "trends_queries.indicator_changes": (
        lambda c: round(
            trends_queries.indicator_changes(c, "YS01", "2023", ("全市",))["yoy"][0], 1
        ),
        -25.4,
    ),
    "trends_queries.changes_of_indicators": (
        lambda c: trends_queries.changes_of_indicators(c, ("YS01", "YS02"), "2023", ("全市",))[
            "last_year"
        ].tolist(),
        [1.0425, 96.6],
    ),
    "trends_queries.indicator_ranking": (
        lambda c: (
            trends_queries.indicator_ranking(c, "YS01", "2023")
            .iloc[0][["district", "rank"]]
            .tolist()
        ),
        ["龙华区", 1],  # the sample's improving district opens businesses fastest in 2023
    ),
    "trends_queries.dimension_series": (
        lambda c: len(
            trends_queries.dimension_series(c, "营商环境", "year", "2021", "2023", ("全市",))
        ),
        21,
    ),
    "aggregation.aggregate": (
        lambda c: aggregation.aggregate(c, ["2022", "2023"], ["YS01"], ["全市"])[
            ["period", "reported"]
        ].values.tolist(),
        [["2022", 12], ["2023", 12]],
    ),
    "aggregation.indicator_values": (
        lambda c: round(aggregation.indicator_values(c, "2022", ["YS01"], ["全市"])["value"][0], 2),
        1.04,
    ),
    "aggregation.period_cells": (
        lambda c: round(
            aggregation.period_cells(c, "2022", ["YS01"], ["全市"])[("YS01", "全市")][0], 2
        ),
        1.04,
    ),
    "aggregation.periods_cells": (
        lambda c: [
            round(value, 2)
            for (code, _), (value, _) in aggregation.periods_cells(c, ["2022"], ["全市"])[
                "2022"
            ].items()
            if code == "YS01"
        ],
        [1.04],
    ),
    "aggregation.series": (
        lambda c: aggregation.series(c, "YS02", "year", "2021", "2023", ["全市"])["value"].tolist(),
        [96.2, 96.6, 97.2],
    ),
    # --- scoring: the evaluation page
    "scoring.indicator_table": (lambda c: len(scoring.indicator_table(c, "营商环境")), 7),
    "scoring.dimension_order": (lambda c: scoring.dimension_order(c)[0], "营商环境"),
    "scoring.scored_districts": (lambda c: len(scoring.scored_districts(c)), 11),
    "scoring.period_scores": (
        lambda c: scoring.period_scores(c, "2023").ranking.iloc[0]["district"],
        "南山区",
    ),
    "scoring.scoring_basis": (lambda c: len(scoring.scoring_basis(c).districts), 11),
    "scoring.period_ranking": (
        lambda c: scoring.period_ranking(c, "2023").ranking.iloc[0]["district"],
        "南山区",
    ),
    "scoring.district_scores": (
        lambda c: scoring.district_scores(c, "2023").iloc[0][["district", "rank"]].tolist(),
        ["南山区", 1],
    ),
    # --- schedule: the submissions page (the sample data has no schedule: one is stored)
    "schedule.default_schedule": (
        lambda c: len(schedule.default_schedule(c, "2023-01", "2023-03")),
        44,
    ),
    "schedule.ensure_default_schedule": (
        lambda c: schedule.ensure_default_schedule(c, "2023-01", "2023-12"),
        176,
    ),
    "schedule.has_schedule": (
        lambda c: (schedule.has_schedule(c), with_schedule(c, schedule.has_schedule)),
        (False, True),
    ),
    "schedule.schedule_frame": (
        lambda c: with_schedule(c, lambda c: len(schedule.schedule_frame(c))),
        176,
    ),
    "schedule.replace_schedule": (
        lambda c: with_schedule(c, replaced_schedule),
        (3, ["2023-01", "2023-01", "2023-01"]),
    ),
    "schedule.reporting_status": (
        lambda c: with_schedule(c, lambda c: len(schedule.reporting_status(c, ISSUED))),
        176,
    ),
    # The sample data was uploaded when the test database was made, after every due date.
    "schedule.not_reported": (
        lambda c: with_schedule(c, lambda c: len(schedule.not_reported(c, ISSUED))),
        176,
    ),
    # --- submissions and audit
    "submissions.submissions_frame": (
        lambda c: submissions.submissions_frame(c)["file_name"].tolist()[-1],
        "indicators.xlsx",
    ),
    "submissions.submission_rows": (
        lambda c: submissions.submission_rows(c, 1)["indicator"].shape[0],
        32,
    ),
    "submissions.stored_file": (
        lambda c: (lambda name, data: (name, data[:2]))(*submissions.stored_file(c, 1)),
        ("indicators.xlsx", b"PK"),
    ),
    "submissions.value_provenance": (
        lambda c: submissions.value_provenance(c, "YS01", ("2023-12",), ("全市",))[
            ["value", "file_name"]
        ].values.tolist(),
        [[0.66, "indicator_values.xlsx"]],
    ),
    "audit.record": (lambda c: audit.record(c, "chen", "login") > 0, True),
    # Newest first: the seed's five imports (audited as the system actor), then these two.
    "audit.events": (
        recorded_events,
        [("system:cli", "commit")] * 5 + [("wang", "upload"), ("chen", "login")],
    ),
    # --- bulletin and presentation
    "bulletin.city_full_name": (bulletin.city_full_name, "深圳市"),
    "bulletin.bulletin_figures": (
        lambda c: bulletin.bulletin_figures(c, "2023", ISSUED).scores.iloc[0]["district"],
        "南山区",
    ),
    "bulletin.indicator_yoy": (
        lambda c: (
            bulletin.indicator_yoy(c, "2023").iloc[0][["code", "value", "last_year"]].tolist()
        ),
        ["FZ07", 3783.0, 2759.0],
    ),
    "presentation.build_slides": (
        lambda c: (
            presentation.build_slides(c, ("overview",), "2023", "year", today=ISSUED)[0].title
        ),
        "2023年任务完成率69.4%，逾期任务6项，开展活动152场",
    ),
}


def test_every_public_query_function_is_called():
    assert set(CALLS) == query_functions()


def run(engine, name: str, monkeypatch) -> tuple[object, list]:
    """CALLS[name] on `engine`: its figure, and what each call of the function returned."""
    module_name, function_name = name.split(".")
    module = next(m for m in QUERY_MODULES if short_name(m) == module_name)
    function = getattr(module, function_name)
    returned = []

    def counted(*args, **kwargs):
        returned.append(function(*args, **kwargs))
        return returned[-1]

    with monkeypatch.context() as patch:
        patch.setattr(module, function_name, counted)
        call, _ = CALLS[name]
        with engine.connect() as conn:
            try:
                figure = (counted if call is function else call)(conn)
            finally:
                conn.rollback()  # the calls that write leave the sample data as it was
    assert returned, f"{name} was not called"
    return figure, returned


@pytest.mark.parametrize("name", sorted(CALLS))
def test_query_function_gives_the_sample_figure(sample_engine, name, monkeypatch):
    figure, _ = run(sample_engine, name, monkeypatch)
    expected = CALLS[name][1]
    numbers = isinstance(expected, float) or (
        isinstance(expected, list) and any(isinstance(x, float) for x in expected)
    )  # sums of floats may differ in the last bit with the order they are added in
    assert figure == (pytest.approx(expected) if numbers else expected)


# --- the whole answer, not only one figure, is the same on both engines ---------------------

# Values that must agree in type only: upload and audit times (the two databases were
# seeded one after the other, and the seed's imports are audited) and ids of rows written here (a rollback does not give back the ids a
# PostgreSQL sequence handed out; SQLite reuses them).
OPAQUE_COLUMNS = {"uploaded_at", "at", "id"}
OPAQUE_RESULTS = {"audit.record"}
# Dictionaries whose order the function does not promise (the cells of many periods): their
# entries are compared in key order.
UNORDERED_RESULTS = {"aggregation.periods_cells"}


def in_key_order(value):
    """`value` with every dictionary in it sorted by key."""
    if isinstance(value, dict):
        return {key: in_key_order(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [in_key_order(v) for v in value]
    return value


def assert_same(found, expected, where: str) -> None:
    """`found` (PostgreSQL) equals `expected` (SQLite) including its types: frames with
    their column types, dataclasses field by field, floats to float precision."""
    if isinstance(expected, pd.DataFrame):
        assert isinstance(found, pd.DataFrame), where
        times = [c for c in expected.columns if c in OPAQUE_COLUMNS]
        pd.testing.assert_series_equal(found.dtypes, expected.dtypes, obj=f"{where} dtypes")
        pd.testing.assert_frame_equal(
            found.drop(columns=times), expected.drop(columns=times), obj=where
        )
        for column in times:
            assert [type(v) for v in found[column]] == [type(v) for v in expected[column]], where
    elif dataclasses.is_dataclass(expected):
        assert type(found) is type(expected), where
        for field in dataclasses.fields(expected):
            name = f"{where}.{field.name}"
            assert_same(getattr(found, field.name), getattr(expected, field.name), name)
    elif isinstance(expected, dict):
        assert type(found) is type(expected) and list(found) == list(expected), where
        for key, value in expected.items():
            assert_same(found[key], value, f"{where}[{key!r}]")
    elif isinstance(expected, list | tuple):
        assert type(found) is type(expected) and len(found) == len(expected), where
        for number, (one, other) in enumerate(zip(found, expected, strict=True)):
            assert_same(one, other, f"{where}[{number}]")
    elif isinstance(expected, float):
        assert type(found) is type(expected) and found == pytest.approx(expected, nan_ok=True), (
            where
        )
    else:
        assert type(found) is type(expected) and found == expected, (where, found, expected)


@pytest.fixture(scope="module")
def both_engines(database_copies, tmp_path_factory):
    """The sample data on SQLite and on PostgreSQL, side by side."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(NO_POSTGRESQL)
    dbs = [
        database_copies.copy(kind, "sample", tmp_path_factory.mktemp(f"both-{kind}"))
        for kind in ("sqlite", "postgresql")
    ]
    engines = [db.open() for db in dbs]
    yield engines
    for engine in engines:
        engine.dispose()
    for db in dbs:
        database_copies.drop(db)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_query_function_answers_the_same_on_postgresql_as_on_sqlite(
    both_engines, name, monkeypatch
):
    lite, postgres = both_engines
    _, expected = run(lite, name, monkeypatch)
    _, found = run(postgres, name, monkeypatch)
    if name in OPAQUE_RESULTS:
        found, expected = [type(v) for v in found], [type(v) for v in expected]
    if name in UNORDERED_RESULTS:
        found, expected = in_key_order(found), in_key_order(expected)
    assert_same(found, expected, name)


def test_headlines_from_tasks_judged_by_the_caller_are_the_same(sample_engine):
    """The bulletin and the presentation pass the tasks they judged for their task sections
    (`scoped_tasks` on the period's end) instead of judging them again."""
    with sample_engine.connect() as conn:
        judged = task_status.summarize(
            task_queries.scoped_tasks(conn, task_queries.as_of_date("2023", ISSUED))
        )
        passed = headlines.headline_figures(conn, "2023", ISSUED, tasks=judged)
        own = headlines.headline_figures(conn, "2023", ISSUED)
    assert passed.tasks == own.tasks and passed.figures == own.figures
    assert passed["completion_rate"].value_text() == "69.4%"
