"""Decomposition: split a series into trend, seasonal and remainder, and see how."""

import numpy as np
import pandas as pd
import streamlit as st

from playground import data, ui
from playground.decomposition import (
    DecompositionError, cycle_labels, decompose, periods_for_frequency, residual_check, strength, suggest_periods,
)
from playground.figures import decomposition as figures

METHOD_NAMES = {"classical": "Classical (moving average)", "stl": "STL (Loess)", "mstl": "MSTL (several seasons)"}
FORMULAS = {
    "additive": r"x_t = T_t + S_t + E_t",
    "multiplicative": r"x_t = T_t \times S_t \times E_t",
}
WHEN = {
    "additive": "The seasonal swing has the **same size** whatever the level of the series (CO₂: ±3 ppm every year).",
    "multiplicative": "The seasonal swing **grows with the level** (air passengers: the summer peak is a "
                      "percentage of the trend). Needs strictly positive data.",
}

ui.use_app_menu()
st.title("Decomposition")
st.markdown("Split a series into a **trend**, a **seasonal** pattern that repeats every *m* steps, "
            "and a **remainder**: what is left when both are taken out.")

loaded = ui.data_source()
if loaded is None:
    st.stop()
series = loaded.series


@st.cache_data(max_entries=64, show_spinner="Decomposing…")
def cached_decomposition(series, model, method, period, robust, smoother):
    return decompose(series, model=model, method=method, period=period, robust=robust, seasonal_smoother=smoother)


suggestion = suggest_periods(series)  # milliseconds: it reads at most 20,000 points
fingerprint = data.fingerprint(series)
max_period = max(2, len(series))  # larger than n/2 is allowed, so decompose() can explain why it fails
calendar = periods_for_frequency(getattr(series.index, "freqstr", None))
default_period = (suggestion.periods or calendar or [2])[0]
methods = ["classical", "stl"] + (["mstl"] if len(suggestion.periods) >= 2 else [])

left, middle, right = st.columns([1, 1.3, 1.6])
model = left.radio("Model", ["additive", "multiplicative"], **ui.kept("model", "additive"))
method = middle.radio("Method", methods, format_func=METHOD_NAMES.get,
                      **ui.kept("method", "classical", lambda v: v in methods))
with right:
    period = st.number_input(
        "Period m (steps per season)", min_value=2, max_value=max_period, step=1,
        **ui.kept(f"period_{fingerprint}", min(default_period, max_period), lambda v: 2 <= v <= max_period),
    )
    second_period = None
    if method == "mstl":
        others = [p for p in suggestion.periods if p != period] or [min(2 * period, max_period)]
        second_period = st.number_input(
            "Second period", min_value=2, max_value=max_period, step=1,
            **ui.kept(f"period2_{fingerprint}", min(others[0], max_period), lambda v: 2 <= v <= max_period),
        )
    st.caption(f"Suggested: {', '.join(map(str, suggestion.periods)) or 'none'}. {suggestion.reason}")

robust, smoother = False, 7
if method in ("stl", "mstl"):
    a, b = st.columns(2)
    robust = a.checkbox("Robust (outliers get less weight)", **ui.kept("robust", False))
    if method == "stl":
        smoother = b.select_slider("Seasonal window (odd; larger = a steadier season)",
                                   options=list(range(7, 52, 2)), **ui.kept("smoother", 7))

if not suggestion.periods and not calendar:
    st.info("No seasonal period shows in the dates or in the data (yearly data usually has none). "
            "Enter a period if you know one; with none, read the trend panel as a moving-average smoother.")

formula_col, text_col = st.columns([1, 2])
with formula_col:
    st.latex(FORMULAS[model])
    if model == "multiplicative" and method != "classical":
        st.latex(r"\log x_t = \log T_t + \log S_t + \log E_t")
with text_col:
    st.markdown(WHEN[model])
    if model == "multiplicative" and method != "classical":
        st.caption("STL is additive: for the multiplicative model it decomposes log x_t and takes exp of each part.")
    if method == "mstl":
        st.caption("MSTL: S_t is the sum of one seasonal component per period.")

periods = (int(period), int(second_period)) if method == "mstl" else int(period)
try:
    result = cached_decomposition(series, model, method, periods, robust, smoother)
