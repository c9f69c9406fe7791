"""Closed periods: closing and reopening (admins, audited, a reason to reopen), and the
refusal of an upload or a rollback that would change a closed period, on both engines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from data_model.accounts.permissions import (
    PermissionDenied,
    Principal,
    guarded_import,
    guarded_rollback,
)
from data_model.admin.period_closing import close_period, closures_frame, reopen_period
from data_model.cli import main
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.store import audit
from data_model.store.closed_periods import PeriodClosed, refuse_if_closed
from data_model.store.models import EnterpriseIssue, IndicatorValue, Submission
from data_model.store.storage import write_versions
from tests.accounts.test_permissions import ADMIN, LEADER
from tests.conftest import SHORT_ISSUE_HEADER, VALUE_HEADER, indicator_rows, make_xlsx


def values_xlsx(*rows: tuple[str, str, str, float]) -> bytes:
    """A 指标数据 sheet: (indicator code, district, period, value) per row."""
    return make_xlsx({"指标数据": [VALUE_HEADER, *[[c, "", d, p, v, ""] for c, d, p, v in rows]]})


def stored_values(engine) -> dict[tuple[str, str], float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value
            ).where(IndicatorValue.is_current)
        ).all()
    return {(code, period): value for code, period, value in rows}


@pytest.fixture
def engine(db_engine):
    """Indicators and two values of 南山区: 2023-03 and 2024-01 (submission 2)."""
    assert import_file(db_engine, make_xlsx({"指标体系": indicator_rows()}), "i.xlsx").status == (
        "accepted"
    )
    report = import_file(
        db_engine,
        values_xlsx(("YS02", "南山区", "2023-03", 10), ("YS02", "南山区", "2024-01", 20)),
        "v.xlsx",
    )
    assert report.status == "accepted"
    return db_engine


def close(engine, kind: str, period: str, principal: Principal = ADMIN):
    with engine.begin() as conn:
        return close_period(conn, principal, kind, period)


def reopen(engine, kind: str, period: str, reason: str, principal: Principal = ADMIN):
    with engine.begin() as conn:
        return reopen_period(conn, principal, kind, period, reason)


def test_an_admin_closes_and_reopens_with_a_reason_audited_and_versioned(engine):
    with engine.connect() as conn:
        before = dict(write_versions(conn))
    closure = close(engine, "indicator-values", "2023年")
    assert (closure.kind, closure.period, closure.closed_by) == ("indicator_values", "2023", "chen")
    with engine.connect() as conn:
        after = dict(write_versions(conn))
    assert after["periods"] == before["periods"] + 1
    assert after["indicator_values"] == before["indicator_values"] + 1

    with pytest.raises(PermissionDenied):
        close(engine, "tasks", "2023-Q4", LEADER)
    with pytest.raises(InputError, match="chen"):  # already closed, says by whom
        close(engine, "indicator_values", "2023-Q2")
    with pytest.raises(InputError) as part:  # a quarter of a closed year: reopen the year
        reopen(engine, "indicator_values", "2023-Q2", "wrong")
    assert part.value.key == "closed_periods.closed_as_part"
    with pytest.raises(InputError) as no_reason:
        reopen(engine, "indicator_values", "2023", "   ")
    assert no_reason.value.key == "closed_periods.reason_required"
    with pytest.raises(InputError) as bad_kind:
        close(engine, "indicators", "2023")
    assert bad_kind.value.key == "closed_periods.bad_kind"

    reopened = reopen(engine, "indicator_values", "2023", "南山区3月数据有误")
    assert (reopened.reopened_by, reopened.reopen_reason) == ("chen", "南山区3月数据有误")
    close(engine, "indicator_values", "2023")  # closing again is a new close on record
    with engine.connect() as conn:
        frame = closures_frame(conn, LEADER)
        events = audit.events(conn)
    assert list(zip(frame["period"], frame["state"], strict=True)) == [
        ("2023", "closed"),
        ("2023", "reopened"),
    ]
    kinds = events[events["action"].isin(["period_close", "period_reopen"])]
    assert list(kinds["action"]) == ["period_close", "period_reopen", "period_close"]
    assert kinds.iloc[1]["detail"]["reason"] == "南山区3月数据有误"
    assert kinds.iloc[1]["username"] == "chen"


def test_a_closed_year_refuses_an_upload_of_its_months_naming_who_closed_it(engine):
    close(engine, "indicator_values", "2023")
    before = stored_values(engine)
    report = guarded_import(
        engine,
        ADMIN,
        values_xlsx(("YS02", "南山区", "2023-05", 11), ("YS02", "南山区", "2024-02", 21)),
        "late.xlsx",
    )
    assert report.status == "rejected"
    assert "2023" in report.message and "chen" in report.message
    [problem] = report.errors
    assert problem.row == 2 and "2023年5月" in problem.message and "chen" in problem.message
    assert stored_values(engine) == before  # nothing written, not even the open 2024 row

    # Valid rows only: the open month is imported, the closed one stays refused.
    partial = import_file(
        engine,
        values_xlsx(("YS02", "南山区", "2023-05", 11), ("YS02", "南山区", "2024-02", 21)),
        "late2.xlsx",
        ImportOptions(valid_rows_only=True),
    )
    assert partial.status == "partial"
    assert stored_values(engine) == {**before, ("YS02", "2024-02"): 21}


def test_a_closed_quarter_refuses_the_year_that_contains_it_but_not_other_kinds(engine):
    close(engine, "indicator_values", "2023-Q4")
    year = import_file(engine, values_xlsx(("YS02", "南山区", "2023", 99)), "y.xlsx")
    assert year.status == "rejected" and "2023年第四季度" in year.message
    march = import_file(engine, values_xlsx(("YS02", "南山区", "2023-03", 12)), "m.xlsx")
    assert march.status == "accepted"  # Q1 is open
    with engine.connect() as conn:
        refuse_if_closed(conn, "tasks", ["2023-Q4"])  # tasks of 2023-Q4 are not closed
        with pytest.raises(PeriodClosed) as refused:
            refuse_if_closed(conn, "indicator_values", ["2024-01", "2023-11"])
    assert refused.value.period == "2023-11"
    assert refused.value.closure.closed_by == "chen"


def test_a_closed_period_refuses_a_rollback_until_it_is_reopened(engine):
    close(engine, "indicator_values", "2023")
    with pytest.raises(InputError) as refused:
        guarded_rollback(engine, ADMIN, 2)
    assert "2023" in refused.value.message() and "chen" in refused.value.message()
    with engine.connect() as conn:
        status = conn.execute(select(Submission.status).where(Submission.id == 2)).scalar_one()
        rollbacks = audit.events(conn, action="rollback")
    assert status == "accepted" and rollbacks.empty
    assert stored_values(engine)[("YS02", "2023-03")] == 10

    reopen(engine, "indicator_values", "2023", "撤回错报")
    guarded_rollback(engine, ADMIN, 2)
    assert ("YS02", "2023-03") not in stored_values(engine)


def test_closing_tasks_leaves_a_rollback_of_indicator_values_free(engine):
    close(engine, "tasks", "2023")
    guarded_rollback(engine, ADMIN, 2)
    assert stored_values(engine) == {}


def test_an_issue_of_a_closed_month_may_be_resolved_in_an_open_one(engine):
    def issues(*rows):
        return make_xlsx({"企业诉求": [SHORT_ISSUE_HEADER, *rows]})

    received = dt.datetime(2023, 12, 5)
    first = ["SQ1", received, "南山区", "某科技公司", "融资贷款", "贷款受阻", "已受理", None]
    assert import_file(engine, issues(first), "q1.xlsx").status == "accepted"
    close(engine, "issues", "2023")
    resolved = [*first[:6], "已办结", dt.datetime(2024, 1, 20)]
    assert import_file(engine, issues(resolved), "q2.xlsx").status == "accepted"
    moved = [first[0], dt.datetime(2023, 11, 5), *resolved[2:]]  # the receipt itself changes
    report = import_file(engine, issues(moved), "q3.xlsx")
    assert report.status == "rejected" and "2023" in report.message
    with engine.connect() as conn:
        current = conn.execute(
            select(EnterpriseIssue.status, EnterpriseIssue.received_date).where(
                EnterpriseIssue.is_current
            )
        ).one()
    assert current == ("resolved", dt.date(2023, 12, 5))
    # Rolling the January resolution back touches January only: allowed.
    with engine.connect() as conn:
        resolution = conn.execute(
            select(EnterpriseIssue.submission_id).where(EnterpriseIssue.is_current)
        ).scalar_one()
    guarded_rollback(engine, ADMIN, resolution)
    with engine.connect() as conn:
        status = conn.execute(
            select(EnterpriseIssue.status).where(EnterpriseIssue.is_current)
        ).scalar_one()
    assert status == "received"


def test_period_commands_act_as_the_user_and_list_closes(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert main(["period", "close", "indicator-values", "2023", "--db", url]) == 0
    with pytest.raises(SystemExit) as no_reason:  # argparse: --reason is required
        main(["period", "reopen", "indicator-values", "2023", "--db", url])
    assert no_reason.value.code == 2
    blank = ["period", "reopen", "indicator-values", "2023", "--reason", " ", "--db", url]
    assert main(blank) == 2
    capsys.readouterr()
    assert (
        main(["period", "reopen", "indicator-values", "2023", "--reason", "更正", "--db", url]) == 0
    )
    assert main(["period", "list", "--json", "--db", url]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [(r["kind"], r["period"], r["state"], r["reopen_reason"]) for r in listed] == [
        ("indicator_values", "2023", "reopened", "更正")
    ]
    assert main(["period", "close", "tasks", "2023", "--user", "nobody", "--db", url]) == 2
    assert "nobody" in capsys.readouterr().err
    assert main(["restatement", "--period", "2023", "--json", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out) == {"period": "2023", "restatement": None}
    with engine.connect() as conn:
        closes = conn.execute(
            select(func.count())
            .select_from(audit.AuditEvent)
            .where(audit.AuditEvent.action.in_(["period_close", "period_reopen"]))
        ).scalar_one()
    assert closes == 2
