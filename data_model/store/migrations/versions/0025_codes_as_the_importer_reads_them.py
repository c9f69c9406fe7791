"""codes stored before the importer normalised them are written as it reads them now

The importer reads every indicator code, task code and issue number through
`text.code_text` (full-width characters half-width, zero-width characters dropped, ASCII
letters upper case), but rows stored before hold the codes as they were typed: a row
stored as `sq2021001` was never superseded again, its re-upload (`SQ2021001`) was stored
beside it. Each such code is rewritten as `code_text` gives it, in every place that holds
it: the kinds' rows, current and past, and the rows that name them by code (evidence, the
task and value summaries), the records held for review (approval writes them as they
are) and the rows of a published bulletin's figures that are codes (a restatement
compares them with today's). The task status counts, whose groups are ordered by their
first code, and the district scores and coverage, computed over the indicators in code
order, are recomputed, as the write path does.

A code stored in two spellings that `code_text` makes one (`sq1` and `SQ1`, two rows that
would then share their key) is left as it is everywhere, and logged as a warning naming
it, its tables and the submissions of its current rows, for an admin to keep one.

The audit log, the items of issued 督办通知 and the figures a restating bulletin listed
keep the codes they recorded: they are records of what was done and issued, and nothing
looks them up by code. Held uploads keep the file, read again through `code_text`.
"""

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"

log = logging.getLogger("data_model.store.migrations")
CHUNK = 500  # codes per statement (SQLite binds at most 32,766 parameters)


@dataclass(frozen=True)
class CodeFamily:
    """Where one kind of code is stored: the columns of the versioned rows (their key),
    the columns of other tables naming them, the field of each kind's records held for
    review, and the bulletin figure sections whose rows are codes."""

    name: str
    versioned: tuple[tuple[str, str], ...]
    naming: tuple[tuple[str, str], ...] = ()
    held: dict[str, str] = field(default_factory=dict)
    figure_sections: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return self.versioned + self.naming


