"""The error-analysis sheet of a session: held in session state, saved to the workspace store on
every edit, with conflicts kept as a copy instead of being written over.

The data editor's input is kept stable per "generation": the editor reports cumulative changes
relative to that input, so the sheet is always input + changes (the edited output is never fed
back as the next input; that loses every second edit). A new generation (new editor key) starts
whenever the sheet is replaced from outside the editor: opened, restored, a category renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.error_analysis import DEFAULT_DEV_ERROR_PCT, mislabeled_category
from analysis.error_sheet import IMAGE_COLUMN, apply_table_edits, validate_sheet
from analysis.reading import READABLE_FILE_TYPES
from analysis.sheet_content import sheet_to_content
from components.image_previews import previews
from storage import Item, StaleRevisionError, UnreadableContent, WorkspaceStore
from storage.store import NAME_LIMIT
from workspace.gate import WorkspaceGate
from workspace.kinds import ERROR_SHEET, ErrorSheet

SHEET_KIND = ERROR_SHEET.name  # the store functions below also take a bare store (tests)
PREVIEW_COLUMN = "image"
_HAS_PREVIEW = "ea.has_preview"
_HELD = "ea.held"
_BASE = "ea.base"
_NOTICE = "ea.notice"
_PENDING_OPEN = "ea.pending_open"
_UNREADABLE = "ea.unreadable"  # (sheet name, why) of a selected sheet that cannot be read
SELECT_KEY = "sheet"  # the sheet selector; bound to the URL (?sheet=name)
DEV_ERROR_KEY = "ea.dev_error"
# File types the sheet uploader takes (read_sheet reads them all through read_table).
SHEET_TYPES = READABLE_FILE_TYPES
TOTAL_KEY = "ea.total_errors"
# Pages pass the access-checking gate; the storage tests pass a bare store.
SheetStore = WorkspaceGate | WorkspaceStore
_AUTHOR_CHARS = 60  # of a signed-in e-mail, in a conflict copy's name
LABEL_KEY = "ea.label_category"


# --------------------------------------------------------------------------- store (no session)

@dataclass
class HeldSheet:
    """The sheet a session works on and the stored revision it was last in step with."""

    workspace_id: int
    name: str
    revision: int
    frame: pd.DataFrame
    categories: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    generation: int = 0


@dataclass(frozen=True)
class SaveOutcome:
    """Where a save went: the sheet itself, or a conflict copy when a teammate saved first."""

    name: str
    revision: int
    conflict_message: str | None = None


def load_sheet(store: SheetStore, workspace_id: int, name: str, *,
               revision: int | None = None) -> HeldSheet | None:
    """Read a stored sheet (latest revision unless one is asked for); None when absent.

    Raises ValueError saying why when the stored sheet cannot be read (damaged or old format).
    """
    item = store.get_item(workspace_id, SHEET_KIND, name, revision=revision)
    if item is None or item.content is None:
        return None
    if isinstance(item.content, UnreadableContent):
        raise ValueError(item.content.error)
    saved = ERROR_SHEET.from_content(item.content)
    # A restored old revision is still based on the latest one: the next save follows it.
    latest = item.revision if revision is None else store.get_item(workspace_id, SHEET_KIND, name).revision
    return HeldSheet(workspace_id, name, latest, saved.frame, saved.categories, saved.meta)


def _shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)].rstrip() + "…"


def conflict_copy_name(name: str, author: str, when: datetime, taken: set[str]) -> str:
    """A free name for 'our' version when a teammate saved the sheet first.

    Always within the store's name limit, so the copy can be saved whatever the sheet's name:
    a long name is shortened to leave room for who, when and a counter that keeps it unique.
    """
    who = _shorten(author or "someone", _AUTHOR_CHARS)
    number = 1
    while True:
        counter = f" {number}" if number > 1 else ""
        suffix = f" (conflict, {who}, {when:%Y-%m-%d %H:%M:%S}){counter}"
        candidate = _shorten(name, NAME_LIMIT - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _save_conflict_copy(store: SheetStore, sheet: HeldSheet, content: dict[str, Any], *,
                        author: str) -> Item:
    """Save `content` under a fresh conflict-copy name; a name a teammate takes in the
    meantime (their own conflict copy in the same second) is skipped, never written over."""
    taken = {i.name for i in store.list_items(sheet.workspace_id, SHEET_KIND)}
    while True:
        copy = conflict_copy_name(sheet.name, author, datetime.now(UTC), taken)
        try:
            return store.save_item(sheet.workspace_id, SHEET_KIND, copy, content=content,
                                   expected_revision=0, author=author)
        except StaleRevisionError:
            taken.add(copy)


def save_sheet(store: SheetStore, sheet: HeldSheet, *, author: str) -> SaveOutcome:
    """Save `sheet` as a new revision if the stored one is still the one it was based on.

    When a teammate saved in between, nothing of theirs is overwritten: our version is saved as a
    conflict copy (a new sheet) and the outcome says so. `sheet` is updated to point at where
    the save went.
    """
    content = ERROR_SHEET.to_content(ErrorSheet(sheet.frame, sheet.categories, sheet.meta))
    try:
        item = store.save_item(sheet.workspace_id, SHEET_KIND, sheet.name, content=content,
                               expected_revision=sheet.revision, author=author)
    except StaleRevisionError as err:
        theirs = err.current
        item = _save_conflict_copy(store, sheet, content, author=author)
        who = f" by {theirs.updated_by}" if theirs.updated_by else ""
        message = (f"'{sheet.name}' was saved{who} (revision {theirs.revision}) while you were "
                   f"editing revision {sheet.revision}. Nothing was overwritten: their version "
                   f"stays in '{sheet.name}', yours is saved as '{item.name}'. Compare the two "
                   "and merge by hand.")
        sheet.name, sheet.revision = item.name, item.revision
        return SaveOutcome(item.name, item.revision, message)
    sheet.revision = item.revision
    return SaveOutcome(sheet.name, item.revision)


def create_sheet(store: SheetStore, workspace_id: int, name: str, frame: pd.DataFrame,
                 categories: list[str], meta: dict[str, Any], *, author: str) -> HeldSheet:
    """Store a new sheet as revision 1; a name already in use is refused (ValueError)."""
    name = str(name).strip()
    if not name:
        raise ValueError("sheet name is empty: type a name for the new sheet.")
    sheet = HeldSheet(workspace_id, name, 0, validate_sheet(frame, categories), list(categories),
                      dict(meta))
    try:
        save = store.save_item(workspace_id, SHEET_KIND, name,
                               content=ERROR_SHEET.to_content(ErrorSheet(sheet.frame, categories,
                                                                         sheet.meta)),
                               expected_revision=0, author=author)
    except StaleRevisionError:
        raise ValueError(f"sheet name {name!r} is already used in this workspace: choose another "
                         "name, or open that sheet from the list.") from None
    sheet.revision = save.revision
    return sheet


# --------------------------------------------------------------------------- editor input

def editor_input(frame: pd.DataFrame, hosts: frozenset[str] | None = None,
                 root: Path | None = None) -> pd.DataFrame:
    """The editor's input: the sheet plus an image preview column when some value is an image
    on an allowed host or in the image folder (`hosts`, `root`; default: the admin's settings);
    the values themselves stay as text."""
    data = frame.reset_index(drop=True).copy()
    if IMAGE_COLUMN in data.columns and PREVIEW_COLUMN not in data.columns:
        shown = previews(data[IMAGE_COLUMN], hosts, root)
        if shown.notna().any():
            data.insert(0, PREVIEW_COLUMN, shown)
            data.attrs[_HAS_PREVIEW] = True  # a user's own "image" column is never dropped
    return data


def has_preview(base: pd.DataFrame) -> bool:
    """True when editor_input added the image preview column to `base`."""
    return bool(base.attrs.get(_HAS_PREVIEW))


def sheet_from_editor(base: pd.DataFrame, changes: Any, categories: list[str]) -> pd.DataFrame:
    """The sheet after the editor's cumulative `changes` to `base` (preview column dropped)."""
    frame = apply_table_edits(base, edited_rows=changes.get("edited_rows"),
                              added_rows=changes.get("added_rows"),
                              deleted_rows=changes.get("deleted_rows"))
    if has_preview(base):
        frame = frame.drop(columns=[PREVIEW_COLUMN])
    return validate_sheet(frame, categories)


# --------------------------------------------------------------------------- session helpers

def apply_editor_changes(store: SheetStore, *, author: str) -> None:
    """The editor's on_change callback: sheet = stable input + the editor's cumulative changes,
    then save (one revision per edit). Idempotent, so calling it again changes nothing."""
    sheet = held()
    if sheet is None:
        return
    changes = st.session_state.get(editor_key(sheet))
    if not changes:
        return
    try:
        frame = sheet_from_editor(editor_base(), changes, sheet.categories)
    except ValueError as err:
        notify("error", str(err))
        return
    before = sheet_to_content(sheet.frame, sheet.categories)
    if sheet_to_content(frame, sheet.categories) == before:
        return
    sheet.frame = frame
    save_held(store, author=author)


def held() -> HeldSheet | None:
    """The sheet this session has open."""
    return st.session_state.get(_HELD)


def editor_key(sheet: HeldSheet) -> str:
    """Widget key of the editor for the sheet's current generation."""
    return f"ea.editor.{sheet.generation}"


def editor_base() -> pd.DataFrame:
    """The editor's (stable) input for the current generation."""
    return st.session_state[_BASE]


def hold(sheet: HeldSheet) -> None:
    """Make `sheet` the open one and start a new editor generation on it."""
    previous = held()
    sheet.generation = (previous.generation + 1) if previous is not None else 0
    st.session_state[_HELD] = sheet
    st.session_state[_BASE] = editor_input(sheet.frame)
    for key in (DEV_ERROR_KEY, TOTAL_KEY, LABEL_KEY):
        st.session_state.pop(key, None)
    ensure_meta_widgets(sheet)


def ensure_meta_widgets(sheet: HeldSheet) -> None:
    """Give the sheet's own settings to their widgets when the widgets hold nothing yet
    (a new sheet, or widget values dropped while another page ran)."""
    if DEV_ERROR_KEY not in st.session_state:
        st.session_state[DEV_ERROR_KEY] = float(sheet.meta.get("dev_error", DEFAULT_DEV_ERROR_PCT))
    if TOTAL_KEY not in st.session_state:
        st.session_state[TOTAL_KEY] = int(sheet.meta.get("total_dev_errors") or 0)
    if LABEL_KEY not in st.session_state or st.session_state[LABEL_KEY] not in sheet.categories:
        st.session_state[LABEL_KEY] = mislabeled_category(sheet.categories, sheet.meta)


def ensure_editor_base(sheet: HeldSheet) -> pd.DataFrame:
    """The editor's input; rebuilt from the sheet when the editor holds no changes yet (its widget
    state is absent: first draw, or dropped while another page ran), so it never shows a stale base."""
    if editor_key(sheet) not in st.session_state or _BASE not in st.session_state:
        st.session_state[_BASE] = editor_input(sheet.frame)
    return st.session_state[_BASE]


def notify(kind: str, text: str) -> None:
    """A message for the next run (callbacks cannot draw)."""
    st.session_state[_NOTICE] = (kind, text)


def take_notice() -> tuple[str, str] | None:
    """The pending message, once."""
    return st.session_state.pop(_NOTICE, None)


def request_open(name: str) -> None:
    """Open sheet `name` at the start of the next run (before the selector is drawn)."""
    st.session_state[_PENDING_OPEN] = name


def apply_pending_open() -> None:
    """Point the sheet selector at a sheet asked for by request_open (call before drawing it)."""
    name = st.session_state.pop(_PENDING_OPEN, None)
    if name is not None:
        st.session_state[SELECT_KEY] = name


def save_held(store: SheetStore, *, author: str) -> SaveOutcome | None:
    """Save the open sheet; on a conflict, follow our copy and say what happened."""
    sheet = held()
    if sheet is None:
        return None
    outcome = save_sheet(store, sheet, author=author)
    if outcome.conflict_message:
        st.session_state[SELECT_KEY] = outcome.name
        notify("warning", outcome.conflict_message)
    return outcome


def sync_with_store(store: SheetStore, workspace_id: int, selected: str | None) -> None:
    """Open the selected sheet, or re-read it when a teammate saved a newer revision; a sheet
    that cannot be read is not opened (unreadable() says why)."""
    sheet = held()
    st.session_state.pop(_UNREADABLE, None)
    if selected is None:
        st.session_state.pop(_HELD, None)
        return
    stale = (sheet is None or sheet.name != selected or sheet.workspace_id != workspace_id)
    if not stale:
        item = store.get_item(workspace_id, SHEET_KIND, selected)
        if item is not None and item.revision != sheet.revision:
            stale = True
            who = item.updated_by or "someone"
            notify("info", f"'{selected}' was updated by {who} (revision {item.revision}): "
                           "showing their latest version.")
    if stale:
        try:
            loaded = load_sheet(store, workspace_id, selected)
        except ValueError as err:
            st.session_state.pop(_HELD, None)
            st.session_state[_UNREADABLE] = (selected, str(err))
            return
        if loaded is not None:
            hold(loaded)


def unreadable() -> tuple[str, str] | None:
    """(name, why) when the selected sheet cannot be read, else None."""
    return st.session_state.get(_UNREADABLE)
