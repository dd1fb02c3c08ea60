"""Home: what each page answers, and the sample project in one click."""

import streamlit as st

from analysis.text import escape_markdown
from components.pages import PAGES
from components.sample_project import SAMPLE_FILES, load_sample_project, sample_project_loaded
from components.state import current_workspace, loaded_predictions

st.title("ML Strategy Workbench")
st.write("Your model is not good enough yet. This workbench applies the course framework of "
         "*Structuring Machine Learning Projects* and *Improving Deep Neural Networks* to your "
         "own numbers, so you can decide what to try next.")

cards = [spec for spec in PAGES if spec.question]
left, right = st.columns(2)
for position, spec in enumerate(cards):
    with (left if position % 2 == 0 else right), st.container(border=True):
        spec.link()
        st.caption(spec.question)

st.subheader("Start with data")
workspace = current_workspace()
if sample_project_loaded():
    st.success(f"The sample project is loaded in workspace **{escape_markdown(workspace.name)}**: "
               "every page now shows it. Upload your own predictions on any page to compare.",
               icon=":material/check_circle:")
else:
    st.write("New here? Load the sample project: a cat classifier trained on web images and "
             "evaluated on mobile uploads (with two models to compare), a multiclass and a "
             "multi-task file, and a reviewed error-analysis sheet.")
    if st.button("Load the sample project", type="primary", icon=":material/pets:",
                 key="home.load_sample"):
        load_sample_project()
        st.rerun()

files = loaded_predictions()
if files:
    st.caption("Files in this workspace")
    st.dataframe(
        [files.summary(name) for name in files],
        hide_index=True, width="stretch", key="home.files")
else:
    st.caption(f"Sample files: {', '.join(SAMPLE_FILES)} (in data/).")
