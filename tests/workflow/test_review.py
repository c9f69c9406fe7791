"""Review before it counts (SPEC §9), through the services on both engines: rules decide
what waits, held rows are current nowhere, a return keeps nothing and tells the submitter
why, a resubmission links to the return, approval supersedes as an import does, and a
reviewer acts only within their districts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from data_model.accounts.permissions import (
    OutOfScope,
    PermissionDenied,
    Principal,
    guarded_import,
    guarded_rollback,
)
from data_model.cli import main
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions, import_file
from data_model.queries.shared import data_version, has_data
from data_model.store import audit
from data_model.store.models import Activity, PendingRow, Submission
from data_model.workflow.review import (
    RowNote,
    approve,
    held_submission,
    may_see_held_rows,
    preview_changes,
    return_submission,
    returned_to,
    review_notes,
    review_queue,
    review_rules,
    set_review_rule,
)
from tests.accounts.test_permissions import ADMIN, LEADER
from tests.conftest import ACTIVITY_HEADER, activity_row, make_xlsx

NANSHAN_STAFF = Principal("wang", "staff", ("南山区",))
FUTIAN_STAFF = Principal("liu", "staff", ("福田区",))
NANSHAN_REVIEWER = Principal("li", "reviewer", ("南山区",))
FUTIAN_REVIEWER = Principal("sun", "reviewer", ("福田区",))


def activity(district: str, name: str, companies: int) -> list:
    return activity_row(district=district, name=name, companies=companies)


def activities_xlsx(*rows: list) -> bytes:
    return make_xlsx({"活动台账": [ACTIVITY_HEADER, *rows]})


def current_companies(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                select(Activity.name, Activity.enterprise_count).where(Activity.is_current)
            ).all()
        )


def status_of(engine, submission_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            select(Submission.status).where(Submission.id == submission_id)
        ).scalar_one()


def require_review(engine, kind: str = "activities", **where) -> None:
    with engine.begin() as conn:
        assert set_review_rule(conn, ADMIN, kind, True, **where)


@pytest.fixture
def engine(db_engine):
    """Both engines: an admin's 南山区 activity (30 companies) stored before review is set."""
    report = import_file(
        db_engine, activities_xlsx(activity("南山区", "宣讲会", 30)), "seed.xlsx", ImportOptions()
    )
    assert report.status == "accepted"
    return db_engine


def test_without_a_rule_a_staff_commit_counts_at_once(engine):
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    assert (report.status, report.needs_review) == ("accepted", False)
    assert current_companies(engine) == {"宣讲会": 31}


def test_a_staff_commit_under_a_rule_is_pending_and_current_nowhere(engine):
    require_review(engine)
    versions = _versions(engine)
    data = activities_xlsx(activity("南山区", "宣讲会", 31), activity("南山区", "座谈会", 5))
    dry = guarded_import(engine, NANSHAN_STAFF, data, "a.xlsx", ImportOptions(dry_run=True))
    assert (dry.status, dry.needs_review, dry.rows_replaced) == ("accepted", True, 1)
    report = guarded_import(engine, NANSHAN_STAFF, data, "a.xlsx")
    assert report.status == "pending" and report.submission_id is not None
    assert report.to_dict()["status"] == "pending"
    assert current_companies(engine) == {"宣讲会": 30}
    assert status_of(engine, report.submission_id) == "pending"
    with engine.connect() as conn:
        held = conn.execute(
            select(func.count()).where(PendingRow.submission_id == report.submission_id)
        ).scalar_one()
    assert held == 2
    after = _versions(engine)
    changed = {name for name, version in after.items() if version != versions[name]}
    assert changed == {"activities", "review"}
    # The same bytes again are not held twice.
    again = guarded_import(engine, NANSHAN_STAFF, data, "a.xlsx")
    assert again.status == "unchanged" and again.submission_id == report.submission_id
    # An admin's upload is never held, rule or not.
    admin = import_file(
        engine,
        activities_xlsx(activity("南山区", "讲座", 1)),
        "b.xlsx",
        ImportOptions(uploader="chen"),
    )
    assert admin.status == "accepted"


