"""Home: what the playground is and where each part of the course lives."""

import streamlit as st

from playground import ui

st.title("Sequence Playground")
st.markdown(
    "See sequence models and time-series methods **work**, on the course's datasets or on your own CSV. "
    "Pick a page in the menu on the left; every page has a dataset picker and an upload button in the sidebar, "
    "and the dataset you choose stays selected as you move between pages."
)

st.subheader("The course, page by page")
TOPICS = [
    ("Sequence data and notation: x⟨t⟩, T_x, one value per time step", "pages/decomposition.py", "Decomposition"),
    ("Decomposition into trend, seasonal and remainder; additive and multiplicative", "pages/decomposition.py", "Decomposition"),
    ("Strength of trend and seasonality; is anything left in the remainder?", "pages/decomposition.py", "Decomposition"),
    ("Stationarity; classical forecasting (naive … SARIMA) with MAE, RMSE, MAPE", None, "Forecasting"),
    ("Neural forecasters: NARN, LSTM and GRU", None, "Forecasting"),
    ("The vanilla RNN cell and its shapes: one-to-one … many-to-many", None, "RNN cell"),
    ("Backpropagation through time; vanishing and exploding gradients", None, "BPTT"),
    ("LSTM and GRU gates", None, "LSTM & GRU gates"),
    ("Seq2Seq encoder–decoder; parallel vs autoregressive decoding; attention", "pages/seq2seq.py", "Seq2Seq"),
    ("Named-entity recognition; vocabulary with <unk>; bidirectional RNNs", None, "NER tagging"),
]
for topic, page, title in TOPICS:
    left, right = st.columns([3, 1])
    left.markdown(f"- {topic}")
    if page:
        with right:
            ui.page_link(page, title)
    else:
        right.caption(f"{title}: not in the playground yet")

st.subheader("Your own data")
st.markdown(
    "Upload a CSV with a date column and a column of numbers. Files from Excel, semicolon-separated files "
    "with decimal commas, dates like `31.03.2021`, `03/31/2021`, `2021-03` or `2021 Q1`, gaps and junk cells "
    "are all fine: the loader repairs what it can and tells you exactly what it changed."
)
