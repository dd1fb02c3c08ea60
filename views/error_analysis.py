"""Error analysis: tag misclassified dev examples in a shared sheet, see what fixing each category
could gain at best, and decide whether bad labels are worth fixing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.error_analysis import (
    DEFAULT_DEV_ERROR_PCT,
    category_summary,
    co_occurrence,
)
from analysis.error_sample import sample_errors
from analysis.error_sheet import (
    COMMENTS_COLUMN,
    DEFAULT_CATEGORIES,
    EXAMPLE_COLUMNS,
    ID_COLUMN,
    IMAGE_COLUMN,
    add_category,
    category_label,
    delete_category,
    new_sheet,
    rename_category,
    validate_sheet,
)
from analysis.sheet_io import export_csv, export_excel, read_sheet
from analysis.text import escape_markdown
from charts.error_analysis import (
    ceiling_chart,
    co_occurrence_chart,
    summary_display_table,
)
from components import error_analysis_state as sheet_state
from components import sheet_live
from components.error_analysis_state import (
    DEV_ERROR_KEY,
    LABEL_KEY,
    PREVIEW_COLUMN,
    SELECT_KEY,
    SHEET_TYPES,
    TOTAL_KEY,
    HeldSheet,
    create_sheet,
    editor_key,
    held,
    hold,
    load_sheet,
    setting_key,
)
from components.error_priorities_panel import priorities_panel
from components.errors import show_error
from components.inputs import predictions_picker
from components.limits import parse_slot, read_limits
from components.page_state import EXAMPLES_FOR_SHEET, ExamplesForSheet, PageState
from components.sample_project import SAMPLE_ERROR_SHEET
from components.share import copy_link
from components.sheet_label_panels import label_noise_panel, suspects_panel
from components.source_pages import sheet_from_source
from components.source_picker import source_in_use
from components.state import (
    access_lost,
    content_digest,
    current_user,
    current_workspace,
    workspace_data,
    workspace_items,
)
from components.training_labels_panel import training_labels_panel
from components.unreadable import unreadable_item
from workspace.kinds import ERROR_SHEET

PAGE = PageState("ea")  # this page's own keys; widget keys share the prefix

START_SOURCES = {
    "predictions": "Misclassified dev rows of loaded predictions",
    "incoming": "Rows handed over by the metrics page",
    "upload": "Upload a CSV or Excel sheet",
    "sample": "The course's sample sheet (100 reviewed errors)",
    "empty": "An empty sheet",
}


# --------------------------------------------------------------------------- callbacks

@access_lost
def _on_editor_change() -> None:
    """Apply the editor's cumulative changes to its stable input, then save (every edit)."""
    sheet_state.apply_editor_changes(workspace_data(), author=current_user())


@access_lost
def _on_meta_change() -> None:
    sheet = held()
    shown = {key: st.session_state.get(setting_key(key), start)  # a widget not drawn: unchanged
             for key, start in sheet_state.setting_defaults(sheet).items()}
    sheet.meta = {**sheet.meta, "dev_error": float(shown[DEV_ERROR_KEY]),
                  "total_dev_errors": int(shown[TOTAL_KEY] or 0) or None,
                  "label_category": shown[LABEL_KEY]}
    sheet_state.save_held(workspace_data(), author=current_user())


@access_lost
def _change_categories(action: str) -> None:
    """Add / rename / delete a category; ticks move with their column, then save."""
    sheet = held()
    try:
        if action == "add":
            frame, categories = add_category(sheet.frame, sheet.categories,
                                             st.session_state["ea.cat_new"])
            st.session_state["ea.cat_new"] = ""
        elif action == "rename":
            old = st.session_state["ea.cat_pick"]
            frame, categories = rename_category(sheet.frame, sheet.categories, old,
                                                st.session_state["ea.cat_rename"])
            sheet_state.rename_column_id(sheet, old, categories[sheet.categories.index(old)])
            st.session_state["ea.cat_rename"] = ""
        else:
            frame, categories = delete_category(sheet.frame, sheet.categories,
                                                st.session_state["ea.cat_pick"])
    except ValueError as err:
        st.session_state["ea.cat_error"] = str(err)
        return
    st.session_state.pop("ea.cat_error", None)
    sheet.frame, sheet.categories = frame, categories
    if sheet.meta.get("label_category") not in categories:
        sheet.meta = {**sheet.meta, "label_category": None}
    sheet_state.save_held(workspace_data(), author=current_user())
    hold(held())  # the columns changed: the editor starts over on the saved sheet


