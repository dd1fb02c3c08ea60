"""Training lab page: not built yet (issue 6 fills it)."""

import streamlit as st

st.title("Training lab")
st.info("This page is not built yet: it is planned in issue 6.", icon=":material/construction:")
