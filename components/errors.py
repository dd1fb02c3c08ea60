"""How a page shows a problem with the user's input: a clear st.error, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

# Characters Streamlit's markdown would act on: emphasis, links, code, headings, lists, LaTeX
# ($...$), tables, ":material/...:" icons, and "<" (raw HTML is never rendered, but a browser
# should not even see a tag-shaped string in a message built from a user's cell).
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~>:<])")


def escape_markdown(text: object) -> str:
    """`text` with every markdown-significant character escaped, so it shows literally.

    Examples
    --------
    >>> escape_markdown("**x** [a](javascript:1) $y$")
    '\\\\*\\\\*x\\\\*\\\\* \\\\[a\\\\]\\\\(javascript\\\\:1\\\\) \\\\$y\\\\$'
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


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
