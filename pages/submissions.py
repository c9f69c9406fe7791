"""报送管理 Submissions: every upload, its rows and file, rollback, schedule and who is late."""

import streamlit as st

from data_model.accounts.permissions import allowed, guarded_rollback, own_submissions_only
from data_model.errors import InputError
from data_model.formatting import local_today, time_text, unit_word
from data_model.queries.schedule import (
    ensure_default_schedule,
    has_schedule,
    not_reported,
    replace_schedule,
    schedule_frame,
)
from data_model.store.audit import actor_name
from data_model.store.kind_registry import scheduled_kinds
from data_model.store.review_hold import NOT_DECIDED_STATUSES
from data_model.store.submissions import (
    stored_file,
    submission_rows,
    submissions_for_people,
    submissions_frame,
)
from data_model.workflow.review import (
    held_submission,
    may_download_upload,
    may_see_held_rows,
    review_notes,
    rows_frame,
)
from ui import (
    data_table,
    download_file,
    download_table,
    empty_state,
    engine,
    language,
    literal,
    query,
    require_permission,
    show_held_rows,
    show_review_notes,
    time_column,
    tr,
)

principal = require_permission("view_submissions")
st.title(tr("submissions.title"))
tabs = [tr("submissions.tab_list"), tr("submissions.tab_late")]
if allowed(principal, "manage_schedule"):
    tabs.append(tr("submissions.tab_schedule"))
tab_list, tab_late, *admin_tabs = st.tabs(tabs)

with tab_list:
    frame = query(submissions_frame, own_submissions_only(principal))
    if frame.empty:
        empty_state("submissions.no_data")
    else:
        shown = submissions_for_people(frame, language())
        data_table(
            shown.drop(columns=[tr("submissions.col_sha256")]),
            hide_index=True,
            column_config={tr("submissions.col_uploaded_at"): time_column()},
        )
        download_table(shown, "submissions", "dl_submissions")

        ids = frame["id"].tolist()
        requested = st.query_params.get("submission")
        default = (
            ids.index(int(requested))
            if requested and requested.isdigit() and int(requested) in ids
            else 0
        )
        chosen = st.selectbox(
            tr("submissions.open"),
            ids,
            index=default,
            format_func=lambda i: tr(
                "submissions.option",
                id=i,
                file=frame.set_index("id").loc[i, "file_name"],
                status=tr(f"submissions.status_{frame.set_index('id').loc[i, 'status']}"),
            ),
            key="submission_open",
        )
        record = frame.set_index("id").loc[chosen]
        st.markdown(
            tr(
                "submissions.detail",
                id=chosen,
                user=literal(actor_name(record["uploader"], language())),
                when=time_text(record["uploaded_at"]),
                sha=record["sha256"],
            )
        )
        if record["note"]:
            st.caption(literal(record["note"]))
        held = record["status"] in NOT_DECIDED_STATUSES
        with engine().connect() as conn:
            original = stored_file(conn, chosen)
            rows = submission_rows(conn, chosen, language())
            notes = review_notes(conn, int(chosen))
            review = held_submission(conn, int(chosen))
            # A leader sees that a submission waits or came back, never what it held
            # nor the reasons, which may quote its values.
            may_see = may_see_held_rows(principal, review, conn)
            held_rows = rows_frame(conn, review) if held and may_see else None
            if not may_download_upload(principal, review, conn):
                original = None
        if record["status"] == "pending":
            st.info(tr("review.status_pending_explain"), icon=":material/hourglass_top:")
        if review.reviewed_by and not held:
            st.caption(
                tr(
                    "review.approved_by",
                    by=literal(review.reviewed_by),
                    when=time_text(review.reviewed_at),
                )
            )
        if review.resubmission_of:
            st.caption(tr("review.resubmits", id=review.resubmission_of))
        if may_see and not notes.empty:
            st.warning(
                tr("review.returned_explain", by=literal(review.reviewed_by or "-")),
                icon=":material/undo:",
            )
            show_review_notes(notes)
        if held_rows is not None and not held_rows.empty:
            show_held_rows(held_rows)
        if original is not None:
            download_file(  # audited, like every download
                tr("submissions.download_file"),
                lambda content=original[1]: content,
                original[0],
                "application/octet-stream",
                key=f"file_{chosen}",
            )
        for table, table_rows in rows.items():
            st.caption(
                tr(
                    "submissions.rows_of",
                    table=tr(f"submissions.table_{table}"),
                    count=len(table_rows),
                    count_noun=unit_word("format.unit_rows", len(table_rows), language()),
                )
            )
            data_table(
                table_rows.rename(columns=lambda c: tr(f"submissions.field_{c}")), hide_index=True
            )

        if record["status"] != "rolled_back" and not held and allowed(principal, "rollback"):
            with st.expander(tr("submissions.rollback_heading"), icon=":material/undo:"):
                st.warning(tr("submissions.rollback_explain", id=chosen))
                sure = st.checkbox(
                    tr("submissions.rollback_confirm", id=chosen), key=f"sure_{chosen}"
                )
                if st.button(
                    tr("submissions.rollback"),
                    disabled=not sure,
                    key=f"rollback_{chosen}",
                    type="primary",
                ):
                    try:
                        summary = guarded_rollback(engine(), principal, int(chosen))
                    except InputError as error:  # e.g. a closed period: says which, who closed it
                        st.error(literal(error.message(language())), icon=":material/lock:")
                    else:
                        withdrawn = sum(summary.values())
                        st.session_state["rollback_done"] = tr(
                            "submissions.rolled_back",
                            id=chosen,
                            rows=withdrawn,
                            rows_noun=unit_word("format.unit_rows", withdrawn, language()),
                        )
                        st.rerun()
        if "rollback_done" in st.session_state:
            st.success(st.session_state.pop("rollback_done"))


