"""The eyeball / blackbox split of the searched rows: a seeded part the team looks at, sized by
the errors to review, and the rest only measured; the eyeball ids download as a CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.eyeball import eyeball_split
from analysis.sheet_io import export_csv
from analysis.text import escape_markdown
from components.error_slices import KEY, SearchRows
from components.errors import show_error


def eyeball_panel(rows: SearchRows) -> None:
    """Widgets, sizes, reasons and the download of the eyeball set of `rows`."""
    where = rows.split or "all"
    with st.expander(f"Eyeball / blackbox split of the {where} rows", icon=":material/visibility:"):
        left, right = st.columns(2)
        wanted = left.number_input("Errors to review", 1, 10_000, 100, step=10,
                                   key=f"{KEY}.eyeball_errors")
        seed = right.number_input("Seed (same seed, same split)", 0, 10**6, 0,
                                  key=f"{KEY}.eyeball_seed")
        try:
            split = eyeball_split(len(rows.errors), int(wanted), float(rows.errors.mean()),
                                  seed=int(seed))
        except ValueError as err:
            show_error(err)
            return
        a, b, c = st.columns(3)
        a.metric("Eyeball examples", f"{len(split.eyeball):,}")
        b.metric("Blackbox examples", f"{len(split.blackbox):,}")
        c.metric("Errors expected to review", f"{split.expected_errors:,.0f}")
        st.markdown(escape_markdown(split.reason))
        for warning in split.warnings:
            st.caption(f":material/warning: {escape_markdown(warning)}")
        ids = pd.DataFrame({"example_id": rows.example_ids[split.eyeball]})
        st.download_button("Download the eyeball ids (CSV)", export_csv(ids),
                           f"eyeball_{where}_seed{int(seed)}.csv", "text/csv",
                           key=f"{KEY}.eyeball_download", on_click="ignore",
                           icon=":material/download:")