@access_lost
def _restore_revision(revision: int) -> None:
    sheet = held()
    try:
        old = load_sheet(workspace_data(), sheet.workspace_id, sheet.name, revision=revision)
    except ValueError as err:
        sheet_state.notify("error", f"revision {revision} of '{sheet.name}' cannot be restored: "
                                    f"{err}")
        return
    if old is None:
        sheet_state.notify("error", f"revision {revision} of '{sheet.name}' no longer exists.")
        return
    sheet.frame, sheet.categories, sheet.meta = old.frame, old.categories, old.meta
    outcome = sheet_state.save_held(workspace_data(), author=current_user())
    if not outcome.conflict_message:  # a conflict's warning matters more than the success
        sheet_state.notify("success", f"Restored revision {revision}: saved as revision "
                                      f"{outcome.revision} (older revisions are all kept).")
    hold(held())


@access_lost
def _add_suspects(rows: pd.DataFrame) -> None:
    sheet = held()
    extra = rows[[c for c in EXAMPLE_COLUMNS if c in rows.columns]].copy()
    extra[COMMENTS_COLUMN] = [f"check this label (model gives it {q:.0%})"
                              for q in rows["label_quality"]]
    for category in sheet.categories:
        extra[category] = False
    frame = pd.concat([sheet.frame.astype(object), extra.astype(object)], ignore_index=True)
    sheet.frame = frame[list(dict.fromkeys([*sheet.frame.columns, *extra.columns]))]
    sheet.frame = validate_sheet(sheet.frame, sheet.categories)
    sheet_state.save_held(workspace_data(), author=current_user())
    hold(held())


# --------------------------------------------------------------------------- start a sheet

def _sample_widgets() -> tuple[int, int]:
    left, right = st.columns(2)
    n = left.number_input("Errors to review", 10, 1000, 100, step=10, key="ea.sample_n")
    seed = right.number_input("Seed (same seed, same sample)", 0, 10**6, 0, key="ea.seed")
    return int(n), int(seed)


def _sampled(source, n: int, seed: int, split: str | None):
    """A fair random sample of the errors (shown with its notes), or None after an error."""
    try:
        sample = sample_errors(source, n=n, seed=seed, split=split)
    except ValueError as err:
        show_error(err)
        return None
    for note in sample.warnings:
        st.caption(escape_markdown(note))
    return sample


def _start_frame(source: str) -> tuple[pd.DataFrame, list[str], dict] | None:
    """The widgets of one way to start a sheet; returns (frame, categories, meta) when ready."""
    categories = list(DEFAULT_CATEGORIES)
    if source == "predictions":
        predictions = predictions_picker("ea.pick", tasks=("binary", "multiclass"))
        n, seed = _sample_widgets()
        if (chosen := source_in_use("ea.pick")) is not None:
            return sheet_from_source("ea.engine", chosen, n, seed, categories)
        if predictions is None:
            return None
        sample = _sampled(predictions, n, seed, "dev")
        if sample is None:
            return None
        st.caption(f"{len(sample.frame)} of {sample.n_errors} misclassified {sample.split or ''} "
                   f"rows drawn ({sample.error_rate:.1f}% error on {sample.n_rows} rows).")
        meta = {"dev_error": round(sample.error_rate, 3), "total_dev_errors": sample.n_errors,
                "source": predictions.name, "seed": seed}
        return new_sheet(sample.frame, categories=categories), categories, meta
    if source == "incoming":
        return _start_from_handed(PAGE.get("incoming"), categories)
    if source in ("upload", "sample"):
        if source == "upload":
            upload = st.file_uploader("Sheet (CSV, TSV, Excel or Parquet)", type=list(SHEET_TYPES),
                                      key="ea.upload")
            if upload is None:
                return None
            data, filename = upload.getvalue(), upload.name
        else:
            data, filename = SAMPLE_ERROR_SHEET.read_bytes(), SAMPLE_ERROR_SHEET.name
        try:
            limits = read_limits()
            with parse_slot(data, limits):
                frame, found = read_sheet(data, filename, limits=limits)
        except ValueError as err:
            show_error(err)
            return None
        found_text = escape_markdown(", ".join(map(category_label, found)))
        st.caption(f"{len(frame)} row{'' if len(frame) == 1 else 's'}; categories found: "
                   f"{found_text or 'none (the defaults are added)'}.")
        if not found:
            frame, found = new_sheet(frame, categories=categories), categories
        return frame, found, {"dev_error": DEFAULT_DEV_ERROR_PCT, "source": filename,
                              "digest": content_digest(data)}
    return new_sheet(None, categories=categories), categories, {"dev_error": DEFAULT_DEV_ERROR_PCT}


