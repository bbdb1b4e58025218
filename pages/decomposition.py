"""Decomposition: split a series into trend, seasonal and remainder, and see how."""

import numpy as np
import pandas as pd
import streamlit as st

from playground import data, ui
from playground import decomposition as dec
from playground.figures import decomposition as figures

METHOD_NAMES = {"classical": "Classical (moving average)", "stl": "STL (Loess)", "mstl": "MSTL (several seasons)",
                "trend": "Trend only (no season)"}
FORMULAS = {
    ("additive", True): r"x_t = T_t + S_t + E_t",
    ("multiplicative", True): r"x_t = T_t \times S_t \times E_t",
    ("additive", False): r"x_t = T_t + E_t",
    ("multiplicative", False): r"x_t = T_t \times E_t",
}
WHEN = {
    "additive": "The seasonal swing has the **same size** whatever the level of the series (CO₂: ±3 ppm every year).",
    "multiplicative": "The seasonal swing **grows with the level** (air passengers: the summer peak is a "
                      "percentage of the trend). Needs strictly positive data.",
}
ROBUST_INLINE_SECONDS = 1.0  # robust fitting that would take longer runs on a button
NULL_INLINE_SECONDS = 1.0  # so does a slower simulation of the remainder check


@st.cache_data(max_entries=64, show_spinner=False)
def cached_defaults(fingerprint: str, _series: pd.Series) -> dec.Defaults:
    return dec.choose_defaults(_series)


@st.cache_resource(max_entries=32, show_spinner="Decomposing…")
def cached_decomposition(fingerprint: str, _series: pd.Series, model, method, period, robust, smoother,
                         last: int | None = None):
    """The decomposition of the series (of its `last` points only, when given).

    Shared, not copied: a million-point decomposition would take longer to copy on every rerun than to
    look up, and nothing on the page changes it.
    """
    series = _series if last is None else _series.iloc[-last:]
    return dec.decompose(series, model=model, method=method, period=period, robust=robust, seasonal_smoother=smoother)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_strength(fingerprint: str, settings: tuple, _result: dec.Decomposition) -> tuple[float, float]:
    return dec.strength(_result)


@st.cache_data(max_entries=64, show_spinner="Simulating series to compare the remainder with…")
def cached_null(shape: dec.NullShape) -> dec.NullDistribution:
    return dec.simulate_null(shape)  # depends on the shape only: shared by every series of that length


ui.use_app_menu()
st.title("Decomposition")
first_screen = ui.under_title()
ui.explain("Split a series into a **trend**, a **seasonal** pattern that repeats every *m* steps, "
           "and a **remainder**: what is left when both are taken out.")

loaded = ui.data_source()
if loaded is None:
    st.stop()
series = loaded.series
fingerprint = data.fingerprint(series)
try:
    defaults = cached_defaults(fingerprint, series)
except dec.DegenerateSeries as error:
    st.info(ui.escape_markdown(error))
    ui.plot(figures.series_figure(series, "The series as loaded"))
    st.stop()
except dec.DecompositionError as error:
    st.error(ui.escape_markdown(error))
    st.stop()

# Every setting is kept per series (ui.kept with data=): a new dataset opens with its own defaults, and
# coming back to one finds it as it was left.
suggestion = dec.suggest_periods(series)  # milliseconds: it reads at most 20,000 points
n = len(series)
max_period = max(2, n)  # larger than n/2 is allowed, so decompose() can explain why it fails
candidates = list(dict.fromkeys(list(defaults.periods) + suggestion.periods))
methods = ["classical", "stl"] + (["mstl"] if len(candidates) >= 2 else []) + ["trend"]

left, middle, right = st.columns([1, 1.3, 1.6])
model = left.radio("Model", ["additive", "multiplicative"],
                   **ui.kept("dec_model", defaults.model, lambda v: v in dec.MODELS, data=fingerprint))
method = middle.radio("Method", methods, format_func=METHOD_NAMES.get,
                      **ui.kept("dec_method", defaults.method, lambda v: v in methods, data=fingerprint))
first_period = (defaults.periods or candidates or [2])[0]
with right:
    second_period = None
    if method == "trend":
        period = st.number_input(
            "Moving-average window w (steps)", min_value=2, max_value=max(2, n - 2), step=1,
            **ui.kept("dec_window", min(defaults.window, max(2, n - 2)), lambda v: 2 <= v <= n - 2, data=fingerprint),
        )
    else:
        period = st.number_input(
            "Period m (steps per season)", min_value=2, max_value=max_period, step=1,
            **ui.kept("dec_period", min(first_period, max_period), lambda v: 2 <= v <= max_period, data=fingerprint),
        )
    if method == "mstl":
        others = [p for p in candidates if p != period] or [min(2 * period, max_period)]
        second_period = st.number_input(
            "Second period", min_value=2, max_value=max_period, step=1,
            **ui.kept("dec_period2", min(others[0], max_period), lambda v: 2 <= v <= max_period, data=fingerprint),
        )

