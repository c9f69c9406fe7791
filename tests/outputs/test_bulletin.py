"""The periodic bulletin (定期通报): its figures on the sample data and on hand-made data,
the Word document in the official layout, and the Excel workbook."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import select

from data_model.charts.images import PNG_MAGIC, browser_problem, find_browser
from data_model.evaluation.scoring import period_scores, rank_with_ties
from data_model.i18n import LANGUAGES, catalogue
from data_model.ingest.importer import import_file
from data_model.outputs.bulletin import (
    TABLE_KEYS,
    bulletin_docx,
    bulletin_figures,
    bulletin_tables,
    bulletin_texts,
    bulletin_xlsx,
    cell_text,
    indicator_yoy,
    targets_met,
)
from data_model.store.models import District, IndicatorValue
from tests.conftest import INDICATOR_HEADER, VALUE_HEADER, make_xlsx
from tests.task_workbook import task_workbook

ISSUED = date(2024, 1, 15)
OVERDUE_2023 = {"A5-10", "A1-07", "A3-09", "A5-09", "A6-06", "A4-08"}
NO_BROWSER = f"chart images need Chrome/Chromium (apt-get install chromium): {browser_problem()}"


@pytest.fixture
def engine(db_engine):
    """A fresh database; these tests run on SQLite and on PostgreSQL (tests/conftest.py)."""
    return db_engine


@pytest.fixture(scope="module")
def bulletin_2023(sample_engine):
    with sample_engine.connect() as conn:
        return bulletin_figures(conn, "2023", ISSUED)


@pytest.fixture(scope="module")
def word_2023(bulletin_2023):
    return Document(io.BytesIO(bulletin_docx(bulletin_2023, "zh-CN", charts=False)))


# --- figures on the sample data ------------------------------------------------------


def test_headlines_of_2023_with_the_2022_values(bulletin_2023):
    b = bulletin_2023
    assert b.previous == "2022"
    assert b.as_of == date(2023, 12, 31)
    rate = b.headline("completion_rate")
    assert rate.value == pytest.approx(43 / 62 * 100)
    assert rate.previous == pytest.approx(32 / 55 * 100)
    assert rate.change == pytest.approx(43 / 62 * 100 - 32 / 55 * 100)
    assert (b.headline("overdue").value, b.headline("overdue").previous) == (6, 1)
    assert (b.headline("activities").value, b.headline("activities").previous) == (152, 128)
    assert (b.headline("issues_resolved").value, b.headline("issues_resolved").previous) == (97, 87)
    assert b.headline("coverage").value == pytest.approx(98.06, abs=0.01)
    assert (b.tasks.total, b.tasks.completed, b.tasks.suspended) == (62, 43, 2)
    assert not b.is_empty


def test_task_tables_by_action_unit_and_the_overdue_list(bulletin_2023):
    b = bulletin_2023
    assert len(b.by_action) == 6
    assert b.by_action.iloc[0]["group"] == "领跑行动"
    assert b.by_action["tasks"].sum() == 62
    assert len(b.by_unit) == 26
    assert set(b.overdue["code"]) == OVERDUE_2023
    longest = b.overdue.iloc[0]
    assert (longest["code"], longest["owner"], longest["deadline_text"], longest["days_late"]) == (
        "A5-10",
        "郑勇晨",
        "2022年底",
        365,
    )


def test_district_ranking_of_2023(bulletin_2023):
    scores = bulletin_2023.scores
    assert list(scores["district"][:3]) == ["南山区", "宝安区", "龙岗区"]
    assert scores.iloc[0]["composite"] == pytest.approx(98.49, abs=0.01)
    assert len(scores) == 11  # the districts, not the city
    # The sample's story: 罗湖区 passes 福田区, which slips; every other district holds.
    moved = scores[scores["rank_change"] != 0].set_index("district")["rank_change"]
    assert moved.to_dict() == {"罗湖区": 1, "福田区": -1}
    assert bulletin_2023.dimensions == (
        "营商环境",
        "民营经济发展质量",
        "政企沟通",
        "民营经济人士成长",
        "商会建设",
    )


def test_indicator_highlights_use_the_city_value_a_year_before(sample_engine, bulletin_2023):
    improved = bulletin_2023.improved
    assert list(improved["code"]) == ["FZ07", "YS01", "SH04"]
    # FZ07 is an annual indicator: its city values of 2023 and 2022 are the raw ones.
    with sample_engine.connect() as conn:
        raw = dict(
            conn.execute(
                select(IndicatorValue.period, IndicatorValue.value)
                .join(District, District.id == IndicatorValue.district_id)
                .where(
                    IndicatorValue.is_current,
                    IndicatorValue.indicator_code == "FZ07",
                    District.name == "全市",
                    IndicatorValue.period.in_(["2022", "2023"]),
                )
            ).all()
        )
    first = improved.iloc[0]
    assert (first["value"], first["last_year"]) == (raw["2023"], raw["2022"])
    assert first["yoy"] == pytest.approx((raw["2023"] - raw["2022"]) / raw["2022"] * 100)
    # 企业开办时间 is 逆向: its value fell, which is an improvement.
    opening = improved.iloc[1]
    assert opening["yoy"] < 0 < opening["improvement"]
    assert bulletin_2023.declined.empty  # every comparable indicator improved in the sample


def test_districts_meeting_the_most_targets_in_2023(bulletin_2023):
    targets = bulletin_2023.targets
    top = targets.head(3).to_dict("records")
    assert top == [
        {"district": "龙华区", "met": 27, "with_target": 27, "rank": 1},
        {"district": "南山区", "met": 24, "with_target": 27, "rank": 2},
        {"district": "宝安区", "met": 23, "with_target": 27, "rank": 3},
    ]


def test_districts_meeting_as_many_targets_are_named_together(bulletin_2023):
    """Ranks share as counts tie (1, 1, 3, 3, 3, 3): the sentence named every district of
    rank 3 or better, each with its count, eleven names when all met as many."""
    targets = bulletin_2023.targets.assign(
        met=[27, 27, 25, 25, 25, 25, 20, 20, 19, 18, 17],
        rank=[1, 1, 3, 3, 3, 3, 7, 7, 9, 10, 11],
    )
    tied = dataclasses.replace(bulletin_2023, targets=targets)
    zh = bulletin_texts(tied, "zh-CN")["targets"]
    assert "达成目标最多的区为龙华区、南山区（27项）、宝安区等4个区（25项）。" in zh, zh
    level = dataclasses.replace(bulletin_2023, targets=targets.assign(met=27, rank=1))
    assert "达成目标最多的区为龙华区等11个区（27项）。" in bulletin_texts(level, "zh-CN")["targets"]


def test_the_findings_state_the_real_numbers(bulletin_2023):
    texts = bulletin_texts(bulletin_2023, "zh-CN")
    assert "已完成43项，完成率69.4%，较2022年提高11.2个百分点；逾期6项" in texts["overview"]
    assert "逾期任务6项，涉及6个牵头单位" in texts["overdue"]
    assert "A5-10" in texts["overdue"] and "365天" in texts["overdue"]
    assert "南山区综合得分最高（98.49分）" in texts["scores"]
    assert "与2022年相比，排名上升的区1个，下降的1个" in texts["scores"]
    assert "专精特新中小企业数（+37.1%）" in texts["highlights"]
    assert "企业开办时间（逆向指标，−25.4%）" in texts["highlights"]
    assert "龙华区（27项）、南山区（24项）、宝安区（23项）" in texts["targets"]
    english = bulletin_texts(bulletin_2023, "en")
    assert "a completion rate of 69.4%, up 11.2 points on 2022" in english["overview"]
    activities = bulletin_2023.headline("activities").value
    assert f"全市开展各类活动{activities}场，办结企业诉求" in texts["overview"]


def with_composites(bulletin, composites: list[float]):
    """`bulletin` with its districts, in its order, at `composites`, ranked and sorted as
    scoring ranks them; the rank changes are the sample's (罗湖区 +1, 福田区 −1)."""
    scores = bulletin.scores.assign(composite=composites)
    scores["rank"] = rank_with_ties(scores["composite"])
    scores = scores.sort_values("rank", kind="stable").reset_index(drop=True)
    return dataclasses.replace(bulletin, scores=scores)


