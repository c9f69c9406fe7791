"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data_model.errors import InputError
from data_model.i18n import t

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"
# The shipped defaults: master data, district map and tiles, coverage and highlight settings.
DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"


def data_dir() -> Path:
    """Folder of the embedded SQLite database and stored uploads (`DATA_DIR`, default `data/`)."""
    return Path(os.environ.get("DATA_DIR", PROJECT_ROOT / "data"))


def database_url(explicit: str | None = None) -> str:
    """The database to use: an explicit URL, else `DATABASE_URL`, else the SQLite file."""
    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return f"sqlite:///{data_dir() / 'dashboard.sqlite3'}"


class SettingError(InputError):
    """An environment setting whose value cannot be used (`settings.bad_value`): the message
    names the setting, its value and the form expected (`expected`, a catalogue key)."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.expected = expected
        super().__init__("settings.bad_value", name=name, value=value)

    def message(self, language: str | None = None) -> str:
        return t(
            self.key,
            language,
            name=self.params["name"],
            value=self.params["value"],
            expected=t(self.expected, language),
        )


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def _positive_int(name: str, default: int, expected: str) -> int:
    """A whole number, at least 1; `expected` names its unit (`settings.expected_*`)."""
    raw = _raw(name)
    if not raw:
        return default
    if not raw.isdecimal() or int(raw) < 1:
        raise SettingError(name, raw, expected)
    return int(raw)


def _non_negative_number(name: str, default: float, expected: str) -> float:
    """A number, 0 or more; `expected` names its unit (`settings.expected_*`)."""
    raw = _raw(name)
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise SettingError(name, raw, expected)
    return number


SWITCH_ON = ("1", "true", "yes", "on")
SWITCH_OFF = ("0", "false", "no", "off")


def _switch(name: str, default: bool) -> bool:
    """On (1/true/yes/on) or off (0/false/no/off), in any case."""
    raw = _raw(name).lower()
    if not raw:
        return default
    if raw not in SWITCH_ON + SWITCH_OFF:
        raise SettingError(name, _raw(name), "settings.expected_switch")
    return raw in SWITCH_ON


def _day(name: str) -> date | None:
    """A date written YYYY-MM-DD; None when not set."""
    raw = _raw(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise SettingError(name, raw, "settings.expected_date") from error


def local_timezone() -> ZoneInfo:
    """Time zone for times shown to people and written to exports (`TIME_ZONE`, an IANA
    name, default Asia/Shanghai)."""
    raw = _raw("TIME_ZONE")
    if not raw:
        return ZoneInfo("Asia/Shanghai")
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:  # ValueError: not a key at all
        raise SettingError("TIME_ZONE", raw, "settings.expected_time_zone") from error


def max_upload_mb() -> int:
    """Largest workbook accepted, in MB (`MAX_UPLOAD_MB`, default 50)."""
    return _positive_int("MAX_UPLOAD_MB", 50, "settings.expected_mb")


def read_memory_mb() -> int:
    """Memory the process reading one uploaded workbook may take, in MB (`READ_MEMORY_MB`,
    default 2048; a 1M-row sheet of six columns needs about 700)."""
    return _positive_int("READ_MEMORY_MB", 2048, "settings.expected_mb")


def read_seconds() -> int:
    """Time the process reading one uploaded workbook may take, in seconds
    (`READ_SECONDS`, default 60; a 1M-row sheet of six columns takes about 8)."""
    return _positive_int("READ_SECONDS", 60, "settings.expected_seconds")


def boundary_file() -> Path:
    """GeoJSON of the district map (`BOUNDARY_FILE`, default the shipped Shenzhen districts)."""
    default = DEFAULTS_DIR / "shenzhen_districts.geojson"
    return Path(os.environ.get("BOUNDARY_FILE") or default)


def lockout_minutes() -> int:
    """How long five failed logins in a row lock an account, in minutes (`LOCKOUT_MINUTES`)."""
    return _positive_int("LOCKOUT_MINUTES", 15, "settings.expected_minutes")


def session_idle_minutes() -> int:
    """Idle time after which a signed-in session ends, in minutes (`SESSION_IDLE_MINUTES`)."""
    return _positive_int("SESSION_IDLE_MINUTES", 30, "settings.expected_minutes")


def session_max_hours() -> int:
    """How long a sign-in lasts at most, active or not, in hours; also the session
    cookie's lifetime (`SESSION_MAX_HOURS`)."""
    return _positive_int("SESSION_MAX_HOURS", 12, "settings.expected_hours")


def issuing_body() -> str | None:
    """Issuer named on the periodic bulletin (`ISSUING_BODY`); None: the federation of the
    city master data names (`bulletin.issuing_body`)."""
    return os.environ.get("ISSUING_BODY", "").strip() or None


def browser_path() -> str | None:
    """Chrome/Chromium that renders chart images (`BROWSER_PATH`); None: look for one on PATH."""
    return os.environ.get("BROWSER_PATH", "").strip() or None