def _start_from_handed(handed: ExamplesForSheet, categories: list[str]
                       ) -> tuple[pd.DataFrame, list[str], dict] | None:
    """A sheet from the examples another page sent (a random draw when there are many)."""
    n, seed = _sample_widgets()
    sample = _sampled(handed.rows, n, seed, None)  # every handed-over row is a dev error
    if sample is None:
        return None
    dev_error = round(float(handed.dev_error_pct), 3)
    st.caption(f"{len(sample.frame)} of the {len(handed.rows)} misclassified rows handed over by "
               f"the {escape_markdown(handed.source)}, drawn at random; that model's dev error is "
               f"{dev_error:g}%.")
    meta = {"dev_error": dev_error, "total_dev_errors": len(handed.rows),
            "source": handed.source, "seed": seed, **handed.details}
    return new_sheet(sample.frame, categories=categories), categories, meta


def _start_section(names: list[str]) -> None:
    arrived = EXAMPLES_FOR_SHEET.take()  # taken once; kept by this page until a sheet uses it
    if arrived is not None:
        PAGE.set("incoming", arrived)
    incoming = PAGE.get("incoming")
    with st.expander("Start a new sheet", expanded=not names or incoming is not None,
                     icon=":material/add:"):
        options = [k for k in START_SOURCES if k != "incoming" or incoming is not None]
        if incoming is not None:
            st.info(f"The {escape_markdown(incoming.source)} handed over {len(incoming.rows):,} "
                    "misclassified examples: start a sheet from them below.",
                    icon=":material/move_to_inbox:")
        source = st.radio("Start from", options, format_func=START_SOURCES.get, key="ea.source",
                          horizontal=True, index=options.index("incoming") if incoming is not None
                          else 0)
        name = st.text_input("Sheet name", value=f"Dev errors {len(names) + 1}", key="ea.new_name")
        started = _start_frame(source)
        if st.button("Start the sheet", key="ea.start", type="primary", disabled=started is None,
                     icon=":material/play_arrow:"):
            frame, categories, meta = started
            try:
                sheet = create_sheet(workspace_data(), current_workspace().id, name, frame, categories, meta,
                                     author=current_user())
            except ValueError as err:
                show_error(err)
                return
            if source == "incoming":  # used: the next visit starts from the usual sources
                PAGE.pop("incoming")
            sheet_state.request_open(sheet.name)
            st.rerun()


# --------------------------------------------------------------------------- the sheet

def _column_config(sheet: HeldSheet, base: pd.DataFrame) -> dict:
    config: dict = {
        ID_COLUMN: st.column_config.TextColumn("id", width="small", pinned=True),
        "y_true": st.column_config.TextColumn("true", disabled=True, width="small"),
        "y_pred": st.column_config.TextColumn("predicted", disabled=True, width="small"),
        "score": st.column_config.NumberColumn("score", format="%.2f", disabled=True, width="small"),
        COMMENTS_COLUMN: st.column_config.TextColumn("comments", width="medium", default=""),
    }
    if sheet_state.has_preview(base):
        config[PREVIEW_COLUMN] = st.column_config.ImageColumn("image", width="small")
    if IMAGE_COLUMN in base.columns:  # always the text itself; a preview only beside it
        config[IMAGE_COLUMN] = st.column_config.TextColumn("image path", disabled=True,
                                                           width="small")
    for category in sheet.categories:
        config[category] = st.column_config.CheckboxColumn(category_label(category), default=False)
    return config


