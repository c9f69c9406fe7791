"""The file uploader speaks the interface's language in a real browser: Streamlit's own
`Upload` and `50MB per file • XLSX…` are hidden and the catalogue's texts shown instead."""

from __future__ import annotations

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
