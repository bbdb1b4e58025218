"""Home: what the playground is and where each part of the course lives."""

import streamlit as st

from playground import ui

COURSE = {
    "Time series": [
        ("pages/decomposition.py", "Decomposition", [
            "trend, seasonal and remainder; additive and multiplicative models",
            "the seasonal period m, from the calendar and from the data",
            "strength of trend and seasonality; is anything left in the remainder?",
        ]),
        ("pages/forecasting.py", "Forecasting", [
            "stationarity: ADF, KPSS, differencing, ACF and PACF",
            "naive, seasonal naive, moving average, exponential smoothing, ARIMA, SARIMA; MAE, RMSE, MAPE",
            "a lag-based neural net (NARN) and LSTM / GRU forecasters",
        ]),
    ],
    "Recurrent networks": [
        ("pages/rnn_cell.py", "RNN cell", [
            "sequence data and notation: x⟨t⟩, y⟨t⟩, T_x, T_y; words as one-hot vectors, <unk>",
            "why not a standard network",
            "a⟨t⟩ = tanh(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a), ŷ⟨t⟩ = softmax(W_ya a⟨t⟩ + b_y)",
            "one-to-one … many-to-many",
        ]),
        ("pages/bptt.py", "BPTT", ["backpropagation through time", "vanishing and exploding gradients"]),
        ("pages/gates.py", "LSTM & GRU gates", [
            "LSTM: forget, update and output gates, candidate, cell", "GRU: update and relevance gates",
        ]),
    ],
    "Sequence tasks": [
        ("pages/seq2seq.py", "Seq2Seq", [
            "encoder–decoder and the encoding vector", "parallel vs autoregressive decoding, teacher forcing",
            "exposure bias and scheduled sampling", "attention",
        ]),
        ("pages/ner.py", "NER tagging", [
            "named-entity recognition with one-hot words", "a vocabulary with <unk>", "bidirectional RNNs",
        ]),
    ],
}

ui.use_app_menu()
st.title("Sequence Playground")
st.markdown(
    "See sequence models and time-series methods **work**, on the course's datasets or on your own CSV. "
    "Every page that uses data has a dataset picker and an upload button in the sidebar; the dataset you "
    "choose stays selected as you move between pages."
)

for section, pages in COURSE.items():
    st.header(section)
    for column, (path, title, topics) in zip(st.columns(len(pages)), pages):
        with column.container(border=True):
            if path in ui.MENU_PATHS:
                ui.page_link(path, title)
            else:
                st.markdown(f"**{title}**")
                st.caption("Not in the playground yet.")
            st.markdown("\n".join(f"- {topic}" for topic in topics))

st.header("Your own data")
st.markdown(
    "Upload a CSV with a date column and a column of numbers. Files from Excel, semicolon-separated files "
    "with decimal commas, dates like `31.03.2021`, `03/31/2021`, `2021-03` or `2021 Q1`, gaps and junk cells "
    "are all fine: the loader repairs what it can and tells you exactly what it changed."
)
