"""SQLModel tables: master data, submissions and the versioned data of the five kinds.

Versioning: every row of the five uploaded kinds carries the submission that supplied
it and `is_current`. A later submission for the same key marks the old row
`is_current = False` (setting `superseded_by_id`) and inserts a new row whose
`replaced_id` points at it, so history is never destroyed and a rollback can
restore what a submission replaced. A partial unique index on the key over current
rows enforces the replacement keys of SPEC §4.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

CURRENT_ONLY = {"sqlite_where": text("is_current"), "postgresql_where": text("is_current")}


def current_key_index(table: str, *columns: str) -> Index:
    """Unique index over the replacement key, for current rows only."""
    return Index(f"uq_{table}_current_key", *columns, unique=True, **CURRENT_ONLY)


# --- master data -----------------------------------------------------------------


def aliases_field():
    """Other spellings of a master entry: a JSON list, [] when none. A type, not a column
    (`sa_column`): a column belongs to one table, and `NameList` makes two."""
    return Field(
        default_factory=list,
        sa_type=JSON,
        nullable=False,
        sa_column_kwargs={"server_default": "[]"},
    )


class District(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(unique=True, max_length=64)
    short_name: str = Field(max_length=32)
    pinyin: str = Field(max_length=64)
    kind: str = Field(max_length=32)  # city | district | functional_area
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    # The feature code of the district in the boundary file (BOUNDARY_FILE); the admin
    # code unless the file uses another.
    map_code: str = Field(default="", max_length=32)
    # A deactivated entry keeps its history but no new upload may name it (migration 0006).
    is_active: bool = True


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=128)
    # city_department | district_federation | federation_department | chamber | other
    category: str = Field(max_length=32)
    district_id: int | None = Field(default=None, foreign_key="district.id")
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    is_active: bool = True
    # Where reminders and 督办通知 are e-mailed ("": none; migration 0011).
    email: str = Field(default="", max_length=254)


class Action(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(unique=True, max_length=64)
    description: str = ""
    sort_order: int = 0
    aliases: list[str] = aliases_field()
    is_active: bool = True


class Brand(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    description: str = ""
    sort_order: int = 0
    aliases: list[str] = aliases_field()
    is_active: bool = True


class NameList(SQLModel):
    """A master list of plain names an upload must use one of, with their aliases."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    aliases: list[str] = aliases_field()
    sort_order: int = 0
    is_active: bool = True


class ActivityType(NameList, table=True):
    """活动类型: the kinds of activity the 活动台账 names."""

    __tablename__ = "activity_type"


class IssueCategory(NameList, table=True):
    """诉求类别: the categories of enterprise issues."""

    __tablename__ = "issue_category"


# --- submissions -------------------------------------------------------------------


