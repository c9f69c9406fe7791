"""What is due soon, late or overdue, per unit and district, and how far it has escalated.

Two sources of open items: the expected-submission schedule (a 报送 not yet reported,
`schedule.reporting_status`) and the task list (a task neither completed nor suspended
with a deadline, `task_counts.open_tasks_due_by`). Each item has a due date; its `day`
is the number of days from the due date to the day looked at (negative: not yet due).
An admin configures from which day an item reaches each escalation level (table
`escalation_level`; defaults 提醒 from 3 days before, 催办 on the due day, 督办 from 7
days late); an item below the first level is not listed.

A schedule row names a district (and perhaps a unit); a district's row is owed by that
district's federation (the active unit of category `district_federation` in it). A
task is owed by its lead unit, in the task's district or else the unit's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, select, update

from data_model.accounts.permissions import Principal, require
from data_model.errors import InputError
from data_model.formatting import local_today, unit_word
from data_model.i18n import t
from data_model.queries.frames import records
from data_model.queries.schedule import reporting_status
from data_model.queries.task_counts import open_tasks_due_by
from data_model.store import audit
from data_model.store.models import District, EscalationLevel, Unit
from data_model.store.storage import take_write_locks

LEVELS = ("remind", "urge", "supervise")  # 提醒 → 催办 → 督办
DEFAULT_FROM_DAYS = {"remind": -3, "urge": 0, "supervise": 7}
DAY_LIMITS = (-60, 365)  # the range an admin may set a level's first day in
ITEM_KINDS = ("report", "task")  # 报送 (schedule) | 任务 (task list)
ITEM_COLUMNS = [
    "unit",
    "district",
    "item",  # report | task
    "kind",  # the data kind owed (report) or "" (task)
    "period",  # the period owed (report) or "" (task)
    "task_code",
    "content",
    "due_date",
    "days_late",  # days past the due date (0 while not yet late)
    "days_left",  # days until the due date (0 once due)
    "level",
]
LOCK = "reminders"


def today() -> date:
    """Today in `TIME_ZONE` (`formatting.local_today`); tests replace it."""
    return local_today()


# --- escalation levels -----------------------------------------------------------------


def escalation_levels(conn: Connection) -> dict[str, int]:
    """Level → the day (from the due date, negative before it) it starts; LEVELS order."""
    stored = dict(conn.execute(select(EscalationLevel.level, EscalationLevel.from_day)).all())
    return {level: int(stored.get(level, DEFAULT_FROM_DAYS[level])) for level in LEVELS}


def check_levels(levels: Mapping[str, object]) -> dict[str, int]:
    """Levels as whole numbers of days, each later than the one before; else InputError."""
    checked: dict[str, int] = {}
    for level in LEVELS:
        raw = levels.get(level)
        try:
            day = int(str(raw).strip())
        except ValueError as error:
            raise InputError(
                "reminders.level_not_a_number", level=level_name(level), value=raw
            ) from error
        low, high = DAY_LIMITS
        if not low <= day <= high:
            raise InputError(
                "reminders.level_out_of_range",
                level=level_name(level),
                value=day,
                low=low,
                high=high,
            )
        checked[level] = day
    for before, after in zip(LEVELS, LEVELS[1:], strict=False):
        if checked[after] <= checked[before]:
            raise InputError(
                "reminders.levels_out_of_order",
                before=level_name(before),
                after=level_name(after),
            )
    return checked


def set_escalation_levels(
    conn: Connection, principal: Principal, levels: Mapping[str, object]
) -> dict[str, int]:
    """Store the levels' first days (admins only), audited; returns them as stored."""
    require(principal, "supervise")
    checked = check_levels(levels)
    take_write_locks(conn, [LOCK], holder=principal.username)
    old = escalation_levels(conn)
    for level, day in checked.items():
        updated = conn.execute(
            update(EscalationLevel).where(EscalationLevel.level == level).values(from_day=day)
        ).rowcount
        if not updated:
            conn.execute(EscalationLevel.__table__.insert().values(level=level, from_day=day))
    audit.record(conn, principal.username, "escalation_change", old=old, new=checked)
    return checked


def level_of(day: int, levels: Mapping[str, int]) -> str | None:
    """The highest level whose first day `day` has reached; None before the first."""
    reached = [level for level in LEVELS if day >= levels[level]]
    return reached[-1] if reached else None


