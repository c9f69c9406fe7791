"""Backtest of the slip forecast against the 滞后 rule on the sample task history.

Standing at each quarter end of 2022-2023, every open task (进行中, 滞后 or 未启动 that day,
with a deadline on or before the last day of the history, so that how it ended is known)
is predicted to end overdue or not, twice:

- rule: it is 滞后 on that day (progress more than 20 points behind the elapsed share of
  its schedule), today's warning;
- forecast: `data_model.queries.forecast` expects it to finish after its deadline (or never); a
  task with fewer than two reports by then has no pace, and the rule speaks for it.

A task ended overdue when its first report showing it complete is later than its
deadline, or there is none by the end of the history (the on-time rule of the task
page). Precision, recall and F1 are pooled over the eight standing days. Not a test: it
prints figures; `docs/benchmarks.md` records them.

Run from the project root: `.venv/bin/python bench/forecast_backtest.py [--db URL]`
(default: a fresh SQLite database loaded with the sample data).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from data_model.admin.bootstrap import open_database, seed  # noqa: E402
from data_model.queries.forecast import OPEN_STATUSES, task_forecasts  # noqa: E402
from data_model.queries.task_status import task_status_frame  # noqa: E402

STANDING_DAYS = [
    date(year, month, day)
    for year in (2022, 2023)
    for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
]
HISTORY_END = date(2023, 12, 31)


def ended_overdue(conn) -> dict[str, bool]:
    """Per task with a deadline by the end of the history: did it end overdue?"""
    final = task_status_frame(conn, HISTORY_END, first_reports=True)
    final = final[final["deadline"].notna() & ~final["ongoing"]]
    final = final[final["deadline"].map(lambda d: d <= HISTORY_END)]
    return {
        code: end is None or end != end or end > deadline
        for code, end, deadline in zip(
            final["code"], final["completed_end"], final["deadline"], strict=True
        )
    }


def predictions(conn, as_of: date, outcome: dict[str, bool]) -> list[tuple[bool, bool, bool]]:
    """(ended overdue, rule says so, forecast says so) per open task with a known outcome."""
    tasks = task_status_frame(conn, as_of)
    tasks = tasks[tasks["status"].isin(OPEN_STATUSES) & tasks["code"].isin(outcome)]
    forecast = dict(
        zip(*(task_forecasts(conn, as_of)[c] for c in ("code", "will_miss")), strict=True)
    )
    rows = []
    for code, status in zip(tasks["code"], tasks["status"], strict=True):
        rule = status == "behind"
        rows.append((outcome[code], rule, bool(forecast.get(code, rule))))
    return rows


def scores(truth: list[bool], said: list[bool]) -> tuple[float, float, float]:
    hits = sum(t and s for t, s in zip(truth, said, strict=True))
    precision = hits / sum(said) if sum(said) else 0.0
    recall = hits / sum(truth) if sum(truth) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database holding the sample data (default: a fresh one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(args.db or f"sqlite:///{Path(folder) / 'backtest.sqlite3'}")
        if not args.db:
            seed(engine)
        with engine.connect() as conn:
            outcome = ended_overdue(conn)
            pooled = []
            print(
                f"{'standing day':<13} {'open':>5} {'ended overdue':>14} {'rule':>5} {'forecast':>9}"
            )
            for day in STANDING_DAYS:
                rows = predictions(conn, day, outcome)
                pooled += rows
                print(
                    f"{day.isoformat():<13} {len(rows):>5} {sum(r[0] for r in rows):>14}"
                    f" {sum(r[1] for r in rows):>5} {sum(r[2] for r in rows):>9}"
                )
        engine.dispose()
    truth = [r[0] for r in pooled]
    results = {
        name: scores(truth, [r[i] for r in pooled]) for i, name in ((1, "rule"), (2, "forecast"))
    }
    print(f"{'':<10} {'precision':>9} {'recall':>7} {'F1':>5}")
    for name, (precision, recall, f1) in results.items():
        print(f"{name:<10} {precision:>9.2f} {recall:>7.2f} {f1:>5.2f}")
    print(f"forecast F1 {results['forecast'][2]:.2f} vs rule F1 {results['rule'][2]:.2f}")


if __name__ == "__main__":
    main()