def test_the_scores_finding_names_every_district_sharing_the_top_or_the_bottom(bulletin_2023):
    """The official document named one district each, 最高南山区 of two at 90.00 (read
    alike: ranks are taken at the two decimals shown), as the pages and slides do not."""
    districts = list(bulletin_2023.scores["district"])
    assert districts[:3] == ["南山区", "宝安区", "龙岗区"]
    last = districts[-4:]
    # 90.004 and 89.996 both read 90.00 and share first place; the last four read 60.00.
    tied = with_composites(
        bulletin_2023, [90.004, 89.996, 85, 80, 75, 70, 65, 60.001, 60, 59.999, 60.0]
    )
    zh = bulletin_texts(tied, "zh-CN")["scores"]
    assert zh == (
        f"2023年参评的11个区中，南山区、宝安区综合得分最高（90.00分），{last[0]}等4个区最低"
        "（60.00分）；与2022年相比，排名上升的区1个，下降的1个。"
    )
    en = bulletin_texts(tied, "en")["scores"]
    assert en == (
        "Of the 11 districts scored for 2023, the highest composite score is 90.00 "
        f"(南山区, 宝安区) and the lowest 60.00 (4 districts including {last[0]}); "
        "against 2022: 1 up in rank, 1 down."
    )
    three = with_composites(bulletin_2023, [90, 80, 80, 80, 75, 70, 65, 60.5, 50, 50, 50])
    assert bulletin_texts(three, "zh-CN")["scores"].startswith(
        f"2023年参评的11个区中，南山区综合得分最高（90.00分），{'、'.join(last[1:])}最低（50.00分）；"
    )
    # The Word document (and the PDF made from it) states the same sentence.
    word = Document(io.BytesIO(bulletin_docx(tied, "zh-CN", charts=False)))
    assert zh in paragraphs(word)


