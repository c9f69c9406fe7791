"""Presentation mode in a real browser at 1280×720 and 1920×1080.

Each slide of the sample data's 2023 presentation must fit the screen: the bar (section,
counter, previous / next / exit), the title, the cards, the chart with its legend, all
inside the viewport, the title above the chart. Then "next" is clicked and the moment the
new title becomes visible is caught in the page itself (a requestAnimationFrame poll): at
that moment the new slide's chart must already be drawn (it was prepared behind the old
slide), and there must be no loading skeleton (the blank grey box), no element Streamlit
marks stale (left from the previous run, which it greys out) and nothing greyed out on
screen. How long each step took is written to the test output and to
test-output/presentation-timings.txt; no time is asserted (the machine may be busy).
Screenshots: test-output/screenshots/present-<size>-<n>.png.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.app_browser import OUTPUT, AppPage, open_app_page, tr

SIZES = [(1280, 720), (1920, 1080)]
SLIDES = 6  # the 2023 presentation of the sample data
PRESENT = "present?interval=300&gran=year&period=2023"  # the timer stays out of the way

# Everything on screen, with its box; `hidden` elements (the slide waiting behind) skipped.
BOXES = """() => {
  const seen = (e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  const kinds = {
    title: 'h1', caption: '[data-testid="stCaptionContainer"]',
    button: '[data-testid="stButton"] button', exit: '[data-testid="stPageLink"] a',
    card: '[data-testid="stMetric"]', chart: '[data-testid="stPlotlyChart"]',
    plot: '.main-svg', legend: 'g.legend', note: '[data-testid="stMarkdownContainer"]',
  };
  for (const [kind, selector] of Object.entries(kinds)) {
    for (const e of main.querySelectorAll(selector)) {
      if (!seen(e)) continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      out.push({kind, text: (e.innerText || '').slice(0, 40), left: r.left, top: r.top,
                right: r.right, bottom: r.bottom});
    }
  }
  return {width: innerWidth, height: innerHeight, boxes: out};
}"""

# The state of the screen: the visible title, whether its slide's chart is drawn, loading
# skeletons, greyed-out elements and elements Streamlit marks stale (from an earlier run,
# not yet confirmed by the current one) on screen.
SCREEN = """() => {
  const seen = (e) => e.checkVisibility({visibilityProperty: true});
  const title = [...document.querySelectorAll('[data-testid="stMain"] h1')].find(seen);
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(seen);
  const drawn = charts.every((c) => {
    const svg = c.querySelector('.main-svg');
    return svg && svg.getBoundingClientRect().height > 50;
  });
  const greyed = [...document.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter((e) => seen(e) && e.getBoundingClientRect().height > 0
                   && parseFloat(getComputedStyle(e).opacity) < 0.99)
    .map((e) => (e.innerText || e.getAttribute('data-testid')).slice(0, 30));
  const stale = [...document.querySelectorAll('[data-stale="true"]')]
    .filter((e) => seen(e) && e.getBoundingClientRect().height > 0)
    .map((e) => (e.innerText || e.getAttribute('data-testid')).slice(0, 30));
  const skeletons = [...document.querySelectorAll('[data-testid="stSkeleton"]')].filter(seen);
  return {title: title ? title.innerText : null, charts: charts.length, drawn,
          greyed, stale, skeletons: skeletons.length, at: performance.now()};
}"""


def overflow(layout: dict) -> list[str]:
    """The boxes that leave the viewport, or a title that runs into the chart."""
    width, height = layout["width"], layout["height"]
    problems = [
        f"{box['kind']} {box['text']!r} at {box['left']:.0f},{box['top']:.0f}"
        f"–{box['right']:.0f},{box['bottom']:.0f}"
        for box in layout["boxes"]
        if box["left"] < -0.5
        or box["top"] < -0.5
        or box["right"] > width + 0.5
        or box["bottom"] > height + 0.5
    ]
    titles = [box for box in layout["boxes"] if box["kind"] == "title"]
    charts = [box for box in layout["boxes"] if box["kind"] == "chart"]
    for title in titles:
        for chart in charts:
            if title["bottom"] > chart["top"] + 1:
                problems.append(f"the title {title['text']!r} runs into the chart")
    return problems


def wait_for_new_title(app: AppPage, old: str) -> dict:
    """The screen at the first animation frame that shows a title other than `old`."""
    handle = app.page.wait_for_function(
        f"""() => {{
            const screen = ({SCREEN})();
            return screen.title && screen.title !== {old!r} ? screen : null;
        }}""",
        polling="raf",
        timeout=60_000,
    )
    return handle.json_value()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_slide_fits_and_next_shows_a_prepared_slide(browser, app_server, width, height):
    context, app = open_app_page(browser, app_server)
    timings: list[str] = []
    try:
        app.page.set_viewport_size({"width": width, "height": height})
        app.open(PRESENT)
        if app.page.locator('[data-testid="stForm"]').count():
            app.sign_in()
        app.settle()
        next_button = app.page.get_by_role("button", name=tr("present.next"))
        assert app.page.get_by_role("button", name=tr("present.previous")).is_visible()
        assert app.page.get_by_role("link", name=tr("present.exit")).is_visible()
        titles = []
        for number in range(1, SLIDES + 1):
            app.settle()
            app.page.evaluate("document.fonts.ready.then(() => true)")
            screen = app.page.evaluate(SCREEN)
            titles.append(screen["title"])
            counter = tr("present.counter", index=number, total=SLIDES)
            assert app.page.get_by_text(counter, exact=True).is_visible(), counter
            problems = overflow(app.page.evaluate(BOXES))
            app.screenshot(f"present-{width}x{height}-{number}")
            assert not problems, f"slide {number} at {width}×{height}: {problems}"

            clicked = app.page.evaluate("performance.now()")
            started = time.monotonic()
            with app.rerun():
                next_button.click()
                shown = wait_for_new_title(app, screen["title"])
            idle = time.monotonic() - started
            timings.append(
                f"{width}x{height} slide {number} → {number % SLIDES + 1}: new title after "
                f"{shown['at'] - clicked:.0f} ms, chart drawn then: {shown['drawn']}, "
                f"run finished and page settled after {idle * 1000:.0f} ms"
            )
            assert shown["drawn"], f"after slide {number} the new slide's chart was not drawn"
            assert shown["skeletons"] == 0, f"a loading box showed after slide {number}"
            assert not shown["stale"], (
                f"stale elements on screen when the new title appeared: {shown['stale']}"
            )
            assert not shown["greyed"], (
                f"greyed-out elements when the new title appeared: {shown['greyed']}"
            )
            assert app.page.evaluate(SCREEN)["greyed"] == []
        assert len(set(titles)) == SLIDES, titles  # every slide was shown once
        assert app.page.evaluate(SCREEN)["title"] == titles[0]  # and it loops
        app.assert_clean(f"presentation at {width}×{height}")
    finally:
        context.close()
        OUTPUT.mkdir(exist_ok=True)
        with (OUTPUT / "presentation-timings.txt").open("a", encoding="utf-8") as log:
            log.write("\n".join(timings) + "\n")
        print("\n".join(timings))
