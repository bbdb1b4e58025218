"""Plotly figure builders: data in, go.Figure out. Pure functions, no Streamlit."""
