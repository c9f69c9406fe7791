from __future__ import annotations

import pytest

from data_model.text import clean_header, is_missing, remove_whitespace, to_halfwidth


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２０２２", "2022"),
        ("（亿元）", "(亿元)"),
        ("ＡＢＣａｂｃ", "ABCabc"),
        ("１，２３４．５", "1,234.5"),
        ("８５％", "85%"),
        ("Ｑ１", "Q1"),
        ("　南山区　", " 南山区 "),
        ("［万元］", "[万元]"),
        ("－", "-"),
        ("国内生产总值", "国内生产总值"),
        ("面积㎡，温度℃", "面积㎡,温度℃"),
        ("。、“”", "。、“”"),
        ("", ""),
    ],
)
def test_to_halfwidth(raw: str, expected: str) -> None:
    assert to_halfwidth(raw) == expected


def test_remove_whitespace_drops_exactly_what_its_pattern_drops_from_every_character() -> None:
    # Printable text without a space is returned as it is, without the pattern's search:
    # no character that the pattern drops may pass that way.
    from data_model.text import _SPACE_RE

    differ = [
        hex(code)
        for code in range(0x110000)
        if remove_whitespace(chr(code)) != _SPACE_RE.sub("", chr(code))
    ]
    assert differ == []


def test_remove_whitespace_includes_line_breaks_and_zero_width() -> None:
    assert remove_whitespace(" a\tb\nc\r\nd\u3000e\xa0f\u200bg\ufeff ") == "abcdefg"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("国内生产总值(亿元)", ("国内生产总值", "亿元")),
        ("国内生产总值（亿元）", ("国内生产总值", "亿元")),
        ("完成进度(%)", ("完成进度", "%")),
        ("完成进度（％）", ("完成进度", "%")),
        ("金额[万元]", ("金额", "万元")),
        ("金额［万元］", ("金额", "万元")),
        ("金额【万元】", ("金额", "万元")),
        ("金额(单位:万元)", ("金额", "万元")),
        ("金额（单位：万元）", ("金额", "万元")),
        ("  指标\n名称  ", ("指标名称", None)),
        ("完成\n进度\n(%)", ("完成进度", "%")),
        ("国内生产 总值 （ 亿元 ）", ("国内生产总值", "亿元")),
        ("任务编号", ("任务编号", None)),
        ("指标名称()", ("指标名称", None)),
        ("(亿元)", ("(亿元)", None)),
        ("增速(%)说明", ("增速(%)说明", None)),
        ("", ("", None)),
        ("   ", ("", None)),
        (None, ("", None)),
        (2022, ("2022", None)),
        (2022.5, ("2022.5", None)),
    ],
)
def test_clean_header(raw: object, expected: tuple[str, str | None]) -> None:
    assert clean_header(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        " ",
        "\n\t",
        "\u3000",
        "-",
        "--",
        "---",
        "—",
        "——",
        "－",
        "－－",
        "/",
        "／",
        "无",
        "暂无",
        " 暂无 ",
        "N/A",
        "NA",
        "n/a",
        "na",
        "#N/A",
        "Ｎ／Ａ",
    ],
)
def test_is_missing_true(raw: object) -> None:
    assert is_missing(raw)


@pytest.mark.parametrize(
    "raw",
    [0, 0.0, "0", "０", "-0", "无锡", "暂无数据说明", "N", "A", "-5", "1", False, float("nan"), 12],
)
def test_is_missing_false(raw: object) -> None:
    assert not is_missing(raw)
