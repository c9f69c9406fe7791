"""Delivery of reminders to receivers on 127.0.0.1: an SMTP server (aiosmtpd) and a tiny
HTTP webhook receiver, including receivers that fail: retried, then reported."""

from __future__ import annotations

import email
import io
import json
import socket
import threading
from datetime import date
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from sqlalchemy import update

from data_model.accounts.permissions import SYSTEM
from data_model.accounts.users import create_user, update_user
from data_model.admin.master_admin import edit_entry
from data_model.admin.master_workbook import export_workbook, sheet_title
from data_model.cli import main
from data_model.errors import InputError
from data_model.store import audit
from data_model.store.models import Unit
from data_model.supervision.delivery import (
    deliver_reminders,
    deliveries_frame,
    message_text,
    recipients,
)
from data_model.supervision.reminders import reminder_items
from tests.reminder_data import load_reminder_data

AS_OF = date(2022, 10, 8)  # 南山区工商联, 市商务局 (2 items) and 福田区工商联 have open items


@pytest.fixture
def engine(db_engine, monkeypatch):
    """The reminder data (tests/reminder_data.py) with e-mail addresses for two units (one
    through a staff user bound to 南山区), on SQLite and PostgreSQL; no channel set."""
    for name in ("SMTP_HOST", "SMTP_PORT", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DELIVERY_ATTEMPTS", "3")
    monkeypatch.setenv("DELIVERY_RETRY_SECONDS", "0")
    load_reminder_data(db_engine)
    with db_engine.begin() as conn:
        conn.execute(update(Unit).where(Unit.name == "市商务局").values(email="swj@gov.test"))
        create_user(
            conn,
            "wang",
            "staff",
            "a-long-test-password",
            by="tests",
            districts=["南山区"],
            email=" wang@gov.test ",
        )
    return db_engine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; answers 451 to the first `fail` of them."""

    def __init__(self, fail: int = 0) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.fail = fail
        self.tries = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.tries += 1
        if self.tries <= self.fail:
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch):
    def start(fail: int = 0) -> Inbox:
        inbox = Inbox(fail)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        monkeypatch.setenv("SMTP_FROM", "dashboard@gov.test")
        return inbox

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


class Receiver(BaseHTTPRequestHandler):
    """Keeps every JSON body POSTed; answers 500 while `failures_left` is above 0."""

    bodies: list[dict]
    failures_left: int

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        server = self.server
        server.tries += 1
        if server.failures_left != 0:
            server.failures_left -= 1
            self.send_response(500)
            self.end_headers()
            return
        server.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def webhook_server(monkeypatch):
    def start(failures: int = 0) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        server.bodies, server.failures_left, server.tries = [], failures, 0
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        host, port = server.server_address
        monkeypatch.setenv("WEBHOOK_URL", f"http://{host}:{port}/robot/send?access_token=secret")
        return server

    started: list[ThreadingHTTPServer] = []
    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def open_items(engine):
    with engine.connect() as conn:
        return reminder_items(conn, AS_OF)


def no_wait(seconds: float) -> None:
    pass


def test_an_english_reminder_of_one_item_says_item_and_day():
    item = {
        "level": "urge",
        "item": "task",
        "kind": "",
        "task_code": "A1-01",
        "content": "走访企业",
        "district": "",
        "period": "",
        "due_date": "2022-10-07",
        "days_late": 1,
        "days_left": 0,
    }
    assert message_text("市商务局", [item], AS_OF, "en").splitlines() == [
        "[市商务局] 1 open item as of 2022-10-08:",
        "1. [Urge] A1-01 走访企业, due 2022-10-07, 1 day late",
    ]


def test_nothing_is_sent_unless_a_channel_is_configured(engine):
    assert deliver_reminders(engine, open_items(engine), AS_OF, "tests") == []
    with engine.connect() as conn:
        assert deliveries_frame(conn).empty


def test_reminders_are_mailed_to_each_unit_with_an_address(engine, smtp_server):
    inbox = smtp_server()
    outcomes = deliver_reminders(engine, open_items(engine), AS_OF, "tests", "zh-CN", no_wait)
    assert [(o.unit, o.status, o.target, o.attempts) for o in outcomes] == [
        ("南山区工商联", "sent", "wang@gov.test", 1),
        ("市商务局", "sent", "swj@gov.test", 1),
        ("福田区工商联", "no_address", "", 0),
    ]
    received = {tuple(to): message for to, message in inbox.messages}
    assert set(received) == {("wang@gov.test",), ("swj@gov.test",)}
    body = received[("swj@gov.test",)].get_content()
    assert received[("swj@gov.test",)]["From"] == "dashboard@gov.test"
    assert "【市商务局】截至 2022-10-08 有 2 项待办事项" in body
    assert "[督办] K03 建设外贸企业服务平台，到期日 2022-09-30，逾期 8 天" in body
    with engine.connect() as conn:
        stored = deliveries_frame(conn)
        events = audit.events(conn, action="delivery")
    assert sorted(stored["status"]) == ["no_address", "sent", "sent"]
    assert sorted(d["status"] for d in events["detail"]) == ["no_address", "sent", "sent"]


def test_a_failing_mail_server_is_retried(engine, smtp_server):
    inbox = smtp_server(fail=2)  # the first two messages are refused for now
    outcomes = deliver_reminders(engine, open_items(engine), AS_OF, "tests", "zh-CN", no_wait)
    assert [(o.unit, o.status, o.attempts) for o in outcomes[:2]] == [
        ("南山区工商联", "sent", 3),
        ("市商务局", "sent", 1),
    ]
    assert len(inbox.messages) == 2


def test_the_webhook_receives_one_json_post_per_unit(engine, webhook_server):
    server = webhook_server()
    outcomes = deliver_reminders(engine, open_items(engine), AS_OF, "tests", "zh-CN", no_wait)
    assert [(o.unit, o.status, o.attempts) for o in outcomes] == [
        ("南山区工商联", "sent", 1),
        ("市商务局", "sent", 1),
        ("福田区工商联", "sent", 1),
    ]
    # the robot's token in the query string is never stored or audited
    assert {o.target for o in outcomes} == {f"http://127.0.0.1:{server.server_port}/robot/send"}
    bodies = {body["unit"]: body for body in server.bodies}
    assert set(bodies) == {"南山区工商联", "市商务局", "福田区工商联"}
    shangwu = bodies["市商务局"]
    assert shangwu["msgtype"] == "text" and shangwu["as_of"] == "2022-10-08"
    assert [(i["item"], i["due_date"], i["days_late"], i["level"]) for i in shangwu["items"]] == [
        ("report", "2022-09-30", 8, "supervise"),
        ("task", "2022-09-30", 8, "supervise"),
    ]
    assert "K03 建设外贸企业服务平台" in shangwu["text"]["content"]


def test_a_failing_webhook_is_retried_then_reported_never_lost(engine, webhook_server):
    server = webhook_server(failures=-1)  # always answers 500
    waits: list[float] = []
    outcomes = deliver_reminders(engine, open_items(engine), AS_OF, "tests", "zh-CN", waits.append)
    assert [(o.status, o.attempts) for o in outcomes] == [("failed", 3)] * 3
    assert all("500" in o.error for o in outcomes)
    assert server.tries == 9 and server.bodies == []
    with engine.connect() as conn:
        stored = deliveries_frame(conn)
        events = audit.events(conn, action="delivery")
    assert list(stored["status"]) == ["failed"] * 3
    assert list(stored["attempts"]) == [3] * 3
    assert sorted(d["unit"] for d in events["detail"] if d["status"] == "failed") == sorted(
        ["南山区工商联", "市商务局", "福田区工商联"]
    )


def test_a_webhook_that_fails_once_is_sent_on_the_second_attempt(
    engine, webhook_server, monkeypatch
):
    monkeypatch.setenv("DELIVERY_RETRY_SECONDS", "2")
    server = webhook_server(failures=1)
    waits: list[float] = []
    outcomes = deliver_reminders(engine, open_items(engine), AS_OF, "tests", "zh-CN", waits.append)
    assert [(o.status, o.attempts) for o in outcomes] == [("sent", 2), ("sent", 1), ("sent", 1)]
    assert waits == [2.0]
    assert len(server.bodies) == 3


def test_cli_remind_send_reports_a_failed_delivery_with_exit_code_1(engine, webhook_server, capsys):
    webhook_server(failures=-1)
    url = engine.url.render_as_string(hide_password=False)
    code = main(["remind", "--db", url, "--as-of", "2022-10-08", "--send", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert len(captured.out.splitlines()) == 4  # the items, still one JSON object a line
    failed = [line for line in captured.err.splitlines() if "失败" in line]
    assert len(failed) == 3 and all("尝试 3 次" in line for line in failed)


@pytest.mark.parametrize("value", ["file:///tmp/x", "not a url"])
def test_cli_remind_send_refuses_a_webhook_url_that_is_not_http_before_sending(
    engine, capsys, monkeypatch, value
):
    monkeypatch.setenv("WEBHOOK_URL", value)
    url = engine.url.render_as_string(hide_password=False)
    code = main(["remind", "--db", url, "--as-of", "2022-10-08", "--send"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"python -m data_model remind: 环境变量 WEBHOOK_URL 的值“{value}”无法使用"
        "（应为：以 http:// 或 https:// 开头的网址，如 https://robot.example.gov.cn/send?key=…）。"
        "请改正或删去这个环境变量（删去则使用默认值）后重试。"
    ]
    with engine.connect() as conn:
        assert deliveries_frame(conn).empty


def test_a_unit_e_mail_is_master_data_checked_and_in_the_workbook(db_engine):
    with db_engine.begin() as conn:
        edit_entry(conn, SYSTEM, "units", "市司法局", email="sfj@gov.test")
        with pytest.raises(InputError) as caught:
            edit_entry(conn, SYSTEM, "units", "市司法局", email="sfj at gov")
        workbook = load_workbook(io.BytesIO(export_workbook(conn, SYSTEM, record=False)))
        addresses = recipients(conn)
    assert caught.value.key == "master.bad_email"
    assert addresses["市司法局"] == ["sfj@gov.test"]
    units = workbook[sheet_title("units")]
    header = [cell.value for cell in units[1]]
    column = header.index("电子邮箱")
    emails = {row[0].value: row[column].value for row in units.iter_rows(min_row=2)}
    assert emails["市司法局"] == "sfj@gov.test"


def test_a_user_e_mail_is_checked(db_engine):
    with db_engine.begin() as conn:
        with pytest.raises(InputError) as caught:
            create_user(conn, "li", "leader", "a-long-test-password", by="t", email="li@")
        create_user(conn, "li", "leader", "a-long-test-password", by="t", email="li@gov.test")
        account = update_user(conn, "li", by="t", email="li.si@gov.test")
    assert caught.value.key == "master.bad_email"
    assert account.email == "li.si@gov.test"
