"""Two app processes on one PostgreSQL database behind nginx, as `deploy/` sets them up:
a browser held on one process uploads a file, and a browser held on the other sees the
new submission without a restart. Runs the repository's own nginx site file
(`deploy/nginx/two-healths.conf`) with its ports replaced.

Skipped, with the reason, where nginx or PostgreSQL (TEST_DATABASE_URL) is missing;
`.ci/run` installs nginx and sets TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data_model.db import make_engine
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.e2e.app_browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    OUTPUT,
    ROOT,
    AppServer,
    free_port,
    open_app_page,
    start_server,
    tr,
)

SITE = ROOT / "deploy" / "nginx" / "two-healths.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
ROUTE_COOKIE = "two_healths_route"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed: apt-get install nginx"),
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="TEST_DATABASE_URL is not set: the processes share a PostgreSQL database",
    ),
]


@dataclass
class Deployment:
    proxy: AppServer  # the nginx address, as the browser helpers expect a server
    apps: list[AppServer]
    access_log: Path

    def upstream_of(self, route: str) -> str:
        """The app process (host:port) nginx sends a browser with this route cookie to."""
        request = urllib.request.Request(
            f"{self.proxy.url}/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={route}"}
        )
        with NO_PROXY.open(request, timeout=10) as answer:
            assert answer.status == 200
        for _ in range(50):  # nginx writes the line once the answer is sent
            lines = [
                line
                for line in self.access_log.read_text().splitlines()
                if f"route={route} " in line
            ]
            if lines:
                return re.search(r"upstream=(\S+)", lines[-1]).group(1)
            time.sleep(0.1)
        raise AssertionError(f"no access log line for route {route}")

    def streams_of(self, route: str) -> set[str]:
        """The app processes that served websockets to the browser with this route."""
        return {
            re.search(r"upstream=(\S+)", line).group(1)
            for line in self.access_log.read_text().splitlines()
            if "/_stcore/stream" in line and f"route={route} " in line
        }


def proxy_config(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """A whole nginx.conf around the repository's site file: its ports replaced, logs and
    temporary files in `folder`, in the foreground without a master process."""
    site = SITE.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams)
    site, count = re.subn(r"(    server 127\.0\.0\.1:\d+;\n)+", servers, site)
    assert count == 1, "the site file's upstream block has changed shape"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("/var/log/nginx/two-healths.access.log", str(folder / "access.log"))
    temp = "".join(
        f"    {name}_temp_path {folder / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp}{site}\n}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database named after TEST_DATABASE_URL's, dropped after."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_proxy"
    admin = make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def deployment(pg_database, tmp_path_factory) -> Iterator[Deployment]:
    from data_model.cli import open_database
    from data_model.users import create_user

    engine = open_database(pg_database)  # migrated once, as the migrate unit does
    with engine.begin() as conn:
        create_user(conn, ADMIN_USERNAME, "admin", ADMIN_PASSWORD, by="e2e tests")
    engine.dispose()

    folder = tmp_path_factory.mktemp("proxy")
    env = dict(
        os.environ,
        DATABASE_URL=pg_database,
        DATA_DIR=str(folder),
        PYTHONUNBUFFERED="1",
        STREAMLIT_SERVER_COOKIE_SECRET="one-secret-for-every-process",
    )
    apps = []
    proxy = None
    try:
        for number in (1, 2):
            apps.append(start_server(folder, f"process-{number}", env=env))
        listen = free_port()
        config = proxy_config(folder, listen, [int(a.url.rsplit(":", 1)[1]) for a in apps])
        log = OUTPUT / "e2e-nginx.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [NGINX, "-c", str(config), "-p", str(folder)], stdout=sink, stderr=sink
            )
        proxy = AppServer(f"http://127.0.0.1:{listen}", folder, folder / "error.log", process)
        deadline = time.monotonic() + 30
        while True:
            try:
                with NO_PROXY.open(f"{proxy.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, f"nginx exited:\n{proxy.log_tail()}"
            assert time.monotonic() < deadline, f"nginx did not answer:\n{proxy.log_tail()}"
            time.sleep(0.2)
        yield Deployment(proxy, apps, folder / "access.log")
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()


def routes_to_each_process(deployment: Deployment) -> dict[str, str]:
    """One route cookie value per app process (process address → route)."""
    found: dict[str, str] = {}
    for number in range(40):
        route = f"browser{number}"
        found.setdefault(deployment.upstream_of(route), route)
        if len(found) == len(deployment.apps):
            return found
    raise AssertionError(f"40 routes reached only {sorted(found)}")


def browser_on(browser, deployment: Deployment, route: str):
    context, app = open_app_page(browser, deployment.proxy)
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": deployment.proxy.url}])
    return context, app


def test_an_upload_through_one_process_is_seen_in_the_other(browser, deployment):
    first, second = sorted(routes_to_each_process(deployment).items())
    (first_process, first_route), (second_process, second_route) = first, second
    assert first_process != second_process
    viewer_context, viewer = browser_on(browser, deployment, first_route)
    clerk_context, clerk = browser_on(browser, deployment, second_route)
    try:
        viewer.open().sign_in()
        viewer.go("submissions")
        assert tr("submissions.no_data") in viewer.main_text()

        clerk.open().sign_in()
        clerk.go("upload")
        data = make_xlsx(
            {
                "指标体系": indicator_rows(),
                "指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2023-12", 7, ""]],
            }
        )
        page = clerk.page
        with page.expect_file_chooser() as chooser:
            page.locator('[data-testid="stFileUploaderDropzone"] button').click()
        with clerk.rerun():
            chooser.value.set_files(
                files=[{"name": "两个进程.xlsx", "mimeType": XLSX, "buffer": data}]
            )
        page.get_by_text(tr("upload.preview", new=4, replaced=0, unchanged=0)).wait_for(
            timeout=30_000
        )
        with clerk.rerun():
            page.get_by_role("button", name=tr("upload.commit")).click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        assert "两个进程.xlsx" in " ".join(success.all_inner_texts())
        clerk.assert_clean("upload through the second process")

        viewer.go("coverage")
        viewer.go("submissions")  # the other process: no restart, no cache to clear
        shown = viewer.main_text()
        assert "e2e-admin" in shown
        values = tr("submissions.table_indicator_value")
        assert tr("submissions.rows_of", table=values, count=1) in shown
        viewer.screenshot("two-processes-submissions")
        viewer.assert_clean("the submission seen through the first process")
    finally:
        viewer_context.close()
        clerk_context.close()
    # nginx logs a websocket when it closes: each browser talked to one process only.
    deadline = time.monotonic() + 10
    while not (deployment.streams_of(first_route) and deployment.streams_of(second_route)):
        assert time.monotonic() < deadline, "the websockets were not logged"
        time.sleep(0.2)
    assert deployment.streams_of(first_route) == {first_process}
    assert deployment.streams_of(second_route) == {second_process}
