"""A day a user reads ("today", the bulletin's date, the day statuses are judged on) is
the day in `TIME_ZONE`, not the server's UTC day: the CLI's bulletin was dated 12月7日
while the page's said 12月8日 (`formatting.local_today`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from data_model.formatting import local_today
from data_model.outputs.bulletin import bulletin_figures
from data_model.periods import period_containing
from data_model.queries.task_queries import as_of_date
from data_model.supervision import reminders

# 26 hours apart: at any moment their days differ, so one of them differs from UTC's.
ZONES = ("Etc/GMT-14", "Etc/GMT+12")


@pytest.mark.parametrize("zone", ZONES)
def test_today_is_the_local_day(zone, monkeypatch, sample_engine):
    monkeypatch.setenv("TIME_ZONE", zone)
    today = datetime.now(ZoneInfo(zone)).date()
    this_year = period_containing(today, "year")
    assert local_today() == today
    assert reminders.today() == today
    assert as_of_date(this_year) == today  # a running period is judged today
    with sample_engine.connect() as conn:
        bulletin = bulletin_figures(conn, this_year)
    assert (bulletin.issued, bulletin.as_of) == (today, today)
