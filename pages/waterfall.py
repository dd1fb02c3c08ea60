"""Bias & variance page: not built yet (issue 3 fills it)."""

import streamlit as st

st.title("Bias & variance")
st.info("This page is not built yet: it is planned in issue 3.", icon=":material/construction:")
