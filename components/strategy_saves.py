"""The strategy page's saves: the iteration log and the learning curve are written only over
the revision the page opened, so a teammate's newer save is never overwritten; a stale save is
named next to the button with a way to load their version. Every item remembers the revision
the page opened (the goal's merged save starts from it: components/goal_merge.py)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from analysis.text import escape_markdown
from components.errors import show_error
from components.state import current_workspace
from storage import Item, StaleRevisionError

_OPENED = "strategy.opened"  # {kind: (workspace id, revision the page opened)}


def opened(kind: str) -> int | None:
    """The revision of `kind` this session opened in the current workspace (None = not yet)."""
    seen = st.session_state.setdefault(_OPENED, {}).get(kind)
    return seen[1] if seen and seen[0] == current_workspace().id else None


def mark_opened(kind: str, item: Item | None) -> None:
    """Remember the revision of `kind` the page now shows (0 = none saved yet)."""
    st.session_state.setdefault(_OPENED, {})[kind] = (current_workspace().id,
                                                      item.revision if item else 0)


def arriving(kind: str, widget_key: str) -> bool:
    """True when the page should (re)read `kind` from the store into its widgets: on the first
    visit, after 'Load their version', and on coming back from another page (Streamlit drops
    the state of widgets a run did not draw, so a missing widget key means a fresh visit)."""
    return opened(kind) is None or widget_key not in st.session_state


def reload_from_store(kind: str) -> None:
    """Forget what this session opened: the next run reads the teammate's save."""
    st.session_state.setdefault(_OPENED, {}).pop(kind, None)


def saved_caption(item: Item | None) -> None:
    """Which revision is saved, by whom and when (or that nothing is saved yet)."""
    if item is None:
        st.caption("Not saved yet.")
    else:
        who = f" by {item.updated_by}" if item.updated_by else ""
        st.caption(escape_markdown(f"Revision {item.revision}, saved{who} on "
                                   f"{item.updated_at:%Y-%m-%d %H:%M} UTC."))


def save_guarded(kind: str, save: Callable[[int], Item], key: str) -> Item | None:
    """Run `save(expected_revision)`; a teammate's newer save is shown with a reload button."""
    try:
        item = save(opened(kind) or 0)
    except StaleRevisionError as err:
        show_error(err, title="Not saved")
        st.button("Load their version", key=f"{key}.reload", on_click=reload_from_store, args=(kind,),
                  icon=":material/refresh:")
        return None
    except ValueError as err:
        show_error(err)
        return None
    mark_opened(kind, item)
    st.success(f"Saved (revision {item.revision}).", icon=":material/check:")
    return item
