"""Reading the training lab's drawing component in AppTest: the spec it was sent (counters,
charts, frames), and a counter as the browser shows it."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def component_spec(at: AppTest, kind: str = "live") -> dict:
    """The spec of the lab drawing component of this kind ("live", "race" or "tiles")."""
    for element in at.get("bidi_component"):
        spec = json.loads(element.proto.json)
        if spec.get("kind") == kind:
            return spec
    raise AssertionError(f"no lab component of kind {kind!r} on the page")


def counter(at: AppTest, label: str, kind: str = "live") -> str:
    """A counter's value in the last frame sent, formatted as the component formats it."""
    spec = component_spec(at, kind)
    item = next(c for c in spec["counters"] if c["label"] == label)
    frame = spec["frames"][-1]
    value = frame["x"] if item["key"] == "epoch" else frame["values"][item["key"]]
    if value is None:
        return "diverged" if item["format"] == "cost" else "–"
    return {"int": f"{value:,}", "cost": f"{value:.4f}", "pct": f"{value:.1f}%"}.get(
        item["format"], f"{value:.3g}")
