"""Forecasting: start simple, measure, then go complex — every method on the same hold-out."""

import numpy as np
import pandas as pd
import streamlit as st

import playground.forecasting as fc
from playground import data, ui
from playground.decomposition import suggest_periods
from playground.figures import arima_search as search_figures
from playground.figures import forecasting as figures
from playground.forecasting import METHODS, ForecastError, arima, baselines, choices, evaluation, smoothing
from playground.forecasting import stationarity, transforms

TRANSFORMS = {"none": "None", "log": "Log", "boxcox": "Box–Cox (λ by Guerrero)"}
BUTTON_METHODS = ("auto_arima", "narn", "lstm", "gru")  # these run on a button, never on a plain rerun
TABS = ["Forecasts", "Leaderboard", "Model details", "Stationarity", "Rolling origin", "Residuals"]
FAMILY_TITLES = {"benchmark": "Benchmarks", "smoothing": "Exponential smoothing", "arima": "ARIMA",
                 "neural": "Neural nets"}

ui.use_app_menu()
st.title("Forecasting")
first_screen = ui.under_title()
ui.explain("**Start simple, measure, then go complex.** Every method below is fitted on the same training part, "
            "forecasts the same test part, and is scored with the same measures. A complex model has to beat "
            "the naive benchmarks to earn its place.")

loaded = ui.data_source()
if loaded is None:
    st.stop()


@st.cache_data(max_entries=16, show_spinner="Aggregating…")
def cached_aggregate(key, step, _series):
    return data.aggregate(_series, step)


series = loaded.series
steps = data.coarser_steps(series) if len(series) > choices.FIT_POINTS else []
if steps:
    options = ["none"] + steps
    step = ui.kept_selectbox(
        st, "Aggregate before fitting", options, "fc_aggregate",
        data.default_aggregation(series, choices.AGGREGATE_ABOVE) or "none", data=data.fingerprint(series),
        format_func=lambda o: "no: use every value" if o == "none" else f"{o} means",
        help=f"This series has {len(series):,} values. Models fit on at most the last {choices.FIT_POINTS:,} "
             "training points; a coarser step lets them see a longer stretch of time.")
    if step != "none":
        try:
            series, note = cached_aggregate(data.fingerprint(series), step, series)
        except data.DataError as error:
            st.warning(ui.escape_markdown(error))
        else:
            st.caption(note)
n = len(series)
if n < choices.MIN_POINTS:
    st.error(f"This series has only {n} points; forecasting needs at least {choices.MIN_POINTS} "
             "(some to fit, some to test). Pick a longer series.")
    st.stop()
fingerprint = data.fingerprint(series)


@st.cache_resource(max_entries=256, show_spinner="Fitting…")
def cached_forecast(key, method, horizon, params, _train):
    """(Forecast, None) or (None, message): failures are cached too, so a bad setting is not refitted each rerun.
    `key` is the training data's fingerprint: Streamlit would hash only a sample of a long series. One shared
    Forecast per key for every session (the page only reads it): st.cache_data would unpickle a copy of every
    method's forecasts on every rerun."""
    try:
        return fc.forecast(_train, method, horizon, **params), None
    except ForecastError as error:
        return None, str(error)


def run_on_button(train, method, horizon, params):
    """For ui.trained: the result of a button-run method, failures included (never a traceback)."""
    def run(progress):
        try:
            return fc.forecast(train, method, horizon, progress=progress, **params), None
        except ForecastError as error:
            return None, str(error)
    return run


@st.cache_data(max_entries=64, show_spinner=False)
def cached_stationarity(key, d, seasonal, season, lags, window, _values):
    shown = stationarity.difference(_values, d, seasonal, season) if d or seasonal else _values
    return (shown, stationarity.adf_test(shown), stationarity.kpss_test(shown), stationarity.correlogram(shown, lags),
            stationarity.rolling_stats(shown, window))


