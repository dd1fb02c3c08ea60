"""What a workspace holds and who may reach it: sign-in settings, identities, access rules, and
the gate every read and write of workspace data goes through. No Streamlit here."""
