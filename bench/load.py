"""Load: signed-in browser sessions moving between pages at once, on several app processes
behind nginx (the `deploy/` recipe), on PostgreSQL at 1x scale. Not a test: it prints
figures; `docs/benchmarks.md` records them.

A fresh database named after `--db` plus `_load` gets the sample data and one admin; N app
processes and the repository's nginx site start on free ports (`tests/e2e/proxy.py`). One
headless chromium holds `--sessions` browser contexts, each with its own nginx route, so
the sessions spread over the processes. Each signs in, then for `--duration` seconds opens
the dashboard pages in turn through the sidebar, as a leader clicks through them. A page
time is from the click to the end of the script run the click started, with every chart
drawn; a page that shows an error, or does not finish within 60 s, counts as an error.

Run from the project root (PostgreSQL and nginx needed):
`.venv/bin/python bench/load.py [--db postgresql://postgres@127.0.0.1:5432/test]
[--sessions 30] [--processes 2] [--duration 120]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from data_model.accounts.users import create_user  # noqa: E402
from data_model.admin.bootstrap import open_database, seed  # noqa: E402
from tests.e2e.app_browser import (  # noqa: E402
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    APP_IDLE,
    CHARTS_DRAWN,
    CHROMIUM,
    ERROR_ELEMENTS,
    LAUNCH_ARGS,
    is_finished_run,
    tr,
)
from tests.e2e.proxy import NGINX, ROUTE_COOKIE, deployment, fresh_database  # noqa: E402

PAGES = ["coverage", "tasks", "trends", "evaluation", "submissions", ""]  # "" the overview
TIMEOUT_MS = 120_000
SIGN_INS_AT_ONCE = 4  # sessions opened together; thirty at once only measure the queue


class Session:
    """One signed-in browser context and the page times it measured."""

    def __init__(self, context, number: int) -> None:
        self.context = context
        self.number = number
        self.finished_runs = 0
        self.page = None

    def on_frame(self, payload) -> None:
        if is_finished_run(payload):
            self.finished_runs += 1

    async def run_finished(self, before: int) -> None:
        """Wait for a script run that finished after `before` runs, then for the page to
        be idle with its charts drawn."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.finished_runs == before:
            if time.monotonic() > deadline:
                raise TimeoutError("no script run finished")
            await asyncio.sleep(0.02)
        await self.page.wait_for_selector(APP_IDLE, state="attached", timeout=TIMEOUT_MS)
        await self.page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)

    async def sign_in(self, url: str) -> None:
        self.page = await self.context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self.on_frame))
        before = self.finished_runs
        await self.page.goto(url, timeout=TIMEOUT_MS)
        await self.run_finished(before)
        form = self.page.locator('[data-testid="stForm"]')
        await form.get_by_label(tr("login.username"), exact=True).fill(ADMIN_USERNAME)
        await form.get_by_label(tr("login.password"), exact=True).fill(ADMIN_PASSWORD)
        before = self.finished_runs
        await form.get_by_role("button", name=tr("login.submit"), exact=True).click()
        await self.run_finished(before)

    async def open_page(self, path: str) -> float:
        link = self.page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first
        before = self.finished_runs
        started = time.perf_counter()
        await link.click()
        await self.run_finished(before)
        if await self.page.locator(ERROR_ELEMENTS).count():
            raise RuntimeError(f"/{path} shows an error")
        return time.perf_counter() - started


async def browse(session: Session, until: float, times, errors) -> None:
    pages = PAGES[session.number % len(PAGES) :] + PAGES[: session.number % len(PAGES)]
    turn = 0
    while time.monotonic() < until:
        path = pages[turn % len(pages)]
        turn += 1
        try:
            times[path or "overview"].append(await session.open_page(path))
        except Exception as error:  # noqa: BLE001 - a failed page is a figure, not a crash
            errors[path or "overview"].append(str(error).splitlines()[0])
            await asyncio.sleep(1)


async def load(url: str, sessions: int, duration: float) -> tuple[dict, dict, float]:
    from playwright.async_api import async_playwright

    times, errors = defaultdict(list), defaultdict(list)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        open_sessions = []
        for number in range(sessions):
            context = await browser.new_context(
                viewport={"width": 1280, "height": 720}, locale="zh-CN"
            )
            route = f"load{number}-{random.randrange(10**9)}"
            await context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": url}])
            open_sessions.append(Session(context, number))
        started = time.monotonic()
        gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)

        async def sign_in(session: Session) -> Session | None:
            async with gate:
                try:
                    await session.sign_in(url)
                    return session
                except Exception as error:  # noqa: BLE001 - a failed sign-in is a figure
                    errors["sign-in"].append(str(error).splitlines()[0])
                    return None

        signed = [s for s in await asyncio.gather(*map(sign_in, open_sessions)) if s]
        signed_in = time.monotonic() - started
        until = time.monotonic() + duration
        await asyncio.gather(*(browse(s, until, times, errors) for s in signed))
        await browser.close()
    return times, errors, signed_in


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL URL; the benchmark uses a fresh database named after it + _load",
    )
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=120, help="seconds of browsing")
    args = parser.parse_args()
    if NGINX is None:
        sys.exit("nginx is not installed: apt-get install nginx")
    with fresh_database(args.db, "load") as url, tempfile.TemporaryDirectory() as folder:
        engine = open_database(url)
        seed(engine)
        with engine.begin() as conn:
            create_user(conn, ADMIN_USERNAME, "admin", ADMIN_PASSWORD, by="bench/load.py")
        engine.dispose()
        with deployment(url, Path(folder), args.processes) as running:
            times, errors, signed_in = asyncio.run(
                load(running.proxy.url, args.sessions, args.duration)
            )
            served = defaultdict(int)
            for line in running.log_lines():
                if "/_stcore/stream" in line:
                    served[line.split("upstream=")[1].split()[0]] += 1
    print(
        f"{args.sessions} sessions on {args.processes} processes, {args.duration:.0f} s of "
        f"browsing after {signed_in:.1f} s to sign them all in; websockets per process: "
        f"{dict(served)}"
    )
    print(f"{'page':<12} {'views':>6} {'p50 s':>7} {'p95 s':>7} {'errors':>7}")
    everything = []
    for page in [p or "overview" for p in PAGES]:
        values = times.get(page, [])
        everything += values
        p50 = f"{statistics.median(values):.2f}" if values else "-"
        p95 = f"{percentile(values, 0.95):.2f}" if values else "-"
        print(f"{page:<12} {len(values):>6} {p50:>7} {p95:>7} {len(errors.get(page, [])):>7}")
    total_errors = sum(len(e) for e in errors.values())
    if everything:
        print(
            f"{'all':<12} {len(everything):>6} {statistics.median(everything):>7.2f}"
            f" {percentile(everything, 0.95):>7.2f} {total_errors:>7}"
        )
    for page, messages in errors.items():
        print(f"errors on {page}: {sorted(set(messages))[:3]}")


if __name__ == "__main__":
    main()
