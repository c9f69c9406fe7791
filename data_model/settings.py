"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path

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


def max_upload_mb() -> int:
    """Largest workbook accepted, in MB (`MAX_UPLOAD_MB`)."""
    return int(os.environ.get("MAX_UPLOAD_MB", "50"))
