"""The app in a real browser (Debian's chromium driven by Playwright) against `streamlit run`.

Covers first-run setup and sign-in, an upload through the file chooser, every page
rendering with no error element, no console error and no request leaving the machine,
the district map drawn offline, presentation mode and the Word and PDF bulletins. Screenshots of
every page at 1920x1080 go to test-output/screenshots/ for review.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from data_model.periods import period_label
from data_model.workflow.upload import PROBLEMS_IN_PAGE
from tests.conftest import VALUE_HEADER, make_xlsx
from tests.e2e.app_browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    LANGUAGE,
    ROOT,
    AppPage,
    cli,
    open_app_page,
    tr,
)

SAMPLE = ROOT / "sample_data"
SAMPLE_YEAR = "2023"  # the newest year of the sample data

# url path, title key, least number of charts drawn with the sample data
PAGES = [
    ("", "overview.title", 2),
    ("coverage", "coverage.title", 1),
    ("tasks", "tasks.title", 2),
    ("trends", "trends.title", 2),
    ("evaluation", "evaluation.title", 1),
    ("upload", "upload.title", 0),
    ("submissions", "submissions.title", 0),
    ("admin", "admin.title", 0),
    ("master", "master.page_title", 0),
    ("review", "review.title", 0),
    ("supervision", "reminders.page_title", 1),
]


def registered(page_file: str) -> str | None:
    """Why a page under construction cannot be tested yet, or None when it is in the app."""
    if not (ROOT / "pages" / page_file).exists():
        return f"pages/{page_file} does not exist yet"
    if f"pages/{page_file}" not in (ROOT / "app.py").read_text(encoding="utf-8"):
        return f"pages/{page_file} is not registered in app.py yet"
    return None


def pick_period(app: AppPage, period: str) -> None:
    """Choose a period in the sidebar's period selectbox (year granularity)."""
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=tr("filters.period")
    )
    box.scroll_into_view_if_needed()  # below the sidebar's links and reminders
    box.click()
    options = app.page.locator('[role="option"]')
    options.first.wait_for()
    offered = options.all_inner_texts()
    wanted = period_label(period, LANGUAGE)
    assert wanted in offered, f"period {wanted} is not offered; the list has {offered}"
    option = options.filter(has_text=re.compile(rf"^{re.escape(wanted)}$"))
    if box.locator("input").input_value() == wanted:  # chosen already: no rerun
        option.click()
    else:
        with app.rerun():
            option.click()
    app.page.evaluate("document.activeElement?.blur()")  # no focus ring in screenshots


def test_first_run_setup_then_sign_out_and_sign_in(browser, empty_server):
    context, app = open_app_page(browser, empty_server)
    try:
        app.open()
        page = app.page
        assert tr("setup.title") in app.main_text()
        form = page.locator('[data-testid="stForm"]')
        form.get_by_label(tr("setup.username"), exact=True).fill("chief")
        form.get_by_label(tr("setup.display_name"), exact=True).fill("张主任")
        form.get_by_label(tr("setup.password"), exact=True).fill("first-admin-password")
        form.get_by_label(tr("setup.repeat"), exact=True).fill("first-admin-password")
        app.screenshot("first-run-setup")
        with app.rerun():
            form.get_by_role("button", name=tr("setup.create"), exact=True).click()

        # Signed in as the new administrator: the whole navigation is there.
        sidebar = page.locator('[data-testid="stSidebar"]')
        signed_in = tr("app.signed_in_as", user="chief", role=tr("users.role_admin"))
        assert signed_in in sidebar.inner_text()
        for url_path in ("coverage", "upload", "admin"):
            assert app.nav_link(url_path).count() == 1, url_path
        assert tr("overview.title") in app.main_text()
        app.assert_clean("after creating the first administrator")

        with app.rerun():
            page.get_by_role("button", name=tr("app.sign_out")).click()
        assert tr("login.title") in app.main_text()
        assert app.nav_link("admin").count() == 0

        # A wrong password is refused with a message; the right one signs in.
        form = page.locator('[data-testid="stForm"]')
        form.get_by_label(tr("login.username"), exact=True).fill("chief")
        form.get_by_label(tr("login.password"), exact=True).fill("not-the-password")
        with app.rerun():
            form.get_by_role("button", name=tr("login.submit"), exact=True).click()
        assert page.locator('[data-testid="stAlertContentError"]').count() == 1
        assert app.nav_link("admin").count() == 0
        app.screenshot("login-refused")

        app.sign_in("chief", "first-admin-password")
        assert signed_in in sidebar.inner_text()
        assert app.nav_link("admin").count() == 1
        app.assert_clean("after signing in again")
    finally:
        context.close()


def first_indicator() -> tuple[str, str]:
    sheet = load_workbook(SAMPLE / "indicators.xlsx", read_only=True).worksheets[0]
    rows = sheet.iter_rows(min_row=2, max_row=2, values_only=True)
    code, name = next(rows)[:2]
    return code, name


