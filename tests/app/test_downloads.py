"""A download built on click (`ui.download_file`): its file is made on a thread of its own,
in the language of the page the button was on."""

from __future__ import annotations

import contextvars
import io
import threading

import pandas as pd
from openpyxl import load_workbook

import ui
from data_model.i18n import t, use_language
from data_model.outputs.export import excel_sheet_name

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


def test_a_table_download_names_its_sheet_as_its_file(monkeypatch):
    buttons = {}
    monkeypatch.setattr(
        ui.st, "download_button", lambda label, data, **kw: buttons.update(make=data)
    )
    monkeypatch.setattr(ui, "engine", lambda: None)  # signed out: no session to check

    def page() -> None:
        use_language("zh-CN")
        ui.download_table(pd.DataFrame({"级别": ["督办"]}), "督办清单_2022-09-28", key="k")

    contextvars.copy_context().run(page)
    workbook = load_workbook(io.BytesIO(buttons["make"]()))
    assert workbook.sheetnames == ["督办清单_2022-09-28"]  # not "data"
    assert excel_sheet_name("逾期/滞后任务清单[2022]") == "逾期 滞后任务清单 2022 "
