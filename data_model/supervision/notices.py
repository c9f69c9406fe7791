"""Numbered 督办通知: one Word document per unit, listing its open items, in the official
layout of the bulletin (`official_docx`), numbered in one sequence per year and recorded
(`supervision_notice`) with the items it listed and the document as issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from data_model import settings
from data_model.accounts.permissions import Principal, require
from data_model.errors import InputError
from data_model.i18n import t
from data_model.outputs import official_docx
from data_model.outputs.bulletin import city_full_name
from data_model.store import audit
from data_model.store.models import SupervisionNotice, Unit
from data_model.store.storage import take_write_locks
from data_model.supervision import reminders
from data_model.supervision.reminders import (
    LOCK,
    item_json,
    item_status,
    item_subject,
    level_name,
)

NOTICE_COLUMNS = ["id", "number", "unit", "as_of", "issued_at", "issued_by", "items"]
REPLY_DAYS = 5  # working days a unit has to answer a notice, as the notice says


@dataclass(frozen=True)
class IssuedNotice:
    id: int
    year: int
    number: int
    unit: str
    items: list[dict]


def number_text(year: int, number: int, language: str | None = None) -> str:
    """督办〔2026〕3号"""
    return t("notices.number", language, year=year, number=number)


def issue_notices(
    conn: Connection,
    principal: Principal,
    items: pd.DataFrame,
    as_of: date,
    issued_on: date | None = None,
    language: str | None = None,
) -> list[IssuedNotice]:
    """One numbered 督办通知 per unit among `items` (rows of `reminders.reminder_items`),
    in unit order, numbered on from the year's last; recorded and audited.

    Raises InputError when there is nothing to issue or an item names no known unit.
    """
    require(principal, "supervise")
    if items.empty:
        raise InputError("notices.nothing_to_issue")
    units = dict(conn.execute(select(Unit.name, Unit.id)).all())
    unknown = sorted({u for u in items["unit"] if u not in units}, key=str)
    if unknown:
        raise InputError("notices.unit_unknown", unit=unknown[0] or "-")
    issued_on = issued_on or reminders.today()
    take_write_locks(conn, [LOCK], holder=principal.username)  # numbers one writer at a time
    last = conn.execute(
        select(func.max(SupervisionNotice.number)).where(SupervisionNotice.year == issued_on.year)
    ).scalar()
    number = last or 0
    issuer = settings.issuing_body() or t(
        "bulletin.issuing_body", language, city=city_full_name(conn)
    )
    issued = []
    for unit, group in items.groupby("unit", sort=True):
        number += 1
        listed = [item_json(r) for r in group.to_dict("records")]
        document = notice_docx(
            unit, listed, issued_on.year, number, as_of, issued_on, issuer, language
        )
        notice_id = conn.execute(
            insert(SupervisionNotice).values(
                year=issued_on.year,
                number=number,
                unit_id=units[unit],
                unit_name=unit,
                as_of=as_of,
                issued_at=datetime.now(UTC),
                issued_by=principal.username,
                items=listed,
                document=document,
            )
        ).inserted_primary_key[0]
        audit.record(
            conn,
            principal.username,
            "notice",
            number=number_text(issued_on.year, number),
            unit=unit,
            as_of=as_of,
            items=len(listed),
        )
        issued.append(IssuedNotice(notice_id, issued_on.year, number, unit, listed))
    return issued


def notice_docx(
    unit: str,
    items: list[dict],
    year: int,
    number: int,
    as_of: date,
    issued_on: date,
    issuer: str,
    language: str | None = None,
) -> bytes:
    """The 督办通知 to `unit` as a Word document in the official layout."""
    title = t("notices.title", language)
    document = official_docx.new_document(title, issuer, language or "")
    official_docx.masthead(
        document,
        title,
        number_text(year, number, language),
        issuer,
        _date_text(issued_on, language),
    )
    official_docx.addressee(document, t("notices.addressee", language, unit=unit))
    official_docx.paragraph(
        document,
        t(
            "notices.opening_one" if len(items) == 1 else "notices.opening",
            language,
            date=_date_text(as_of, language),
            n=len(items),
        ),
    )
    columns = [
        official_docx.Column(t("notices.column_number", language), 0.7),
        official_docx.Column(t("reminders.column_item", language), 0.7),
        official_docx.Column(t("reminders.column_subject", language), 3.2, "left"),
        official_docx.Column(t("reminders.column_due_date", language), 1.2),
        official_docx.Column(t("reminders.column_status", language), 1.1),
        official_docx.Column(t("reminders.column_level", language), 0.7),
    ]
    rows = [
        [
            str(index),
            t(f"reminders.item_label_{item['item']}", language),
            item_subject(item, language),
            item["due_date"],
            item_status(item, language),
            level_name(item["level"], language),
        ]
        for index, item in enumerate(items, start=1)
    ]
    official_docx.caption(document, t("notices.table_caption", language))
    official_docx.table(document, columns, rows)
    official_docx.paragraph(document, t("notices.request", language, days=REPLY_DAYS))
    official_docx.signature(document, issuer, _date_text(issued_on, language))
    return official_docx.to_bytes(document)


def _date_text(day: date, language: str | None) -> str:
    return t("bulletin.date", language, year=day.year, month=day.month, day=day.day)


def notices_frame(conn: Connection, year: int | None = None) -> pd.DataFrame:
    """Issued notices, newest first (NOTICE_COLUMNS; `number` as text, `items` a count)."""
    query = select(
        SupervisionNotice.id,
        SupervisionNotice.year,
        SupervisionNotice.number,
        SupervisionNotice.unit_name,
        SupervisionNotice.as_of,
        SupervisionNotice.issued_at,
        SupervisionNotice.issued_by,
        SupervisionNotice.items,
    ).order_by(SupervisionNotice.year.desc(), SupervisionNotice.number.desc())
    if year is not None:
        query = query.where(SupervisionNotice.year == year)
    rows = [
        (
            r.id,
            number_text(r.year, r.number),
            r.unit_name,
            r.as_of,
            audit.time_text(r.issued_at),
            r.issued_by,
            len(r.items),
        )
        for r in conn.execute(query)
    ]
    return pd.DataFrame(rows, columns=NOTICE_COLUMNS)


def notice_file(conn: Connection, notice_id: int, language: str | None = None) -> tuple[str, bytes]:
    """(file name, Word bytes) of an issued notice, exactly as issued."""
    row = conn.execute(
        select(
            SupervisionNotice.year,
            SupervisionNotice.number,
            SupervisionNotice.unit_name,
            SupervisionNotice.document,
        ).where(SupervisionNotice.id == notice_id)
    ).first()
    if row is None:
        raise InputError("notices.no_such_notice", id=notice_id)
    name = t(
        "notices.file_name",
        language,
        number=number_text(row.year, row.number, language),
        unit=row.unit_name,
    )
    return name, bytes(row.document)