class Submission(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    uploaded_at: datetime
    uploader: str = Field(max_length=128)
    file_name: str = Field(max_length=255)
    sha256: str = Field(index=True, max_length=64)
    file_size: int = 0
    kinds: str = ""  # comma-separated kind names
    periods: str = ""  # comma-separated canonical periods
    districts: str = ""  # comma-separated district names
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_new: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    # accepted | partial | superseded | rolled_back, and under review (migration 0009)
    # pending (待审核, nothing current yet) | returned (退回, never current)
    status: str = Field(max_length=16, index=True)
    valid_rows_only: bool = False
    rolled_back_at: datetime | None = None
    rolled_back_by: str | None = None
    note: str = ""
    # Sharp changes against the previous period the submitter confirmed before commit:
    # {sheet, row, message} of each the report listed, then {"unlisted": n} when n more
    # were confirmed past the problems a file lists (`importer._confirmed_warnings`).
    confirmed_warnings: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Review (migration 0009): who approved or returned it and when; the returned
    # submission this one resubmits.
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = None
    resubmission_of: int | None = Field(default=None, foreign_key="submission.id")
    # What a staff submitter might submit when they committed (`importer.SubmitterScope`
    # as a record, migration 0021): an approval checks the held rows against it again.
    # None for an unrestricted submitter (an admin, the command line).
    submitter_scope: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


# --- versioned data of the five kinds ----------------------------------------------


class Versioned(SQLModel):
    """Columns every versioned row has (not a table)."""

    submission_id: int = Field(foreign_key="submission.id", index=True)
    # No index of its own: nearly every row is current, and without table statistics
    # SQLite would pick it over the selective key indexes (see migration 0003).
    is_current: bool = Field(default=True)
    replaced_id: int | None = None
    superseded_by_id: int | None = Field(default=None, foreign_key="submission.id")


class Indicator(Versioned, table=True):
    __table_args__ = (current_key_index("indicator", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, index=True)
    name: str = Field(max_length=128)
    dimension: str = Field(max_length=64)
    unit: str = Field(default="", max_length=32)
    direction: str = Field(default="positive", max_length=16)  # positive | negative
    weight: float | None = None
    target: float | None = None
    frequency: str = Field(default="month", max_length=16)  # month | quarter | year
    aggregation: str = Field(default="sum", max_length=16)  # sum | last | mean
    source: str = ""
    note: str = ""


class IndicatorValue(Versioned, table=True):
    __tablename__ = "indicator_value"
    __table_args__ = (
        current_key_index("indicator_value", "indicator_code", "district_id", "period"),
        # Covers a period's reads (its values per indicator and geography): a month's
        # 36,000 values at 10x read from the index alone, not looked up row by row.
        Index(
            "ix_indicator_value_current_period",
            "is_current",
            "period",
            "indicator_code",
            "district_id",
            "value",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(max_length=64)
    district_id: int = Field(foreign_key="district.id")
    period: str = Field(max_length=16)
    value: float
    note: str = ""


class Task(Versioned, table=True):
    __table_args__ = (current_key_index("task", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, index=True)
    action_id: int = Field(foreign_key="action.id")
    content: str
    lead_unit_id: int = Field(foreign_key="unit.id")
    co_units: str = ""
    owner: str = ""
    start_date: date | None = None
    deadline: date | None = None
    deadline_text: str = ""
    ongoing: bool = False
    district_id: int | None = Field(default=None, foreign_key="district.id")
    # The report period whose row defined these attributes: a later report wins.
    report_period: str = Field(max_length=16)


class TaskSnapshot(Versioned, table=True):
    __tablename__ = "task_snapshot"
    __table_args__ = (
        current_key_index("task_snapshot", "task_code", "report_period"),
        # A task's reports in date order: its latest (or first) report as of a day; the
        # other columns let the progress over quarters read every report from the index.
        Index(
            "ix_task_snapshot_task_reports",
            "task_code",
            "is_current",
            "period_end",
            "id",
            "progress",
            "stated_status",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    task_code: str = Field(max_length=64)
    report_period: str = Field(max_length=16, index=True)
    # Last day of the report period, so "latest report as of a date" is a SQL query.
    period_end: date = Field(index=True)
    progress: float
    stated_status: str = Field(default="", max_length=16)  # "" | completed | suspended
    progress_note: str = ""


class Activity(Versioned, table=True):
    __table_args__ = (current_key_index("activity", "activity_date", "district_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    activity_date: date = Field(index=True)
    district_id: int = Field(foreign_key="district.id")
    activity_type: str = Field(max_length=64)
    name: str = Field(max_length=255)
    brand_id: int | None = Field(default=None, foreign_key="brand.id")
    enterprise_count: int | None = None
    participant_count: int | None = None
    organizer: str = ""
    note: str = ""


class EnterpriseIssue(Versioned, table=True):
    __tablename__ = "enterprise_issue"
    __table_args__ = (current_key_index("enterprise_issue", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, index=True)
    received_date: date = Field(index=True)
    district_id: int = Field(foreign_key="district.id")
    enterprise_name: str = Field(max_length=255)
    category: str = Field(max_length=64)
    content: str
    handling_unit: str = ""
    status: str = Field(max_length=16)  # received | in_progress | resolved | unresolvable
    resolved_date: date | None = None
    satisfaction: str = ""


# --- summaries of the task reports and the late list (migration 0013) ------------------
# Derived from the versioned rows above and kept exact by the write path, in the same
# transaction (data_model/store/summaries_tasks.py, which also rebuilds them).


class ReportedSummary(SQLModel, table=True):
    """Current rows per kind x report period x district x submission: who reported what,
    for the late list (schedule.py). A task report counts for its task's district
    (`district_id`, None for a city-wide task) and its lead unit (`lead_unit_id`, whose
    district is read at query time); an indicator value for its district (no unit)."""

    __tablename__ = "reported_summary"
    __table_args__ = (Index("ix_reported_summary_kind_period", "kind", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # indicator_values | tasks
    period: str = Field(max_length=16)
    district_id: int | None = None
    lead_unit_id: int | None = None
    submission_id: int
    row_count: int


class TaskLatest(SQLModel, table=True):
    """Each task's latest, first and first complete current report as of each report
    period's last day (every `period_end` a current report has), so that a status on a
    day is one lookup: the rows of the greatest `period_end` up to that day.

    The latest report's progress and stated status and the first and first complete
    report's period ends are carried here too (migration 0015), so that a status is
    judged from this table alone, without reading `task_snapshot`."""

    __tablename__ = "task_latest"
    __table_args__ = (Index("ix_task_latest_task", "task_code", "period_end"),)
    period_end: date = Field(primary_key=True)
    task_code: str = Field(primary_key=True, max_length=64)
    latest_id: int
    first_id: int
    completed_id: int | None = None
    progress: float
    stated_status: str = Field(default="", max_length=16)
    completed_end: date | None = None
    first_end: date
    # The three reports' report periods (migration 0016), for the lists of tasks.
    latest_period: str = Field(max_length=16)
    first_period: str = Field(max_length=16)
    completed_period: str | None = Field(default=None, max_length=16)


class TaskStatusSummary(SQLModel, table=True):
    """The current tasks counted per status at each report period end (every
    `period_end` of `task_latest`), judged on that day, per action x lead unit x district
    (`district_id` None: city-wide tasks), so that a status count on a past report period
    end reads a few hundred rows instead of judging every task (migration 0016).

    Reported complete (and not suspended) tasks are split by whether evidence was
    attached by that day, so that the setting EVIDENCE_REQUIRED is applied when read:
    completed is `completed_with_evidence` (plus `completed_without_evidence` when no
    evidence is required, else those are 待佐证); the same for the on-time ones.
    `overdue_progress` and `behind_gap` are the sums the lists' headings average;
    `first_code` orders the groups as `task_counts.status_counts` lists them. Kept by
    the write path (data_model/store/summaries_task_status.py)."""

    __tablename__ = "task_status_summary"
    __table_args__ = (Index("ix_task_status_summary_end", "period_end"),)
    id: int | None = Field(default=None, primary_key=True)
    period_end: date
    action_id: int
    lead_unit_id: int
    district_id: int | None = None
    in_progress: int
    behind: int
    overdue: int
    not_started: int
    suspended: int
    completed_with_evidence: int
    completed_without_evidence: int
    on_time_with_evidence: int
    on_time_without_evidence: int
    overdue_progress: float
    behind_gap: float
    first_code: str = Field(max_length=64)


# --- uploads, schedule, users and audit (migration 0002) ----------------------------


class SubmissionFile(SQLModel, table=True):
    """The exact bytes of an accepted upload, so it can be downloaded as it was sent."""

    __tablename__ = "submission_file"
    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class HeldUpload(SQLModel, table=True):
    """A checked upload kept on the server until it can be committed (migration 0007): it
    names something the master data does not know yet, and its uploader re-checks it once
    an admin has acted, without sending the file again."""

    __tablename__ = "held_upload"
    __table_args__ = (UniqueConstraint("username", "sha256", name="uq_held_upload_user_file"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    period: str | None = Field(default=None, max_length=16)
    district: str | None = Field(default=None, max_length=64)
    valid_rows_only: bool = False
    # Cells corrected in the page: [sheet, row, column, text] (0-based row and column).
    edits: list[list] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The unknown names it waits for: {list_key, value, rows, candidates, close}.
    unknown: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    saved_at: datetime


class ExpectedSubmission(SQLModel, table=True):
    """Who owes which kind of data for which period, and by when (the 报送 schedule)."""

    __tablename__ = "expected_submission"
    __table_args__ = (
        UniqueConstraint("district_id", "unit_id", "kind", "period", name="uq_expected_submission"),
    )
    id: int | None = Field(default=None, primary_key=True)
    district_id: int | None = Field(default=None, foreign_key="district.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    kind: str = Field(max_length=32)
    period: str = Field(max_length=16)
    due_date: date
    note: str = ""


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(default="", max_length=128)
    password_hash: str = Field(default="", max_length=255)  # "" for single-sign-on users
    role: str = Field(max_length=16)  # admin | leader | staff
    # Names of the districts and units a staff user may submit for.
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    units: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime
    last_login_at: datetime | None = None
    email: str = Field(default="", max_length=254)  # reminders for their scope (0011)


class SignInSession(SQLModel, table=True):
    """One signed-in browser (migration 0008); see data_model/accounts/sessions.py.

    Only the SHA-256 of the random id the browser's cookie holds is stored. While
    `handoff_until` is set, the hash is of the one-time handoff token the page gives the
    browser to fetch its cookie with, not yet of a session id.
    """

    __tablename__ = "sign_in_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    handoff_until: datetime | None = None
    revoked_at: datetime | None = None
    # sign_out | idle | disabled | password
    revoked_reason: str | None = Field(default=None, max_length=16)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    username: str = Field(max_length=64, index=True)
    # login | login_failed | logout | upload | commit | rollback | user_change | export ...
    action: str = Field(max_length=32, index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- writers' locks (migration 0005) -------------------------------------------------


class WriteLock(SQLModel, table=True):
    """One row per spreadsheet kind, plus `schedule` and `master_data`, locked by every
    transaction that writes them (an import or a rollback before it reads the current rows
    it will replace) and counted up, so the versions together are the pages' cache key.

    Locking a row works alike on both engines: on PostgreSQL the UPDATE holds a row lock
    until commit, so a second writer of the same kind waits and then sees the first one's
    rows; on SQLite it starts the write transaction, which SQLite allows one at a time.
    """

    __tablename__ = "write_lock"
    name: str = Field(primary_key=True, max_length=32)
    version: int = 0
    holder: str = Field(default="", max_length=64)
    taken_at: datetime | None = None


# --- explanations and evidence (migration 0012) --------------------------------------


class Explanation(SQLModel, table=True):
    """情况说明: why a stored row is late, behind, off target or far from its last value.

    Linked to the exact row version it explains (`row_table`, `row_id`: a task report or
    an indicator value), so a rollback that restores an earlier version shows that
    version's explanation. `reasons` are EXPLANATION_REASONS (explanations.py); `source`
    says where the text came from: the sheet's own column, the upload page or --explain.
    """

    __table_args__ = (
        UniqueConstraint("row_table", "row_id", name="uq_explanation_row"),
        Index("ix_explanation_submission", "submission_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    row_table: str = Field(max_length=32)  # task_snapshot | indicator_value
    row_id: int
    submission_id: int = Field(foreign_key="submission.id")
    reasons: str = Field(max_length=128)  # comma-separated: overdue,behind,missed_target,…
    text: str
    source: str = Field(max_length=16)  # sheet | page | cli
    author: str = Field(max_length=128)
    created_at: datetime


class Evidence(SQLModel, table=True):
    """佐证材料: a file attached to a task report (task code + report period, the report's
    key, so a corrected re-upload of the report keeps its evidence).

    The bytes are in `content`, or under EVIDENCE_DIR as `stored_path` (named by SHA-256);
    `content_type` is the type found from the bytes themselves, never the one a browser sent.
    """

    __table_args__ = (Index("ix_evidence_task_report", "task_code", "report_period"),)
    id: int | None = Field(default=None, primary_key=True)
    task_code: str = Field(max_length=64)
    report_period: str = Field(max_length=16)
    period_end: date  # the report's last day: evidence as of a date, in SQL
    file_name: str = Field(max_length=255)
    file_type: str = Field(max_length=16)  # pdf | png | jpeg | gif | webp | docx | xlsx | doc | xls
    content_type: str = Field(max_length=128)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    stored_path: str = Field(default="", max_length=255)
    uploader: str = Field(max_length=128)
    uploaded_at: datetime
    note: str = ""
    # The task's district and lead unit when it was attached (migration 0022): the
    # evidence is listed and served with that owner's task only (`evidence._of_current_task`).
    district_id: int | None = Field(default=None, foreign_key="district.id")
    lead_unit_id: int | None = Field(default=None, foreign_key="unit.id")


# --- reminders and 督办 (migration 0011) ------------------------------------------------


class EscalationLevel(SQLModel, table=True):
    """An escalation level (提醒 remind, 催办 urge, 督办 supervise) and the day, counted
    from the due date (negative: before it), from which an open item reaches it."""

    __tablename__ = "escalation_level"
    level: str = Field(primary_key=True, max_length=16)
    from_day: int


class SupervisionNotice(SQLModel, table=True):
    """A numbered 督办通知 issued to one unit: its number in the year's sequence, the
    items it listed and the Word document as issued."""

    __tablename__ = "supervision_notice"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_supervision_notice_number"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: int
    unit_id: int = Field(foreign_key="unit.id")
    unit_name: str = Field(max_length=128)
    as_of: date
    issued_at: datetime
    issued_by: str = Field(max_length=64)
    items: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Delivery(SQLModel, table=True):
    """One reminder sent (or not) to one unit over one channel, with its outcome."""

    __tablename__ = "delivery"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    channel: str = Field(max_length=16)  # email | webhook
    target: str = Field(max_length=255)  # addresses, or the webhook's host
    unit_name: str = Field(max_length=128)
    as_of: date
    items: int = 0
    status: str = Field(max_length=16)  # sent | failed
    attempts: int = 0
    error: str = ""


# --- closed periods and published bulletins (migration 0010) -------------------------


class ClosedPeriod(SQLModel, table=True):
    """A period an admin closed for one kind: while `reopened_at` is empty, no upload,
    approval or rollback may change that kind's data inside it (`closed_periods`).
    Reopening fills the reopen columns; closing again adds a new row, so every close and
    reopen stays on record."""

    __tablename__ = "closed_period"
    __table_args__ = (
        Index(
            "uq_closed_period_open",
            "kind",
            "period",
            unique=True,
            sqlite_where=text("reopened_at IS NULL"),
            postgresql_where=text("reopened_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    period: str = Field(max_length=16)
    closed_at: datetime
    closed_by: str = Field(max_length=64)
    reopened_at: datetime | None = None
    reopened_by: str | None = Field(default=None, max_length=64)
    reopen_reason: str = ""


class BulletinPublication(SQLModel, table=True):
    """A bulletin file generated for a closed period: what it published (`figures`, see
    `restatement.figures_record`), the data rows it was computed from (`basis`: current row
    ids per table within the period), the SHA-256 of the file, and the figures it said it
    restated (`restated`, empty for an original bulletin)."""

    __tablename__ = "bulletin_publication"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16, index=True)
    generated_at: datetime
    generated_by: str = Field(max_length=64)
    file_name: str = Field(default="", max_length=255)
    file_format: str = Field(max_length=8)  # docx | xlsx | pdf
    language: str = Field(default="", max_length=8)
    sha256: str = Field(max_length=64)
    figures: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    basis: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    restated: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --- review before it counts (migration 0009) ----------------------------------------


class ReviewRule(SQLModel, table=True):
    """Staff submissions of `kind` need review: everywhere (no district, no unit), or only
    rows of one district or of one lead unit."""

    __tablename__ = "review_rule"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    district_id: int | None = Field(default=None, foreign_key="district.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    set_by: str = Field(max_length=64)
    set_at: datetime


class PendingRow(SQLModel, table=True):
    """One validated record of a submission under review, stored as data (not current
    anywhere) until approval writes it like any import, or kept when it is returned."""

    __tablename__ = "pending_row"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    kind: str = Field(max_length=32)
    sheet: str = Field(default="", max_length=255)
    row: int | None = None  # as Excel numbers it
    record: dict = Field(sa_column=Column(JSON, nullable=False))


class ReviewNote(SQLModel, table=True):
    """A reviewer's reason for returning a submission: for the whole of it (no row), a
    row, or one cell of a row (`column`, the header as the sheet names it)."""

    __tablename__ = "review_note"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    pending_row_id: int | None = Field(default=None, foreign_key="pending_row.id")
    column: str = Field(default="", max_length=128)
    reason: str
    by: str = Field(max_length=64)
    at: datetime


# --- indicator value summaries (migration 0014) --------------------------------------


class IndicatorValueSummary(SQLModel, table=True):
    """The current values of one indicator and geography inside a quarter or a year,
    per granularity of the values (`frequency`: month or quarter, finer than `period`):
    how many, their total, and the latest one. Derived from `indicator_value` by
    `summaries_values` in the transaction that changes which values are current, so the
    aggregation reads one row per period shown instead of every month inside it."""

    __tablename__ = "indicator_value_summary"
    period: str = Field(primary_key=True, max_length=16)  # a quarter or a year
    indicator_code: str = Field(primary_key=True, max_length=64)
    district_id: int = Field(primary_key=True)
    frequency: str = Field(primary_key=True, max_length=16)  # month | quarter
    reported: int
    total: float
    latest_period: str = Field(max_length=16)
    latest_value: float


# --- district score summaries (migration 0017) ---------------------------------------


class PeriodScoreSummary(SQLModel, table=True):
    """One scored district's score in one quarter or year, per dimension and for
    the composite (`dimension` ""), as the default evaluation method gives it: the
    score, how many of the counted indicators it did not report (`missing_count`), how
    many of them have a target for the period (`with_targets`) and how many of those it
    met (`met_targets`); `has_values`: whether any district has a value of the
    dimension's indicators in the period (without, scoring that dimension alone gives
    nothing). No ranks: they depend on rounding and on the districts' order, and are
    computed when read. Derived by `summaries_scores` in the transaction that changes
    what the scores are computed from, so a ranking reads a dozen rows instead of
    scoring every indicator of the period."""

    __tablename__ = "period_score_summary"
    period: str = Field(primary_key=True, max_length=16)
    dimension: str = Field(primary_key=True, max_length=64)  # "": the composite
    district_id: int = Field(primary_key=True)
    score: float | None = None  # None: no weight in the dimension (NaN)
    missing_count: int
    met_targets: int
    with_targets: int
    has_values: bool


# --- coverage totals (migration 0018) ------------------------------------------------


class PeriodCoverageSummary(SQLModel, table=True):
    """One geography's indicator coverage in one quarter or year: the values it reported
    and owed of the current indicators expected in the period, the indicators with every
    expected value (`complete`) and the indicators expected (`indicators`). Derived by
    `summaries_coverage` in the transaction that changes what they are counted from, so
    the coverage measures read a dozen rows instead of the geography × indicator grid."""

    __tablename__ = "period_coverage_summary"
    period: str = Field(primary_key=True, max_length=16)
    district_id: int = Field(primary_key=True)
    reported: int
    expected: int
    complete: int
    indicators: int


# --- master-data reference counts (migration 0020) -------------------------------------


class ReferenceCount(SQLModel, table=True):
    """How many rows of one kind's table (every version, current or not) hold `value` in
    one column naming a master-data entry: an entry's id as text (`district_id`,
    `lead_unit_id`, …) or its name (`activity_type`, `category`). Derived by
    `summaries_references` in the transaction that inserts or retargets those rows, so
    the master-data page reads a row per entry instead of counting every stored value."""

    __tablename__ = "reference_count"
    table_name: str = Field(primary_key=True, max_length=64)
    column_name: str = Field(primary_key=True, max_length=64)
    value: str = Field(primary_key=True, max_length=255)
    rows: int