except DecompositionError as error:
    st.error(ui.escape_markdown(error))
    ui.plot(figures.series_figure(series, "The series as loaded"))
    st.stop()

trend_strength, season_strength = strength(result)
check = residual_check(result)
m1, m2, m3 = st.columns(3)
m1.metric("Strength of trend F_T", f"{trend_strength:.2f}", help="0 = no trend, 1 = all trend")
m2.metric("Strength of seasonality F_S", f"{season_strength:.2f}", help="0 = no season, 1 = all season")
m3.metric("Ljung–Box p-value of the remainder", "—" if check.is_exact else f"{check.ljung_box_pvalue:.3g}",
          help="Below 0.05: the remainder is still autocorrelated")
with st.expander("How the strengths are measured"):
    st.latex(r"F_T = \max\left(0,\ 1 - \frac{\operatorname{Var}(E_t)}{\operatorname{Var}(T_t + E_t)}\right)\qquad "
             r"F_S = \max\left(0,\ 1 - \frac{\operatorname{Var}(E_t)}{\operatorname{Var}(S_t + E_t)}\right)")
    st.caption("Hyndman & Athanasopoulos, FPP3 §4.3: if the remainder is small next to trend + remainder, the trend "
               "is strong. For the multiplicative model they are measured on log T, log S, log E, where the parts add.")

components_tab, profile_tab, remainder_tab, steps_tab = st.tabs(
    ["Components", "Seasonal profile", "Remainder diagnostics", "How classical decomposition works"]
)
labels = cycle_labels(series.index, result.periods[0])

with components_tab:
    ui.plot(figures.components_figure(result))
    ui.download_csv(result.components(), "decomposition.csv", "Download the components as CSV")

with profile_tab:
    st.markdown(f"One seasonal cycle of **{result.periods[0]} steps**: the line is the seasonal component, "
                "the points behind it are the values it summarises.")
    ui.plot(figures.seasonal_profile_figure(result, labels))

with remainder_tab:
    (st.info if check.is_exact else st.warning if check.has_structure else st.success)(check.reading)
    ui.plot(figures.acf_figure(check))

with steps_tab:
    m = result.periods[0]
    classical = result
    if result.steps is None:
        st.caption(f"The chart above uses {METHOD_NAMES[method]}. Here is the classical method at the same period.")
        classical = cached_decomposition(series, model, "classical", m, False, 7)
    steps = classical.steps
    half = m // 2
    if m % 2 == 0:
        st.markdown(f"**1. Trend.** For an even period m = {m} a plain m-term average is not centred on a time "
                    f"step, so the classical method averages two of them: the **centred 2×{m} moving average**, "
                    f"with weight 1/{2 * m} on the two outer values and 1/{m} on the rest.")
        st.latex(rf"T_t = \frac{{1}}{{{2 * m}}}x_{{t-{half}}} + \frac{{1}}{{{m}}}\sum_{{j=-{half - 1}}}^{{{half - 1}}}"
                 rf" x_{{t+j}} + \frac{{1}}{{{2 * m}}}x_{{t+{half}}}")
    else:
        st.markdown(f"**1. Trend.** For an odd period m = {m} the m-term moving average is already centred.")
        st.latex(rf"T_t = \frac{{1}}{{{m}}}\sum_{{j=-{half}}}^{{{half}}} x_{{t+j}}")
    st.markdown(f"The first and last **{half}** trend values are empty: the window would reach past the ends of "
                "the data, and the classical method does not invent values there (STL does, by local regression).")
    op = "-" if model == "additive" else "/"
    st.markdown(f"**2. Detrend:** x_t {op} T_t. **3. Seasonal indices:** average the detrended values at each "
                "position of the cycle, then normalise them so that they "
                + ("sum to 0." if model == "additive" else f"average 1 (sum to {m}).")
                + f" **4. Remainder:** x_t {op} T_t {op} S_t.")
    ui.plot(figures.classical_steps_figure(classical, labels))
    table = pd.DataFrame({"average of detrended": steps.raw_indices, "seasonal index S": steps.indices},
                         index=pd.Index(labels, name="position")).round(4)
    st.dataframe(table.T if m <= 24 else table, width="stretch")
    total = float(np.sum(steps.indices))
    st.caption(f"Sum of the indices: {total:.4f} (should be {'0' if model == 'additive' else m}).")
