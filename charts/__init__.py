"""Plotly figure builders: analysis results in, go.Figure out; no streamlit here."""
