"""Command line: `python -m data_model COMMAND ...`. Each command wraps a library function."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from data_model import settings
from data_model.db import make_engine, migrate
from data_model.errors import InputError
from data_model.export import EXPORT_KINDS, export_frame, write_frame
from data_model.i18n import t
from data_model.importer import ImportOptions, import_file
from data_model.kinds import CLI_NAMES
from data_model.master import load_master, load_master_data_file
from data_model.normalize.periods import parse_period
from data_model.problems import ImportReport
from data_model.queries import has_data
from data_model.reader import Limits
from data_model.templates import template_workbook

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SAMPLE_FILES = (
    "indicators.xlsx",
    "indicator_values.xlsx",
    "tasks.xlsx",
    "activities.xlsx",
    "issues.xlsx",
)


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def open_database(url: str | None) -> Engine:
    """Engine for `url` with the schema migrated and the default master data present."""
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        load_master_data_file(conn)
    return engine


def cmd_init(args) -> int:
    engine = open_database(args.db)
    print(t("cli.init_done", url=engine.url.render_as_string(hide_password=True)))
    return EXIT_OK


def cmd_import(args) -> int:
    engine = open_database(args.db)
    options = ImportOptions(
        uploader=args.user,
        period=_period_option(args.period),
        district=_district_option(engine, args.district),
        valid_rows_only=args.valid_rows_only,
        dry_run=args.dry_run,
        limits=Limits(max_file_bytes=settings.max_upload_mb() * 1024 * 1024),
    )
    worst = EXIT_OK
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(t("cli.no_such_file", file=name))
        report = import_file(engine, path.read_bytes(), path.name, options)
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        else:
            print_report(report)
        if report.status == "rejected":
            worst = EXIT_REJECTED
    return worst


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


def print_report(report: ImportReport) -> None:
    print(f"{report.file}: {t('cli.status_' + report.status)} — {report.message}")
    for sheet in report.sheets:
        kind = t(f"kinds.{sheet.kind}") if sheet.kind else "-"
        print(
            "  "
            + t(
                "cli.sheet_line",
                sheet=sheet.sheet,
                kind=kind,
                read=sheet.rows_read,
                accepted=sheet.rows_accepted,
            )
        )
        for label, problems in ((t("cli.error"), sheet.errors), (t("cli.warning"), sheet.warnings)):
            for p in problems:
                where = t(
                    "cli.where", sheet=p.sheet, row=p.row if p.row else "-", column=p.column or "-"
                )
                value = f" “{p.value}”" if p.value else ""
                hint = " " + t("cli.did_you_mean", suggestion=p.suggestion) if p.suggestion else ""
                print(f"    {label} {where}{value}: {p.message}{hint}")


def cmd_export(args) -> int:
    engine = open_database(args.db)
    with engine.connect() as conn:
        frame = export_frame(conn, args.kind)
    try:
        write_frame(frame, args.out)
    except ValueError as error:
        raise UsageError(str(error)) from error
    print(t("cli.exported", rows=len(frame), file=args.out))
    return EXIT_OK


def cmd_template(args) -> int:
    kinds = (
        list(dict.fromkeys(CLI_NAMES.values())) if args.kind == "all" else [CLI_NAMES[args.kind]]
    )
    engine = open_database(args.db)
    with engine.connect() as conn:
        master = load_master(conn)
    lists = {
        "districts": master.districts.names,
        "actions": master.actions.names,
        "units": master.units.names,
        "brands": master.brands.names,
    }
    Path(args.out).write_bytes(template_workbook(kinds, lists))
    print(t("cli.template_written", file=args.out))
    return EXIT_OK


def cmd_seed(args) -> int:
    engine = open_database(args.db)
    if args.if_empty:
        with engine.connect() as conn:
            if has_data(conn):
                print(t("cli.seed_skipped"))
                return EXIT_OK
    reports = seed(engine, Path(args.folder))
    for report in reports:
        print_report(report)
    return EXIT_REJECTED if any(r.status == "rejected" for r in reports) else EXIT_OK


def seed(engine: Engine, folder: Path = settings.SAMPLE_DATA_DIR) -> list[ImportReport]:
    """Import the sample workbooks through the normal importer, indicators first."""
    options = ImportOptions(uploader="seed")
    return [
        import_file(engine, (folder / name).read_bytes(), name, options)
        for name in SAMPLE_FILES
        if (folder / name).is_file()
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_model", description=t("cli.description"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help_key: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=t(help_key), description=t(help_key))
        sub.add_argument("--db", metavar="URL", help=t("cli.help_db"))
        sub.set_defaults(handler=handler)
        return sub

    command("init", cmd_init, "cli.help_init")

    sub = command("import", cmd_import, "cli.help_import")
    sub.add_argument("files", nargs="+", metavar="FILE", help=t("cli.help_files"))
    sub.add_argument("--period", metavar="P", help=t("cli.help_period"))
    sub.add_argument("--district", metavar="D", help=t("cli.help_district"))
    sub.add_argument("--valid-rows-only", action="store_true", help=t("cli.help_valid_rows_only"))
    sub.add_argument("--dry-run", action="store_true", help=t("cli.help_dry_run"))
    sub.add_argument("--json", action="store_true", help=t("cli.help_json"))
    sub.add_argument("--user", default="cli", help=t("cli.help_user"))

    sub = command("export", cmd_export, "cli.help_export")
    sub.add_argument("kind", choices=EXPORT_KINDS)
    sub.add_argument("--out", required=True, metavar="FILE", help=t("cli.help_out"))

    sub = command("template", cmd_template, "cli.help_template")
    sub.add_argument("kind", nargs="?", default="all", choices=[*CLI_NAMES, "all"])
    sub.add_argument("--out", required=True, metavar="FILE.xlsx", help=t("cli.help_out"))

    sub = command("seed", cmd_seed, "cli.help_seed")
    sub.add_argument("--if-empty", action="store_true", help=t("cli.help_if_empty"))
    sub.add_argument("--folder", default=str(settings.SAMPLE_DATA_DIR), help=t("cli.help_folder"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"{parser.prog} {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
