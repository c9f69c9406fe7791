"""A kind is declared once, in `kind_registry`: a toy kind registered there (with its
own table and write lock, as its model and migration would add them) is recognised,
imported, closed, exported, rolled back and listed without any other module knowing it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, insert, select

from data_model import i18n
from data_model.accounts.permissions import SYSTEM
from data_model.admin.master_admin import find_entry, references
from data_model.admin.period_closing import close_period
from data_model.ingest.importer import import_file
from data_model.kinds import DISTRICT_ALIASES, Column, Kind
from data_model.outputs.export import export_frame, export_kinds
from data_model.queries.shared import data_year_range, data_years
from data_model.store.closed_periods import closed_months, row_periods
from data_model.store.kind_registry import (
    CLI_NAMES,
    KINDS,
    REGISTRY,
    KindRule,
    closable_kinds,
    kind_of_table,
    kind_order,
    register,
    scheduled_kinds,
    unregister,
    versioned_tables,
)
from data_model.store.models import WriteLock
from data_model.store.storage import rollback_submission, write_versions
from data_model.store.submissions import submission_rows
from tests.conftest import make_xlsx

TALKS = Kind(
    name="policy_talks",
    sheet="政策宣讲台账",
    key=("talk_date", "district", "topic"),
    columns=(
        Column("talk_date", "宣讲日期", True, ("日期",), example="2022-03-15"),
        Column("district", "区", True, DISTRICT_ALIASES, example="福田区"),
        Column("topic", "宣讲主题", True, ("主题",), example="政策解读"),
        Column("audience", "听众人数", False, ("人数",), example=50),
    ),
)


class PolicyTalk:
    """The model a migration would create: the versioned columns and the kind's fields."""

    __table__ = sa.Table(
        "policy_talk",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_date", sa.Date, nullable=False),
        sa.Column("district_id", sa.Integer, nullable=False),
        sa.Column("topic", sa.String, nullable=False),
        sa.Column("audience", sa.Integer),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("replaced_id", sa.Integer),
        sa.Column("superseded_by_id", sa.Integer),
    )


def convert_talks(v, raw, index, sheet, layout, errors) -> dict:
    return {
        "talk_date": v.field(v.required_date, raw, "talk_date", errors),
        "district_id": v.district_or_default(raw, errors),
        "topic": v.field(v.required_text, raw, "topic", errors),
        "audience": v.field(v.optional_count, raw, "audience", errors),
    }


RULE = KindRule(
    TALKS,
    table=PolicyTalk,
    record_key=("talk_date", "district_id", "topic"),
    convert=convert_talks,
    period_fields=("talk_date",),
    scheduled=True,
)
HEADER = ["宣讲日期", "区", "宣讲主题", "听众人数"]


@pytest.fixture
def talks(db_engine):
    """The toy kind registered, its table and write lock created, its catalogue name added."""
    engine = db_engine
    PolicyTalk.__table__.create(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(WriteLock).values(name="policy_talks", version=0, holder="", taken_at=None)
        )
    for language, name in (("zh-CN", "政策宣讲台账"), ("en", "Policy talks")):
        i18n.catalogue(language)["kinds.policy_talks"] = name
    register(RULE)
    yield engine
    unregister("policy_talks")
    for language in i18n.LANGUAGES:
        del i18n.catalogue(language)["kinds.policy_talks"]
    # On PostgreSQL the next test's empty database is this one emptied: leave no table or
    # write lock of the toy kind behind.
    with engine.begin() as conn:
        conn.execute(delete(WriteLock).where(WriteLock.name == "policy_talks"))
    PolicyTalk.__table__.drop(engine)


def stored(engine) -> list[tuple]:
    table = PolicyTalk.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(table.c.talk_date, table.c.topic, table.c.audience)
            .where(table.c.is_current)
            .order_by(table.c.id)
        ).all()


def test_the_registry_lists_the_kinds_in_import_order():
    assert kind_order() == ("indicators", "indicator_values", "tasks", "activities", "issues")
    assert closable_kinds() == ("indicator_values", "tasks", "activities", "issues")
    assert scheduled_kinds() == ("indicator_values", "tasks", "activities", "issues")
    assert [m.__table__.name for m in versioned_tables()] == [
        "indicator",
        "indicator_value",
        "task",
        "task_snapshot",
        "activity",
        "enterprise_issue",
    ]
    assert kind_of_table("task_snapshot") == "tasks"
    assert CLI_NAMES["indicator-values"] == "indicator_values"
    assert list(KINDS) == list(REGISTRY)


