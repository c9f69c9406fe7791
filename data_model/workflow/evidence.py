"""佐证材料: files attached to a task report, checked by content, stored with SHA-256.

- A file's type is read from its bytes, never from its name or the browser's claim: PDF,
  PNG, JPEG, GIF, WebP, Word (.docx, legacy .doc) and Excel (.xlsx, legacy .xls). Anything
  else is refused, a program renamed `报告.pdf` as much as an SVG or a web page (both can
  carry script) or a macro-enabled Office file.
- At most EVIDENCE_MAX_MB; stored in the database, or in EVIDENCE_DIR named by SHA-256.
- Served only as the exact type found (`content_type`, none a browser runs) and as an
  attachment (the page's download button); every download is audited.
- Staff attach to the tasks of their districts and units; admins to any. Leaders, admins
  and those staff see and download them.
- A file belongs to the task's district and lead unit when it was attached, not to the
  code alone: a code that later belongs to another district or unit (after a rollback,
  say) shows and serves none of the earlier owner's files (`_of_current_task`).
- Nothing is attached to a report whose period, or a later one, is closed for tasks: the
  file would change the closed period's 已完成 count (`closed_periods.refuse_if_closed_from`).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, exists, func, insert, select

from data_model import settings
from data_model.accounts.permissions import Principal, require
from data_model.errors import InputError
from data_model.i18n import t
from data_model.kinds import TASKS
from data_model.reference.master import load_master
from data_model.store import audit, summaries_task_status
from data_model.store.closed_periods import refuse_if_closed_from
from data_model.store.db import as_date
from data_model.store.models import Evidence, Task, TaskSnapshot
from data_model.store.storage import take_write_locks
from data_model.store.task_status_sql import evidence_of_task
from data_model.text import stored_file_name

# file type → the content type it is served as (none of them executes in a browser).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Signatures of what people most often rename, to say what the file really is.
KNOWN_OTHERS = (
    (b"MZ", "program"),  # Windows .exe / .dll
    (b"\x7fELF", "program"),
    (b"#!", "script"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
)
EVIDENCE_LOCK = "evidence"


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str
    file_type: str
    content_type: str
    data: bytes


def detect_type(data: bytes) -> str | None:
    """The CONTENT_TYPES key of `data` from its first bytes (and, for Office files, the
    parts or streams inside), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office_zip_type(data)
    if data.startswith(OLE_MAGIC):
        # Legacy Office: the stream directory names the application (UTF-16 names).
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
    return None


def _office_zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # macros: .docm / .xlsm renamed, refused
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def what_it_is(data: bytes) -> str:
    """A word for a refused file's real content: program, script, archive or unknown."""
    for magic, kind in KNOWN_OTHERS:
        if data.startswith(magic):
            return kind
    head = data[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")):
        return "markup"
    return "unknown"


def safe_file_name(name: str) -> str:
    """The name as stored (`text.stored_file_name`), at most 200 characters."""
    return stored_file_name(name, 200) or "evidence"


def check_file(file_name: str, data: bytes, max_mb: int | None = None) -> EvidenceFile:
    """The file as it will be stored, or InputError saying what is wrong and what to do."""
    max_mb = settings.evidence_max_mb() if max_mb is None else max_mb
    name = safe_file_name(file_name)
    if not data:
        raise InputError("evidence.empty", file=name)
    if len(data) > max_mb * 1024 * 1024:
        size = f"{len(data) / 1024 / 1024:.1f}"
        raise InputError("evidence.too_large", file=name, size=size, max=max_mb)
    file_type = detect_type(data)
    if file_type is None:
        found = t(f"evidence.found_{what_it_is(data)}")
        raise InputError("evidence.bad_type", file=name, found=found)
    return EvidenceFile(name, file_type, CONTENT_TYPES[file_type], data)


def _current_task(conn: Connection, task_code: str):
    """The current task row's (district_id, lead_unit_id), or None if there is none."""
    return conn.execute(
        select(Task.district_id, Task.lead_unit_id).where(Task.is_current, Task.code == task_code)
    ).first()


def may_handle(conn: Connection, principal: Principal, task_code: str) -> bool:
    """Whether `principal` may see or attach this task's evidence beyond the role rule:
    staff only for tasks of their districts or lead units (judged by the current task;
    the evidence it shows is only that attached under its district and lead unit,
    `_of_current_task`)."""
    if principal.role != "staff":
        return True
    owner = _current_task(conn, task_code)
    if owner is None:
        return False
    master = load_master(conn)
    units = master.unit_names
    district = master.district_names.get(owner.district_id)
    return (district is not None and district in principal.districts) or units.get(
        owner.lead_unit_id, ""
    ) in principal.units


def _of_current_task(evidence):
    """SQL: the evidence rows that are their code's current task's: attached while the
    task had its current district and lead unit (`Evidence.district_id`, `lead_unit_id`).

    Evidence stays with the district and unit it was attached under: once the code
    belongs to another (a rollback freed it, a later upload names another district or
    lead unit), the files attached before are neither listed nor served with it; they
    are kept, and come back if the code returns to them."""
    task = Task.__table__
    return exists().where(task.c.is_current, *evidence_of_task(evidence, task)).correlate(evidence)


def attach(
    engine: Engine,
    principal: Principal,
    task_code: str,
    report_period: str,
    file_name: str,
    data: bytes,
    note: str = "",
) -> int:
    """Store one evidence file for the task's report of `report_period`; returns its id.

    Refused with InputError when the report does not exist, the task is outside a staff
    member's scope, or the file is not an accepted type or too large. Audited; counts up
    the `evidence` write lock so every page shows it at once.
    """
    require(principal, "attach_evidence")
    checked = check_file(file_name, data)
    digest = hashlib.sha256(data).hexdigest()
    with engine.begin() as conn:
        report = conn.execute(
            select(TaskSnapshot.period_end).where(
                TaskSnapshot.is_current,
                TaskSnapshot.task_code == task_code,
                TaskSnapshot.report_period == report_period,
            )
        ).first()
        owner = _current_task(conn, task_code)
        if report is None or owner is None:
            raise InputError("evidence.no_report", code=task_code, period=report_period)
        if not may_handle(conn, principal, task_code):
            raise InputError("evidence.not_yours", code=task_code)
        # The tasks' lock too: closing a period takes it, so a close and an attachment
        # never pass each other, and the task pages' cache key moves with the statuses.
        take_write_locks(conn, [TASKS.name, EVIDENCE_LOCK], holder=principal.username)
        refuse_if_closed_from(conn, TASKS.name, as_date(report.period_end))
        folder = settings.evidence_dir()
        stored_path = _write_file(folder, digest, data) if folder is not None else ""
        evidence_id = conn.execute(
            insert(Evidence).values(
                task_code=task_code,
                report_period=report_period,
                period_end=report.period_end,
                file_name=checked.file_name,
                file_type=checked.file_type,
                content_type=checked.content_type,
                size=len(data),
                sha256=digest,
                content=None if folder is not None else data,
                stored_path=stored_path,
                uploader=principal.username,
                uploaded_at=datetime.now(UTC),
                note=note.strip(),
                district_id=owner.district_id,
                lead_unit_id=owner.lead_unit_id,
            )
        ).inserted_primary_key[0]
        # A report complete from here on may now count as 已完成 (EVIDENCE_REQUIRED).
        summaries_task_status.evidence_attached(conn, task_code, report.period_end)
        audit.record(
            conn,
            principal.username,
            "evidence_attach",
            evidence_id=evidence_id,
            task=task_code,
            period=report_period,
            file=checked.file_name,
            type=checked.file_type,
            sha256=digest,
        )
    return evidence_id


def _write_file(folder: Path, digest: str, data: bytes) -> str:
    """Write `data` as `<folder>/<sha[:2]>/<sha>` (once; the same bytes share a file)."""
    relative = Path(digest[:2]) / digest
    target = folder / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, target)
    return relative.as_posix()


