from __future__ import annotations

import json

import pytest
from normalize_testing import assert_input_error

from data_model.normalize.districts import (
    DistrictRecord,
    district_matcher,
    districts_from_rows,
    load_default_districts,
)
from data_model.normalize.names import NameMatcher

EXPECTED_NAMES = [
    "全市",
    "罗湖区",
    "福田区",
    "南山区",
    "宝安区",
    "龙岗区",
    "盐田区",
    "龙华区",
    "坪山区",
    "光明区",
    "大鹏新区",
    "深汕特别合作区",
]


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    return district_matcher(load_default_districts())


def test_load_default_districts() -> None:
    records = load_default_districts()
    assert [r.name for r in records] == EXPECTED_NAMES
    nanshan = records[3]
    assert nanshan == DistrictRecord("440305", "南山区", "南山", "nanshan", "district", ())
    assert records[0].kind == "city"
    assert "深圳市" in records[0].aliases
    assert {r.kind for r in records} == {"city", "district", "functional_area"}


def test_matcher_names_in_master_data_order(matcher: NameMatcher) -> None:
    assert matcher.names == EXPECTED_NAMES


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("南山区", "南山区"),
        ("南山", "南山区"),
        (" 南 山 区 ", "南山区"),
        ("440305", "南山区"),
        ("440304", "福田区"),
        (440303, "罗湖区"),
        (440303.0, "罗湖区"),
        ("４４０３０４", "福田区"),
        ("nanshan", "南山区"),
        ("Nanshan", "南山区"),
        ("NANSHAN", "南山区"),
        ("NanShan District", "南山区"),
        ("nanshanqu", "南山区"),
        ("Nanshan Qu", "南山区"),
        ("nan shan", "南山区"),
        ("Futian District", "福田区"),
        ("深圳市", "全市"),
        ("全市", "全市"),
        ("市本级", "全市"),
        ("市级", "全市"),
        ("深圳", "全市"),
        ("440300", "全市"),
        ("Shenzhen", "全市"),
        ("Shenzhen City", "全市"),
        ("quanshi", "全市"),
        ("大鹏", "大鹏新区"),
        ("大鹏新区", "大鹏新区"),
        ("DAPENG", "大鹏新区"),
        ("Dapeng New District", "大鹏新区"),
        ("dapengxinqu", "大鹏新区"),
        ("深汕", "深汕特别合作区"),
        ("深汕合作区", "深汕特别合作区"),
        ("shenshan", "深汕特别合作区"),
        ("深圳市南山区", "南山区"),
        ("深圳南山区", "南山区"),
        ("深圳市大鹏新区", "大鹏新区"),
    ],
)
def test_match_district(matcher: NameMatcher, raw: object, expected: str) -> None:
    assert matcher.match(raw) == expected


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("福天区", "福田区"),
        ("南山县", "南山区"),
        ("宝安县", "宝安区"),
        ("坪山新区", "坪山区"),
        ("nanshen", "南山区"),
        ("龙岗街道", "龙岗区"),
        ("广州市", None),
        ("440399", "龙华区"),  # nearest code (440309) on a tie
        ("999999", None),
        (999999, None),
        ("北京", None),
    ],
)
def test_unknown_district(matcher: NameMatcher, raw: object, suggestion: str | None) -> None:
    error = assert_input_error("normalize.name_unknown", matcher.match, raw)
    assert error.suggestion == suggestion
    assert error.params["value"] == str(raw)


@pytest.mark.parametrize("raw", [None, "", " ", "-", "/", "无"])
def test_missing_district(matcher: NameMatcher, raw: object) -> None:
    assert_input_error("normalize.name_missing", matcher.match, raw)


def test_another_city_loads_without_code_changes(tmp_path) -> None:
    rows = [
        {"code": "440100", "name": "全市", "short_name": "全市", "pinyin": "quanshi",
         "kind": "city", "aliases": ["广州市", "广州"]},
        {"code": "440106", "name": "天河区", "short_name": "天河", "pinyin": "tianhe",
         "kind": "district", "aliases": []},
        {"code": "440104", "name": "越秀区", "short_name": "越秀", "pinyin": "yuexiu",
         "kind": "district"},
    ]  # fmt: skip
    path = tmp_path / "master.json"
    path.write_text(json.dumps({"districts": rows}, ensure_ascii=False), encoding="utf-8")
    matcher = district_matcher(load_default_districts(path))
    assert matcher.match("广州市天河区") == "天河区"
    assert matcher.match("Yuexiu District") == "越秀区"
    assert matcher.match(440106) == "天河区"
    assert matcher.match("广州") == "全市"
    assert_input_error("normalize.name_unknown", matcher.match, "南山区")


def test_districts_from_rows_defaults() -> None:
    [record] = districts_from_rows([{"code": 1, "name": "甲区"}])
    assert record == DistrictRecord("1", "甲区", "甲区", "", "district", ())


def test_explicit_clash_between_districts_is_rejected() -> None:
    records = [
        DistrictRecord("1", "甲区", "甲", "jia", "district"),
        DistrictRecord("2", "乙区", "甲", "yi", "district"),
    ]
    with pytest.raises(ValueError):
        district_matcher(records)


def test_generated_clash_is_dropped_not_guessed() -> None:
    # `jia` + `qu` and the pinyin `jiaqu` of another record collide: the explicit one wins.
    records = [
        DistrictRecord("1", "甲区", "甲", "jia", "district"),
        DistrictRecord("2", "佳曲区", "佳曲", "jiaqu", "district"),
    ]
    matcher = district_matcher(records)
    assert matcher.match("jiaqu") == "佳曲区"
    assert matcher.match("jia district") == "甲区"