def december_values(code: str) -> dict[str, float]:
    """The indicator's 2023-12 value per geography in the sample data."""
    sheet = load_workbook(SAMPLE / "indicator_values.xlsx", read_only=True).worksheets[0]
    return {
        row[2]: row[4]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] == code and str(row[3]) == "2023-12" and row[4] is not None
    }


def test_upload_through_the_file_chooser_then_the_data_appears(admin_page):
    app = admin_page
    page = app.page
    code, name = first_indicator()
    values = december_values(code)
    assert len(values) >= 10, values
    # January 2024 as in December 2023: new rows, and no large change to confirm.
    rows = [[code, name, district, "2024-01", value, ""] for district, value in values.items()]
    file_name = "e2e-2024-01.xlsx"
    data = make_xlsx({"指标数据": [VALUE_HEADER, *rows]})

    app.go("upload").choose_file(file_name, data)
    preview = tr("upload.preview", new=len(rows), replaced=0, unchanged=0)
    page.get_by_text(preview).wait_for(timeout=30_000)
    app.screenshot("upload-preview")
    app.assert_clean("upload preview")

    with app.rerun():
        page.get_by_role("button", name=tr("upload.commit")).click()
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    assert file_name in " ".join(success.all_inner_texts())
    app.assert_clean("upload committed")

    app.go("submissions")
    # The newest batch is the one opened first.
    opened = app.page.locator('[data-testid="stSelectbox"]').filter(has_text=tr("submissions.open"))
    assert file_name in opened.locator("input").input_value()

    app.go("")
    pick_period(app, "2024")
    label = period_label("2024", LANGUAGE)
    assert tr("overview.cards_heading", period=label) in app.main_text()
    app.assert_clean("overview of 2024")


def test_a_file_of_thousands_of_wrong_rows_is_shown_counted_by_kind(admin_page):
    # Every row of 300,000 wrong once sent the browser a 57 MB table on every rerun.
    app = admin_page
    page = app.page
    code, name = first_indicator()
    wrong = 3_000
    rows = [[code, name, "福天区", "2022-13", n, ""] for n in range(wrong)]
    app.go("upload").choose_file("e2e-wrong.xlsx", make_xlsx({"指标数据": [VALUE_HEADER, *rows]}))
    note = tr("upload.problems_many", total=2 * wrong, shown=PROBLEMS_IN_PAGE)
    page.get_by_text(note).wait_for(timeout=60_000)
    tables = page.locator('[data-testid="stDataFrame"]')
    assert tables.count() >= 3  # the sheets, the problems by kind, the first problems
    app.screenshot("upload-many-problems")
    assert not page.locator('[data-testid="stException"]').count()
    assert not app.page_errors and not app.console_errors


def test_every_page_renders_without_errors(admin_page):
    """Each page: its title, its charts drawn, no error element, console error or outside
    request; a screenshot of each at 1920x1080."""
    app = admin_page
    pages = list(PAGES)
    if registered("bulletin.py") is None:
        pages.append(("bulletin", "bulletin.title", 1))
    problems = []
    for number, (url_path, title_key, charts) in enumerate(pages, start=1):
        where = f"/{url_path}"
        try:
            app.go(url_path)
            if url_path in ("", "coverage"):  # pin the sample's newest year
                pick_period(app, SAMPLE_YEAR)
            assert tr(title_key) in app.main_text(), f"{where}: title {tr(title_key)} missing"
            drawn = app.page.locator(".js-plotly-plot .main-svg").count()
            assert drawn >= charts, f"{where}: {drawn} charts drawn, expected at least {charts}"
            app.screenshot(f"page-{number:02d}-{url_path or 'overview'}")
            app.assert_clean(where)
        except Exception as error:  # go on to the other pages, then report them all
            problems.append(f"{type(error).__name__}: {error}")
            app.forget_problems()
    assert not problems, "\n\n".join(problems)


def test_district_map_is_drawn_offline(admin_page):
    """Every request but those to this machine is aborted; the map must not need any."""
    app = admin_page
    app.go("coverage")
    pick_period(app, SAMPLE_YEAR)
    chart = app.page.locator(".st-key-coverage_map .js-plotly-plot")
    chart.wait_for()
    fills = chart.evaluate(
        """(plot) => [...plot.querySelectorAll('path.js-fill')]
            .map((path) => getComputedStyle(path).fill)
            .filter((fill) => fill && fill !== 'none' && !fill.endsWith(', 0)'))"""
    )
    assert len(fills) >= 9, f"only {len(fills)} filled district shapes on the map"
    assert len(set(fills)) >= 3, f"the districts are not coloured by value: {set(fills)}"
    app.screenshot("coverage-map-offline")
    assert app.blocked_requests == []
    app.assert_clean("coverage map")


def slide_counter(app: AppPage) -> str:
    """The slide counter's text, like `2 / 5` (present.counter)."""
    pattern = re.escape(tr("present.counter", index="INDEX", total="TOTAL"))
    pattern = pattern.replace("INDEX", r"\d+").replace("TOTAL", r"\d+")
    counter = app.page.get_by_text(re.compile(rf"^\s*{pattern}\s*$")).first
    counter.wait_for(timeout=30_000)
    return counter.inner_text().strip()


