"""The app renders the overview from a database holding the sample data, and an empty state."""

from __future__ import annotations

from pathlib import Path

from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from data_model.ingest.importer import import_file
from tests.conftest import AppDatabase, sign_in_app, upload_futian_january
from tests.task_workbook import task_workbook

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def run_app(db: AppDatabase, monkeypatch, **query) -> AppTest:
    db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), db)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def metric_values(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def metric_changes(app: AppTest) -> dict[str, tuple[str, str, str]]:
    """label → (change text, colour, arrow) as st.metric received them."""
    return {
        m.label: (
            m.proto.delta,
            MetricProto.MetricColor.Name(m.proto.color),
            MetricProto.MetricDirection.Name(m.proto.direction),
        )
        for m in app.metric
    }


def test_overview_shows_the_2021_figures_of_the_sample_data(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch)
    assert not app.exception
    app.sidebar.selectbox(key="f_period").set_value("2021").run()
    assert not app.exception
    metrics = metric_values(app)
    assert metrics["政策宣讲会"] == "16 场"
    assert metrics["民企话坛"] == "6 期"
    assert metrics["政企座谈会"] == "32 场"
    assert metrics["诉求办结"] == "112 件"  # 100+ enterprise problems solved
    assert metrics["直联企业家"] == "168 人"
    # One figure, one name: the highlight 解决企业问题 is the 诉求办结 card.
    assert "解决企业问题" not in metrics
    assert list(metrics.values()).count("112 件") == 1


def test_no_change_is_shown_against_a_period_without_data(sample_db, monkeypatch):
    # The sample data start in 2021: 2020 has no data of any kind, so no card of 2021
    # may claim a change (it showed ↑+132, ↑+99.9 and a red ↑+0 for overdue tasks).
    app = run_app(sample_db, monkeypatch, period="2021")
    assert not app.exception
    changes = metric_changes(app)
    assert len(changes) == 10
    assert all(delta == "" for delta, _, _ in changes.values()), changes
    assert all(color == "GRAY" for _, color, _ in changes.values()), changes


def test_cards_of_2023_name_unit_and_baseline_coloured_by_meaning(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, period="2023")
    assert not app.exception
    metrics, changes = metric_values(app), metric_changes(app)
    assert metrics["任务完成率"] == "69.4%"
    assert changes["任务完成率"] == ("较上年 +11.2 个百分点", "GREEN", "UP")
    # A rise of overdue tasks is bad: red, arrow up.
    assert metrics["逾期任务"] == "6 项"
    assert changes["逾期任务"] == ("较上年 +5 项", "RED", "UP")
    assert metrics["报送覆盖率"] == "98.1%"
    assert changes["报送覆盖率"] == ("较上年 −1.4 个百分点", "RED", "DOWN")
    assert metrics["诉求办结"] == "97 件"
    assert changes["诉求办结"] == ("较上年 +10 件", "GREEN", "UP")
    assert metrics["开展活动"] == "152 场"
    assert changes["开展活动"] == ("较上年 +24 场", "GREEN", "UP")
    # The colour's words: 向好 / 走弱 beside the change.
    descriptions = {m.label: m.proto.delta_description for m in app.metric}
    assert descriptions["逾期任务"] == "走弱" and descriptions["任务完成率"] == "向好"


def test_composite_card_with_rank_movement(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, period="2023")
    assert not app.exception
    # The mean of the eleven districts' composite scores (scoring.district_scores).
    assert metric_values(app)["各区平均综合得分"] == "78.21 分"
    assert metric_changes(app)["各区平均综合得分"] == ("较上年 +2.25 分", "GREEN", "UP")
    captions = [c.value for c in app.caption]
    assert any(
        c.startswith("最高南山区（98.49分），最低深汕特别合作区（38.93分）") for c in captions
    )


def test_an_unchanged_count_is_grey_without_an_arrow(sample_db, monkeypatch):
    # 2022-Q2 and 2022-Q1 both have no overdue task: 与上季持平, never a red "+0".
    app = run_app(sample_db, monkeypatch, gran="quarter", period="2022-Q2")
    assert not app.exception
    assert metric_changes(app)["逾期任务"] == ("与上季持平", "GRAY", "NONE")


def test_overview_in_english(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, lang="en")
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert "Task completion rate" in metric_values(app)


def test_empty_database_shows_a_friendly_state(empty_db, monkeypatch):
    app = run_app(empty_db, monkeypatch)
    assert not app.exception
    assert app.info, [e for e in app.main]
    assert app.info[0].value == (
        "暂无数据。请在“数据上传”页面下载模板、上传报送表。"
        "管理员也可在服务器上运行 python -m data_model seed 载入示例数据。"
    )
    empty_db.use(monkeypatch)
    leader = sign_in_app(AppTest.from_file(APP, default_timeout=60), empty_db, "leader").run()
    assert leader.info[0].value == "暂无数据。各区、各单位报送员上传报送表后，这里即显示数据。"


def test_a_link_with_filters_reopens_the_same_view(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, gran="quarter", period="2022-Q2")
    assert not app.exception
    assert app.sidebar.selectbox(key="f_period").value == "2022-Q2"
    assert app.query_params["period"] == "2022-Q2"
    assert "2022年第二季度工作进展" in [h.value for h in app.subheader]


def test_an_invalid_link_falls_back_with_a_notice(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, period="2099", gran="week")
    assert not app.exception
    assert app.sidebar.selectbox(key="f_period").value == "2023"
    assert len(app.toast) == 2


def test_a_barely_reported_new_year_is_offered_but_not_shown_by_default(
    fresh_sample_db, monkeypatch
):
    # 福田区's first upload of 2024 (3 values, 1 activity) made every first view 2024:
    # 报送覆盖率 0.1%, 开展活动 1 场 较上年 −151 场, an average score of 0.66.
    engine = fresh_sample_db.open()
    upload_futian_january(engine)
    engine.dispose()
    app = run_app(fresh_sample_db, monkeypatch)
    assert not app.exception
    period = app.sidebar.selectbox(key="f_period")
    assert (period.value, period.options[0]) == ("2023", "2024年")
    notes = [c.value for c in app.sidebar.caption if "尚未报齐" in c.value]
    assert notes == ["2024年数据尚未报齐（报送覆盖率 0.1%），默认显示2023年。"]
    assert metric_values(app)["报送覆盖率"] == "98.1%"
    # Chosen, the new year is shown, without the note.
    period.set_value("2024").run()
    assert metric_values(app)["报送覆盖率"] == "0.1%"
    assert not [c for c in app.sidebar.caption if "尚未报齐" in c.value]


def test_the_tasks_expected_to_miss_their_deadline_are_listed(sample_db, monkeypatch):
    app = run_app(sample_db, monkeypatch, gran="quarter", period="2022-Q2")
    (slipping,) = [e for e in app.expander if "按目前进度预计将逾期的任务" in e.label]
    assert slipping.label == "按目前进度预计将逾期的任务（5 项，14 周内到期）"
    table = next(d.value for d in app.dataframe if "预计完成日期" in d.value.columns)
    assert table["任务编号"].tolist() == ["A1-04", "A2-04", "A3-06", "A5-05", "A6-05"]


def test_figures_never_submitted_read_not_submitted_instead_of_zero(empty_db, monkeypatch):
    # Only a task list: no activity and no enterprise issue was ever submitted, so their
    # cards may not claim 0 场 / 0 件 (SPEC: a missing value is never zero).
    engine = empty_db.open()
    assert import_file(engine, task_workbook(), "tasks.xlsx").status == "accepted"
    engine.dispose()
    app = run_app(empty_db, monkeypatch, period="2022")
    assert not app.exception
    metrics = metric_values(app)
    assert metrics["开展活动"] == "未报送"
    assert metrics["诉求办结"] == "未报送"
    assert metrics["政策宣讲会"] == "未报送"
    assert metrics["民企话坛"] == "未报送"
    assert "0 场" not in metrics.values() and "0 件" not in metrics.values()
    assert metrics["逾期任务"].endswith("项")  # the task figures were submitted
