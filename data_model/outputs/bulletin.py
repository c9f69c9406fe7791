"""The periodic bulletin (定期通报) of a period: its figures, and the same figures as a Word
document in the official layout and as an Excel workbook.

`bulletin_figures` gathers the figures with the queries the dashboards use, so the
bulletin and the pages never disagree. `bulletin_tables`, `bulletin_texts` and
`bulletin_charts` put them into the catalogue's words for a language (the page's preview
shows exactly these); `bulletin_docx` and `bulletin_xlsx` write them.

Indicator highlights compare the city-wide (全市) value of each indicator with the same
period a year before; only values complete for the period count (a year still running is
not compared with a full one). An indicator improves when it moves its good way: up, or
down for 逆向 indicators. A district meets an indicator's target when its indicator
score is 100 (the scoring method's 100 × min(actual / target, 1), reversed for 逆向).
"""

from __future__ import annotations

import dataclasses
import io
import math
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, select

from data_model import settings
from data_model.charts.common import literal_labels, localise_axes
from data_model.charts.evaluation import composite_bars
from data_model.charts.images import chart_pngs
from data_model.charts.overview import status_bar
from data_model.charts.tasks import rate_bars
from data_model.evaluation.aggregation import aggregate
from data_model.evaluation.scoring import (
    indicator_table,
    rank_with_ties,
    score_extremes,
    score_text,
    target_counts,
    tied_names,
)
from data_model.formatting import (
    appraisal_text,
    format_number,
    format_percent,
    format_points,
    format_signed_percent,
    join_items,
    join_sentences,
    local_today,
    real_minus,
    time_text,
    unit_text,
    unit_word,
)
from data_model.i18n import DEFAULT_LANGUAGE, catalogue, t
from data_model.outputs import official_docx
from data_model.outputs.export import excel_sheet_name, xlsx_cell
from data_model.outputs.office_pdf import PdfUnavailable, docx_to_pdf, find_soffice, soffice_problem
from data_model.outputs.restatement import FigureChange, Restatement, restatement_of
from data_model.periods import period_label, previous_period, same_period_last_year
from data_model.queries.forecast import DEFAULT_WEEKS, slipping_in_scope
from data_model.queries.headlines import Headline, headline_figures
from data_model.queries.task_counts import TASK_COLUMNS, status_counts, summary_of, task_list
from data_model.queries.task_queries import (
    COMPLETION_WEIGHT,
    ON_TIME_WEIGHT,
    OVERDUE_PENALTY,
    as_of_date,
    ranking_of,
    rates_of,
)
from data_model.queries.task_status import TaskSummary
from data_model.queries.trends_queries import percent_change
from data_model.store.models import District
from data_model.task_rules import STATUSES

# The overview page's headline figures (`headlines`), less the composite score, which
# the scores section states with every district's.
HEADLINE_KEYS = ("completion_rate", "overdue", "activities", "issues_resolved", "coverage")
HIGHLIGHT_COUNT = 3  # indicators listed as most improved and most declined
TARGET_LEADERS = 3  # districts named for meeting the most targets (ties included)
SCORE_FIXED_COLUMNS = ("district", "composite", "rank", "rank_change", "missing_count")
YOY_COLUMNS = [
    "code",
    "name",
    "dimension",
    "unit",
    "direction",
    "value",
    "last_year",
    "yoy",
    "improvement",
]
TARGET_COLUMNS = ["district", "met", "with_target", "rank"]
CHART_WIDTH = 700  # CSS pixels; printed 15 cm wide, the charts' 15 px text is about 9 pt
CHART_HEIGHT = 420
STATUS_CHART_HEIGHT = 260  # five bars; lower than the page's so it fits under the table
TABLE_KEYS = (
    "overview",
    "actions",
    "units",
    "overdue",
    "slipping",
    "scores",
    "highlights",
    "targets",
)
CHART_KEYS = ("status", "actions", "scores")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the figures ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Bulletin:
    """Everything the bulletin of `period` states. Frames are those of the queries named."""

    period: str
    previous: str  # the period before, at the same granularity
    as_of: date  # task statuses are judged on this day (the period's end, or today)
    issued: date
    headlines: tuple[Headline, ...]
    tasks: TaskSummary
    by_action: pd.DataFrame  # task_queries.rates_of(..., "action")
    by_unit: pd.DataFrame  # task_queries.ranking_of
    overdue: pd.DataFrame  # every overdue task, longest late first (task_queries.overdue_tasks)
    scores: pd.DataFrame  # scoring.district_scores
    dimensions: tuple[str, ...]
    yoy: pd.DataFrame  # indicator_yoy: YOY_COLUMNS, best improvement first
    targets: pd.DataFrame  # targets_met: TARGET_COLUMNS, most targets met first
    city: str = ""  # the city's full name from master data (深圳市), for the issuer
    # What changed since the bulletin published before the period was reopened (None: no
    # such bulletin, or nothing changed): the bulletin then says it restates figures.
    restatement: Restatement | None = None
    number: str | None = None  # the document number (文号), `settings.bulletin_number`
    # Open tasks the slip forecast expects to miss a deadline soon (forecast.slipping_tasks).
    slipping: pd.DataFrame = field(default_factory=pd.DataFrame)

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)

    @property
    def improved(self) -> pd.DataFrame:
        """The indicators that improved most year on year, best first (at most 3)."""
        return self.yoy[self.yoy["improvement"] > 0].head(HIGHLIGHT_COUNT)

    @property
    def declined(self) -> pd.DataFrame:
        """The indicators that declined most year on year, worst first (at most 3)."""
        worse = self.yoy[self.yoy["improvement"] < 0]
        return worse.sort_values("improvement", kind="stable").head(HIGHLIGHT_COUNT)

    @property
    def is_empty(self) -> bool:
        """Nothing to report: no task, score, activity, resolved issue or indicator value."""
        return (
            self.tasks.total + self.tasks.suspended == 0
            and self.scores.empty
            and not self.headline("activities").value
            and not self.headline("issues_resolved").value
            and not self.headline("coverage").value
        )