def test_the_scores_finding_of_districts_all_level_names_no_highest(bulletin_2023):
    level = with_composites(bulletin_2023, [100.0] * 11)
    assert bulletin_texts(level, "zh-CN")["scores"] == (
        "2023年参评的11个区综合得分均为100.00分；与2022年相比，排名上升的区1个，下降的1个。"
    )
    assert bulletin_texts(level, "en")["scores"].startswith(
        "All 11 districts scored for 2023 have the same composite score (100.00); "
    )
    one = dataclasses.replace(level, scores=level.scores.head(1))
    assert bulletin_texts(one, "zh-CN")["scores"] == (
        "2023年参评的南山区综合得分100.00分；各区排名与2022年相同。"
    )


def test_english_findings_write_one_task_and_one_day_in_the_singular(bulletin_2023, sample_engine):
    """One suspended task, one overdue task one day late, one task expected to slip: not
    `1 tasks are overdue … by 1 days`; the Chinese text is the same as for any count."""
    with sample_engine.connect() as conn:
        slipping = bulletin_figures(conn, "2022-Q2", date(2022, 7, 15)).slipping.head(1)
    one = dataclasses.replace(
        bulletin_2023,
        tasks=dataclasses.replace(bulletin_2023.tasks, overdue=1, suspended=1),
        overdue=bulletin_2023.overdue.head(1).assign(days_late=1),
        slipping=slipping,
    )
    english = bulletin_texts(one, "en")
    assert "(1 suspended task excluded)" in english["overview"]
    assert "up 11.2 points on 2022; 1 task overdue and 3 behind schedule." in english["overview"]
    assert english["overdue"] == (
        "As of 2023-12-31, 1 task is overdue: A5-10 “建立深汕特别合作区企业服务专员制度”, by 1 day."
    )
    assert english["slipping"].startswith(
        "At the pace of its progress reports, as of 2023-12-31, 1 task due within 14 weeks is "
        "expected to miss its deadline: A1-04 "
    )
    chinese = bulletin_texts(one, "zh-CN")
    assert "逾期任务1项，涉及1个牵头单位，其中A5-10" in chinese["overdue"]
    assert "已逾期1天。" in chinese["overdue"]
    assert "的任务中有1项预计不能按期完成，其中A1-04" in chinese["slipping"]
    many = bulletin_texts(bulletin_2023, "en")
    assert "6 tasks are overdue across 6 lead units" in many["overdue"]
    assert "(2 suspended tasks excluded)" in many["overview"]


