"""Command line: `python -m data_model COMMAND ...`. Each command wraps a library function."""

from __future__ import annotations

import argparse
import errno
import getpass
import json
import os
import re
import signal
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from data_model import settings
from data_model.accounts import users
from data_model.accounts.permissions import (
    SYSTEM,
    PermissionDenied,
    guarded_import,
    guarded_publication,
    record_export,
)
from data_model.admin import backup, master_admin
from data_model.admin.bootstrap import (
    SAMPLE_FILES,
    connect,
    database_problem,
    init_from_master_workbook,
    open_database,
    seed,
)
from data_model.admin.master_workbook import export_workbook, import_workbook
from data_model.admin.period_closing import LIST_COLUMNS as PERIOD_LIST_COLUMNS
from data_model.admin.period_closing import close_period, closures_frame, reopen_period
from data_model.charts.images import ChartImageError
from data_model.errors import InputError
from data_model.evaluation.scoring import district_scores, scores_export_frame
from data_model.formatting import join_names, time_text, unit_word
from data_model.i18n import DEFAULT_LANGUAGE, LANGUAGES, command_line, t
from data_model.ingest.importer import ImportOptions
from data_model.ingest.templates import template_workbook
from data_model.outputs.bulletin import (
    RESTATEMENT_COLUMNS,
    as_issued,
    bulletin_docx,
    bulletin_figures,
    bulletin_pdf,
    bulletin_xlsx,
    restatement_heading,
    restatement_rows,
)
from data_model.outputs.export import export_frame, export_kinds, output_suffix, write_frame
from data_model.outputs.office_pdf import (
    PdfConversionError,
    PdfUnavailable,
    find_soffice,
    soffice_problem,
)
from data_model.outputs.restatement import restatement_of
from data_model.periods import (
    GRANULARITIES,
    parse_period,
    period_containing,
    period_end,
    period_label,
    to_granularity,
)
from data_model.problems import ImportReport, Problem, SheetReport
from data_model.queries.forecast import forecast_table
from data_model.queries.shared import data_years, has_data
from data_model.queries.task_queries import status_table
from data_model.reference.master import load_master
from data_model.store import audit
from data_model.store.db import migrate
from data_model.store.kind_registry import CLI_NAMES, closable_kinds
from data_model.supervision.delivery import configured_channels, deliver_reminders
from data_model.supervision.reminders import item_json, items_frame, reminder_items
from data_model.workflow import review
from data_model.workflow.upload import problem_groups

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_OUTPUT_CLOSED = 128 + signal.SIGPIPE  # 141, as a shell shows a tool ended by SIGPIPE


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def input_file(name: str) -> Path:
    """The file `name` names, to be read: a usage error saying so when it does not exist,
    is a folder or cannot be read. Every command that reads a file checks it here."""
    path = Path(name)
    if path.is_dir():
        raise UsageError(t("cli.input_is_folder", file=name))
    if not path.is_file():
        raise UsageError(t("cli.no_such_file", file=name))
    try:
        path.open("rb").close()
    except OSError as error:
        raise UsageError(file_problem(error)) from error
    return path


def input_files(names: Sequence[str]) -> list[Path]:
    """`input_file` of each name, every one checked before any is read: a missing second
    file of three refuses the command before the first is imported."""
    paths = []
    for name in names:
        try:
            paths.append(input_file(name))
        except UsageError as error:
            if len(names) == 1:
                raise
            raise UsageError(t("cli.none_read", problem=error, count=len(names))) from error
    return paths


def cmd_init(args) -> int:
    if args.master is None:
        engine = open_database(args.db)
    else:
        path = input_file(args.master)
        engine = connect(args.db, create=True)
        migrate(engine)
        report = init_from_master_workbook(engine, path)
        if report.status == "rejected":
            print_report(report, has_json=False)
            return EXIT_REJECTED
    print(t("cli.init_done", url=engine.url.render_as_string(hide_password=True)))
    return EXIT_OK


def cmd_import(args) -> int:
    paths = input_files(args.files)
    engine = open_database(args.db, create=False)
    principal = _acting_principal(engine, args.user)
    options = ImportOptions(
        period=_period_option(args.period),
        district=_district_option(engine, args.district),
        valid_rows_only=args.valid_rows_only,
        dry_run=args.dry_run,
        explain=args.explain or "",
    )
    worst = EXIT_OK
    for path in paths:
        try:
            report = guarded_import(engine, principal, path.read_bytes(), path.name, options)
        except PermissionDenied as error:
            raise UsageError(error.message()) from error
        print_report(report, as_json=args.json, dry_run=args.dry_run)
        if report.status == "rejected":
            worst = EXIT_REJECTED
    return worst


def _acting_principal(engine: Engine, username: str | None):
    """The principal the command acts as: the active user named by --user, with that user's
    rights exactly as in the page, or the system actor when --user is not given."""
    if username is None:
        return SYSTEM
    with engine.connect() as conn:
        principal = users.principal_for(conn, username)
    if principal is None:
        raise UsageError(t("cli.no_such_active_user", username=username))
    return principal