def _column_order(sheet: HeldSheet, base: pd.DataFrame) -> list[str]:
    """Id and image first, then the ticks and comments (what a reviewer edits), then the rest."""
    preview = (PREVIEW_COLUMN,) if sheet_state.has_preview(base) else ()
    first = [c for c in (ID_COLUMN, *preview) if c in base.columns]
    editing = [*sheet.categories, COMMENTS_COLUMN]
    rest = [c for c in base.columns if c not in first and c not in editing]
    return [*first, *editing, *rest]


def _category_tools(sheet: HeldSheet) -> None:
    with st.popover("Categories", icon=":material/view_column:"):
        st.text_input("New category", key="ea.cat_new", placeholder="e.g. low light")
        st.button("Add category", key="ea.cat_add", on_click=_change_categories, args=("add",))
        st.divider()
        st.selectbox("Category", sheet.categories, key="ea.cat_pick",
                     format_func=category_label)
        st.text_input("New name", key="ea.cat_rename")
        left, right = st.columns(2)
        left.button("Rename", key="ea.cat_do_rename", on_click=_change_categories,
                    args=("rename",))
        right.button("Delete", key="ea.cat_delete", on_click=_change_categories,
                     args=("delete",), type="tertiary", icon=":material/delete:")
    if st.session_state.get("ea.cat_error"):
        show_error(st.session_state["ea.cat_error"])


