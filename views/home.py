"""Home: what each page answers, and the sample project in one click."""

import streamlit as st

from analysis.text import escape_markdown
from components.sample_project import SAMPLE_FILES, load_sample_project, sample_project_loaded
from components.state import current_workspace, loaded_predictions

st.title("ML Strategy Workbench")
st.write("Your model is not good enough yet. This workbench applies the course framework of "
         "*Structuring Machine Learning Projects* and *Improving Deep Neural Networks* to your "
         "own numbers, so you can decide what to try next.")

QUESTIONS = [
    ("Bias & variance", "views/waterfall.py", ":material/waterfall_chart:",
     "Where does the error come from: avoidable bias, variance, data mismatch or "
     "overfitting to dev? What should we try next?"),
    ("Metrics", "views/metrics.py", ":material/speed:",
     "Precision, recall, F1 and the threshold; which model wins under our constraints; is "
     "model A really better than B?"),
    ("Error analysis", "views/error_analysis.py", ":material/fact_check:",
     "Which category of mistakes is worth fixing first, and are bad labels worth cleaning?"),
    ("Split planner", "views/split_planner.py", ":material/call_split:",
     "How should train / train-dev / dev / test be composed, and how big must dev be?"),
    ("Training lab", "views/training_lab.py", ":material/model_training:",
     "Why does He initialisation, Adam, L2, dropout or batch norm help? Watch a network train."),
    ("Project report", "views/report.py", ":material/summarize:",
     "One self-contained file with the whole story, for the project review."),
]

left, right = st.columns(2)
for position, (title, path, icon, question) in enumerate(QUESTIONS):
    with (left if position % 2 == 0 else right), st.container(border=True):
        st.page_link(path, label=title, icon=icon)
        st.caption(question)

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
