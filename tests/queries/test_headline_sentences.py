"""Headline sentences in legal edge states: a tie, one report period, one district.

Each sentence must be true of what the chart shows: nobody "leads" a tie, a rate does not
"rise" from a period to itself or when it fell, and a district is not best and worst of
itself (both languages).
"""

from __future__ import annotations

import pandas as pd

from data_model.queries.task_queries import progress_finding, progress_title, rates_title
from data_model.queries.trends_queries import named_ends, series_finding, series_heading


def test_rates_title_of_a_tie_says_every_group_shares_the_rate():
    rates = pd.DataFrame(
        {"label": ["提质行动", "领跑行动", "连心行动"], "completion_rate": [100.0] * 3}
    )
    assert rates_title(rates, "zh-CN") == "3个行动完成率均为 100%"
    assert rates_title(rates, "en") == "All 3 actions have a completion rate of 100%"
    assert (
        rates_title(rates, "en", "lead_unit") == "All 3 lead units have a completion rate of 100%"
    )


def test_rates_title_still_names_best_and_worst_when_they_differ():
    rates = pd.DataFrame({"label": ["甲行动", "乙行动"], "completion_rate": [100.0, 99.0]})
    assert rates_title(rates, "en") == "甲行动 leads on completion (100%); 乙行动 trails (99%)"


def progress(*rates: float) -> pd.DataFrame:
    labels = ["2023 Q1", "2023 Q2", "2023 Q3", "2023 Q4"][: len(rates)]
    return pd.DataFrame({"label": labels, "completion_rate": list(rates)})


def test_progress_title_of_one_period_gives_its_rate_only():
    assert progress_title(progress(100.0), "en") == "Completion rate 100% in 2023 Q1"
    zh = progress(100.0).assign(label=["2023年第四季度"])
    assert progress_title(zh, "zh-CN") == "2023年第四季度完成率 100%"


def test_progress_finding_claims_no_change_from_a_period_to_itself():
    one = progress(62.5).assign(completed=5, overdue=1, behind=2)
    assert progress_finding(one, "zh-CN") == (
        "2023 Q1末已完成 5 项、逾期 1 项、滞后 2 项。每季度按季末（当季按统计日）判定状态。"
    )
    two = progress(20.0, 62.5).assign(completed=5, overdue=1, behind=2)
    assert "完成率累计变化 +42.5个百分点。" in progress_finding(two, "zh-CN")
    assert "completion rate changed by +42.5 pts overall" in progress_finding(two, "en")


def test_progress_title_says_rose_fell_or_held():
    assert progress_title(progress(20.0, 69.4), "en") == (
        "Completion rate rose from 20% in 2023 Q1 to 69.4% in 2023 Q2"
    )
    assert progress_title(progress(80.0, 50.0, 62.5), "en") == (
        "Completion rate fell from 80% in 2023 Q1 to 62.5% in 2023 Q3"
    )
    assert progress_title(progress(80.0, 50.0, 62.5), "zh-CN") == (
        "完成率由2023 Q1的 80% 降至2023 Q3的 62.5%"
    )
    assert progress_title(progress(50.0, 50.0), "en") == (
        "Completion rate held at 50% from 2023 Q1 to 2023 Q2"
    )


def test_series_heading_of_one_district_gives_its_value():
    now = pd.DataFrame({"district": ["深汕特别合作区"], "value": [1.1]})
    assert series_heading(now, "企业开办时间", "天", "Jan 2021", "en") == (
        "企业开办时间: 深汕特别合作区 at 1.1 days in Jan 2021"
    )
    assert series_heading(now, "企业开办时间", "天", "2021年1月", "zh-CN") == (
        "企业开办时间：2021年1月深汕特别合作区为 1.1 天"
    )
    assert named_ends(now) == (("深汕特别合作区",), ())
    assert series_finding(now, 1.0, True, "天", "2021年1月", "zh-CN") == (
        "2021年1月，深汕特别合作区为 1.1 天，未达到目标值 1 天。"
    )
    assert series_finding(now, None, True, "天", "Jan 2021", "en") == (
        "In Jan 2021, 深汕特别合作区 was at 1.1 days."
    )


def test_series_heading_of_level_districts_names_nobody_best_or_worst():
    now = pd.DataFrame({"district": ["南山区", "福田区"], "value": [0.5, 0.5]})
    assert series_heading(now, "企业开办时间", "天", "2023年", "zh-CN") == (
        "企业开办时间：2023年2个区均为 0.5 天"
    )
    assert named_ends(now) == ((), ())
    assert series_finding(now, 1.0, True, "天", "2023", "en") == (
        "In 2023, all 2 districts were at 0.5 days; 2 reached the target of 1 day."
    )


def test_series_heading_names_best_and_worst_otherwise():
    now = pd.DataFrame({"district": ["龙华区", "深汕特别合作区"], "value": [0.6, 1.1]})
    assert series_heading(now, "企业开办时间", "天", "2023年", "zh-CN") == (
        "企业开办时间：2023年龙华区最优，深汕特别合作区最弱"
    )
    assert series_heading(now.head(0), "企业开办时间", "天", "2023年", "zh-CN") == (
        "企业开办时间各期走势"
    )
