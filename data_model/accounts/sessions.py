"""Sign-in sessions that outlive a page: one row per signed-in browser.

A Streamlit session lives on one websocket, so a reload (F5), a bookmarked or pasted link
or a projector's refresh opens a new, signed-out one. A browser stays signed in through
a cookie holding a random session id, which the server looks up here:

1. The sign-in form (a Streamlit run) checks the password and calls `start`: a row for
   the user whose hash is of a one-time *handoff* token, good for HANDOFF_SECONDS. The
   Streamlit session keeps the row's id in its state and is signed in at once.
2. The page shows an image whose address is CLAIM_PATH with the handoff token; the
   server's own route (serve.py) calls `claim`, which replaces the hash with that of a
   new random session id and answers with that id in an HttpOnly, SameSite=Strict
   cookie that expires with the session. No script of the page ever sees the id.
3. A reload, a link or another tab starts a new Streamlit session, which reads the
   cookie (`st.context.cookies`) and calls `resume(token=…)`.

Only the SHA-256 of an id or token (`secrets.token_urlsafe`, 256 bits) is stored, so a
copy of this table signs nobody in. A session ends (`revoked_at`, `revoked_reason`) at
sign-out, after `SESSION_IDLE_MINUTES` without activity, when the user is disabled or
their password changes, and `SESSION_MAX_HOURS` after sign-in whatever happens.
Functions take the caller's connection (`engine.begin()`); `now` may be passed for
tests and defaults to the clock.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from data_model import settings
from data_model.store.models import SignInSession, User

COOKIE_NAME = "dashboard_session"
CLAIM_PATH = "/session/claim"  # the server route that sets the cookie (serve.py)
HANDOFF_SECONDS = 120
# last_seen_at is written at most once a minute, not on every click.
TOUCH_SECONDS = 60
KEEP_ENDED_DAYS = 30  # ended sessions are kept this long for inquiries, then deleted
REASONS = ("sign_out", "idle", "expired", "disabled", "password")


@dataclass(frozen=True)
class Handoff:
    """A new session: its row id and the one-time token that claims its cookie."""

    session_id: int
    token: str


@dataclass(frozen=True)
class Claimed:
    """What the cookie is set to: the session id and its lifetime in seconds."""

    token: str
    max_age: int


@dataclass(frozen=True)
class Resumed:
    session_id: int
    username: str


@dataclass(frozen=True)
class Ended:
    """The session exists but is over; `reason` is one of REASONS."""

    session_id: int
    reason: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of an id or handoff token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")
    return now


def session_expired(last_seen: datetime, now: datetime, idle_minutes: int | None = None) -> bool:
    """Whether a session last active at `last_seen` has been idle too long at `now`.

    `idle_minutes` defaults to `settings.session_idle_minutes()` (`SESSION_IDLE_MINUTES`).
    """
    minutes = settings.session_idle_minutes() if idle_minutes is None else idle_minutes
    return now - last_seen >= timedelta(minutes=minutes)


def start(conn: Connection, username: str, now: datetime | None = None) -> Handoff:
    """A new session for the active user `username` (signed in just now), with the
    handoff token its browser claims the cookie with. Sessions ended more than
    KEEP_ENDED_DAYS ago are deleted on the way."""
    now = _now(now)
    user = conn.execute(
        select(User.id, User.is_active).where(User.username == username.strip().lower())
    ).first()
    if user is None or not user.is_active:
        raise ValueError(f"no active user {username!r} to start a session for")
    conn.execute(
        delete(SignInSession).where(
            SignInSession.expires_at < now - timedelta(days=KEEP_ENDED_DAYS)
        )
    )
    token = new_token()
    session_id = conn.execute(
        insert(SignInSession)
        .values(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours()),
            handoff_until=now + timedelta(seconds=HANDOFF_SECONDS),
        )
        .returning(SignInSession.id)
    ).scalar_one()
    return Handoff(session_id, token)


def claim(conn: Connection, handoff: str, now: datetime | None = None) -> Claimed | None:
    """Trade a handoff token, once and in time, for the session id the cookie will hold;
    None for a token that is unknown, used, late, or whose session has ended."""
    now = _now(now)
    session = conn.execute(
        select(SignInSession).where(
            SignInSession.token_hash == token_hash(handoff),
            SignInSession.handoff_until.is_not(None),
        )
    ).first()
    if session is None:
        return None
    if session.handoff_until <= now or session.revoked_at is not None or session.expires_at <= now:
        return None
    token = new_token()
    changed = conn.execute(
        update(SignInSession)
        .where(SignInSession.id == session.id, SignInSession.handoff_until.is_not(None))
        .values(token_hash=token_hash(token), handoff_until=None)
    ).rowcount
    if changed != 1:  # claimed by a request a moment ago
        return None
    return Claimed(token, int((session.expires_at - now).total_seconds()))


def handoff_pending(conn: Connection, handoff: str, now: datetime | None = None) -> bool:
    """Whether a handoff token may still be claimed (not used, not late, session open)."""
    now = _now(now)
    return (
        conn.execute(
            select(SignInSession.id).where(
                SignInSession.token_hash == token_hash(handoff),
                SignInSession.handoff_until > now,
                SignInSession.revoked_at.is_(None),
            )
        ).first()
        is not None
    )


def resume(
    conn: Connection,
    *,
    session_id: int | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> Resumed | Ended | None:
    """The session a Streamlit session holds (`session_id`) or a cookie names (`token`):
    Resumed while it is valid (counting this as activity), Ended when it is over (ending
    it now if it has just run out: idle, expired, user disabled), None when unknown.

    A handoff token is not a session id: `token` finds claimed sessions only."""
    now = _now(now)
    query = select(SignInSession, User.username, User.is_active).join(
        User, User.id == SignInSession.user_id
    )
    if session_id is not None:
        query = query.where(SignInSession.id == session_id)
    elif token:
        query = query.where(
            SignInSession.token_hash == token_hash(token), SignInSession.handoff_until.is_(None)
        )
    else:
        return None
    session = conn.execute(query).first()  # the session's columns, username, is_active
    if session is None:
        return None
    username, is_active = session.username, session.is_active
    if session.revoked_at is not None:
        return Ended(session.id, session.revoked_reason)
    reason = None
    if session.expires_at <= now:
        reason = "expired"
    elif not is_active:
        reason = "disabled"
    elif session_expired(session.last_seen_at, now):
        reason = "idle"
    if reason is not None:
        end(conn, session.id, reason, now)
        return Ended(session.id, reason)
    if now - session.last_seen_at >= timedelta(seconds=TOUCH_SECONDS):
        conn.execute(
            update(SignInSession).where(SignInSession.id == session.id).values(last_seen_at=now)
        )
    return Resumed(session.id, username)


def end(conn: Connection, session_id: int, reason: str, now: datetime | None = None) -> None:
    """End one session (a no-op for one already ended)."""
    _revoke(conn, SignInSession.id == session_id, reason, now)


def end_user_sessions(
    conn: Connection, user_id: int, reason: str, now: datetime | None = None
) -> int:
    """End every open session of a user (disabled, password changed); how many."""
    return _revoke(conn, SignInSession.user_id == user_id, reason, now)


def _revoke(conn: Connection, which, reason: str, now: datetime | None) -> int:
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}; one of {', '.join(REASONS)}")
    return conn.execute(
        update(SignInSession)
        .where(which, SignInSession.revoked_at.is_(None))
        .values(revoked_at=_now(now), revoked_reason=reason)
    ).rowcount


def open_sessions(conn: Connection, username: str, now: datetime | None = None) -> int:
    """How many sessions of `username` are open (not ended, not run out) at `now`."""
    now = _now(now)
    return len(
        conn.execute(
            select(SignInSession.id)
            .join(User, User.id == SignInSession.user_id)
            .where(
                User.username == username.strip().lower(),
                SignInSession.revoked_at.is_(None),
                SignInSession.expires_at > now,
            )
        ).all()
    )