def _period_option(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return parse_period(raw)
    except InputError as error:
        raise UsageError(f"--period: {error.message()}") from error


def _district_option(engine: Engine, raw: str | None) -> str | None:
    if raw is None:
        return None
    with engine.connect() as conn:
        try:
            return load_master(conn).districts.match(raw)
        except InputError as error:
            raise UsageError(f"--district: {error.message()}") from error


# Problems a report lists one by one in a terminal: past this many (a month's file without
# its 情况说明 printed 1,285 lines), they are first counted by kind, as the upload page
# counts them (`upload.problem_groups`), and --json lists every one.
PROBLEMS_IN_TERMINAL = 50


def print_report(
    report: ImportReport, as_json: bool = False, dry_run: bool = False, has_json: bool = True
) -> None:
    """The report, a line per sheet and per problem; `dry_run`: nothing was written, which
    its outcome says (an import that would be accepted is not "accepted"), and so do its
    sheets' lines (rows valid, not imported), as those of a refused or unchanged file do.
    A report of more than PROBLEMS_IN_TERMINAL problems is counted by kind first, then its
    first ones listed; `has_json`: the command has --json, which the count says lists all."""
    if as_json:  # one JSON object
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        return
    checked_only = dry_run and report.status not in ("rejected", "unchanged")
    outcome = t("cli.status_checked" if checked_only else f"cli.status_{report.status}")
    print(f"{report.file}: {outcome} — {report.message}")
    total = report.problem_count
    if total > PROBLEMS_IN_TERMINAL:
        print("  " + t("cli.problems_many", total=total, shown=PROBLEMS_IN_TERMINAL))
        for group in problem_groups(report, PROBLEMS_IN_TERMINAL).itertuples(index=False):
            first = Problem(group.sheet, group.row, group.column, None, group.message)
            label = t(f"cli.{group.level}")
            print("    " + t("cli.group_count", count=group.count) + problem_line(label, first))
    nothing_written = dry_run or report.status in ("rejected", "unchanged")
    shown = 0
    for sheet in report.sheets:
        if sheet.sheet:  # not the file's own problems (not a workbook, --replace refused)
            print("  " + sheet_line(sheet, nothing_written))
        for level in ("error", "warning"):
            label = t(f"cli.{level}")
            for p in sheet.in_file_order(level):
                if not sheet.sheet and p.message == report.message:
                    continue  # the file refused as a whole: its one reason is said above
                if shown < PROBLEMS_IN_TERMINAL:
                    print(f"    {problem_line(label, p)}")
                shown += 1
    if shown > PROBLEMS_IN_TERMINAL:
        key = "cli.problems_more_json" if has_json else "cli.problems_more"
        print("  " + t(key, count=total - PROBLEMS_IN_TERMINAL))


def sheet_line(sheet: SheetReport, nothing_written: bool) -> str:
    """A sheet's kind and rows: those imported, or, when nothing was written (a dry run,
    a refused or unchanged file), those valid."""
    kind = t(f"kinds.{sheet.kind}") if sheet.kind else "-"
    if nothing_written:
        return t(
            "cli.sheet_line_valid",
            sheet=sheet.sheet,
            kind=kind,
            read=sheet.rows_read,
            valid=sheet.rows_valid,
        )
    return t(
        "cli.sheet_line",
        sheet=sheet.sheet,
        kind=kind,
        read=sheet.rows_read,
        accepted=sheet.rows_accepted,
    )


def problem_line(label: str, problem: Problem) -> str:
    """`错误 [指标数据 第3行 区] “福天区”: …`: where the problem is, as far as it has a place
    (a sheet's own problem has no row, the file's none at all), its value and message."""
    place = [problem.sheet] if problem.sheet else []
    if problem.row:
        place.append(t("cli.where_row", row=problem.row))
    if problem.column:
        place.append(problem.column)
    head = [label]
    if place:
        head.append(f"[{' '.join(place)}]")
    if problem.value:
        head.append(f"“{problem.value}”")
    hint = suggestion_hint(problem.suggestion, problem.suggests_value)
    return f"{' '.join(head)}: {problem.message}{hint}"


def suggestion_hint(suggestion: str | None, is_value: bool = True) -> str:
    """A suggestion as it follows a message: a value asked about (`（是否为：福田区？）`),
    an instruction as it is (`Problem.suggests_value`); nothing without one."""
    if not suggestion:
        return ""
    return " " + (t("cli.did_you_mean", suggestion=suggestion) if is_value else suggestion)


def output_file(name: str, suffix: str) -> Path:
    """The file `name` names, to be written as `suffix` (`.xlsx`, `.zip`): a usage error
    when its name ends otherwise, checked before any work (`output_suffix`)."""
    try:
        output_suffix(name, (suffix,))
    except ValueError as error:
        raise UsageError(str(error)) from error
    return Path(name)


def cmd_export(args) -> int:
    engine = open_database(args.db, create=False)
    with engine.begin() as conn:
        frame = export_frame(conn, args.kind)
        try:
            write_frame(frame, args.out)
        except ValueError as error:
            raise UsageError(str(error)) from error
        record_export(conn, SYSTEM, args.kind, len(frame))
    print(t("cli.exported", rows=len(frame), file=args.out))
    return EXIT_OK


def _read(db: str | None, read, *params):
    """`read(conn, *params)` on the database `db` (migrated first)."""
    with open_database(db, create=False).connect() as conn:
        return read(conn, *params)


def cmd_task_status(args) -> int:
    return export_to(_read(args.db, status_table, _as_of_option(args.as_of)), args.out)


def cmd_forecast(args) -> int:
    as_of = _as_of_option(args.as_of)
    frame = _read(args.db, forecast_table, as_of)
    if args.out is None:
        print(frame.to_string(index=False) if len(frame) else t("cli.forecast_none", as_of=as_of))
        return EXIT_OK
    return export_to(frame, args.out)


def export_to(frame, out: str) -> int:
    """Write a frame as .csv or .xlsx (an unknown suffix is a usage error) and say so."""
    try:
        write_frame(frame, out)
    except ValueError as error:
        raise UsageError(str(error)) from error
    print(t("cli.exported", rows=len(frame), file=out))
    return EXIT_OK


def cmd_scores(args) -> int:
    period = _scores_period(args.period, args.granularity)
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        scores = district_scores(conn, period)
        years = data_years(conn)
    if scores.empty:
        years_text = ", ".join(str(y) for y in years) or "-"
        raise UsageError(t("evaluation.cli_no_scores", period=period, years=years_text))
    try:
        write_frame(scores_export_frame(scores), args.out)
    except ValueError as error:
        raise UsageError(str(error)) from error
    print(t("evaluation.cli_written", period=period, rows=len(scores), file=args.out))
    return EXIT_OK


def cmd_bulletin(args) -> int:
    period = _period_option(args.period)
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".docx", ".pdf", ".xlsx"):
        raise UsageError(t("bulletin.cli_bad_extension", file=args.out))
    if suffix == ".pdf" and find_soffice() is None:  # say so before any work is done
        raise UsageError(t("bulletin.cli_no_soffice", error=soffice_problem()))
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        try:
            figures = as_issued(bulletin_figures(conn, period))
        except ValueError as error:  # BULLETIN_NUMBER or BULLETIN_DATE
            raise UsageError(t("bulletin.cli_bad_setting", error=error)) from error
        years = data_years(conn)
    # A period after the data would still show today's task statuses: refuse it too.
    if figures.is_empty or int(period[:4]) not in years:
        years_text = ", ".join(str(y) for y in years) or "-"
        raise UsageError(t("bulletin.cli_no_data", period=period, years=years_text))
    if suffix == ".xlsx":
        content = bulletin_xlsx(figures, args.lang)
    else:
        write = bulletin_pdf if suffix == ".pdf" else bulletin_docx
        try:
            content = write(figures, args.lang, charts=not args.no_charts)
        except ChartImageError as error:
            raise UsageError(t("bulletin.cli_no_browser", error=error)) from error
        except PdfUnavailable as error:
            raise UsageError(t("bulletin.cli_no_soffice", error=error)) from error
        except PdfConversionError as error:
            raise UsageError(t("bulletin.cli_pdf_failed", error=error)) from error
    Path(args.out).write_bytes(content)
    principal = _acting_principal(engine, args.user)
    with engine.begin() as conn:
        publication = guarded_publication(
            conn, principal, figures, content, suffix[1:], Path(args.out).name, args.lang
        )
    print(t("bulletin.cli_written", period=period_label(period), file=args.out))
    if publication is not None:
        print(t("restatement.cli_recorded", id=publication))
    if figures.restatement is not None:
        print(t("restatement.cli_restates", count=len(figures.restatement.figures)))
    return EXIT_OK