robust, smoother = False, 7
if method in ("stl", "mstl"):
    a, b = st.columns(2)
    robust = a.checkbox("Robust (outliers get less weight)", **ui.kept("dec_robust", False, data=fingerprint))
    if method == "stl":
        smoother = b.select_slider("Seasonal window (odd; larger = a steadier season)",
                                   options=list(range(7, 52, 2)), **ui.kept("dec_smoother", 7, data=fingerprint))

opened_with = (f"{METHOD_NAMES[defaults.method].split(' (')[0].lower()}, {defaults.model}, "
               + (f"m = {' and '.join(map(str, defaults.periods))}" if defaults.periods else f"w = {defaults.window}"))
why = "\n".join(f"- {ui.escape_markdown(reason)}" for reason in defaults.reasons)
if defaults.method == "trend":  # say plainly why there is no season
    st.info(f"**This series opens with the trend alone.**\n{why}")
else:
    with st.expander(f"Why this series opens with {opened_with}"):
        st.markdown(why)
        st.caption(f"{suggestion.reason} Change any setting above; each series keeps its own.")

periods = (int(period), int(second_period)) if method == "mstl" else int(period)
settings = (model, method, periods, robust, smoother)


def decomposition_of(last: int | None = None):
    """The chosen decomposition; robust fitting that would take more than a second runs on a button."""
    plain = cached_decomposition(fingerprint, series, model, method, periods, False, smoother, last)
    if not robust:
        return plain
    estimate = dec.robust_seconds(plain)
    if estimate <= ROBUST_INLINE_SECONDS:
        return cached_decomposition(fingerprint, series, model, method, periods, True, smoother, last)
    fitted = ui.trained(("dec_robust", fingerprint, *settings, last),
                        lambda progress: cached_decomposition(fingerprint, series, model, method, periods, True,
                                                              smoother, last),
                        button=f"Fit robustly (about {max(1, round(estimate))} s)", label="Robust fitting")
    if fitted is None:
        st.info("Robust fitting of this series takes a while: press the button. Until then the page shows "
                "the ordinary fit.")
        return plain
    return fitted


try:
    result = decomposition_of()
except dec.DecompositionError as error:
    st.error(ui.escape_markdown(error))
    ui.plot(figures.series_figure(series, "The series as loaded"))
    st.stop()
shown = (model, method, periods, result.robust, smoother)  # what the figures show

components_tab, remainder_tab, profile_tab, steps_tab = st.tabs(
    ["Components", "Anything left in the remainder?", "Seasonal profile", "How classical decomposition works"]
)
labels = dec.cycle_labels(series.index, result.periods[0]) if result.has_season else []

with components_tab:
    with ui.main_figure(first_screen):
        ui.plot(ui.built_once("components", fingerprint, shown, lambda: figures.components_figure(result)))
    if n > figures.MAX_DISPLAY_POINTS:
        st.caption(f"{n:,} points: the lines keep each stretch's lowest and highest value; the remainder shows "
                   f"{figures.MAX_DISPLAY_POINTS:,} of its points, over a band from the lowest to the highest.")
    ui.download_csv(result.components(), "decomposition.csv", "Download the components as CSV")

trend_strength, season_strength = cached_strength(fingerprint, shown, result)
m1, m2, m3 = st.columns(3)
m1.metric("Strength of trend F_T", f"{trend_strength:.2f}", help="0 = no trend, 1 = all trend")
m2.metric("Strength of seasonality F_S", "—" if np.isnan(season_strength) else f"{season_strength:.2f}",
          help="0 = no season, 1 = all season")

formula_col, text_col = st.columns([1, 2])
with formula_col:
    st.latex(FORMULAS[model, result.has_season])
    if model == "multiplicative" and method in ("stl", "mstl"):
        st.latex(r"\log x_t = \log T_t + \log S_t + \log E_t")
with text_col:
    st.markdown(WHEN[model])
    if model == "multiplicative" and method in ("stl", "mstl"):
        st.caption("STL is additive: for the multiplicative model it decomposes log x_t and takes exp of each part.")
    if method == "mstl":
        st.caption("MSTL: S_t is the sum of one seasonal component per period.")
    if method == "stl":
        st.caption("STL with R's stl() settings (degree-0 seasonal smoothing, loess evaluated every tenth of a "
                   "window and interpolated), so the numbers are R's.")
with st.expander("How the strengths are measured"):
    st.latex(r"F_T = \max\left(0,\ 1 - \frac{\operatorname{Var}(E_t)}{\operatorname{Var}(T_t + E_t)}\right)\qquad "
             r"F_S = \max\left(0,\ 1 - \frac{\operatorname{Var}(E_t)}{\operatorname{Var}(S_t + E_t)}\right)")
    st.caption("Hyndman & Athanasopoulos, FPP3 §4.3: if the remainder is small next to trend + remainder, the trend "
               "is strong. For the multiplicative model they are measured on log T, log S, log E, where the parts add. "
               "A part whose spread is only rounding error counts as flat.")

