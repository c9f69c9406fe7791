"""The dashboards' default period on real data: one district's first upload for a new
year leaves the default on the last year substantially reported (`filters.default_year`,
from the coverage summaries that `shared.filter_options` reads)."""

from __future__ import annotations

import pytest

from data_model.queries.filters import default_filters, skipped_year
from data_model.queries.shared import filter_options
from tests.conftest import upload_futian_january


@pytest.fixture
def futian_2024_engine(fresh_sample_db):
    engine = fresh_sample_db.open()
    upload_futian_january(engine)
    yield engine
    engine.dispose()


def test_one_districts_first_2024_upload_leaves_the_default_on_2023(futian_2024_engine):
    with futian_2024_engine.connect() as conn:
        options = filter_options(conn)
    assert options.periods("year")[0] == "2024"  # still offered
    assert round(options.year_coverage["2023"], 1) == 98.1
    assert options.year_coverage["2024"] == pytest.approx(3 / 2472 * 100)
    assert default_filters(options).period == "2023"
    year, coverage = skipped_year(options)
    assert (year, round(coverage, 1)) == ("2024", 0.1)


def test_the_sample_data_default_to_their_newest_year(sample_engine):
    with sample_engine.connect() as conn:
        options = filter_options(conn)
    assert (default_filters(options).period, skipped_year(options)) == ("2023", None)
