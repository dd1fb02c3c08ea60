"""The server's upload limits ([workbench.limits] in secrets.toml) and its gate on large parses.

Every uploader reads its file through `parse_slot`: the limits come from one place, and large
files are parsed a few at a time across all sessions of this server, the others being told
that they wait for another upload to finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import streamlit as st

from analysis.limits import ParseGate, ReadLimits

WAITING = "Waiting for another upload to finish before reading this file…"


def read_limits() -> ReadLimits:
    """The defaults of ReadLimits with `[workbench.limits]` of secrets.toml over them.

    Raises ValueError naming the wrong key or value, shown where the upload is.
    """
    try:
        configured = st.secrets.get("workbench", {}).get("limits", {})
    except (FileNotFoundError, KeyError, AttributeError):
        configured = {}
    if not isinstance(configured, Mapping):
        raise ValueError("[workbench.limits] in secrets.toml must be a table of limits "
                         f"(max_rows = 10000000, ...); got {configured!r}.")
    return ReadLimits.from_mapping(dict(configured))


@st.cache_resource(show_spinner=False)
def _gate(slots: int) -> ParseGate:
    """The one gate of this server process (per configured number of slots)."""
    return ParseGate(slots)


@contextmanager
def parse_slot(data: bytes, limits: ReadLimits,
               on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Run the block (a parse of `data`) once one of the server's parse slots is free.

    Small files do not wait. While a large one waits, `on_wait` runs (by default a notice
    where the call stands says so; the notice goes once the file is read).
    """
    notices = []

    def waiting() -> None:
        if on_wait is not None:
            on_wait()
        else:
            notices.append(st.info(WAITING, icon=":material/hourglass_top:"))

    try:
        with _gate(limits.parallel_parses).hold(limits.needs_slot(data), waiting):
            yield
    finally:
        for notice in notices:
            notice.empty()
