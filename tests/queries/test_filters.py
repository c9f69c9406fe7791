"""Global filters to and from the URL: round trips and fallbacks for invalid values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from data_model.queries.filters import (
    FilterOptions,
    Filters,
    default_filters,
    default_year,
    from_params,
    skipped_year,
    to_params,
)

OPTIONS = FilterOptions(
    first_year=2021,
    last_period_day=date(2023, 12, 31),
    districts=("全市", "福田区", "南山区"),
    district_codes={"全市": "440300", "福田区": "440304", "南山区": "440305"},
    dimensions=("营商环境", "政企沟通"),
    actions=("领跑行动", "提质行动"),
    action_codes={"领跑行动": "A1", "提质行动": "A2"},
)


def test_periods_are_offered_newest_first():
    assert OPTIONS.periods("year") == ["2023", "2022", "2021"]
    assert OPTIONS.periods("quarter")[:2] == ["2023-Q4", "2023-Q3"]
    assert len(OPTIONS.periods("month")) == 36


def test_empty_query_gives_the_latest_year():
    assert from_params({}, OPTIONS) == Filters(period="2023", granularity="year")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(period="2022", granularity="year"),
        Filters(period="2022-Q3", granularity="quarter", districts=("南山区", "福田区")),
        Filters(period="2021-02", granularity="month", dimension="政企沟通", action="提质行动"),
    ],
)
def test_round_trip_through_the_url(filters):
    assert from_params(to_params(filters, OPTIONS), OPTIONS) == filters


def test_invalid_values_fall_back_with_notices():
    params = {
        "gran": "week",
        "period": "2030",
        "districts": "440305,999",
        "dim": "x",
        "action": "Z9",
    }
    filters = from_params(params, OPTIONS)
    assert filters == Filters(period="2023", granularity="year", districts=("南山区",))
    assert filters.notices == (
        "filters.bad_granularity",
        "filters.bad_period",
        "filters.bad_district",
        "filters.bad_dimension",
        "filters.bad_action",
    )


def test_a_period_of_another_granularity_is_replaced():
    filters = from_params({"gran": "quarter", "period": "2022"}, OPTIONS)
    assert (filters.period, filters.notices) == ("2023-Q4", ("filters.bad_period",))


# One district's first upload for 2024: three values of 2,472 owed (0.1%).
BARELY_STARTED = replace(
    OPTIONS,
    last_period_day=date(2024, 12, 31),
    year_coverage={"2021": 99.9, "2022": 99.4, "2023": 98.1, "2024": 0.1},
)


def test_a_barely_reported_newest_year_is_not_the_default():
    assert default_filters(BARELY_STARTED) == Filters(period="2023", granularity="year")
    assert from_params({}, BARELY_STARTED) == Filters(period="2023", granularity="year")
    assert from_params({"gran": "quarter"}, BARELY_STARTED).period == "2023-Q4"
    assert from_params({"gran": "month"}, BARELY_STARTED).period == "2023-12"
    assert skipped_year(BARELY_STARTED) == ("2024", 0.1)
    # It stays offered, and a link naming it still opens it.
    assert BARELY_STARTED.periods("year")[0] == "2024"
    assert from_params({"period": "2024"}, BARELY_STARTED) == Filters("2024", "year")


def test_a_year_without_values_counts_as_unreported():
    options = replace(BARELY_STARTED, year_coverage={"2022": 99.4, "2023": 98.1})
    assert (default_year(options), skipped_year(options)) == ("2023", ("2024", 0.0))


def test_a_half_reported_newest_year_is_the_default():
    options = replace(BARELY_STARTED, year_coverage={"2023": 98.1, "2024": 50.0})
    assert (default_year(options), skipped_year(options)) == ("2024", None)


def test_without_a_half_reported_year_the_best_reported_is_the_default():
    options = replace(BARELY_STARTED, year_coverage={"2022": 40.0, "2023": 40.0, "2024": 3.0})
    assert default_year(options) == "2023"


def test_without_indicator_values_the_newest_year_is_the_default():
    options = replace(BARELY_STARTED, year_coverage={})
    assert (default_year(options), skipped_year(options)) == ("2024", None)
