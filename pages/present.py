"""演示模式 Presentation: one finding per screen in large type, advancing by itself.

Open `/present?slides=overview,coverage,tasks,trends,evaluation&interval=20&period=2023`
(see `data_model.presentation` for the values). The sidebar and Streamlit's chrome are
hidden. The slide is drawn in a fragment that Streamlit reruns every `interval` seconds;
each run shows the next slide, looping. Its queries are cached by the data version, so a
new submission shows on the next slide without a reload. Each run also re-checks the
sign-in, so a disabled user's screen stops, and a running presentation counts as activity.
"""

import streamlit as st

from charts.present import CHART_CONFIG, PROJECTOR_CSS, slide_figure
from data_model.presentation import build_slides, next_slide, parse_params
from ui import empty_state, global_filters, language, plot, query, require_permission, signed_in, tr

SLIDE_KEY = "present_slide"  # index of the slide on screen

require_permission("view_dashboards")
st.html(f"<style>{PROJECTOR_CSS}</style>")

filters = global_filters(show=(), keep=("slides", "interval"))
if filters is None:
    st.title(tr("present.title"), anchor=False)
    empty_state("present.no_data")
    st.stop()
setup = parse_params(st.query_params.to_dict())
for notice in setup.notices:
    st.toast(notice.text(language()), icon=":material/info:")


@st.fragment(run_every=setup.interval)
def slide_show() -> None:
    if signed_in() is None:
        st.rerun()  # signed out meanwhile: the whole app runs again and asks to sign in
    slides = query(build_slides, setup.groups, filters.period, filters.granularity, language())
    if not slides:
        st.title(tr("present.title"), anchor=False)
        empty_state("present.no_slides")
        return
    index = next_slide(st.session_state.get(SLIDE_KEY), len(slides))
    st.session_state[SLIDE_KEY] = index
    slide = slides[index]
    top = st.columns([6, 1])
    top[0].caption(slide.kicker)
    top[1].caption(tr("present.counter", index=index + 1, total=len(slides)))
    st.title(slide.title, anchor=False)
    if slide.note:
        st.markdown(slide.note)
    if slide.cards:
        for column, card in zip(st.columns(len(slide.cards)), slide.cards, strict=True):
            column.metric(card.label, card.value, card.delta, delta_color=card.delta_color)
    elif slide.frame is not None:
        plot(
            slide_figure(slide),
            width="stretch",
            theme=None,  # the projector theme of `charts.present`, not Streamlit's
            config=CHART_CONFIG,
            key=f"slide_{slide.key}",
        )


slide_show()
st.page_link("pages/overview.py", label=tr("present.exit"), icon=":material/close:")
