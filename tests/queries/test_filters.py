"""Global filters to and from the URL: round trips and fallbacks for invalid values."""

from __future__ import annotations

from datetime import date

import pytest

from data_model.queries.filters import FilterOptions, Filters, from_params, to_params

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
