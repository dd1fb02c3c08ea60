"""A teammate's save that clashed with mine, offered as a choice: for each true conflict (the
same field or cell changed by both of us to different values) both values and who set theirs,
with "keep theirs" and "use mine". The merged save (workspace.merged_save) already kept their
value; "use mine" puts mine over it as a new, itself merged, revision.

Used by the pages that save a kind several people edit field by field or row by row (the
project goal, the model table); the error sheet has its own panel for its cells and categories.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from analysis.text import escape_markdown
from components.state import access_lost, current_workspace, workspace_items
from workspace.kinds import SavedKind
from workspace.merged_save import MergedSave
from workspace.table_merge import Conflict, mine_over_theirs


def shown_value(value: Any) -> str:
    """A saved value in words: ticked / not ticked / empty / 'text' / numbers and lists."""
    if value is True:
        return "ticked"
    if value is False:
        return "not ticked"
    if value in (None, "") or value == []:
        return "empty"
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


def _state_key(key: str) -> str:
    return f"{key}.conflicts"


def hold_conflicts(key: str, kind: SavedKind[Any], name: str, saved: MergedSave) -> None:
    """Keep the conflicts a merged save of `name` returned, for `choice_panel(key, ...)`."""
    found = (current_workspace().id, kind.name, name, tuple(saved.merged.conflicts))
    if saved.merged.conflicts:
        st.session_state[_state_key(key)] = found
    else:
        st.session_state.pop(_state_key(key), None)


def _open(key: str, kind: SavedKind[Any], name: str) -> tuple[Conflict, ...]:
    held = st.session_state.get(_state_key(key))
    if not held or held[:3] != (current_workspace().id, kind.name, name):
        return ()
    return held[3]


@access_lost
def _choose(key: str, kind: SavedKind[Any], name: str, conflict: Conflict, use_mine: bool,
            on_saved: Callable[[], None] | None) -> None:
    """Settle one clash; "use mine" saves it merged, and a new clash (the value changed again
    meanwhile) is shown instead."""
    remaining = tuple(c for c in _open(key, kind, name) if c != conflict)
    st.session_state[_state_key(key)] = (current_workspace().id, kind.name, name, remaining)
    if not use_mine:
        return
    data = workspace_items()
    try:
        saved = data.save_merged(kind, name, [mine_over_theirs(conflict)],
                                 base_revision=data.latest_revision(kind, name) or 0)
    except (ValueError, RuntimeError) as err:
        st.session_state[f"{key}.choice_error"] = str(err)
        return
    st.session_state[_state_key(key)] = (current_workspace().id, kind.name, name,
                                         (*remaining, *saved.merged.conflicts))
    if on_saved is not None:
        on_saved()


def choice_panel(key: str, kind: SavedKind[Any], name: str, where: Callable[[Conflict], str],
                 on_saved: Callable[[], None] | None = None) -> None:
    """Each open clash on `name`: where (`where(conflict)`, in the page's words), both values
    and who set theirs; `on_saved` runs (in the button's callback) after "use mine" saved."""
    problem = st.session_state.pop(f"{key}.choice_error", None)
    if problem:
        st.error(escape_markdown(problem), icon=":material/error:")
    conflicts = _open(key, kind, name)
    if not conflicts:
        return
    with st.container(border=True, key=f"{key}.conflicts_panel"):
        st.warning("A teammate changed the same thing while you were editing it. Their value "
                   "is kept for now; choose which value stays.", icon=":material/call_split:")
        for number, conflict in enumerate(conflicts):
            who = conflict.theirs_by or "a teammate"
            when = f" (revision {conflict.theirs_revision})" if conflict.theirs_revision else ""
            place = where(conflict)
            st.markdown(escape_markdown(
                f"{place[:1].upper()}{place[1:]}: you set {shown_value(conflict.mine)}; {who} "
                f"set {shown_value(conflict.theirs)}{when}."))
            left, right = st.columns(2)
            left.button(escape_markdown(f"Keep theirs: {shown_value(conflict.theirs)}"[:120]),
                        key=f"{key}.conflict.{number}.theirs", icon=":material/group:",
                        on_click=_choose, args=(key, kind, name, conflict, False, on_saved))
            right.button(escape_markdown(f"Use mine: {shown_value(conflict.mine)}"[:120]),
                         key=f"{key}.conflict.{number}.mine", icon=":material/person:",
                         on_click=_choose, args=(key, kind, name, conflict, True, on_saved))
