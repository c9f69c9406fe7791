"""The file uploader speaks the interface's language in a real browser: Streamlit's own
`Upload` and `50MB per file • XLSX…` are hidden and the catalogue's texts shown instead."""

from __future__ import annotations

from tests.conftest import VALUE_HEADER, make_xlsx
from tests.e2e.app_browser import tr

UPLOADER = '[data-testid="stFileUploader"]'
AFTER_CONTENT = "(element) => getComputedStyle(element, '::after').content"


def test_the_uploader_shows_the_catalogues_button_and_limits(admin_page):
    app = admin_page
    page = app.page
    app.go("upload")
    uploader = page.locator(UPLOADER).first
    instructions = uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"]')
    button = uploader.locator('[data-testid="stFileUploaderDropzone"] button')
    assert (
        instructions.evaluate(AFTER_CONTENT)
        == f'"{tr("app.uploader_limits", limit=50, types="xlsx、xlsm、xls")}"'
    )
    assert button.evaluate(AFTER_CONTENT) == f'"{tr("app.uploader_button")}"'
    assert not uploader.get_by_text("per file").is_visible()
    assert not uploader.get_by_text("Upload", exact=True).is_visible()
    app.screenshot("upload-uploader-zh-CN")
    app.assert_clean("upload page")


def test_a_chosen_files_chip_and_the_add_button_show_no_borrowed_label(admin_page):
    # The label once went on every button of the drop zone: the remove button of a file's
    # chip read "✕ 选择文件" and the "+" beside it wrapped "选择 / 文件" onto two lines.
    app = admin_page
    app.go("upload")
    data = make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 5, ""]]})
    app.choose_file("chip.xlsx", data)
    zone = app.page.locator(UPLOADER).first.locator('[data-testid="stFileUploaderDropzone"]')
    assert zone.locator('[data-testid="stFileChipName"]').inner_text() == "chip.xlsx"
    buttons = zone.locator("button")
    assert buttons.count() == 2  # the chip's remove button and "+"
    assert [buttons.nth(i).evaluate(AFTER_CONTENT) for i in range(2)] == ["none", "none"]
    app.screenshot("upload-uploader-chosen-zh-CN")
    app.assert_clean("upload page with a file chosen")