@st.cache_data(max_entries=64, show_spinner=False)
def cached_differences(key, season, _values):
    return stationarity.choose_differences(_values, season)


suggestion = suggest_periods(series)  # milliseconds: it reads at most 20,000 points

# --------------------------------------------------------------------------- the hold-out and the methods
split, ahead, season_col, transform_col = st.columns([1.2, 1.2, 1, 1.3])
train_pct = split.slider("Training part (%)", 50, 95, step=1, **ui.kept("fc_train_pct", 80),
                         help="The first part fits the models; the rest is the test part they forecast.")
n_train = min(max(int(round(n * train_pct / 100)), 8), n - 2)
n_test = n - n_train
train, test = series.iloc[:n_train], series.iloc[n_train:]
max_season = max(1, n_train // 2)
default_season = min(suggestion.periods[0] if suggestion.periods else 1, max_season)
season = int(season_col.number_input(
    "Season m (course: T)", min_value=1, max_value=max_season, step=1,
    **ui.kept("fc_season", default_season, lambda v: 1 <= v <= max_season, data=fingerprint, label="Season m"),
    help=f"Steps per seasonal cycle (1 = no season); the course writes it T, as in the seasonal naive forecast "
         f"ŷ(t+h|t) = y(t+h−T) for h ≤ T. {suggestion.reason}"))
longest = min(n_test, choices.MAX_HORIZON)  # every method forecasts this far, so moving h refits nothing
horizon = ahead.slider("Horizon h (steps ahead)", 1, longest, step=1,
                       **ui.kept("fc_horizon", choices.default_horizon(n_test, season),
                                 lambda v: isinstance(v, int) and 1 <= v <= longest, data=fingerprint,
                                 label="Horizon h"),
                       help="Forecasts are scored on the first h test points. Changing h refits nothing.")
transform = transform_col.radio("Transform before fitting", list(TRANSFORMS), format_func=TRANSFORMS.get,
                                horizontal=True, **ui.kept("fc_transform", "none"),
                                help="Applied to the data before fitting and undone on the forecasts.")
fit_part = train.iloc[-choices.FIT_POINTS:]  # what every method sees: a long history would take minutes to fit
fit_key = data.fingerprint(fit_part)
if np.ptp(fit_part.to_numpy()) == 0:
    st.info(f"The training data are constant: every value is {fit_part.iloc[0]:g}. Every method can only forecast "
            "that value, and the stationarity tests and residual checks have nothing to work on.")

# Seasonal and non-seasonal data get separate method lists: a choice made for one kind does not fill the
# page with "needs a season" errors on the other.
kind = "seasonal" if suggestion.periods else "plain"
methods = st.multiselect(
    "Methods to compare", list(METHODS), format_func=lambda m: METHODS[m].label,
    **ui.kept(f"fc_methods_{kind}", choices.default_methods(len(fit_part), default_season),
              lambda v: all(m in METHODS for m in v)))
st.caption(f"Training: **{n_train:,}** points · test: **{n_test:,}** points · forecast and scored on the first "
           f"**{horizon}**."
           + (f" Every method is fitted on the last **{len(fit_part):,}** training points: fits on more would take "
              "too long here (aggregate the series to cover a longer stretch)." if len(fit_part) < n_train else ""))

# --------------------------------------------------------------------------- settings of each family
families = [f for f in FAMILY_TITLES if any(METHODS[m].family == f for m in methods)]
params = {m: {"season": season, "transform": transform} for m in methods}
ses_weights_box = None
if families:
    with st.expander("Method settings", expanded=False, icon=":material/tune:"):
        for family, tab in zip(families, st.tabs([FAMILY_TITLES[f] for f in families])):
            with tab:
                if family == "benchmark":
                    if "moving_average" in params:
                        longest_window = min(60, len(fit_part))
                        params["moving_average"]["window"] = st.slider(
                            "Moving average: window k (last k values)", 1, longest_window, step=1,
                            **ui.kept("fc_window", min(choices.default_window(season), longest_window),
                                      lambda v: 1 <= v <= longest_window, data=fingerprint, label="Window k"))
                    st.caption("Benchmarks have no parameters to estimate: they are the bar every model must clear.")
                elif family == "smoothing":
                    how = st.radio("Smoothing parameters", ["estimated", "set by me"], horizontal=True,
                                   **ui.kept("fc_es_how", "estimated"))
                    alpha_col, beta_col, gamma_col, damping_col = st.columns(4)
                    fixed = how == "set by me"
                    alpha = alpha_col.slider("α (level)", 0.01, 1.0, step=0.01, disabled=not fixed,
                                             **ui.kept("fc_alpha", 0.3))
                    beta = beta_col.slider("β* (trend)", 0.0, 1.0, step=0.01, disabled=not fixed,
                                           **ui.kept("fc_beta", 0.1))
                    gamma = gamma_col.slider("γ (season)", 0.0, 1.0, step=0.01, disabled=not fixed,
                                             **ui.kept("fc_gamma", 0.1))
                    damped = damping_col.checkbox("Damped trend", **ui.kept("fc_damped", False))
                    phi = damping_col.slider("φ (damping)", 0.8, 0.98, step=0.01, disabled=not (fixed and damped),
                                   **ui.kept("fc_phi", 0.9))
                    seasonal = st.radio("Holt–Winters season", list(smoothing.SEASONALITY), horizontal=True,
                                        **ui.kept("fc_hw_seasonal", "additive"))
                    chosen = {"alpha": alpha if fixed else None, "beta": beta if fixed else None,
                              "gamma": gamma if fixed else None, "phi": phi if fixed and damped else None}
                    if "ses" in params:
                        params["ses"]["alpha"] = chosen["alpha"]
                    if "holt" in params:
                        params["holt"].update(alpha=chosen["alpha"], beta=chosen["beta"], damped=damped,
                                              phi=chosen["phi"])
                    if "holt_winters" in params:
                        params["holt_winters"].update(seasonal=seasonal, damped=damped, **chosen)
                    ses_weights_box = st.container()
                elif family == "arima":
                    st.markdown("**ARIMA(p, d, q)** and the seasonal part **(P, D, Q)m** of SARIMA")
                    cols = st.columns(7)
                    p = cols[0].number_input("p", 0, arima.MAX_P, step=1, **ui.kept("fc_p", 0))
                    d = cols[1].number_input("d", 0, arima.MAX_D, step=1, **ui.kept("fc_d", 1))
                    q = cols[2].number_input("q", 0, arima.MAX_Q, step=1, **ui.kept("fc_q", 1))
                    sp = cols[3].number_input("P", 0, arima.MAX_SP, step=1, **ui.kept("fc_P", 0))
                    sd = cols[4].number_input("D", 0, arima.MAX_SD, step=1, **ui.kept("fc_D", 1))
                    sq = cols[5].number_input("Q", 0, arima.MAX_SQ, step=1, **ui.kept("fc_Q", 1))
                    constant = cols[6].checkbox("constant", **ui.kept("fc_constant", True),
                                                help="A mean (no difference) or a drift (one difference).")
                    if "arima" in params:
                        params["arima"].update(order=(int(p), int(d), int(q)), constant=constant)
                    if "sarima" in params:
                        params["sarima"].update(order=(int(p), int(d), int(q)), constant=constant,
                                                seasonal_order=(int(sp), int(sd), int(sq)))
                    how, bound_p, bound_q, bound_order = st.columns([1.4, 1, 1, 1])
                    stepwise = how.radio("Auto ARIMA search", ["stepwise", "exhaustive"], horizontal=True,
                                         **ui.kept("fc_auto_search", "stepwise"),
                                         help="Stepwise: R's auto.arima (Hyndman–Khandakar), from four start models "
                                              "to the best neighbour until none is better. Exhaustive: every model "
                                              "with p + q + P + Q up to the bound (slower).") == "stepwise"
                    max_pq = bound_p.slider("Auto ARIMA: largest p and q", 0, arima.AUTO_BOUNDS["max_p"], step=1,
                                            **ui.kept("fc_max_pq", 5))
                    max_seasonal = bound_q.slider("Auto ARIMA: largest P and Q", 0, arima.AUTO_BOUNDS["max_P"], step=1,
                                                  **ui.kept("fc_max_PQ", 2))
                    max_order = bound_order.slider("Exhaustive: largest p + q + P + Q", 1,
                                                   arima.AUTO_BOUNDS["max_order"], step=1, disabled=stepwise,
                                                   **ui.kept("fc_max_order", 5))
                    if "auto_arima" in params:
                        params["auto_arima"].update(max_p=max_pq, max_q=max_pq, max_P=max_seasonal, max_Q=max_seasonal,
                                                    max_order=max_order, stepwise=stepwise, constant=constant)
                    st.caption("The Stationarity tab helps choose d and D (tests, differencing) and p, q (ACF, PACF).")
                else:
                    cols = st.columns(4)
                    max_lags = max(1, min(60, len(fit_part) // 3))
                    lags = cols[0].slider("History length d (lags)", 1, max_lags, step=1,
                                          **ui.kept("fc_lags", choices.default_lags(season, len(fit_part)),
                                                    lambda v: 1 <= v <= max_lags, data=fingerprint,
                                                    label="History length d"))
                    hidden = cols[1].select_slider("Hidden size", [2, 4, 8, 16, 32, 64], **ui.kept("fc_hidden", 16))
                    epochs = cols[2].slider("Epochs", 10, 1000, step=10, **ui.kept("fc_epochs", 200))
                    seed = int(cols[3].number_input("Seed", 0, 9999, step=1, **ui.kept("fc_seed", 0)))
                    learn_changes = st.checkbox("Learn the changes y_t − y_(t−1) (lets a trend continue)",
                                                **ui.kept("fc_differences", True))
                    for m in ("narn", "lstm", "gru"):
                        if m in params:
                            params[m].update(lags=lags, hidden_size=hidden, epochs=epochs, seed=seed,
                                             differences=int(learn_changes))
                    st.caption("Each net is trained on windows of the training part only (Adam, mean squared error, "
                               "one CPU thread), when you press its button.")

# --------------------------------------------------------------------------- fit: cached, or on a button
results, failures = {}, {}
for m in methods:
    if m in BUTTON_METHODS:
        continue
    result, error = cached_forecast(fit_key, m, longest, params[m], fit_part)
    if result is None:
        failures[m] = error
    else:
        results[m] = result

button_methods = [m for m in methods if m in BUTTON_METHODS]
waiting = []
if button_methods:
    for m, col in zip(button_methods, st.columns(len(button_methods))):
        key = ("forecasting", m, fit_key, longest, tuple(sorted(params[m].items())))
        searching = m == "auto_arima"
        with col:
            outcome = ui.trained(key, run_on_button(fit_part, m, longest, params[m]),
                                 button="Search ARIMA orders" if searching else f"Train {METHODS[m].label}",
                                 label="Searching ARIMA orders by AICc" if searching else f"Training {METHODS[m].label}")
        if outcome is None:
            waiting.append(m)
        elif outcome[0] is None:
            failures[m] = outcome[1]
        else:
            results[m] = outcome[0]

labels = {m: METHODS[m].label for m in methods}
shown = {labels[m]: results[m].head(horizon) for m in methods if m in results}
for m, message in failures.items():
    st.error(f"**{labels[m]}** could not be used: {ui.escape_markdown(message)}")
for m, result in results.items():
    for note in result.notes:
        st.warning(f"**{labels[m]}**: {ui.escape_markdown(note)}")
if waiting:
    st.info("Press the button above to run " + ", ".join(labels[m] for m in waiting)
            + ": these take a few seconds, so they never run on their own.")

if ses_weights_box is not None and "ses" in results:
    alpha_used = results["ses"].params["α (level)"]
    weights, on_initial = smoothing.ses_weights(alpha_used, len(fit_part))
    with ses_weights_box:
        st.latex(smoothing.FORMULAS["ses"][1])
        ui.plot(figures.ses_weights_figure(alpha_used, weights, on_initial), key="fc_weights_settings")

# --------------------------------------------------------------------------- results, one tab at a time
forecasts_tab, board_tab, details_tab, stationarity_tab, rolling_tab, residuals_tab = st.tabs(
    TABS, key="fc_tab", on_change="rerun")
colors = figures.method_colors(shown)
test_h = test.iloc[:horizon]
board = evaluation.leaderboard(test_h, {label: r.mean for label, r in shown.items()}, train, season) if shown else None
ranked = [m for label in (board.index if board is not None else []) for m in results if labels[m] == label]

if forecasts_tab.open:
    with forecasts_tab:
        if not shown:
            st.info("No forecasts yet: pick methods above (and press the buttons of those that need one).")
        with_bands = [label for label in shown if shown[label].has_intervals]
        best_with_bands = [labels[m] for m in ranked if labels[m] in with_bands][:1]
        bands = st.multiselect("Prediction intervals (80% dark, 95% light) for", with_bands,
                               **ui.kept("fc_bands", best_with_bands, lambda v: all(b in with_bands for b in v)))
        whole = st.checkbox("Show the whole training part", **ui.kept("fc_whole", False))
        history = None if whole else choices.history_length(n_train, horizon, season)
        drawn = (fingerprint, n_train, horizon, tuple(bands), history,
                 tuple((m, tuple(sorted(params[m].items()))) for m in methods if m in results))
        with ui.main_figure(first_screen):
            ui.plot(ui.built_once("forecasts", drawn,
                                  lambda: figures.forecast_figure(train, test_h, shown, bands, history, colors)))
        no_bands = [label for label in shown if not shown[label].has_intervals]
        if no_bands:
            st.caption(f"No prediction intervals for: {', '.join(no_bands)} (not a statistical model).")
        if transform != "none":
            st.caption("Forecasts were made on the transformed scale and transformed back: the line is the median "
                       "of the forecast distribution; the bands transform back exactly.")
        if shown:
            ui.download_csv(lambda: choices.forecasts_table(test_h, shown), "forecasts.csv",
                            "Download the forecasts as CSV")

if board_tab.open:
    with board_tab:
        if board is None:
            st.info("The leaderboard appears when at least one method has forecasts.")
        else:
            if not evaluation.mape_available(test_h):
                st.warning(evaluation.MAPE_ZERO_MESSAGE)
            st.markdown(f"Every method forecast the same **{horizon}** test points from the same training part. "
                        "Lower is better in every column; the best value is highlighted.")
            styled = board.style.format("{:.3f}", na_rep="—").highlight_min(
                axis=0, props="background-color: #d8f0dc; font-weight: bold")
            st.dataframe(styled, width="stretch")
            best, best_mase = board.index[0], board["MASE"].iloc[0]
            comparison = ""
            if np.isfinite(best_mase):
                comparison = (f" (MASE {best_mase:.2f}: {'better' if best_mase < 1 else 'worse'} than the average "
                              "one-step seasonal naive error in training)")
            st.success(f"Best on MASE: **{best}**{comparison}")
            ui.download_csv(board, "leaderboard.csv", "Download the leaderboard as CSV")
            with st.expander("How the measures are computed"):
                for name in evaluation.METRICS:
                    st.latex(evaluation.FORMULAS[name])
                st.markdown("MAE and RMSE are in the units of the data (RMSE punishes large misses more). "
                            "MAPE is in percent: it divides by the actual values, so it is meaningless when they "
                            "can be zero. MASE divides the MAE by the in-sample error of the seasonal naive method "
                            f"(m = {season}); below 1 means better than that benchmark did in training "
                            "(Hyndman & Koehler 2006).")

if details_tab.open:
    with details_tab:
        available = [m for m in methods if m in results]
        if not available:
            st.info("Model details appear once a method has been fitted.")
        else:
            m = ui.kept_selectbox(st, "Method", available, "fc_details_method", (ranked or available)[0],
                                  format_func=labels.get)
            result = results[m]
            family = METHODS[m].family
            if family == "benchmark":
                formula, spread = baselines.FORMULAS[m]
                st.latex(formula)
                if spread:
                    st.latex(spread)
                    st.caption("σ̂ is the standard deviation of the residuals; the bands are ŷ ± 1.28 σ̂_h (80%) and "
                               "ŷ ± 1.96 σ̂_h (95%), FPP3 §5.5.")
            elif family == "smoothing":
                for formula in smoothing.FORMULAS[result.details["formula"]]:
                    st.latex(formula)
                if m in ("holt", "holt_winters") and params[m].get("damped"):
                    st.caption(smoothing.DAMPED_NOTE)
                if m == "ses":
                    weights, on_initial = smoothing.ses_weights(result.params["α (level)"], len(fit_part))
                    ui.plot(figures.ses_weights_figure(result.params["α (level)"], weights, on_initial),
                            key="fc_weights_details")
            elif family == "arima":
                st.latex(result.details["equation"])
                differencing = arima.differencing_formula(result.details["order"][1],
                                                          result.details["seasonal_order"][1],
                                                          result.details["season"])
                if differencing:
                    st.markdown("With the differenced series")
                    st.latex(differencing)
                    st.markdown("the same model, multiplied out:")
                st.latex(result.details["expanded"])
                st.dataframe(result.details["coefficients"].style.format("{:.4f}"))
                a, b, c = st.columns(3)
                a.metric("AIC", f"{result.details['aic']:.1f}")
                b.metric("AICc", f"{result.details['aicc']:.1f}")
                c.metric("log likelihood", f"{result.details['loglik']:.1f}")
                if m == "auto_arima":
                    st.markdown(arima.search_summary(result.details))
                    ui.plot(search_figures.search_path_figure(result.details["search"]), key="fc_search_path")
                    st.dataframe(arima.search_table(result.details["search"]).style.format({"AICc": "{:.3f}"},
                                                                                          na_rep="refused"),
                                 hide_index=True, width="stretch")
                    st.caption("The path of the search: each model in the order it was fitted, and the current best "
                               "after it. AICc only compares models with the same d and D, so those are chosen "
                               "first (see the Stationarity tab).")
            else:
                from playground.forecasting import neural  # torch: only once a neural net has been trained

                st.latex(neural.FORMULAS[m])
                if m in neural.NOTATION:
                    st.caption(neural.NOTATION[m])
                ui.plot(figures.loss_figure(result.details["losses"]))
                st.caption(f"Trained in {result.details['training_seconds']:.1f} s.")
            table = pd.DataFrame({"value": [str(round(v, 4)) if isinstance(v, float) else str(v)
                                            for v in result.params.values()]}, index=list(result.params))
            if "set_by_user" in result.details:
                set_by_user = result.details["set_by_user"]
                table["how"] = ["set by you" if k in set_by_user else "estimated" for k in table.index]
            if family != "arima":
                st.dataframe(table, width="stretch")
            if transform != "none":
                st.caption(f"Fitted to the transformed data ({result.details['transform']}): y_t above is the "
                           "transformed series.")

if stationarity_tab.open:
    with stationarity_tab:
        st.markdown("Is the **training part** (the points the models are fitted on) stationary (constant mean and "
                    "variance, no trend or season)? "
                    "ARIMA needs it after differencing: d and D are the numbers of differences that get it there."
                    + (" The transform chosen above is applied first." if transform != "none" else ""))
        try:
            values = pd.Series(transforms.make_transform(transform, fit_part.to_numpy(), season)
                               .forward(fit_part.to_numpy()), index=fit_part.index, name=fit_part.name)
            values_key = (fit_key, transform)
        except ForecastError as error:
            st.warning(f"{ui.escape_markdown(error)} Showing the untransformed data.")
            values, values_key = fit_part, (fit_key, "none")
        left, middle, right = st.columns(3)
        d_shown = left.radio("Differences d", [0, 1, 2], horizontal=True, **ui.kept("fc_st_d", 0))
        D_options = [0, 1] if season >= 2 else [0]
        D_shown = middle.radio(f"Seasonal differences D (m = {season})", D_options, horizontal=True,
                               **ui.kept("fc_st_D", 0, lambda v: v in D_options))
        lags = right.slider("ACF/PACF lags", 6, 60, step=1, **ui.kept("fc_st_lags", max(24, min(2 * season, 60))))
        rule = cached_differences(values_key, season, values.to_numpy())
        st.caption(f"{stationarity.RULES} Here: **d = {rule.d}, D = {rule.D}**. {rule.D_reason}. {rule.d_reason}.")
        try:
            shown_values, adf, kpss_result, corr, stats = cached_stationarity(
                values_key, d_shown, D_shown, season, lags, max(season, 12) if season > 1 else 12, values)
        except ForecastError as error:
            (st.info if isinstance(error, stationarity.NotTestable) else st.error)(ui.escape_markdown(error))
        else:
            formula = arima.differencing_formula(d_shown, D_shown, season)
            if formula:
                st.latex(formula)
            a, b = st.columns(2)
            a.metric("ADF statistic (H0: unit root)", f"{adf.statistic:.2f}", f"p {adf.p_text}", delta_color="off",
                     delta_arrow="off")
            b.metric("KPSS statistic (H0: stationary)", f"{kpss_result.statistic:.3f}", f"p {kpss_result.p_text}",
                     delta_color="off", delta_arrow="off")
            a.markdown(adf.reading)
            b.markdown(kpss_result.reading)
            (st.success if adf.stationary and kpss_result.stationary else st.warning)(
                stationarity.verdict(adf, kpss_result))
            if d_shown or D_shown:
                label = "After " + " and ".join(filter(None, [f"{d_shown} difference(s)" if d_shown else "",
                                                               "a seasonal difference" if D_shown else ""]))
                ui.plot(figures.differencing_figure(values, shown_values, label))
            window = max(season, 12) if season > 1 else 12
            ui.plot(figures.stationarity_figure(shown_values, stats, window))
            ui.plot(figures.correlogram_figure(corr))
            st.caption("Bars outside the band (red) are significant at 5%. A slowly decaying ACF means: difference. "
                       "Then an ACF that cuts off after lag q suggests MA(q); a PACF that cuts off after lag p "
                       "suggests AR(p); spikes at lags m, 2m suggest seasonal Q or P.")

if rolling_tab.open:
    with rolling_tab:
        st.markdown("One split can be lucky. **Rolling-origin evaluation** (time-series cross-validation) refits "
                    "each method on a growing training window, forecasts the next h steps each time, and averages "
                    "the errors over all the windows.")
        specs, skipped = {}, []
        for m in methods:
            if METHODS[m].family == "neural":
                skipped.append(f"{labels[m]} (training a net per window would take minutes)")
            elif m == "auto_arima":
                if m in results:
                    chosen = results[m].details
                    specs[f"{labels[m]}: {chosen['chosen']}"] = (
                        "sarima", {"season": season, "transform": transform, "order": chosen["order"],
                                   "seasonal_order": chosen["seasonal_order"], "constant": chosen["trend"] != "n"})
                else:
                    skipped.append(f"{labels[m]} (run the search first)")
            else:
                specs[labels[m]] = (m, params[m])
        if skipped:
            st.caption("Not included: " + "; ".join(skipped) + ".")
        a, b, c = st.columns(3)
        lowest = 2 * season + 2 if season > 1 else 8
        highest = n - horizon
        if highest <= lowest:
            st.warning(f"The series is too short for rolling origins with h = {horizon} and m = {season}: "
                       "use a shorter horizon.")
            specs = {}
        else:
            initial = a.slider("First training window", lowest, highest, step=1,
                               **ui.kept("fc_ro_initial", min(max(lowest, n // 2), highest),
                                         lambda v: lowest <= v <= highest, data=fingerprint,
                                         label="First training window"))
            count = c.slider("At most this many origins", 3, 20, step=1, **ui.kept("fc_ro_count", 8))
            step = b.slider("Step between origins", 1, max(2, horizon), step=1,
                            **ui.kept("fc_ro_step", min(max(1, (highest - initial) // (count - 1)), max(2, horizon)),
                                      lambda v: 1 <= v <= max(2, horizon), data=fingerprint))
            if not specs:
                st.info("Pick at least one classical method to evaluate.")
        if specs:
            key = ("rolling", fingerprint, horizon, initial, step, count, season,
                   tuple((label, m, tuple(sorted(p.items()))) for label, (m, p) in specs.items()))
            fits = len(evaluation.origins(n, initial, horizon, step, count)) * len(specs)
            st.caption(f"{fits} fits ({len(specs)} method(s) × the origins), each on at most the last "
                       f"{choices.FIT_POINTS:,} points of its window.")

            def evaluate(progress):
                try:
                    return evaluation.rolling_origin(series, specs, horizon, initial, step, count, season, progress,
                                                     max_fit_points=choices.FIT_POINTS)
                except ForecastError as error:
                    return str(error)

            rolled = ui.trained(key, evaluate, button="Run rolling-origin evaluation",
                                label="Refitting on every window")
            if isinstance(rolled, str):
                st.error(ui.escape_markdown(rolled))
            elif rolled is not None:
                for label, message in rolled.failures.items():
                    st.warning(f"**{label}** failed on some windows: {ui.escape_markdown(message)}")
                summary = rolled.summary()
                st.markdown(f"Averaged over **{len(rolled.sizes)}** origins, "
                            f"forecasting **{horizon}** steps each time:")
                st.dataframe(summary.style.format("{:.3f}", na_rep="—").highlight_min(
                    axis=0, props="background-color: #d8f0dc; font-weight: bold"), width="stretch")
                ui.download_csv(summary, "rolling_origin.csv", "Download the averaged metrics as CSV")
                pick = ui.kept_selectbox(st, "Show the forecasts of", list(rolled.forecasts), "fc_ro_method",
                                         summary.index[0] if len(summary) else None)
                animation = figures.rolling_origin_figure(series, rolled.sizes, horizon, rolled.forecasts[pick], pick)
                ui.plot(animation)
                with st.expander("Errors at each origin"):
                    st.dataframe(rolled.errors[pick], hide_index=True, width="stretch")

if residuals_tab.open:
    with residuals_tab:
        with_residuals = [m for m in methods if m in results and results[m].residuals is not None]
        if not with_residuals:
            st.info("Residual diagnostics appear once a method has been fitted.")
        else:
            m = ui.kept_selectbox(st, "Residuals of", with_residuals, "fc_resid_method",
                                  next((r for r in ranked if r in with_residuals), with_residuals[0]),
                                  format_func=labels.get)
            try:
                diagnostics = evaluation.residual_diagnostics(results[m].residuals, season)
            except ForecastError as error:
                st.warning(ui.escape_markdown(error))
            else:
                (st.success if diagnostics.white_noise else st.warning)(diagnostics.reading)
                ui.plot(figures.residuals_figure(diagnostics))
                st.caption("Residuals e_t = y_t − ŷ_(t|t−1) on the training part: one-step forecast errors. Good "
                           "residuals are uncorrelated (ACF inside the band) with mean zero; roughly normal residuals "
                           "make the prediction intervals trustworthy (FPP3 §5.4)."
                           + (" They are on the transformed scale." if transform != "none" else ""))