def level_name(level: str, language: str | None = None) -> str:
    return t(f"reminders.level_{level}", language)


# --- the open items ----------------------------------------------------------------------


def reminder_items(
    conn: Connection, as_of: date, levels: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Every open item that has reached an escalation level on `as_of` (ITEM_COLUMNS),
    most days late first, then by unit and due date."""
    levels = dict(levels or escalation_levels(conn))
    horizon = as_of + timedelta(days=max(-min(levels.values()), 0))
    found = [*_report_items(conn, as_of, horizon), *_task_items(conn, as_of, horizon)]
    rows = []
    for record in found:
        day = (as_of - record["due_date"]).days
        level = level_of(day, levels)
        if level is None:
            continue
        rows.append({**record, "days_late": max(day, 0), "days_left": max(-day, 0), "level": level})
    frame = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    if frame.empty:
        return frame
    frame["_day"] = [(as_of - d).days for d in frame["due_date"]]
    frame = frame.sort_values(
        ["_day", "unit", "due_date", "item", "task_code", "period", "district"],
        ascending=[False, True, True, True, True, True, True],
    )
    return frame.drop(columns="_day").reset_index(drop=True)


def _report_items(conn: Connection, as_of: date, horizon: date) -> list[dict]:
    status = reporting_status(conn, as_of, due_by=horizon)
    open_rows = status[status["reported_on"].isna()]
    federations = district_federations(conn)
    return [
        {
            "unit": _text(row["unit"]) or federations.get(_text(row["district"]), ""),
            "district": _text(row["district"]),
            "item": "report",
            "kind": row["kind"],
            "period": row["period"],
            "task_code": "",
            "content": "",
            "due_date": _as_date(row["due_date"]),
        }
        for row in records(open_rows)
    ]


def _task_items(conn: Connection, as_of: date, horizon: date) -> list[dict]:
    # The open tasks due by the horizon, judged in SQL: not every task judged in Python.
    open_tasks = open_tasks_due_by(conn, as_of, horizon)
    if open_tasks.empty:
        return []
    unit_districts = dict(
        conn.execute(
            select(Unit.name, District.name).join(District, District.id == Unit.district_id)
        ).all()
    )
    items = []
    for row in records(open_tasks):
        deadline = _as_date(row["deadline"])
        district = row["district"] or unit_districts.get(row["lead_unit"]) or ""
        items.append(
            {
                "unit": row["lead_unit"],
                "district": district,
                "item": "task",
                "kind": "",
                "period": "",
                "task_code": row["code"],
                "content": row["content"],
                "due_date": deadline,
            }
        )
    return items


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def district_federations(conn: Connection) -> dict[str, str]:
    """District name → the name of its federation (the unit that owes its reports)."""
    rows = conn.execute(
        select(District.name, Unit.name)
        .join(Unit, Unit.district_id == District.id)
        .where(Unit.category == "district_federation", Unit.is_active)
        .order_by(Unit.sort_order.desc(), Unit.id.desc())
    ).all()
    return dict(rows)  # the first by sort order wins, as it comes last


def in_scope(items: pd.DataFrame, principal: Principal, unit: str = "unit") -> pd.DataFrame:
    """The items `principal` answers for: staff their units' and districts', others all.
    `unit` names the column of the unit that owes the item (a task list's `lead_unit`)."""
    if principal.role != "staff":
        return items
    mine = items[unit].isin(principal.units) | items["district"].isin(principal.districts)
    return items[mine].reset_index(drop=True)


def item_subject(item: Mapping, language: str | None = None) -> str:
    """What an item is, in words: `南山区 指标数据 2026-10` or `A1-01 优化营商环境…`."""
    if item["item"] == "task":
        return f"{item['task_code']} {item['content']}".strip()
    kind = t(f"kinds.{item['kind']}", language)
    return " ".join(p for p in (item["district"], kind, item["period"]) if p)


def item_status(item: Mapping, language: str | None = None) -> str:
    """`逾期 12 天`, `今日到期` or `3 天后到期`."""
    if item["days_late"] > 0:
        days = item["days_late"]
        return t("reminders.days_late", language, days=days, days_noun=_days(days, language))
    if item["days_left"] == 0:
        return t("reminders.due_today", language)
    days = item["days_left"]
    return t("reminders.days_left", language, days=days, days_noun=_days(days, language))


def _days(days: int, language: str | None) -> str:
    return unit_word("format.unit_days", days, language)


def items_frame(items: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """The items for people (and Excel): labelled columns, levels and kinds in words."""
    rows = records(items)
    levels = {level: level_name(level, language) for level in LEVELS}
    kinds = {kind: t(f"reminders.item_label_{kind}", language) for kind in ITEM_KINDS}

    def column(name: str) -> list:
        return [row[name] for row in rows]

    return pd.DataFrame(
        {
            t("reminders.column_level", language): [levels[v] for v in column("level")],
            t("reminders.column_unit", language): column("unit"),
            t("reminders.column_district", language): column("district"),
            t("reminders.column_item", language): [kinds[v] for v in column("item")],
            t("reminders.column_subject", language): [item_subject(r, language) for r in rows],
            t("reminders.column_due_date", language): column("due_date"),
            t("reminders.column_days_late", language): column("days_late"),
            t("reminders.column_status", language): [item_status(r, language) for r in rows],
        }
    )


def item_json(item: Mapping) -> dict:
    """One item as plain JSON values (the CLI's `--json`, webhooks, stored notices)."""
    return {
        "unit": item["unit"],
        "district": item["district"],
        "item": item["item"],
        "kind": item["kind"],
        "period": item["period"],
        "task_code": item["task_code"],
        "content": item["content"],
        "due_date": _as_date(item["due_date"]).isoformat(),
        "days_late": int(item["days_late"]),
        "days_left": int(item["days_left"]),
        "level": item["level"],
    }


# --- the sentence of the notification area ---------------------------------------------


def whose_items(principal: Principal) -> str:
    """Whose items `in_scope` gives `principal`, as the notification sentence names them:
    `city` (not staff), else by the staff member's bindings `district`, `unit` or
    `district_unit`."""
    if principal.role != "staff":
        return "city"
    if principal.districts and principal.units:
        return "district_unit"
    return "district" if principal.districts else "unit"


def summary_text(
    items: pd.DataFrame,
    levels: Mapping[str, int],
    whose: str,
    language: str | None = None,
    slipping: int = 0,
) -> str | None:
    """One sentence for the notification area, e.g. 你单位有 2 项报送将于 3 日内到期，1 项
    任务已逾期 12 天，2 项任务按目前进度预计将逾期。 (`whose`: `whose_items` of the
    signed-in person; `slipping`: open tasks the slip forecast expects to miss a deadline
    soon, `forecast.slipping_tasks`). None when nothing is due, late or slipping."""
    if items.empty and not slipping:
        return None
    window = max(-levels[LEVELS[0]], 0)
    parts = []
    for kind in ITEM_KINDS if len(items) else ():
        mine = items[items["item"] == kind]
        noun = t(f"reminders.item_{kind}", language)
        soon = mine[mine["days_late"] == 0]
        late = mine[mine["days_late"] > 0]
        if len(soon) and window == 0:  # 提醒 starts on the due day: all of them are due today
            parts.append(t("reminders.sentence_due_today", language, n=len(soon), noun=noun))
        elif len(soon):
            parts.append(
                t(
                    "reminders.sentence_due_soon",
                    language,
                    n=len(soon),
                    noun=noun,
                    days=window,
                    days_noun=_days(window, language),
                )
            )
        if len(late):
            days = int(late["days_late"].max())  # of the one, or the longest
            key = (
                "reminders.sentence_late_one" if len(late) == 1 else "reminders.sentence_late_many"
            )
            parts.append(
                t(key, language, n=len(late), noun=noun, days=days, days_noun=_days(days, language))
            )
    supervised = int((items["level"] == "supervise").sum()) if len(items) else 0
    if supervised:
        parts.append(t("reminders.sentence_supervised", language, n=supervised))
    if slipping:
        key = "reminders.sentence_slipping_one" if slipping == 1 else "reminders.sentence_slipping"
        parts.append(t(key, language, n=slipping))
    return (
        t(f"reminders.scope_{whose}", language)
        + t("reminders.separator", language).join(parts)
        + t("reminders.full_stop", language)
    )


def highest_level(items: pd.DataFrame) -> str | None:
    if items.empty:
        return None
    return max(items["level"], key=LEVELS.index)
