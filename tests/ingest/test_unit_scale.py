"""A file in another unit than its history (元 for 万元): the sharp changes say so at once.

Every value of such a file is one power of ten of its previous period's, give or take a
month's real change; a sheet whose sharp changes mostly agree on one power of ten of 100 or
more is told that its unit may be wrong, before anyone confirms the changes one by one.
"""

from __future__ import annotations

from collections import Counter

from data_model.ingest.plausibility import (
    SharpChange,
    common_power,
    power_of_ten,
    scale_message,
)


def change(value: float, previous: float) -> SharpChange:
    return SharpChange(row=2, value=value, previous_period="2022-01", previous=previous)


def test_a_value_in_yuan_is_ten_thousand_times_its_value_in_wan_give_or_take_a_month():
    assert power_of_ten(change(12_000, 1.0)) == 4  # 1.2 万元 last month, 12,000 元 now
    assert power_of_ten(change(0.00013, 1.1)) == -4
    assert power_of_ten(change(950, 10)) == 2
    # Not a power of ten: a real jump (5 times, 30 times), a change of sign, a zero.
    assert [power_of_ten(change(v, p)) for v, p in [(50, 10), (300, 10), (-100, 1), (0, 5)]] == [
        None
    ] * 4
    assert power_of_ten(change(5, 0.5)) is None  # ten times: not told from a real jump


def test_a_sheet_is_told_its_unit_only_when_most_of_its_sharp_changes_agree():
    assert common_power(Counter({4: 9}), 9) is None  # too few to tell a unit from figures
    assert common_power(Counter({4: 80, 2: 5}), 100) == 4
    assert common_power(Counter({4: 79}), 100) is None  # 79 %: real changes among them
    assert common_power(Counter(), 50) is None


def test_the_message_names_the_sheet_the_count_and_the_factor_in_both_directions():
    up = scale_message("指标数据", 4, 296_349)
    assert up.startswith("工作表“指标数据”中有 296,349 个数值约为上期的 10,000 倍")
    down = scale_message("Sheet1", -4, 12, "en")
    assert down.startswith("In sheet “Sheet1”, 12 values are about 1/10,000 of their previous")
