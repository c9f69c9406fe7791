"""Who may do what (SPEC §1 roles), enforced in the services, not only by hiding pages.

A `Principal` is the signed-in user as the services see it. Every guarded service
calls `require(principal, action)` first, so a page reached by URL, or a script
calling the service, gets the same `PermissionDenied` as the navigation would imply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, Engine

from data_model.errors import InputError
from data_model.formatting import join_names
from data_model.i18n import t
from data_model.ingest.importer import (
    SYSTEM_ACTOR,
    ImportOptions,
    Recorder,
    SubmitterScope,
    import_file,
    import_sheets,
    writes,
)
from data_model.ingest.raw_sheet import RawSheet
from data_model.ingest.validated import Validated
from data_model.kinds import ISSUES
from data_model.outputs.export import SUBMISSIONS, export_frame, submissions_export
from data_model.outputs.restatement import record_publication
from data_model.problems import ImportReport
from data_model.store import audit
from data_model.store.kind_registry import INDICATOR_DEFINER, KINDS, REGISTRY
from data_model.store.storage import NotStored, WriterBusy, rollback_submission

ROLES = ("admin", "leader", "staff", "reviewer")
# Roles bound to districts and units: staff submit for them, reviewers review them.
BOUND_ROLES = ("staff", "reviewer")
EVERYONE = frozenset(ROLES)
ADMIN_ONLY = frozenset({"admin"})
# action → the roles allowed to perform it. The permission matrix test walks this table
# and an independent copy of SPEC §1, so a change here must be a deliberate one.
RULES: dict[str, frozenset[str]] = {
    "view_dashboards": EVERYONE,
    "upload": frozenset({"staff", "admin"}),
    "view_submissions": EVERYONE,  # staff see only their own (see `own_submissions_only`)
    "rollback": ADMIN_ONLY,
    "manage_users": ADMIN_ONLY,
    "manage_master_data": ADMIN_ONLY,
    "manage_schedule": ADMIN_ONLY,
    "close_periods": ADMIN_ONLY,
    "view_audit": ADMIN_ONLY,
    # A reviewer checks the rows of issues too, names and all.
    "view_enterprise_names": frozenset({"admin", "leader", "reviewer"}),
    "export": EVERYONE,
    # A bulletin file of a closed period is an official publication (SPEC §1: admins
    # export bulletins): anyone may download it, an admin's file alone is recorded.
    "publish_bulletin": ADMIN_ONLY,
    # 佐证材料: staff only for their own tasks (see `evidence.may_handle`).
    "attach_evidence": frozenset({"staff", "admin"}),
    "view_evidence": EVERYONE,
    "supervise": ADMIN_ONLY,  # the 督办 page: escalation levels, notices, delivery
    # 审核: approve or return submissions held for review, within one's districts/units.
    "review": frozenset({"admin", "reviewer"}),
    "manage_review_rules": ADMIN_ONLY,
}
ACTIONS = tuple(RULES)
ENTERPRISE_NAME_COLUMNS = ("enterprise_name", ISSUES.column("enterprise_name").header)


@dataclass(frozen=True)
class Principal:
    """A signed-in user: name, role and, for staff and reviewers, the districts and units
    they submit for or review."""

    username: str
    role: str
    districts: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")
        object.__setattr__(self, "districts", tuple(self.districts))
        object.__setattr__(self, "units", tuple(self.units))


# The actor of the command line without --user (and of loading the sample data): all
# rights, recorded under a name no user can have.
SYSTEM = Principal(SYSTEM_ACTOR, "admin")


class PermissionDenied(Exception):
    """The principal (None: nobody signed in) may not perform `action`; `message()` says so."""

    def __init__(self, principal: Principal | None, action: str) -> None:
        self.username = principal.username if principal else None
        self.role = principal.role if principal else None
        self.action = action
        super().__init__(self.message("en"))

    def message(self, language: str | None = None) -> str:
        action = t(f"permissions.action_{self.action}", language)
        if self.role is None:
            return t("permissions.not_signed_in", language, action=action)
        role = t(f"users.role_{self.role}", language)
        return t("permissions.denied", language, action=action, role=role)


def allowed(principal: Principal | None, action: str) -> bool:
    """Whether `principal` may perform `action`; nobody signed in (None) may do nothing."""
    if action not in RULES:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    return principal is not None and principal.role in RULES[action]


def require(principal: Principal | None, action: str) -> None:
    """Raise PermissionDenied unless `principal` may perform `action`."""
    if not allowed(principal, action):
        raise PermissionDenied(principal, action)


def import_scope(principal: Principal) -> SubmitterScope | None:
    """What the principal may import: staff their own districts/units, admin everything (None).

    Leaders never upload: PermissionDenied.
    """
    require(principal, "upload")
    if principal.role == "admin":
        return None
    return SubmitterScope(
        districts=frozenset(principal.districts), units=frozenset(principal.units)
    )


def template_kinds(principal: Principal) -> list[str]:
    """The kinds whose templates `principal` is offered (in `KINDS` order): those they may
    upload. The indicator system is master data, refused to staff at upload
    (`SubmitterScope.may_define_indicators`), so their templates leave its sheet out."""
    scope = import_scope(principal)
    return [
        kind
        for kind in KINDS
        if scope is None or scope.may_define_indicators or REGISTRY[kind].owner != INDICATOR_DEFINER
    ]


def upload_districts(principal: Principal, districts: Iterable[str]) -> list[str]:
    """Those of `districts` (in their order) that `principal` may name as an upload's
    district, for its sheets that name none: all for an admin, and for a staff member
    bound to units too (a task of their unit may be of any district); else the staff
    member's own, as the import refuses rows of any other."""
    scope = import_scope(principal)
    if scope is None or scope.units:
        return list(districts)
    return [district for district in districts if district in scope.districts]