def test_figures_never_submitted_say_so_in_the_overview(engine):
    """A task list only: no 开展各类活动—场, no 0 场."""
    assert import_file(engine, task_workbook(), "tasks.xlsx").status == "accepted"
    with engine.connect() as conn:
        bulletin = bulletin_figures(conn, "2022", ISSUED)
    zh, en = (bulletin_texts(bulletin, language)["overview"] for language in ("zh-CN", "en"))
    assert zh.endswith("活动台账未报送，企业诉求未报送，指标数据未报送。")
    assert en.endswith(
        "No activities were submitted, no enterprise issues were submitted, "
        "no indicator data was submitted."
    )


def test_a_quarter_compares_with_the_quarter_before(sample_engine):
    with sample_engine.connect() as conn:
        quarter = bulletin_figures(conn, "2023-Q4", ISSUED)
    assert quarter.previous == "2023-Q3"
    assert quarter.headline("overdue").value == 6
    assert quarter.headline("activities").value == 49
    assert not quarter.scores.empty


def test_a_period_without_data_is_empty(sample_engine):
    with sample_engine.connect() as conn:
        assert bulletin_figures(conn, "2019", ISSUED).is_empty


# --- figures on hand-made data ---------------------------------------------------------

INDICATORS = [
    INDICATOR_HEADER,
    ["A1", "达标率", "甲", "%", "正向", 1, 90, "年", "期末值"],
    ["A2", "办理时长", "乙", "天", "逆向", 1, 5, "年", "期末值"],
    ["A3", "走访企业数", "乙", "家", "正向", 1, None, "年", "求和"],
    ["A4", "新增企业数", "甲", "家", "正向", 1, None, "月", "求和"],
]
VALUES = [
    VALUE_HEADER,
    ["A1", "", "全市", "2022", 80, ""],
    ["A1", "", "全市", "2023", 92, ""],
    ["A2", "", "全市", "2022", 4, ""],
    ["A2", "", "全市", "2023", 5, ""],
    ["A3", "", "全市", "2022", 100, ""],
    ["A3", "", "全市", "2023", 90, ""],
    ["A1", "", "南山区", "2023", 95, ""],
    ["A1", "", "福田区", "2023", 85, ""],
    ["A2", "", "南山区", "2023", 6, ""],
    ["A2", "", "福田区", "2023", 4, ""],
    ["A3", "", "南山区", "2023", 10, ""],
    ["A3", "", "福田区", "2023", 20, ""],
    *[["A4", "", "全市", f"2022-{m:02d}", 100, ""] for m in range(1, 13)],
    # Two months of 2023: the year is incomplete and not compared with 2022.
    ["A4", "", "全市", "2023-01", 150, ""],
    ["A4", "", "全市", "2023-02", 150, ""],
]


@pytest.fixture
def hand_made(engine):
    for name, sheets in (("i.xlsx", {"指标体系": INDICATORS}), ("v.xlsx", {"指标数据": VALUES})):
        assert import_file(engine, make_xlsx(sheets), name).status == "accepted"
    return engine


def test_yoy_improvement_follows_the_indicator_direction(hand_made):
    with hand_made.connect() as conn:
        yoy = indicator_yoy(conn, "2023")
    assert list(yoy["code"]) == ["A1", "A3", "A2"]  # A4's 2023 is incomplete
    rows = yoy.set_index("code")
    assert rows.loc["A1", "yoy"] == pytest.approx(15.0)
    assert rows.loc["A1", "improvement"] == pytest.approx(15.0)
    assert rows.loc["A2", "yoy"] == pytest.approx(25.0)  # 逆向: up is worse
    assert rows.loc["A2", "improvement"] == pytest.approx(-25.0)
    assert rows.loc["A3", "improvement"] == pytest.approx(-10.0)


def test_improved_and_declined_lists(hand_made):
    with hand_made.connect() as conn:
        b = bulletin_figures(conn, "2023", ISSUED)
    assert list(b.improved["code"]) == ["A1"]
    assert list(b.declined["code"]) == ["A2", "A3"]  # the worst first
    texts = bulletin_texts(b, "zh-CN")
    assert "3项指标中，1项向好，2项走弱" in texts["highlights"]
    assert "走弱最大的是办理时长（逆向指标，+25.0%）、走访企业数（−10.0%）" in texts["highlights"]
    assert texts["actions"] == "2023年暂无任务进展报送。"


