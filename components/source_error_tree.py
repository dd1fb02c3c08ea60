"""The error tree of the error-slices page for a data source (or a large upload queried
through DuckDB): grown on a seeded random sample of the source's rows drawn by its engine
(sources/error_tree.py), with the page saying plainly how many of how many rows it saw.

The sample is kept for the session under the query, columns and settings that drew it, so
selecting a slice or another rerun does not draw it again.
"""

from __future__ import annotations

import hashlib
from typing import Any

import ibis
import streamlit as st

from analysis.text import escape_markdown
from charts.error_tree import ERROR_TREE_CAPTION, error_tree_figure
from components.source_picker import computed
from sources import adapter
from sources.error_tree import MAX_TREE_ROWS, SampledTree, error_tree_on_sample
from sources.pushdown import Roles
from sources.run import Computed


def _memo_key(key: str, conn: adapter.Connection, rows: Any, settings: tuple) -> str:
    """Where the session keeps the tree of these rows (the compiled query) and settings."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (conn.source.name, conn.source.location, ibis.to_sql(rows), repr(settings)):
        digest.update(str(part).encode())
    return f"{key}.tree.{digest.hexdigest()}"


def _grown(key: str, conn: adapter.Connection, rows: Any, roles: Roles, columns: list[str],
           threshold: float, min_size: int, seed: int) -> Computed[SampledTree] | None:
    """The tree of these rows and settings: drawn once per session, then kept."""
    settings = (roles, tuple(columns), threshold, min_size, seed)
    slot = _memo_key(key, conn, rows, settings)
    if slot not in st.session_state:
        done = computed(conn, lambda: error_tree_on_sample(
            rows, roles, columns, threshold=threshold, min_samples_leaf=min_size,
            size=MAX_TREE_ROWS, seed=seed),
            "Error tree sample")
        if done is None:
            return None
        for stale in [k for k in st.session_state if str(k).startswith(f"{key}.tree.")]:
            del st.session_state[stale]  # one tree kept per page
        st.session_state[slot] = done
    else:
        st.caption(f":material/database: {escape_markdown(st.session_state[slot].provenance)}")
    return st.session_state[slot]


def source_error_tree(key: str, conn: adapter.Connection, rows: Any, roles: Roles,
                      columns: list[str], threshold: float, min_size: int) -> None:
    """The error tree of `rows` on `columns`, grown on a seeded sample the engine draws."""
    st.subheader("Error tree")
    seed = st.number_input(f"Seed of the tree's sample (at most {MAX_TREE_ROWS:,} rows)", 0,
                           10**6, 0, key=f"{key}.tree_seed",
                           help="The same seed draws the same rows, so the tree is the same.")
    done = _grown(key, conn, rows, roles, columns, threshold, int(min_size), int(seed))
    if done is None:
        return
    tree = done.value
    if tree.sampled < tree.total:
        st.info(escape_markdown(tree.summary), icon=":material/casino:")
    else:
        st.caption(escape_markdown(tree.summary))
    st.plotly_chart(error_tree_figure(tree.nodes, height=480), key=f"{key}.tree")
    st.caption(ERROR_TREE_CAPTION)