def _exports(sheet: HeldSheet) -> None:
    left, right = st.columns(2)
    left.download_button("Export CSV", export_csv(sheet.frame), f"{sheet.name}.csv", "text/csv",
                         key="ea.export_csv", on_click="ignore", icon=":material/download:")
    right.download_button("Export Excel", export_excel(sheet.frame), f"{sheet.name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="ea.export_xlsx", on_click="ignore", icon=":material/download:")
    st.caption("Cells starting with = + - @ are exported with a leading ' so spreadsheets do not "
               "run them; import the file back from 'Start a new sheet'.")


def _revision_counts(content: object) -> dict[str, int | None]:
    """Rows and ticks of a saved revision (None for a revision that cannot be read)."""
    if not isinstance(content, dict) or not isinstance(content.get("rows"), list) \
            or not isinstance(content.get("categories"), list):
        return {"rows": None, "ticks": None}
    rows = [row for row in content["rows"] if isinstance(row, dict)]
    names = [c for c in content["categories"] if isinstance(c, str)]
    return {"rows": len(rows), "ticks": sum(bool(row.get(c)) for row in rows for c in names)}


def _history(sheet: HeldSheet) -> None:
    with st.expander(f"History (revision {sheet.revision})", icon=":material/history:"):
        # An expander's body runs even when closed: every revision is read only when asked.
        if not st.toggle("Show every revision", key="ea.history_on"):
            sheet_live.row_history(sheet)
            return
        revisions = workspace_items().revisions(ERROR_SHEET, sheet.name)
        table = pd.DataFrame([{
            "revision": r.revision, "saved at": r.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            "by": r.updated_by or "", **_revision_counts(r.content)} for r in revisions])
        st.dataframe(table, hide_index=True, key="ea.history", height=min(36 * len(table) + 40, 260))
        older = [r.revision for r in revisions if r.revision != sheet.revision]
        if older:
            pick = st.selectbox("Revision to restore", older, key="ea.restore_pick")
            st.button("Restore this revision", key="ea.restore", on_click=_restore_revision,
                      args=(pick,), icon=":material/restore:")
        sheet_live.row_history(sheet)


def _summary_panel(sheet: HeldSheet):
    left, right = st.columns(2)
    starts = sheet_state.setting_defaults(sheet)
    left.number_input("Dev error (%)", 0.0, 100.0, starts[DEV_ERROR_KEY], step=0.1, format="%.2f",
                      key=setting_key(DEV_ERROR_KEY), on_change=_on_meta_change)
    right.number_input("All dev errors (0 = the sheet has them all)", 0, 10**9, starts[TOTAL_KEY],
                       step=1, key=setting_key(TOTAL_KEY), on_change=_on_meta_change,
                       help="With more dev errors than rows, the sheet is a sample: shares get a "
                            "95% interval and are extrapolated.")
    if sheet.frame.empty:
        st.info("Add rows to the sheet (or start one from predictions) to see the summary.")
        return None
    if not sheet.categories:
        st.info("Add a category to start counting.")
        return None
    total = int(st.session_state[setting_key(TOTAL_KEY)] or 0) or None
    try:
        summary = category_summary(sheet.frame, sheet.categories,
                                   st.session_state[setting_key(DEV_ERROR_KEY)], total_dev_errors=total)
    except ValueError as err:
        show_error(err)
        return None
    st.markdown(escape_markdown(summary.diagnosis))
    st.dataframe(summary_display_table(summary), hide_index=True, key="ea.summary")
    for warning in summary.warnings:
        st.caption(escape_markdown(warning))
    st.plotly_chart(ceiling_chart(summary), key="ea.ceiling_chart")
    return summary


# --------------------------------------------------------------------------- the page

st.title("Error analysis")
st.caption("Review ~100 misclassified dev examples, tick the ideas that explain each error, and see "
           "what fixing each category could gain at best. Every edit is saved in the workspace.")

workspace = current_workspace()
sheet_state.apply_pending_open()
# Edits the callback did not see (an editor state set by a test harness) are applied and saved
# the same way, before the selector is drawn (a conflict copy may become the selection) and
# before a teammate's newer revision is read. After the callback this is a no-op.
sheet_state.apply_editor_changes(workspace_data(), author=current_user())
sheet_names = workspace_items().names(ERROR_SHEET)
if sheet_names:
    top, link = st.columns([4, 1], vertical_alignment="bottom")
    if st.session_state.get(SELECT_KEY) not in sheet_names:
        st.session_state.pop(SELECT_KEY, None)
    selected = top.selectbox("Sheet", sheet_names, key=SELECT_KEY, bind="query-params")
    with link:
        copy_link()
else:
    selected = None
sheet_state.sync_with_store(workspace_data(), workspace.id, selected)
_start_section(sheet_names)

notice = sheet_state.take_notice()
if notice is not None:
    {"warning": st.warning, "info": st.info, "error": st.error, "success": st.success}[notice[0]](
        escape_markdown(notice[1]))

current = held()
broken = sheet_state.unreadable()
if broken is not None:
    unreadable_item(ERROR_SHEET.name, *broken, what="Sheet")
elif current is None:
    st.info("Start a sheet above: from your predictions' misclassified dev rows, from a file, "
            "from the course's sample, or empty.", icon=":material/table_chart:")
else:
    sheet_state.settle_settings_keys(current)
    sheet_col, live_col = st.columns([1, 1], gap="large")
    with sheet_col:
        st.subheader(escape_markdown(current.name))
        st.caption(f"{len(current.frame)} examples · revision {current.revision} · saved on every edit")
        sheet_live.live_line()
        _category_tools(current)
        sheet_live.conflicts_panel(current)
        base = sheet_state.ensure_editor_base(current)
        st.data_editor(base, key=editor_key(current), on_change=_on_editor_change,
                       column_config=_column_config(current, base), hide_index=True,
                       num_rows=sheet_live.rows_toggle(), height=460, width="stretch",
                       column_order=_column_order(current, base))
        _exports(current)
        _history(current)
    with live_col:
        st.subheader("Summary")
        summary = _summary_panel(current)
    matrix_col, label_col = st.columns(2, gap="large")
    with matrix_col:
        st.subheader("Co-occurrence")
        if summary is not None:
            st.plotly_chart(co_occurrence_chart(co_occurrence(current.frame, current.categories)),
                            key="ea.cooccurrence_chart")
    with label_col:
        label_noise_panel(current, summary, on_change=_on_meta_change)
    suspects_panel(current, on_add=_add_suspects)
    priorities_panel(current, summary)
training_labels_panel()