def cmd_period_close(args) -> int:
    engine = open_database(args.db, create=False)
    closure = _master_call(close_period, engine, args.user, args.kind, args.period)
    print(closure.describe())
    return EXIT_OK


def cmd_period_reopen(args) -> int:
    engine = open_database(args.db, create=False)
    closure = _master_call(reopen_period, engine, args.user, args.kind, args.period, args.reason)
    print(
        t(
            "restatement.cli_reopened",
            period=period_label(closure.period),
            kind=t(f"kinds.{closure.kind}"),
            reason=closure.reopen_reason,
        )
    )
    return EXIT_OK


def cmd_period_list(args) -> int:
    engine = open_database(args.db, create=False)
    frame = _master_call(closures_frame, engine, args.user)
    if args.json:
        print(json.dumps(frame.to_dict("records"), ensure_ascii=False, default=str))
        return EXIT_OK
    if frame.empty:
        print(t("restatement.cli_no_closures"))
        return EXIT_OK
    header = [t(f"restatement.col_{c}") for c in PERIOD_LIST_COLUMNS]
    rows = [
        [
            t(f"kinds.{r.kind}"),
            r.period,
            t(f"restatement.state_{r.state}"),
            audit.time_text(r.closed_at)[:16],
            r.closed_by,
            audit.time_text(r.reopened_at)[:16] if r.state == "reopened" else "-",
            r.reopened_by or "-",
            r.reopen_reason or "-",
        ]
        for r in frame.itertuples(index=False)
    ]
    print_table(header, rows)
    return EXIT_OK


def cmd_restatement(args) -> int:
    period = _period_option(args.period)
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        figures = bulletin_figures(conn, period)
        found = figures.restatement or restatement_of(conn, period, figures)
    if found is None:
        if args.json:
            print(json.dumps({"period": period, "restatement": None}))
        else:
            print(t("restatement.none", period=period_label(period)))
        return EXIT_OK
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, default=str))
        return EXIT_OK
    print(restatement_heading(found))
    rows = restatement_rows(found)
    if rows:
        print_table([t(f"restatement.col_{c}") for c in RESTATEMENT_COLUMNS], rows)
    return EXIT_OK


def _scores_period(raw: str, granularity: str | None) -> str:
    """The period to score: `raw` parsed, then widened to `granularity` when given."""
    period = _period_option(raw)
    if granularity is None:
        return period
    try:
        return to_granularity(period, granularity)
    except ValueError as error:
        example = period_containing(period_end(period), granularity)
        raise UsageError(
            t(
                "evaluation.cli_bad_granularity",
                period=period,
                granularity=t(f"evaluation.gran_{granularity}"),
                example=example,
            )
        ) from error


