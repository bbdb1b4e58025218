"""Sequence Playground: the front door. Page config, the menu, and a background warm-up of slow imports."""

import streamlit as st

from playground import ui

st.set_page_config(page_title="Sequence Playground", page_icon=":material/timeline:", layout="wide")
ui.warm_up("statsmodels.tsa.seasonal", "statsmodels.tsa.stattools", "plotly.subplots")

st.navigation(
    {
        "": [st.Page("pages/home.py", title="Start here", icon=":material/school:", default=True)],
        "Time series": [
            st.Page("pages/decomposition.py", title="Decomposition", icon=":material/stacked_line_chart:"),
        ],
        "Sequence tasks": [
            st.Page("pages/seq2seq.py", title="Seq2Seq", icon=":material/swap_horiz:"),
        ],
    }
).run()
