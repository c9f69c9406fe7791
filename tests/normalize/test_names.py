from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from normalize_testing import assert_input_error

from data_model.errors import InputError
from data_model.i18n import t
from data_model.normalize.names import SUGGESTION_CUTOFF, NameMatcher, normalize_name

UNITS = [
    ("市发展改革委", ["深圳市发展和改革委员会", "市发改委"]),
    ("市工商联宣传教育部", ["宣传教育部", "宣教部"]),
    ("市商务局", []),
    ("深圳市青年企业家联合会", ["青企联"]),
]
ACTIONS = [("领跑行动", ["A1"]), ("提质行动", ["A2"]), ("护航行动", ["A3"])]


@pytest.fixture(scope="module")
def units() -> NameMatcher:
    return NameMatcher(UNITS, "normalize.kind_unit")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市商务局", "市商务局"),
        (" 市商务局 ", "市商务局"),
        ("市 商务 局", "市商务局"),
        ("市商务局\n", "市商务局"),
        ("ＡＢＣ", "abc"),
        ("Nanshan District", "nanshandistrict"),
        ("A1", "a1"),
        (440303, "440303"),
        (440303.0, "440303"),
        (1.5, "1.5"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalize_name(raw: object, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市发展改革委", "市发展改革委"),
        ("市发改委", "市发展改革委"),
        ("深圳市发展和改革委员会", "市发展改革委"),
        ("  市发改委  ", "市发展改革委"),
        ("市 发改委", "市发展改革委"),
        ("宣教部", "市工商联宣传教育部"),
        ("宣传教育部", "市工商联宣传教育部"),
        ("青企联", "深圳市青年企业家联合会"),
        ("市商务局", "市商务局"),
    ],
)
def test_match_names_and_aliases(units: NameMatcher, raw: str, expected: str) -> None:
    assert units.match(raw) == expected


def test_match_codes_case_insensitively() -> None:
    actions = NameMatcher(ACTIONS, "normalize.kind_action")
    assert actions.match("a1") == "领跑行动"
    assert actions.match("Ａ２") == "提质行动"
    assert actions.match(" A3 ") == "护航行动"


def test_names_in_given_order(units: NameMatcher) -> None:
    assert units.names == [name for name, _ in UNITS]
    units.names.append("x")  # a copy: the matcher is unaffected
    assert len(units.names) == len(UNITS)


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("市商务厅", "市商务局"),
        ("市发改局", "市发展改革委"),
        ("宣教", "市工商联宣传教育部"),
        ("青企协", "深圳市青年企业家联合会"),
        ("住建局", None),
        ("xyz", None),
        (12345, None),
    ],
)
def test_unknown_name_with_suggestion(
    units: NameMatcher, raw: object, suggestion: str | None
) -> None:
    error = assert_input_error("normalize.name_unknown", units.match, raw)
    assert error.suggestion == suggestion
    assert error.params["kind"] == t("normalize.kind_unit")
    assert error.params["value"] == str(raw).strip()
    assert units.suggest(raw) == suggestion


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "—", "/", "无", "N/A"])
def test_missing_name(units: NameMatcher, raw: object) -> None:
    error = assert_input_error("normalize.name_missing", units.match, raw)
    assert error.params["kind"] == t("normalize.kind_unit")


def test_kind_is_translated_in_messages() -> None:
    matcher = NameMatcher(ACTIONS, "normalize.kind_action")
    error = assert_input_error("normalize.name_unknown", matcher.match, "领跑活动")
    assert error.suggestion == "领跑行动"
    assert error.params["kind_key"] == "normalize.kind_action"


@pytest.mark.parametrize(
    "entries",
    [
        [("甲", []), ("甲", [])],
        [("甲", ["乙"]), ("丙", ["乙"])],
        [("甲", ["乙"]), ("乙", [])],
        [("甲", ["A1"]), ("丙", ["a1"])],
        [("甲", []), ("甲 ", [])],
        [("", [])],
        [("  ", ["x"])],
    ],
)
def test_ambiguous_or_empty_entries_rejected(entries: list[tuple[str, list[str]]]) -> None:
    with pytest.raises(ValueError):
        NameMatcher(entries, "normalize.kind_unit")


def test_repeated_alias_within_one_entry_is_fine() -> None:
    matcher = NameMatcher(
        [("大鹏新区", ["大鹏", "大鹏", "大鹏新区", ""])], "normalize.kind_district"
    )
    assert matcher.match("大鹏") == "大鹏新区"


