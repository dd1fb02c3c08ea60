"""Send examples to an error-analysis sheet as a category: the widgets that pick a new or an
existing sheet, and the save that adds the category with the examples ticked in it. Used by
the error-slices page (a found slice) and the training-label check (the suspects)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from analysis.error_sheet import new_sheet
from analysis.slice_sheet import add_slice_category, slice_category_name
from components.error_analysis_state import SHEET_KIND, create_sheet, load_sheet, save_sheet
from components.errors import show_error
from components.state import current_user, current_workspace, workspace_data


def sheet_names() -> list[str]:
    """The workspace's error-analysis sheets."""
    return [item.name for item in workspace_data().list_items(current_workspace().id, SHEET_KIND)]


def target_widgets(key: str, default_name: str) -> tuple[str, bool, list[str]]:
    """(sheet name, is it new, that sheet's columns) as chosen by the user; widget keys start
    with `key`, the new sheet's name field is keyed by `default_name`."""
    names = sheet_names()
    target = st.radio("Add it to", ["new", "existing"], horizontal=True, key=f"{key}.target",
                      format_func={"new": "A new sheet", "existing": "An existing sheet"}.get,
                      disabled=not names)
    if target == "existing" and names:
        name = st.selectbox("Sheet", names, key=f"{key}.sheet")
        try:
            held = load_sheet(workspace_data(), current_workspace().id, name)
        except ValueError as err:
            show_error(err, title=f"Sheet {name}")
            held = None
        return name, False, [] if held is None else [str(c) for c in held.frame.columns]
    default = slice_category_name(default_name, names, limit=80)
    tag = hashlib.blake2b(default_name.encode(), digest_size=6).hexdigest()
    return st.text_input("New sheet name", value=default, key=f"{key}.new_sheet.{tag}"), True, []


def add_examples(examples: pd.DataFrame, *, sheet_name: str, new: bool, category: str,
                 meta: dict) -> tuple[str, int, str | None]:
    """Add `category` to a new or existing sheet with every row of `examples` ticked in it.

    Returns (where it was saved, rows ticked, conflict message or None); ValueError when the
    names do not fit or there is nothing to add.
    """
    if examples.empty:
        raise ValueError("there are no examples to add.")
    workspace_id = current_workspace().id
    if new:
        frame, categories = add_slice_category(new_sheet(None, categories=()), [], category,
                                               examples)
        created = create_sheet(workspace_data(), workspace_id, sheet_name, frame, categories,
                               meta, author=current_user())
        return created.name, len(examples), None
    sheet = load_sheet(workspace_data(), workspace_id, sheet_name)
    if sheet is None:
        raise ValueError(f"sheet {sheet_name!r} no longer exists: choose another sheet.")
    sheet.frame, sheet.categories = add_slice_category(sheet.frame, sheet.categories, category,
                                                       examples)
    outcome = save_sheet(workspace_data(), sheet, author=current_user())
    return outcome.name, len(examples), outcome.conflict_message
