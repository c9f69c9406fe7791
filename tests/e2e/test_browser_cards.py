"""The headline cards read whole on a 1280×720 projector, in both languages.

On the overview, the task page, the bulletin page and the presentation's first slide, no text of a card (its
label, value, change or the word beside the change) may be cut: Streamlit writes each in a
box that hides what does not fit behind an ellipsis (or squeezes the word beside the
change to nothing), so a box whose content is wider than the box is text the room cannot
read. Five task cards to a row did that to `较上年 +11.2 个百分点 向好` at 1280 px, and
five to a row on the bulletin page cut it to `较上年 +11.2 个…`.
Screenshots: test-output/screenshots/cards-1280x720-<language>-<page>.png.
"""

from __future__ import annotations

import pytest

from tests.e2e.app_browser import open_app_page

SIZE = {"width": 1280, "height": 720}
PRESENT = "present?interval=300&gran=year&period=2023"  # the timer stays out of the way
# page, its address and the number of cards it shows with the sample data (2023)
PAGES = [
    ("overview", "", 6 + 4),
    ("tasks", "tasks", 5),
    ("bulletin", "bulletin", 5),
    ("present", PRESENT, 6),
]

# Every text box inside a card that clips its content, with its sizes: the ones whose
# content is wider (or taller) than the box are cut. Cards behind the slide on screen are
# skipped (the presentation lays the next slide out hidden).
CUT_TEXTS = """() => {
  const seen = (e) => e.checkVisibility({visibilityProperty: true});
  const cards = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(seen);
  const boxes = [];
  for (const card of cards) {
    const label = card.querySelector('[data-testid="stMetricLabel"]');
    for (const e of card.querySelectorAll('*')) {
      const text = (e.innerText || '').trim();
      if (!text || getComputedStyle(e).overflowX === 'visible') continue;
      boxes.push({card: label ? label.innerText.trim() : '', text: text.slice(0, 60),
                  scroll: e.scrollWidth, client: e.clientWidth});
    }
  }
  return {cards: cards.length, boxes};
}"""


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_card_text_is_whole_at_1280_px(browser, app_server, language):
    context, app = open_app_page(browser, app_server)
    try:
        app.page.set_viewport_size(SIZE)
        app.open().sign_in()
        suffix = "" if language == "zh-CN" else "lang=en"
        for name, address, count in PAGES:
            joined = "&" if "?" in address else "?"
            app.open(address + (joined + suffix if suffix else ""))
            found = app.page.evaluate(CUT_TEXTS)
            app.screenshot(f"cards-1280x720-{language}-{name}")
            assert found["cards"] == count, f"{name}: {found['cards']} cards, not {count}"
            # The boxes that clip are there to be measured (not a vacuous pass).
            assert found["boxes"], f"{name}: no card text box found"
            cut = [b for b in found["boxes"] if b["scroll"] > b["client"]]
            assert not cut, f"{name} ({language}) at 1280×720 cuts card texts: {cut}"
        app.assert_clean(f"cards at 1280×720 ({language})")
    finally:
        context.close()