def test_a_kind_registered_once_is_imported_exported_closed_and_rolled_back(talks):
    engine = talks
    assert "policy_talks" in kind_order() and "policy-talks" in export_kinds()
    assert "policy_talks" in closable_kinds() and "policy_talks" in scheduled_kinds()
    before = dict(write_versions(engine.connect()))["policy_talks"]
    first = import_file(
        engine,
        make_xlsx(
            {
                "政策宣讲台账": [
                    HEADER,
                    [dt.datetime(2022, 3, 15), "福田区", "减税降费", 50],
                    [dt.datetime(2022, 4, 2), "南山", "稳岗补贴", ""],
                ]
            }
        ),
        "talks.xlsx",
    )
    assert first.errors == [] and first.status == "accepted"
    assert stored(engine) == [
        (dt.date(2022, 3, 15), "减税降费", 50),
        (dt.date(2022, 4, 2), "稳岗补贴", None),
    ]
    with engine.connect() as conn:
        assert dict(write_versions(conn))["policy_talks"] == before + 1
        frame = export_frame(conn, "policy-talks")
        assert list(frame.columns) == HEADER
        assert frame[["区", "宣讲主题"]].values.tolist() == [
            ["福田区", "减税降费"],
            ["南山区", "稳岗补贴"],
        ]
        assert list(submission_rows(conn, first.submission_id)) == ["policy_talk"]
        # The filters' years and master data's references count its rows too.
        assert data_years(conn) == [2022] and data_year_range(conn) == (2022, 2022)
        futian = find_entry(conn, "districts", "福田区")
        assert references(conn, "districts", futian)["data"] == 1
    assert row_periods("policy_talks", {"talk_date": dt.date(2022, 3, 15)}) == {"2022-03"}

    second = import_file(
        engine,
        make_xlsx(
            {
                "宣讲台账": [
                    ["宣讲日期", "区", "主题", "人数"],
                    [dt.datetime(2022, 3, 15), "福田区", "减税降费", 60],
                    [dt.datetime(2022, 3, 15), "福田区", "减税降费", 70],
                ]
            }
        ),
        "again.xlsx",
    )
    # Recognised by its column headers; the key named twice is the duplicate error.
    assert second.status == "rejected"
    assert [p.row for p in second.errors] == [3]

    third = import_file(
        engine,
        make_xlsx({"政策宣讲台账": [HEADER, [dt.datetime(2022, 3, 15), "福田区", "减税降费", 60]]}),
        "third.xlsx",
    )
    assert (third.status, third.rows_replaced) == ("accepted", 1)
    assert stored(engine)[-1] == (dt.date(2022, 3, 15), "减税降费", 60)
    with engine.begin() as conn:
        rollback_submission(conn, third.submission_id, by="admin")
    assert (dt.date(2022, 3, 15), "减税降费", 50) in stored(engine)

    with engine.begin() as conn:
        close_period(conn, SYSTEM, "policy_talks", "2022-03")
        assert "2022-03" in closed_months(conn, "policy_talks")
    closed = import_file(
        engine,
        make_xlsx({"政策宣讲台账": [HEADER, [dt.datetime(2022, 3, 20), "福田区", "新题", 9]]}),
        "closed.xlsx",
    )
    assert closed.status == "rejected"
    assert closed.errors[0].message.startswith("2022年3月已关账")


def test_a_kinds_summary_hook_runs_after_its_rows_are_written_and_rolled_back(talks):
    """`KindRule.summarise` is how a kind keeps summaries of its rows exact: the store calls
    it after an import wrote them (with the records written) and after a rollback
    withdrew them (None), and no caller names the kind."""
    calls = []

    def hook(conn, submission_id, records):
        topics = None if records is None else [r["topic"] for r in records]
        calls.append((submission_id, topics))

    register(replace(RULE, summarise=hook))
    rows = [HEADER, [dt.datetime(2022, 3, 15), "福田区", "减税降费", 50]]
    report = import_file(talks, make_xlsx({"政策宣讲台账": rows}), "talks.xlsx")
    assert report.status == "accepted"
    assert calls == [(report.submission_id, ["减税降费"])]
    with talks.begin() as conn:
        rollback_submission(conn, report.submission_id, by="admin")
    assert calls == [(report.submission_id, ["减税降费"]), (report.submission_id, None)]
