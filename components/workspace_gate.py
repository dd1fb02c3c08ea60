"""A page that shows people's projects checks sign-in itself, whatever routed to it.

app.py gates the whole app, but until app.py has run st.navigation once on a server, Streamlit
treats pages/ as a v1 multipage folder and a deep link runs the page file directly.
"""

from __future__ import annotations

import streamlit as st

from components.state import auth_enabled


def stop_unless_signed_in(key: str) -> None:
    """With sign-in configured and nobody signed in: offer 'Sign in' and stop the page."""
    if auth_enabled() and not getattr(st.user, "is_logged_in", False):
        st.warning("Sign in to see your workspaces.", icon=":material/lock:")
        st.button("Sign in", on_click=st.login, key=key, icon=":material/login:")
        st.stop()
