"""Settings from the environment: a value that cannot be used is one error naming the
setting, its value and the form expected, in the command line and in the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_model import settings
from data_model.cli import EXIT_USAGE, main
from data_model.settings import SettingError
from ui import literal

APP = str(Path(__file__).resolve().parents[1] / "app.py")

BAD_SETTINGS = [
    ("READ_MEMORY_MB", "abc", "不小于 1 的整数（单位 MB）"),
    ("MAX_UPLOAD_MB", "abc", "不小于 1 的整数（单位 MB）"),
    ("MAX_UPLOAD_MB", "0", "不小于 1 的整数（单位 MB）"),
    ("LOCKOUT_MINUTES", "²", "不小于 1 的整数（单位：分钟）"),
    ("TIME_ZONE", "Mars/Phobos", "IANA 时区名，如 Asia/Shanghai"),
    ("TIME_ZONE", "../etc", "IANA 时区名，如 Asia/Shanghai"),
    ("EXPLAIN_TARGET_MARGIN", "abc", "不小于 0 的数（目标值的百分比"),
    ("DELIVERY_RETRY_SECONDS", "-1", "不小于 0 的数（单位：秒）"),
    ("EVIDENCE_REQUIRED", "maybe", "1、true、yes、on（开）或 0、false、no、off（关）"),
    ("BULLETIN_DATE", "2024/13/01", "YYYY-MM-DD 格式的日期"),
    ("BULLETIN_NUMBER", "深工商联〔{yr}〕1号", "文号，年份处写 {year}，除此之外不可使用大括号"),
    ("WEBHOOK_URL", "not a url", "以 http:// 或 https:// 开头的网址"),
    ("WEBHOOK_URL", "file:///tmp/x", "以 http:// 或 https:// 开头的网址"),
    ("WEBHOOK_URL", "https://", "以 http:// 或 https:// 开头的网址"),
    ("WEBHOOK_URL", "http://[::1/send", "以 http:// 或 https:// 开头的网址"),
]


@pytest.mark.parametrize(("name", "value", "expected"), BAD_SETTINGS)
def test_a_bad_setting_is_named_with_its_value_and_the_form_expected(
    monkeypatch, name, value, expected
):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as raised:
        settings.check()
    assert str(raised.value).startswith(f"环境变量 {name} 的值“{value}”无法使用（应为：{expected}")
    assert raised.value.message("en").startswith(f"The environment variable {name} is set to")


def test_a_bad_webhook_url_is_shown_without_its_query_where_a_token_lives(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", "ftp://robot.gov.test/send?access_token=secret")
    with pytest.raises(SettingError) as raised:
        settings.check()
    assert "“ftp://robot.gov.test/send”" in str(raised.value)
    assert "secret" not in str(raised.value)


def test_good_settings_are_read_as_their_values(monkeypatch):
    for name, value in (
        ("MAX_UPLOAD_MB", " 80 "),
        ("TIME_ZONE", "Europe/Berlin"),
        ("EXPLAIN_TARGET_MARGIN", "2.5"),
        ("EVIDENCE_REQUIRED", "Yes"),
        ("EXPLANATIONS_REQUIRED", "off"),
    ):
        monkeypatch.setenv(name, value)
    settings.check()
    assert settings.max_upload_mb() == 80
    assert settings.local_timezone().key == "Europe/Berlin"
    assert settings.explain_target_margin() == 2.5
    assert settings.evidence_required() is True
    assert settings.explanations_required() is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("READ_MEMORY_MB", "abc"),
        ("MAX_UPLOAD_MB", "abc"),
        ("TIME_ZONE", "Mars/Phobos"),
        ("EXPLAIN_TARGET_MARGIN", "abc"),
    ],
)
def test_a_bad_setting_stops_a_command_before_it_does_anything(
    sqlite_url, tmp_path, capsys, monkeypatch, name, value
):
    monkeypatch.setenv(name, value)
    workbook = Path(settings.SAMPLE_DATA_DIR) / "indicators.xlsx"
    assert main(["import", str(workbook), "--db", sqlite_url]) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""  # nothing imported, then a crash
    assert err.startswith(f"python -m data_model import: 环境变量 {name} 的值“{value}”无法使用")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.delenv(name)
    assert main(["export", "indicators", "--out", str(tmp_path / "i.csv"), "--db", sqlite_url]) == 0
    assert (tmp_path / "i.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # header only


def test_the_app_says_which_setting_is_bad_instead_of_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TIME_ZONE", "Mars/Phobos")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    (error,) = app.error
    # As written (ui.literal: the value is the environment's, shown, not read as Markdown).
    said = "环境变量 TIME_ZONE 的值“Mars/Phobos”无法使用（应为：IANA 时区名"
    assert error.value.startswith(literal(said))
