"""Sign-in sessions (data_model/accounts/sessions.py) and the route that sets their cookie
(session_cookie.py), on SQLite and PostgreSQL: only hashes stored, one-time handoff,
expiry, idle time, and the end of a session at sign-out, disable and password change."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.requests import Request

import session_cookie
from data_model.accounts import sessions, users
from data_model.store.models import SignInSession

pytestmark = pytest.mark.usefixtures("cheap_hashing")

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def add(conn, username: str, role: str = "leader") -> users.Account:
    return users.create_user(conn, username, role, PASSWORD, by="admin", now=NOW)


def stored(conn) -> list:
    return conn.execute(select(SignInSession).order_by(SignInSession.id)).all()


def signed_in_browser(conn, username: str, now: datetime = NOW) -> tuple[int, str]:
    """A session started and its cookie claimed: (session id, the cookie's value)."""
    handoff = sessions.start(conn, username, now)
    claimed = sessions.claim(conn, handoff.token, now + timedelta(seconds=1))
    assert claimed is not None
    return handoff.session_id, claimed.token


# --- what is stored ---------------------------------------------------------------------


def test_only_the_sha256_of_the_handoff_token_and_of_the_session_id_is_stored(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        handoff = sessions.start(conn, "chen", NOW)
        [row] = stored(conn)
        assert row.token_hash == hashlib.sha256(handoff.token.encode()).hexdigest()
        assert handoff.token not in [str(value) for value in row]
        claimed = sessions.claim(conn, handoff.token, NOW + timedelta(seconds=5))
        [row] = stored(conn)
    assert claimed.token != handoff.token and len(claimed.token) >= 43  # 256 random bits
    assert row.token_hash == hashlib.sha256(claimed.token.encode()).hexdigest()
    assert claimed.token not in [str(value) for value in row]
    assert row.handoff_until is None
    assert (row.created_at, row.last_seen_at) == (NOW, NOW)
    assert row.expires_at == NOW + timedelta(hours=12)
    assert claimed.max_age == 12 * 3600 - 5


def test_a_handoff_token_is_claimed_once_in_time_and_never_works_as_a_cookie(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        late = sessions.start(conn, "chen", NOW)
        assert sessions.claim(conn, late.token, NOW + timedelta(seconds=120)) is None
        handoff = sessions.start(conn, "chen", NOW)
        assert sessions.handoff_pending(conn, handoff.token, NOW)
        assert sessions.resume(conn, token=handoff.token, now=NOW) is None
        claimed = sessions.claim(conn, handoff.token, NOW)
        assert claimed is not None
        assert not sessions.handoff_pending(conn, handoff.token, NOW)
        assert sessions.claim(conn, handoff.token, NOW) is None  # used
        assert sessions.claim(conn, "made-up", NOW) is None
        resumed = sessions.resume(conn, token=claimed.token, now=NOW)
    assert resumed == sessions.Resumed(handoff.session_id, "chen")


def test_the_session_lasts_until_session_max_hours_after_sign_in(db_engine, monkeypatch):
    monkeypatch.setenv("SESSION_MAX_HOURS", "2")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "600")
    with db_engine.begin() as conn:
        add(conn, "chen")
        session_id, cookie = signed_in_browser(conn, "chen")
        hour = sessions.resume(conn, token=cookie, now=NOW + timedelta(hours=1, minutes=59))
        assert isinstance(hour, sessions.Resumed)
        over = sessions.resume(conn, token=cookie, now=NOW + timedelta(hours=2))
        assert over == sessions.Ended(session_id, "expired")
        [row] = stored(conn)
    assert (row.revoked_reason, row.revoked_at) == ("expired", NOW + timedelta(hours=2))


# --- idle time ----------------------------------------------------------------------


def test_an_idle_session_ends_after_session_idle_minutes(db_engine, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    with db_engine.begin() as conn:
        add(conn, "chen")
        session_id, cookie = signed_in_browser(conn, "chen")
        almost = NOW + timedelta(minutes=4, seconds=59)
        assert isinstance(sessions.resume(conn, token=cookie, now=almost), sessions.Resumed)
        [row] = stored(conn)
        assert row.last_seen_at == almost  # activity, written (more than a minute since)
        idle = almost + timedelta(minutes=5)
        assert sessions.resume(conn, token=cookie, now=idle) == sessions.Ended(session_id, "idle")
        # ended for good: activity afterwards does not bring it back
        later = sessions.resume(conn, session_id=session_id, now=idle + timedelta(seconds=1))
        [row] = stored(conn)
    assert later == sessions.Ended(session_id, "idle")
    assert row.revoked_reason == "idle"


def test_activity_is_written_at_most_once_a_minute(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        _, cookie = signed_in_browser(conn, "chen")
        sessions.resume(conn, token=cookie, now=NOW + timedelta(seconds=59))
        assert stored(conn)[0].last_seen_at == NOW
        sessions.resume(conn, token=cookie, now=NOW + timedelta(seconds=60))
        assert stored(conn)[0].last_seen_at == NOW + timedelta(seconds=60)


def test_session_expires_after_the_idle_time(monkeypatch):
    seen = NOW
    assert not sessions.session_expired(seen, NOW + timedelta(minutes=29, seconds=59), 30)
    assert sessions.session_expired(seen, NOW + timedelta(minutes=30), 30)
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    assert not sessions.session_expired(seen, NOW + timedelta(minutes=4))
    assert sessions.session_expired(seen, NOW + timedelta(minutes=5))
    monkeypatch.delenv("SESSION_IDLE_MINUTES")
    assert not sessions.session_expired(seen, NOW + timedelta(minutes=29))
    assert sessions.session_expired(seen, NOW + timedelta(minutes=31))


@pytest.mark.parametrize("name", ["SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"])
@pytest.mark.parametrize("raw", ["0", "-3", "abc", "1.5"])
def test_bad_time_settings_are_refused_with_the_variable_named(db_engine, monkeypatch, name, raw):
    monkeypatch.setenv(name, raw)
    with db_engine.begin() as conn, pytest.raises(ValueError, match=name):
        add(conn, "chen")
        signed_in_browser(conn, "chen")
        sessions.session_expired(NOW, NOW)


# --- ending sessions ------------------------------------------------------------------


def test_sign_out_ends_that_session_only(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        office, office_cookie = signed_in_browser(conn, "chen")
        _, projector_cookie = signed_in_browser(conn, "chen")
        sessions.end(conn, office, "sign_out", NOW + timedelta(minutes=1))
        gone = sessions.resume(conn, token=office_cookie, now=NOW + timedelta(minutes=2))
        kept = sessions.resume(conn, token=projector_cookie, now=NOW + timedelta(minutes=2))
        assert sessions.open_sessions(conn, "chen", NOW + timedelta(minutes=2)) == 1
    assert gone == sessions.Ended(office, "sign_out")
    assert isinstance(kept, sessions.Resumed)


def test_disabling_a_user_ends_all_their_sessions_and_enabling_does_not_reopen_them(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        add(conn, "wang")
        chen = [signed_in_browser(conn, "chen") for _ in range(2)]
        _, wang_cookie = signed_in_browser(conn, "wang")
        users.disable_user(conn, "chen", by="admin", now=NOW + timedelta(minutes=1))
        assert sessions.open_sessions(conn, "chen", NOW) == 0
        users.enable_user(conn, "chen", by="admin", now=NOW + timedelta(minutes=2))
        later = NOW + timedelta(minutes=3)
        ended = [sessions.resume(conn, token=cookie, now=later) for _, cookie in chen]
        other = sessions.resume(conn, token=wang_cookie, now=later)
    assert ended == [sessions.Ended(session_id, "disabled") for session_id, _ in chen]
    assert isinstance(other, sessions.Resumed) and other.username == "wang"


def test_a_session_of_a_user_disabled_behind_its_back_ends_at_its_next_action(db_engine):
    """Disabled by a direct update (not through disable_user): still ended at resume."""
    from sqlalchemy import update

    from data_model.store.models import User

    with db_engine.begin() as conn:
        add(conn, "chen")
        session_id, cookie = signed_in_browser(conn, "chen")
        conn.execute(update(User).where(User.username == "chen").values(is_active=False))
        assert sessions.resume(conn, token=cookie, now=NOW) == sessions.Ended(
            session_id, "disabled"
        )


@pytest.mark.parametrize("how", ["reset by an admin", "changed by the user"])
def test_a_password_change_ends_every_session_of_that_user(db_engine, how):
    with db_engine.begin() as conn:
        account = add(conn, "chen")
        admin = add(conn, "root", role="admin")
        session_id, cookie = signed_in_browser(conn, "chen")
        _, admin_cookie = signed_in_browser(conn, "root")
        if how == "reset by an admin":
            users.reset_password(conn, admin.principal(), "chen", "a brand new password", NOW)
        else:
            users.change_own_password(
                conn, account.principal(), PASSWORD, "a brand new password", NOW
            )
        ended = sessions.resume(conn, token=cookie, now=NOW)
        admin_kept = sessions.resume(conn, token=admin_cookie, now=NOW)
    assert ended == sessions.Ended(session_id, "password")
    assert isinstance(admin_kept, sessions.Resumed)


def test_no_session_for_a_disabled_or_unknown_user(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        add(conn, "root", role="admin")
        users.disable_user(conn, "chen", by="root", now=NOW)
        for name in ("chen", "nobody"):
            with pytest.raises(ValueError, match=name):
                sessions.start(conn, name, NOW)


def test_sessions_ended_long_ago_are_deleted_at_the_next_sign_in(db_engine):
    with db_engine.begin() as conn:
        add(conn, "chen")
        old, _ = signed_in_browser(conn, "chen")
        recent, _ = signed_in_browser(conn, "chen", NOW + timedelta(days=20))
        month_later = NOW + timedelta(hours=12, days=sessions.KEEP_ENDED_DAYS, seconds=1)
        new = sessions.start(conn, "chen", month_later)
        kept = [row.id for row in stored(conn)]
    assert kept == [recent, new.session_id] and old not in kept


# --- the route that sets the cookie ---------------------------------------------------


def claim_request(token: str, site: str | None = "same-origin", scheme: str = "http") -> Request:
    headers = [(b"sec-fetch-site", site.encode())] if site else []
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "server": ("127.0.0.1", 8501),
            "path": sessions.CLAIM_PATH,
            "root_path": "",
            "query_string": f"token={token}".encode(),
            "headers": headers,
        }
    )


@pytest.fixture
def route_db(db_engine, empty_db, monkeypatch):
    """The route's database is `db_engine`'s, as DATABASE_URL would name it."""
    monkeypatch.setenv("DATABASE_URL", empty_db.url)
    session_cookie._engine.cache_clear()
    yield db_engine
    session_cookie._engine.cache_clear()


def test_the_route_sets_an_httponly_strict_expiring_cookie_once(route_db):
    with route_db.begin() as conn:
        add(conn, "chen")
        handoff = sessions.start(conn, "chen")
    answer = session_cookie.claim_session_cookie(claim_request(handoff.token))
    assert answer.status_code == 204
    assert answer.headers["cache-control"] == "no-store"
    cookie = answer.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    value = rest.split(";")[0]
    flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
    assert name == sessions.COOKIE_NAME and value != handoff.token
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert "secure" not in flags  # plain http on the intranet; https gets Secure
    assert any(flag.startswith("max-age=4319") for flag in flags), flags  # 12 h less a moment
    with route_db.begin() as conn:
        assert sessions.resume(conn, token=value) == sessions.Resumed(handoff.session_id, "chen")
    again = session_cookie.claim_session_cookie(claim_request(handoff.token))
    # Used: nothing to set, and nothing for the browser to log as a failed image.
    assert again.status_code == 204 and "set-cookie" not in again.headers


def test_the_route_refuses_another_sites_page_and_marks_the_cookie_secure_on_https(route_db):
    with route_db.begin() as conn:
        add(conn, "chen")
        first, second = sessions.start(conn, "chen"), sessions.start(conn, "chen")
    cross = session_cookie.claim_session_cookie(claim_request(first.token, site="cross-site"))
    assert cross.status_code == 403 and "set-cookie" not in cross.headers
    https = session_cookie.claim_session_cookie(claim_request(second.token, scheme="https"))
    assert "secure" in https.headers["set-cookie"].lower()
    too_long = session_cookie.claim_session_cookie(claim_request("x" * 500))
    assert too_long.status_code == 204 and "set-cookie" not in too_long.headers
