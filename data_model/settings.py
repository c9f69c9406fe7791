"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"


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


def local_timezone() -> ZoneInfo:
    """Time zone for times shown to people and written to exports (`TIME_ZONE`)."""
    return ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Shanghai"))


def max_upload_mb() -> int:
    """Largest workbook accepted, in MB (`MAX_UPLOAD_MB`)."""
    return int(os.environ.get("MAX_UPLOAD_MB", "50"))


def boundary_file() -> Path:
    """GeoJSON of the district map (`BOUNDARY_FILE`, default the shipped Shenzhen districts)."""
    default = Path(__file__).resolve().parent / "defaults" / "shenzhen_districts.geojson"
    return Path(os.environ.get("BOUNDARY_FILE") or default)


def lockout_minutes() -> int:
    """How long five failed logins in a row lock an account, in minutes (`LOCKOUT_MINUTES`)."""
    return _positive_int("LOCKOUT_MINUTES", 15)


def session_idle_minutes() -> int:
    """Idle time after which a signed-in session ends, in minutes (`SESSION_IDLE_MINUTES`)."""
    return _positive_int("SESSION_IDLE_MINUTES", 30)


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r}: expected a whole number of minutes, at least 1")
    return int(raw)


def issuing_body() -> str | None:
    """Issuer named on the periodic bulletin (`ISSUING_BODY`); None: the federation of the
    city master data names (`bulletin.issuing_body`)."""
    return os.environ.get("ISSUING_BODY", "").strip() or None


def browser_path() -> str | None:
    """Chrome/Chromium that renders chart images (`BROWSER_PATH`); None: look for one on PATH."""
    return os.environ.get("BROWSER_PATH", "").strip() or None


def soffice_path() -> str | None:
    """LibreOffice that renders the PDF bulletin (`SOFFICE_PATH`); None: look on PATH."""
    return os.environ.get("SOFFICE_PATH", "").strip() or None


def bulletin_number(issued: date) -> str | None:
    """The document number (文号) printed under the bulletin's title (`BULLETIN_NUMBER`),
    e.g. `深工商联通〔{year}〕3号`: `{year}` becomes the issuing year. None: no number."""
    raw = os.environ.get("BULLETIN_NUMBER", "").strip()
    if not raw:
        return None
    try:
        return raw.format(year=issued.year)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"BULLETIN_NUMBER={raw!r}: only {{year}} may stand in braces ({error})"
        ) from error


def bulletin_date() -> date | None:
    """The bulletin's issuing date (`BULLETIN_DATE`, YYYY-MM-DD); None: the day it is made."""
    raw = os.environ.get("BULLETIN_DATE", "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValueError(f"BULLETIN_DATE={raw!r}: expected a date like 2024-07-15") from error
