"""数据上传 Upload: template → upload → check → fix in place → commit."""

from dataclasses import dataclass, replace

import streamlit as st

from data_model import settings
from data_model.accounts.permissions import allowed, template_kinds, upload_districts
from data_model.admin.master_admin import LISTS, UNIT_CATEGORIES
from data_model.admin.unknown_names import (
    Resolution,
    UnknownName,
    active_names,
    first_to_resolve,
    new_entry_fields,
    resolve_all,
    unknown_names,
)
from data_model.errors import InputError
from data_model.formatting import NO_VALUE, join_names, time_text, unit_word
from data_model.ingest.importer import ImportOptions
from data_model.ingest.templates import template_workbook
from data_model.periods import parse_period
from data_model.queries.shared import district_names, master_lists
from data_model.workflow.held_uploads import (
    Held,
    discard,
    held_uploads,
    hold,
    may_hold,
    open_held,
    release,
    waiting_for_names,
)
from data_model.workflow.upload import (
    REASON_COLUMN,
    ROW_COLUMN,
    SHEET_COLUMN,
    changes_frame,
    column_labels,
    commit,
    edits_from_grid,
    error_columns,
    error_rows,
    explain_rows,
    explanations_to_ask,
    prepare,
    problems_download,
    recheck,
    revalidate,
    rows_to_fix,
)
from ui import (
    WRAPPED_ROW_HEIGHT,
    changes_table,
    data_table,
    download_file,
    engine,
    file_uploader,
    language,
    literal,
    query,
    require_permission,
    show_problems,
    show_write_preview,
    tr,
    wrapped_height,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKIP, NEW = "", "\0new"


def list_kind(name: UnknownName) -> str:
    return tr(LISTS[name.list_key].kind_key)


def unknown_names_table(names: list[UnknownName]) -> None:
    """The unknown names, one row per distinct name: what staff and admins both see."""
    data_table(
        [
            {
                tr("upload.unknown_col_kind"): list_kind(n),
                tr("upload.unknown_col_name"): n.value,
                tr("upload.unknown_col_rows"): n.rows,
                tr("upload.unknown_col_nearest"): join_names(n.candidates, language()) or NO_VALUE,
            }
            for n in names
        ],
        hide_index=True,
    )


def resolution_form(file_id: str, names: list[UnknownName]) -> list[Resolution] | None:
    """An admin's choice per unknown name (a close known name preselected, never applied
    until submitted); the resolutions when a button of the form was pressed."""
    choices, categories = {}, {}
    with st.form(f"resolve_{file_id}", border=True):
        for name in names:
            widget = f"unknown_{file_id}_{name.list_key}_{name.value}"
            known = query(active_names, name.list_key)
            options = [SKIP, NEW, *name.candidates]
            options += [n for n in known if n not in options]
            left, right = st.columns([3, 2])
            choices[name] = left.selectbox(
                tr(
                    "upload.unknown_choice",
                    kind=list_kind(name),
                    name=literal(name.value),  # as a staff member's file wrote it
                    count=name.rows,
                    count_noun=unit_word("format.unit_rows", name.rows, language()),
                ),
                options,
                index=options.index(name.close) if name.close in options else 0,
                format_func=lambda o, n=name: (
                    tr("upload.unknown_skip")
                    if o == SKIP
                    else tr("upload.unknown_new", kind=list_kind(n))
                    if o == NEW
                    else tr("upload.unknown_map", name=o)
                ),
                key=widget,
            )
            if name.list_key == "units":
                guessed = query(new_entry_fields, name)
                categories[name] = right.selectbox(
                    tr("upload.unknown_category"),
                    UNIT_CATEGORIES,
                    index=UNIT_CATEGORIES.index(guessed["category"]),
                    format_func=lambda c: tr(f"master.category_{c}"),
                    key=f"{widget}_category",
                )
        without_close = [n for n in names if n.close is None]
        register_key = (
            "upload.unknown_register_all_one"
            if len(without_close) == 1
            else "upload.unknown_register_all"
        )
        apply = st.form_submit_button(
            tr("upload.unknown_apply"), type="primary", icon=":material/done_all:"
        )
        register_all = st.form_submit_button(
            tr(register_key, count=len(without_close)),
            disabled=not without_close,
            icon=":material/playlist_add:",
        )
    if register_all:
        chosen = {n: NEW for n in without_close if choices[n] in (SKIP, NEW)}
    elif apply:
        chosen = {n: c for n, c in choices.items() if c != SKIP}
    else:
        return None

    def fields(name: UnknownName) -> dict:
        if name.list_key != "units":
            return {}
        return {**query(new_entry_fields, name), "category": categories[name]}

    return [
        Resolution(n.list_key, n.value, None, fields(n))
        if choice == NEW
        else Resolution(n.list_key, n.value, choice)
        for n, choice in chosen.items()
    ]


@dataclass(frozen=True)
class HeldFile:
    """A held upload in the shape of an uploaded file, so that the page checks both alike."""

    held: Held
    data: bytes

    @property
    def file_id(self) -> str:
        return f"held{self.held.id}"

    @property
    def name(self) -> str:
        return self.held.file_name

    def getvalue(self) -> bytes:
        return self.data


def waiting_text(held: Held) -> str:
    names = join_names((n.value for n in held.waiting_for), language())
    return tr("upload.held_waiting", names=literal(names)) if names else tr("upload.held_all_known")


def own_held_uploads() -> None:
    """The signed-in uploader's held uploads, each to open (re-check) or delete."""
    with engine().connect() as conn:
        mine = held_uploads(conn, principal)
    if not mine:
        return
    with st.container(border=True):
        st.markdown(f"**{tr('upload.held_heading', count=len(mine))}**")
        st.caption(tr("upload.held_help"))
        for held in mine:
            text, open_column, discard_column = st.columns([6, 2, 1], vertical_alignment="center")
            text.markdown(
                f"**{literal(held.file_name)}** · {time_text(held.saved_at)}  \n{waiting_text(held)}"
            )
            if open_column.button(
                tr("upload.held_open"), key=f"held_open_{held.id}", icon=":material/refresh:"
            ):
                opened = st.session_state.setdefault("opened_held", [])
                if held.id not in opened:
                    opened.append(held.id)
                pending_uploads.pop(("held", held.id), None)
                st.rerun()
            if discard_column.button(
                tr("upload.held_discard"), key=f"held_discard_{held.id}", icon=":material/delete:"
            ):
                discard(engine(), principal, held.id)
                forget_opened(held.id)
                st.session_state["upload_held_notice"] = tr(
                    "upload.held_discarded", name=literal(held.file_name)
                )
                st.rerun()


def staff_waiting_for_names() -> None:
    """For admins: the names staff uploads are waiting for, each resolvable in place."""
    with engine().connect() as conn:
        waiting = waiting_for_names(conn, principal)
    if not waiting:
        return
    with st.expander(
        tr(
            "upload.held_waiting_heading",
            count=len(waiting),
            count_noun=unit_word("format.unit_files", len(waiting), language()),
        ),
        icon=":material/hourglass_top:",
    ):
        st.caption(tr("upload.held_waiting_help"))
        for held in waiting:
            st.markdown(
                tr(
                    "upload.held_waiting_caption",
                    user=literal(held.username),
                    file=literal(held.file_name),
                    at=time_text(held.saved_at),
                )
            )
            unknown_names_table(held.waiting_for)
            if resolved := resolve_in_place(f"held{held.id}", held.waiting_for):
                st.session_state["upload_held_notice"] = tr(
                    "upload.unknown_resolved",
                    count=resolved,
                    count_noun=unit_word("format.unit_names", resolved, language()),
                )
                st.rerun()


def forget_opened(held_id: int) -> None:
    opened = st.session_state.get("opened_held", [])
    if held_id in opened:
        opened.remove(held_id)
    pending_uploads.pop(("held", held_id), None)


def opened_held_files() -> list[HeldFile]:
    """The held uploads opened in this session (a deleted or committed one drops out)."""
    files = []
    with engine().connect() as conn:
        for held_id in list(st.session_state.get("opened_held", [])):
            try:
                files.append(HeldFile(*open_held(conn, principal, held_id)))
            except InputError:
                forget_opened(held_id)
    return files


def checked(key: tuple, file, pending, file_options: ImportOptions) -> None:
    """Keep a check's result in the session; a staff upload waiting for unknown names is
    also held on the server, so that leaving the page does not lose it."""
    pending_uploads[key] = pending
    names = unknown_names(pending.report)
    if names and may_hold(principal):
        try:
            hold(engine(), principal, pending, file_options, names)
        except InputError as error:  # too many held already: say so where it would show
            st.session_state[f"upload_held_{file.file_id}"] = literal(error.message())
        else:
            st.session_state[f"upload_held_{file.file_id}"] = tr("upload.held_saved")


def resolve_in_place(form_id: str, names: list[UnknownName]) -> int:
    """The admin's resolution form for `names`; how many names it resolved (0: none yet)."""
    resolutions = resolution_form(form_id, names)
    if resolutions == []:
        st.warning(tr("upload.unknown_nothing_chosen"))
    elif resolutions:
        try:
            resolve_all(engine(), principal, resolutions)
        except InputError as error:
            st.error(literal(error.message()), icon=":material/error:")
        else:
            return len(resolutions)
    return 0


principal = require_permission("upload")
pending_uploads = st.session_state.setdefault("pending_uploads", {})
st.title(tr("upload.title"))
st.caption(tr("upload.intro"))
if notice := st.session_state.pop("upload_held_notice", None):
    st.success(notice, icon=":material/check_circle:")
if may_hold(principal):
    own_held_uploads()
if allowed(principal, "manage_master_data"):
    staff_waiting_for_names()

with st.expander(tr("upload.templates_heading"), icon=":material/download:"):
    offered = template_kinds(principal)
    kinds = ["all", *offered]
    kind = st.selectbox(
        tr("upload.template_kind"),
        kinds,
        format_func=lambda k: tr("upload.template_all") if k == "all" else tr(f"kinds.{k}"),
        key="template_kind",
    )
    chosen = offered if kind == "all" else [kind]
    lists = query(master_lists)
    download_file(
        tr("upload.download_template"),
        lambda: template_workbook(chosen, lists),
        tr(
            "upload.template_file",
            kind=tr("upload.template_all") if kind == "all" else tr(f"kinds.{kind}"),
        ),
        XLSX_MIME,
        "template_download",
    )

left, middle, right = st.columns(3)
period_text = left.text_input(
    tr("upload.period"), help=tr("upload.period_help"), key="upload_period"
)
districts = ["", *upload_districts(principal, query(district_names).values())]
district = middle.selectbox(
    tr("upload.district"),
    districts,
    format_func=lambda d: d or tr("upload.district_from_file"),
    key="upload_district",
)
valid_rows_only = right.checkbox(
    tr("upload.valid_rows_only"), help=tr("upload.valid_rows_only_help")
)

period = None
if period_text.strip():
    try:
        period = parse_period(period_text)
    except InputError as error:
        # Said under the box; the uploader stays: a file that names its own period is
        # checked as usual, one that needs this box's is checked without one and its
        # report says the period is missing, until the box holds a period.
        left.error(literal(error.message()), icon=":material/error:")

files = file_uploader(
    tr("upload.files"),
    ["xlsx", "xlsm", "xls"],
    settings.max_upload_mb(),
    accept_multiple_files=True,
    key="upload_files",
    help=tr("upload.files_help", limit=settings.max_upload_mb()),
)
for result in st.session_state.pop("upload_results", []):
    st.success(result["message"], icon=":material/check_circle:")
    if not result["changes"].empty:
        st.caption(tr("upload.changes_heading"))
        data_table(
            result["changes"].rename(columns=lambda c: tr(f"upload.change_{c}")), hide_index=True
        )
files = [*opened_held_files(), *(files or [])]
if not files:
    st.info(tr("upload.no_files"), icon=":material/upload_file:")
    st.stop()

options = ImportOptions(
    uploader=principal.username,
    period=period,
    district=district or None,
    valid_rows_only=valid_rows_only,
    fix_in_page=True,
)
files_noun = unit_word("format.unit_files", len(files), language())
progress = st.progress(
    0.0, text=tr("upload.progress", done=0, total=len(files), total_noun=files_noun)
)
for number, file in enumerate(files, start=1):
    held = isinstance(file, HeldFile)
    file_options = file.held.options(options) if held else options
    key = ("held", file.held.id) if held else (file.file_id, period, district, valid_rows_only)
    if key not in pending_uploads:
        with st.status(tr("upload.checking", name=literal(file.name)), expanded=False) as status:
            pending = prepare(engine(), principal, file.name, file.getvalue(), file_options)
            if held and file.held.edits and pending.sheets is not None:
                pending = revalidate(engine(), principal, pending, file.held.edits, file_options)
            checked(key, file, pending, file_options)
            status.update(label=tr("upload.checked", name=literal(file.name)), state="complete")
    progress.progress(
        number / len(files),
        text=tr("upload.progress", done=number, total=len(files), total_noun=files_noun),
    )
    pending = pending_uploads[key]
    report = pending.report

    st.subheader(literal(file.name))
    if notice := st.session_state.pop(f"upload_notice_{file.file_id}", None):
        st.success(notice, icon=":material/check_circle:")
    if report.status == "unchanged":
        st.success(literal(report.message), icon=":material/check_circle:")
        if held:
            release(engine(), principal, pending.data)
        continue
    if pending.sheets is None:  # not readable at all: one reason, nothing else to show
        st.error(literal(report.message), icon=":material/error:")
        continue

    summary = [
        {
            tr("upload.col_sheet"): s.sheet,
            tr("upload.col_kind"): tr(f"kinds.{s.kind}") if s.kind else "—",
            tr("upload.col_layout"): tr(f"upload.layout_{s.layout}") if s.layout else "—",
            tr("upload.col_header_row"): s.header_row or "—",
            tr("upload.col_rows_read"): s.rows_read,
            tr("upload.col_rows_valid"): s.rows_valid,
        }
        for s in report.sheets
    ]
    data_table(summary, hide_index=True)
    if report.status in ("accepted", "partial"):
        show_write_preview(report.rows_new, report.rows_replaced, report.rows_unchanged)
        if report.needs_review:
            st.warning(tr("upload.needs_review"), icon=":material/rule:")
        changes = changes_table(report.replaced_examples)
        if not changes.empty:
            replaced = report.rows_replaced
            values_noun = unit_word("format.unit_values", replaced, language())
            with st.expander(tr("upload.replaced_heading", count=replaced, count_noun=values_noun)):
                data_table(changes, hide_index=True)
    elif report.errors:
        st.error(literal(report.message), icon=":material/error:")

    show_problems(report, all_in_download=True)
    if report.problem_count:
        # Built when clicked: a file made on every run is retired by the next one,
        # which a browser still fetching it sees as a 404.
        problems = problems_download(pending)
        download_file(
            tr(problems.label_key),
            problems.make,
            problems.file_name,
            XLSX_MIME,
            f"annotated_{file.file_id}",
        )

    names = unknown_names(report)
    if names:
        st.markdown(f"**{tr('upload.unknown_heading', count=len(names))}**")
        unknown_names_table(names)
        if allowed(principal, "manage_master_data"):
            st.caption(tr("upload.unknown_admin_help"))
            offered = first_to_resolve(names)
            if len(offered) < len(names):
                st.warning(
                    tr("upload.unknown_first", total=len(names), shown=len(offered)),
                    icon=":material/list:",
                )
            if resolved := resolve_in_place(file.file_id, offered):
                checked(
                    key, file, recheck(engine(), principal, pending, file_options), file_options
                )
                st.session_state[f"upload_notice_{file.file_id}"] = tr(
                    "upload.unknown_resolved",
                    count=resolved,
                    count_noun=unit_word("format.unit_names", resolved, language()),
                )
                st.rerun()
        else:
            unknown = "upload.unknown_staff_one" if len(names) == 1 else "upload.unknown_staff"
            st.warning(tr(unknown, count=len(names)), icon=":material/badge:")
            if held_notice := st.session_state.get(f"upload_held_{file.file_id}"):
                st.info(held_notice, icon=":material/cloud_done:")
        if st.button(
            tr("upload.recheck"),
            help=tr("upload.recheck_help"),
            key=f"recheck_{file.file_id}",
            icon=":material/refresh:",
        ):
            checked(key, file, recheck(engine(), principal, pending, file_options), file_options)
            st.session_state[f"upload_notice_{file.file_id}"] = tr("upload.rechecked")
            st.rerun()

    grid = rows_to_fix(pending)
    if not grid.empty:
        st.markdown(f"**{tr('upload.fix_heading')}**")
        st.caption(tr("upload.fix_help"))
        if (total := len(error_rows(pending.report))) > len(grid):
            st.warning(tr("upload.fix_first", total=total, shown=len(grid)), icon=":material/list:")
        for sheet_name, rows in grid.groupby(SHEET_COLUMN, sort=False):
            labels = column_labels(pending, sheet_name)
            wrong = error_columns(pending, sheet_name, rows[ROW_COLUMN])
            shown = rows.dropna(axis=1, how="all")
            config = {
                SHEET_COLUMN: None,
                ROW_COLUMN: st.column_config.NumberColumn(tr("upload.col_row"), disabled=True),
                REASON_COLUMN: st.column_config.TextColumn(
                    tr("upload.col_reason"), disabled=True, width="large"
                ),
                **{
                    c: st.column_config.TextColumn(
                        tr("upload.error_column", label=labels.get(c, c))
                        if c in wrong
                        else labels.get(c, c),
                        help=tr("upload.error_column_help") if c in wrong else None,
                    )
                    for c in shown.columns
                    if c not in (SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN)
                },
            }
            display = shown.assign(**{ROW_COLUMN: shown[ROW_COLUMN] + 1})
            edited = st.data_editor(
                display,
                column_config=config,
                hide_index=True,
                placeholder="",
                key=f"fix_{file.file_id}_{sheet_name}",
                disabled=[SHEET_COLUMN, ROW_COLUMN, REASON_COLUMN],
                row_height=WRAPPED_ROW_HEIGHT,  # the reasons read whole
                height=wrapped_height(len(display)),
            )
            if st.button(
                tr("upload.revalidate"),
                key=f"revalidate_{file.file_id}_{sheet_name}",
                icon=":material/refresh:",
            ):
                edits = edits_from_grid(
                    display.assign(**{ROW_COLUMN: shown[ROW_COLUMN]}),
                    edited.assign(**{ROW_COLUMN: shown[ROW_COLUMN]}),
                )
                checked(
                    key,
                    file,
                    revalidate(engine(), principal, pending, edits, file_options),
                    file_options,
                )
                st.rerun()

    asked, rest = explanations_to_ask(report)
    if asked or rest:
        st.markdown(f"**{tr('explanations.heading')}**")
        needed = len(asked) + rest
        page_help = "explanations.page_help_one" if needed == 1 else "explanations.page_help"
        st.caption(tr(page_help, count=needed))
        with st.form(f"explain_{file.file_id}"):
            typed = {
                (need.sheet, need.row): st.text_area(
                    tr(
                        "explanations.input_label",
                        row=need.row,
                        subject=literal(need.subject),
                        reasons=need.reason_text(language()),
                    ),
                    value=pending.explanations.get((need.sheet, need.row), ""),
                    key=f"explain_{file.file_id}_{need.sheet}_{need.row}",
                    height=68,
                )
                for need in asked
            }
            if rest:
                more = "explanations.rest_one" if rest == 1 else "explanations.rest"
                st.caption(tr(more, count=rest))
            common = st.text_area(
                tr("explanations.all_label"), key=f"explain_all_{file.file_id}", height=68
            )
            if st.form_submit_button(tr("explanations.save"), icon=":material/edit_note:"):
                pending_uploads[key] = explain_rows(
                    engine(), principal, pending, typed, file_options, rest=common
                )
                given = sum(1 for text in typed.values() if text.strip())
                saved = len(asked) + rest if common.strip() else given
                st.session_state[f"upload_notice_{file.file_id}"] = tr(
                    "explanations.saved",
                    count=saved,
                    count_noun=unit_word("format.unit_explanations", saved, language()),
                )
                st.rerun()

    confirm = True
    sharp = report.sharp_change_count
    for hint in report.scale_hints:  # 元 for 万元: said before the values are confirmed
        st.warning(literal(hint), icon=":material/straighten:")
    if sharp and report.status in ("accepted", "partial"):
        label = (
            tr(
                "upload.confirm_warnings_unlisted",
                count=sharp,
                unlisted=report.unlisted_sharp_changes,
            )
            if report.unlisted_sharp_changes
            else tr(
                "upload.confirm_warnings_one" if sharp == 1 else "upload.confirm_warnings",
                count=sharp,
            )
        )
        confirm = st.checkbox(label, key=f"confirm_{file.file_id}")
    can_commit = report.status in ("accepted", "partial") and confirm
    if st.button(
        tr("upload.commit_partial" if report.errors and valid_rows_only else "upload.commit"),
        type="primary",
        disabled=not can_commit,
        key=f"commit_{file.file_id}",
        icon=":material/save:",
    ):
        result = commit(
            engine(),
            principal,
            pending,
            replace(file_options, confirm_warnings=bool(sharp)),
        )
        del pending_uploads[key]
        if result.status in ("accepted", "partial"):
            release(engine(), principal, pending.data)
            if held:
                forget_opened(file.held.id)
        st.session_state.setdefault("upload_results", []).append(
            {
                "message": literal(f"{file.name}: {result.message}"),
                "changes": changes_frame(result.replaced_examples, query(district_names)),
            }
        )
        st.rerun()
