"""佐证材料: type by content, size limit, storage with SHA-256, audited downloads, scope,
and the setting that makes evidence required for 已完成 (on both engines)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from data_model.accounts.permissions import PermissionDenied, Principal
from data_model.errors import InputError
from data_model.ingest.importer import import_file
from data_model.queries.shared import data_version
from data_model.queries.task_queries import progress_by_period, scoped_tasks, task_totals
from data_model.queries.task_status import summarize, task_status_frame
from data_model.store import audit, summaries_task_status
from data_model.store.models import Evidence, TaskStatusSummary
from data_model.task_rules import TaskFacts, status_of
from data_model.workflow import evidence
from tests.accounts.test_permissions import ADMIN, LEADER
from tests.conftest import make_xlsx
from tests.task_workbook import TASK_HEADER, task_workbook

NANSHAN_STAFF = Principal("wang", "staff", ("南山区",))
AS_OF = date(2022, 12, 31)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def engine(db_engine, monkeypatch):
    monkeypatch.delenv("EVIDENCE_DIR", raising=False)
    monkeypatch.delenv("EVIDENCE_REQUIRED", raising=False)
    monkeypatch.delenv("EVIDENCE_MAX_MB", raising=False)
    assert import_file(db_engine, task_workbook(), "tasks.xlsx").status == "accepted"
    return db_engine


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored_count(engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(Evidence.id)).all())


def test_types_are_read_from_the_content_not_the_name():
    assert evidence.detect_type(PDF) == "pdf"
    assert evidence.detect_type(PNG) == "png"
    assert evidence.detect_type(b"\xff\xd8\xff\xe0" + b"\x00" * 20) == "jpeg"
    assert evidence.detect_type(docx_bytes()) == "docx"
    assert evidence.detect_type(make_xlsx({"表": [["a"]]})) == "xlsx"
    assert evidence.detect_type(EXE) is None
    assert evidence.detect_type(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>') is None
    assert evidence.detect_type(b"<html><script>alert(1)</script></html>") is None
    assert evidence.detect_type(docx_bytes({"word/vbaProject.bin": b"macro"})) is None
    assert evidence.detect_type(b"PK\x03\x04 not really a zip") is None


def test_a_renamed_program_is_refused_saying_what_it_is_and_nothing_is_stored(engine):
    with pytest.raises(InputError) as refused:
        evidence.attach(engine, ADMIN, "K01", "2022-Q2", "完成报告.pdf", EXE)
    assert refused.value.key == "evidence.bad_type"
    assert "完成报告.pdf" in refused.value.message()
    assert "可执行程序" in refused.value.message()
    assert stored_count(engine) == 0


def test_the_size_limit_is_a_setting(engine, monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_MB", "1")
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(InputError) as refused:
        evidence.attach(engine, ADMIN, "K01", "2022-Q2", "big.pdf", big)
    assert refused.value.key == "evidence.too_large"
    assert "1 MB" in refused.value.message()
    monkeypatch.setenv("EVIDENCE_MAX_MB", "2")
    assert evidence.attach(engine, ADMIN, "K01", "2022-Q2", "big.pdf", big) > 0


@pytest.mark.parametrize("in_folder", [False, True], ids=["database", "folder"])
def test_stored_with_sha256_served_as_its_type_and_every_download_audited(
    engine, monkeypatch, tmp_path, in_folder
):
    if in_folder:
        monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    evidence_id = evidence.attach(
        engine, NANSHAN_STAFF, "K01", "2022-Q2", "../../验收/照片.png", PNG, note="现场照片"
    )
    digest = hashlib.sha256(PNG).hexdigest()
    with engine.connect() as conn:
        row = conn.execute(select(Evidence.__table__).where(Evidence.id == evidence_id)).one()
    assert (row.file_name, row.file_type, row.sha256, row.size) == (
        "照片.png",
        "png",
        digest,
        32 + 8,
    )
    if in_folder:
        assert row.content is None
        assert (tmp_path / "evidence" / digest[:2] / digest).read_bytes() == PNG
    else:
        assert bytes(row.content) == PNG
    for principal in (LEADER, ADMIN):
        served = evidence.download(engine, principal, evidence_id)
        assert (served.data, served.content_type, served.file_name) == (
            PNG,
            "image/png",
            "照片.png",
        )
    with engine.connect() as conn:
        downloads = audit.events(conn, action="evidence_download")
        attached = audit.events(conn, action="evidence_attach")
    assert sorted(downloads["username"]) == ["chen", "zhao"]
    assert attached["username"].tolist() == ["wang"]
    if in_folder:
        (tmp_path / "evidence" / digest[:2] / digest).write_bytes(PNG + b"tampered")
        with pytest.raises(InputError) as changed:
            evidence.download(engine, LEADER, evidence_id)
        assert changed.value.key == "evidence.file_changed"


def test_staff_attach_and_see_only_their_own_tasks_and_leaders_never_attach(engine):
    with pytest.raises(InputError) as refused:
        evidence.attach(engine, NANSHAN_STAFF, "K02", "2022-Q3", "a.pdf", PDF)  # city-wide
    assert refused.value.key == "evidence.not_yours"
    with pytest.raises(PermissionDenied):
        evidence.attach(engine, LEADER, "K01", "2022-Q2", "a.pdf", PDF)
    with pytest.raises(InputError) as no_report:
        evidence.attach(engine, ADMIN, "K01", "2023-Q1", "a.pdf", PDF)
    assert no_report.value.key == "evidence.no_report"
    evidence_id = evidence.attach(engine, ADMIN, "K02", "2022-Q3", "a.pdf", PDF)
    with engine.connect() as conn:
        assert evidence.evidence_list(conn, NANSHAN_STAFF, "K02").empty
        assert evidence.evidence_list(conn, LEADER, "K02")["file_name"].tolist() == ["a.pdf"]
    with pytest.raises(InputError):
        evidence.download(engine, NANSHAN_STAFF, evidence_id)


def counts(engine) -> tuple[int, int, float]:
    with engine.connect() as conn:
        totals = task_totals(scoped_tasks(conn, AS_OF))
        summary = summarize(task_status_frame(conn, AS_OF))
        last_quarter = progress_by_period(conn, AS_OF).iloc[-1]
    assert summary.completed == totals.completed == int(last_quarter["completed"])
    return totals.completed, summary.awaiting_evidence, totals.completion_rate


def test_the_evidence_setting_changes_what_counts_as_completed(engine, monkeypatch):
    # K01, K02, K06, K08, K09 are reported complete; 8 tasks are counted.
    assert counts(engine) == (5, 0, 62.5)
    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    assert counts(engine) == (0, 5, 0.0)
    evidence.attach(engine, ADMIN, "K01", "2022-Q2", "验收报告.pdf", PDF)
    # Evidence on an earlier report counts too: K08's only complete report is 2022-Q3.
    evidence.attach(engine, ADMIN, "K08", "2022-Q3", "台账.xlsx", make_xlsx({"台账": [["a"]]}))
    assert counts(engine) == (2, 3, 25.0)
    with engine.connect() as conn:  # the status counts the write path keeps followed
        assert summaries_task_status.stored_rows(conn) == summaries_task_status.expected_rows(conn)
        frame = task_status_frame(conn, AS_OF).set_index("code")
    assert frame.loc["K02", "status"] == "awaiting_evidence"
    assert frame.loc["K01", "status"] == "completed"
    monkeypatch.delenv("EVIDENCE_REQUIRED")
    assert counts(engine) == (5, 0, 62.5)


def test_the_scalar_rule_agrees_about_evidence():
    done = TaskFacts(100, "", date(2022, 1, 1), date(2022, 6, 30), False)
    assert status_of(done, AS_OF) == "completed"
    assert status_of(done, AS_OF, evidence_required=True) == "awaiting_evidence"
    with_file = TaskFacts(100, "", date(2022, 1, 1), date(2022, 6, 30), False, has_evidence=True)
    assert status_of(with_file, AS_OF, evidence_required=True) == "completed"


def test_attaching_counts_up_the_evidence_and_task_versions_only(engine):
    """The tasks' lock too: a period close takes it, so a close and an attachment never
    pass each other (and the statuses evidence changes are the tasks')."""
    with engine.connect() as conn:
        before = dict(data_version(conn))
    evidence.attach(engine, ADMIN, "K01", "2022-Q2", "a.pdf", PDF)
    with pytest.raises(InputError):
        evidence.attach(engine, ADMIN, "K01", "2022-Q2", "a.exe", EXE)
    with engine.connect() as conn:
        after = dict(data_version(conn))
    assert {name for name in after if after[name] != before[name]} == {"evidence", "tasks"}
    assert after["evidence"] == before["evidence"] + 1
    assert after["tasks"] == before["tasks"] + 1


def test_evidence_stays_with_the_district_it_was_attached_under(engine):
    """F7: after a rollback frees the code, the next district to upload it sees and
    downloads none of the first district's files; they come back with the first owner."""
    from data_model.accounts.permissions import guarded_import, guarded_rollback

    futian = Principal("liu", "staff", ("福田区",))

    def task(district: str, content: str) -> bytes:
        return make_xlsx(
            {
                "任务清单": [
                    TASK_HEADER,
                    ["HUNT-07", "领跑行动", content, "市发展改革委", "x", date(2022, 1, 1)]
                    + ["2022-12-31", 50, "", district, "2022-Q4"],
                ]
            }
        )

    first = guarded_import(engine, futian, task("福田区", "福田任务"), "ft.xlsx")
    assert first.status == "accepted"
    secret = evidence.attach(engine, futian, "HUNT-07", "2022-Q4", "福田内部.pdf", PDF)
    guarded_rollback(engine, ADMIN, first.submission_id)
    taken = guarded_import(engine, NANSHAN_STAFF, task("南山区", "南山任务"), "ns.xlsx")
    assert taken.status == "accepted"
    with engine.connect() as conn:
        assert evidence.evidence_list(conn, NANSHAN_STAFF, "HUNT-07").empty
        assert evidence.evidence_list(conn, ADMIN, "HUNT-07").empty
        assert evidence.evidence_counts(conn, ["HUNT-07"]) == {}
    with pytest.raises(InputError) as refused:
        evidence.download(engine, NANSHAN_STAFF, secret)
    assert refused.value.key == "evidence.not_found"
    own = evidence.attach(engine, NANSHAN_STAFF, "HUNT-07", "2022-Q4", "南山.pdf", PNG)
    with engine.connect() as conn:
        listed = evidence.evidence_list(conn, NANSHAN_STAFF, "HUNT-07")
        assert listed["id"].tolist() == [own]
        assert evidence.evidence_counts(conn, ["HUNT-07"]) == {"HUNT-07": 1}
    # 南山's upload rolled back and 福田's restored: 福田's file is 福田's again.
    guarded_rollback(engine, ADMIN, taken.submission_id)
    guarded_import(engine, futian, task("福田区", "福田任务 v2"), "ft2.xlsx")
    with engine.connect() as conn:
        assert evidence.evidence_list(conn, futian, "HUNT-07")["id"].tolist() == [secret]
    assert evidence.download(engine, futian, secret).data == PDF


def test_a_code_taken_over_does_not_count_the_earlier_owners_evidence(engine, monkeypatch):
    """With evidence required, 南山's task reported complete on a code 福田 had evidence
    on is 待佐证, in the status frame, the counts and the stored summary alike: the files
    are 福田's, neither listed nor served with 南山's task."""
    from data_model.accounts.permissions import guarded_import, guarded_rollback

    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    futian = Principal("liu", "staff", ("福田区",))

    def done(district: str) -> bytes:
        row = ["HUNT-08", "领跑行动", f"{district}任务", "市发展改革委", "x", date(2022, 1, 1)]
        return make_xlsx(
            {"任务清单": [TASK_HEADER, row + ["2022-12-31", 100, "", district, "2022-Q4"]]}
        )

    def status_and_evidenced() -> tuple[str, int]:
        """HUNT-08's status on AS_OF; the tasks completed with evidence on that day, as
        the stored summary counts them (checked against its recomputation)."""
        summary = TaskStatusSummary.__table__
        with engine.connect() as conn:
            stored = summaries_task_status.stored_rows(conn)
            assert stored == summaries_task_status.expected_rows(conn)
            status = task_status_frame(conn, AS_OF).set_index("code").loc["HUNT-08", "status"]
            evidenced = conn.execute(
                select(func.sum(summary.c.completed_with_evidence)).where(
                    summary.c.period_end == AS_OF
                )
            ).scalar_one()
        return status, evidenced

    first = guarded_import(engine, futian, done("福田区"), "ft.xlsx")
    evidence.attach(engine, futian, "HUNT-08", "2022-Q4", "福田验收.pdf", PDF)
    assert status_and_evidenced() == ("completed", 1)
    guarded_rollback(engine, ADMIN, first.submission_id)
    guarded_import(engine, NANSHAN_STAFF, done("南山区"), "ns.xlsx")
    assert status_and_evidenced() == ("awaiting_evidence", 0)
    evidence.attach(engine, NANSHAN_STAFF, "HUNT-08", "2022-Q4", "南山验收.pdf", PNG)
    assert status_and_evidenced() == ("completed", 1)


def test_no_evidence_is_attached_to_a_closed_period_or_one_before_it(engine, monkeypatch):
    """F3: evidence would move a closed period's 已完成 count (EVIDENCE_REQUIRED), so it is
    refused for a report of the closed period and for an earlier one (it counts on every
    later day), with the closed-period message; a report after it is still open."""
    from data_model.admin.period_closing import close_period, reopen_period
    from data_model.store.closed_periods import PeriodClosed

    monkeypatch.setenv("EVIDENCE_REQUIRED", "1")
    before = counts(engine)
    assert before == (0, 5, 0.0)
    with engine.begin() as conn:
        close_period(conn, ADMIN, "tasks", "2022-Q3")
    for report in ("2022-Q3", "2022-Q2"):
        code = "K02" if report == "2022-Q3" else "K01"
        with pytest.raises(PeriodClosed) as refused:
            evidence.attach(engine, ADMIN, code, report, "验收报告.pdf", PDF)
        assert "2022年第三季度已关账" in refused.value.message()
        assert "chen" in refused.value.message()
    assert stored_count(engine) == 0
    assert counts(engine) == before
    evidence.attach(engine, ADMIN, "K06", "2022-Q4", "验收报告.pdf", PDF)
    assert counts(engine) == (1, 4, 12.5)
    with engine.begin() as conn:
        reopen_period(conn, ADMIN, "tasks", "2022-Q3", "补充佐证材料")
    evidence.attach(engine, ADMIN, "K01", "2022-Q2", "验收报告.pdf", PDF)
    assert counts(engine) == (2, 3, 25.0)
