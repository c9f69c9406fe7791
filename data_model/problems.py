"""What the importer tells the user about a file: problems and per-sheet reports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from data_model.formatting import join_names
from data_model.i18n import t

if TYPE_CHECKING:
    from data_model.ingest.validated import Validated


def _attributes(report: object, names: str) -> dict:
    """The attributes of `report` named (separated by spaces), in that order, for JSON."""
    return {name: getattr(report, name) for name in names.split()}


@dataclass(frozen=True)
class UnknownNameHint:
    """An unknown name of a master list an admin can resolve in place: the list
    (`master_admin.LISTS` key), the name as written, up to three nearest known names and
    the nearest one when it is close enough to preselect (never applied without the admin)."""

    list_key: str
    value: str
    candidates: tuple[str, ...] = ()
    close: str | None = None


@dataclass(frozen=True)
class ExplanationNeed:
    """A row that needs an explanation (情况说明): where it is, what it is, and why
    (see `queries.explanations` for which rows do)."""

    sheet: str
    row: int  # as Excel numbers it
    kind: str  # tasks | indicator_values
    subject: str  # the task code, or indicator · district · period
    reasons: tuple[str, ...]

    def reason_text(self, language: str | None = None) -> str:
        return join_names((t(f"explanations.reason_{r}", language) for r in self.reasons), language)


# The code of a sheet's warning that its sharp changes share one power of ten: listed
# first among its warnings (`importer._warn_sharp_changes`).
SCALE_HINT = "plausibility.unit_scale"

# What a report states of a problem (its JSON, the problems table of the upload page).
PROBLEM_FIELDS = ("sheet", "row", "column", "value", "message", "suggestion")
problem_fields = attrgetter(*PROBLEM_FIELDS)


@dataclass(frozen=True)
class Problem:
    """One problem, located as Excel shows it: sheet name, 1-based row, column header."""

    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    suggestion: str | None = None
    # Whether `suggestion` is a value for the cell (`福田区` for `福天区`), which the command
    # line asks about, or an instruction (what to do about a missing explanation), which
    # it prints as it is.
    suggests_value: bool = field(default=True, compare=False)
    # 0-based (row, column) of the cell, for highlighting and in-page correction.
    cell: tuple[int, int] | None = field(default=None, compare=False)
    # Set when the problem is an unknown name that can be resolved in place.
    unknown_name: UnknownNameHint | None = field(default=None, compare=False)
    # Set when the problem is a row that needs an explanation (情况说明) it does not have.
    explanation: ExplanationNeed | None = field(default=None, compare=False)
    # What kind of problem a row's is (its message's catalogue key, or one naming a family
    # of them: `importer.scope`), where rows can share it: a file with more problems than
    # a page lists shows them counted by kind (`workflow.upload.problem_groups`).
    # Problems without one are counted by message.
    code: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return dict(zip(PROBLEM_FIELDS, problem_fields(self), strict=True))


@dataclass
class OwnerCells:
    """Where a sheet's rows name what the scope check reads of them (their district, lead
    unit or code: `importer.scope_refusals`), kept while validating so that a row the check
    refuses is an error on that cell, as any other; filled only for a scoped upload.

    `columns`: record field → (0-based column, its header as the file reads). `written`:
    (0-based row, field) → the cell as written, where it is not the stored name (an alias,
    or a blank cell whose row took the sheet's or the upload's district). `whole_sheet`:
    field → one cell naming it for every row (a wide sheet's `地区：福田区`), as
    (0-based row, 0-based column, column letters, text)."""

    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    written: dict[tuple[int, str], str] = field(default_factory=dict)
    whole_sheet: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)


# Problems a file lists one by one; past this many, its sheets count the others. A wide
# table of 3,000 rows by 999 periods, every cell a duplicate, made 2.7 million problems
# that held 2.2 GB of the app's memory; every listed problem takes about 800 bytes.
MAX_LISTED_PROBLEMS = 100_000


@dataclass
class ProblemBudget:
    """How many more problems a file lists (`MAX_LISTED_PROBLEMS`): one, shared by the
    reports of its sheets."""

    left: int = field(default_factory=lambda: MAX_LISTED_PROBLEMS)


def _file_position(problem: Problem) -> tuple[int, int, int]:
    """Where `problem` is in its sheet, for ordering: (has a row, row, column index)."""
    column = problem.cell[1] if problem.cell is not None else -1
    return (problem.row is not None, problem.row or 0, column)


@dataclass
class SheetReport:
    """What one sheet gave: its kind and layout, its rows, and its problems.

    Problems are added with `add_error` and `add_warning`, which list them while the file's
    budget lasts and then count them (`unlisted_errors`, `unlisted_warnings`). A sheet's
    first error is listed whatever the budget, so that `errors` is empty only when the
    sheet has none: decisions read it.
    """

    sheet: str
    kind: str | None = None
    # long (template form) | districts_x_indicators | indicators_x_periods | geographies_x_periods
    layout: str | None = None
    header_row: int | None = None
    rows_read: int = 0
    # Rows without an error, as the importer decided on them (a rejected file's too).
    rows_valid: int = 0
    rows_accepted: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unlisted_errors: int = 0
    unlisted_warnings: int = 0
    budget: ProblemBudget = field(default_factory=ProblemBudget, repr=False, compare=False)
    owner_cells: OwnerCells | None = field(default=None, repr=False, compare=False)

    def add_error(self, problem: Problem) -> None:
        if self.budget.left > 0 or not self.errors:
            self.errors.append(problem)
            self.budget.left -= 1
        else:
            self.unlisted_errors += 1

    def add_warning(self, problem: Problem) -> bool:
        """Add `problem`; whether it is listed (else only counted)."""
        if self.budget.left > 0:
            self.warnings.append(problem)
            self.budget.left -= 1
            return True
        self.unlisted_warnings += 1
        return False

    def in_file_order(self, level: str) -> list[Problem]:
        """The sheet's listed errors (`level` "error") or warnings ("warning") as a reader
        goes through the sheet: those of no row first, then by row, then by column. (They
        are found check by check: a row refused for its district was listed after every
        wrong number.)"""
        problems = self.errors if level == "error" else self.warnings
        return sorted(problems, key=_file_position)

    def to_dict(self) -> dict:
        return {
            **_attributes(
                self,
                "sheet kind layout header_row rows_read rows_valid rows_accepted "
                "unlisted_errors unlisted_warnings",
            ),
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }


@dataclass
class ImportReport:
    """The outcome for one file. status: accepted | partial | rejected | unchanged, or
    pending (stored for review: nothing current until a reviewer approves)."""

    file: str
    status: str
    submission_id: int | None = None
    message: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    rows_new: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    # A sample of replaced rows: {"table", "key": {...}, "changes": {column: [old, new]}}.
    replaced_examples: list[dict] = field(default_factory=list)
    # The warnings about values far from the previous period's: the only ones a submitter
    # must confirm (the others, such as a generated task code, are notes). Those its
    # sheets list (the file's budget, `MAX_LISTED_PROBLEMS`), the others counted: a file
    # in 元 instead of 万元 makes every one of 300,000 rows one.
    sharp_changes: list[Problem] = field(default_factory=list)
    unlisted_sharp_changes: int = 0
    # Rows that need an explanation (情况说明) and have none: each an error on its row,
    # listed (`Problem.explanation`) while the budget lasts and counted past it.
    unexplained_rows: int = 0
    # A review rule covers these rows: a commit holds them for a reviewer (status pending).
    needs_review: bool = False
    resubmission_of: int | None = None  # the returned submission a pending one resubmits
    # A dry run's validated rows, for a commit of exactly these rows (`validated`).
    validated: Validated | None = field(default=None, repr=False, compare=False)
    # The problems this file may still list, shared by its sheets' reports.
    budget: ProblemBudget = field(default_factory=ProblemBudget, repr=False, compare=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for s in self.sheets for p in s.errors]

    @property
    def warnings(self) -> list[Problem]:
        return [p for s in self.sheets for p in s.warnings]

    @property
    def error_count(self) -> int:
        """Errors listed and unlisted."""
        return sum(len(s.errors) + s.unlisted_errors for s in self.sheets)

    @property
    def problem_count(self) -> int:
        """Errors and warnings, listed and unlisted."""
        return self.error_count + sum(len(s.warnings) + s.unlisted_warnings for s in self.sheets)

    @property
    def scale_hints(self) -> list[str]:
        """What the sheets whose sharp changes are mostly one power of ten (元 for 万元) are
        told (`plausibility.scale_message`): each such sheet's first warning."""
        return [
            s.warnings[0].message
            for s in self.sheets
            if s.warnings and s.warnings[0].code == SCALE_HINT
        ]

    @property
    def sharp_change_count(self) -> int:
        """Sharp changes, listed and unlisted: what a submitter confirms."""
        return len(self.sharp_changes) + self.unlisted_sharp_changes

    @property
    def unlisted_count(self) -> int:
        """Problems past the file's budget, counted only (`MAX_LISTED_PROBLEMS`)."""
        return sum(s.unlisted_errors + s.unlisted_warnings for s in self.sheets)

    def by_level(self) -> Iterator[tuple[str, Problem]]:
        """Every problem with its level (`error`, `warning`): errors then warnings, each in
        the order of the file (sheet by sheet, then by row and column: `in_file_order`).
        The page's list, its download and the marked copy's list all read this."""
        for level in ("error", "warning"):
            for sheet in self.sheets:
                for problem in sheet.in_file_order(level):
                    yield level, problem

    def to_dict(self) -> dict:
        return {
            **_attributes(self, "file status submission_id message"),
            **_attributes(
                self, "rows_new rows_replaced rows_unchanged needs_review resubmission_of"
            ),
            "sheets": [s.to_dict() for s in self.sheets],
        }
