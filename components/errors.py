"""How a page shows a problem with the user's input: a clear st.error, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from analysis.text import escape_markdown

T = TypeVar("T")


def show_error(error: BaseException | str, *, title: str | None = None) -> None:
    """Show `error` as a red box where the call stands (next to the widget that caused it).

    The message quotes the user's file (cell values, column and file names), so it is shown
    literally: markdown, LaTeX and HTML in it are escaped, never rendered.
    """
    message = escape_markdown(str(error) or error.__class__.__name__)
    st.error(f"**{escape_markdown(title)}**: {message}" if title else message,
             icon=":material/error:")


def attempt(fn: Callable[..., T], *args: object, error_title: str | None = None,
            **kwargs: object) -> T | None:
    """Call fn; on ValueError (the analysis package's "bad input") show it and return None.

    Any other exception is a bug in the app and is left to propagate.
    """
    try:
        return fn(*args, **kwargs)
    except ValueError as err:
        show_error(err, title=error_title)
        return None