# The check reads the last points only when the series is very long (decomposed again on their own, so
# that the simulated series are decomposed exactly like the checked ones).
checked_length = dec.check_length(n, result.periods)
checked = result if checked_length == n else decomposition_of(checked_length)
shape = dec.null_shape(checked)
null = None
if dec.simulation_seconds(checked) <= NULL_INLINE_SECONDS:
    null = cached_null(shape)
with remainder_tab:
    if null is None:
        seconds = max(1, round(dec.simulation_seconds(checked)))
        null = ui.trained(("dec_null", shape), lambda progress: dec.simulate_null(shape, progress=progress),
                          button=f"Compare with {dec.SIMULATIONS} simulated series (about {seconds} s)",
                          label="Decomposing simulated series")
    check = dec.residual_check(checked, null)
    verdict = st.info if check.is_exact or check.has_structure is None else (
        st.warning if check.has_structure else st.success)
    verdict(check.reading)
    if checked_length < n:
        st.caption(f"The check reads the last {checked_length:,} points, decomposed on their own.")
    ui.plot(ui.built_once("acf", fingerprint, shown + (checked_length,), lambda: figures.acf_figure(check)))
    st.caption("Why simulated series? The moving averages and loess fits that find the trend and season also "
               "take a little of the noise with them, so even a perfect trend + season + noise series leaves a "
               "remainder that is slightly autocorrelated (bars beyond the ±1.96/√n band, a Ljung–Box χ² test "
               f"that fires far more often than 5%). Here the remainder's Q is compared with {dec.SIMULATIONS} "
               "series of pure noise decomposed with the very same settings, which have exactly that "
               "smoothing-made autocorrelation and nothing else.")
m3.metric("Remainder check p-value", "—" if check.pvalue is None else f"{check.pvalue:.3f}",
          help="Below 0.05: more autocorrelation is left than the smoothing alone makes (compared with "
               "simulated series; see the remainder tab)")

with profile_tab:
    if not result.has_season:
        st.info("No season is fitted (trend only): choose a classical, STL or MSTL decomposition to see one.")
    else:
        st.markdown(f"One seasonal cycle of **{result.periods[0]} steps**: the line is the seasonal component, "
                    "the points behind it are the values it summarises.")
        ui.plot(ui.built_once("profile", fingerprint, shown,
                              lambda: figures.seasonal_profile_figure(result, labels)))

with steps_tab:
    m = result.periods[0]
    classical = result
    if result.steps is None:
        st.caption(f"The chart above uses {METHOD_NAMES[method]}. Here is the classical method at the same period.")
        classical = cached_decomposition(fingerprint, series, model, "classical", m, False, 7)
    steps = classical.steps
    half = m // 2
    name = "w" if method == "trend" else "m"
    if m % 2 == 0:
        st.markdown(f"**1. Trend.** For an even {'window' if method == 'trend' else 'period'} {name} = {m} a plain "
                    f"{m}-term average is not centred on a time step, so the classical method averages two of them: "
                    f"the **centred 2×{m} moving average**, with weight 1/{2 * m} on the two outer values and "
                    f"1/{m} on the rest.")
        st.latex(rf"T_t = \frac{{1}}{{{2 * m}}}x_{{t-{half}}} + \frac{{1}}{{{m}}}\sum_{{j=-{half - 1}}}^{{{half - 1}}}"
                 rf" x_{{t+j}} + \frac{{1}}{{{2 * m}}}x_{{t+{half}}}")
    else:
        st.markdown(f"**1. Trend.** For an odd {'window' if method == 'trend' else 'period'} {name} = {m} the "
                    f"{m}-term moving average is already centred.")
        st.latex(rf"T_t = \frac{{1}}{{{m}}}\sum_{{j=-{half}}}^{{{half}}} x_{{t+j}}")
    st.markdown(f"The first and last **{half}** trend values are empty: the window would reach past the ends of "
                "the data, and the classical method does not invent values there (STL does, by local regression).")
    op = "-" if model == "additive" else "/"
    if not classical.has_season:
        st.markdown(f"**2. Remainder:** x_t {op} T_t. With no season there are no seasonal indices.")
        ui.plot(ui.built_once("steps", fingerprint, shown, lambda: figures.classical_steps_figure(classical, [])))
        st.stop()
    st.markdown(f"**2. Detrend:** x_t {op} T_t. **3. Seasonal indices:** average the detrended values at each "
                "position of the cycle, then normalise them so that they "
                + ("sum to 0." if model == "additive" else f"average 1 (sum to {m}).")
                + f" **4. Remainder:** x_t {op} T_t {op} S_t.")
    ui.plot(ui.built_once("steps", fingerprint, (model, m), lambda: figures.classical_steps_figure(classical, labels)))
    table = pd.DataFrame({"average of detrended": steps.raw_indices, "seasonal index S": steps.indices},
                         index=pd.Index(labels, name="position")).round(4)
    st.dataframe(table.T if m <= 24 else table, width="stretch")
    total = round(float(np.sum(steps.indices)), 4) + 0.0  # + 0.0: no "-0" from rounding error
    st.caption(f"Sum of the indices: {total:g} (should be {'0' if model == 'additive' else m}).")
