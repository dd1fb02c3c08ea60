"""Metrics page: not built yet (issue 4 fills it)."""

import streamlit as st

st.title("Metrics")
st.info("This page is not built yet: it is planned in issue 4.", icon=":material/construction:")