def _day_option(raw: str, message: str) -> date:
    """A YYYY-MM-DD option's day; a UsageError with the catalogue's `message` else."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError as error:
        raise UsageError(t(message, value=raw)) from error


def _as_of_option(raw: str) -> date:
    return _day_option(raw, "cli.bad_as_of")


def cmd_remind(args) -> int:
    """The open items on a day (one JSON object a line with --json, else a table), and
    with --send their delivery; exit 1 when a send failed after its retries."""
    as_of = _as_of_option(args.as_of)
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        items = reminder_items(conn, as_of)
    if args.json:
        for item in items.to_dict("records"):
            print(json.dumps(item_json(item), ensure_ascii=False))
    elif items.empty:
        print(t("cli.remind_nothing", date=as_of.isoformat()))
    else:
        print(items_frame(items).to_string(index=False))
    if not args.send:
        return EXIT_OK
    report = sys.stderr if args.json else sys.stdout
    if not configured_channels():
        print(t("delivery.off"), file=report)
        return EXIT_OK
    outcomes = deliver_reminders(engine, items, as_of, SYSTEM.username)
    for outcome in outcomes:
        print(
            t(
                "cli.remind_outcome",
                channel=outcome.channel,
                unit=outcome.unit,
                target=outcome.target or "-",
                status=t(f"delivery.status_{outcome.status}"),
                attempts=outcome.attempts,
                error=outcome.error,
            ),
            file=report,
        )
    return EXIT_REJECTED if any(o.status == "failed" for o in outcomes) else EXIT_OK


def cmd_template(args) -> int:
    out = output_file(args.out, ".xlsx")
    kinds = (
        list(dict.fromkeys(CLI_NAMES.values())) if args.kind == "all" else [CLI_NAMES[args.kind]]
    )
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        lists = load_master(conn).lists()
    out.write_bytes(template_workbook(kinds, lists))
    print(t("cli.template_written", file=args.out))
    return EXIT_OK


def cmd_seed(args) -> int:
    folder = sample_folder(args.folder)
    engine = open_database(args.db)
    if args.if_empty:
        with engine.connect() as conn:
            if has_data(conn):
                print(t("cli.seed_skipped"))
                return EXIT_OK
    reports = seed(engine, folder)
    for report in reports:
        print_report(report, has_json=False)
    return EXIT_REJECTED if any(r.status == "rejected" for r in reports) else EXIT_OK


def sample_folder(name: str) -> Path:
    """The folder `seed` loads: a usage error when it does not exist, is a file, or holds
    none of the sample workbooks (`SAMPLE_FILES`), which loaded nothing and said nothing."""
    folder = Path(name)
    if not folder.exists():
        raise UsageError(t("cli.seed_no_folder", folder=name))
    if not folder.is_dir():
        raise UsageError(t("cli.seed_not_folder", folder=name))
    if not any((folder / file).is_file() for file in SAMPLE_FILES):
        raise UsageError(t("cli.seed_no_samples", folder=name, files=join_names(SAMPLE_FILES)))
    return folder


def cmd_user_add(args) -> int:
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        if users.get_user(conn, args.username) is not None:
            raise UsageError(t("users.exists", username=args.username.strip().lower()))
    password = _new_password(args.password_stdin)
    with engine.begin() as conn:
        account = _user_change(
            users.create_user,
            conn,
            args.username,
            args.role,
            password,
            by=SYSTEM.username,
            display_name=args.name or "",
            districts=args.district or (),
            units=args.unit or (),
        )
    role = t(f"users.role_{account.role}")
    print(t("users.cli_added", username=account.username, role=role))
    return EXIT_OK


def cmd_user_passwd(args) -> int:
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        if users.get_user(conn, args.username) is None:
            raise UsageError(t("users.no_such_user", username=args.username))
    password = _new_password(args.password_stdin)
    with engine.begin() as conn:
        _user_change(users.set_password, conn, args.username, password, by=SYSTEM.username)
    print(t("users.cli_password_set", username=args.username.strip().lower()))
    return EXIT_OK


def cmd_user_disable(args) -> int:
    return _user_switch(args, users.disable_user, "users.cli_disabled")


def cmd_user_enable(args) -> int:
    return _user_switch(args, users.enable_user, "users.cli_enabled")


def _user_switch(args, change, done_key: str) -> int:
    engine = open_database(args.db, create=False)
    with engine.begin() as conn:
        _user_change(change, conn, args.username, by=SYSTEM.username)
    print(t(done_key, username=args.username.strip().lower()))
    return EXIT_OK


def cmd_user_list(args) -> int:
    engine = open_database(args.db, create=False)
    with engine.connect() as conn:
        frame = users.list_users(conn)
    if frame.empty:
        print(t("users.cli_no_users"))
        return EXIT_OK
    header = [
        t(f"users.column_{c}") for c in ("username", "name", "role", "binding", "active", "locked")
    ]
    rows = [
        [
            r.username,
            r.display_name or "-",
            t(f"users.role_{r.role}"),
            join_names([*r.districts, *r.units]) or "-",
            t("users.yes") if r.is_active else t("users.no"),
            t("users.locked_until", until=time_text(r.locked_until, offset=True))
            if r.locked
            else "-",
        ]
        for r in frame.itertuples(index=False)
    ]
    print_table(header, rows)
    return EXIT_OK


def _user_change(function, *args, **kwargs):
    """Call a `users` function; its InputError (bad name, password, district...) is a usage error."""
    try:
        return function(*args, **kwargs)
    except InputError as error:
        raise UsageError(error.message() + suggestion_hint(error.suggestion)) from error


def _new_password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError(t("users.cli_no_password"))
        return password
    try:
        with warnings.catch_warnings():
            # Without a terminal getpass warns, then reads standard input with echo on:
            # refuse instead (a script passes --password-stdin).
            warnings.simplefilter("error", getpass.GetPassWarning)
            password = getpass.getpass(t("users.cli_prompt_password"))
            repeat = getpass.getpass(t("users.cli_prompt_repeat"))
    except (EOFError, getpass.GetPassWarning) as error:
        raise UsageError(t("users.cli_no_terminal")) from error
    if repeat != password:
        raise UsageError(t("users.cli_passwords_differ"))
    return password


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns aligned for a terminal, counting Chinese characters as two columns wide."""
    widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(v) + " " * (w - _width(str(v))) for v, w in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cmd_audit(args) -> int:
    since = _since_option(args.since)
    engine = open_database(args.db, create=False)
    with engine.begin() as conn:
        frame = audit.events(
            conn, since=since, username=args.username, action=args.action, limit=None
        )
        try:
            write_frame(audit.export_frame(frame), args.out)
        except ValueError as error:
            raise UsageError(str(error)) from error
        audit.record(conn, SYSTEM.username, "export", what="audit", rows=len(frame), file=args.out)
    print(t("audit.cli_written", rows=len(frame), file=args.out))
    return EXIT_OK


def _since_option(raw: str | None) -> date | None:
    return None if raw is None else _day_option(raw, "audit.cli_bad_since")


def _backup_step(key: str, file: str, step, *args, **kwargs) -> int:
    """Run `backup.backup` or `backup.restore` (a BackupError is a usage error) and print
    the catalogue's `key` with what its manifest says."""
    try:
        manifest = step(*args, **kwargs)
    except backup.BackupError as error:
        raise UsageError(error.message()) from error
    counts = {"tables": len(manifest.tables), "rows": manifest.total_rows}
    print(t(key, file=file, created_at=manifest.created_at, revision=manifest.revision, **counts))
    return EXIT_OK


