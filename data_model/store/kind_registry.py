"""The spreadsheet kinds, each declared once: everything the rest of the code knows of a kind.

A `KindRule` joins a kind's vocabulary (`kinds.Kind`: sheet, columns, header aliases) to
how it is stored and used: its tables, its key, its converter, its storage rule, its
export, its periods, whether it is on the submission schedule and who may submit it.
The order of `REGISTRY` is the import order (indicators first: value sheets in the same
workbook may use indicators it defines) and the order kinds are listed in. A kind's
write lock (`storage.take_write_locks`) is its name; its migration adds that row to
`write_lock`.

Adding a kind: a `KindRule` here (its columns in `kinds.py`, its converter in
`kind_converters.py`), its model in `models.py` with a migration (its table and its
`write_lock` row), `kinds.<name>` and its texts in the catalogue, and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import String

from data_model import kind_converters
from data_model.kinds import (
    ACTIVITIES,
    FREE_TEXT_LIMIT,
    INDICATOR_VALUES,
    INDICATORS,
    ISSUES,
    TASKS,
    Kind,
)
from data_model.periods import period_containing
from data_model.store import kind_exports, summaries
from data_model.store.models import (
    Activity,
    EnterpriseIssue,
    Indicator,
    IndicatorValue,
    Task,
    TaskSnapshot,
)
from data_model.store.task_writer import write_tasks

# Who may submit a row (`importer._check_scope`): a submitter of its district, of its
# district or its lead unit, or one who may define indicators.
DISTRICT, DISTRICT_OR_UNIT, INDICATOR_DEFINER = "district", "district_or_unit", "indicator_definer"


@dataclass(frozen=True)
class KindRule:
    kind: Kind
    # The versioned table holding a row per record (its periods, its export); a model
    # class, or any class with `__table__`.
    table: type
    # The key in the record's own field names (district → district_id).
    record_key: tuple[str, ...]
    # (validator, raw cells, row index, sheet, layout, errors) → record.
    convert: Callable
    # The storage rule: None stores versioned rows of `table` under record_key; else
    # write(conn, records, submission_id, write_versioned) → WriteCounts.
    write: Callable | None = None
    # Narrows the lookup of current rows to the values of this field in the records.
    scope_column: str | None = None
    # Fields that place a row in its periods (a period text, or a date: its month);
    # none: the kind has no periods and cannot be closed.
    period_fields: tuple[str, ...] = ()
    # Expected on the submission schedule (`schedule`).
    scheduled: bool = False
    # (conn, rule) → frame; None exports its columns as stored.
    export: Callable | None = None
    owner: str = DISTRICT
    # Versioned tables its storage rule writes besides `table` (listed first).
    also: tuple[type, ...] = ()
    # The field whose stored row (in `tables[0]`) must also be the submitter's, for a key
    # a row of another district or unit may already hold; None: the key says the district.
    stored_owner: str | None = None
    # (conn, submission_id, records written or None when withdrawn) → None: keeps the
    # summaries derived from the kind's rows exact (`summaries`); None: it has none.
    summarise: Callable | None = None

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def tables(self) -> tuple[type, ...]:
        return (*self.also, self.table)

    @cached_property
    def text_limits(self) -> dict[str, int]:
        """The longest text each of the kind's text columns may hold: the length of its
        tables' column of the same name (PostgreSQL refuses a longer text in a VARCHAR(n);
        SQLite stores it), `FREE_TEXT_LIMIT` for a column without one."""
        fields = {column.field for column in self.kind.columns}
        limits: dict[str, int] = {}
        for model in self.tables:
            for column in model.__table__.columns:
                # SQLModel's str columns are AutoString, a decorated VARCHAR.
                stored = getattr(column.type, "impl_instance", column.type)
                if column.name in fields and isinstance(stored, String):
                    length = stored.length or FREE_TEXT_LIMIT
                    limits[column.name] = min(length, limits.get(column.name, length))
        return limits

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    def periods(self, row: dict) -> set[str]:
        """The periods one stored row (or validated record) belongs to."""
        found = set()
        for field_name in self.period_fields:
            value = row[field_name]
            if isinstance(value, date):
                value = period_containing(value, "month")
            if value is not None:
                found.add(value)
        return found

    def export_frame(self, conn):
        return (self.export or kind_exports.stored_columns)(conn, self)


REGISTRY: dict[str, KindRule] = {}
# The kinds' vocabulary by name, and the names the command line accepts
# (`indicator-values`); kept with REGISTRY by `register`.
KINDS: dict[str, Kind] = {}
CLI_NAMES: dict[str, str] = {}


def register(rule: KindRule) -> KindRule:
    REGISTRY[rule.name] = rule
    KINDS[rule.name] = rule.kind
    CLI_NAMES[rule.cli_name] = rule.name
    return rule


def unregister(name: str) -> None:
    rule = REGISTRY.pop(name)
    del KINDS[name], CLI_NAMES[rule.cli_name]


def kind_order() -> tuple[str, ...]:
    return tuple(REGISTRY)


def closable_kinds() -> tuple[str, ...]:
    """The kinds that have periods, which can be closed."""
    return tuple(name for name, rule in REGISTRY.items() if rule.period_fields)


def scheduled_kinds() -> tuple[str, ...]:
    return tuple(name for name, rule in REGISTRY.items() if rule.scheduled)


def versioned_tables() -> tuple[type, ...]:
    return tuple(model for rule in REGISTRY.values() for model in rule.tables)


def kind_of_table(table_name: str) -> str | None:
    """The kind whose rows a table holds (`task_snapshot` → tasks)."""
    for rule in REGISTRY.values():
        if any(model.__table__.name == table_name for model in rule.tables):
            return rule.name
    return None


register(
    KindRule(
        INDICATORS,
        table=Indicator,
        record_key=("code",),
        convert=kind_converters.convert_indicators,
        owner=INDICATOR_DEFINER,
        summarise=summaries.indicators_changed,
    )
)
register(
    KindRule(
        INDICATOR_VALUES,
        table=IndicatorValue,
        record_key=("indicator_code", "district_id", "period"),
        convert=kind_converters.convert_indicator_values,
        scope_column="period",
        period_fields=("period",),
        scheduled=True,
        export=kind_exports.indicator_values,
        summarise=summaries.indicator_values_changed,
    )
)
register(
    KindRule(
        TASKS,
        table=TaskSnapshot,
        also=(Task,),
        record_key=("code", "report_period"),
        convert=kind_converters.convert_tasks,
        write=write_tasks,
        period_fields=("report_period",),
        scheduled=True,
        export=kind_exports.tasks,
        owner=DISTRICT_OR_UNIT,
        stored_owner="code",
        summarise=summaries.tasks_changed,
    )
)
register(
    KindRule(
        ACTIVITIES,
        table=Activity,
        record_key=("activity_date", "district_id", "name"),
        convert=kind_converters.convert_activities,
        period_fields=("activity_date",),
        scheduled=True,
    )
)
register(
    KindRule(
        ISSUES,
        table=EnterpriseIssue,
        record_key=("code",),
        convert=kind_converters.convert_issues,
        period_fields=("received_date", "resolved_date"),
        scheduled=True,
        stored_owner="code",
    )
)
