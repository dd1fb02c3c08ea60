"""Project report page: not built yet (issue 7 fills it)."""

import streamlit as st

st.title("Project report")
st.info("This page is not built yet: it is planned in issue 7.", icon=":material/construction:")
