"""A download built on click (`ui.download_file`): its file is made on a thread of its own,
in the language of the page the button was on."""

from __future__ import annotations

import contextvars
import threading

import ui
from data_model.i18n import t, use_language

KEY = "annotate.sheet_name"


def test_a_file_built_on_click_is_in_the_language_of_its_page(monkeypatch):
    buttons = {}
    monkeypatch.setattr(
        ui.st, "download_button", lambda label, data, **kw: buttons.update(make=data)
    )
    monkeypatch.setattr(ui, "engine", lambda: None)  # signed out: no session to check

    def page() -> None:  # a page's run in English
        use_language("en")
        ui.download_file("x", lambda: t(KEY).encode(), "problems.xlsx", "text/plain", key="k")

    contextvars.copy_context().run(page)
    built = []
    # Streamlit builds the file on another thread, which starts without a language.
    thread = threading.Thread(target=lambda: built.append(buttons["make"]()))
    thread.start()
    thread.join()
    assert built == [t(KEY, "en").encode()]
    assert t(KEY, "en") != t(KEY, "zh-CN")
