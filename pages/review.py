"""审核 Review: pending submissions within the reviewer's districts/units, one submission's
rows and what they would change, approve or return with reasons; admins set which kinds
need review."""

from functools import partial

import pandas as pd
import streamlit as st

from data_model.accounts.permissions import PermissionDenied, allowed
from data_model.errors import InputError
from data_model.formatting import join_names, local_time, time_text, unit_word
from data_model.periods import period_label
from data_model.queries.shared import master_lists
from data_model.store.kind_registry import KINDS
from data_model.store.write_counts import WriteCounts
from data_model.workflow.review import (
    ApprovalRefused,
    RowNote,
    approve,
    held_submission,
    preview_changes,
    record_fields,
    return_submission,
    review_notes,
    review_queue,
    review_rules,
    rows_frame,
    set_review_rule,
)
from ui import (
    changes_table,
    data_table,
    empty_state,
    engine,
    field_label,
    language,
    literal,
    query,
    require_permission,
    show_held_rows,
    show_review_notes,
    show_write_preview,
    time_column,
    tr,
)

principal = require_permission("review")
st.title(tr("review.title"))
tabs = [tr("review.tab_queue")]
if allowed(principal, "manage_review_rules"):
    tabs.append(tr("review.tab_rules"))
tab_queue, *rule_tabs = st.tabs(tabs)


REFUSED = object()


def act(work):
    """`work()`'s result, or REFUSED after showing why (the catalogue message, never a
    traceback): out of scope, or decided by someone else meanwhile."""
    try:
        return work()
    except (InputError, PermissionDenied) as error:
        st.error(literal(error.message(language())), icon=":material/block:")
        return REFUSED


def preview_or_refusal(submission_id: int) -> tuple[WriteCounts | None, ApprovalRefused | None]:
    """What approving would change, or why it may not be approved: then the reviewer
    still sees the rows and can return the submission."""
    try:
        return preview_changes(engine(), principal, submission_id), None
    except ApprovalRefused as refusal:
        return None, refusal


def change_rule(required: bool, kind: str, district: str | None, unit: str | None) -> None:
    with engine().begin() as conn:
        set_review_rule(conn, principal, kind, required, district=district, unit=unit)


