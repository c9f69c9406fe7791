"""The dashboards' global filters and their URL form (plain, validated values only).

`Filters` is what every page reads; `from_params` turns a URL query string into
filters, falling back to defaults with a notice for each invalid value, and
`to_params` writes them back so a copied link reopens the same view.

The default period (`default_year`) is the newest year whose indicator values are at
least half reported (submission coverage of every geography together reaching
`DEFAULT_COVERAGE`), not merely the newest year holding any row: one district's first
upload for a new year must not turn every dashboard's first view into that almost
empty year. Newer years stay in the period box, and `skipped_year` names the newest one
the default passed over so the page can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from data_model.periods import (
    is_canonical,
    period_containing,
    period_end,
    periods_between,
)

PAGE_GRANULARITIES = ("year", "quarter", "month")
DEFAULT_COVERAGE = 50.0  # % of the indicator values owed in a year: "substantially reported"


@dataclass(frozen=True)
class FilterOptions:
    """What the data offers: the choices the filters may take."""

    first_year: int
    last_period_day: date  # the last day with data, to cap period choices
    districts: tuple[str, ...]  # names, in master-data order
    district_codes: dict[str, str]  # name → code (codes go in the URL)
    dimensions: tuple[str, ...]
    actions: tuple[str, ...]
    action_codes: dict[str, str]
    # year → submission coverage of every geography together, in %, for the years holding
    # indicator values (`summaries_coverage.coverage_of`); empty while no value is owed
    year_coverage: dict[str, float] = field(default_factory=dict)

    def periods(self, granularity: str) -> list[str]:
        """Periods of a granularity from the first year to the last data, newest first."""
        start = period_containing(date(self.first_year, 1, 1), granularity)
        end = period_containing(self.last_period_day, granularity)
        return periods_between(start, end)[::-1]


@dataclass(frozen=True)
class Filters:
    period: str
    granularity: str
    districts: tuple[str, ...] = ()  # empty: all districts
    dimension: str | None = None
    action: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)  # catalogue keys of fallbacks


def default_year(options: FilterOptions) -> str:
    """The year a view without a chosen period shows: the newest year reaching
    DEFAULT_COVERAGE; when none does, the best reported (the newest of equals); when no
    indicator value is owed at all, the newest year. A year without values counts 0%."""
    years = options.periods("year")
    coverage = options.year_coverage
    if not coverage:
        return years[0]
    for year in years:
        if coverage.get(year, 0.0) >= DEFAULT_COVERAGE:
            return year
    return max(years, key=lambda year: coverage.get(year, 0.0))  # max keeps the first


def skipped_year(options: FilterOptions) -> tuple[str, float] | None:
    """The newest year and its coverage (%) when `default_year` passed over it, else None."""
    newest = options.periods("year")[0]
    if default_year(options) == newest:
        return None
    return newest, options.year_coverage.get(newest, 0.0)


def default_period(options: FilterOptions, granularity: str) -> str:
    """The default period of `granularity`: the one holding the end of `default_year`."""
    return period_containing(period_end(default_year(options)), granularity)


def default_filters(options: FilterOptions) -> Filters:
    return Filters(period=default_year(options), granularity="year")


def from_params(params: dict[str, str], options: FilterOptions) -> Filters:
    """Filters from URL values; each invalid value falls back to its default with a notice."""
    default = default_filters(options)
    notices: list[str] = []
    granularity = params.get("gran", default.granularity)
    if granularity not in PAGE_GRANULARITIES:
        notices.append("filters.bad_granularity")
        granularity = default.granularity
    choices = options.periods(granularity)
    period = params.get("period", default_period(options, granularity))
    if not is_canonical(period) or period not in choices:
        if "period" in params:
            notices.append("filters.bad_period")
        period = default_period(options, granularity)
    code_to_name = {code: name for name, code in options.district_codes.items()}
    districts: list[str] = []
    for code in filter(None, params.get("districts", "").split(",")):
        if code in code_to_name:
            districts.append(code_to_name[code])
        elif "filters.bad_district" not in notices:
            notices.append("filters.bad_district")
    dimension = params.get("dim") or None
    if dimension is not None and dimension not in options.dimensions:
        notices.append("filters.bad_dimension")
        dimension = None
    action_by_code = {code: name for name, code in options.action_codes.items()}
    action = params.get("action") or None
    if action is not None and action not in action_by_code:
        notices.append("filters.bad_action")
        action = None
    return Filters(
        period=period,
        granularity=granularity,
        districts=tuple(districts),
        dimension=dimension,
        action=action_by_code.get(action) if action else None,
        notices=tuple(notices),
    )


def to_params(filters: Filters, options: FilterOptions) -> dict[str, str]:
    """The URL query values for `filters`; defaults are left out to keep links short."""
    params = {"gran": filters.granularity, "period": filters.period}
    if filters.districts:
        params["districts"] = ",".join(options.district_codes[d] for d in filters.districts)
    if filters.dimension:
        params["dim"] = filters.dimension
    if filters.action:
        params["action"] = options.action_codes[filters.action]
    return params
