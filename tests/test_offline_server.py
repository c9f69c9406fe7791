"""The server makes no outbound request (SPEC §8: a government intranet, nothing leaves).

Streamlit run headless without `server.address` (as `make run` does) looks up the
machine's external IP from checkip.amazonaws.com for its start banner, unless
`browser.serverAddress` is set; `.streamlit/config.toml` sets it. The server here runs
with a `sitecustomize` that records every name lookup and connection that is not local.
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.e2e.app_browser import NO_PROXY, ROOT, cli, free_port, is_healthy, server_env

RECORDER = """
import os, socket

LOG = os.environ["OUTBOUND_LOG"]
LOCAL = ("localhost", "127.", "::1", "0.0.0.0")


def _note(what, host):
    if not host or str(host).startswith(LOCAL):
        return
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{what} {host}\\n")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect


def getaddrinfo(host, *args, **kwargs):
    _note("lookup", host)
    return _getaddrinfo(host, *args, **kwargs)


def connect(self, address):
    if isinstance(address, tuple):
        _note("connect", address[0])
    return _connect(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
"""


def test_the_server_started_as_make_run_does_makes_no_outbound_request(tmp_path):
    data_dir = tmp_path / "data"
    cli(data_dir, "init")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    log = tmp_path / "outbound.log"
    log.touch()
    port = free_port()
    env = server_env(data_dir) | {"PYTHONPATH": str(hooks), "OUTBOUND_LOG": str(log)}
    # The command of `make run`: headless, a port, no server.address.
    command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not is_healthy(f"http://127.0.0.1:{port}"):
            assert process.poll() is None, process.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "the server did not start in 60 s"
            time.sleep(0.3)
        with NO_PROXY.open(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
        time.sleep(2)  # the start banner's lookup would have run by now
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode(errors="replace")
    assert log.read_text(encoding="utf-8") == ""
    assert "External URL" not in output
