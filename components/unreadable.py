"""A saved item a page cannot show: the page says what is wrong with it and offers to rename it
(to keep it aside) or delete it, instead of failing for everyone in the workspace."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.errors import escape_markdown, show_error
from components.state import access_lost, content_digest, current_workspace, workspace_data


def _keys(kind: str, name: str, place: str) -> tuple[str, str]:
    """Widget-key prefix of this item's controls (one set per place that shows the item), and
    the key of its pending problem."""
    prefix = f"broken.{place}.{kind}.{content_digest(name.encode())}"
    return prefix, f"{prefix}.problem"


@access_lost
def _rename(kind: str, name: str, place: str, after: Callable[[], None] | None) -> None:
    prefix, problem = _keys(kind, name, place)
    try:
        workspace_data().rename_item(current_workspace().id, kind, name, st.session_state[f"{prefix}.name"])
    except ValueError as err:
        st.session_state[problem] = str(err)
        return
    if after is not None:
        after()


@access_lost
def _delete(kind: str, name: str, place: str, after: Callable[[], None] | None) -> None:
    workspace_data().delete_item(current_workspace().id, kind, name)
    if after is not None:
        after()


def unreadable_item(kind: str, name: str, error: object, *, what: str, place: str = "page",
                    after: Callable[[], None] | None = None) -> None:
    """Say that `what` `name` (of store kind `kind`) cannot be shown and why, with a rename field
    and a delete button; `after` runs once either has changed the store (to drop caches).
    `place` tells apart two pickers of one page that both name the item."""
    st.error(f"**{escape_markdown(what)} '{escape_markdown(name)}' cannot be shown**: "
             f"{escape_markdown(error)} Rename it to keep it aside, or delete it.",
             icon=":material/broken_image:")
    prefix, problem = _keys(kind, name, place)
    field, rename, delete = st.columns([3, 1, 1], vertical_alignment="bottom")
    field.text_input(f"New name for {name}", value=f"{name} (unreadable)", key=f"{prefix}.name")
    rename.button("Rename", key=f"{prefix}.rename", on_click=_rename, args=(kind, name, place, after),
                  icon=":material/edit:")
    delete.button("Delete", key=f"{prefix}.delete", on_click=_delete, args=(kind, name, place, after),
                  type="tertiary", icon=":material/delete:")
    if problem in st.session_state:
        show_error(st.session_state.pop(problem))
