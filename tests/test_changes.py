"""Changes against the period before: worded with unit and baseline, coloured by meaning."""

from __future__ import annotations

import pytest

from data_model.formatting import change, change_text


def test_a_rate_changes_in_percentage_points_against_the_named_baseline():
    found = change(69.35, 58.18, "rate", "2023")
    assert found.text() == "较上年 +11.2 个百分点"
    assert found.text("en") == "+11.2 pp vs last year"


def test_a_count_changes_by_things_never_by_percent():
    assert change_text(6, 1, "count", "2022-Q3", "format.unit_tasks") == "较上季 +5 项"
    assert change_text(128, 132, "count", "2022", "format.unit_activities") == "较上年 −4 场"
    assert change_text(3, 1, "count", "2022-05", "format.unit_tasks", "en") == (
        "+2 tasks vs last month"
    )


def test_a_score_changes_in_points_and_a_half_year_names_its_baseline():
    assert change_text(80.1, 83.4, "score", "2022-H1") == "较上个半年 −3.30 分"


def test_no_change_without_a_previous_value():
    assert change(132, None, "count", "2021", unit="format.unit_activities") is None
    assert change_text(None, 5, "count", "2021") is None


@pytest.mark.parametrize(
    ("current", "previous", "direction", "tone", "arrow"),
    [
        (70, 60, "positive", "good", "up"),
        (50, 60, "positive", "bad", "down"),
        (6, 1, "negative", "bad", "up"),  # more overdue tasks
        (1, 6, "negative", "good", "down"),  # a fall of a 逆向 figure is good
        (62, 55, "neutral", "neutral", "up"),  # more tasks counted: neither
        (0, 0, "negative", "neutral", "off"),  # never a red "+0"
    ],
)
def test_colour_follows_the_figures_direction(current, previous, direction, tone, arrow):
    found = change(current, previous, "count", "2023", direction, "format.unit_tasks")
    assert (found.tone, found.arrow) == (tone, arrow)
    assert found.metric_color == {"good": "green", "bad": "red", "neutral": "gray"}[tone]


def test_an_unchanged_figure_reads_as_such_in_grey():
    found = change(0, 0, "count", "2022-Q2", "negative", "format.unit_tasks")
    assert found.text() == "与上季持平"
    assert found.tone_word() is None
    # A change that rounds to nothing is no change either.
    tiny = change(98.04, 98.0, "rate", "2023")
    assert (tiny.text(), tiny.tone) == ("与上年持平", "neutral")


def test_the_colour_has_words():
    assert change(70, 60, "rate", "2023").tone_word() == "向好"
    assert change(6, 1, "count", "2023", "negative").tone_word("en") == "worse"


def test_unknown_kind_or_direction_is_a_bug():
    with pytest.raises(ValueError):
        change(1, 2, "percent", "2023")