def cmd_backup(args) -> int:
    output_file(args.out, ".zip")
    engine = connect(args.db)  # as it is: a backup taken before an upgrade is not migrated
    return _backup_step("backup.cli_written", args.out, backup.backup, engine, args.out)


def cmd_restore(args) -> int:
    input_file(args.file)
    engine = connect(args.db, create=True)
    return _backup_step(
        "backup.cli_restored", args.file, backup.restore, engine, args.file, force=args.force
    )


def add_user_commands(commands) -> None:
    """`user add|passwd|disable|enable|list`: each action has its own --db."""
    parser = commands.add_parser("user", help=t("users.cli_help"), description=t("users.cli_help"))
    actions = parser.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    def action(name: str, handler, help_key: str, username: bool = True):
        sub = actions.add_parser(name, help=t(help_key), description=t(help_key))
        if username:
            sub.add_argument("username", metavar="USERNAME", help=t("users.cli_help_username"))
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.set_defaults(handler=handler)
        return sub

    sub = action("add", cmd_user_add, "users.cli_help_add")
    sub.add_argument("--role", required=True, choices=users.ROLES, help=t("users.cli_help_role"))
    sub.add_argument("--district", action="append", metavar="D", help=t("users.cli_help_district"))
    sub.add_argument("--unit", action="append", metavar="U", help=t("users.cli_help_unit"))
    sub.add_argument("--name", metavar="NAME", help=t("users.cli_help_name"))
    sub.add_argument(
        "--password-stdin", action="store_true", help=t("users.cli_help_password_stdin")
    )
    sub = action("passwd", cmd_user_passwd, "users.cli_help_passwd")
    sub.add_argument(
        "--password-stdin", action="store_true", help=t("users.cli_help_password_stdin")
    )
    action("disable", cmd_user_disable, "users.cli_help_disable")
    action("enable", cmd_user_enable, "users.cli_help_enable")
    action("list", cmd_user_list, "users.cli_help_list", username=False)


def _master_call(function, engine: Engine, username: str | None, *args, **kwargs):
    """Call a service `function(conn, principal, ...)` (`master_admin`, `period_closing`) in
    one transaction as the acting principal; its InputError or PermissionDenied is a usage
    error."""
    principal = _acting_principal(engine, username)
    try:
        with engine.begin() as conn:
            return function(conn, principal, *args, **kwargs)
    except PermissionDenied as error:
        raise UsageError(error.message()) from error
    except InputError as error:
        raise UsageError(error.message() + suggestion_hint(error.suggestion)) from error


def _settings(pairs: list[str] | None) -> dict[str, str]:
    fields = {}
    for pair in pairs or ():
        field, equals, value = pair.partition("=")
        if not equals or not field.strip():
            raise UsageError(t("master.cli_bad_set", value=pair))
        fields[field.strip()] = value
    return fields


def _kind(list_key: str) -> str:
    return master_admin.kind_name(master_admin.LISTS[list_key])


def cmd_master_list(args) -> int:
    engine = open_database(args.db, create=False)
    frame = _master_call(master_admin.list_entries, engine, args.user, args.list)
    if frame.empty:
        print(t("master.cli_empty"))
        return EXIT_OK
    fields = [*master_admin.LISTS[args.list].fields, "references"]
    header = [t(f"master.col_{f}") for f in fields]
    rows = [[_master_text(f, row[f]) for f in fields] for _, row in frame.iterrows()]
    print_table(header, rows)
    return EXIT_OK


def _master_text(field: str, value: object) -> str:
    if field == "aliases":
        return master_admin.ALIAS_SEPARATOR.join(value) or "-"
    if field in ("kind", "category"):
        return t(f"master.{field}_{value}")
    if field == "is_active":
        return t("master.active" if value else "master.inactive")
    return str(value) if value not in ("", None) else "-"


def cmd_master_export(args) -> int:
    out = output_file(args.out, ".xlsx")
    engine = open_database(args.db, create=False)
    content = _master_call(export_workbook, engine, args.user)
    out.write_bytes(content)
    with engine.connect() as conn:
        counts = join_names(
            f"{t(f'master.list_{key}')} {len(master_admin.entries(conn, key))}"
            for key in master_admin.LISTS
        )
    print(t("master.cli_exported", file=args.out, counts=counts))
    return EXIT_OK


def cmd_master_import(args) -> int:
    path = input_file(args.file)
    engine = open_database(args.db, create=False)
    principal = _acting_principal(engine, args.user)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            report = import_workbook(
                conn,
                principal,
                path.read_bytes(),
                path.name,
                replace=args.replace,
                dry_run=args.dry_run,
            )
            if report.status == "rejected" or args.dry_run:
                transaction.rollback()
    except PermissionDenied as error:
        raise UsageError(error.message()) from error
    print_report(report, as_json=args.json, dry_run=args.dry_run)
    return EXIT_REJECTED if report.status == "rejected" else EXIT_OK


def cmd_master_add(args) -> int:
    engine = open_database(args.db, create=False)
    entry = _master_call(
        master_admin.add_entry, engine, args.user, args.list, name=args.name, **_settings(args.set)
    )
    print(t("master.cli_added", kind=_kind(args.list), name=entry["name"]))
    return EXIT_OK


def cmd_master_edit(args) -> int:
    engine = open_database(args.db, create=False)
    entry = _master_call(
        master_admin.edit_entry, engine, args.user, args.list, args.name, **_settings(args.set)
    )
    print(t("master.cli_edited", kind=_kind(args.list), name=entry["name"]))
    return EXIT_OK


def cmd_master_rename(args) -> int:
    engine = open_database(args.db, create=False)
    entry = _master_call(
        master_admin.rename_entry, engine, args.user, args.list, args.name, args.new_name
    )
    old = entry["aliases"][-1]
    print(t("master.cli_renamed", kind=_kind(args.list), old=old, new=entry["name"]))
    return EXIT_OK


