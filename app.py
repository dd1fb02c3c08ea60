"""ML Strategy Workbench: the entry point only routes (pages live in views/).

The folder is not called pages/: Streamlit would treat that as a v1 multipage folder until
app.py first ran st.navigation, so a deep link to a fresh server would run the page file alone,
without the sidebar and without the sign-in gate below.
"""

import streamlit as st

from analysis.text import escape_markdown
from charts.theme import favicon
from components.errors import show_error
from components.pages import navigation
from components.sign_in import require_sign_in
from components.state import (
    auth_enabled,
    begin_run,
    current_user,
    end_run,
    report_background_saves,
    resolve_workspace,
    set_shared,
    start_background_saves,
    take_access_notice,
)
from workspace.gate import NoAccess

st.set_page_config(page_title="ML Strategy Workbench", page_icon=favicon(), layout="wide")

require_sign_in()



def _shell() -> None:
    """The sidebar's workspace, any notice, then the chosen page."""
    page = st.navigation(navigation())
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


begin_run()  # the workspace is read once for this run; every check of the run reuses that read
try:
    _shell()
finally:  # widget callbacks of the next run read the workspace afresh
    end_run()
