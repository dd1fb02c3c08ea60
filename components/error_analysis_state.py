"""The error-analysis sheet of a session: held in session state, saved to the workspace store on
every edit, merged cell by cell with teammates' edits (workspace.table_merge); only a true
conflict (the same cell changed by a teammate to another value) is left for the person to choose.

The data editor's input is kept stable per "generation": the editor reports cumulative changes
relative to that input, so the sheet is always input + changes (the edited output is never fed
back as the next input; that loses every second edit). A new generation (new editor key) starts
whenever the sheet is replaced from outside the editor: opened, restored, a category renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis.error_analysis import DEFAULT_DEV_ERROR_PCT, mislabeled_category
from analysis.error_sheet import ID_COLUMN, IMAGE_COLUMN, apply_table_edits, validate_sheet
from analysis.reading import READABLE_FILE_TYPES
from analysis.sheet_content import sheet_to_content
from components.image_previews import previews
from storage import StaleRevisionError, UnreadableContent, WorkspaceStore
from workspace.data import WorkspaceData
from workspace.gate import WorkspaceGate
from workspace.kinds import ERROR_SHEET, ErrorSheet, legacy_row_ids
from workspace.merge_formats import SHEET_FORMAT
from workspace.merged_save import MergedSave
from workspace.table_merge import (
    Conflict,
    Doc,
    diff,
    mine_over_theirs,
    new_id,
)

SHEET_KIND = ERROR_SHEET.name  # the store functions below also take a bare store (tests)
PREVIEW_COLUMN = "image"
_HAS_PREVIEW = "ea.has_preview"
_HELD = "ea.held"
_BASE = "ea.base"
_NOTICE = "ea.notice"
_PENDING_OPEN = "ea.pending_open"
_BASE_IDS = "ea.base_ids"  # row ids of the editor's input, by position
_ADDED_IDS = "ea.added_ids"  # ids given to rows added in the editor, in its order
_SETTINGS_ROUND = "ea.settings_round"  # bumped when a teammate's settings edit is merged in
_CONFLICTS = "ea.conflicts"  # (sheet name, clashes waiting for the person's choice)
_UNREADABLE = "ea.unreadable"  # (sheet name, why) of a selected sheet that cannot be read
SELECT_KEY = "sheet"  # the sheet selector; bound to the URL (?sheet=name)
DEV_ERROR_KEY = "ea.dev_error"
# File types the sheet uploader takes (read_sheet reads them all through read_table).
SHEET_TYPES = READABLE_FILE_TYPES
TOTAL_KEY = "ea.total_errors"
# Pages pass the access-checking gate; the storage tests pass a bare store.
SheetStore = WorkspaceGate | WorkspaceStore
LABEL_KEY = "ea.label_category"


# --------------------------------------------------------------------------- store (no session)

@dataclass
class HeldSheet:
    """The sheet a session works on, the stored revision it was last in step with (`base`, as a
    merge doc) and the ids its rows and columns are merged by (columns by name)."""

    workspace_id: int
    name: str
    revision: int
    frame: pd.DataFrame
    categories: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    generation: int = 0
    row_ids: list[str] = field(default_factory=list)
    column_ids: dict[str, str] = field(default_factory=dict)
    base: Doc | None = None


@dataclass(frozen=True)
class SaveOutcome:
    """Where a save went and what could not simply be merged: true conflicts (the same cell
    changed by a teammate to another value) and changes whose row or column was deleted."""

    name: str
    revision: int
    conflict_message: str | None = None
    conflicts: tuple[Conflict, ...] = ()
    unapplied: tuple[str, ...] = ()


def _data(store: SheetStore, workspace_id: int) -> WorkspaceData:
    """The typed facade over the gate (a bare store, in storage tests, is opened as is)."""
    gate = store if isinstance(store, WorkspaceGate) else WorkspaceGate(store, user=None,
                                                                         auth=False)
    return WorkspaceData(gate, workspace_id)


def _held(workspace_id: int, name: str, revision: int, content: dict[str, Any]) -> HeldSheet:
    saved = ERROR_SHEET.from_content(content)
    return HeldSheet(workspace_id, name, revision, saved.frame, saved.categories, saved.meta,
                     row_ids=list(saved.row_ids),
                     column_ids=dict(zip(map(str, saved.frame.columns), saved.column_ids,
                                         strict=True)),
                     base=SHEET_FORMAT.to_doc(content))


def load_sheet(store: SheetStore, workspace_id: int, name: str, *,
               revision: int | None = None) -> HeldSheet | None:
    """Read a stored sheet (latest revision unless one is asked for); None when absent.

    Raises ValueError saying why when the stored sheet cannot be read (damaged or old format).
    A restored old revision is held on top of the latest one: saving it merges the difference.
    """
    latest = store.get_item(workspace_id, SHEET_KIND, name)
    item = latest if revision is None else store.get_item(workspace_id, SHEET_KIND, name,
                                                          revision=revision)
    if item is None or item.content is None:
        return None
    for found in (item, latest):
        if isinstance(found.content, UnreadableContent):
            raise ValueError(found.content.error)
    sheet = _held(workspace_id, name, item.revision, item.content)
    if revision is not None:
        sheet.revision, sheet.base = latest.revision, SHEET_FORMAT.to_doc(latest.content)
    return sheet


def sheet_doc(sheet: HeldSheet) -> Doc:
    """The held sheet as a merge doc; rows and columns it gained since its ids were given (rows
    appended, a category added) get fresh ids here, kept on the sheet."""
    sheet.row_ids += [new_id() for _ in range(len(sheet.frame) - len(sheet.row_ids))]
    for column in map(str, sheet.frame.columns):
        sheet.column_ids.setdefault(column, new_id())
    columns = [sheet.column_ids[str(c)] for c in sheet.frame.columns]
    content = ERROR_SHEET.to_content(ErrorSheet(sheet.frame, sheet.categories, sheet.meta,
                                                tuple(sheet.row_ids[:len(sheet.frame)]),
                                                tuple(columns)))
    return SHEET_FORMAT.to_doc(content)


def _words(sheet: Doc, saved: MergedSave) -> tuple[str, ...]:
    """What could not be applied, in words a reviewer acts on."""
    said = []
    for lost in saved.merged.unapplied:
        row = getattr(lost.op, "row", None)
        column = getattr(lost.op, "column", None)
        who = saved.deleted_by(row, column) or "a teammate"
        place = row_label(saved.doc, row) or row_label(sheet, row) or "a new row"
        said.append(f"your change to {place} was not applied: {who} deleted that "
                    f"{'row' if lost.reason == 'row deleted' else 'category'} meanwhile.")
    return tuple(said)


def row_label(doc: Doc, row: str | None) -> str | None:
    """'example img_3' for a row of `doc` (its example id), None when the row is not there."""
    if row is None or row not in doc.cells:
        return None
    column = doc.column_named(ID_COLUMN)
    example = doc.cells[row].get(column) if column is not None else None
    if example in (None, ""):
        return f"row {doc.row_ids.index(row) + 1}"
    return f"example {example}"


def save_sheet(store: SheetStore, sheet: HeldSheet, *, author: str) -> SaveOutcome:
    """Save what changed in `sheet` since the revision it is based on, merged cell by cell into
    the latest revision (teammates' edits of other cells are kept and come back in `sheet`).

    Only a true conflict (a cell a teammate changed to another value) is not written: it comes
    back in the outcome with both values and who set theirs, for the person to choose.
    `author` is who a bare store records (a gate always records its own user).
    """
    del author  # the gate records its signed-in user; a bare store runs open
    data = _data(store, sheet.workspace_id)
    base = sheet.base or SHEET_FORMAT.to_doc(data.item(ERROR_SHEET, sheet.name).content)
    mine = sheet_doc(sheet)
    saved = data.save_merged(ERROR_SHEET, sheet.name, diff(base, mine),
                             base_revision=sheet.revision)
    merged = _held(sheet.workspace_id, sheet.name, saved.item.revision, saved.content)
    sheet.frame, sheet.categories, sheet.meta = merged.frame, merged.categories, merged.meta
    sheet.row_ids, sheet.column_ids, sheet.base = merged.row_ids, merged.column_ids, merged.base
    sheet.revision = merged.revision
    conflicts = saved.merged.conflicts
    message = None
    if conflicts:
        message = (f"{len(conflicts)} of your changes clash with a teammate's change of the same "
                   "cell: theirs is kept for now; choose below which value stays.")
    return SaveOutcome(sheet.name, sheet.revision, message, conflicts, _words(mine, saved))


def create_sheet(store: SheetStore, workspace_id: int, name: str, frame: pd.DataFrame,
                 categories: list[str], meta: dict[str, Any], *, author: str) -> HeldSheet:
    """Store a new sheet as revision 1; a name already in use is refused (ValueError)."""
    name = str(name).strip()
    if not name:
        raise ValueError("sheet name is empty: type a name for the new sheet.")
    frame = validate_sheet(frame, categories)
    content = ERROR_SHEET.to_content(ErrorSheet(frame, list(categories), dict(meta),
                                                tuple(legacy_row_ids(len(frame))),
                                                tuple(map(str, frame.columns))))
    try:
        save = store.save_item(workspace_id, SHEET_KIND, name, content=content,
                               expected_revision=0, author=author)
    except StaleRevisionError:
        raise ValueError(f"sheet name {name!r} is already used in this workspace: choose another "
                         "name, or open that sheet from the list.") from None
    return _held(workspace_id, name, save.revision, content)


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
    sheet.frame, sheet.row_ids = frame, _editor_row_ids(changes)
    save_held(store, author=author)


def _editor_row_ids(changes: Any) -> list[str]:
    """Row ids of the editor's output: the input's rows it kept, then the rows it added (each
    added row keeps its id for the whole generation, as the editor keeps their order)."""
    gone = {int(r) for r in changes.get("deleted_rows") or ()}
    kept = [rid for i, rid in enumerate(st.session_state[_BASE_IDS]) if i not in gone]
    added = st.session_state.setdefault(_ADDED_IDS, [])
    added += [new_id() for _ in range(len(changes.get("added_rows") or ()) - len(added))]
    return kept + added[:len(changes.get("added_rows") or ())]


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
    _new_base(sheet)
    _give_settings(sheet)


def follow(sheet: HeldSheet) -> None:
    """Show `sheet`, the open sheet with teammates' edits merged in. When only values changed
    (same rows and columns) and the editor's own changes still hold in it, the editor keeps
    its generation: its key and identity stay, so the grid stays mounted and a cell being
    edited is left alone while the merged values appear. Otherwise a new generation starts."""
    previous = held()
    if previous is None or previous.name != sheet.name or _BASE not in st.session_state:
        hold(sheet)
        return
    changes = st.session_state.get(editor_key(previous)) or {}
    base = editor_input(sheet.frame)
    same_shape = (list(sheet.row_ids[:len(sheet.frame)]) == st.session_state[_BASE_IDS]
                  and list(base.columns) == list(editor_base().columns)
                  and not changes.get("added_rows") and not changes.get("deleted_rows"))
    try:
        agree = same_shape and sheet_to_content(sheet_from_editor(
            base, changes, sheet.categories), sheet.categories) == sheet_to_content(
            sheet.frame, sheet.categories)
    except ValueError:
        agree = False
    if not agree:
        hold(sheet)
        return
    sheet.generation = previous.generation
    st.session_state[_HELD] = sheet
    st.session_state[_BASE] = base
    _give_settings(sheet)


def _give_settings(sheet: HeldSheet) -> None:
    """Settings widgets show the sheet's values. When a widget shows another value (a
    teammate's merged edit, a restored revision), the settings widgets get new keys, drawn with
    the sheet's values as their defaults (setting_defaults). A page that had not yet drawn the
    new value would otherwise send its old one back as if typed (seen with five sessions on one
    sheet: old and new values saved in turn)."""
    wanted = setting_defaults(sheet)
    shown = {key: st.session_state[setting_key(key)] for key in wanted
             if setting_key(key) in st.session_state}
    if any(value != wanted[key] for key, value in shown.items()):
        st.session_state[_SETTINGS_ROUND] = st.session_state.get(_SETTINGS_ROUND, 0) + 1


def setting_defaults(sheet: HeldSheet) -> dict[str, Any]:
    """The value each settings widget starts from for `sheet`, by its base key.

    They are the widgets' defaults (value=/index=), never written into session state: a value
    written there reaches the browser only with the run that wrote it, so a run interrupted
    before drawing the widget left the next run to draw it bare, and the browser then sent the
    widget's own default (0.00, the first category) back as if typed, overwriting the sheet's
    settings for everyone."""
    return {DEV_ERROR_KEY: float(sheet.meta.get("dev_error", DEFAULT_DEV_ERROR_PCT)),
            TOTAL_KEY: int(sheet.meta.get("total_dev_errors") or 0),
            LABEL_KEY: mislabeled_category(sheet.categories, sheet.meta)}


def setting_key(key: str) -> str:
    """The widget key of a sheet setting now (DEV_ERROR_KEY, TOTAL_KEY or LABEL_KEY); it
    changes each time a teammate's edit of the settings is merged in."""
    round_ = st.session_state.get(_SETTINGS_ROUND, 0)
    return key if round_ == 0 else f"{key}.{round_}"


def settle_settings_keys(sheet: HeldSheet) -> None:
    """New settings keys when the label widget holds a category the sheet no longer has (a
    category renamed or deleted): it then starts again from the sheet's own choice. Call
    before any settings widget is drawn."""
    label = st.session_state.get(setting_key(LABEL_KEY))
    if label is not None and label not in sheet.categories:
        st.session_state[_SETTINGS_ROUND] = st.session_state.get(_SETTINGS_ROUND, 0) + 1


def ensure_editor_base(sheet: HeldSheet) -> pd.DataFrame:
    """The editor's input; rebuilt from the sheet when the editor holds no changes yet (its widget
    state is absent: first draw, or dropped while another page ran), so it never shows a stale base."""
    if editor_key(sheet) not in st.session_state or _BASE not in st.session_state:
        _new_base(sheet)
    return st.session_state[_BASE]


def _new_base(sheet: HeldSheet) -> None:
    """The editor's input and the ids of its rows, taken from the sheet as it is now."""
    sheet_doc(sheet)  # rows gained since the ids were given get theirs
    st.session_state[_BASE] = editor_input(sheet.frame)
    st.session_state[_BASE_IDS] = list(sheet.row_ids[:len(sheet.frame)])
    st.session_state[_ADDED_IDS] = []


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
    """Save the open sheet, merged with teammates' changes; keep any true conflicts for the
    person to choose, say what could not be applied, and restart the editor on the merged
    sheet when teammates' changes came in with the save."""
    sheet = held()
    if sheet is None:
        return None
    shown, shown_meta = sheet_to_content(sheet.frame, sheet.categories), dict(sheet.meta)
    outcome = save_sheet(store, sheet, author=author)
    if outcome.conflicts:
        st.session_state[_CONFLICTS] = (sheet.name, outcome.conflicts)
    if outcome.unapplied:
        notify("warning", " ".join(text[0].upper() + text[1:] for text in outcome.unapplied))
    if sheet_to_content(sheet.frame, sheet.categories) != shown or sheet.meta != shown_meta:
        follow(sheet)
    return outcome


def rename_column_id(sheet: HeldSheet, old: str, new: str) -> None:
    """A renamed column keeps its id, so a teammate's tick in the old name lands in the new."""
    if old in sheet.column_ids:
        sheet.column_ids[new] = sheet.column_ids.pop(old)


def open_conflicts() -> tuple[Conflict, ...]:
    """The open sheet's clashes still waiting for the person's choice."""
    sheet, found = held(), st.session_state.get(_CONFLICTS)
    return found[1] if sheet is not None and found and found[0] == sheet.name else ()


def resolve_conflict(store: SheetStore, conflict: Conflict, *, use_mine: bool) -> None:
    """Settle one clash: keep the teammate's value, or put ours over it (a new revision, itself
    merged: if the cell changed again meanwhile, the new clash is shown instead)."""
    remaining = tuple(c for c in open_conflicts() if c != conflict)
    sheet = held()
    st.session_state[_CONFLICTS] = (sheet.name, remaining)
    if not use_mine:
        return
    saved = _data(store, sheet.workspace_id).save_merged(ERROR_SHEET, sheet.name,
                                                         [mine_over_theirs(conflict)],
                                                         base_revision=sheet.revision)
    st.session_state[_CONFLICTS] = (sheet.name, (*remaining, *saved.merged.conflicts))
    follow(_held(sheet.workspace_id, sheet.name, saved.item.revision, saved.content))


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
        latest = _data(store, workspace_id).latest_revision(ERROR_SHEET, selected)
        stale = latest is not None and latest != sheet.revision  # a teammate's merged edit
    if stale:
        try:
            loaded = load_sheet(store, workspace_id, selected)
        except ValueError as err:
            st.session_state.pop(_HELD, None)
            st.session_state[_UNREADABLE] = (selected, str(err))
            return
        if loaded is not None:
            follow(loaded)


def unreadable() -> tuple[str, str] | None:
    """(name, why) when the selected sheet cannot be read, else None."""
    return st.session_state.get(_UNREADABLE)
