"""The `deploy/` recipe run for real: N app processes on one PostgreSQL database behind the
repository's own nginx site file (ports replaced, logs and temporary files in a folder, in
the foreground). Used by `test_two_processes.py` and `bench/load.py`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from data_model.store.db import make_engine
from tests.e2e.app_browser import (
    NO_PROXY,
    OUTPUT,
    ROOT,
    AppServer,
    free_port,
    is_healthy,
    start_server,
)

SITE = ROOT / "deploy" / "nginx" / "two-healths.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
ROUTE_COOKIE = "two_healths_route"


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
            lines = [line for line in self.log_lines() if f"route={route} " in line]
            if lines:
                return re.search(r"upstream=(\S+)", lines[-1]).group(1)
            time.sleep(0.1)
        raise AssertionError(f"no access log line for route {route}")

    def routes_to_each_process(self) -> dict[str, str]:
        """One route cookie value per app process (process address → route)."""
        found: dict[str, str] = {}
        for number in range(40):
            route = f"browser{number}"
            found.setdefault(self.upstream_of(route), route)
            if len(found) == len(self.apps):
                return found
        raise AssertionError(f"40 routes reached only {sorted(found)}")

    def streams_of(self, route: str) -> set[str]:
        """The app processes that served (closed) websockets to this route's browser."""
        return {
            re.search(r"upstream=(\S+)", line).group(1)
            for line in self.log_lines()
            if "/_stcore/stream" in line and f"route={route} " in line
        }

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


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
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log off;\n{temp}{site}\n}}\n",
        encoding="utf-8",
    )
    return config


@contextmanager
def fresh_database(base_url: str, suffix: str) -> Iterator[str]:
    """A fresh PostgreSQL database named after `base_url`'s plus `suffix`, dropped after."""
    url = make_url(base_url)
    name = f"{url.database}_{suffix}"
    admin = make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def deployment(database_url: str, folder: Path, processes: int = 2) -> Iterator[Deployment]:
    """`processes` app processes on `database_url` (already migrated) behind nginx."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DATA_DIR=str(folder),
        PYTHONUNBUFFERED="1",
        STREAMLIT_SERVER_COOKIE_SECRET="one-secret-for-every-process",
    )
    apps: list[AppServer] = []
    proxy = None
    try:
        for number in range(1, processes + 1):
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
        while not is_healthy(proxy.url):
            assert process.poll() is None, f"nginx exited:\n{proxy.log_tail()}"
            assert time.monotonic() < deadline, f"nginx did not answer:\n{proxy.log_tail()}"
            time.sleep(0.2)
        yield Deployment(proxy, apps, folder / "access.log")
    finally:
        if proxy is not None:
            proxy.stop()
        for app in apps:
            app.stop()