def cmd_master_merge(args) -> int:
    engine = open_database(args.db, create=False)
    result = _master_call(
        master_admin.merge_entries, engine, args.user, args.list, args.merged, args.survivor
    )
    print(
        t(
            "master.cli_merged",
            kind=_kind(args.list),
            merged=args.merged,
            survivor=result["survivor"]["name"],
            moved=result["moved"],
            moved_noun=unit_word("format.unit_references", result["moved"]),
        )
    )
    return EXIT_OK


def cmd_master_set_active(args) -> int:
    engine = open_database(args.db, create=False)
    active = args.master_command == "reactivate"
    entry = _master_call(master_admin.set_active, engine, args.user, args.list, args.name, active)
    key = "master.cli_reactivated" if active else "master.cli_deactivated"
    print(t(key, kind=_kind(args.list), name=entry["name"]))
    return EXIT_OK


def cmd_master_delete(args) -> int:
    engine = open_database(args.db, create=False)
    _master_call(master_admin.delete_entry, engine, args.user, args.list, args.name)
    print(t("master.cli_deleted", kind=_kind(args.list), name=args.name))
    return EXIT_OK


def add_master_commands(commands) -> None:
    """`master list|export|import|add|edit|rename|merge|deactivate|reactivate|delete`."""
    parser = commands.add_parser(
        "master", help=t("master.cli_help"), description=t("master.cli_help")
    )
    actions = parser.add_subparsers(dest="master_command", required=True, metavar="ACTION")

    def action(name: str, handler, help_key: str, list_name: bool = True):
        sub = actions.add_parser(name, help=t(help_key), description=t(help_key))
        if list_name:
            sub.add_argument(
                "list", choices=list(master_admin.LISTS), help=t("master.cli_help_list_name")
            )
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.add_argument("--user", metavar="USERNAME", help=t("master.cli_help_user"))
        sub.set_defaults(handler=handler)
        return sub

    action("list", cmd_master_list, "master.cli_help_list")
    sub = action("export", cmd_master_export, "master.cli_help_export", list_name=False)
    sub.add_argument("--out", required=True, metavar="FILE.xlsx", help=t("cli.help_out_xlsx"))
    sub = action("import", cmd_master_import, "master.cli_help_import", list_name=False)
    sub.add_argument("file", metavar="FILE.xlsx", help=t("cli.help_files"))
    sub.add_argument("--replace", action="store_true", help=t("master.cli_help_replace"))
    sub.add_argument("--dry-run", action="store_true", help=t("master.cli_help_dry_run"))
    sub.add_argument("--json", action="store_true", help=t("cli.help_json"))
    for name, handler, help_key in (
        ("add", cmd_master_add, "master.cli_help_add"),
        ("edit", cmd_master_edit, "master.cli_help_edit"),
    ):
        sub = action(name, handler, help_key)
        sub.add_argument("name", metavar="NAME")
        sub.add_argument(
            "--set", action="append", metavar="FIELD=VALUE", help=t("master.cli_help_set")
        )
    sub = action("rename", cmd_master_rename, "master.cli_help_rename")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("new_name", metavar="NEW_NAME")
    sub = action("merge", cmd_master_merge, "master.cli_help_merge")
    sub.add_argument("merged", metavar="MERGED")
    sub.add_argument("survivor", metavar="SURVIVOR")
    for name, handler, help_key in (
        ("deactivate", cmd_master_set_active, "master.cli_help_deactivate"),
        ("reactivate", cmd_master_set_active, "master.cli_help_reactivate"),
        ("delete", cmd_master_delete, "master.cli_help_delete"),
    ):
        sub = action(name, handler, help_key)
        sub.add_argument("name", metavar="NAME")


def add_period_commands(commands) -> None:
    """`period close|reopen|list`, acting as --user (closing and reopening: admins)."""
    parser = commands.add_parser(
        "period",
        help=t("restatement.cli_help_period"),
        description=t("restatement.cli_help_period"),
    )
    actions = parser.add_subparsers(dest="period_command", required=True, metavar="ACTION")

    def action(name: str, handler, help_key: str, kind: bool = True):
        sub = actions.add_parser(name, help=t(help_key), description=t(help_key))
        if kind:
            sub.add_argument(
                "kind",
                metavar="KIND",
                choices=[k.replace("_", "-") for k in closable_kinds()],
                help=t("restatement.cli_help_kind"),
            )
            sub.add_argument("period", metavar="PERIOD", help=t("restatement.cli_help_period_arg"))
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.add_argument("--user", metavar="USERNAME", help=t("master.cli_help_user"))
        sub.set_defaults(handler=handler)
        return sub

    action("close", cmd_period_close, "restatement.cli_help_close")
    sub = action("reopen", cmd_period_reopen, "restatement.cli_help_reopen")
    sub.add_argument(
        "--reason", required=True, metavar="TEXT", help=t("restatement.cli_help_reason")
    )
    sub = action("list", cmd_period_list, "restatement.cli_help_list", kind=False)
    sub.add_argument("--json", action="store_true", help=t("restatement.cli_help_json"))


def _review_call(function, engine: Engine, username: str | None, *args, **kwargs):
    """Call a `review` function as the acting principal; a refusal is a usage error."""
    principal = _acting_principal(engine, username)
    try:
        return function(principal, *args, **kwargs)
    except PermissionDenied as error:
        raise UsageError(error.message()) from error
    except InputError as error:
        raise UsageError(error.message() + suggestion_hint(error.suggestion)) from error


def cmd_review_rule(args) -> int:
    engine = open_database(args.db, create=False)
    required = args.review_command == "require"

    def change(principal):
        with engine.begin() as conn:
            return review.set_review_rule(
                conn, principal, args.kind, required, district=args.district, unit=args.unit
            )

    changed = _review_call(change, engine, args.user)
    where = args.district or args.unit or t("review.everywhere")
    key = (
        ("review.cli_required" if required else "review.cli_off") if changed else "review.cli_same"
    )
    print(t(key, kind=t(f"kinds.{review.kind_of(args.kind)}"), where=where))
    return EXIT_OK


