"""演示模式 Presentation: one finding per screen in large type, advancing by itself.

Open `/present?slides=overview,coverage,tasks,trends,evaluation&interval=20&period=2023`
(see `data_model.outputs.presentation` for the values). The sidebar and Streamlit's chrome are
hidden; the page fits the screen (1280×720 to 1920×1080 and beyond): a bar on top with the
section, the slide counter and the previous / next / exit buttons, then the slide, whose
chart takes the height that is left.

The slide is drawn in a fragment that Streamlit reruns every `interval` seconds; each run
moves to the next slide, looping (the buttons move by hand, and the timer then waits at
least half an interval). The screen has two slots (`data_model.outputs.presentation.Stage`): the
one in front is on screen, the one behind, hidden but laid out at full size, already holds
the next slide with its chart drawn. Moving on swaps them with one style rule, sent as soon
as the slide to show has been confirmed by the run, so the new slide is there at once, with
no empty chart box and no greyed-out old slide while the next one is built. Each slide's
figure is built once per slide content and shared by every screen (`ui.figure`). Streamlit
greys out what a run has not yet re-sent; the projector CSS keeps such elements at full
strength, as what is on screen is always a whole, correct slide. Queries are cached by the
data version, so a new submission shows on the next slide without a reload. Each run also
re-checks the
sign-in, so a disabled user's screen stops, and a running presentation counts as activity.
"""

import time

import streamlit as st

from data_model.charts.present import CHART_CONFIG, PROJECTOR_CSS, slide_figure, stage_css
from data_model.outputs.presentation import Slide, Stage, build_slides, parse_params, restage
from ui import (
    empty_state,
    figure,
    global_filters,
    language,
    literal,
    no_data_state,
    plot,
    query,
    require_permission,
    signed_in,
    tr,
)

STAGE_KEY = "present_stage"  # the Stage: which slide each slot holds, which is in front
CARDS_PER_ROW = 3  # six headline cards in two rows: large type still fits 1280 px

principal = require_permission("view_dashboards")
st.html(f"<style>{PROJECTOR_CSS}</style>")

filters = global_filters(show=(), keep=("slides", "interval"))
if filters is None:
    st.title(tr("present.title"), anchor=False)
    no_data_state("present.no_data", principal)
    # The presentation hides the sidebar: without this the page has no way out.
    st.page_link("pages/overview.py", label=tr("present.exit"), icon=":material/close:")
    st.stop()
setup = parse_params(st.query_params.to_dict())
for notice in setup.notices:  # quotes the link's values, which someone else may have written
    st.toast(literal(notice.text(language())), icon=":material/info:")


def draw_slide(slide: Slide, slot: int) -> None:
    """One slide's title, note, footnote, and cards or chart, in the slot being written.
    Title, note and footnote are plain text naming tasks, units, districts as the data wrote them: shown as
    written (`literal`)."""
    st.title(literal(slide.title), anchor=False)
    if slide.note:
        st.markdown(literal(slide.note))
    # What the chart's marks mean (names as the data wrote them), above the chart: below
    # it, the chart laid out to its box left the line past the bottom of a 1280×720 screen.
    if slide.footnote:
        st.caption(literal(slide.footnote))
    if slide.cards:
        per_row = CARDS_PER_ROW
        for start in range(0, len(slide.cards), per_row):
            row = slide.cards[start : start + per_row]
            for column, card in zip(st.columns(per_row), row, strict=False):
                column.metric(
                    card.label,
                    card.value,
                    card.delta,
                    delta_color=card.delta_color,
                    delta_arrow=card.delta_arrow,
                    delta_description=card.tone,
                )
    elif slide.frame is not None:
        plot(
            figure(slide_figure, slide),
            width="stretch",
            height="stretch",
            theme=None,  # the projector theme of `charts.present`, not Streamlit's
            config=CHART_CONFIG,
            key=f"present_chart_{slot}",
        )


@st.fragment(run_every=setup.interval)
def slide_show() -> None:
    if signed_in() is None:
        st.rerun()  # signed out meanwhile: the whole app runs again and asks to sign in
    slide_args = (setup.groups, filters.period, filters.granularity, language())
    slides = query(build_slides, *slide_args)
    if not slides:
        st.title(tr("present.title"), anchor=False)
        empty_state("present.no_slides")
        st.page_link("pages/overview.py", label=tr("present.exit"), icon=":material/close:")
        return
    with st.container(key="present_bar", horizontal=True, vertical_alignment="center"):
        kicker = st.empty()
        counter = st.empty()
        previous = st.button(tr("present.previous"), icon=":material/arrow_back:", type="tertiary")
        forward = st.button(tr("present.next"), icon=":material/arrow_forward:", type="tertiary")
        st.page_link("pages/overview.py", label=tr("present.exit"), icon=":material/close:")
    move = "next" if forward else "previous" if previous else "tick"
    stage: Stage = restage(
        st.session_state.get(STAGE_KEY), len(slides), move, time.monotonic(), setup.interval
    )
    st.session_state[STAGE_KEY] = stage
    with st.container(key="present_stage"):
        slots = [st.container(key=f"present_slot_{n}") for n in (0, 1)]
    swap = st.empty()
    # The slide to show is written first: when it was drawn behind in the last run this
    # changes nothing on screen and only marks it current. Then the style rule brings it to
    # the front, so it appears with nothing stale in it; then the next slide goes behind.
    for slot in (stage.front, stage.back):
        index = stage.slots[slot]
        if index is not None:
            with slots[slot]:
                draw_slide(slides[index], slot)
        if slot == stage.front:
            swap.html(f"<style>{stage_css(stage.front)}</style>")
            kicker.caption(literal(slides[stage.shown].kicker))  # may name an indicator
            counter.caption(tr("present.counter", index=stage.shown + 1, total=len(slides)))


slide_show()
