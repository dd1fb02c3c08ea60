"""Split planner page: not built yet (issue 7 fills it)."""

import streamlit as st

st.title("Split planner")
st.info("This page is not built yet: it is planned in issue 7.", icon=":material/construction:")
