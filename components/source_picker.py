"""Predictions evaluated where they live: the "Data source" choice of the predictions picker
and the pages' results computed by a configured source's engine (sources/).

Sources are configured by the admin in secrets.toml (`[workbench.sources.<name>]`); a user
picks one by name, then a table of it or a read-only query, then maps its columns as a file's
are mapped: the label, a score or predicted label, the split, a weight, and the positive class
of binary labels (read from the label's distinct values, counted by the engine). Each result says which engine computed it and how long it
took; a running query shows its progress and stops on the engine when Cancel is pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import streamlit as st

from analysis.bias_variance import decompose_split_errors
from analysis.detection import column_for_role
from analysis.text import escape_markdown
from analysis.waterfall_result import BiasVarianceResult
from components.errors import show_error
from components.role_labels import NONE, POSITIVE_HELP, SINGLE_ROLES
from components.state import content_digest
from sources import adapter, labels, pushdown
from sources.config import SourceConfig, source_named, sources_from_settings
from sources.labels import LabelCodes
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


def _table_or_query(key: str, conn: adapter.Connection) -> tuple[Any, str] | None:
    """The user's table of the source, or their read-only query over its tables, and what
    was asked (the key of what is remembered about it)."""
    tables = conn.tables
    how = st.segmented_control("Read", ["Table", "Query"], default="Table", key=f"{key}.how")
    if how == "Query":
        text = st.text_area("Read-only SQL query", key=f"{key}.query",
                            placeholder=f"SELECT * FROM {tables[0]} WHERE ..." if tables else "")
        if not text.strip():
            return None
        return adapter.sql(conn, text), f"query:{text}"
    name = st.selectbox("Table", tables, key=f"{key}.table")
    return None if name is None else (adapter.table(conn, name), f"table:{name}")


def _role(where: Any, role: str, columns: list[str], key: str, *, label: str,
          optional: bool = True, taken: tuple[str, ...] = ()) -> str | None:
    """One role's column, guessed from the names as the file mapping guesses them."""
    options = [NONE, *columns] if optional else columns
    guess = column_for_role(columns, role, taken)
    choice = where.selectbox(label, options, key=f"{key}.{role}",
                             index=options.index(guess) if guess in options else
                             (0 if optional else None))
    return None if choice == NONE else choice


def _label_codes(key: str, conn: adapter.Connection, table: Any, asked: str,
                 y_true: str, y_pred: str | None) -> LabelCodes | None:
    """The label columns' classes, counted by the engine once per (table, columns)."""
    slot, fingerprint = f"{key}.label_codes", (conn.source.name, asked, y_true, y_pred)
    kept = st.session_state.get(slot)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    done = computed(conn, lambda: labels.label_codes(table, y_true, y_pred), "Labels",
                    show_provenance=False)
    if done is not None:
        st.session_state[slot] = (fingerprint, done.value)
    return None if done is None else done.value


def _positive(where: Any, key: str, codes: LabelCodes) -> str:
    """The positive class of binary labels: the reader's guess first, the user's choice."""
    guess, notes = labels.positive_choice(codes)
    options = list(dict.fromkeys([*codes.classes, guess]))
    chosen = where.selectbox("Positive class", options, index=options.index(guess),
                             key=f"{key}.positive.{'|'.join(codes.classes)}",
                             help=POSITIVE_HELP)  # options are plain text, never Markdown
    if chosen == guess:
        for note in notes:
            where.caption(f":material/info: {escape_markdown(note)}")
    return chosen


def _roles(key: str, conn: adapter.Connection, table: Any, asked: str) -> pushdown.Roles | None:
    """Which column holds the label, the score or predicted label, the split and the weight
    (guessed, then the user's), the label's classes and, for binary labels, the positive class."""
    columns = list(table.columns)
    # keyed by what was read, as the file form is keyed by the file: another source or
    # table never inherits this one's choices
    key = f"{key}.{content_digest(f'{conn.source.name}:{asked}'.encode())}"
    top, bottom = st.columns(3), st.columns(3)
    y_true = _role(top[0], "y_true", columns, key, label=SINGLE_ROLES["y_true"], optional=False)
    score = _role(top[1], "score", columns, key, label="Score (P(positive))",
                  taken=(y_true,) if y_true else ())
    y_pred = _role(top[2], "y_pred", columns, key, label=SINGLE_ROLES["y_pred"])
    split = _role(bottom[0], "split", columns, key, label=SINGLE_ROLES["split"])
    weight = _role(bottom[1], "weight", columns, key, label=f"{SINGLE_ROLES['weight']} (optional)")
    if y_true is None:
        return None
    if score is None and y_pred is None:
        raise ValueError("Map a score column or a predicted-label column: the metrics need the "
                         "model's output.")
    codes = _label_codes(key, conn, table, asked, y_true, y_pred)
    if codes is None:
        return None
    roles = pushdown.Roles(y_true=y_true, score=score, y_pred=y_pred, split=split,
                           weight=weight, codes=codes)
    if codes.task == "binary":
        return replace(roles, positive=_positive(bottom[2], key, codes))
    if y_pred is None:
        shown = ", ".join(repr(c) for c in codes.classes[:6])
        raise ValueError(f"Labels in {y_true!r} are not binary: {len(codes.classes)} different "
                         f"values ({shown}), but the only prediction is the score column "
                         f"{score!r} (one probability per row). Map a predicted-label column "
                         "for multiclass metrics, or fix the labels to two values.")
    bottom[2].caption(f"Multiclass: {len(codes.classes)} classes.")
    return roles


def source_input(key: str, source: SourceConfig) -> tuple[adapter.Connection, Any,
                                                           pushdown.Roles] | None:
    """Connection, table expression and roles, or None with the reason shown."""
    try:
        conn = _connection(source)
        found = _table_or_query(key, conn)
        if found is None:
            return None
        roles = _roles(key, conn, *found)
    except ValueError as err:
        show_error(err)
        return None
    return None if roles is None else (conn, found[0], roles)


def computed(conn: adapter.Connection, compute: Callable[[], T], label: str, *,
             show_provenance: bool = True) -> Computed[T] | None:
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
    if show_provenance:
        st.caption(f":material/database: {escape_markdown(result.provenance)}")
    return result


def source_threshold(key: str, where: Any = st, roles: pushdown.Roles | None = None) -> float:
    """The threshold the engine applies to the score column, drawn in `where` (none to draw
    when the model's predicted labels are used: no score, or multiclass labels)."""
    if roles is not None and not roles.thresholded:
        return 0.5
    return where.slider("Threshold (score ≥ threshold predicts positive)", 0.0, 1.0, 0.5, 0.01,
                        key=f"{key}.threshold")


def waterfall_from_source(key: str, source: SourceConfig,
                          human: object) -> BiasVarianceResult | None:
    """The waterfall's levels counted by the source's engine."""
    chosen = source_input(key, source)
    if chosen is None:
        return None
    conn, table, roles = chosen
    threshold = source_threshold(key, roles=roles)
    done = computed(conn, lambda: pushdown.errors_by_split(table, roles, threshold=threshold),
                    "Errors per split")
    if done is None:
        return None
    try:
        return decompose_split_errors(done.value, human=human)
    except ValueError as err:
        show_error(err)
        return None
