"""The lab's live drawing: one st.components.v2 component (inline JavaScript and CSS from
components/lab_live/, no build step, nothing fetched from the network) that draws the
training frames on canvases in the browser.

A server update trains a tick in FRAMES_PER_TICK chunks and sends one frame per chunk; the
browser plays them one every `frame_ms`, so the page redraws several times a second while
Streamlit reruns the live fragment about once a second. The component's root element says
how many frames it drew (data-frame-count), for the tests and the benchmark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from analysis.training import live

_ASSETS = Path(__file__).with_name("lab_live")
_COMPONENT = st.components.v2.component(
    "lab_live", js=(_ASSETS / "live.js").read_text(encoding="utf-8"),
    css=(_ASSETS / "live.css").read_text(encoding="utf-8"))


def frame_ms() -> int:
    """How long the browser shows each frame: a tick's frames spread over a little less than
    the time to the next tick, so one message's frames are drawn before the next arrives."""
    return max(20, int(0.95 * 1000 * live.TICK_INTERVAL_SECONDS / max(live.FRAMES_PER_TICK, 1)))


def run_token(obj: Any) -> str:
    """Names one run for the browser: frames of a new run (a reset, new settings) are drawn
    from its start instead of being taken for old ones."""
    return f"{id(obj):x}"


def draw(spec: dict[str, Any], *, key: str) -> None:
    """Mount (or update) the drawing component with a spec from charts/lab_live.py."""
    _COMPONENT(data=spec, key=key, width="stretch", height="content")
