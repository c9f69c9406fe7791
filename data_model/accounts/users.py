"""User accounts: creation, argon2 passwords, sign-in with lockout (sessions: sessions.py).

No account and no password exist until someone creates them: the first administrator
is created in the browser (`create_first_admin`) or with `python -m data_model user add`.
Passwords are hashed with argon2id and never stored, logged or audited in clear.

Functions that change accounts take the connection of the caller's transaction
(`engine.begin()`), so the change and its audit event are written together; that
includes `authenticate`, whose failed attempts must be kept even though sign-in fails.
Times are timezone-aware; `now` may be passed for tests and defaults to the clock.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from data_model import settings
from data_model.accounts import sessions
from data_model.accounts.permissions import BOUND_ROLES, ROLES, Principal, require
from data_model.errors import InputError
from data_model.formatting import time_text
from data_model.i18n import t
from data_model.reference.master import load_master
from data_model.store import audit
from data_model.store.models import User
from data_model.text import check_email

MAX_FAILED_LOGINS = 5
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME_LENGTH = 128
# Letters of any script, digits and . _ @ -; stored lower-case so sign-in ignores case.
USERNAME_PATTERN = re.compile(r"[\w.@-]{1,64}")
# argon2id with the library's RFC 9106 defaults. Hashes made with other parameters are
# upgraded at the next successful sign-in (`check_needs_rehash`).
HASHER = PasswordHasher()
AUTH_REASONS = ("ok", "bad_credentials", "locked", "disabled")
USER_COLUMNS = [
    "username",
    "display_name",
    "role",
    "districts",
    "units",
    "is_active",
    "locked",
    "locked_until",
    "failed_logins",
    "created_at",
    "last_login_at",
    "email",
]


@dataclass(frozen=True)
class Account:
    """One user as stored, without the password hash."""

    id: int
    username: str
    display_name: str
    role: str
    districts: tuple[str, ...]
    units: tuple[str, ...]
    is_active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    email: str = ""  # where their scope's reminders are mailed (migration 0011)

    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.districts, self.units)

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class AuthResult:
    """The outcome of a sign-in: `reason` is one of AUTH_REASONS.

    A wrong password and an unknown user name give the same `bad_credentials`, so the
    result never tells whether a name exists, except that the fifth wrong password in
    a row answers `locked` (the person must learn why the right password stops
    working). `disabled` is reported only after the right password.
    """

    reason: str
    principal: Principal | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.reason == "ok"

    def message(self, language: str | None = None) -> str:
        if self.reason == "locked":
            return t(
                "users.auth_locked",
                language,
                until=time_text(self.locked_until, offset=True),
                attempts=MAX_FAILED_LOGINS,
            )
        return t(f"users.auth_{self.reason}", language)


# --- validation --------------------------------------------------------------------


def normalize_username(raw: str) -> str:
    """The stored form of a user name (trimmed, lower-case); InputError when not allowed."""
    name = (raw or "").strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise InputError("users.bad_username", value=(raw or "").strip())
    return name


def check_password(username: str, password: str) -> None:
    """Raise InputError unless `password` follows the rules (length, not the user name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("users.password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError("users.password_too_long", maximum=MAX_PASSWORD_LENGTH)
    if password.strip().lower() == username.strip().lower():
        raise InputError("users.password_is_username")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError("users.bad_role", value=role, roles=", ".join(ROLES))
    return role


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _display_name(raw: str | None) -> str:
    name = (raw or "").strip()
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InputError("users.name_too_long", maximum=MAX_DISPLAY_NAME_LENGTH)
    return name


def _binding(
    conn: Connection, role: str, districts: Iterable[str], units: Iterable[str]
) -> tuple[list[str], list[str]]:
    """Canonical district and unit names for a staff user or reviewer (`南山` → `南山区`).

    Staff and reviewers must be bound to at least one district or unit of the master
    data; the other roles see everything and are bound to nothing.
    """
    districts = [d for d in districts if str(d).strip()]
    units = [u for u in units if str(u).strip()]
    if role not in BOUND_ROLES:
        if districts or units:
            raise InputError("users.binding_not_staff", role=t(f"users.role_{role}"))
        return [], []
    master = load_master(conn)
    district_names = list(dict.fromkeys(master.districts.match(d) for d in districts))
    unit_names = list(dict.fromkeys(master.units.match(u) for u in units))
    if not district_names and not unit_names:
        raise InputError("users.staff_needs_binding")
    return district_names, unit_names


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")
    return now


# --- reading -----------------------------------------------------------------------


def has_users(conn: Connection) -> bool:
    """Whether any account exists; with none the app offers to create the first administrator."""
    return conn.execute(select(User.id).limit(1)).first() is not None


def has_admin(conn: Connection) -> bool:
    return conn.execute(select(User.id).where(User.role == "admin").limit(1)).first() is not None


def get_user(conn: Connection, username: str) -> Account | None:
    """The account named `username` (any case), or None."""
    row = (
        conn.execute(select(User).where(User.username == username.strip().lower()))
        .mappings()
        .first()
    )
    return _account(row) if row is not None else None


def _account(row) -> Account:
    return Account(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        districts=tuple(row["districts"] or ()),
        units=tuple(row["units"] or ()),
        is_active=bool(row["is_active"]),
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        email=row["email"] or "",
    )


def _require_user(conn: Connection, username: str) -> Account:
    account = get_user(conn, username)
    if account is None:
        raise InputError("users.no_such_user", username=username.strip())
    return account


def principal_for(conn: Connection, username: str) -> Principal | None:
    """The principal of an active account, or None: check it on every request so that
    disabling a user or changing their role takes effect at once."""
    account = get_user(conn, username)
    return account.principal() if account is not None and account.is_active else None


def principal_for_identity(conn: Connection, claims: dict) -> Principal | None:
    """The principal of the active account whose user name is the e-mail address an
    identity provider vouches for (single sign-on), or None. An address the provider
    says it has not verified (`email_verified` false) names nobody: anyone may type any
    address into an account at many providers."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True)
    if not email or verified is False or str(verified).lower() == "false":
        return None
    return principal_for(conn, email)


def list_users(conn: Connection, now: datetime | None = None) -> pd.DataFrame:
    """All accounts by user name (columns USER_COLUMNS; `locked` is judged at `now`)."""
    now = _now(now)
    rows = conn.execute(select(User).order_by(User.username)).mappings().all()
    accounts = [_account(r) for r in rows]
    return pd.DataFrame(
        [
            (
                a.username,
                a.display_name,
                a.role,
                list(a.districts),
                list(a.units),
                a.is_active,
                a.locked_at(now),
                a.locked_until if a.locked_at(now) else None,
                a.failed_logins,
                a.created_at,
                a.last_login_at,
                a.email,
            )
            for a in accounts
        ],
        columns=USER_COLUMNS,
    )


# --- changing ----------------------------------------------------------------------


def create_user(
    conn: Connection,
    username: str,
    role: str,
    password: str,
    *,
    by: str,
    display_name: str = "",
    districts: Iterable[str] = (),
    units: Iterable[str] = (),
    email: str = "",
    now: datetime | None = None,
) -> Account:
    """Create an account; staff must be bound to districts and/or units of the master data.

    Raises InputError (catalogue message) for a bad or taken name, a bad role, a
    password breaking the rules or an unknown district or unit.
    """
    now = _now(now)
    name = normalize_username(username)
    check_role(role)
    check_password(name, password)
    display = _display_name(display_name)
    address = check_email(email)
    district_names, unit_names = _binding(conn, role, districts, units)
    if get_user(conn, name) is not None:
        raise InputError("users.exists", username=name)
    conn.execute(
        insert(User).values(
            username=name,
            display_name=display,
            password_hash=hash_password(password),
            role=role,
            districts=district_names,
            units=unit_names,
            email=address,
            is_active=True,
            failed_logins=0,
            created_at=now,
        )
    )
    audit.record(
        conn,
        by,
        "user_change",
        at=now,
        change="create",
        user=name,
        role=role,
        districts=district_names,
        units=unit_names,
    )
    return _require_user(conn, name)


def create_first_admin(
    conn: Connection,
    username: str,
    password: str,
    *,
    display_name: str = "",
    now: datetime | None = None,
) -> Account:
    """Create the first administrator; refused (InputError) once any administrator exists."""
    if has_admin(conn):
        raise InputError("users.first_admin_exists")
    name = normalize_username(username)
    return create_user(conn, name, "admin", password, by=name, display_name=display_name, now=now)


def set_password(
    conn: Connection, username: str, password: str, *, by: str, now: datetime | None = None
) -> None:
    """Replace a user's password; this also lifts a lockout and ends the user's sessions
    (every browser signed in as them signs in again, with the new password)."""
    now = _now(now)
    account = _require_user(conn, username)
    check_password(account.username, password)
    _update(
        conn, account, password_hash=hash_password(password), failed_logins=0, locked_until=None
    )
    sessions.end_user_sessions(conn, account.id, "password", now)
    audit.record(conn, by, "user_change", at=now, change="password", user=account.username)


def disable_user(conn: Connection, username: str, *, by: str, now: datetime | None = None) -> None:
    """Stop a user from signing in and end their sessions (their history stays). The last
    active admin cannot be disabled."""
    now = _now(now)
    account = _require_user(conn, username)
    if account.role == "admin" and account.is_active:
        _keep_an_admin(conn, account)
    _update(conn, account, is_active=False)
    sessions.end_user_sessions(conn, account.id, "disabled", now)
    audit.record(conn, by, "user_change", at=now, change="disable", user=account.username)


def enable_user(conn: Connection, username: str, *, by: str, now: datetime | None = None) -> None:
    """Let a disabled or locked-out user sign in again."""
    now = _now(now)
    account = _require_user(conn, username)
    _update(conn, account, is_active=True, failed_logins=0, locked_until=None)
    audit.record(conn, by, "user_change", at=now, change="enable", user=account.username)


def update_user(
    conn: Connection,
    username: str,
    *,
    by: str,
    role: str | None = None,
    display_name: str | None = None,
    districts: Iterable[str] | None = None,
    units: Iterable[str] | None = None,
    email: str | None = None,
    now: datetime | None = None,
) -> Account:
    """Change a user's role, name, bindings or e-mail (None keeps the current value).

    The binding rules of `create_user` apply to the result, and the last active
    administrator keeps the admin role.
    """
    now = _now(now)
    account = _require_user(conn, username)
    new_role = check_role(role) if role is not None else account.role
    if account.role == "admin" and new_role != "admin" and account.is_active:
        _keep_an_admin(conn, account)
    if new_role not in BOUND_ROLES and districts is None and units is None:
        districts, units = (), ()  # leaving a bound role drops the bindings
    district_names, unit_names = _binding(
        conn,
        new_role,
        account.districts if districts is None else districts,
        account.units if units is None else units,
    )
    values = {"role": new_role, "districts": district_names, "units": unit_names}
    if display_name is not None:
        values["display_name"] = _display_name(display_name)
    if email is not None:
        values["email"] = check_email(email)
    _update(conn, account, **values)
    audit.record(
        conn,
        by,
        "user_change",
        at=now,
        change="update",
        user=account.username,
        role=new_role,
        districts=district_names,
        units=unit_names,
    )
    return _require_user(conn, account.username)


def _keep_an_admin(conn: Connection, account: Account) -> None:
    others = conn.execute(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.is_active, User.id != account.id)
    ).scalar_one()
    if not others:
        raise InputError("users.last_admin", username=account.username)


def _update(conn: Connection, account: Account, **values: object) -> None:
    conn.execute(update(User).where(User.id == account.id).values(**values))


# --- as a signed-in user (what the pages call) ------------------------------------
# The functions above trust their caller (the shell, tests); these check the principal.


def users_table(
    conn: Connection, principal: Principal, now: datetime | None = None
) -> pd.DataFrame:
    """`list_users` for an administrator."""
    require(principal, "manage_users")
    return list_users(conn, now)


def add_user(
    conn: Connection, principal: Principal, username: str, role: str, password: str, **details
) -> Account:
    """`create_user` by an administrator (`details`: its keyword arguments but `by`)."""
    require(principal, "manage_users")
    return create_user(conn, username, role, password, by=principal.username, **details)


def edit_user(conn: Connection, principal: Principal, username: str, **changes) -> Account:
    """`update_user` by an administrator (`changes`: its keyword arguments but `by`)."""
    require(principal, "manage_users")
    return update_user(conn, username, by=principal.username, **changes)


def set_active(
    conn: Connection, principal: Principal, username: str, active: bool, now: datetime | None = None
) -> None:
    """Enable (also unlocking) or disable a user, by an administrator."""
    require(principal, "manage_users")
    change = enable_user if active else disable_user
    change(conn, username, by=principal.username, now=now)


def reset_password(
    conn: Connection,
    principal: Principal,
    username: str,
    password: str,
    now: datetime | None = None,
) -> None:
    """`set_password` by an administrator (for a user who forgot theirs)."""
    require(principal, "manage_users")
    set_password(conn, username, password, by=principal.username, now=now)


def change_own_password(
    conn: Connection,
    principal: Principal,
    current: str,
    new: str,
    now: datetime | None = None,
) -> None:
    """Any signed-in user changes their own password, proving they know the current one."""
    row = conn.execute(
        select(User.password_hash).where(User.username == principal.username)
    ).first()
    if row is None or not row.password_hash or not _verify(row.password_hash, current):
        raise InputError("users.wrong_current_password")
    set_password(conn, principal.username, new, by=principal.username, now=now)


# --- signing in and out ------------------------------------------------------------


def authenticate(
    conn: Connection, username: str, password: str, now: datetime | None = None
) -> AuthResult:
    """Check a sign-in attempt and record it.

    Five wrong passwords in a row lock the account for `settings.lockout_minutes()`;
    while locked not even the right password is accepted. A success resets the count,
    records the time and upgrades an outdated hash.
    """
    now = _now(now)
    try:
        name = normalize_username(username)
    except InputError:
        name = None
    row = None
    if name is not None:
        row = conn.execute(select(User).where(User.username == name)).mappings().first()
    attempted = (username or "").strip()
    if row is None or not row["password_hash"]:
        _spend_a_verification(password)
        reason = "unknown_user" if row is None else "no_password"
        audit.record(conn, attempted, "login_failed", at=now, reason=reason)
        return AuthResult("bad_credentials")
    account = _account(row)
    if account.locked_at(now):
        audit.record(conn, account.username, "login_failed", at=now, reason="locked")
        return AuthResult("locked", locked_until=account.locked_until)
    if not _verify(row["password_hash"], password):
        return _count_failure(conn, account, now)
    if not account.is_active:
        audit.record(conn, account.username, "login_failed", at=now, reason="disabled")
        return AuthResult("disabled")
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if HASHER.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = hash_password(password)
    _update(conn, account, **values)
    audit.record(conn, account.username, "login", at=now, rehashed="password_hash" in values)
    return AuthResult("ok", principal=account.principal())


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def _spend_a_verification(password: str) -> None:
    """Verify against a throwaway hash so an unknown name costs as long as a wrong password."""
    global _dummy
    if _dummy is None or _dummy[0] is not HASHER:
        _dummy = (HASHER, HASHER.hash(secrets.token_hex(16)))
    _verify(_dummy[1], password)


def _count_failure(conn: Connection, account: Account, now: datetime) -> AuthResult:
    conn.execute(
        update(User).where(User.id == account.id).values(failed_logins=User.failed_logins + 1)
    )
    failures = conn.execute(select(User.failed_logins).where(User.id == account.id)).scalar_one()
    if failures < MAX_FAILED_LOGINS:
        audit.record(
            conn, account.username, "login_failed", at=now, reason="bad_password", count=failures
        )
        return AuthResult("bad_credentials")
    until = now + timedelta(minutes=settings.lockout_minutes())
    # The count starts again, so after the lock ends there are five more attempts.
    _update(conn, account, failed_logins=0, locked_until=until)
    audit.record(
        conn,
        account.username,
        "login_failed",
        at=now,
        reason="bad_password",
        count=failures,
        locked_until=until,
    )
    return AuthResult("locked", locked_until=until)


def record_logout(conn: Connection, username: str, now: datetime | None = None) -> None:
    audit.record(conn, username, "logout", at=_now(now))