FAMILIES = (
    CodeFamily(
        "indicator code",
        versioned=(("indicator", "code"), ("indicator_value", "indicator_code")),
        naming=(("indicator_value_summary", "indicator_code"),),
        held={"indicators": "code", "indicator_values": "indicator_code"},
        figure_sections=("highlights",),
    ),
    CodeFamily(
        "task code",
        versioned=(("task", "code"), ("task_snapshot", "task_code")),
        naming=(("task_latest", "task_code"), ("evidence", "task_code")),
        held={"tasks": "code"},
        figure_sections=("overdue",),
    ),
    CodeFamily(
        "issue number",
        versioned=(("enterprise_issue", "code"),),
        held={"issues": "code"},
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    changed = {family.name: _normalise(bind, family) for family in FAMILIES}
    if changed["task code"]:
        from data_model.store import summaries_task_status

        summaries_task_status.rebuild(bind)
    if changed["indicator code"]:
        # The scoring is the evaluation package's: importing it installs it in the store.
        import data_model.evaluation.score_summary  # noqa: F401
        from data_model.store import summaries_periods

        summaries_periods.rebuild(bind)


def _normalise(bind, family: CodeFamily) -> bool:
    """Rewrite the family's codes as `code_text` gives them, but those stored in two
    spellings (logged); whether a stored row changed."""
    from data_model.text import code_text

    stored = {column: _distinct(bind, *column) for column in family.columns}
    spellings: dict[str, set[str]] = {}
    for values in stored.values():
        for value in values:
            spellings.setdefault(code_text(value), set()).add(value)
    twins = {code: found for code, found in spellings.items() if len(found) > 1}
    for code in sorted(twins):
        _warn(bind, family, code, twins[code], stored)

    def normal(value: str) -> str:
        code = code_text(value)
        return value if code in twins else code

    changed = False
    for (table, column), values in stored.items():
        renames = {value: normal(value) for value in values if normal(value) != value}
        _rename(bind, table, column, renames)
        changed = changed or bool(renames)
    _normalise_held(bind, family.held, normal)
    _normalise_figures(bind, family.figure_sections, normal)
    return changed


def _distinct(bind, table: str, column: str) -> set[str]:
    t = sa.table(table, sa.column(column, sa.String()))
    return set(bind.execute(sa.select(t.c[column]).distinct()).scalars())


def _rename(bind, table: str, column: str, renames: dict[str, str]) -> None:
    t = sa.table(table, sa.column(column, sa.String()))
    c = t.c[column]
    items = sorted(renames.items())
    for start in range(0, len(items), CHUNK):
        part = dict(items[start : start + CHUNK])
        bind.execute(sa.update(t).where(c.in_(list(part))).values({column: sa.case(part, value=c)}))


def _normalise_held(bind, fields: dict[str, str], normal) -> None:
    """The code of each record held for review (`pending_row.record`, by kind)."""
    if not fields:
        return
    pending = sa.table(
        "pending_row",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("record", sa.JSON()),
    )
    rows = bind.execute(
        sa.select(pending.c.id, pending.c.kind, pending.c.record).where(
            pending.c.kind.in_(list(fields))
        )
    ).all()
    for row_id, kind, record in rows:
        name = fields[kind]
        value = record.get(name)
        if isinstance(value, str) and normal(value) != value:
            bind.execute(
                sa.update(pending)
                .where(pending.c.id == row_id)
                .values(record={**record, name: normal(value)})
            )


def _normalise_figures(bind, sections: tuple[str, ...], normal) -> None:
    """The rows that are codes of each published bulletin's figures
    (`[section, row, column, value]`, sorted as `restatement.figures_record` sorts them)."""
    if not sections:
        return
    publication = sa.table(
        "bulletin_publication", sa.column("id", sa.Integer()), sa.column("figures", sa.JSON())
    )
    for publication_id, figures in bind.execute(
        sa.select(publication.c.id, publication.c.figures)
    ).all():
        renamed = [
            [section, normal(row) if section in sections else row, column, value]
            for section, row, column, value in figures
        ]
        if renamed != figures:
            renamed.sort(key=lambda e: (e[0], e[1], e[2]))
            bind.execute(
                sa.update(publication)
                .where(publication.c.id == publication_id)
                .values(figures=renamed)
            )


def _warn(bind, family: CodeFamily, code: str, spellings: set[str], stored: dict) -> None:
    """Name a code stored in several spellings: where each is, and the submissions of its
    current rows, one of which an admin rolls back to keep the other spelling."""
    parts = []
    for spelling in sorted(spellings):
        tables = [table for (table, column), values in stored.items() if spelling in values]
        submissions = sorted(
            {
                submission
                for table, column in family.versioned
                for submission in _submissions(bind, table, column, spelling)
            }
        )
        parts.append(
            f"{spelling!r} in {', '.join(tables)}"
            f" (current rows from submissions {', '.join(map(str, submissions)) or 'none'})"
        )
    log.warning(
        "Migration 0025 left the %s %r as stored: it is stored as %s. Upper-casing them "
        "would give these rows one key. An upload now stores %r and supersedes only the "
        "rows spelt so: on the submissions page, roll back the submissions holding the "
        "spelling that should go, then upload again what they held that is still wanted.",
        family.name,
        code,
        " and as ".join(parts),
        code,
    )


def _submissions(bind, table: str, column: str, spelling: str) -> set[int]:
    t = sa.table(
        table,
        sa.column(column, sa.String()),
        sa.column("submission_id", sa.Integer()),
        sa.column("is_current", sa.Boolean()),
    )
    query = sa.select(t.c.submission_id).where(t.c[column] == spelling, t.c.is_current).distinct()
    return set(bind.execute(query).scalars())


def downgrade() -> None:
    # The spellings the codes had are not recorded: the codes stay as the importer reads
    # them, which every revision reads too.
    pass
