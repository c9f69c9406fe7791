"""Roles (SPEC §1) enforced in the services: the permission matrix, scoped imports,
rollback, masked enterprise names and the catalogue of these messages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_model.accounts import permissions, users
from data_model.accounts.permissions import (
    PermissionDenied,
    Principal,
    allowed,
    guarded_export,
    guarded_import,
    guarded_rollback,
    import_scope,
    mask_enterprise_names,
    require,
    template_kinds,
    upload_districts,
)
from data_model.errors import InputError
from data_model.i18n import LANGUAGES, catalogue
from data_model.ingest.importer import ImportOptions, SubmitterScope, import_file
from data_model.outputs.export import export_frame
from data_model.store import audit
from data_model.store.kind_registry import KINDS
from data_model.store.models import Activity, AuditEvent, Submission, User
from data_model.workflow import review
from tests.conftest import ACTIVITY_HEADER, VALUE_HEADER, activity_row, indicator_rows, make_xlsx

# SPEC §1 written out independently of permissions.RULES: who may do what.
EXPECTED = {
    "view_dashboards": {"admin", "leader", "staff", "reviewer"},
    "upload": {"admin", "staff"},
    "view_submissions": {"admin", "leader", "staff", "reviewer"},
    "rollback": {"admin"},
    "manage_users": {"admin"},
    "manage_master_data": {"admin"},
    "manage_schedule": {"admin"},
    "close_periods": {"admin"},
    "view_audit": {"admin"},
    "view_enterprise_names": {"admin", "leader", "reviewer"},
    "export": {"admin", "leader", "staff", "reviewer"},
    "publish_bulletin": {"admin"},  # SPEC §1: admins export bulletins
    "attach_evidence": {"admin", "staff"},
    "view_evidence": {"admin", "leader", "staff", "reviewer"},
    "supervise": {"admin"},  # SPEC §9: the 督办 office's work
    # SPEC §9: 审核员 or admin review, within their scope; only admins say what needs it.
    "review": {"admin", "reviewer"},
    "manage_review_rules": {"admin"},
}
ROLES = ("admin", "leader", "staff", "reviewer")
# One user of each role, shared by the tests of other packages that act as a user.
ADMIN = Principal("chen", "admin")
LEADER = Principal("zhao", "leader")
PRINCIPALS = {
    "admin": ADMIN,
    "leader": LEADER,
    "staff": Principal("wang", "staff", ("南山区",)),
    "reviewer": Principal("li", "reviewer", ("南山区",)),
}
ISSUE_HEADER = ["诉求编号", "受理日期", "区", "企业名称", "诉求类别", "诉求内容", "办理状态"]
PASSWORD = "correct horse battery"


pytestmark = pytest.mark.usefixtures("cheap_hashing")  # many passwords are hashed


def activity(district: str, name: str, day: int = 15) -> list:
    return activity_row(date=dt.datetime(2023, 3, day), district=district, name=name)


def activities_xlsx(*rows: list) -> bytes:
    return make_xlsx({"活动台账": [ACTIVITY_HEADER, *rows]})


def issue(code: str, district: str, enterprise: str) -> list:
    return [code, dt.datetime(2023, 3, 1), district, enterprise, "融资贷款", "贷款受阻", "已受理"]


def audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


@pytest.fixture
def world(engine):
    """Three accounts, one submission of 南山区 activities by admin, one issue."""
    with engine.begin() as conn:
        for role, principal in PRINCIPALS.items():
            users.create_user(
                conn,
                principal.username,
                role,
                PASSWORD,
                by="setup",
                districts=principal.districts,
            )
    data = make_xlsx(
        {
            "活动台账": [ACTIVITY_HEADER, activity("南山区", "宣讲会")],
            "企业诉求": [ISSUE_HEADER, issue("SQ1", "南山区", "深圳市某某科技有限公司")],
        }
    )
    report = import_file(engine, data, "seed.xlsx", ImportOptions(uploader="chen"))
    assert report.status == "accepted"
    return engine, report.submission_id


# --- the matrix --------------------------------------------------------------------------


def test_every_action_of_the_spec_has_a_rule_and_nothing_else():
    assert set(permissions.ACTIONS) == set(EXPECTED)
    assert set(permissions.ROLES) == set(ROLES)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, action):
    principal = PRINCIPALS[role]
    if role in EXPECTED[action]:
        assert allowed(principal, action)
        require(principal, action)
    else:
        assert not allowed(principal, action)
        with pytest.raises(PermissionDenied) as denied:
            require(principal, action)
        assert (denied.value.role, denied.value.action) == (role, action)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_nobody_signed_in_may_do_anything(action):
    assert not allowed(None, action)
    with pytest.raises(PermissionDenied) as denied:
        require(None, action)
    assert denied.value.message().startswith("请先登录")


def test_unknown_action_or_role_is_a_bug_not_a_denial():
    with pytest.raises(ValueError):
        allowed(PRINCIPALS["admin"], "delete_everything")
    with pytest.raises(ValueError):
        Principal("x", "viewer")


def _service_calls(engine, submission_id: int):
    """service name → (action it needs, call as a principal)."""
    own = activities_xlsx(activity("南山区", "座谈会", 20))

    def in_transaction(function):
        def call(principal):
            with engine.begin() as conn:
                return function(conn, principal)

        return call

    return {
        "guarded_import": ("upload", lambda p: guarded_import(engine, p, own, "own.xlsx")),
        "import_scope": ("upload", import_scope),
        "guarded_rollback": ("rollback", lambda p: guarded_rollback(engine, p, submission_id)),
        "guarded_export": (
            "export",
            in_transaction(lambda c, p: guarded_export(c, p, "activities")),
        ),
        "own_submissions_only": ("view_submissions", permissions.own_submissions_only),
        "audit_log": ("view_audit", in_transaction(permissions.audit_log)),
        "users_table": ("manage_users", in_transaction(users.users_table)),
        "add_user": (
            "manage_users",
            in_transaction(lambda c, p: users.add_user(c, p, "new_leader", "leader", PASSWORD)),
        ),
        "edit_user": (
            "manage_users",
            in_transaction(lambda c, p: users.edit_user(c, p, "wang", display_name="王")),
        ),
        "set_active": (
            "manage_users",
            in_transaction(lambda c, p: users.set_active(c, p, "zhao", False)),
        ),
        "reset_password": (
            "manage_users",
            in_transaction(lambda c, p: users.reset_password(c, p, "zhao", "a new password!")),
        ),
        "review_queue": ("review", in_transaction(review.review_queue)),
        "set_review_rule": (
            "manage_review_rules",
            in_transaction(lambda c, p: review.set_review_rule(c, p, "activities", True)),
        ),
        "mask_enterprise_names": (
            "view_enterprise_names",
            lambda p: mask_enterprise_names(pd.DataFrame({"enterprise_name": ["甲公司"]}), p),
        ),
    }


SERVICES = (
    "guarded_import",
    "import_scope",
    "guarded_rollback",
    "guarded_export",
    "own_submissions_only",
    "audit_log",
    "users_table",
    "add_user",
    "edit_user",
    "set_active",
    "reset_password",
    "review_queue",
    "set_review_rule",
)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("role", ROLES)
def test_service_matrix_every_role_and_guarded_service(world, role, service):
    engine, submission_id = world
    action, call = _service_calls(engine, submission_id)[service]
    principal = PRINCIPALS[role]
    before = audit_count(engine)
    if role in EXPECTED[action]:
        call(principal)
    else:
        with pytest.raises(PermissionDenied):
            call(principal)
        assert audit_count(engine) == before  # refused before anything was done


def test_service_table_covers_every_service_named_in_the_matrix(world):
    engine, submission_id = world
    assert set(_service_calls(engine, submission_id)) == {*SERVICES, "mask_enterprise_names"}


def test_denial_message_names_role_and_action_from_the_catalogue():
    with pytest.raises(PermissionDenied) as denied:
        require(PRINCIPALS["staff"], "rollback")
    assert denied.value.message() == "报送员无权撤回报送批次。如需此权限，请联系管理员。"
    assert "staff" in denied.value.message("en") and "roll back" in denied.value.message("en")


# --- scoped imports ------------------------------------------------------------------------


def test_staff_import_with_a_row_of_another_district_is_rejected_naming_the_row(world):
    engine, _ = world
    staff = PRINCIPALS["staff"]
    mixed = activities_xlsx(activity("南山区", "座谈会", 20), activity("福田区", "沙龙", 21))
    report = guarded_import(engine, staff, mixed, "mixed.xlsx")
    assert report.status == "rejected"
    assert [(e.sheet, e.row) for e in report.errors] == [("活动台账", 3)]
    assert "福田区" in report.errors[0].message and "南山区" in report.errors[0].message
    own = activities_xlsx(activity("南山区", "座谈会", 20))
    accepted = guarded_import(engine, staff, own, "own.xlsx")
    assert accepted.status == "accepted"
    with engine.connect() as conn:
        uploader = conn.execute(
            select(Submission.uploader).where(Submission.id == accepted.submission_id)
        ).scalar_one()
        names = set(conn.execute(select(Activity.name).where(Activity.is_current)).scalars())
        log = audit.events(conn, username="wang")
    assert uploader == "wang"
    assert names == {"宣讲会", "座谈会"}
    assert log["action"].tolist() == ["commit", "upload"]
    assert log["detail"][0]["submission_id"] == accepted.submission_id
    assert log["detail"][1]["status"] == "rejected"


def test_staff_cannot_widen_the_scope_or_upload_as_someone_else(world):
    engine, _ = world
    sneaky = ImportOptions(uploader="chen", scope=None)
    other = activities_xlsx(activity("福田区", "沙龙", 21))
    report = guarded_import(engine, PRINCIPALS["staff"], other, "other.xlsx", sneaky)
    assert report.status == "rejected"
    own = activities_xlsx(activity("南山区", "座谈会", 20))
    accepted = guarded_import(engine, PRINCIPALS["staff"], own, "own.xlsx", sneaky)
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(Submission.uploader).where(Submission.id == accepted.submission_id)
            ).scalar_one()
            == "wang"
        )


def test_staff_may_not_change_indicator_definitions_but_admin_may(world):
    engine, _ = world
    indicators = make_xlsx({"指标体系": indicator_rows()})
    refused = guarded_import(engine, PRINCIPALS["staff"], indicators, "i.xlsx")
    assert refused.status == "rejected"
    assert "管理员" in refused.errors[0].message
    assert guarded_import(engine, PRINCIPALS["admin"], indicators, "i.xlsx").status == "accepted"


def test_staff_are_told_to_ask_an_admin_for_an_unknown_indicator_code(world):
    engine, _ = world
    values = make_xlsx({"指标数据": [VALUE_HEADER, ["YS99", "", "南山区", "2022-03", 1, ""]]})
    staff = guarded_import(engine, PRINCIPALS["staff"], values, "v.xlsx")
    admin = guarded_import(engine, PRINCIPALS["admin"], values, "v.xlsx")
    assert [(e.row, e.column) for e in staff.errors] == [(2, "指标编码")]
    assert "联系管理员在指标体系中添加" in staff.errors[0].message
    assert "上传" not in staff.errors[0].message
    assert "先上传包含该指标的指标体系" in admin.errors[0].message


def test_templates_offer_the_indicator_system_only_to_who_may_upload_it():
    assert template_kinds(PRINCIPALS["admin"]) == list(KINDS)
    assert template_kinds(PRINCIPALS["staff"]) == [k for k in KINDS if k != "indicators"]
    with pytest.raises(PermissionDenied):
        template_kinds(PRINCIPALS["leader"])


def test_admin_imports_any_district(world):
    engine, _ = world
    data = activities_xlsx(activity("福田区", "沙龙", 21), activity("罗湖区", "论坛", 22))
    assert guarded_import(engine, PRINCIPALS["admin"], data, "any.xlsx").status == "accepted"


def test_import_scope_per_role():
    staff = Principal("wang", "staff", ("南山区",), ("南山区工商联",))
    assert import_scope(staff) == SubmitterScope(
        districts=frozenset({"南山区"}), units=frozenset({"南山区工商联"})
    )
    assert import_scope(PRINCIPALS["admin"]) is None
    with pytest.raises(PermissionDenied):
        import_scope(PRINCIPALS["leader"])


def test_leader_cannot_upload_and_nothing_is_written(world):
    engine, _ = world
    data = activities_xlsx(activity("南山区", "座谈会", 20))
    with pytest.raises(PermissionDenied) as denied:
        guarded_import(engine, PRINCIPALS["leader"], data, "leader.xlsx")
    assert denied.value.message() == "领导无权上传数据。如需此权限，请联系管理员。"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 1


def test_a_dry_run_is_audited_as_upload_and_writes_nothing(world):
    engine, _ = world
    data = activities_xlsx(activity("南山区", "座谈会", 20))
    report = guarded_import(
        engine, PRINCIPALS["staff"], data, "x.xlsx", ImportOptions(dry_run=True)
    )
    assert report.status == "accepted"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 1
        log = audit.events(conn, username="wang")
    assert log["action"].tolist() == ["upload"]
    assert log["detail"][0]["dry_run"] is True


def test_an_import_and_its_audit_event_are_committed_together(db_engine, monkeypatch):
    """The `commit` event is written in the import's own transaction: when it cannot be
    written, the rows are not stored either. (Committed one after the other, a process
    killed between the two commits left rows without the event saying who stored them.)"""

    def unavailable(*args, **kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(audit, "record", unavailable)
    data = activities_xlsx(activity("南山区", "座谈会", 20))
    with pytest.raises(RuntimeError):
        guarded_import(db_engine, PRINCIPALS["admin"], data, "x.xlsx")
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Submission)).scalar_one() == 0


# --- rollback ------------------------------------------------------------------------------


def test_only_admin_can_roll_back_and_it_is_audited(world):
    engine, submission_id = world
    for role in ("staff", "leader"):
        with pytest.raises(PermissionDenied):
            guarded_rollback(engine, PRINCIPALS[role], submission_id)
    summary = guarded_rollback(engine, PRINCIPALS["admin"], submission_id)
    assert summary == {"activity": 1, "enterprise_issue": 1}
    with engine.connect() as conn:
        status, by = conn.execute(
            select(Submission.status, Submission.rolled_back_by).where(
                Submission.id == submission_id
            )
        ).one()
        log = audit.events(conn, action="rollback")
        live = conn.execute(select(func.count()).select_from(Activity).where(Activity.is_current))
        assert live.scalar_one() == 0
    assert (status, by) == ("rolled_back", "chen")
    assert log["username"].tolist() == ["chen"]
    assert log["detail"][0] == {"submission_id": submission_id, "rows": summary}


def test_rollback_of_a_missing_or_rolled_back_submission_says_so(world):
    engine, submission_id = world
    with pytest.raises(InputError) as missing:
        guarded_rollback(engine, PRINCIPALS["admin"], 999)
    assert missing.value.message() == "报送批次 999 不存在。"
    guarded_rollback(engine, PRINCIPALS["admin"], submission_id)
    with pytest.raises(InputError) as twice:
        guarded_rollback(engine, PRINCIPALS["admin"], submission_id)
    assert twice.value.key == "permissions.already_rolled_back"
    with engine.connect() as conn:
        assert len(audit.events(conn, action="rollback")) == 1


# --- enterprise names and exports -----------------------------------------------------------


def test_enterprise_names_are_masked_for_staff_only(world):
    engine, _ = world
    with engine.begin() as conn:
        frames = {role: guarded_export(conn, p, "issues") for role, p in PRINCIPALS.items()}
    assert frames["admin"]["企业名称"].tolist() == ["深圳市某某科技有限公司"]
    assert frames["leader"]["企业名称"].tolist() == ["深圳市某某科技有限公司"]
    assert frames["staff"]["企业名称"].tolist() == ["（已隐藏）"]
    assert "深圳市某某科技有限公司" not in frames["staff"].to_csv()
    assert frames["staff"]["诉求编号"].tolist() == ["SQ1"]  # counts stay possible


def test_masking_keeps_blanks_and_leaves_the_input_alone():
    frame = pd.DataFrame({"enterprise_name": ["甲公司", "", None, "乙公司"], "n": [1, 2, 3, 4]})
    masked = mask_enterprise_names(frame, PRINCIPALS["staff"])
    names = masked["enterprise_name"].tolist()
    assert names[:2] == ["（已隐藏）", ""] and pd.isna(names[2]) and names[3] == "（已隐藏）"
    assert frame["enterprise_name"].tolist()[:2] == ["甲公司", ""]
    assert masked["n"].tolist() == [1, 2, 3, 4]
    assert mask_enterprise_names(frame, PRINCIPALS["leader"]) is frame
    untouched = pd.DataFrame({"name": ["甲公司"]})
    assert mask_enterprise_names(untouched, PRINCIPALS["staff"]) is untouched


def test_staff_export_of_submissions_holds_only_their_own(world):
    engine, _ = world
    guarded_import(engine, PRINCIPALS["staff"], activities_xlsx(activity("南山区", "会", 3)), "w")
    with engine.begin() as conn:
        mine = guarded_export(conn, PRINCIPALS["staff"], "submissions")
        everything = guarded_export(conn, PRINCIPALS["leader"], "submissions")
        exports = audit.events(conn, action="export")
    assert mine["上传人"].tolist() == ["wang"]
    assert sorted(everything["上传人"]) == ["chen", "wang"]
    assert len(export_frame(engine.connect(), "submissions")) == 2
    assert exports[["username"]].values.ravel().tolist() == ["zhao", "wang"]
    assert exports["detail"][1] == {"what": "submissions", "rows": 1}


# --- account changes need an administrator ---------------------------------------------------


def test_users_change_their_own_password_only_with_the_current_one(world):
    engine, _ = world
    staff = PRINCIPALS["staff"]
    with engine.begin() as conn:
        with pytest.raises(InputError) as wrong:
            users.change_own_password(conn, staff, "not it at all", "a brand new password")
        assert wrong.value.key == "users.wrong_current_password"
        users.change_own_password(conn, staff, PASSWORD, "a brand new password")
        assert users.authenticate(conn, "wang", "a brand new password").ok
        role = conn.execute(select(User.role).where(User.username == "wang")).scalar_one()
    assert role == "staff"


# --- catalogue -------------------------------------------------------------------------------

SOURCES = [Path(m.__file__) for m in (users, permissions, audit)]
NAMESPACES = ("users", "permissions", "audit")


def test_every_message_key_the_code_uses_exists():
    cli = Path(permissions.__file__).parent.parent / "cli.py"
    used: set[str] = set()
    for path in [*SOURCES, cli]:
        used |= set(
            re.findall(r"[\"']((?:users|permissions|audit)\.[a-z_]+)[\"']", path.read_text())
        )
    used |= {f"users.role_{r}" for r in ROLES}
    used |= {f"permissions.action_{a}" for a in EXPECTED}
    used |= {f"audit.action_{a}" for a in audit.ACTIONS}
    used |= {f"users.auth_{r}" for r in users.AUTH_REASONS}
    used |= {f"users.column_{c}" for c in ("username", "name", "role", "binding", "active")}
    assert "users.bad_username" in used and "permissions.denied" in used
    for language in LANGUAGES:
        missing = used - catalogue(language).keys()
        assert not missing, f"{language}: {sorted(missing)}"


DISTRICTS = ["全市", "福田区", "南山区", "宝安区"]


@pytest.mark.parametrize(
    ("principal", "offered"),
    [
        (Principal("a", "admin"), DISTRICTS),
        (Principal("s", "staff", districts=("宝安区", "南山区")), ["南山区", "宝安区"]),
        (Principal("s", "staff", districts=("南山区",), units=("市商务局",)), DISTRICTS),
        (Principal("s", "staff", units=("市商务局",)), DISTRICTS),
        (Principal("s", "staff"), []),
    ],
)
def test_an_upload_may_name_only_the_districts_its_rows_may_be_of(principal, offered):
    """A staff member bound to districts only may send rows of those alone; bound to a
    unit, a task of that unit of any district."""
    assert upload_districts(principal, DISTRICTS) == offered


def test_a_leader_is_offered_no_upload_districts_but_refused():
    with pytest.raises(PermissionDenied):
        upload_districts(Principal("l", "leader"), DISTRICTS)
