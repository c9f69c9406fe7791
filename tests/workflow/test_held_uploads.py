"""Held uploads (`data_model.workflow.held_uploads`): a staff upload waiting for unknown names kept on
the server with its choices and corrections, only its uploader opens or deletes it, admins
see what staff are waiting for, and a name registered since drops out of the waiting list.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from data_model.accounts.permissions import PermissionDenied, Principal
from data_model.admin import master_admin
from data_model.admin.unknown_names import unknown_names
from data_model.errors import InputError
from data_model.ingest.importer import ImportOptions
from data_model.store import audit
from data_model.workflow import held_uploads
from data_model.workflow.upload import prepare, revalidate
from tests.admin.test_unknown_names import task_list

ADMIN = Principal("root", "admin")
STAFF = Principal("clerk", "staff", districts=("南山区",))
OTHER = Principal("other-clerk", "staff", districts=("南山区",))
OPTIONS = ImportOptions(uploader="clerk", period="2022-Q1", district="南山区")


def held_pending(engine, units: list[str], principal: Principal = STAFF):
    pending = prepare(engine, principal, "清单.xlsx", task_list(units, "南山区"), OPTIONS)
    names = unknown_names(pending.report)
    return pending, held_uploads.hold(engine, principal, pending, OPTIONS, names)


def test_a_held_upload_keeps_its_bytes_choices_corrections_and_names(db_engine):
    engine = db_engine
    pending = prepare(engine, STAFF, "清单.xlsx", task_list(["市气象局"], "南山区"), OPTIONS)
    pending = revalidate(engine, STAFF, pending, {("任务清单", 1, 2): "改过的任务"}, OPTIONS)
    held_id = held_uploads.hold(engine, STAFF, pending, OPTIONS, unknown_names(pending.report))
    with engine.connect() as conn:
        held, data = held_uploads.open_held(conn, STAFF, held_id)
        events = audit.events(conn, action="upload")
    assert data == pending.data
    assert (held.file_name, held.period, held.district) == ("清单.xlsx", "2022-Q1", "南山区")
    assert held.edits == {("任务清单", 1, 2): "改过的任务"}
    assert [(n.list_key, n.value, n.rows) for n in held.waiting_for] == [("units", "市气象局", 1)]
    assert held.options(OPTIONS).period == "2022-Q1"
    assert any(d.get("held") == held_id for d in events["detail"])


def test_holding_the_same_file_again_updates_it_instead_of_adding_one(db_engine):
    engine = db_engine
    pending, first = held_pending(engine, ["市气象局"])
    again = held_uploads.hold(
        engine,
        STAFF,
        revalidate(engine, STAFF, pending, {("任务清单", 1, 2): "新"}, OPTIONS),
        OPTIONS,
        unknown_names(pending.report),
    )
    with engine.connect() as conn:
        mine = held_uploads.held_uploads(conn, STAFF)
    assert again == first
    assert [(h.id, h.edits) for h in mine] == [(first, {("任务清单", 1, 2): "新"})]


def test_only_the_uploader_opens_or_deletes_it_and_leaders_hold_nothing(db_engine):
    engine = db_engine
    pending, held_id = held_pending(engine, ["市气象局"])
    with engine.connect() as conn:
        assert held_uploads.held_uploads(conn, OTHER) == []
        with pytest.raises(InputError):
            held_uploads.open_held(conn, OTHER, held_id)
    with pytest.raises(InputError):
        held_uploads.discard(engine, OTHER, held_id)
    with pytest.raises(PermissionDenied):
        held_uploads.hold(engine, Principal("boss", "leader"), pending, OPTIONS, [])
    with pytest.raises(PermissionDenied), engine.connect() as conn:
        held_uploads.waiting_for_names(conn, STAFF)
    held_uploads.discard(engine, STAFF, held_id)
    with engine.connect() as conn:
        assert held_uploads.held_uploads(conn, STAFF) == []


def test_admins_see_only_names_still_unknown(db_engine):
    engine = db_engine
    held_pending(engine, ["市气象局", "市水务局"])
    with engine.connect() as conn:
        (waiting,) = held_uploads.waiting_for_names(conn, ADMIN)
    assert [n.value for n in waiting.waiting_for] == ["市气象局", "市水务局"]
    with engine.begin() as conn:
        master_admin.add_entry(conn, ADMIN, "units", name="市气象局", category="city_department")
        master_admin.add_alias(conn, ADMIN, "units", "市气象局", "市水务局")
    with engine.connect() as conn:
        assert held_uploads.waiting_for_names(conn, ADMIN) == []
        (mine,) = held_uploads.held_uploads(conn, STAFF)
    assert mine.waiting_for == []


def test_a_committed_file_is_released_and_the_number_held_is_bounded(db_engine, monkeypatch):
    engine = db_engine
    pending, _ = held_pending(engine, ["市气象局"])
    assert held_uploads.release(engine, STAFF, pending.data) is True
    assert held_uploads.release(engine, STAFF, pending.data) is False
    monkeypatch.setattr(held_uploads, "MAX_HELD_PER_USER", 2)
    held_pending(engine, ["市气象局"])
    held_pending(engine, ["市水务局"])
    with pytest.raises(InputError, match="2"):
        held_pending(engine, ["市民政局"])


def test_a_held_upload_stores_its_file_name_as_a_submission_does(db_engine):
    # A NUL in the name was a DataError on PostgreSQL; `[:255]` alone cut off its extension.
    engine = db_engine
    name = "清单\x00" + "长" * 300 + ".xlsx"
    pending = prepare(engine, STAFF, name, task_list(["市气象局"], "南山区"), OPTIONS)
    held_id = held_uploads.hold(engine, STAFF, pending, OPTIONS, unknown_names(pending.report))
    with engine.connect() as conn:
        held, _ = held_uploads.open_held(conn, STAFF, held_id)
    assert held.file_name == "清单" + "长" * 248 + ".xlsx"