EVIDENCE_COLUMNS = [
    "id",
    "task_code",
    "report_period",
    "file_name",
    "file_type",
    "size",
    "sha256",
    "uploader",
    "uploaded_at",
    "note",
]


def evidence_list(conn: Connection, principal: Principal, task_code: str) -> pd.DataFrame:
    """The task's evidence (EVIDENCE_COLUMNS), latest report first: the files attached
    under its current district and lead unit; empty when the principal may not see it."""
    require(principal, "view_evidence")
    if not may_handle(conn, principal, task_code):
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    table = Evidence.__table__
    query = (
        select(*(table.c[c] for c in EVIDENCE_COLUMNS))
        .where(table.c.task_code == task_code, _of_current_task(table))
        .order_by(table.c.period_end.desc(), table.c.id.desc())
    )
    return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=EVIDENCE_COLUMNS)


def evidence_counts(conn: Connection, task_codes: list[str]) -> dict[str, int]:
    """Task code → number of evidence files of its current task, for the codes given."""
    table = Evidence.__table__
    counts: dict[str, int] = {}
    for start in range(0, len(task_codes), 500):
        query = (
            select(table.c.task_code, func.count())
            .where(table.c.task_code.in_(task_codes[start : start + 500]), _of_current_task(table))
            .group_by(table.c.task_code)
        )
        counts.update({code: int(n) for code, n in conn.execute(query)})
    return counts


def download(engine: Engine, principal: Principal, evidence_id: int) -> EvidenceFile:
    """The stored file, checked against its SHA-256, with the content type to serve it as;
    the download is audited. InputError when it does not exist, is not its code's current
    task's (attached under another district or lead unit), is not the principal's to
    see, or its stored bytes no longer match."""
    require(principal, "view_evidence")
    with engine.begin() as conn:
        table = Evidence.__table__
        item = conn.execute(
            select(table).where(table.c.id == evidence_id, _of_current_task(table))
        ).first()
        if item is None or not may_handle(conn, principal, item.task_code):
            raise InputError("evidence.not_found", id=evidence_id)
        if item.content is not None:
            data = bytes(item.content)
        else:
            folder = settings.evidence_dir()
            path = (folder / item.stored_path) if folder is not None else None
            if path is None or not path.is_file():
                raise InputError("evidence.file_missing", file=item.file_name)
            data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise InputError("evidence.file_changed", file=item.file_name)
        audit.record(
            conn,
            principal.username,
            "evidence_download",
            evidence_id=item.id,
            task=item.task_code,
            period=item.report_period,
            file=item.file_name,
        )
    # The type found when it was stored, re-checked: never anything but CONTENT_TYPES.
    content_type = CONTENT_TYPES.get(detect_type(data) or "", "application/octet-stream")
    return EvidenceFile(item.file_name, item.file_type, content_type, data)


def report_periods(conn: Connection, task_code: str) -> list[str]:
    """The task's current report periods, latest first: where evidence can attach."""
    query = (
        select(TaskSnapshot.report_period)
        .where(TaskSnapshot.is_current, TaskSnapshot.task_code == task_code)
        .order_by(TaskSnapshot.period_end.desc())
    )
    return list(conn.execute(query).scalars())
