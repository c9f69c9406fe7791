"""Accounts: argon2 hashing, sign-in with lockout, disabled users, first admin, rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from data_model.accounts import users
from data_model.accounts.permissions import Principal
from data_model.errors import InputError
from data_model.store.audit import events
from data_model.store.models import User

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
# The RFC 9106 defaults cost ~0.15 s per hash; tests use a cheap argon2id instead.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(users, "HASHER", CHEAP)


def add(conn, username="wang", role="staff", password=PASSWORD, **kwargs):
    if role == "staff" and "districts" not in kwargs and "units" not in kwargs:
        kwargs["districts"] = ["南山区"]
    return users.create_user(conn, username, role, password, by="admin", now=NOW, **kwargs)


def stored_hash(conn, username: str) -> str:
    return conn.execute(select(User.password_hash).where(User.username == username)).scalar_one()


# --- hashing -------------------------------------------------------------------------


def test_password_is_stored_as_an_argon2id_hash_never_in_clear(engine):
    with engine.begin() as conn:
        add(conn)
        hashed = stored_hash(conn, "wang")
        audit_text = str(events(conn)["detail"].tolist())
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert PASSWORD not in audit_text
    assert CHEAP.verify(hashed, PASSWORD)


def test_same_password_gets_a_different_salted_hash_per_user(engine):
    with engine.begin() as conn:
        add(conn, "wang")
        add(conn, "li")
        assert stored_hash(conn, "wang") != stored_hash(conn, "li")


def test_outdated_hash_is_upgraded_at_the_next_successful_sign_in(engine, monkeypatch):
    with engine.begin() as conn:
        add(conn)
        old = stored_hash(conn, "wang")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(users, "HASHER", stronger)
    with engine.begin() as conn:
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok
        new = stored_hash(conn, "wang")
        assert events(conn, action="login")["detail"][0] == {"rehashed": True}
    assert new != old
    assert "m=2048,t=2,p=1" in new
    assert not stronger.check_needs_rehash(new)
    with engine.begin() as conn:
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok
        assert stored_hash(conn, "wang") == new  # already current: not hashed again


# --- authenticate ----------------------------------------------------------------------


def test_right_password_signs_in_and_returns_the_principal(engine):
    with engine.begin() as conn:
        add(conn, "Wang", districts=["南山"], units=["南山区工商联"])
        result = users.authenticate(conn, "  WANG ", PASSWORD, NOW)
        account = users.get_user(conn, "wang")
    assert result.ok
    assert result.principal == Principal("wang", "staff", ("南山区",), ("南山区工商联",))
    assert account.last_login_at == NOW
    assert account.failed_logins == 0


def test_wrong_password_and_unknown_user_give_the_same_answer(engine):
    with engine.begin() as conn:
        add(conn)
        wrong = users.authenticate(conn, "wang", "not the password", NOW)
        unknown = users.authenticate(conn, "nobody", "not the password", NOW)
        bad_name = users.authenticate(conn, "no body <script>", "x", NOW)
        failed = events(conn, action="login_failed")
    assert wrong == unknown == bad_name == users.AuthResult("bad_credentials")
    assert wrong.message() == unknown.message() == "用户名或密码不正确。"
    assert wrong.principal is None
    # The audit log (admins only) does tell them apart.
    assert sorted(d["reason"] for d in failed["detail"]) == [
        "bad_password",
        "unknown_user",
        "unknown_user",
    ]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(engine):
    with engine.begin() as conn:
        add(conn)
        results = [
            users.authenticate(conn, "wang", f"wrong {i}", NOW + timedelta(seconds=i))
            for i in range(5)
        ]
        assert [r.reason for r in results] == ["bad_credentials"] * 4 + ["locked"]
        until = NOW + timedelta(seconds=4, minutes=15)
        assert results[-1].locked_until == until
        locked = users.authenticate(conn, "wang", PASSWORD, NOW + timedelta(minutes=10))
        assert (locked.reason, locked.locked_until) == ("locked", until)
        assert "5 次" in locked.message() and "锁定至" in locked.message()
        assert "locked until" in locked.message("en")
        assert users.list_users(conn, NOW + timedelta(minutes=10))["locked"].tolist() == [True]


def test_lock_ends_after_the_configured_time(engine, monkeypatch):
    monkeypatch.setenv("LOCKOUT_MINUTES", "2")
    with engine.begin() as conn:
        add(conn)
        for _ in range(5):
            users.authenticate(conn, "wang", "wrong password", NOW)
        just_before = NOW + timedelta(minutes=2) - timedelta(seconds=1)
        assert users.authenticate(conn, "wang", PASSWORD, just_before).reason == "locked"
        assert users.authenticate(conn, "wang", PASSWORD, NOW + timedelta(minutes=2)).ok
        assert users.list_users(conn, NOW + timedelta(minutes=2))["locked"].tolist() == [False]


def test_success_resets_the_count_so_only_consecutive_failures_lock(engine):
    with engine.begin() as conn:
        add(conn)
        for _ in range(4):
            users.authenticate(conn, "wang", "wrong password", NOW)
        assert users.get_user(conn, "wang").failed_logins == 4
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok
        assert users.get_user(conn, "wang").failed_logins == 0
        for _ in range(4):
            assert users.authenticate(conn, "wang", "wrong", NOW).reason == "bad_credentials"
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok


def test_after_a_lock_ends_there_are_five_new_attempts(engine):
    with engine.begin() as conn:
        add(conn)
        for _ in range(5):
            users.authenticate(conn, "wang", "wrong password", NOW)
        later = NOW + timedelta(minutes=15)
        reasons = [users.authenticate(conn, "wang", "wrong", later).reason for _ in range(5)]
    assert reasons == ["bad_credentials"] * 4 + ["locked"]


def test_failed_attempts_survive_although_sign_in_fails(engine):
    with engine.begin() as conn:
        add(conn)
    for _ in range(5):
        with engine.begin() as conn:  # one request, one transaction
            users.authenticate(conn, "wang", "wrong password", NOW)
    with engine.connect() as conn:
        assert users.get_user(conn, "wang").locked_until == NOW + timedelta(minutes=15)


def test_disabled_user_cannot_sign_in_and_is_told_only_with_the_right_password(engine):
    with engine.begin() as conn:
        add(conn)
        add(conn, "boss", "admin")
        users.disable_user(conn, "wang", by="boss", now=NOW)
        assert users.authenticate(conn, "wang", "wrong password", NOW).reason == "bad_credentials"
        result = users.authenticate(conn, "wang", PASSWORD, NOW)
        assert (result.reason, result.principal) == ("disabled", None)
        assert result.message() == "该账户已停用，请联系管理员。"
        assert users.principal_for(conn, "wang") is None
        users.enable_user(conn, "wang", by="boss", now=NOW)
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok
        assert users.principal_for(conn, "wang") == Principal("wang", "staff", ("南山区",))


def test_enable_and_new_password_lift_a_lock(engine):
    with engine.begin() as conn:
        add(conn)
        for _ in range(5):
            users.authenticate(conn, "wang", "wrong password", NOW)
        users.enable_user(conn, "wang", by="admin", now=NOW)
        assert users.authenticate(conn, "wang", PASSWORD, NOW).ok
        for _ in range(5):
            users.authenticate(conn, "wang", "wrong password", NOW)
        users.set_password(conn, "wang", "another good password", by="admin", now=NOW)
        assert users.authenticate(conn, "wang", PASSWORD, NOW).reason == "bad_credentials"
        assert users.authenticate(conn, "wang", "another good password", NOW).ok


def test_user_without_a_password_hash_cannot_sign_in_with_any_password(engine):
    with engine.begin() as conn:
        add(conn)
        conn.execute(User.__table__.update().values(password_hash=""))
        assert users.authenticate(conn, "wang", "", NOW).reason == "bad_credentials"
        assert users.authenticate(conn, "wang", PASSWORD, NOW).reason == "bad_credentials"


# --- first administrator ---------------------------------------------------------------


def test_first_admin_is_created_once_only(engine):
    with engine.begin() as conn:
        assert not users.has_users(conn)
        admin = users.create_first_admin(conn, "Chen", PASSWORD, display_name="陈主任", now=NOW)
        assert (admin.username, admin.role, admin.display_name) == ("chen", "admin", "陈主任")
        assert users.has_users(conn)
        with pytest.raises(InputError) as refused:
            users.create_first_admin(conn, "intruder", PASSWORD, now=NOW)
        assert refused.value.key == "users.first_admin_exists"
        assert users.get_user(conn, "intruder") is None
        created = events(conn, action="user_change")
    assert created["username"].tolist() == ["chen"]
    assert created["detail"][0]["change"] == "create"


def test_first_admin_is_refused_while_any_admin_exists_even_a_disabled_one(engine):
    with engine.begin() as conn:
        users.create_first_admin(conn, "chen", PASSWORD, now=NOW)
        add(conn, "zhou", "admin")
        users.disable_user(conn, "chen", by="zhou", now=NOW)
        conn.execute(User.__table__.update().values(is_active=False))
        with pytest.raises(InputError):
            users.create_first_admin(conn, "intruder", PASSWORD, now=NOW)


def test_a_staff_user_first_does_not_block_the_first_admin(engine):
    with engine.begin() as conn:
        add(conn)
        assert users.has_users(conn)
        assert users.create_first_admin(conn, "chen", PASSWORD, now=NOW).role == "admin"


def test_the_last_active_admin_cannot_be_disabled_or_demoted(engine):
    with engine.begin() as conn:
        add(conn, "chen", "admin")
        for change in (
            lambda: users.disable_user(conn, "chen", by="chen", now=NOW),
            lambda: users.update_user(conn, "chen", role="leader", by="chen", now=NOW),
        ):
            with pytest.raises(InputError) as refused:
                change()
            assert refused.value.key == "users.last_admin"
        add(conn, "zhou", "admin")
        users.disable_user(conn, "chen", by="zhou", now=NOW)
        assert users.get_user(conn, "chen").is_active is False


# --- rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password", "key"),
    [
        ("wang", "short1234", "users.password_too_short"),
        ("wang", "", "users.password_too_short"),
        ("wangxiaoming", "WangXiaoMing", "users.password_is_username"),
        ("wang", "x" * 257, "users.password_too_long"),
        ("", PASSWORD, "users.bad_username"),
        ("wang xiao", PASSWORD, "users.bad_username"),
        ("<script>", PASSWORD, "users.bad_username"),
        ("x" * 65, PASSWORD, "users.bad_username"),
    ],
)
def test_password_and_name_rules(engine, username, password, key):
    with engine.begin() as conn, pytest.raises(InputError) as refused:
        add(conn, username, "admin", password)
    assert refused.value.key == key


def test_password_of_exactly_ten_characters_and_chinese_user_names_are_accepted(engine):
    with engine.begin() as conn:
        account = add(conn, "王小明", "leader", "0123456789")
        assert account.username == "王小明"
        assert users.authenticate(conn, "王小明", "0123456789", NOW).ok


def test_new_password_follows_the_rules_too(engine):
    with engine.begin() as conn:
        add(conn, "wangxiaoming")
        with pytest.raises(InputError) as refused:
            users.set_password(conn, "wangxiaoming", "wangxiaoming", by="admin", now=NOW)
        assert refused.value.key == "users.password_is_username"
        with pytest.raises(InputError) as missing:
            users.set_password(conn, "nobody", PASSWORD, by="admin", now=NOW)
        assert missing.value.key == "users.no_such_user"


def test_duplicate_name_and_bad_role_are_refused(engine):
    with engine.begin() as conn:
        add(conn, "wang")
        with pytest.raises(InputError) as taken:
            add(conn, "WANG")
        assert taken.value.key == "users.exists"
        with pytest.raises(InputError) as role:
            add(conn, "li", "viewer")
        assert role.value.key == "users.bad_role"
        assert "viewer" in role.value.message()


# --- staff bindings --------------------------------------------------------------------


def test_staff_bindings_are_matched_to_master_data_names(engine):
    with engine.begin() as conn:
        account = add(conn, districts=["南山", "nanshan", "南山区", "福田"], units=[])
    assert account.districts == ("南山区", "福田区")
    assert account.principal() == Principal("wang", "staff", ("南山区", "福田区"))


def test_staff_must_be_bound_to_an_existing_district_or_unit(engine):
    with engine.begin() as conn:
        with pytest.raises(InputError) as unbound:
            add(conn, districts=[], units=[])
        assert unbound.value.key == "users.staff_needs_binding"
        with pytest.raises(InputError) as blank:
            add(conn, districts=["  "])
        assert blank.value.key == "users.staff_needs_binding"
        with pytest.raises(InputError) as unknown:
            add(conn, districts=["南三区"])
        assert unknown.value.key == "normalize.name_unknown"
        assert unknown.value.suggestion == "南山区"
        with pytest.raises(InputError):
            add(conn, districts=[], units=["不存在的单位"])
        assert not users.has_users(conn)


def test_only_staff_are_bound(engine):
    with engine.begin() as conn, pytest.raises(InputError) as refused:
        add(conn, "li", "leader", districts=["南山区"])
    assert refused.value.key == "users.binding_not_staff"


def test_update_user_changes_bindings_and_role_and_is_audited(engine):
    with engine.begin() as conn:
        add(conn, "chen", "admin")
        add(conn)
        moved = users.update_user(conn, "wang", districts=["福田"], by="chen", now=NOW)
        assert moved.districts == ("福田区",)
        promoted = users.update_user(conn, "wang", role="leader", by="chen", now=NOW)
        assert (promoted.role, promoted.districts, promoted.units) == ("leader", (), ())
        with pytest.raises(InputError):
            users.update_user(conn, "wang", role="staff", by="chen", now=NOW)
        changes = events(conn, action="user_change", username="chen")
    assert [d["change"] for d in changes["detail"]][:2] == ["update", "update"]


def test_list_users_shows_role_bindings_and_state(engine):
    with engine.begin() as conn:
        add(conn, "chen", "admin", display_name="陈主任")
        add(conn, "wang", units=["南山区工商联"], districts=["南山区"])
        users.disable_user(conn, "wang", by="chen", now=NOW)
        frame = users.list_users(conn, NOW)
    assert frame.columns.tolist() == users.USER_COLUMNS
    assert frame[["username", "display_name", "role", "is_active", "locked"]].values.tolist() == [
        ["chen", "陈主任", "admin", True, False],
        ["wang", "", "staff", False, False],
    ]
    assert frame["districts"][1] == ["南山区"] and frame["units"][1] == ["南山区工商联"]
    assert "password_hash" not in frame.columns


def test_naive_times_are_refused(engine):
    with engine.begin() as conn, pytest.raises(ValueError):
        users.authenticate(conn, "wang", PASSWORD, datetime(2024, 3, 1, 9, 0))


def test_sign_in_and_out_are_audited(engine):
    with engine.begin() as conn:
        add(conn)
        users.authenticate(conn, "wang", PASSWORD, NOW)
        users.record_logout(conn, "wang", NOW + timedelta(minutes=1))
        log = events(conn, username="wang")
    assert log["action"].tolist() == ["logout", "login"]


@pytest.mark.parametrize(
    ("claims", "signs_in"),
    [
        ({"email": "Boss@Example.org", "email_verified": True}, True),
        ({"email": "boss@example.org"}, True),  # providers that leave the claim out
        ({"email": "BOSS@example.org", "email_verified": False}, False),
        ({"email": "boss@example.org", "email_verified": "false"}, False),
        ({"email": "", "email_verified": True}, False),
        ({"email": "nobody@example.org", "email_verified": True}, False),
    ],
)
def test_single_sign_on_names_an_account_only_by_a_verified_address(engine, claims, signs_in):
    with engine.begin() as conn:
        users.create_user(conn, "boss@example.org", "admin", "a-long-password-1", by="tests")
        principal = users.principal_for_identity(conn, claims)
    assert (principal.username if principal else None) == ("boss@example.org" if signs_in else None)