def cmd_review_list(args) -> int:
    engine = open_database(args.db, create=False)

    def listing(principal):
        with engine.connect() as conn:
            return review.review_rules(conn), review.review_queue(conn, principal)

    rules, queue = _review_call(listing, engine, args.user)
    if args.json:
        print(
            json.dumps(
                {
                    "rules": rules.to_dict(orient="records"),
                    "pending": queue.to_dict(orient="records"),
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return EXIT_OK
    if rules.empty:
        print(t("review.cli_no_rules"))
    else:
        print(t("review.cli_rules"))
        print_table(
            [t("review.col_kind"), t("review.col_where"), t("review.col_set_by")],
            [
                [t(f"kinds.{r.kind}"), r.district or r.unit or t("review.everywhere"), r.set_by]
                for r in rules.itertuples(index=False)
            ],
        )
    if queue.empty:
        print(t("review.cli_nothing_pending"))
        return EXIT_OK
    print(t("review.cli_pending", count=len(queue)))
    print_table(
        [
            t(f"review.col_{c}")
            for c in ("id", "uploaded_at", "uploader", "file_name", "districts", "rows_accepted")
        ],
        [
            [
                r.id,
                audit.time_text(r.uploaded_at),
                r.uploader,
                r.file_name,
                join_names(r.districts.split(",")) if r.districts else "-",
                r.rows_accepted,
            ]
            for r in queue.itertuples(index=False)
        ],
    )
    return EXIT_OK


def cmd_review_approve(args) -> int:
    engine = open_database(args.db, create=False)
    counts = _review_call(
        lambda principal: review.approve(engine, principal, args.submission), engine, args.user
    )
    print(
        t(
            "review.cli_approved",
            id=args.submission,
            new=counts.new,
            replaced=counts.replaced,
            unchanged=counts.unchanged,
        )
    )
    return EXIT_OK


def cmd_review_return(args) -> int:
    engine = open_database(args.db, create=False)
    _review_call(
        lambda principal: review.return_submission(engine, principal, args.submission, args.reason),
        engine,
        args.user,
    )
    print(t("review.cli_returned", id=args.submission))
    return EXIT_OK


def add_review_commands(commands) -> None:
    """`review require|off|list|approve|return`, acting as --user with that user's rights."""
    parser = commands.add_parser(
        "review", help=t("review.cli_help"), description=t("review.cli_help")
    )
    actions = parser.add_subparsers(dest="review_command", required=True, metavar="ACTION")

    def action(name: str, handler, help_key: str):
        sub = actions.add_parser(name, help=t(help_key), description=t(help_key))
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.add_argument("--user", metavar="USERNAME", help=t("review.cli_help_user"))
        sub.set_defaults(handler=handler)
        return sub

    for name, help_key, prefix in (
        ("require", "review.cli_help_require", "review.cli_help_"),
        ("off", "review.cli_help_off", "review.cli_help_off_"),
    ):
        sub = action(name, cmd_review_rule, help_key)
        sub.add_argument("kind", choices=[k for k in export_kinds() if k != "submissions"])
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--district", metavar="D", help=t(prefix + "district"))
        where.add_argument("--unit", metavar="U", help=t(prefix + "unit"))
    sub = action("list", cmd_review_list, "review.cli_help_list")
    sub.add_argument("--json", action="store_true", help=t("review.cli_help_json"))
    sub = action("approve", cmd_review_approve, "review.cli_help_approve")
    sub.add_argument("submission", type=int, metavar="N", help=t("review.cli_help_submission"))
    sub = action("return", cmd_review_return, "review.cli_help_return")
    sub.add_argument("submission", type=int, metavar="N", help=t("review.cli_help_submission"))
    sub.add_argument("--reason", required=True, metavar="TEXT", help=t("review.cli_help_reason"))


# argparse's error messages → their text in the catalogue. argparse formats a message in
# English (its `gettext` texts) before `ArgumentParser.error` sees it, so the message is
# matched against the template it was made from; its fields are kept.
ARGPARSE_MESSAGES = {
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.expected_one",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "one of the arguments %s is required": "cli.argparse.one_required",
}


def _template_pattern(template: str) -> re.Pattern[str]:
    """What `template % fields` gives, each field a group (`%s` alone: `value`)."""
    pieces = re.split(r"%\((\w+)\)[sr]|%[sr]", template)
    # re.split gives text, field name (None for a bare %s), text, ...
    return re.compile(
        "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece or 'value'}>.+?)"
            for index, piece in enumerate(pieces)
        )
    )


ARGPARSE_PATTERNS = {
    _template_pattern(template): key for template, key in ARGPARSE_MESSAGES.items()
}


def argparse_text(message: str) -> str:
    """An argparse error message in the language in use; one it does not know, as it is."""
    for pattern, key in ARGPARSE_PATTERNS.items():
        found = pattern.fullmatch(message)
        if found:
            return t(key, **{name: argparse_text(v) for name, v in found.groupdict().items()})
    return message


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with the catalogue's `usage:`."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        prefix = t("cli.argparse.usage") if prefix is None else prefix
        super().add_usage(usage, actions, groups, prefix)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with its own texts from the catalogue (`cli.argparse.*`): usage,
    group titles, -h and error messages. Subcommands' parsers are of this class too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False  # its own -h below, with the catalogue's help
        super().__init__(*args, **kwargs)
        self._positionals.title = t("cli.argparse.positionals")
        self._optionals.title = t("cli.argparse.options")
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.argparse.help")
        )

    def error(self, message: str):
        self.print_usage(sys.stderr)
        text = t("cli.argparse.error", prog=self.prog, message=argparse_text(message))
        self.exit(EXIT_USAGE, text + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="python -m data_model", description=t("cli.description"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help_key: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=t(help_key), description=t(help_key))
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.set_defaults(handler=handler)
        return sub

    sub = command("init", cmd_init, "cli.help_init")
    sub.add_argument("--master", metavar="FILE.xlsx", help=t("master.cli_help_master"))

    sub = command("import", cmd_import, "cli.help_import")
    sub.add_argument("files", nargs="+", metavar="FILE", help=t("cli.help_files"))
    sub.add_argument("--period", metavar="P", help=t("cli.help_period"))
    sub.add_argument("--district", metavar="D", help=t("cli.help_district"))
    sub.add_argument("--valid-rows-only", action="store_true", help=t("cli.help_valid_rows_only"))
    sub.add_argument("--dry-run", action="store_true", help=t("cli.help_dry_run"))
    sub.add_argument("--explain", metavar="TEXT", help=t("explanations.cli_help_explain"))
    sub.add_argument("--json", action="store_true", help=t("cli.help_json"))
    sub.add_argument("--user", metavar="USERNAME", help=t("cli.help_user"))

    sub = command("export", cmd_export, "cli.help_export")
    sub.add_argument("kind", choices=export_kinds())
    sub.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_out"))

    sub = command("task-status", cmd_task_status, "cli.help_task_status")
    sub.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help=t("cli.help_as_of"))
    sub.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_out"))

    sub = command("forecast", cmd_forecast, "cli.help_forecast")
    sub.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help=t("cli.help_as_of"))
    sub.add_argument("--out", metavar="FILE", help=t("cli.help_forecast_out"))

    sub = command("scores", cmd_scores, "evaluation.cli_help")
    sub.add_argument("--period", required=True, metavar="P", help=t("evaluation.cli_help_period"))
    sub.add_argument(
        "--granularity", choices=GRANULARITIES, help=t("evaluation.cli_help_granularity")
    )
    sub.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_out"))

    sub = command("bulletin", cmd_bulletin, "bulletin.cli_help")
    sub.add_argument("--period", required=True, metavar="P", help=t("bulletin.cli_help_period"))
    sub.add_argument(
        "--out",
        required=True,
        metavar="FILE.docx|FILE.pdf|FILE.xlsx",
        help=t("bulletin.cli_help_out"),
    )
    sub.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help=t("bulletin.cli_help_lang")
    )
    sub.add_argument("--no-charts", action="store_true", help=t("bulletin.cli_help_no_charts"))
    sub.add_argument("--user", metavar="USERNAME", help=t("restatement.cli_help_user"))

    add_period_commands(commands)
    sub = command("restatement", cmd_restatement, "restatement.cli_help")
    sub.add_argument("--period", required=True, metavar="P", help=t("bulletin.cli_help_period"))
    sub.add_argument("--json", action="store_true", help=t("restatement.cli_help_json"))

    sub = command("remind", cmd_remind, "cli.help_remind")
    sub.add_argument(
        "--as-of", required=True, metavar="YYYY-MM-DD", help=t("cli.help_remind_as_of")
    )
    sub.add_argument("--send", action="store_true", help=t("cli.help_remind_send"))
    sub.add_argument("--json", action="store_true", help=t("cli.help_remind_json"))

    sub = command("template", cmd_template, "cli.help_template")
    sub.add_argument("kind", nargs="?", default="all", choices=[*CLI_NAMES, "all"])
    sub.add_argument("--out", required=True, metavar="FILE.xlsx", help=t("cli.help_out_xlsx"))

    sub = command("seed", cmd_seed, "cli.help_seed")
    sub.add_argument("--if-empty", action="store_true", help=t("cli.help_if_empty"))
    sub.add_argument("--folder", default=str(settings.SAMPLE_DATA_DIR), help=t("cli.help_folder"))

    add_user_commands(commands)
    add_master_commands(commands)
    add_review_commands(commands)
    sub = command("audit", cmd_audit, "audit.cli_help")
    sub.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_out"))
    sub.add_argument("--since", metavar="YYYY-MM-DD", help=t("audit.cli_help_since"))
    sub.add_argument("--username", metavar="USER", help=t("audit.cli_help_user"))
    sub.add_argument("--action", choices=audit.ACTIONS, help=t("audit.cli_help_action"))

    sub = command("backup", cmd_backup, "backup.cli_help_backup")
    sub.add_argument("--out", required=True, metavar="FILE.zip", help=t("backup.cli_help_out"))
    sub = command("restore", cmd_restore, "backup.cli_help_restore")
    sub.add_argument("file", metavar="FILE.zip", help=t("backup.cli_help_file"))
    sub.add_argument("--force", action="store_true", help=t("backup.cli_help_force"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings.check()  # a bad setting stops the command before it does anything
        with command_line():
            code = args.handler(args)
        sys.stdout.flush()  # a reader gone away shows here, not as Python exits
        return code
    except BrokenPipeError:  # the reader of the output went away (`… | head -3`)
        return output_closed()
    except UsageError as error:
        message = str(error)
    except InputError as error:  # a database that cannot be opened, a bad setting...
        message = error.message()
    except OSError as error:  # an output folder that does not exist, a file not writable...
        message = file_problem(error)
    except DBAPIError as error:  # read-only, locked by another writer, server gone...
        message = database_problem(error, args.db).message()
    print(f"{parser.prog} {args.command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def output_closed() -> int:
    """Stop quietly when standard output's reader has gone away, as Unix tools do: what
    the command did stays done and is not a failure to report. The exit status is the
    one of a tool ended by SIGPIPE. Standard output then points at /dev/null, so that
    Python's last flush as it exits does not complain again (Python's signal docs)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OUTPUT_CLOSED


# errno → catalogue key of what a user can do about it; others show the system's words.
FILE_PROBLEMS = {
    errno.ENOENT: "cli.file_no_folder",
    errno.EACCES: "cli.file_denied",
    errno.EPERM: "cli.file_denied",
    errno.EROFS: "cli.file_denied",
    errno.EISDIR: "cli.file_is_folder",
    errno.ENOSPC: "cli.file_disk_full",
}


def file_problem(error: OSError) -> str:
    """One line saying which file could not be read or written, why, and what to do."""
    key = FILE_PROBLEMS.get(error.errno)
    reason = t(key) if key else (error.strerror or str(error))
    return t("cli.file_problem", file=error.filename or "-", reason=reason)