class OutOfScope(PermissionDenied):
    """A reviewer may review, but not these rows: they belong to districts or units
    outside the reviewer's own (`outside` names them)."""

    def __init__(self, principal: Principal, outside: Iterable[str]) -> None:
        self.outside = tuple(sorted(outside))
        self.mine = tuple(principal.districts) + tuple(principal.units)
        super().__init__(principal, "review")

    def message(self, language: str | None = None) -> str:
        return t(
            "permissions.review_out_of_scope",
            language,
            outside=join_names(self.outside, language) or "-",
            mine=join_names(self.mine, language) or "-",
        )


def require_review_of(
    principal: Principal | None, rows: Iterable[tuple[str | None, str | None]]
) -> None:
    """Raise unless `principal` may review rows of these (district name, lead unit name)
    pairs: an admin any, a reviewer a row whose district or lead unit is one of theirs.

    A row with neither (an indicator definition) is an admin's to review.
    """
    require(principal, "review")
    if principal.role == "admin":
        return
    districts, units = set(principal.districts), set(principal.units)
    outside = {
        district or unit or t("permissions.no_district")
        for district, unit in rows
        if district not in districts and unit not in units
    }
    if outside:
        raise OutOfScope(principal, outside)


def may_review(principal: Principal | None, rows: Iterable[tuple[str | None, str | None]]) -> bool:
    """Whether `require_review_of` would let `principal` review these rows."""
    try:
        require_review_of(principal, rows)
    except PermissionDenied:
        return False
    return True


def own_submissions_only(principal: Principal) -> str | None:
    """The uploader whose submissions `principal` may see: staff their own, others all (None)."""
    require(principal, "view_submissions")
    return principal.username if principal.role == "staff" else None


def guarded_import(
    engine: Engine,
    principal: Principal,
    data: bytes,
    name: str,
    options: ImportOptions | None = None,
) -> ImportReport:
    """`import_file` as `principal`: scope and uploader set from the principal, and audited
    in the import's own transaction (the event is committed exactly with the rows).

    A dry run or a rejected file is recorded as `upload`; a file that wrote data as
    `commit`.
    """
    options = _options_for(principal, options)
    return import_file(engine, data, name, options, _recorder(principal, options))


def guarded_import_sheets(
    engine: Engine,
    principal: Principal,
    sheets: list[RawSheet],
    data: bytes,
    name: str,
    options: ImportOptions | None = None,
    validated: Validated | None = None,
) -> ImportReport:
    """`import_sheets` (sheets read and perhaps corrected in the page, or the rows a dry
    run validated) as `principal`, audited as `guarded_import` audits."""
    options = _options_for(principal, options)
    record = _recorder(principal, options)
    return import_sheets(engine, sheets, data, name, options, validated, record)


def _options_for(principal: Principal, options: ImportOptions | None) -> ImportOptions:
    scope = import_scope(principal)
    return replace(options or ImportOptions(), scope=scope, uploader=principal.username)