def test_only_pending_data_is_no_data_for_the_dashboards(db_engine):
    require_review(db_engine)
    guarded_import(
        db_engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    with db_engine.connect() as conn:
        assert not has_data(conn)


def test_a_rule_for_one_district_holds_only_that_districts_rows(engine):
    require_review(engine, district="福田")
    with engine.connect() as conn:
        rules = review_rules(conn)
    assert rules[["kind", "district", "unit"]].values.tolist() == [["activities", "福田区", ""]]
    nanshan = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "n.xlsx"
    )
    futian = guarded_import(
        engine, FUTIAN_STAFF, activities_xlsx(activity("福田区", "宣讲会", 9)), "f.xlsx"
    )
    assert (nanshan.status, futian.status) == ("accepted", "pending")
    with engine.begin() as conn:
        assert set_review_rule(conn, ADMIN, "activities", False)
        assert review_rules(conn).empty
        assert not set_review_rule(conn, ADMIN, "activities", False)


def test_the_whole_loop_return_reasons_resubmit_approve(engine):
    require_review(engine)
    first = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 310)), "a.xlsx"
    )
    with engine.connect() as conn:
        assert review_queue(conn, NANSHAN_REVIEWER)["id"].tolist() == [first.submission_id]
        row_id = held_submission(conn, first.submission_id).rows[0]["id"]
    return_submission(
        engine,
        NANSHAN_REVIEWER,
        first.submission_id,
        "参与企业数明显有误",
        [RowNote(row_id, "310 家应为 31 家", "enterprise_count")],
    )
    assert status_of(engine, first.submission_id) == "returned"
    assert current_companies(engine) == {"宣讲会": 30}
    with engine.connect() as conn:
        notes = returned_to(conn, "wang")
        assert review_queue(conn, NANSHAN_REVIEWER).empty
    notes = notes.astype(object).where(notes.notna(), None)
    assert notes[["sheet", "row", "column", "reason", "by"]].values.tolist() == [
        [None, None, "", "参与企业数明显有误", "li"],
        ["活动台账", 2, "enterprise_count", "310 家应为 31 家", "li"],
    ]
    with pytest.raises(InputError) as refused:
        guarded_rollback(engine, ADMIN, first.submission_id)
    assert refused.value.key == "permissions.held_by_review"

    second = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a2.xlsx"
    )
    assert second.status == "pending" and second.resubmission_of == first.submission_id
    with engine.connect() as conn:
        assert returned_to(conn, "wang").empty  # resubmitted: nothing left to fix
        assert held_submission(conn, second.submission_id).resubmission_of == first.submission_id
    preview = preview_changes(engine, NANSHAN_REVIEWER, second.submission_id)
    assert (preview.new, preview.replaced) == (0, 1)
    assert preview.replaced_examples[0]["changes"] == {"enterprise_count": [30, 31]}
    assert current_companies(engine) == {"宣讲会": 30}  # the preview wrote nothing

    counts = approve(engine, NANSHAN_REVIEWER, second.submission_id)
    assert (counts.new, counts.replaced, counts.unchanged) == (0, 1, 0)
    assert current_companies(engine) == {"宣讲会": 31}
    assert status_of(engine, second.submission_id) == "accepted"
    assert status_of(engine, 1) == "superseded"  # the admin's row it replaced
    with engine.connect() as conn:
        assert review_notes(conn, first.submission_id)["reason"].tolist() == [
            "参与企业数明显有误",
            "310 家应为 31 家",
        ]
        reviewed = conn.execute(
            select(Submission.reviewed_by).where(Submission.id == second.submission_id)
        ).scalar_one()
        events = audit.events(conn, action="review")
    assert reviewed == "li"
    assert sorted(e["decision"] for e in events["detail"]) == ["approve", "return"]
    with pytest.raises(InputError) as again:
        approve(engine, NANSHAN_REVIEWER, second.submission_id)
    assert again.value.key == "review.not_pending"
    # Approved rows roll back like any others.
    guarded_rollback(engine, ADMIN, second.submission_id)
    assert current_companies(engine) == {"宣讲会": 30}


