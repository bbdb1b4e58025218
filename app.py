"""Sequence Playground: the front door. Page config, the menu, and a background warm-up of slow imports."""

import streamlit as st

from playground import ui

st.set_page_config(page_title="Sequence Playground", page_icon=":material/timeline:", layout="wide")
ui.warm_up("statsmodels.tsa.seasonal", "statsmodels.tsa.stattools", "plotly.subplots")
ui.navigation().run()
