"""Page state with one owner: each page keeps its session-state keys under one prefix, and a
value handed from one page to another is a typed object sent once and taken once.

A page's widget values are dropped when another page runs; values a page keeps for itself
(and hand-offs) live under keys no widget owns, so they survive the visit to another page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pandas as pd
import streamlit as st

T = TypeVar("T")

_HANDOFF_PREFIX = "workbench.handoff."


class PageState:
    """The session-state keys of one page, all named `prefix.name`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, name: str) -> str:
        """The session-state key (and widget key) of `name` on this page."""
        return f"{self.prefix}.{name}"

    def get(self, name: str, default: Any = None) -> Any:
        """The value under `name`, else `default`."""
        return st.session_state.get(self.key(name), default)

    def set(self, name: str, value: Any) -> None:
        """Keep `value` under `name` for the rest of the session."""
        st.session_state[self.key(name)] = value

    def setdefault(self, name: str, value: Any) -> Any:
        """The value under `name`, set to `value` first when there is none."""
        return st.session_state.setdefault(self.key(name), value)

    def pop(self, name: str, default: Any = None) -> Any:
        """Remove the value under `name` and return it (`default` when there was none)."""
        return st.session_state.pop(self.key(name), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.key(name) in st.session_state


class HandOff(Generic[T]):
    """A typed value one page sends and another takes once (it is gone after the take)."""

    def __init__(self, name: str, kind: type[T]) -> None:
        self.key = _HANDOFF_PREFIX + name
        self.kind = kind

    def send(self, value: T) -> None:
        """Leave `value` for the receiving page (replacing anything not taken yet)."""
        if not isinstance(value, self.kind):
            raise TypeError(f"{self.key} carries {self.kind.__name__}, not "
                            f"{type(value).__name__}.")
        st.session_state[self.key] = value

    def take(self) -> T | None:
        """The value sent, removed so that it is received once; None when nothing waits."""
        return st.session_state.pop(self.key, None)


@dataclass(frozen=True, eq=False)
class ExamplesForSheet:
    """Misclassified examples any page sends to start an error-analysis sheet from.

    `rows` has the sheet's example columns (example_id, image_path, y_true, y_pred, score);
    `dev_error_pct` is the error of the model they come from on that set, for the ceilings;
    `source` says where they come from ("metrics page"); `details` is kept in the sheet's
    settings (e.g. model and threshold).
    """

    rows: pd.DataFrame
    dev_error_pct: float
    source: str
    details: Mapping[str, Any] = field(default_factory=dict)


EXAMPLES_FOR_SHEET: HandOff[ExamplesForSheet] = HandOff("examples_for_sheet", ExamplesForSheet)