def show_late() -> None:
    """The 未报送 list as of a chosen day; without a schedule, who may set one up."""
    if not query(has_schedule):
        admin = allowed(principal, "manage_schedule")
        st.info(
            tr("submissions.no_schedule_admin" if admin else "submissions.no_schedule"),
            icon=":material/event_busy:",
        )
        return
    as_of = st.date_input(tr("submissions.as_of"), value=local_today(), key="late_as_of")
    late = query(not_reported, as_of)
    if late.empty:
        st.success(tr("submissions.nobody_late"), icon=":material/check_circle:")
        return
    districts = late["district"].nunique()
    late_finding = tr(
        "submissions.late_finding_one" if len(late) == 1 else "submissions.late_finding",
        count=len(late),
        districts=districts,
        districts_noun=unit_word("format.unit_districts", districts, language()),
    )
    st.markdown(f"**{late_finding}**")
    shown = late.drop(columns=["reported_on", "late"]).assign(
        kind=late["kind"].map(lambda k: tr(f"kinds.{k}"))
    )
    shown = shown.rename(columns=lambda c: tr(f"submissions.late_{c}"))
    data_table(shown, hide_index=True)
    download_table(shown, "late", "dl_late")


with tab_late:
    show_late()

for tab_schedule in admin_tabs:  # only administrators edit the schedule
    with tab_schedule:
        st.caption(tr("submissions.schedule_help"))
        left, right = st.columns(2)
        first = left.text_input(
            tr("submissions.first_month"), value=f"{local_today().year}-01", key="sched_first"
        )
        last = right.text_input(
            tr("submissions.last_month"), value=f"{local_today().year}-12", key="sched_last"
        )
        if st.button(tr("submissions.add_defaults"), icon=":material/playlist_add:"):
            try:
                with engine().begin() as conn:
                    added = ensure_default_schedule(conn, first.strip(), last.strip())
                st.success(
                    tr(
                        "submissions.defaults_added",
                        count=added,
                        count_noun=unit_word("format.unit_rows", added, language()),
                    )
                )
            except ValueError:
                st.error(tr("submissions.bad_month"))
        schedule = query(schedule_frame)
        edited = st.data_editor(
            schedule.drop(columns="id"),
            num_rows="dynamic",
            placeholder="",
            hide_index=True,
            key="schedule_editor",
            column_config={
                "district": st.column_config.TextColumn(tr("submissions.late_district")),
                "unit": st.column_config.TextColumn(tr("submissions.late_unit")),
                "kind": st.column_config.SelectboxColumn(
                    tr("submissions.late_kind"),
                    options=list(scheduled_kinds()),
                ),
                "period": st.column_config.TextColumn(tr("submissions.late_period")),
                "due_date": st.column_config.DateColumn(tr("submissions.late_due_date")),
                "note": st.column_config.TextColumn(tr("submissions.note")),
            },
        )
        if st.button(tr("submissions.save_schedule"), type="primary", icon=":material/save:"):
            try:
                with engine().begin() as conn:
                    count = replace_schedule(conn, edited)
                st.success(
                    tr(
                        "submissions.schedule_saved",
                        count=count,
                        count_noun=unit_word("format.unit_rows", count, language()),
                    )
                )
            except ValueError as error:
                st.error(tr("submissions.schedule_invalid", reason=literal(error)))
