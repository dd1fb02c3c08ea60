"""The sign-in gate app.py runs before any page: fail closed, then admit only verified people.

A broken configuration stops every page with a message for the admin (never open mode); with
sign-in configured a visitor sees only the sign-in buttons, and a provider answer without a
verified e-mail is refused with the reason and a way to sign out.
"""

from __future__ import annotations

import streamlit as st

from components.errors import show_error
from components.state import current_identity, sign_in
from workspace.identity import DEFAULT_PROVIDER, AuthConfigError, SignInRefused, SignInSettings


def require_sign_in() -> None:
    """Stop the run unless the app may show workspaces to whoever is here."""
    try:
        settings = sign_in()
    except AuthConfigError as err:
        st.title("ML Strategy Workbench")
        show_error(err, title="The server's sign-in configuration is broken, so nothing is shown")
        st.stop()
    if not settings.enabled:
        return
    if not getattr(st.user, "is_logged_in", False):
        _sign_in_page(settings)
        st.stop()
    try:
        current_identity()
    except SignInRefused as err:
        st.title("ML Strategy Workbench")
        show_error(err)
        st.button("Sign out", on_click=st.logout, icon=":material/logout:",
                  key="app.refused_logout")
        st.stop()


def _sign_in_page(settings: SignInSettings) -> None:
    st.title("ML Strategy Workbench")
    st.write("This server is shared by a team: sign in to see your workspaces.")
    for provider in settings.providers:
        label = "Sign in" if provider == DEFAULT_PROVIDER else f"Sign in with {provider}"
        key = "app.login" if provider == DEFAULT_PROVIDER else f"app.login.{provider}"
        st.button(label, on_click=st.login, icon=":material/login:", key=key,
                  args=(None if provider == DEFAULT_PROVIDER else provider,))
