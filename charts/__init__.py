"""Plotly figure builders: plain data or analysis result objects in, a go.Figure out.

No streamlit here: views draw the figures with st.plotly_chart, the report embeds them.
"""