def test_empty_matcher() -> None:
    matcher = NameMatcher([], "normalize.kind_brand")
    assert matcher.names == []
    error = assert_input_error("normalize.name_unknown", matcher.match, "民企话坛")
    assert error.suggestion is None


DISTRICT_LIKE = [
    ("南山区", ["南山", "Nanshan", "440305"]),
    ("福田区", ["福田", "440304"]),
    ("大鹏新区", ["大鹏"]),
    ("深汕特别合作区", ["深汕"]),
]


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="南山福田区大鹏新深汕特别合作4403051nash ", max_size=30))
def test_suggestion_is_what_difflib_gives_over_every_name(raw: str) -> None:
    # The pre-filter (shared characters, length, a key longer than any can be near) may
    # only skip names that cannot reach the cutoff, so the suggestion must equal
    # difflib's over all names.
    matcher = NameMatcher(DISTRICT_LIKE, "normalize.kind_district")
    keys = {normalize_name(a): name for name, aliases in DISTRICT_LIKE for a in (name, *aliases)}
    close = difflib.get_close_matches(normalize_name(raw), keys, n=1, cutoff=SUGGESTION_CUTOFF)
    assert matcher.suggest(raw) == (keys[close[0]] if close else None)


def test_lookup_is_exact_and_never_suggests(units: NameMatcher) -> None:
    assert units.lookup(" 市发改委 ") == "市发展改革委"
    assert units.lookup("市商务") is None  # `match` would suggest 市商务局
    assert units.lookup("—") is None
    assert units.lookup(None) is None


def test_a_deactivated_entry_is_recognised_but_refused_with_what_to_do():
    matcher = NameMatcher(
        [("市工商联", ["深圳市工商联"]), ("市委统战部", [])], "normalize.kind_unit", ["市工商联"]
    )
    with pytest.raises(InputError) as caught:
        matcher.match("深圳市工商联")
    assert caught.value.key == "normalize.name_inactive"
    assert "停用" in caught.value.message("zh-CN") and "市工商联" in caught.value.message("zh-CN")
    assert matcher.names == ["市委统战部"]
    assert matcher.suggest("市工商") != "市工商联"


CITY_DEPARTMENTS = [
    ("市发展改革委", ["市发改委"]),
    ("市商务局", []),
    ("市财政局", []),
    ("市科技创新委", []),
    ("市工业和信息化局", ["市工信局"]),
]


def test_unknown_name_lists_up_to_three_nearest_names_in_its_message() -> None:
    matcher = NameMatcher(CITY_DEPARTMENTS, "normalize.kind_unit")
    error = assert_input_error("normalize.name_unknown", matcher.match, "市司法局")
    assert len(error.candidates) == 3
    assert len(set(error.candidates)) == 3
    assert error.suggestion == error.candidates[0]
    assert all(name in error.message() for name in error.candidates)
    # Sharing 市 and 局 is not close: listed, never preselected.
    assert error.close is None


@pytest.mark.parametrize(
    ("raw", "close"),
    [
        ("市发改委", "市发展改革委"),  # a short form
        ("深圳市发展和改革委员会", "市发展改革委"),  # a long form
        ("市工信局", "市工业和信息化局"),
        ("市税务局", None),  # one character replaced: another department
        ("市民政局", None),
        ("市发改委员会", None),  # similar, but neither is a form of the other
    ],
)
def test_only_a_short_or_long_form_is_close(raw: str, close: str | None) -> None:
    matcher = NameMatcher(
        [("市发展改革委", []), ("市水务局", []), ("市财政局", []), ("市工业和信息化局", [])],
        "normalize.kind_unit",
    )
    error = assert_input_error("normalize.name_unknown", matcher.match, raw)
    assert error.close == close


def test_a_close_name_is_offered_for_preselection_with_its_entry_once() -> None:
    matcher = NameMatcher(CITY_DEPARTMENTS, "normalize.kind_unit")
    error = assert_input_error("normalize.name_unknown", matcher.match, "市发展和改革委")
    assert error.close == "市发展改革委"
    assert error.candidates.count("市发展改革委") == 1  # its name and alias are one entry


def test_an_unknown_name_with_nothing_near_says_so_plainly() -> None:
    matcher = NameMatcher(CITY_DEPARTMENTS, "normalize.kind_unit")
    error = assert_input_error("normalize.name_unknown", matcher.match, "xyz")
    assert error.candidates == ()
    assert error.close is None
    assert "相近" not in error.message("zh-CN")
    assert "nearest" not in error.message("en")