def _overview_figures(b: Bulletin, language: str | None) -> str:
    """Activities held, issues resolved and submission coverage in one sentence; a figure
    never submitted says so (活动台账未报送), never 0 or —."""
    clauses = []
    for key, headline, text in (
        ("activities", "activities", lambda v: cell_text(v, "int", language)),
        ("resolved", "issues_resolved", lambda v: cell_text(v, "int", language)),
        ("coverage", "coverage", lambda v: _percent(v, language)),
    ):
        value = b.headline(headline).value
        clauses.append(
            t(f"bulletin.overview_{key}_missing", language)
            if value is None
            else t(f"bulletin.overview_{key}", language, **{key: text(value)})
        )
    joined = t("bulletin.overview_separator", language).join(clauses)
    return t("bulletin.overview_activity", language, clauses=joined[:1].upper() + joined[1:])


def bulletin_figures(conn: Connection, period: str, today: date | None = None) -> Bulletin:
    """The figures of the bulletin of `period`, made and issued `today` (default: the real
    today), without a document number; `as_issued` applies the settings.

    Task figures are as of the period's end, or today while the period is running.
    """
    today = today or local_today()
    previous = previous_period(period)
    as_of = as_of_date(period, today)
    # The tasks counted per group in SQL (read from the summary on a report period end)
    # and the overdue ones listed: no frame of every task.
    counts = status_counts(conn, as_of)
    tasks = summary_of(counts)
    figures = headline_figures(conn, period, today, tasks=tasks)
    headlines = tuple(figures[key] for key in HEADLINE_KEYS)
    scoring = figures.current_scores
    scores = figures.scores
    bulletin = Bulletin(
        period=period,
        previous=previous,
        as_of=as_of,
        issued=today,
        headlines=headlines,
        tasks=tasks,
        by_action=rates_of(counts, "action"),
        by_unit=ranking_of(counts),
        overdue=task_list(conn, as_of, "overdue")[[*TASK_COLUMNS, "days_late"]],
        slipping=slipping_in_scope(conn, as_of),
        scores=scores,
        dimensions=tuple(c for c in scores.columns if c not in SCORE_FIXED_COLUMNS),
        yoy=indicator_yoy(conn, period),
        targets=ranked_targets(scoring.targets),
        city=city_full_name(conn),
    )
    restated = restatement_of(conn, period, bulletin)
    if restated is None or not restated.changed:
        return bulletin
    return replace(bulletin, restatement=restated)


def as_issued(bulletin: Bulletin) -> Bulletin:
    """`bulletin` (as `bulletin_figures` made it) with the issuing date `BULLETIN_DATE`
    when set and the document number (文号) `BULLETIN_NUMBER` gives for that date's year
    (`data_model.settings`). Kept apart from `bulletin_figures`, whose result pages cache
    by the data version, so a changed setting is never hidden by the cache. Raises
    ValueError, naming the setting, when one cannot be used."""
    issued = settings.bulletin_date() or bulletin.issued
    return dataclasses.replace(bulletin, issued=issued, number=settings.bulletin_number(issued))


def city_full_name(conn: Connection) -> str:
    """The city-level geography's full name (深圳市): the first of its aliases, then its
    name, that ends in 市 and is not the generic 全市; "" when master data names none."""
    row = conn.execute(
        select(District.name, District.aliases)
        .where(District.kind == "city")
        .order_by(District.sort_order)
    ).first()
    if row is None:
        return ""
    names = (*(row.aliases or ()), row.name)
    return next((n for n in names if n.endswith("市") and n != "全市"), "")


def _city(conn: Connection) -> str | None:
    return conn.execute(
        select(District.name).where(District.kind == "city").order_by(District.sort_order)
    ).scalar()


