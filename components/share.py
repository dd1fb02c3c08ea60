"""'Copy link': the URL of the current view, query parameters included, for a teammate."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from components.state import current_workspace, get_shared


def current_view_url() -> str:
    """This page's address with every query parameter (widgets bound to the URL included) and
    the open workspace (?ws=), so the link opens the same view of the same workspace."""
    base = (st.context.url or "http://localhost:8501").rstrip("/")
    page_path = get_shared("page.url_path", "") or ""
    if page_path and not base.endswith("/" + page_path):
        base = f"{base}/{page_path}"
    params = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)
              if key != "ws"]
    params.append(("ws", str(current_workspace().id)))
    return f"{base}?{urlencode(params)}" if params else base


def copy_link(label: str = "Copy link") -> None:
    """A popover holding the view's URL in a code box (its copy button puts it on the clipboard)."""
    with st.popover(label, icon=":material/link:"):
        st.caption("Anyone with access to this server opens the same view with this link:")
        st.code(current_view_url(), language=None, wrap_lines=True)
