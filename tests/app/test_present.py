"""Presentation mode in the app, on the sample data and on an empty database.

How the slide timer is tested: the page draws the slide in `@st.fragment(run_every=...)`,
and every run of that fragment shows the next slide (which slide each of the screen's two
slots holds lives in `st.session_state["present_stage"]`, a `Stage`). AppTest does not fire
fragment timers, but each `app.run()` runs the whole page and with it the fragment once,
exactly what one tick of the timer does in a browser. So `app.run()` again is one tick, and
setting `app.session_state["present_stage"]` before a run jumps to the slide after it.
Both slots are drawn in every run; CSS hides the back one (the browser tests check what
is visible).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_model.ingest.importer import import_file
from data_model.outputs.presentation import Stage
from tests.app.conftest import (
    HOSTILE_CODE,
    HOSTILE_CODE_SHOWN,
    assert_shown_as_written,
    import_hostile_tasks,
    open_app_page,
)
from tests.conftest import AppDatabase, make_xlsx, sign_in_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/present.py"
STAGE_KEY = "present_stage"
OVERVIEW_TITLE = "2023年任务完成率69.4%，逾期任务6项，开展活动152场"
COVERAGE_TITLE = "11个地区中3个达到100%，最低为深汕特别合作区（87.9%）"
RANKING_TITLE = "2023年综合评价：南山区排名第一（98.49分）"


def open_present(db: AppDatabase, monkeypatch, **query) -> AppTest:
    return open_app_page(PAGE, db, monkeypatch, role="leader", **query)


def shown(app: AppTest) -> tuple[str, str]:
    """The slide on screen: its title (the front slot's) and its counter."""
    assert not app.exception, app.exception
    stage = app.session_state[STAGE_KEY]
    titles = [title.value for title in app.title]
    assert len(titles) == sum(slot is not None for slot in stage.slots)
    front = 0 if stage.front == 0 or stage.slots[0] is None else 1
    return titles[front], app.caption[1].value


def waiting(app: AppTest) -> str | None:
    """The title of the slide drawn in the hidden slot, ready to be shown next."""
    stage = app.session_state[STAGE_KEY]
    if stage.slots[stage.back] is None:
        return None
    titles = [title.value for title in app.title]
    return titles[0 if stage.back == 0 or stage.slots[0] is None else 1]


def click(app: AppTest, label: str) -> None:
    [button] = [b for b in app.button if b.label == label]
    button.click().run()


def test_first_slide_with_its_title_and_counter(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023")
    assert shown(app) == (OVERVIEW_TITLE, "1 / 6")
    assert app.caption[0].value == "总览 · 2023年工作进展"
    assert {m.label: m.value for m in app.metric}["逾期任务"] == "6 项"
    assert not app.toast


def test_the_sidebar_and_chrome_are_hidden_by_css(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023")
    [style] = [e.proto.body for e in app.get("html") if "stSidebar" in e.proto.body]
    assert style.startswith("<style>") and style.rstrip().endswith("</style>")
    for hidden in ("stSidebar", "stHeader", "stToolbar", "stDecoration"):
        assert f'[data-testid="{hidden}"]' in style
    assert "display: none !important" in style
    assert "http" not in style and "@import" not in style  # nothing fetched


def test_each_run_of_the_fragment_shows_the_next_slide_and_loops(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023", interval="10")
    assert shown(app)[1] == "1 / 6"
    app.run()  # one tick of the timer
    assert shown(app) == (COVERAGE_TITLE, "2 / 6")
    assert app.get("plotly_chart")
    app.session_state[STAGE_KEY] = Stage((4, 5), front=0)  # the fifth slide is on screen
    app.run()
    assert shown(app) == (RANKING_TITLE, "6 / 6")
    app.run()
    assert shown(app) == (OVERVIEW_TITLE, "1 / 6")


def test_the_next_slide_is_drawn_behind_the_one_on_screen(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023")
    assert waiting(app) == COVERAGE_TITLE
    assert len(app.get("plotly_chart")) == 1  # the coverage map, drawn while hidden
    app.run()
    assert shown(app)[0] == COVERAGE_TITLE and app.session_state[STAGE_KEY].front == 1
    [style] = [e.proto.body for e in app.get("html") if "visibility: hidden" in e.proto.body]
    assert ".st-key-present_slot_0, .st-key-present_slot_0 *" in style  # slot 0 is hidden
    assert ".st-key-present_slot_1 * " not in style


def test_next_and_previous_buttons_move_by_hand(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023", interval="60")
    click(app, "下一页")
    assert shown(app) == (COVERAGE_TITLE, "2 / 6")
    click(app, "上一页")
    assert shown(app) == (OVERVIEW_TITLE, "1 / 6")
    click(app, "上一页")
    assert shown(app)[1] == "6 / 6"
    app.run()  # the timer right after a click waits for the next tick
    assert shown(app)[1] == "6 / 6"
    assert [link.proto.page for link in app.get("page_link") if link.proto.label == "退出演示"]


def test_the_url_chooses_slides_and_interval(sample_db, monkeypatch):
    app = open_present(
        sample_db, monkeypatch, slides="evaluation,bogus", interval="2", period="2023"
    )
    assert shown(app) == (RANKING_TITLE, "1 / 1")
    notices = [t.value for t in app.toast]
    assert any("“bogus”" in n for n in notices)
    assert any("“2”秒已调整为 5 秒" in n for n in notices)
    assert app.query_params["slides"] == "evaluation,bogus"  # the filters keep it in the URL
    assert app.query_params["period"] == "2023"
    app.run()
    assert shown(app) == (RANKING_TITLE, "1 / 1")


def test_tasks_slides_on_another_period(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, slides="tasks", period="2022")
    title, counter = shown(app)
    assert counter == "1 / 2" and "完成率最高" in title
    app.run()
    assert shown(app)[0].startswith("逾期任务")


def test_a_new_submission_shows_on_the_next_slide(fresh_sample_db, monkeypatch):
    app = open_present(fresh_sample_db, monkeypatch, slides="overview", period="2023")
    assert shown(app)[0] == OVERVIEW_TITLE
    engine = fresh_sample_db.open()
    header = ["活动日期", "区", "活动类型", "活动名称", "所属品牌", "参与企业数"]
    workbook = make_xlsx(
        {"活动台账": [header, ["2023-12-20", "南山区", "政策宣讲会", "新增宣讲", "", 5]]}
    )
    assert import_file(engine, workbook, "new.xlsx").status == "accepted"
    engine.dispose()
    app.run()  # the next tick, no reload
    assert shown(app)[0] == "2023年任务完成率69.4%，逾期任务6项，开展活动153场"


def test_in_english(sample_db, monkeypatch):
    app = open_present(sample_db, monkeypatch, period="2023", lang="en")
    assert shown(app) == (  # a slide's title is written literally (`ui.literal`)
        "2023\\: 69.4% of tasks completed, 6\xa0overdue, 152\xa0activities held",
        "1 / 6",
    )


def test_empty_database_shows_a_friendly_message(empty_db, monkeypatch):
    app = open_present(empty_db, monkeypatch)
    assert app.title[0].value == "演示模式"
    # A leader can neither upload nor run a command: told who brings the data, and a way out.
    assert (
        app.info[0].value == "暂无数据，无法演示。各区、各单位报送员上传报送表后，这里即显示数据。"
    )
    assert [link.label for link in app.get("page_link")] == ["退出演示"]
    assert not app.get("plotly_chart")


def test_overview_links_to_the_presentation(sample_db, monkeypatch):
    sample_db.use(monkeypatch)
    app = sign_in_app(AppTest.from_file(APP, default_timeout=60), sample_db, "leader")
    app.run()
    assert not app.exception
    [link] = [e for e in app.get("page_link") if e.proto.label == "演示模式"]
    assert link.proto.page.endswith("present")
    assert "period=2023" in link.proto.query_string


def test_the_page_run_without_the_app_shows_nothing_to_an_anonymous_visitor(sample_db, monkeypatch):
    """Streamlit serves files in pages/ directly in its old multipage mode (a server before
    any session has run app.py does; so does AppTest), so the page checks the sign-in too."""
    sample_db.use(monkeypatch)
    app = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=60).run()
    assert not app.exception
    assert app.error and not app.title and not app.get("plotly_chart")


def test_a_staff_members_hostile_task_list_is_presented_as_written(empty_db, monkeypatch):
    """The task slides of a staff member's task list whose code, action, lead unit and
    content are Markdown images and HTML links (`import_hostile_tasks`), and a link whose
    slide list holds one too: titles, notes and notices show them as text (the room's
    browser fetches nothing), and no chart label or hover is a link. Both slides are drawn
    in one run, the second in the hidden slot."""
    import_hostile_tasks(empty_db)
    app = open_present(empty_db, monkeypatch, slides=f"tasks,{HOSTILE_CODE}", period="2022")
    first, second = (title.value for title in app.title)
    assert first.startswith("\\[行动\\]\\(http\\://203.0.113.9/a\\)\\<a href=")  # one action
    assert second == f"逾期任务1项，最长逾期184天（{HOSTILE_CODE_SHOWN}）"
    [notice] = [toast.value for toast in app.toast]
    assert HOSTILE_CODE_SHOWN.lower() in notice  # slide names are read in lower case
    assert_shown_as_written(app)