def test_a_reviewer_of_nanshan_cannot_approve_futian(engine):
    require_review(engine)
    futian = guarded_import(
        engine, FUTIAN_STAFF, activities_xlsx(activity("福田区", "宣讲会", 9)), "f.xlsx"
    )
    with engine.connect() as conn:
        assert review_queue(conn, NANSHAN_REVIEWER).empty
        assert review_queue(conn, FUTIAN_REVIEWER)["id"].tolist() == [futian.submission_id]
        assert review_queue(conn, ADMIN)["id"].tolist() == [futian.submission_id]
    for act in (
        lambda: approve(engine, NANSHAN_REVIEWER, futian.submission_id),
        lambda: return_submission(engine, NANSHAN_REVIEWER, futian.submission_id, "不对"),
        lambda: preview_changes(engine, NANSHAN_REVIEWER, futian.submission_id),
    ):
        with pytest.raises(OutOfScope) as refused:
            act()
        assert "福田区" in refused.value.message() and "南山区" in refused.value.message()
    assert status_of(engine, futian.submission_id) == "pending"
    for nobody in (NANSHAN_STAFF, LEADER):
        with pytest.raises(PermissionDenied):
            approve(engine, nobody, futian.submission_id)
    approve(engine, FUTIAN_REVIEWER, futian.submission_id)
    with engine.connect() as conn:
        companies = conn.execute(
            select(Activity.enterprise_count)
            .where(Activity.is_current)
            .order_by(Activity.enterprise_count)
        ).scalars()
        assert list(companies) == [9, 30]  # 福田区's row is another key than 南山区's


def test_a_return_needs_a_reason_and_a_row_of_the_submission(engine):
    require_review(engine)
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    for reason, notes, key in (
        ("  ", [], "review.reason_required"),
        ("不对", [RowNote(999_999, "x")], "review.no_such_row"),
        (
            "不对",
            [RowNote(_first_row(engine, report.submission_id), "x", "nope")],
            "review.no_such_column",
        ),
    ):
        with pytest.raises(InputError) as refused:
            return_submission(engine, NANSHAN_REVIEWER, report.submission_id, reason, notes)
        assert refused.value.key == key
    assert status_of(engine, report.submission_id) == "pending"


def test_held_rows_are_the_submitters_and_reviewers_never_a_leaders(engine):
    require_review(engine)
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    with engine.connect() as conn:
        held = held_submission(conn, report.submission_id)
        seen = {
            p.username: may_see_held_rows(p, held, conn)
            for p in (NANSHAN_STAFF, FUTIAN_STAFF, NANSHAN_REVIEWER, FUTIAN_REVIEWER, ADMIN, LEADER)
        }
    assert seen == {
        "wang": True,
        "liu": False,
        "li": True,
        "sun": False,
        "chen": True,
        "zhao": False,
    }


def test_every_state_change_counts_the_data_version_up(engine):
    before = _versions(engine)
    require_review(engine)
    after_rule = _versions(engine)
    assert after_rule != before
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    after_submit = _versions(engine)
    return_submission(engine, NANSHAN_REVIEWER, report.submission_id, "不对")
    after_return = _versions(engine)
    assert after_rule["review"] > before["review"]
    assert after_submit["review"] > after_rule["review"]
    assert after_submit["activities"] > after_rule["activities"]
    assert after_return["review"] > after_submit["review"]
    assert after_return["activities"] > after_submit["activities"]