with tab_queue:
    if done := st.session_state.pop("review_done", None):
        st.success(done, icon=":material/check_circle:")
    queue = query(review_queue, principal)
    if queue.empty:
        empty_state("review.queue_empty")
    else:
        lang = language()  # once, not per row
        shown = queue.assign(
            kinds=queue["kinds"].map(
                lambda k: join_names((tr(f"kinds.{x}") for x in k.split(",") if x), lang)
            ),
            districts=queue["districts"].map(lambda d: join_names(d.split(","), lang)),
            periods=queue["periods"].map(
                lambda p: join_names((period_label(x, lang) for x in p.split(",") if x), lang)
            ),
            uploaded_at=queue["uploaded_at"].map(local_time),
            resubmission_of=queue["resubmission_of"].map(
                lambda i: f"#{int(i)}" if pd.notna(i) else ""
            ),
        )
        data_table(
            shown.rename(columns=lambda c: tr(f"review.col_{c}")),
            hide_index=True,
            column_config={tr("review.col_uploaded_at"): time_column()},
        )
        by_id = queue.set_index("id")
        chosen = int(
            st.selectbox(
                tr("review.open"),
                queue["id"].tolist(),
                format_func=lambda i: tr(
                    "review.option",
                    id=i,
                    file=by_id.loc[i, "file_name"],
                    user=by_id.loc[i, "uploader"],
                ),
                key="review_open",
            )
        )
        with engine().connect() as conn:
            held = held_submission(conn, chosen)
            rows = rows_frame(conn, held)
            earlier = review_notes(conn, held.resubmission_of) if held.resubmission_of else None
        st.markdown(
            tr(
                "review.detail",
                id=held.id,
                user=literal(held.uploader),
                when=time_text(held.uploaded_at),
                file=literal(held.file_name),
            )
        )
        if earlier is not None:
            st.info(tr("review.resubmits", id=held.resubmission_of), icon=":material/replay:")
            show_review_notes(earlier)

        preview = act(partial(preview_or_refusal, chosen))
        if preview is REFUSED:
            st.stop()
        counts, refusal = preview
        if refusal is not None:
            st.error(literal(refusal.message(language())), icon=":material/block:")
        else:
            show_write_preview(counts.new, counts.replaced, counts.unchanged)
            changes = changes_table(counts.replaced_examples)
            if not changes.empty:
                st.caption(
                    tr(
                        "review.changes_heading",
                        count=counts.replaced,
                        count_noun=unit_word("format.unit_rows", counts.replaced, language()),
                    )
                )
                data_table(changes, hide_index=True)
        show_held_rows(rows)

        if refusal is None and st.button(
            tr("review.approve"), type="primary", icon=":material/task_alt:", key="approve"
        ):
            done = act(partial(approve, engine(), principal, chosen))
            if done is not REFUSED:
                st.session_state["review_done"] = tr(
                    "review.approved", id=chosen, new=done.new, replaced=done.replaced
                )
                st.rerun()

        st.subheader(tr("review.return_heading"))
        notes_key = f"review_row_notes_{chosen}"
        row_notes: list[RowNote] = st.session_state.setdefault(notes_key, [])
        where = {
            r.pending_row_id: tr("review.note_row", sheet=r.sheet, row=r.row)
            for r in rows.itertuples(index=False)
        }
        with st.expander(tr("review.row_note_heading"), icon=":material/edit_note:"):
            left, middle = st.columns(2)
            row_id = left.selectbox(
                tr("review.row_note_row"),
                list(where),
                format_func=where.get,
                key=f"note_row_{chosen}",
            )
            column = middle.selectbox(
                tr("review.row_note_column"),
                ["", *record_fields(held)],
                format_func=lambda c: field_label(c) if c else tr("review.whole_row"),
                key=f"note_column_{chosen}",
            )
            row_reason = st.text_input(tr("review.row_note_reason"), key=f"note_reason_{chosen}")
            if st.button(
                tr("review.row_note_add"), key=f"note_add_{chosen}", icon=":material/add:"
            ):
                if row_reason.strip():
                    row_notes.append(RowNote(int(row_id), row_reason.strip(), column))
                else:
                    st.error(tr("review.reason_required"))
        if row_notes:
            data_table(
                pd.DataFrame(
                    {
                        tr("review.note_where"): [
                            where[n.pending_row_id]
                            + (f" · {field_label(n.column)}" if n.column else "")
                            for n in row_notes
                        ],
                        tr("review.note_reason"): [n.reason for n in row_notes],
                    }
                ),
                hide_index=True,
            )
        reason = st.text_area(tr("review.return_reason"), key=f"return_reason_{chosen}")
        if (
            st.button(
                tr("review.return"),
                icon=":material/undo:",
                disabled=not reason.strip(),
                key=f"return_{chosen}",
            )
            and act(partial(return_submission, engine(), principal, chosen, reason, row_notes))
            is not REFUSED
        ):
            st.session_state.pop(notes_key, None)
            st.session_state["review_done"] = tr("review.returned", id=chosen)
            st.rerun()

for tab_rules in rule_tabs:  # only administrators decide what needs review
    with tab_rules:
        st.caption(tr("review.rules_help"))
        rules = query(review_rules)
        if rules.empty:
            empty_state("review.no_rules")
        else:
            data_table(
                rules.assign(kind=rules["kind"].map(lambda k: tr(f"kinds.{k}"))).rename(
                    columns=lambda c: tr(f"review.rule_{c}")
                ),
                hide_index=True,
            )
        lists = query(master_lists)
        left, middle, right = st.columns(3)
        kind = left.selectbox(
            tr("review.rule_kind"), list(KINDS), format_func=lambda k: tr(f"kinds.{k}")
        )
        district = middle.selectbox(
            tr("review.rule_district"),
            ["", *lists["districts"]],
            format_func=lambda d: d or tr("review.everywhere"),
        )
        unit = right.selectbox(
            tr("review.rule_unit"),
            ["", *lists["units"]],
            format_func=lambda u: u or tr("review.everywhere"),
        )
        on, off = st.columns(2)
        for column, required, label in (
            (on, True, "review.rule_require"),
            (off, False, "review.rule_off"),
        ):
            if column.button(tr(label), key=f"rule_{required}") and (
                act(partial(change_rule, required, kind, district or None, unit or None))
                is not REFUSED
            ):
                st.rerun()
