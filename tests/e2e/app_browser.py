"""Helpers for the browser tests: a real `streamlit run` server and a chromium tab on it.

One server holds the sample data and an administrator for the whole session; the
first-run test starts its own server on an empty database. Every browser context
blocks requests that leave this machine and records them, and collects console and
page errors, so a test can assert that a page rendered cleanly and offline.

A tab signs in through the login form; the sign-in session's cookie then keeps it signed
in across a reload or a typed URL (see tests/e2e/test_browser_sessions.py), while each
browser context starts signed out. Waiting is driven by the websocket: `AppPage.rerun()` waits for the
server to report a finished script run after an action, then for the page to settle.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from data_model.i18n import t

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "e2e tests need Debian's chromium at /usr/bin/chromium: apt-get install chromium"
NO_PLAYWRIGHT = "e2e tests need the playwright package: pip install -r requirements-dev.txt"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1920, "height": 1080}
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
LANGUAGE = "zh-CN"
ADMIN_USERNAME = "e2e-admin"
ADMIN_PASSWORD = "e2e-admin-password-2024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Selectors from streamlit 1.67's frontend bundle (streamlit/static/static/js).
# stApp carries the websocket state and the script-run state ("initial", "running",
# "notRunning", "rerunRequested", ...).
APP_IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
MAIN = '[data-testid="stMain"]'
MAIN_BLOCK = '[data-testid="stMainBlockContainer"]'
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# Opened at a page's address (/present?...), the frontend does not know whether `present`
# is the page or a base path behind a proxy, so it probes both `/present/_stcore/health`
# (and host-config) and `/_stcore/health`; the first answers 404, which the browser logs
# as a console error. That probe is Streamlit's (getBaseUrisToProbe), not the app's.
BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")
# Plotly is loaded lazily: a chart shows a skeleton until plotly has drawn its SVG.
CHARTS_DRAWN = """() => {
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every((chart) => chart.querySelector('.js-plotly-plot .main-svg'));
}"""


def tr(key: str, **params: object) -> str:
    """Catalogue text as the app shows it, so a rewording does not break the tests."""
    return t(key, LANGUAGE, **params)


# --- the server ----------------------------------------------------------------------


@dataclass
class AppServer:
    url: str
    data_dir: Path
    log: Path
    process: subprocess.Popen

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)  # the embedded SQLite file under DATA_DIR
    return env


def cli(data_dir: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "data_model", *args],
        cwd=ROOT,
        env=server_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"data_model {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via http_proxy


def start_server(data_dir: Path, name: str, env: dict[str, str] | None = None) -> AppServer:
    """`streamlit run serve.py` (app.py with the session cookie's route, as `make run`) on
    a free port; returns once /_stcore/health answers ok.

    `env` replaces the environment (default: the embedded SQLite file under `data_dir`)."""
    port = free_port()
    OUTPUT.mkdir(exist_ok=True)
    log = OUTPUT / f"e2e-server-{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "serve.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                # A source file edited while the tests run must not prompt a rerun.
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env or server_env(data_dir),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(f"http://127.0.0.1:{port}", data_dir, log, process)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(
                f"streamlit exited with {process.returncode}:\n{server.log_tail()}"
            )
        if is_healthy(server.url):
            return server
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"streamlit did not become healthy in 60 s:\n{server.log_tail()}")
        time.sleep(0.25)


def is_healthy(url: str) -> bool:
    """Whether the Streamlit server (or the proxy in front of it) at `url` answers its
    health check with `ok` now."""
    try:
        with NO_PROXY.open(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200 and answer.read().strip() == b"ok"
    except OSError:
        return False


def create_admin(data_dir: Path) -> None:
    from data_model.accounts.users import create_user
    from data_model.admin.bootstrap import open_database

    engine = open_database(f"sqlite:///{data_dir / 'dashboard.sqlite3'}")
    with engine.begin() as conn:
        create_user(conn, ADMIN_USERNAME, "admin", ADMIN_PASSWORD, by="e2e tests")
    engine.dispose()


# --- the browser ---------------------------------------------------------------------


@dataclass
class AppPage:
    """One browser tab on the app, with what went wrong in it recorded."""

    page: object  # playwright.sync_api.Page
    server: AppServer
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    finished_runs: int = 0  # script runs the server reported finished in this tab

    # -- waiting and checking --

    def on_frame(self, payload: bytes | str) -> None:
        """Count finished script runs from the websocket (the app's ForwardMsg protobufs)."""
        if is_finished_run(payload):
            self.finished_runs += 1

    @contextmanager
    def rerun(self, timeout: float = 60_000) -> Iterator[None]:
        """Around an action that makes Streamlit run the script (a click, a page load):
        waits for a run that finished after the action, then for the page to settle.

        Without this a wait could end before the server has even started the run, as the
        app still reports the previous one as finished."""
        before = self.finished_runs
        yield
        deadline = time.monotonic() + timeout / 1000
        while self.finished_runs == before:
            assert time.monotonic() < deadline, "no script run finished after the action"
            self.page.wait_for_timeout(50)  # also lets playwright deliver the frames
        self.settle(timeout)

    def settle(self, timeout: float = 60_000) -> None:
        """Wait until Streamlit is idle and has drawn every chart."""
        # `st.rerun()` ends one run and starts the next: the app looks idle in between,
        # so idle must hold for a moment to count.
        for _ in range(int(timeout / 200)):
            self.page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout)
            self.page.wait_for_timeout(200)
            if self.page.locator(APP_IDLE).count():
                break
        self.page.wait_for_selector(MAIN_BLOCK, state="attached", timeout=timeout)
        self.page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def assert_no_error_element(self, where: str) -> None:
        errors = self.page.locator(ERROR_ELEMENTS)
        if errors.count():
            shown = " | ".join(errors.all_inner_texts())
            raise AssertionError(
                f"{where}: the page shows an error: {shown}\n"
                f"--- server log ---\n{self.server.log_tail()}"
            )

    def assert_clean(self, where: str) -> None:
        """No error element, console error, uncaught exception or outside request so far."""
        self.assert_no_error_element(where)
        assert not self.page_errors, f"{where}: uncaught errors in the page: {self.page_errors}"
        assert not self.console_errors, f"{where}: browser console errors: {self.console_errors}"
        assert not self.blocked_requests, (
            f"{where}: requests to other hosts were attempted: {self.blocked_requests}"
        )

    def forget_problems(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.blocked_requests.clear()

    def main_text(self) -> str:
        return self.page.locator(MAIN).inner_text()

    # -- moving around --

    def open(self, path: str = "") -> AppPage:
        """Load an address: a new Streamlit session (signed in if the browser holds a
        session cookie, as after `sign_in`)."""
        with self.rerun():
            self.page.goto(f"{self.server.url}/{path.lstrip('/')}")
        return self

    def sign_in(self, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD) -> AppPage:
        """Sign in through the login form shown to a new session."""
        form = self.page.locator('[data-testid="stForm"]')
        form.get_by_label(tr("login.username"), exact=True).fill(username)
        form.get_by_label(tr("login.password"), exact=True).fill(password)
        submit = form.get_by_role("button", name=tr("login.submit"), exact=True)
        with self.rerun():
            submit.click()
        self.assert_no_error_element(f"after signing in as {username}")
        submit.wait_for(state="detached")  # the login form is gone
        return self

    def nav_link(self, url_path: str):
        return self.page.locator(f'[data-testid="stSidebarNavLink"][href$="/{url_path}"]')

    def go(self, url_path: str) -> AppPage:
        """Open a page of the signed-in session through its sidebar link."""
        link = self.nav_link(url_path)
        assert link.count() == 1, (
            f"no sidebar link to /{url_path}; links: "
            f"{self.page.locator('[data-testid=stSidebarNavLink]').all_inner_texts()}"
        )
        with self.rerun():
            link.click()
        self.page.wait_for_url(re.compile(rf"/{re.escape(url_path)}(\?|$)"))
        self.assert_no_error_element(f"/{url_path}")
        return self

    def choose_file(self, name: str, data: bytes) -> AppPage:
        """Give the page's file uploader the workbook `data`, named `name`, through the
        browser's file chooser, and wait for the run that reads it."""
        with self.page.expect_file_chooser() as chooser:
            self.page.locator('[data-testid="stFileUploaderDropzone"] button').click()
        with self.rerun():
            chooser.value.set_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])
        return self

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def is_finished_run(payload: bytes | str) -> bool:
    """Whether a websocket frame from the app reports a script run that finished (not one
    cut short for a rerun)."""
    if isinstance(payload, str):
        return False
    message = ForwardMsg.FromString(payload)
    return (
        message.WhichOneof("type") == "script_finished"
        and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
    )


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


def open_app_page(browser, server: AppServer) -> tuple[object, AppPage]:
    context = browser.new_context(
        viewport=VIEWPORT, locale=LANGUAGE, timezone_id="Asia/Shanghai", accept_downloads=True
    )
    page = context.new_page()
    app_page = AppPage(page, server)

    def route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:  # the app must work on an intranet: nothing may leave this machine
            app_page.blocked_requests.append(route.request.url)
            route.abort("internetdisconnected")

    def on_console(message) -> None:
        location = message.location.get("url", "")
        if message.type == "error" and not BASE_PATH_PROBE.search(location):
            app_page.console_errors.append(f"{message.text} ({location})".strip())

    context.route("**/*", route)
    page.on("websocket", lambda socket: socket.on("framereceived", app_page.on_frame))
    page.on("console", on_console)
    page.on("pageerror", lambda error: app_page.page_errors.append(str(error)))
    return context, app_page
