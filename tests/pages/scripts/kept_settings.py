"""A one-widget page for the tests of ui.kept: a horizon whose range and default depend on the data."""

import streamlit as st

from playground import ui

data = st.session_state.get("which", "A")
limit = 10 if data == "A" else 5
st.slider("h", 1, limit, **ui.kept("h", 3, lambda v: 1 <= v <= limit, data=data, label="Horizon"))
st.slider("width", 1, 10, **ui.kept("width", 2, label="Width"))