def test_presentation_mode_advances_a_slide(browser, app_server):
    missing = registered("present.py")
    if missing:
        pytest.skip(f"presentation mode: {missing}")
    context, app = open_app_page(browser, app_server)
    try:
        app.open(f"present?interval=5&gran=year&period={SAMPLE_YEAR}")
        if app.page.locator('[data-testid="stForm"]').count():
            app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD)
        assert "/present" in app.page.url, (
            f"opening /present (and signing in) ended at {app.page.url}"
        )
        first = slide_counter(app)
        app.screenshot("present-slide-a")
        app.page.wait_for_timeout(7_000)
        app.settle()
        second = slide_counter(app)
        assert second != first, f"the slide counter stayed at {first} after 7 s (interval 5 s)"
        app.screenshot("present-slide-b")
        app.assert_clean("presentation mode")
    finally:
        context.close()


def read_docx(data: bytes) -> tuple[str, list[str]]:
    """The document's text and its embedded images."""
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        names = docx.namelist()
        assert "word/document.xml" in names, names
        assert "wordprocessingml.document.main+xml" in docx.read("[Content_Types].xml").decode()
        xml = docx.read("word/document.xml").decode("utf-8")
    text = "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))
    return text, [name for name in names if name.startswith("word/media/")]


def test_a_rate_tab_is_drawn_when_opened(admin_page):
    """Only the open tab of the task rates is drawn; opening another reruns and draws it."""
    app = admin_page
    app.go("tasks")
    app.settle()
    finding = app.page.get_by_text(re.compile(r"\d+个牵头单位中，\d+个已全部完成"))
    assert finding.count() == 0
    with app.rerun():
        app.page.get_by_role("tab", name=tr("tasks.tab_lead_unit")).click()
    finding.first.wait_for(timeout=30_000)
    app.settle()
    app.assert_clean("rate tab")


def test_task_table_excel_download(admin_page, tmp_path: Path):
    """A table's Excel file is built when its button is clicked: the overdue list of 2023."""
    app = admin_page
    app.go("tasks")
    pick_period(app, SAMPLE_YEAR)
    app.settle()
    button = app.page.locator('[data-testid="stDownloadButton"]').filter(
        has_text=tr("app.download_excel")
    )
    with app.page.expect_download(timeout=60_000) as download:
        button.first.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == f"{tr('tasks.overdue_file')}.xlsx"
    rows = list(load_workbook(target, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == tr("tasks.col_code")
    assert len(rows) == 1 + 6  # the six overdue tasks of the sample data at the end of 2023
    # The download is audited when the file is built.
    log = tmp_path / "audit.csv"
    cli(app.server.data_dir, "audit", "--out", str(log), "--action", "export")
    exports = log.read_text(encoding="utf-8-sig")
    assert f"{tr('tasks.overdue_file')}.xlsx" in exports and ADMIN_USERNAME in exports
    app.settle()
    app.assert_clean("task table download")


def download_bulletin(app: AppPage, button_key: str, timeout: float, folder: Path) -> Path:
    """Open the bulletin of the sample year, click its download button labelled
    `button_key`, and save the file the browser receives into `folder`."""
    app.go("bulletin")
    pick_period(app, SAMPLE_YEAR)
    button = app.page.locator('[data-testid="stDownloadButton"]').filter(has_text=tr(button_key))
    with app.page.expect_download(timeout=timeout) as download:
        button.click()
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    return target


def test_bulletin_word_download(admin_page, tmp_path: Path):
    missing = registered("bulletin.py")
    if missing:
        pytest.skip(f"bulletin: {missing}")
    app = admin_page
    target = download_bulletin(app, "bulletin.download_word", 120_000, tmp_path)
    assert target.suffix == ".docx", target.name
    data = target.read_bytes()
    assert data[:2] == b"PK", data[:8]
    text, images = read_docx(data)
    assert tr("bulletin.issuing_body", city="深圳市") in text
    assert tr("bulletin.section_overview") in text
    # The server has chromium (these tests need it), so the charts are drawn into the file.
    assert images, "the Word bulletin has no chart images"
    app.settle()
    app.assert_clean("bulletin download")


def test_bulletin_pdf_download(admin_page, tmp_path: Path):
    """The PDF bulletin is rendered on the server when its button is clicked."""
    from data_model.outputs.office_pdf import find_soffice, soffice_problem

    if find_soffice() is None:
        pytest.skip(f"the PDF bulletin needs LibreOffice: {soffice_problem()}")
    app = admin_page
    target = download_bulletin(app, "bulletin.download_pdf", 180_000, tmp_path)
    assert target.suffix == ".pdf", target.name
    from pypdf import PdfReader

    reader = PdfReader(target)
    text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    assert text.startswith(tr("bulletin.document_title")), text[:80]
    assert tr("bulletin.section_overview") in text
    assert any(page.images for page in reader.pages), "the PDF bulletin has no chart image"
    app.settle()
    app.assert_clean("bulletin PDF download")