def _recorder(principal: Principal, options: ImportOptions) -> Recorder:
    """What records an import as `principal` on the importer's connection."""
    return lambda conn, report: record_import(conn, principal, report, options)


def record_import(
    conn: Connection, principal: Principal, report: ImportReport, options: ImportOptions
) -> None:
    """Audit one import: `commit` when it wrote data, else `upload` (a dry run, a refusal)."""
    audit.record(
        conn,
        principal.username,
        "commit" if writes(report, options) else "upload",
        file=report.file,
        status=report.status,
        dry_run=options.dry_run,
        submission_id=report.submission_id,
        rows_accepted=sum(s.rows_accepted for s in report.sheets),
        errors=report.error_count,
    )


def guarded_publication(
    conn: Connection,
    principal: Principal,
    bulletin,
    content: bytes,
    file_format: str,
    file_name: str,
    language: str | None,
) -> int | None:
    """`restatement.record_publication` when `principal` publishes bulletins (SPEC §1:
    admins export them); None, and nothing recorded, for anyone else, who may still read
    and download the bulletin: a copy a leader or staff member takes is not what the
    federation published."""
    if not allowed(principal, "publish_bulletin"):
        return None
    return record_publication(
        conn, bulletin, content, file_format, file_name, language, principal.username
    )


def guarded_rollback(engine: Engine, principal: Principal, submission_id: int) -> dict[str, int]:
    """Roll back a submission (admins only) and record it in the same transaction.

    Returns per table how many rows were withdrawn. An unknown or already rolled-back
    submission, or one whose rollback would change a closed period
    (`closed_periods.PeriodClosed`), raises InputError with a catalogue message.
    """
    require(principal, "rollback")
    with engine.begin() as conn:
        try:
            summary = rollback_submission(conn, submission_id, by=principal.username)
        except LookupError as error:
            raise InputError("permissions.no_such_submission", id=submission_id) from error
        except InputError:  # a closed period: its message says which and who closed it
            raise
        except NotStored as error:
            raise InputError("permissions.held_by_review", id=submission_id) from error
        except ValueError as error:
            raise InputError("permissions.already_rolled_back", id=submission_id) from error
        except WriterBusy as error:
            raise InputError("permissions.writer_busy", id=submission_id) from error
        audit.record(
            conn, principal.username, "rollback", submission_id=submission_id, rows=summary
        )
    return summary


def mask_enterprise_names(
    frame: pd.DataFrame, principal: Principal, columns: Iterable[str] = ENTERPRISE_NAME_COLUMNS
) -> pd.DataFrame:
    """The frame with enterprise names replaced by a marker unless `principal` may see them.

    Empty cells stay empty, so counts of named enterprises remain right. The input is
    never modified.
    """
    if allowed(principal, "view_enterprise_names"):
        return frame
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame
    marker = t("permissions.masked_name")
    masked = frame.copy()
    for column in present:
        values = masked[column]
        named = values.notna() & (values.astype(str).str.strip() != "")
        masked[column] = values.astype(object).where(~named, marker)
    return masked


def guarded_export(conn: Connection, principal: Principal, kind: str) -> pd.DataFrame:
    """`export.export_frame` as `principal`: enterprise names masked, staff see their own
    submissions only, and the export is recorded. Write the result with `write_frame`
    or `frame_to_xlsx`; the caller commits `conn`.
    """
    require(principal, "export")
    if kind == SUBMISSIONS:
        frame = submissions_export(conn, own_submissions_only(principal))
    else:
        frame = export_frame(conn, kind)
    frame = mask_enterprise_names(frame, principal)
    record_export(conn, principal, kind, len(frame))
    return frame


def audit_log(
    conn: Connection,
    principal: Principal,
    since: datetime | date | None = None,
    username: str | None = None,
    action: str | None = None,
    limit: int | None = audit.DEFAULT_LIMIT,
) -> pd.DataFrame:
    """`audit.events` for an administrator."""
    require(principal, "view_audit")
    return audit.events(conn, since=since, username=username, action=action, limit=limit)


def record_export(conn: Connection, principal: Principal, what: str, rows: int) -> None:
    """Record that `principal` exported `rows` rows of `what` (a kind, a page table...)."""
    require(principal, "export")
    audit.record(conn, principal.username, "export", what=what, rows=rows)
