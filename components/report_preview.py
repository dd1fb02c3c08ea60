"""The report shown inside the app: as the document it downloads as, or as slides (review
mode: one finding per slide, arrow keys / PageUp / PageDown to move, printable a slide per
page from the downloaded file)."""

from __future__ import annotations

import streamlit as st

from reporting import as_slides

DOCUMENT, SLIDES = "Document", "Slides (review mode)"


def show_preview(html: str) -> None:
    """The built report as a document or as slides; the choice is kept for the session."""
    st.subheader("Preview")
    shown = st.segmented_control("Show the report here as", [DOCUMENT, SLIDES], default=DOCUMENT,
                                 key="report.preview")
    # The HTML is ours: every user-typed text in it is escaped (reporting.to_html).
    if shown == SLIDES:
        st.caption("Keys: → ↓ PageDown or Space for the next slide, ← ↑ PageUp for the "
                   "previous one, Home / End, Esc for the document. To print a slide per page, "
                   "download the HTML file and print it from the browser (landscape).")
        st.iframe(as_slides(html), height=720, tab_index=0, alt="The project review as slides")
    elif shown == DOCUMENT:
        st.iframe(html, height=1100, alt="The project review")
