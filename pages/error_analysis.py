"""Error analysis page: not built yet (issue 5 fills it)."""

import streamlit as st

st.title("Error analysis")
st.info("This page is not built yet: it is planned in issue 5.", icon=":material/construction:")