def test_targets_met_counts_reported_values_at_or_beyond_the_target(hand_made):
    with hand_made.connect() as conn:
        targets = targets_met(period_scores(conn, "2023").detail)
    rows = targets.set_index("district")
    # A1 (正向, 90): 南山 95 met, 福田 85 not. A2 (逆向, 5): 南山 6 not, 福田 4 met.
    assert rows.loc["南山区"].to_dict() == {"met": 1, "with_target": 2, "rank": 1}
    assert rows.loc["福田区"].to_dict() == {"met": 1, "with_target": 2, "rank": 1}
    # Districts that reported nothing meet nothing.
    assert rows.loc["罗湖区"].to_dict() == {"met": 0, "with_target": 2, "rank": 3}
    assert "全市" not in rows.index


# --- words -----------------------------------------------------------------------------


def test_cell_text_writes_numbers_the_bulletin_way():
    assert cell_text(69.354, "percent", "zh-CN") == "69.4%"
    assert cell_text(None, "percent", "zh-CN") == "—"
    assert cell_text(-25.64, "signed_percent", "zh-CN") == "−25.6%"
    assert cell_text(11.17, "signed_points", "zh-CN") == "+11.2个百分点"
    assert cell_text(2, "rank_change", "zh-CN") == "上升2位"
    assert cell_text(-1, "rank_change", "zh-CN") == "下降1位"
    assert cell_text(0, "rank_change", "zh-CN") == "持平"
    assert cell_text(0.7725, "decimal", "zh-CN") == "0.77"
    assert cell_text(22244.0, "decimal", "zh-CN") == "22,244"


def test_every_bulletin_key_used_in_code_exists():
    root = Path(__file__).resolve().parents[2]
    sources = [root / "data_model" / "outputs" / "bulletin.py", root / "pages" / "bulletin.py"]
    sources.append(root / "data_model" / "cli.py")
    used = set()
    for source in sources:
        used |= set(re.findall(r"\"(bulletin\.[a-z_]+)\"", source.read_text(encoding="utf-8")))
    assert len(used) > 30
    for language in LANGUAGES:
        assert not used - catalogue(language).keys(), language


