"""ML Strategy Workbench: the entry point only routes (pages live in views/).

The folder is not called pages/: Streamlit would treat that as a v1 multipage folder until
app.py first ran st.navigation, so a deep link to a fresh server would run the page file alone,
without the sidebar and without the sign-in gate below.
"""

import streamlit as st

from analysis.text import escape_markdown
from components.errors import show_error
from components.sign_in import require_sign_in
from components.state import (
    auth_enabled,
    current_user,
    report_background_saves,
    resolve_workspace,
    set_shared,
    start_background_saves,
    take_access_notice,
)
from components.theme import favicon
from workspace.gate import NoAccess

st.set_page_config(page_title="ML Strategy Workbench", page_icon=favicon(), layout="wide")

require_sign_in()

PAGES = {
    "Start": [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("views/workspaces.py", title="Workspaces", icon=":material/folder_shared:",
                url_path="workspaces"),
    ],
    "Diagnose": [
        st.Page("views/waterfall.py", title="Bias & variance", icon=":material/waterfall_chart:",
                url_path="waterfall"),
        st.Page("views/metrics.py", title="Metrics", icon=":material/speed:", url_path="metrics"),
        st.Page("views/error_analysis.py", title="Error analysis", icon=":material/fact_check:",
                url_path="error-analysis"),
        st.Page("views/error_slices.py", title="Error slices", icon=":material/troubleshoot:",
                url_path="error-slices"),
    ],
    "Plan and learn": [
        st.Page("views/split_planner.py", title="Split planner", icon=":material/call_split:",
                url_path="split-planner"),
        st.Page("views/training_lab.py", title="Training lab", icon=":material/model_training:",
                url_path="training-lab"),
    ],
    "Share": [
        st.Page("views/report.py", title="Project report", icon=":material/summarize:",
                url_path="report"),
    ],
}

page = st.navigation(PAGES)
set_shared("page.url_path", page.url_path)

workspace = resolve_workspace()
with st.sidebar:
    st.caption("Workspace")
    st.markdown(f"**{escape_markdown(workspace.name)}**")
    st.caption(f"Signed in as {escape_markdown(current_user())}" if auth_enabled() else
               "Open for local use (no sign-in configured)")

notice = take_access_notice()
if notice:
    show_error(notice)
report_background_saves()
try:
    page.run()
except NoAccess as err:  # the workspace went away mid-run (deleted, or this user was removed)
    show_error(err)
finally:  # a big upload's save starts once its page is drawn, so it never delays the page
    start_background_saves()
