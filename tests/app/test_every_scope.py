"""Every dashboard opens without an error in every scope of the latest year on the sample
data: each district alone and all of them, and on the task page each action too. A scope
can hold nothing to rate or rank (南山区 with 聚力行动 has one task, neither completed nor
late), which once made the task page fail while every test looked at the whole city.

One test per page goes through its scopes and reports every one that failed.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_model.queries.shared import filter_options
from tests.app.conftest import APP
from tests.conftest import AppDatabase, sign_in_app

# The pages that filter by district, and those that show the whole city whatever the filter.
BY_DISTRICT = {
    "pages/coverage.py": "区覆盖",
    "pages/tasks.py": "任务完成",
    "pages/trends.py": "指标趋势",
    "pages/evaluation.py": "综合评价",
}
WHOLE_CITY = ("pages/overview.py", "pages/bulletin.py", "pages/present.py")


@pytest.fixture(scope="module")
def scopes(sample_engine) -> tuple[str, list[str], list[str]]:
    """The latest year, the district codes ("": all) and the action codes ("": all)."""
    with sample_engine.connect() as conn:
        options = filter_options(conn)
    return (
        options.periods("year")[0],
        ["", *options.district_codes.values()],
        ["", *options.action_codes.values()],
    )


def failures(page: str, db: AppDatabase, monkeypatch, **query: str) -> list[str]:
    """What went wrong on `page` opened by a leader with `query` in the URL: an exception,
    an error box, another title, or a filter value the page did not take from the link."""
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db, role="leader")
    for key, value in query.items():
        if value:
            app.query_params[key] = value
    app.switch_page(page)
    app.run()
    # The app redacts an exception's message (client.showErrorDetails); the captured log
    # holds its traceback.
    found = [f"exception: {e.message[:60]}" for e in app.exception]
    found += [f"error: {e.value}" for e in app.error]
    title = BY_DISTRICT.get(page)
    if title and [t.value for t in app.title][:1] != [title]:
        found.append(f"title {[t.value for t in app.title]}")
    found += [
        f"{key}={app.query_params.get(key)!r} shown"
        for key, value in query.items()
        if value and app.query_params.get(key) != value
    ]
    return [f"{page} {query}: {problem}" for problem in found]


@pytest.mark.parametrize("page", BY_DISTRICT)
def test_each_district_alone_and_all_of_them(page, sample_db, scopes, monkeypatch):
    period, districts, actions = scopes
    assert period == "2023" and len(districts) == 13 and len(actions) == 7
    found = []
    for district in districts:
        for action in actions if page == "pages/tasks.py" else [""]:
            found += failures(
                page, sample_db, monkeypatch, period=period, districts=district, action=action
            )
    assert not found, "\n".join(found)


@pytest.mark.parametrize("page", WHOLE_CITY)
def test_the_whole_city_pages_of_the_latest_year(page, sample_db, scopes, monkeypatch):
    period, _, _ = scopes
    found = failures(page, sample_db, monkeypatch, period=period)
    assert not found, "\n".join(found)