def program_path(explicit: str | None, names: tuple[str, ...]) -> str | None:
    """The program a path setting names (`explicit`: None when it is not an executable
    file), else the first of `names` on PATH (`BROWSER_PATH`, `SOFFICE_PATH`)."""
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def program_problem(setting: str, names: tuple[str, ...], program: str, hint: str = "") -> str:
    """Why `program_path` found nothing, for messages: the path `setting` names no
    executable file, or none of `names` (the `program`) is on PATH."""
    explicit = os.environ.get(setting, "").strip()
    if explicit:
        return f"{setting}={explicit!r} is not an executable file"
    return f"no {program} on PATH (looked for {', '.join(names)}{hint})"


def explain_target_margin() -> float:
    """How far, in percent of the target, a value may miss its indicator's target before
    an explanation is required (`EXPLAIN_TARGET_MARGIN`, default 10)."""
    return _non_negative_number("EXPLAIN_TARGET_MARGIN", 10.0, "settings.expected_percent")


def evidence_max_mb() -> int:
    """Largest evidence file accepted, in MB (`EVIDENCE_MAX_MB`, default 20)."""
    return _positive_int("EVIDENCE_MAX_MB", 20, "settings.expected_mb")


def evidence_dir() -> Path | None:
    """Folder evidence files are stored in, named by their SHA-256 (`EVIDENCE_DIR`); None:
    in the database."""
    raw = os.environ.get("EVIDENCE_DIR", "").strip()
    return Path(raw) if raw else None


def evidence_required() -> bool:
    """Whether a task counts as 已完成 only once evidence is attached to one of its reports
    (`EVIDENCE_REQUIRED`: 1/true/yes/on; default off). Without evidence it is 待佐证."""
    return _switch("EVIDENCE_REQUIRED", False)


def explanations_required() -> bool:
    """Whether an upload's rows that need an explanation are refused without one
    (`EXPLANATIONS_REQUIRED`, default on; 0/false/no/off turns it off, e.g. while an
    office first loads its back data). Explanations found in the sheet are stored either way."""
    return _switch("EXPLANATIONS_REQUIRED", True)


# --- delivery of reminders (off unless configured: nothing leaves the server) ----------


def smtp_host() -> str | None:
    """Intranet mail server reminders are sent through (`SMTP_HOST`); None: no e-mail."""
    return os.environ.get("SMTP_HOST", "").strip() or None


def smtp_port() -> int:
    """Its port (`SMTP_PORT`, default 25)."""
    return _positive_int("SMTP_PORT", 25, "settings.expected_port")


def smtp_from() -> str:
    """Sender address of reminders (`SMTP_FROM`)."""
    return os.environ.get("SMTP_FROM", "").strip() or "dashboard@localhost"


def webhook_url() -> str | None:
    """Where reminders are POSTed as JSON (`WEBHOOK_URL`, an http:// or https:// address,
    e.g. an on-premises 政务微信 or 钉钉 robot); None: no webhook."""
    raw = _raw("WEBHOOK_URL")
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed [IPv6 address, a port that is not a number
        usable = False
    if not usable:
        # Shown without its query: a robot's token lives there.
        shown = raw.partition("?")[0]
        raise SettingError("WEBHOOK_URL", shown, "settings.expected_webhook_url")
    return raw


def delivery_attempts() -> int:
    """How often a failed send is tried in all before it is reported failed
    (`DELIVERY_ATTEMPTS`, default 3)."""
    return _positive_int("DELIVERY_ATTEMPTS", 3, "settings.expected_attempts")


def delivery_retry_seconds() -> float:
    """Wait before the second attempt, doubled before each further one
    (`DELIVERY_RETRY_SECONDS`, default 5; 0 retries at once)."""
    return _non_negative_number("DELIVERY_RETRY_SECONDS", 5.0, "settings.expected_wait")


def soffice_path() -> str | None:
    """LibreOffice that renders the PDF bulletin (`SOFFICE_PATH`); None: look on PATH."""
    return os.environ.get("SOFFICE_PATH", "").strip() or None


def bulletin_number(issued: date) -> str | None:
    """The document number (文号) printed under the bulletin's title (`BULLETIN_NUMBER`),
    e.g. `深工商联通〔{year}〕3号`: `{year}` becomes the issuing year. None: no number."""
    raw = _raw("BULLETIN_NUMBER")
    if not raw:
        return None
    try:
        return raw.format(year=issued.year)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        raise SettingError("BULLETIN_NUMBER", raw, "settings.expected_bulletin_number") from error


def bulletin_date() -> date | None:
    """The bulletin's issuing date (`BULLETIN_DATE`, YYYY-MM-DD); None: the day it is made."""
    return _day("BULLETIN_DATE")


def check() -> None:
    """Read every setting that has a form, so that a bad one stops a command or the app
    before any work is done, not half-way (SettingError)."""
    for read in (
        local_timezone,
        max_upload_mb,
        read_memory_mb,
        read_seconds,
        lockout_minutes,
        session_idle_minutes,
        session_max_hours,
        explain_target_margin,
        evidence_max_mb,
        evidence_required,
        explanations_required,
        smtp_port,
        webhook_url,
        delivery_attempts,
        delivery_retry_seconds,
        bulletin_date,
    ):
        read()
    bulletin_number(date.today())