# --- Word ------------------------------------------------------------------------------


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def east_asian_font(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def find_table(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


def test_word_bulletin_opens_with_the_red_title_issuer_and_date(word_2023):
    title = word_2023.paragraphs[0]
    assert title.text == "“两个健康”试验区工作情况通报"
    assert title.runs[0].font.color.rgb == RGBColor(0xFF, 0x00, 0x00)
    assert word_2023.paragraphs[1].text == "（2023年）"
    assert word_2023.paragraphs[2].text == "深圳市工商业联合会（总商会）\t2024年1月15日"
    assert "现将2023年“两个健康”试验区" in word_2023.paragraphs[3].text


def test_word_bulletin_has_the_numbered_sections_in_order(word_2023):
    headings = [p.text for p in word_2023.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、总体进展",
        "二、任务完成情况",
        "（一）按行动",
        "（二）按牵头单位",
        "（三）逾期任务清单",
        "（四）预计将逾期任务",
        "三、各区综合评价",
        "四、指标亮点",
        "（一）同比变化较大的指标",
        "（二）目标达成情况",
        "五、下一步工作",
    ]
    next_steps = paragraphs(word_2023)[-3:]
    assert all(text.startswith(("（一）【", "（二）【", "（三）【")) for text in next_steps)
    assert word_2023.paragraphs[-1].runs[0].font.highlight_color is not None


def test_word_tables_hold_the_real_figures(word_2023):
    overdue = find_table(word_2023, "序号")
    header = [c.text for c in overdue.rows[0].cells]
    assert header == [
        "序号",
        "编号",
        "任务内容",
        "牵头单位",
        "责任人",
        "完成时限",
        "进度",
        "逾期天数",
        "情况说明",
    ]
    assert len(overdue.rows) == 1 + 6
    first = [c.text for c in overdue.rows[1].cells]
    assert first[1] == "A5-10" and first[4] == "郑勇晨" and first[5] == "2022年底"
    assert first[6:] == ["90%", "365", "已超过完成时限，正在加快推进。"]
    assert {row.cells[1].text for row in overdue.rows[1:]} == OVERDUE_2023

    overview = find_table(word_2023, "指标")
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in overview.rows[1:]}
    assert rows["任务完成率"] == ["69.4%", "58.2%", "+11.2个百分点"]
    assert rows["逾期任务（项）"] == ["6", "1", "+5"]

    scores = next(t for t in word_2023.tables if t.rows[0].cells[1].text == "区")
    assert [c.text for c in scores.rows[1].cells][:2] == ["1", "南山区"]
    assert scores.rows[1].cells[-1].text == "持平"
    assert len(scores.rows) == 1 + 11


def test_word_header_rows_are_shaded_and_repeat(word_2023):
    header = find_table(word_2023, "序号").rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    shading = header.cells[0]._tc.tcPr.find(qn("w:shd"))
    assert shading.get(qn("w:fill")) == "D9D9D9"


def test_word_sets_chinese_fonts_for_east_asian_text(word_2023):
    styles = word_2023.styles
    assert east_asian_font(styles["Normal"].element) == "FangSong"
    assert east_asian_font(styles["Heading 1"].element) == "SimHei"
    assert east_asian_font(styles["Heading 2"].element) == "KaiTi"
    assert east_asian_font(word_2023.paragraphs[0].runs[0]._element) == "SimHei"
    header_run = find_table(word_2023, "序号").rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asian_font(header_run._element) == "SimHei"
    defaults = styles.element.find(qn("w:docDefaults"))
    assert east_asian_font(defaults.find(qn("w:rPrDefault"))) == "FangSong"
    lang = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # No theme font may override the named ones.
    fonts = styles["Heading 1"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsiaTheme")) is None


def test_word_font_table_names_noto_cjk_fallbacks(bulletin_2023):
    package = zipfile.ZipFile(io.BytesIO(bulletin_docx(bulletin_2023, "zh-CN", charts=False)))
    table = etree.fromstring(package.read("word/fontTable.xml"))
    fallbacks = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in table.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert fallbacks["SimHei"] == "Noto Sans CJK SC"
    assert fallbacks["FangSong"] == "Noto Serif CJK SC"


def test_issuing_body_comes_from_the_setting(bulletin_2023, monkeypatch):
    monkeypatch.setenv("ISSUING_BODY", "某市工商业联合会")
    document = Document(io.BytesIO(bulletin_docx(bulletin_2023, "zh-CN", charts=False)))
    assert document.paragraphs[2].text == "某市工商业联合会\t2024年1月15日"
    assert document.core_properties.author == "某市工商业联合会"


def test_word_bulletin_in_english(bulletin_2023):
    document = Document(io.BytesIO(bulletin_docx(bulletin_2023, "en", charts=False)))
    texts = paragraphs(document)
    assert texts[0] == "“Two Healths” Pilot Zone Work Bulletin"
    assert "1. Overall progress" in texts and "5. Next steps" in texts
    assert find_table(document, "No.").rows[1].cells[1].text == "A5-10"


@pytest.mark.skipif(find_browser() is None, reason=NO_BROWSER)
def test_word_bulletin_embeds_the_charts_as_png_images(bulletin_2023):
    document = Document(io.BytesIO(bulletin_docx(bulletin_2023, "zh-CN")))
    shapes = document.inline_shapes
    assert len(shapes) == 3  # task status, completion by action, district scores
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = document.part.related_parts[blip.embed].blob
        assert image.startswith(PNG_MAGIC)
        assert len(image) > 10_000
    captions = [p.text for p in document.paragraphs if p.text.startswith("图")]
    assert captions == [
        "图1　2023年任务状态分布",
        "图2　2023年各行动任务完成率与按期完成率",
        "图3　2023年各区综合得分",
    ]


# --- Excel -----------------------------------------------------------------------------


def test_excel_workbook_has_one_sheet_per_section_with_formats(bulletin_2023):
    workbook = load_workbook(io.BytesIO(bulletin_xlsx(bulletin_2023, "zh-CN")))
    assert workbook.sheetnames == [
        "总体进展",
        "按行动",
        "按牵头单位",
        "逾期任务",
        "预计将逾期",
        "各区综合评价",
        "指标亮点",
        "目标达成",
    ]
    overview = workbook["总体进展"]
    assert overview["A1"].value == "“两个健康”试验区工作情况通报（2023年）· 2023年主要工作指标"
    assert [c.value for c in overview[2]] == ["指标", "本期（2023年）", "上期（2022年）", "变化"]
    assert overview["A2"].font.bold
    assert overview["A3"].value == "任务完成率"
    assert overview["B3"].value == pytest.approx(43 / 62)
    assert overview["B3"].number_format == "0.0%"
    assert overview["D3"].number_format.startswith('+0.0"个百分点"')
    assert [c.value for c in overview[4]] == ["逾期任务（项）", 6, 1, 5]
    assert overview.freeze_panes == "A3"

    overdue = workbook["逾期任务"]
    header = [c.value for c in overdue[2]]
    assert header == [
        "序号",
        "编号",
        "任务内容",
        "行动",
        "牵头单位",
        "区",
        "责任人",
        "完成时限",
        "截止日期",
        "进度",
        "逾期天数",
        "情况说明",
    ]
    row = {h: c.value for h, c in zip(header, overdue[3], strict=True)}
    assert row["编号"] == "A5-10" and row["逾期天数"] == 365 and row["完成时限"] == "2022年底"
    assert row["情况说明"] == "已超过完成时限，正在加快推进。"
    assert row["进度"] == pytest.approx(0.9)
    assert overdue.max_row == 2 + 6
    assert overdue.column_dimensions["C"].width > overdue.column_dimensions["A"].width

    scores = workbook["各区综合评价"]
    header = [c.value for c in scores[2]]
    first = dict(zip(header, [c.value for c in scores[3]], strict=True))
    assert first["排名"] == 1 and first["区"] == "南山区"
    assert first["综合得分"] == pytest.approx(98.49, abs=0.01)
    assert first["排名变化"] == 0
    assert "营商环境" in header

    targets = workbook["目标达成"]
    assert [c.value for c in targets[3]][:4] == [1, "龙华区", 27, 27]


def test_excel_neutralises_formula_like_text(bulletin_2023):
    overdue = bulletin_2023.overdue.copy()
    overdue.loc[0, "content"] = '=HYPERLINK("http://example.com")'
    tampered = dataclasses.replace(bulletin_2023, overdue=overdue)
    sheet = load_workbook(io.BytesIO(bulletin_xlsx(tampered, "zh-CN")))["逾期任务"]
    first = next(sheet.iter_rows(min_row=3))[2]
    assert (first.value, first.data_type, first.quotePrefix) == (
        '=HYPERLINK("http://example.com")',
        "s",
        True,
    )


def test_tables_are_the_same_for_word_and_excel(bulletin_2023):
    tables = bulletin_tables(bulletin_2023, "zh-CN")
    assert [t.key for t in tables] == list(TABLE_KEYS)
    overdue = next(t for t in tables if t.key == "overdue")
    assert overdue.text_frame("zh-CN").iloc[0]["逾期天数"] == "365"
    # A unit's appraisal score is written as the task page writes it (100.0, not 100.00).
    units = next(t for t in tables if t.key == "units").text_frame("zh-CN")
    assert units.iloc[0]["考核得分"] == "100.0"


def test_the_highlights_table_writes_each_indicators_unit_in_the_bulletins_language(
    bulletin_2023,
):
    """FZ07, YS01, SH04 are stored in 家, 天 and 个: an English bulletin's table reads firms,
    days and items; a Chinese one the units as stored."""
    units = {}
    for language in ("zh-CN", "en"):
        table = next(t for t in bulletin_tables(bulletin_2023, language) if t.key == "highlights")
        frame = table.text_frame(language)
        code, unit = (catalogue(language)[f"bulletin.col_{c}"] for c in ("code", "unit"))
        units[language] = dict(zip(frame[code], frame[unit], strict=True))
    assert units["zh-CN"] == {"FZ07": "家", "YS01": "天", "SH04": "个"}
    assert units["en"] == {"FZ07": "firms", "YS01": "days", "SH04": "items"}


def test_the_bulletin_lists_the_tasks_expected_to_miss_their_deadline(sample_engine):
    with sample_engine.connect() as conn:
        figures = bulletin_figures(conn, "2022-Q2", date(2022, 7, 15))
    assert figures.slipping["code"].tolist() == ["A1-04", "A2-04", "A3-06", "A5-05", "A6-05"]
    table = next(t for t in bulletin_tables(figures) if t.key == "slipping")
    assert table.title == "预计将逾期任务清单（截至2022年6月30日，14周内到期）"
    assert [row[7] for row in table.rows][:2] == ["2022-10-25", "2022-10-16"]
    text = bulletin_texts(figures)["slipping"]
    assert "5项预计不能按期完成" in text and "A5-05" in text  # 89 days past: the most