def indicator_yoy(conn: Connection, period: str) -> pd.DataFrame:
    """Year-on-year change (%) of every indicator's city-wide value in `period`.

    Only indicators with a complete value in `period` and a non-zero value a year
    before. `improvement` is the change the good way (negated for 逆向 indicators).
    Columns YOY_COLUMNS, largest improvement first.
    """
    city = _city(conn)
    if city is None:
        return pd.DataFrame(columns=YOY_COLUMNS)
    indicators = indicator_table(conn)
    # One read of every indicator's city value in the two periods (the trends page's
    # `changes_of_indicators` also reads the period before, and every district's).
    values = aggregate(conn, [period, same_period_last_year(period)], None, (city,))
    now = values[(values["period"] == period) & values["complete"]]
    before = values[values["period"] != period].set_index("indicator_code")["value"]
    # An inner merge keeps the indicators' order.
    rows = indicators.merge(
        now[["indicator_code", "value"]], left_on="code", right_on="indicator_code"
    )
    rows["last_year"] = rows["code"].map(before).astype(float)
    rows["yoy"] = percent_change(rows["value"], rows["last_year"])
    rows = rows[rows["yoy"].notna()]
    sign = np.where(rows["direction"] == "negative", -1.0, 1.0)
    frame = pd.DataFrame(
        {
            "code": rows["code"],
            "name": rows["name"],
            "dimension": rows["dimension"],
            "unit": rows["unit"].fillna(""),
            "direction": rows["direction"],
            "value": rows["value"].astype(float),
            "last_year": rows["last_year"].astype(float),
            "yoy": rows["yoy"].astype(float),
            "improvement": sign * rows["yoy"].astype(float),
        },
        columns=YOY_COLUMNS,
    )
    return frame.sort_values(
        ["improvement", "code"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def targets_met(scores: pd.DataFrame) -> pd.DataFrame:
    """Per district, how many indicators with a target it met (`met`) out of those counted
    (`with_target`; one not reported is not met). `scores`: a period's indicator scores
    (`PeriodScores.detail`). See `ranked_targets`."""
    return ranked_targets(target_counts(scores))


def ranked_targets(counts: pd.DataFrame) -> pd.DataFrame:
    """The target counts of a period (`PeriodRanking.targets`) ranked: columns
    TARGET_COLUMNS, most met first; equal counts share a rank. Empty when no counted
    indicator has a target."""
    if counts.empty or not (counts["with_target"] > 0).any():
        return pd.DataFrame(columns=TARGET_COLUMNS)
    frame = counts[["district", "met", "with_target"]].copy()
    frame["rank"] = rank_with_ties(frame["met"].astype(float), decimals=0)
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)[TARGET_COLUMNS]


# --- the figures in words ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A table column: catalogue key `bulletin.col_<key>`, how values are written, and its
    share of the width and alignment in Word (`in_word` False: in the workbook only)."""

    key: str
    format: str
    weight: float = 1.0
    in_word: bool = True
    align: str = "center"


@dataclass(frozen=True)
class BulletinTable:
    """A table of raw values. `row_kinds` ("rate"/"count" per row) decide how the columns
    of format "value" and "change" are written (the overview mixes percents and counts)."""

    key: str
    title: str
    headers: tuple[str, ...]
    fields: tuple[Field, ...]
    rows: tuple[tuple, ...]
    row_kinds: tuple[str, ...] = ()

    def text_rows(self, language: str | None = None, word_only: bool = False) -> list[list[str]]:
        """The rows as the bulletin writes them (`69.4%`, `上升1位`)."""
        return [
            [
                cell_text(value, self.format_of(field, index), language)
                for field, value in zip(self.fields, row, strict=True)
                if field.in_word or not word_only
            ]
            for index, row in enumerate(self.rows)
        ]

    def text_frame(self, language: str | None = None) -> pd.DataFrame:
        return pd.DataFrame(self.text_rows(language), columns=list(self.headers))

    def format_of(self, field: Field, row: int) -> str:
        """How the value of `field` in row `row` is written (resolves "value"/"change")."""
        if field.format in ("value", "change"):
            kind = self.row_kinds[row]
            if field.format == "value":
                return "percent" if kind == "rate" else "int"
            return "signed_points" if kind == "rate" else "signed_int"
        return field.format


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object, kind: str, language: str | None = None) -> str:
    """One value as text in the bulletin; `—` where there is none."""
    if _missing(value):
        return "—" if kind != "text" else ""
    if kind == "text":
        return str(value)
    if kind == "int":
        return format_number(int(value), language=language)
    if kind == "percent":
        return format_percent(float(value), language)
    if kind == "score":
        return score_text(float(value))
    if kind == "appraisal":
        return appraisal_text(float(value))
    if kind == "decimal":
        number = float(value)
        if number.is_integer() or abs(number) >= 100:
            return format_number(number, language=language)
        return f"{number:,.2f}"
    if kind == "signed_percent":
        return format_signed_percent(float(value))
    if kind == "signed_points":
        return format_points(float(value), language)
    if kind == "signed_int":
        return real_minus(f"{float(value):+,.0f}")
    if kind == "rank_change":
        return rank_change_text(int(value), language)
    if kind == "date":
        return value.isoformat()
    raise ValueError(f"unknown cell format {kind!r}")


def rank_change_text(change: int | None, language: str | None = None) -> str:
    if change is None or _missing(change):
        return t("bulletin.rank_none", language)
    if change > 0:
        return t("bulletin.rank_up", language, n=change)
    if change < 0:
        return t("bulletin.rank_down", language, n=-change)
    return t("bulletin.rank_same", language)


def _label(period: str, language: str | None) -> str:
    return period_label(period, language)


def _date_text(day: date, language: str | None) -> str:
    return t("bulletin.date", language, year=day.year, month=day.month, day=day.day)


def issuing_body(bulletin: Bulletin, language: str | None = None) -> str:
    """`ISSUING_BODY`, else the federation of the city master data names (深圳市 →
    深圳市工商业联合会（总商会）): another city's bulletin never names Shenzhen's."""
    return settings.issuing_body() or t("bulletin.issuing_body", language, city=bulletin.city)


def document_title(language: str | None = None) -> str:
    return t("bulletin.document_title", language)


def file_name(bulletin: Bulletin, extension: str, language: str | None = None) -> str:
    return t("bulletin.file_stem", language, period=bulletin.period) + extension


def _frame_rows(frame, fields: list[Field], **columns: str) -> list[tuple]:
    """The frame's rows as table rows: each field's column, of the same name unless
    `columns` names another (field key → column)."""
    names = [columns.get(f.key, f.key) for f in fields]
    return [tuple(getattr(r, n) for n in names) for r in frame.itertuples(index=False)]


def _table(
    key: str,
    language: str | None,
    fields: list[Field],
    rows: list[tuple],
    row_kinds: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    **title_params: object,
) -> BulletinTable:
    headers = headers or {}
    return BulletinTable(
        key=key,
        title=t(f"bulletin.table_{key}", language, **title_params),
        headers=tuple(headers.get(f.key) or t(f"bulletin.col_{f.key}", language) for f in fields),
        fields=tuple(fields),
        rows=tuple(rows),
        row_kinds=row_kinds,
    )


def bulletin_tables(bulletin: Bulletin, language: str | None = None) -> list[BulletinTable]:
    """The bulletin's tables in order (TABLE_KEYS), with the catalogue's headers."""
    b = bulletin
    period, previous = _label(b.period, language), _label(b.previous, language)
    city_wide = t("bulletin.city_wide", language)
    none_given = t("explanations.none", language)
    tables = [
        _table(
            "overview",
            language,
            [
                Field("item", "text", 2.4, align="left"),
                Field("current", "value", 1.5),
                Field("previous", "value", 1.5),
                Field("change", "change", 1.6),
            ],
            [
                (t(f"bulletin.headline_{h.key}", language), h.value, h.previous, h.change)
                for h in b.headlines
            ],
            row_kinds=tuple(h.kind for h in b.headlines),
            headers={
                "current": t("bulletin.col_current", language, period=period),
                "previous": t("bulletin.col_previous", language, period=previous),
            },
            period=period,
        ),
        _table(
            "actions",
            language,
            action_fields := [
                Field("action", "text", 1.6),
                Field("tasks", "int"),
                Field("completed", "int"),
                Field("completion_rate", "percent", 1.2),
                Field("on_time", "int", in_word=False),
                Field("on_time_rate", "percent", 1.2),
                Field("overdue", "int"),
                Field("behind", "int"),
            ],
            _frame_rows(b.by_action, action_fields, action="group"),
            period=period,
        ),
        _table(
            "units",
            language,
            unit_fields := [
                Field("rank", "int", 0.7),
                Field("lead_unit", "text", 2.4, align="left"),
                Field("tasks", "int", 0.9),
                Field("completed", "int", 0.9),
                Field("completion_rate", "percent", 1.1),
                Field("on_time_rate", "percent", 1.3),
                Field("overdue", "int", 0.8),
                Field("score", "appraisal", 1.1),
            ],
            _frame_rows(b.by_unit, unit_fields),
            period=period,
        ),
        _table(
            "overdue",
            language,
            [
                Field("number", "int", 0.8),
                Field("code", "text", 1.0),
                Field("content", "text", 2.2, align="left"),
                Field("action", "text", in_word=False),
                Field("lead_unit", "text", 1.8),
                Field("district", "text", in_word=False),
                Field("owner", "text", 1.1),
                Field("deadline_text", "text", 1.5),
                Field("deadline", "date", in_word=False),
                Field("progress", "percent", 0.8),
                Field("days_late", "int", 0.9),
                Field("explanation", "text", 2.4, align="left"),
            ],
            [
                (
                    number,
                    r.code,
                    r.content,
                    r.action,
                    r.lead_unit,
                    r.district or city_wide,
                    r.owner or "",
                    r.deadline_text or (r.deadline.isoformat() if r.deadline else ""),
                    r.deadline,
                    r.progress,
                    r.days_late,
                    r.explanation or none_given,
                )
                for number, r in enumerate(b.overdue.itertuples(index=False), start=1)
            ],
            date=_date_text(b.as_of, language),
        ),
        _table(
            "slipping",
            language,
            [
                Field("number", "int", 0.8),
                Field("code", "text", 1.0),
                Field("content", "text", 2.6, align="left"),
                Field("lead_unit", "text", 1.8),
                Field("district", "text", in_word=False),
                Field("deadline", "date", 1.3),
                Field("progress", "percent", 0.8),
                Field("expected_finish", "text", 1.4),
                Field("days_short", "int", 1.0),
            ],
            [
                (
                    number,
                    r.code,
                    r.content,
                    r.lead_unit,
                    r.district or city_wide,
                    r.deadline,
                    r.progress,
                    r.expected_finish.isoformat()
                    if r.expected_finish is not None
                    else t("tasks.forecast_never", language),
                    None if pd.isna(r.days_short) else int(r.days_short),
                )
                for number, r in enumerate(b.slipping.itertuples(index=False), start=1)
            ],
            date=_date_text(b.as_of, language),
            weeks=DEFAULT_WEEKS,
        ),
        _table(
            "scores",
            language,
            [
                Field("rank", "int", 0.7),
                Field("district", "text", 1.8),
                *[Field(f"dimension_{i}", "score") for i in range(len(b.dimensions))],
                Field("composite", "score", 1.1),
                Field("rank_change", "rank_change", 1.1),
                Field("missing_count", "int", in_word=False),
            ],
            [
                (
                    r["rank"],
                    r["district"],
                    *[r[d] for d in b.dimensions],
                    r["composite"],
                    r["rank_change"],
                    r["missing_count"],
                )
                for _, r in b.scores.iterrows()
            ],
            headers={f"dimension_{i}": d for i, d in enumerate(b.dimensions)},
            period=period,
        ),
        _table(
            "highlights",
            language,
            [
                Field("category", "text", 1.2),
                Field("indicator", "text", 2.6, align="left"),
                Field("code", "text", in_word=False),
                Field("dimension", "text", in_word=False),
                Field("unit", "text", 0.7),
                Field("direction", "text", 0.8),
                Field("value", "decimal", 1.2),
                Field("last_year", "decimal", 1.2),
                Field("yoy", "signed_percent", 1.0),
            ],
            [
                (
                    t(f"bulletin.category_{category}", language),
                    r.name,
                    r.code,
                    r.dimension,
                    unit_text(r.unit, language),
                    t(f"bulletin.direction_{r.direction}", language),
                    r.value,
                    r.last_year,
                    r.yoy,
                )
                for category, frame in (("improved", b.improved), ("declined", b.declined))
                for r in frame.itertuples(index=False)
            ],
            period=period,
        ),
        _table(
            "targets",
            language,
            [
                Field("rank", "int", 0.8),
                Field("district", "text", 1.6),
                Field("met", "int", 1.4),
                Field("with_target", "int", 1.4),
                Field("met_share", "percent", 1.2),
            ],
            [
                (
                    r.rank,
                    r.district,
                    r.met,
                    r.with_target,
                    r.met / r.with_target * 100 if r.with_target else None,
                )
                for r in b.targets.itertuples(index=False)
            ],
            period=period,
        ),
    ]
    if b.restatement is not None:
        tables.append(
            _table(
                "restatement",
                language,
                [
                    Field("item", "text", 2.6, align="left"),
                    Field("old", "text", 1.1),
                    Field("new", "text", 1.1),
                    Field("submission", "text", 1.1),
                    Field("by", "text", 0.9),
                    Field("at", "text", 1.4),
                ],
                [tuple(row) for row in restatement_rows(b.restatement, language)],
                headers={c: t(f"restatement.col_{c}", language) for c in RESTATEMENT_COLUMNS},
                period=period,
            )
        )
    return tables


def _change_words(headline: Headline, previous: str, language: str | None) -> str:
    """ "较2022年提高11.2个百分点" for a rate."""
    change = headline.change
    if change is None:
        return t("bulletin.change_unknown", language, previous=previous)
    points = f"{abs(change):.1f}"
    if round(change, 1) > 0:
        return t("bulletin.change_up_points", language, previous=previous, value=points)
    if round(change, 1) < 0:
        return t("bulletin.change_down_points", language, previous=previous, value=points)
    return t("bulletin.change_same", language, previous=previous)


def _percent(value: float | None, language: str | None) -> str:
    return cell_text(value, "percent", language)


def _sentences(*sentences: str, language: str | None) -> str:
    return join_sentences(sentences, language)


def _join(items: list[str], language: str | None) -> str:
    return join_items(items, language)


def bulletin_texts(bulletin: Bulletin, language: str | None = None) -> dict[str, str]:
    """The sentences that state each section's findings, with the real numbers."""

    def noun(unit: str, count: int) -> str:  # the word for `count` things: 1 task, 2 tasks
        return unit_word(f"format.unit_{unit}", count, language)

    b = bulletin
    period, previous = _label(b.period, language), _label(b.previous, language)
    as_of = _date_text(b.as_of, language)
    texts = {"opening": t("bulletin.opening", language, period=period)}
    if b.restatement is not None:
        texts["restated"] = t(
            "bulletin.restates",
            language,
            published=_date_text(b.restatement.published_at.date(), language),
            figures=len(b.restatement.figures),
            figures_noun=noun("figures", len(b.restatement.figures)),
            values=len(b.restatement.values),
            values_noun=noun("values", len(b.restatement.values)),
        )

    tasks = b.tasks
    if tasks.total + tasks.suspended == 0:
        task_text = t("bulletin.no_tasks", language, period=period)
    else:
        task_text = t(
            "bulletin.overview_tasks",
            language,
            period=period,
            total=tasks.total,
            suspended=tasks.suspended,
            suspended_noun=noun("tasks", tasks.suspended),
            completed=tasks.completed,
            rate=_percent(tasks.completion_rate, language),
            rate_change=_change_words(b.headline("completion_rate"), previous, language),
            overdue=tasks.overdue,
            overdue_noun=noun("tasks", tasks.overdue),
            behind=tasks.behind,
        )
    texts["overview"] = _sentences(task_text, _overview_figures(b, language), language=language)

    actions = b.by_action
    if actions.empty:
        texts["actions"] = t("bulletin.no_tasks", language, period=period)
    else:
        best, worst = actions.iloc[0], actions.iloc[-1]
        with_overdue = int((actions["overdue"] > 0).sum())
        texts["actions"] = t(
            "bulletin.actions_text",
            language,
            count=len(actions),
            best=best["group"],
            best_rate=_percent(best["completion_rate"], language),
            worst=worst["group"],
            worst_rate=_percent(worst["completion_rate"], language),
            with_overdue=with_overdue,
            with_overdue_noun=noun("actions", with_overdue),
        )

    units = b.by_unit
    if units.empty:
        texts["units"] = t("bulletin.no_tasks", language, period=period)
    else:
        texts["units"] = t(
            "bulletin.units_text",
            language,
            units=len(units),
            full=int((units["completed"] == units["tasks"]).sum()),
            with_overdue=int((units["overdue"] > 0).sum()),
            completion=round(COMPLETION_WEIGHT * 100),
            on_time=round(ON_TIME_WEIGHT * 100),
            penalty=format_number(OVERDUE_PENALTY, language=language),
        )

    overdue = b.overdue
    if overdue.empty:
        texts["overdue"] = t("bulletin.overdue_none", language, date=as_of)
    else:
        longest = overdue.iloc[0]
        units, days = overdue["lead_unit"].nunique(), int(longest["days_late"])
        texts["overdue"] = t(
            "bulletin.overdue_text_one" if len(overdue) == 1 else "bulletin.overdue_text",
            language,
            date=as_of,
            count=len(overdue),
            units=units,
            units_noun=noun("lead_units", units),
            days=days,
            days_noun=noun("days", days),
            code=longest["code"],
            content=longest["content"],
        )

    slipping = b.slipping
    if slipping.empty:
        texts["slipping"] = t("bulletin.slipping_none", language, date=as_of, weeks=DEFAULT_WEEKS)
    else:
        worst = slipping.sort_values("days_short", na_position="first", ascending=False).iloc[0]
        texts["slipping"] = t(
            "bulletin.slipping_text_one" if len(slipping) == 1 else "bulletin.slipping_text",
            language,
            date=as_of,
            weeks=DEFAULT_WEEKS,
            count=len(slipping),
            code=worst["code"],
            content=worst["content"],
        )

    if b.scores.empty:
        texts["scores"] = t("bulletin.scores_none", language, period=period)
    else:
        texts["scores"] = _scores_text(b.scores, period, previous, language)

    def items(frame: pd.DataFrame) -> str:
        return _join(
            [
                t(
                    f"bulletin.highlight_item_{r.direction}",
                    language,
                    name=r.name,
                    change=cell_text(r.yoy, "signed_percent", language),
                )
                for r in frame.itertuples(index=False)
            ],
            language,
        )

    yoy = b.yoy
    if yoy.empty:
        texts["highlights"] = t("bulletin.highlights_none", language, period=period)
    else:
        parts = [
            t(
                "bulletin.highlights_lead",
                language,
                period=period,
                compared=len(yoy),
                compared_noun=noun("indicators", len(yoy)),
                improved=int((yoy["improvement"] > 0).sum()),
                declined=int((yoy["improvement"] < 0).sum()),
            )
        ]
        if not b.improved.empty:
            parts.append(t("bulletin.highlights_improved", language, items=items(b.improved)))
        if not b.declined.empty:
            parts.append(t("bulletin.highlights_declined", language, items=items(b.declined)))
        texts["highlights"] = _sentences(*parts, language=language)

    targets = b.targets
    if targets.empty:
        texts["targets"] = t("bulletin.targets_none", language, period=period)
    else:
        leaders = targets[targets["rank"] <= TARGET_LEADERS]
        # Districts meeting as many targets are named together, as a tie is everywhere
        # (`tied_names`): eleven level would otherwise be eleven names with one count each.
        tied = leaders.groupby(["rank", "met"], sort=True)["district"].agg(list)
        with_target = int(targets["with_target"].max())
        texts["targets"] = t(
            "bulletin.targets_text",
            language,
            period=period,
            leaders=_join(
                [
                    t(
                        "bulletin.target_leader",
                        language,
                        district=tied_names(districts, language),
                        met=met,
                    )
                    for (_, met), districts in tied.items()
                ],
                language,
            ),
            with_target=with_target,
            with_target_noun=noun("indicators", with_target),
        )
    return texts


def _scores_text(scores: pd.DataFrame, period: str, previous: str, language: str | None) -> str:
    """The scores section's finding: who has the highest and the lowest composite score,
    every district sharing either named as the pages and slides name a tie
    (`scoring.score_extremes`), or the one score all share; then how ranks moved since
    `previous`. `scores`: the bulletin's (not empty); `period`, `previous`: labels."""
    extremes = score_extremes(scores, language)
    count, score = len(scores), score_text(scores["composite"].iloc[0])
    if extremes is not None:
        standing = t("bulletin.scores_ranked", language, period=period, count=count, **extremes)
    elif count > 1:
        standing = t("bulletin.scores_level", language, period=period, count=count, score=score)
    else:
        district = scores["district"].iloc[0]
        standing = t(
            "bulletin.scores_single", language, period=period, district=district, score=score
        )
    moves = scores["rank_change"]
    if moves.isna().all():
        return t("bulletin.scores_text_first", language, standing=standing, previous=previous)
    if (moves.fillna(0) == 0).all():
        return t("bulletin.scores_text_unchanged", language, standing=standing, previous=previous)
    return t(
        "bulletin.scores_text",
        language,
        standing=standing,
        previous=previous,
        up=int((moves > 0).sum()),
        down=int((moves < 0).sum()),
    )


@dataclass(frozen=True)
class BulletinChart:
    key: str  # one of CHART_KEYS
    title: str
    figure: object  # plotly Figure
    height: int


def bulletin_charts(bulletin: Bulletin, language: str | None = None) -> list[BulletinChart]:
    """The bulletin's charts (those with data), built by the dashboards' chart functions."""
    b = bulletin
    period = _label(b.period, language)
    charts = []
    tasks = b.tasks
    if tasks.total + tasks.suspended > 0:
        open_tasks = tasks.total - tasks.completed - tasks.overdue - tasks.behind
        counts = pd.DataFrame(
            [
                ("completed", t("status.completed", language), tasks.completed),
                ("in_progress", t("bulletin.other_open", language), open_tasks),
                ("behind", t("status.behind", language), tasks.behind),
                ("overdue", t("status.overdue", language), tasks.overdue),
                ("suspended", t("status.suspended", language), tasks.suspended),
            ],
            columns=["status", "label", "count"],
        ).sort_values("status", key=lambda s: s.map(STATUSES.index), kind="stable")
        figure = status_bar(counts).update_layout(height=STATUS_CHART_HEIGHT)
        charts.append(_chart("status", figure, period, language))
    if not b.by_action.empty:
        rates = b.by_action.assign(label=b.by_action["group"])
        figure = rate_bars(
            rates,
            t("bulletin.col_completion_rate", language),
            t("bulletin.col_on_time_rate", language),
        )
        charts.append(_chart("actions", figure, period, language))
    if not b.scores.empty:
        bars = b.scores.assign(
            text=[
                t("bulletin.score_text", language, rank=rank, score=score_text(score))
                for rank, score in zip(b.scores["rank"], b.scores["composite"], strict=True)
            ]
        )
        charts.append(_chart("scores", composite_bars(bars), period, language))
    return charts


def _chart(key: str, figure, period: str, language: str | None) -> BulletinChart:
    height = int(figure.layout.height or CHART_HEIGHT)
    figure = literal_labels(localise_axes(figure, language))
    return BulletinChart(key, t(f"bulletin.chart_{key}", language, period=period), figure, height)


# --- restatement ------------------------------------------------------------------------

RESTATEMENT_COLUMNS = ("item", "old", "new", "submission", "by", "at")


def _known(key: str, language: str | None) -> bool:
    return key in catalogue(language or DEFAULT_LANGUAGE)


def _figure_value(value: object, language: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _figure_item(figure: FigureChange, language: str | None) -> str:
    section = t(f"restatement.section_{figure.section.replace('.', '_')}", language)
    key = f"restatement.figure_{figure.column}"
    column = t(key, language) if _known(key, language) else figure.column
    return " · ".join(part for part in (section, figure.row, column) if part)


def _value_text(values: dict | None, language: str | None) -> str:
    if values is None:
        return "—"
    if len(values) == 1:
        return _figure_value(next(iter(values.values())), language)
    return join_items(
        (
            f"{t(f'restatement.value_{column}', language)} {_figure_value(value, language)}"
            for column, value in values.items()
            if value not in (None, "")
        ),
        language,
    )


def _changes_cells(changes, language: str | None) -> list[str]:
    ids = join_items(
        (t(f"restatement.change_{c.how}", language, id=c.submission_id) for c in changes),
        language,
    )
    people = join_items(dict.fromkeys(c.by for c in changes), language)
    times = join_items(dict.fromkeys(time_text(c.at) for c in changes), language)
    return [ids or "—", people or "—", times or "—"]


def restatement_rows(restatement: Restatement, language: str | None = None) -> list[list[str]]:
    """The restated figures of the bulletin, then the stored values that changed, as text
    rows of RESTATEMENT_COLUMNS (item, old, new, submission, by, at)."""
    rows = [
        [
            _figure_item(f, language),
            _figure_value(f.old, language),
            _figure_value(f.new, language),
            *_changes_cells(f.changes, language),
        ]
        for f in restatement.figures
    ]
    for v in restatement.values:
        key = " · ".join(str(value) for value in v.key.values())
        rows.append(
            [
                f"{t(f'kinds.{v.kind}', language)} · {key}",
                _value_text(v.old, language),
                _value_text(v.new, language),
                *_changes_cells([v.change], language),
            ]
        )
    return rows


def restatement_heading(restatement: Restatement, language: str | None = None) -> str:
    """One sentence: which bulletin is restated, after which reopen, how many figures."""
    r = restatement
    return t(
        "restatement.heading",
        language,
        period=_label(r.period, language),
        published=time_text(r.published_at)[:16],
        publication=r.publication_id,
        reopened=time_text(r.reopened_at)[:16],
        reopened_by=r.reopened_by,
        reason=r.reopen_reason,
        figures=len(r.figures),
        figures_noun=unit_word("format.unit_figures", len(r.figures), language),
        values=len(r.values),
        values_noun=unit_word("format.unit_values", len(r.values), language),
    )


# --- Word -------------------------------------------------------------------------------


def bulletin_docx(bulletin: Bulletin, language: str | None = None, charts: bool = True) -> bytes:
    """The bulletin as a Word document in the official layout.

    With `charts`, the charts are embedded as PNG images rendered on the server
    (`charts.images`; raises ChartImageError without a browser). Section 五 holds
    highlighted placeholder text for the user to replace in Word.
    """
    b = bulletin
    tables = {table.key: table for table in bulletin_tables(b, language)}
    texts = bulletin_texts(b, language)
    figures = bulletin_charts(b, language) if charts else []
    images = chart_pngs([(c.figure, CHART_WIDTH, c.height) for c in figures])
    pictures = {c.key: (c, image) for c, image in zip(figures, images, strict=True)}

    issuer = issuing_body(b, language)
    document = official_docx.new_document(document_title(language), issuer, language or "")
    official_docx.masthead(
        document,
        document_title(language),
        t("bulletin.subtitle", language, period=_label(b.period, language)),
        issuer,
        _date_text(b.issued, language),
        b.number,
    )
    counters = {"table": 0, "figure": 0}

    def text(key: str) -> None:
        official_docx.paragraph(document, texts[key])

    def heading(key: str, level: int) -> None:
        official_docx.heading(document, t(f"bulletin.section_{key}", language), level)

    def add_table(key: str) -> None:
        table = tables[key]
        if not table.rows:
            return
        counters["table"] += 1
        official_docx.caption(
            document, t("bulletin.table_caption", language, n=counters["table"], title=table.title)
        )
        columns = [
            official_docx.Column(header, field.weight, field.align)
            for header, field in zip(table.headers, table.fields, strict=True)
            if field.in_word
        ]
        official_docx.table(document, columns, table.text_rows(language, word_only=True))

    def add_picture(key: str) -> None:
        if key not in pictures:
            return
        chart, image = pictures[key]
        counters["figure"] += 1
        official_docx.picture(document, image)
        official_docx.caption(
            document,
            t("bulletin.figure_caption", language, n=counters["figure"], title=chart.title),
        )

    text("opening")
    if "restated" in texts:
        text("restated")
    heading("overview", 1)
    text("overview")
    add_table("overview")
    add_picture("status")

    heading("tasks", 1)
    heading("tasks_actions", 2)
    text("actions")
    add_table("actions")
    add_picture("actions")
    heading("tasks_units", 2)
    text("units")
    add_table("units")
    heading("tasks_overdue", 2)
    text("overdue")
    add_table("overdue")
    heading("tasks_slipping", 2)
    text("slipping")
    add_table("slipping")

    heading("scores", 1)
    text("scores")
    add_table("scores")
    add_picture("scores")

    heading("highlights", 1)
    heading("highlights_yoy", 2)
    text("highlights")
    add_table("highlights")
    heading("highlights_targets", 2)
    text("targets")
    add_table("targets")

    heading("next", 1)
    for number in (1, 2, 3):
        official_docx.paragraph(
            document, t(f"bulletin.next_steps_{number}", language), placeholder=True
        )
    if b.restatement is not None:
        official_docx.heading(document, t("bulletin.section_annex", language), 1)
        official_docx.paragraph(document, restatement_heading(b.restatement, language))
        add_table("restatement")
    return official_docx.to_bytes(document)


# --- PDF --------------------------------------------------------------------------------


def bulletin_pdf(bulletin: Bulletin, language: str | None = None, charts: bool = True) -> bytes:
    """The Word bulletin (`bulletin_docx`) rendered as PDF by LibreOffice on the server
    (`office_pdf.docx_to_pdf`): the same layout, text, tables, charts and fonts.

    Raises PdfUnavailable without LibreOffice (checked before the Word file is made),
    PdfConversionError when LibreOffice fails, ChartImageError as `bulletin_docx` does.
    """
    if find_soffice() is None:
        raise PdfUnavailable(soffice_problem())
    return docx_to_pdf(bulletin_docx(bulletin, language, charts))


# --- Excel ------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
NUMBER_FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "score": "0.00",
    "appraisal": "0.0",
    "decimal": "#,##0.00",
    "signed_percent": "+0.0%;-0.0%;0.0%",
    "signed_int": "+#,##0;-#,##0;0",
    "rank_change": "+0;-0;0",
    "date": "yyyy-mm-dd",
}
PERCENT_FORMATS = ("percent", "signed_percent")  # stored as fractions: 69.4 → 0.694


def bulletin_xlsx(bulletin: Bulletin, language: str | None = None) -> bytes:
    """The bulletin's tables as a workbook: one sheet per table (TABLE_KEYS), a title row,
    a bold shaded header, number formats, fitted widths; formula-like text neutralised."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    title = document_title(language)
    period = _label(bulletin.period, language)
    workbook.properties.title = f"{title} {period}"
    workbook.properties.creator = issuing_body(bulletin, language)
    points = t("bulletin.points_suffix", language)
    for table in bulletin_tables(bulletin, language):
        sheet = workbook.create_sheet(excel_sheet_name(t(f"bulletin.sheet_{table.key}", language)))
        sheet.append(
            [
                xlsx_cell(
                    sheet, t("bulletin.sheet_title", language, period=period, title=table.title)
                )
            ]
        )
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([xlsx_cell(sheet, h) for h in table.headers])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for index, row in enumerate(table.rows):
            values = []
            formats = []
            for column, value in zip(table.fields, row, strict=True):
                kind = table.format_of(column, index)
                values.append(_xlsx_value(sheet, value, kind))
                formats.append(kind)
            sheet.append(values)
            for cell, kind in zip(sheet[sheet.max_row], formats, strict=True):
                if kind == "signed_points":
                    cell.number_format = f'+0.0"{points}";-0.0"{points}";0.0"{points}"'
                elif kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[kind]
        _fit_widths(sheet, table, language)
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(sheet: Worksheet, value: object, kind: str) -> object:
    if _missing(value):
        return None
    if kind in PERCENT_FORMATS:
        return float(value) / 100
    if kind == "signed_points":
        return float(value)
    if kind in ("int", "signed_int", "rank_change"):
        return int(value)
    if kind in ("score", "appraisal", "decimal"):
        return float(value)
    return xlsx_cell(sheet, value)


def _display_width(text: str) -> int:
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def _fit_widths(sheet, table: BulletinTable, language: str | None) -> None:
    texts = table.text_rows(language)
    for index, header in enumerate(table.headers):
        longest = max([_display_width(header)] + [_display_width(row[index]) for row in texts])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(60, max(8, longest + 2))
