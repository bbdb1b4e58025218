"""Sequence Playground: the front door. Page config and the menu, nothing else."""

import streamlit as st

st.set_page_config(page_title="Sequence Playground", page_icon=":material/timeline:", layout="wide")

st.navigation(
    {
        "": [st.Page("pages/home.py", title="Start here", icon=":material/school:", default=True)],
        "Time series": [
            st.Page("pages/decomposition.py", title="Decomposition", icon=":material/stacked_line_chart:"),
        ],
    }
).run()
