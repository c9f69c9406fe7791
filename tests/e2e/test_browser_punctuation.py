"""English pages draw curly quotes in a Latin font, Chinese pages in their Chinese one.

The theme's fonts are Chinese, and a Chinese font draws “ ” a full em wide: the English
sidebar read ` “Two Healths”  pilot zone` with gaps around the quotes. English pages
define the `Latin Punctuation` face the theme names first (ui.latin_punctuation); Chinese
pages do not, and keep their full-width punctuation."""

from __future__ import annotations

from data_model.i18n import t
from tests.e2e.app_browser import AppPage

CAPTION = '[data-testid="stSidebar"] [data-testid="stCaptionContainer"]'
# The width the browser draws the caption's first “ at, in ems of the caption's font.
QUOTE_WIDTH = """selector => {
    const caption = document.querySelector(selector);
    const walker = document.createTreeWalker(caption, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && !node.data.includes('\u201c')) node = walker.nextNode();
    const range = document.createRange();
    range.setStart(node, node.data.indexOf('\u201c'));
    range.setEnd(node, node.data.indexOf('\u201c') + 1);
    const style = getComputedStyle(node.parentElement);
    return {
        text: caption.textContent,
        ems: range.getBoundingClientRect().width / parseFloat(style.fontSize),
        family: style.fontFamily,
    };
}"""


def quote(app: AppPage) -> dict:
    app.page.evaluate("document.fonts.ready.then(() => true)")
    return app.page.evaluate(QUOTE_WIDTH, CAPTION)


def test_english_pages_draw_curly_quotes_latin_and_chinese_pages_full_width(app_page):
    app_page.open("?lang=en")
    english = quote(app_page)
    assert english["text"] == t("app.title", "en")  # “Two Healths” pilot zone …
    assert english["ems"] < 0.5  # about a third of an em in Arial or Liberation Sans
    assert english["family"].startswith('"Latin Punctuation", "Microsoft YaHei"')

    # Switched to Chinese in the same tab: the face is gone with the English page's style.
    radio = app_page.page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]')
    with app_page.rerun():
        radio.get_by_text(t("app.language_name", "zh-CN"), exact=True).click()
    chinese = quote(app_page)
    assert chinese["text"] == t("app.title", "zh-CN")
    assert chinese["ems"] > 0.9  # a full em, as Chinese punctuation is
    assert chinese["family"] == english["family"]  # the same stack, without its first face
    app_page.assert_clean("the sign-in page in English, then Chinese")
