"""Sending reminders out: e-mail through an intranet SMTP server and a generic webhook.

Off by default: nothing leaves the server unless `SMTP_HOST` or `WEBHOOK_URL` is set
(`settings`). Each unit with open items gets one message per configured channel. A send
that fails is tried again, `DELIVERY_ATTEMPTS` times in all with a doubling wait from
`DELIVERY_RETRY_SECONDS`; every outcome (sent, failed after its attempts, or no e-mail
address known for the unit) is stored in `delivery` and audited, and returned so the
caller reports it: a failure is never lost silently.
"""

from __future__ import annotations

import json
import smtplib
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from functools import partial
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from data_model import settings
from data_model.formatting import unit_word
from data_model.i18n import t
from data_model.store import audit
from data_model.store.models import Delivery, District, Unit, User
from data_model.supervision.reminders import item_json, item_status, item_subject, level_name

CHANNELS = ("email", "webhook")
TIMEOUT_SECONDS = 30
DELIVERY_COLUMNS = [
    "at",
    "channel",
    "target",
    "unit",
    "as_of",
    "items",
    "status",
    "attempts",
    "error",
]


@dataclass(frozen=True)
class Outcome:
    channel: str  # email | webhook
    target: str
    unit: str
    status: str  # sent | failed | no_address
    attempts: int
    error: str = ""


def configured_channels() -> tuple[str, ...]:
    """The channels the settings turn on; () means nothing is ever sent."""
    return tuple(
        channel
        for channel, on in (("email", settings.smtp_host()), ("webhook", settings.webhook_url()))
        if on
    )


def recipients(conn: Connection) -> dict[str, list[str]]:
    """Unit name → e-mail addresses for its reminders: the unit's own and those of the
    active users bound to the unit or to its district."""
    units = conn.execute(
        select(Unit.name, Unit.email, District.name).join(
            District, District.id == Unit.district_id, isouter=True
        )
    ).all()
    users = conn.execute(
        select(User.email, User.units, User.districts).where(User.is_active, User.email != "")
    ).all()
    found: dict[str, list[str]] = {}
    for unit, email, district in units:
        addresses = [email] if email else []
        for user_email, user_units, user_districts in users:
            if unit in (user_units or ()) or (district and district in (user_districts or ())):
                addresses.append(user_email)
        found[unit] = list(dict.fromkeys(addresses))
    return found


def message_text(unit: str, items: list[dict], as_of: date, language: str | None = None) -> str:
    """The plain-text reminder to one unit: a heading line, then one line per item."""
    noun = unit_word("format.unit_items", len(items), language)
    lines = [
        t(
            "delivery.heading",
            language,
            unit=unit,
            date=as_of.isoformat(),
            n=len(items),
            n_noun=noun,
        )
    ]
    for index, item in enumerate(items, start=1):
        lines.append(
            t(
                "delivery.line",
                language,
                n=index,
                level=level_name(item["level"], language),
                subject=item_subject(item, language),
                due=item["due_date"],
                status=item_status(item, language),
            )
        )
    return "\n".join(lines)


def send_email(addresses: list[str], subject: str, body: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from()
    message["To"] = ", ".join(addresses)
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host(), settings.smtp_port(), timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)


def post_webhook(url: str, payload: dict) -> None:
    """POST `payload` as JSON; any answer but 2xx is a failure. No proxy: the URL is on
    the intranet and nothing may take a detour outside."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()


def shown_url(url: str) -> str:
    """The webhook's address without its query (a robot's token lives there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def with_retries(send: Callable[[], None], sleep: Callable[[float], None]) -> tuple[int, str]:
    """Call `send` until it succeeds or the attempts run out: (attempts made, last error
    or "" when it succeeded)."""
    attempts, wait = settings.delivery_attempts(), settings.delivery_retry_seconds()
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            send()
            return attempt, ""
        except (OSError, ValueError) as failure:  # SMTP, HTTP and socket errors are OSErrors
            error = f"{type(failure).__name__}: {failure}"[:500]
        if attempt < attempts and wait:
            sleep(wait * 2 ** (attempt - 1))
    return attempts, error


def deliver_reminders(
    engine: Engine,
    items: pd.DataFrame,
    as_of: date,
    actor: str,
    language: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Send each unit its open items over every configured channel; returns the outcomes
    (none when no channel is configured or nothing is open), each stored and audited."""
    channels = configured_channels()
    if not channels or items.empty:
        return []
    with engine.connect() as conn:
        addresses = recipients(conn)
    outcomes = []
    for unit, group in items.groupby("unit", sort=True):
        listed = [item_json(r) for r in group.to_dict("records")]
        body = message_text(unit, listed, as_of, language)
        if "email" in channels:
            to = addresses.get(unit, [])
            if not to:
                outcome = Outcome(
                    "email", "", unit, "no_address", 0, t("delivery.no_address", language)
                )
            else:
                subject = t("delivery.subject", language, unit=unit, date=as_of.isoformat())
                attempts, error = with_retries(partial(send_email, to, subject, body), sleep)
                outcome = Outcome("email", ", ".join(to), unit, _status(error), attempts, error)
            outcomes.append(_record(engine, outcome, as_of, len(listed), actor))
        if "webhook" in channels:
            url = settings.webhook_url()
            payload = {
                "msgtype": "text",
                "text": {"content": body},
                "unit": unit,
                "as_of": as_of.isoformat(),
                "items": listed,
            }
            attempts, error = with_retries(partial(post_webhook, url, payload), sleep)
            outcome = Outcome("webhook", shown_url(url), unit, _status(error), attempts, error)
            outcomes.append(_record(engine, outcome, as_of, len(listed), actor))
    return outcomes


def _status(error: str) -> str:
    return "failed" if error else "sent"


def _record(engine: Engine, outcome: Outcome, as_of: date, items: int, actor: str) -> Outcome:
    with engine.begin() as conn:
        conn.execute(
            insert(Delivery).values(
                at=datetime.now(UTC),
                channel=outcome.channel,
                target=outcome.target[:255],
                unit_name=outcome.unit,
                as_of=as_of,
                items=items,
                status=outcome.status,
                attempts=outcome.attempts,
                error=outcome.error,
            )
        )
        audit.record(
            conn,
            actor,
            "delivery",
            channel=outcome.channel,
            target=outcome.target,
            unit=outcome.unit,
            status=outcome.status,
            attempts=outcome.attempts,
            error=outcome.error,
        )
    return outcome


def deliveries_frame(conn: Connection, limit: int = 500) -> pd.DataFrame:
    """The latest deliveries, newest first (DELIVERY_COLUMNS)."""
    rows = conn.execute(
        select(
            Delivery.at,
            Delivery.channel,
            Delivery.target,
            Delivery.unit_name,
            Delivery.as_of,
            Delivery.items,
            Delivery.status,
            Delivery.attempts,
            Delivery.error,
        )
        .order_by(Delivery.at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=DELIVERY_COLUMNS)
