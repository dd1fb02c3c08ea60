"""Predictions evaluated where they live: the "Data source" choice of the predictions picker
and the pages' results computed by a configured source's engine (sources/).

Sources are configured by the admin in secrets.toml (`[workbench.sources.<name>]`); a user
picks one by name, then a table of it or a read-only query, then which columns hold the
label, the score and the split. Each result says which engine computed it and how long it
took; a running query shows its progress and stops on the engine when Cancel is pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from analysis.bias_variance import decompose_split_errors
from analysis.text import escape_markdown
from analysis.waterfall_result import BiasVarianceResult
from components.errors import show_error
from sources import adapter, pushdown
from sources.config import SourceConfig, source_named, sources_from_settings
from sources.run import Computed, run_query

FILE_CHOICE = "Uploaded or saved file"
T = TypeVar("T")


def configured_sources() -> dict[str, SourceConfig]:
    """`[workbench.sources]` of secrets.toml; a broken entry is shown, never used."""
    try:
        settings = st.secrets.get("workbench", {}).get("sources")
    except (FileNotFoundError, KeyError, AttributeError):  # no secrets.toml: no sources
        return {}
    try:
        return sources_from_settings(settings)
    except ValueError as err:
        show_error(err, title="Data sources")
        return {}


def chosen_source(key: str) -> SourceConfig | None:
    """The configured source chosen for picker `key`, None for a file (or no sources)."""
    sources = configured_sources()
    if not sources:
        return None
    choice = st.radio("Data source", [FILE_CHOICE, *sources], key=f"{key}.source",
                      horizontal=True, help="Files are uploaded; sources are set up by the "
                      "server's admin and evaluated where their data lives.")
    return None if choice == FILE_CHOICE else source_named(choice, sources)


def large_upload_slot(key: str) -> str:
    """Where picker `key` keeps the DuckDB source of a large upload (components/source_upload)."""
    return f"{key}.large_upload"


def source_in_use(key: str) -> SourceConfig | None:
    """The source that picker `key` drew as chosen this run (no widget drawn here): a
    configured source, or the DuckDB source of a large upload."""
    choice = st.session_state.get(f"{key}.source")
    if choice in (None, FILE_CHOICE):
        return st.session_state.get(large_upload_slot(key))
    return configured_sources().get(choice)


def _connection(source: SourceConfig) -> adapter.Connection:
    """One open connection per session and source (a cancel stops this session's query only)."""
    slot = f"sources.conn.{source.name}.{source.location}"
    if slot not in st.session_state:
        st.session_state[slot] = adapter.connect(source)
    return st.session_state[slot]


def _table_or_query(key: str, conn: adapter.Connection) -> Any:
    """The user's table of the source, or their read-only query over its tables."""
    tables = conn.tables
    how = st.segmented_control("Read", ["Table", "Query"], default="Table", key=f"{key}.how")
    if how == "Query":
        text = st.text_area("Read-only SQL query", key=f"{key}.query",
                            placeholder=f"SELECT * FROM {tables[0]} WHERE ..." if tables else "")
        if not text.strip():
            return None
        return adapter.sql(conn, text)
    name = st.selectbox("Table", tables, key=f"{key}.table")
    return None if name is None else adapter.table(conn, name)


def _guess(columns: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [c.lower() for c in columns]
    return next((lowered.index(n) for n in names if n in lowered), None)


def _roles(key: str, columns: list[str]) -> pushdown.Roles | None:
    """Which column holds the label, the score and the split (guessed, then the user's)."""
    left, middle, right = st.columns(3)
    y_true = left.selectbox("True label (0/1)", columns, key=f"{key}.y_true",
                            index=_guess(columns, ("y_true", "label", "y", "target")))
    score = middle.selectbox("Score", columns, key=f"{key}.score",
                             index=_guess(columns, ("score", "y_score", "proba", "s")))
    split = right.selectbox("Split", columns, key=f"{key}.split",
                            index=_guess(columns, ("split", "set", "subset")))
    if y_true is None or score is None:
        return None
    return pushdown.Roles(y_true=y_true, score=score, split=split)


def source_input(key: str, source: SourceConfig) -> tuple[adapter.Connection, Any,
                                                           pushdown.Roles] | None:
    """Connection, table expression and roles, or None with the reason shown."""
    try:
        conn = _connection(source)
        table = _table_or_query(key, conn)
        if table is None:
            return None
        roles = _roles(key, list(table.columns))
    except ValueError as err:
        show_error(err)
        return None
    return None if roles is None else (conn, table, roles)


def computed(conn: adapter.Connection, compute: Callable[[], T], label: str) -> Computed[T] | None:
    """Run `compute` on the engine with a progress bar and a Cancel button; the result's
    provenance (engine, source, seconds) is shown under it."""
    cancel = st.empty()
    cancel.button("Cancel", key=f"sources.cancel.{label}", icon=":material/stop_circle:",
                  help="Stops the query on the engine.")
    bar = st.progress(0.0, text=f"{escape_markdown(label)} on {conn.source.engine}…")

    def poll(done: float | None) -> None:
        bar.progress(done or 0.0, text=f"{escape_markdown(label)} on {conn.source.engine}…"
                     + ("" if done is None else f" {done:.0%}"))

    try:
        result = run_query(conn, compute, poll=poll)
    except ValueError as err:
        show_error(err)
        return None
    except Exception as err:  # the engine refused the query: say so, without a traceback
        show_error(f"The {conn.source.engine} engine could not run this: "
                   f"{str(err).splitlines()[0][:200]}")
        return None
    finally:
        cancel.empty()
        bar.empty()
    st.caption(f":material/database: {escape_markdown(result.provenance)}")
    return result


def source_threshold(key: str, where: Any = st) -> float:
    """The threshold the engine applies to the score column, drawn in `where`."""
    return where.slider("Threshold (score ≥ threshold predicts positive)", 0.0, 1.0, 0.5, 0.01,
                        key=f"{key}.threshold")


def waterfall_from_source(key: str, source: SourceConfig,
                          human: object) -> BiasVarianceResult | None:
    """The waterfall's levels counted by the source's engine."""
    chosen = source_input(key, source)
    if chosen is None:
        return None
    conn, table, roles = chosen
    threshold = source_threshold(key)
    done = computed(conn, lambda: pushdown.errors_by_split(table, roles, threshold=threshold),
                    "Errors per split")
    if done is None:
        return None
    try:
        return decompose_split_errors(done.value, human=human)
    except ValueError as err:
        show_error(err)
        return None