def test_the_command_line_mirrors_the_review(empty_db, tmp_path, capsys, cheap_hashing):
    from data_model.accounts import users

    engine = empty_db.open()
    with engine.begin() as conn:
        for name, role, districts in (
            ("wang", "staff", ["南山区"]),
            ("li", "reviewer", ["南山区"]),
            ("sun", "reviewer", ["福田区"]),
        ):
            users.create_user(conn, name, role, "a-long-test-password", by="t", districts=districts)
    engine.dispose()
    db = empty_db.url
    path = tmp_path / "a.xlsx"
    path.write_bytes(activities_xlsx(activity("南山区", "宣讲会", 31)))
    assert main(["review", "require", "activities", "--user", "li", "--db", db]) == 2
    assert "设置审核" in capsys.readouterr().err
    assert main(["review", "require", "activities", "--db", db]) == 0
    capsys.readouterr()
    assert main(["import", str(path), "--user", "wang", "--json", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "pending"
    submission = report["submission_id"]
    assert main(["review", "list", "--json", "--user", "sun", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["pending"] == []
    assert main(["review", "list", "--json", "--user", "li", "--db", db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in listed["pending"]] == [submission]
    assert listed["rules"][0]["kind"] == "activities"
    assert main(["review", "approve", str(submission), "--user", "sun", "--db", db]) == 2
    assert "福田区" in capsys.readouterr().err
    assert (
        main(
            [
                "review",
                "return",
                str(submission),
                "--reason",
                "日期不对",
                "--user",
                "li",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert f"#{submission}" in capsys.readouterr().out
    path.write_bytes(activities_xlsx(activity("南山区", "宣讲会", 32)))
    assert main(["import", str(path), "--user", "wang", "--json", "--db", db]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["resubmission_of"] == submission
    assert main(["review", "approve", str(again["submission_id"]), "--user", "li", "--db", db]) == 0
    assert "新增 1 行" in capsys.readouterr().out
    assert main(["review", "off", "activities", "--db", db]) == 0
    engine = empty_db.open()
    assert current_companies(engine) == {"宣讲会": 32}
    with engine.connect() as conn:
        assert review_rules(conn).empty
    engine.dispose()


def _first_row(engine, submission_id: int) -> int:
    with engine.connect() as conn:
        return held_submission(conn, submission_id).rows[0]["id"]


def _versions(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(data_version(conn))


def test_held_rows_follow_a_master_data_merge_and_keep_their_entries(engine):
    from data_model.admin import master_admin
    from data_model.store.models import Brand

    require_review(engine)
    with engine.begin() as conn:
        master_admin.add_entry(conn, ADMIN, "brands", name="民企服务月")
    row = activity_row(district="南山区", name="服务月宣讲", brand="民企服务月", companies=5)
    report = guarded_import(
        engine, NANSHAN_STAFF, make_xlsx({"活动台账": [ACTIVITY_HEADER, row]}), "a.xlsx"
    )
    assert report.status == "pending"
    with engine.begin() as conn:
        # Only the held row names it: deleting it would leave the approval nothing to name.
        with pytest.raises(InputError) as refused:
            master_admin.delete_entry(conn, ADMIN, "brands", "民企服务月")
        assert refused.value.key == "master.referenced"
    with engine.begin() as conn:
        master_admin.merge_entries(conn, ADMIN, "brands", "民企服务月", "民企话坛")
    approve(engine, NANSHAN_REVIEWER, report.submission_id)
    with engine.connect() as conn:
        brand = conn.execute(
            select(Brand.name)
            .join(Activity, Activity.brand_id == Brand.id)
            .where(Activity.is_current, Activity.name == "服务月宣讲")
        ).scalar_one()
    assert brand == "民企话坛"


def test_two_reviewers_deciding_at_once_one_wins_the_other_is_told(engine):
    from concurrent.futures import ThreadPoolExecutor

    require_review(engine)
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    second_reviewer = Principal("zhou", "reviewer", ("南山区",))

    def decide(principal: Principal, decision: str) -> str:
        try:
            if decision == "approve":
                approve(engine, principal, report.submission_id)
            else:
                return_submission(engine, principal, report.submission_id, "不对")
        except InputError as error:
            return error.key
        return decision

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(
            pool.map(decide, (NANSHAN_REVIEWER, second_reviewer), ("approve", "return"))
        )
    assert outcomes in (["approve", "review.not_pending"], ["return", "review.not_pending"])
    expected = {"approve": "accepted", "return": "returned"}[
        next(o for o in outcomes if o != "review.not_pending")
    ]
    assert status_of(engine, report.submission_id) == expected
    assert current_companies(engine) == {"宣讲会": 31 if expected == "accepted" else 30}


def test_a_closed_period_refuses_an_approval_until_it_is_reopened(engine):
    from data_model.admin.period_closing import close_period, reopen_period

    require_review(engine)
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    assert report.status == "pending"
    with engine.begin() as conn:
        close_period(conn, ADMIN, "activities", "2023-Q1")
    with pytest.raises(InputError) as refused:
        approve(engine, NANSHAN_REVIEWER, report.submission_id)
    assert "2023" in refused.value.message() and "chen" in refused.value.message()
    assert status_of(engine, report.submission_id) == "pending"
    assert current_companies(engine) == {"宣讲会": 30}
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "activities", "2023-Q1", "南山区3月数据更正")
    approve(engine, NANSHAN_REVIEWER, report.submission_id)
    assert current_companies(engine) == {"宣讲会": 31}


def test_a_preview_beside_an_import_in_progress_waits_and_shows_its_rows(engine):
    """A preview writes and rolls back as an approval would: it waits for an import of the
    same kind that is under way, then counts against the rows that import stored (without
    the kind's lock it read the rows before the import and collided with its new rows)."""
    from concurrent.futures import ThreadPoolExecutor

    from data_model.ingest.importer import import_file_in_transaction

    require_review(engine)
    held = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    assert held.status == "pending"
    same_as_held = activities_xlsx(activity("南山区", "宣讲会", 31), activity("南山区", "会", 1))
    # The connection closes first: a failure below rolls the import back and frees the wait.
    with ThreadPoolExecutor(1) as pool, engine.connect() as conn:
        importing = conn.begin()
        report = import_file_in_transaction(conn, same_as_held, "admin.xlsx", ImportOptions())
        assert report.status == "accepted"
        preview = pool.submit(preview_changes, engine, NANSHAN_REVIEWER, held.submission_id)
        with pytest.raises(TimeoutError):
            preview.result(timeout=1)  # waiting for the import's lock
        importing.commit()
        counts = preview.result(timeout=60)
    assert (counts.new, counts.replaced, counts.unchanged) == (0, 0, 1)
    assert current_companies(engine) == {"宣讲会": 31, "会": 1}


def test_a_dry_run_beside_an_import_in_progress_waits_and_shows_its_rows(engine):
    """The upload page's dry run, likewise: it reports what committing would do once the
    import under way has stored its rows."""
    from concurrent.futures import ThreadPoolExecutor

    from data_model.ingest.importer import import_file_in_transaction

    data = activities_xlsx(activity("南山区", "宣讲会", 32))
    # The connection closes first: a failure below rolls the import back and frees the wait.
    with ThreadPoolExecutor(1) as pool, engine.connect() as conn:
        importing = conn.begin()
        report = import_file_in_transaction(conn, data, "admin.xlsx", ImportOptions())
        assert report.status == "accepted"
        dry = pool.submit(import_file, engine, data, "again.xlsx", ImportOptions(dry_run=True))
        with pytest.raises(TimeoutError):
            dry.result(timeout=1)
        importing.commit()
        result = dry.result(timeout=60)
    assert (result.rows_new, result.rows_replaced, result.rows_unchanged) == (0, 0, 1)
    assert current_companies(engine) == {"宣讲会": 32}


def test_an_approval_never_takes_over_a_code_another_district_now_holds(engine):
    """F2: 南山's held task waits while 福田 stores the same code; approving (and its
    preview) is refused as 南山's direct commit is, naming the row and saying to return
    it, and 福田's row and submission stay current."""
    from sqlalchemy import text

    from data_model.workflow.review import ApprovalRefused
    from tests.task_workbook import TASK_HEADER

    def task(district: str, progress: int) -> bytes:
        row = ["HUNT-01", "领跑行动", f"{district}任务", "市发展改革委", "x"]
        row += [dt.datetime(2022, 1, 1), "2022-12-31", progress, "", district, "2022-Q4"]
        return make_xlsx({"任务清单": [TASK_HEADER, row]})

    require_review(engine, "tasks", district="南山区")
    held = guarded_import(engine, NANSHAN_STAFF, task("南山区", 5), "ns.xlsx")
    assert held.status == "pending"
    futian = guarded_import(engine, FUTIAN_STAFF, task("福田区", 90), "ft.xlsx")
    assert futian.status == "accepted"
    for act in (preview_changes, approve):
        with pytest.raises(ApprovalRefused) as refused:
            act(engine, NANSHAN_REVIEWER, held.submission_id)
        assert refused.value.key == "review.approval_key_taken"
        message = refused.value.message()
        assert "HUNT-01" in message and "第 2 行" in message and "退回" in message
        assert "福田" not in message  # whose it is stays unsaid, as on upload
    with pytest.raises(ApprovalRefused):
        approve(engine, ADMIN, held.submission_id)
    with engine.connect() as conn:
        current = conn.execute(
            text(
                "select d.name, t.content, t.submission_id from task t "
                "join district d on d.id = t.district_id "
                "where t.code = 'HUNT-01' and t.is_current"
            )
        ).all()
    assert [tuple(r) for r in current] == [("福田区", "福田区任务", futian.submission_id)]
    assert status_of(engine, futian.submission_id) == "accepted"
    assert status_of(engine, held.submission_id) == "pending"
    # The reviewer returns it instead; once 福田's row is gone, a resubmission approves.
    return_submission(engine, NANSHAN_REVIEWER, held.submission_id, "编号已被占用")
    assert status_of(engine, held.submission_id) == "returned"
    guarded_rollback(engine, ADMIN, futian.submission_id)
    again = guarded_import(engine, NANSHAN_STAFF, task("南山区", 6), "ns2.xlsx")
    assert again.status == "pending" and again.resubmission_of == held.submission_id
    assert approve(engine, NANSHAN_REVIEWER, again.submission_id).new == 1


def test_a_submission_records_the_scope_its_submitter_committed_with(engine):
    report = guarded_import(
        engine, NANSHAN_STAFF, activities_xlsx(activity("南山区", "宣讲会", 31)), "a.xlsx"
    )
    admin = import_file(
        engine, activities_xlsx(activity("南山区", "宣讲会", 32)), "b.xlsx", ImportOptions()
    )
    with engine.connect() as conn:
        scopes = dict(
            conn.execute(
                select(Submission.id, Submission.submitter_scope).where(
                    Submission.id.in_([report.submission_id, admin.submission_id])
                )
            ).all()
        )
    assert scopes == {
        report.submission_id: {
            "districts": ["南山区"],
            "units": [],
            "may_define_indicators": False,
        },
        admin.submission_id: None,
    }


def test_a_held_or_returned_batch_lists_its_rows_as_held_not_imported(engine):
    # A returned batch of 4 rows read 导入行数 4 (新增 0, 更新 0) in 报送管理.
    from data_model.store.submissions import submissions_frame

    require_review(engine)
    rows = [activity("南山区", f"宣讲会{n}", 10 + n) for n in range(4)]
    pending = guarded_import(engine, NANSHAN_STAFF, activities_xlsx(*rows[:3]), "p.xlsx")
    returned = guarded_import(engine, NANSHAN_STAFF, activities_xlsx(*rows), "r.xlsx")
    return_submission(engine, NANSHAN_REVIEWER, returned.submission_id, "请核对")
    with engine.connect() as conn:
        listed = submissions_frame(conn).set_index("id")
    columns = ["status", "rows_accepted", "rows_held", "rows_new", "rows_replaced"]
    assert listed.loc[pending.submission_id, columns].tolist() == ["pending", 0, 3, 0, 0]
    assert listed.loc[returned.submission_id, columns].tolist() == ["returned", 0, 4, 0, 0]
    imported = listed[listed["status"] == "accepted"].iloc[0]  # the admin's, before review
    assert (imported["rows_accepted"], imported["rows_held"]) == (1, 0)
