"""The forecasting page with AppTest: defaults, no refit on a horizon change, buttons, bad input."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import playground.forecasting as fc
from tests.conftest import ROOT, assert_no_exception, page_text, plotly_figures, run_page

PAGE = "forecasting.py"


def _button(at, label):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def _leaderboard(at) -> pd.DataFrame:
    at.session_state["fc_tab"] = "Leaderboard"
    at.run()
    assert_no_exception(at)
    return at.dataframe[0].value


def _csv(rows: list[tuple[str, float]]) -> bytes:
    return ("date,value\n" + "\n".join(f"{d},{v}" for d, v in rows)).encode()


def _monthly(values) -> bytes:
    dates = pd.date_range("2001-01-01", periods=len(values), freq="MS")
    return _csv([(d.strftime("%Y-%m-%d"), v) for d, v in zip(dates, values)])


def _upload(content: bytes, **state):
    at = run_page(PAGE, _kept_dataset="upload", **state)
    at.file_uploader[0].upload("series.csv", content, "text/csv")
    return at.run()


@pytest.fixture
def counted(monkeypatch):
    """Count every fit the page asks for (the page calls playground.forecasting.forecast)."""
    calls = []
    real = fc.forecast

    def counting(train, method, horizon, **params):
        calls.append((method, len(train), horizon))
        return real(train, method, horizon, **params)

    monkeypatch.setattr(fc, "forecast", counting)
    return calls


def test_default_page_shows_forecasts_and_a_leaderboard():
    at = run_page(PAGE)
    assert_no_exception(at)
    text = page_text(at)
    assert "Training: **115** points · test: **29** points" in text
    assert len(at.get("plotly_chart")) == 1
    board = _leaderboard(at)
    assert list(board.columns) == ["MAE", "RMSE", "MAPE", "MASE"]
    assert set(board.index) == {"Naive", "Seasonal naive", "Drift", "Holt–Winters", "SARIMA"}
    assert board["MASE"].iloc[0] == board["MASE"].min()
    assert "Best on MASE" in page_text(at)


def test_changing_only_the_horizon_refits_nothing(counted):
    at = run_page(PAGE)
    fits = len(counted)
    assert fits == 5  # one fit per default method, each forecasting the whole test part
    assert {h for _, _, h in counted} == {29}
    before = _leaderboard(at)
    at.slider(key="fc_horizon").set_value(12).run()
    assert_no_exception(at)
    assert len(counted) == fits  # no refit: the cached 29-step forecasts are cut to 12 steps
    after = at.dataframe[0].value
    assert not np.allclose(before.loc["Naive", "MAE"], after.loc["Naive", "MAE"])
    assert "scored on the first **12**" in page_text(at)


def test_classical_page_does_not_import_torch():
    code = ("import sys; sys.path.insert(0, '.'); from tests.conftest import run_page; at = run_page('forecasting.py');"
            "assert not at.exception, [e.value for e in at.exception];"
            "assert 'torch' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]


def test_train_button_adds_the_neural_forecaster():
    at = run_page(PAGE, _kept_fc_methods_seasonal=["naive", "narn"], _kept_fc_epochs=10, _kept_fc_hidden=4)
    assert_no_exception(at)
    assert "Press the button above to run NARN" in page_text(at)
    _button(at, "Train NARN").click()
    at.run()
    assert_no_exception(at)
    at.run()  # a plain rerun: the trained net comes from the store, the button is gone
    assert not [b for b in at.button if b.label == "Train NARN"]
    board = _leaderboard(at)
    assert "NARN" in board.index
    at.session_state["fc_tab"] = "Model details"
    at.session_state["_kept_fc_details_method"] = "narn"
    at.run()
    assert_no_exception(at)
    assert "W_2" in page_text(at)  # the NARN formula


def _auto_arima_details(at):
    _button(at, "Search ARIMA orders").click()
    at.run()
    assert_no_exception(at)
    at.session_state["fc_tab"] = "Model details"
    at.session_state["_kept_fc_details_method"] = "auto_arima"
    at.run()
    assert_no_exception(at)
    return at


def _search_path(at) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if "model" in frame.value.columns)


def test_auto_arima_button_shows_the_search_path():
    """US accidental deaths (72 months; 58 in the training part): the stepwise search, its path and its reasons."""
    at = _auto_arima_details(run_page(PAGE, _kept_dataset="us_accidents",
                                      _kept_fc_methods_seasonal=["snaive", "auto_arima"]))
    text = page_text(at)
    assert "**Chosen: ARIMA(" in text and "stepwise search of R's auto.arima" in text
    assert "D = 1: the seasonal strength F_S = " in text and "d = " in text and "KPSS p" in text
    path = _search_path(at)
    # R 4.2.2, forecast 8.20: auto.arima(ts(read.csv("sample_data/USAccDeaths.csv")[[2]][1:58], frequency = 12),
    # trace = TRUE) fits these 12 models in this order (the first four are its start models) and picks the 4th.
    assert list(path["model"]) == [
        "ARIMA(2,1,2)(1,1,1)[12]", "ARIMA(0,1,0)(0,1,0)[12]", "ARIMA(1,1,0)(1,1,0)[12]", "ARIMA(0,1,1)(0,1,1)[12]",
        "ARIMA(0,1,1)(0,1,0)[12]", "ARIMA(0,1,1)(1,1,1)[12]", "ARIMA(0,1,1)(1,1,0)[12]", "ARIMA(0,1,0)(0,1,1)[12]",
        "ARIMA(1,1,1)(0,1,1)[12]", "ARIMA(0,1,2)(0,1,1)[12]", "ARIMA(1,1,0)(0,1,1)[12]", "ARIMA(1,1,2)(0,1,1)[12]"]
    assert path["AICc"].iloc[3] == pytest.approx(662.85, abs=0.01)
    assert "**Chosen: ARIMA(0,1,1)(0,1,1)[12]**" in text
    assert list(path["step"]) == list(range(1, len(path) + 1))
    best_rows = path[path["current best"] != ""]
    assert best_rows["AICc"].is_monotonic_decreasing
    assert best_rows["model"].iloc[-1] in text  # the last current best is the chosen model
    figure = next(f for f in plotly_figures(at) if any(t.get("name") == "current best" for t in f["data"]))
    assert figure["layout"]["yaxis"]["title"]["text"] == "AICc (lower is better)"


def test_exhaustive_search_option_tries_every_model_within_the_bounds():
    at = _auto_arima_details(run_page(PAGE, _kept_dataset="us_accidents", _kept_fc_auto_search="exhaustive",
                                      _kept_fc_max_pq=1, _kept_fc_max_PQ=1, _kept_fc_max_order=2,
                                      _kept_fc_methods_seasonal=["auto_arima"]))
    path = _search_path(at)
    # p, q, P, Q in 0..1 with p + q + P + Q ≤ 2: 11 models (no constant with d + D = 2)
    assert len(path) == 11 and set(path["stage"]) == {"grid"}
    assert "the search of every model within the bounds" in page_text(at)


def test_settings_set_by_the_user_are_used_and_shown():
    at = run_page(PAGE, _kept_fc_methods_seasonal=["ses", "holt"], _kept_fc_es_how="set by me", _kept_fc_alpha=0.5)
    assert_no_exception(at)
    # read the figures as JSON: plotly may write α as \u03b1 in the raw spec (it does without orjson)
    weights = [f for f in plotly_figures(at) if "α = 0.500" in json.dumps(f, ensure_ascii=False)]
    assert weights, "the SES weights chart shows the α that was set"
    at.session_state["fc_tab"] = "Model details"
    at.session_state["_kept_fc_details_method"] = "ses"
    at.run()
    table = at.dataframe[0].value
    assert table.loc["α (level)", "how"] == "set by you"
    assert table.loc["ℓ0 (initial level)", "how"] == "estimated"


def test_bad_input_gives_messages_and_keeps_the_other_methods():
    # Monthly data with zeros: multiplicative Holt–Winters refuses it, the rest still forecast; MAPE is off.
    values = [0.0 if i % 12 == 0 else 10 + (i % 12) for i in range(60)]
    at = _upload(_monthly(values), _kept_fc_methods_seasonal=["naive", "snaive", "holt_winters"],
                 _kept_fc_hw_seasonal="multiplicative")
    assert_no_exception(at)
    errors = [e.value for e in at.error]
    assert any("Holt–Winters" in e and "strictly positive" in e for e in errors), errors
    board = _leaderboard(at)
    assert set(board.index) == {"Naive", "Seasonal naive"}
    assert board["MAPE"].isna().all()
    assert any("MAPE is switched off" in w.value for w in at.warning)


def test_log_transform_on_non_positive_data_explains_itself():
    values = [float(i % 7) for i in range(40)]  # contains zeros
    at = _upload(_monthly(values), _kept_fc_transform="log", _kept_fc_methods_seasonal=["naive", "drift"])
    assert_no_exception(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and all("strictly positive" in e for e in errors)


def test_series_too_short_for_the_seasonal_orders():
    values = list(100 + 10 * np.sin(np.arange(30) * 2 * np.pi / 12))
    at = _upload(_monthly(values), _kept_fc_methods_seasonal=["naive", "sarima"], _kept_fc_P=1, _kept_fc_Q=1)
    assert_no_exception(at)
    assert any("SARIMA" in e.value and "too short" in e.value for e in at.error)
    assert "Naive" in _leaderboard(at).index


def test_rolling_origin_runs_on_its_button_and_animates():
    at = run_page(PAGE, _kept_fc_methods_seasonal=["naive", "snaive", "drift"])
    at.session_state["fc_tab"] = "Rolling origin"
    at.run()
    _button(at, "Run rolling-origin evaluation").click()
    at.run()
    assert_no_exception(at)
    summary = at.dataframe[0].value
    assert set(summary.index) == {"Naive", "Seasonal naive", "Drift"}
    animated = [c for c in at.get("plotly_chart") if '"frames"' in c.proto.spec]
    assert animated, "the expanding windows are a plotly animation"
    assert "Averaged over **8** origins" in page_text(at)


@pytest.mark.parametrize("tab", ["Stationarity", "Residuals", "Model details"])
def test_other_tabs_render(tab):
    at = run_page(PAGE, fc_tab=tab, _kept_fc_st_d=1, _kept_fc_st_D=1)
    assert_no_exception(at)
    text = page_text(at)
    expected = {"Stationarity": "KPSS", "Residuals": "Ljung–Box", "Model details": r"\varepsilon_t"}[tab]
    assert expected in text


def test_a_model_that_does_not_converge_is_flagged_and_the_others_stay():
    # R 4.2.2, forecast 8.20: Arima(window(Nile, end = 1950), c(2, 0, 2), include.mean = FALSE)$code is 1 (optim's
    # 100 iterations used up), as here on the same 80 training points.
    at = run_page(PAGE, _kept_dataset="nile", _kept_fc_methods_plain=["naive", "arima"], _kept_fc_p=2, _kept_fc_d=0,
                  _kept_fc_q=2, _kept_fc_constant=False)
    assert_no_exception(at)
    assert any("ARIMA" in w.value and "did not fully converge" in w.value for w in at.warning)
    assert set(_leaderboard(at).index) == {"Naive", "ARIMA"}


def test_switching_to_data_without_a_season_uses_its_own_method_list():
    at = run_page(PAGE)
    assert "snaive" in at.multiselect[0].value
    at.selectbox(key="dataset").set_value("nile").run()
    assert_no_exception(at)
    assert at.multiselect[0].value == ["mean", "naive", "drift", "ses", "arima"]
    assert not at.error  # no "needs a season" errors carried over from the seasonal data


# --------------------------------------------------------------------------- long, odd and hostile series (issue 8)


def _hourly(values, name="load") -> bytes:
    stamps = pd.date_range("2000-01-01", periods=len(values), freq="h").strftime("%Y-%m-%d %H:%M")
    return (f"time,{name}\n" + "\n".join(f"{s},{v:.3f}" for s, v in zip(stamps, values))).encode()


def _hourly_load(n: int, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    return 100 + 20 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(seed).normal(0, 3, n)


def test_long_series_that_differ_in_one_value_get_their_own_forecasts():
    # Streamlit hashes only a sample of a long series: the cache must key on all of it (data.fingerprint).
    values = _hourly_load(60_000)
    changed = values.copy()
    changed[56_999] += 500  # the last training value: it moves the naive forecast
    state = dict(_kept_fc_aggregate="none", _kept_fc_methods_seasonal=["naive"], _kept_fc_train_pct=95)
    at = _upload(_hourly(values), **state)
    first = _leaderboard(at).loc["Naive", "MAE"]
    at.file_uploader[0].upload("series.csv", _hourly(changed), "text/csv")
    at.run()
    assert_no_exception(at)
    assert _leaderboard(at).loc["Naive", "MAE"] != first


def test_a_200000_point_hourly_series_works_on_its_defaults():
    at = _upload(_hourly(_hourly_load(200_000)))
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="fc_aggregate").value == "daily"  # aggregated to under 20,000 points by default
    text = page_text(at)
    assert "to 8,333 daily means" in text and "fitted on the last **2,000** training points" in text
    assert at.slider(key="fc_horizon").max <= 1_000
    assert len(_leaderboard(at)) == 4


def test_without_aggregation_a_long_series_fits_on_its_recent_points(counted):
    at = _upload(_hourly(_hourly_load(30_000)), _kept_fc_aggregate="none",
                 _kept_fc_methods_seasonal=["naive", "snaive", "holt_winters"])
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert {length for _, length, _ in counted} == {2_000}
    assert {horizon for _, _, horizon in counted} == {1_000}  # the slider's longest horizon, never the test part
    at.session_state["fc_tab"] = "Stationarity"
    at.run()
    assert_no_exception(at)
    assert "KPSS" in page_text(at)


def test_a_value_too_large_to_compute_with_is_named_and_the_page_works():
    values = list(100 + 10 * np.sin(np.arange(60) * 2 * np.pi / 12))
    values[17] = 1e300
    at = _upload(_monthly(values))
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    text = page_text(at)
    assert "too large to compute with" in text and "row 18 \\(2002\\-06\\-01\\)" in text
    assert len(_leaderboard(at)) >= 4


def test_a_constant_series_gets_a_plain_statement():
    at = _upload(_monthly([42.0] * 48), _kept_fc_methods_seasonal=["naive", "snaive"])
    assert_no_exception(at)
    assert "The training data are constant: every value is 42" in page_text(at)
    at.session_state["fc_tab"] = "Residuals"
    at.run()
    assert_no_exception(at)
    assert "nan" not in page_text(at)


def test_html_in_a_column_name_is_shown_as_text_in_the_chart():
    values = list(100 + 10 * np.sin(np.arange(48) * 2 * np.pi / 12))
    content = _monthly(values).replace(b"date,value", b'date,<a href="http://evil.example">CLICKME</a>')
    at = _upload(content)
    assert_no_exception(at)
    titles = [json.dumps(f["layout"].get("yaxis", {}).get("title"), ensure_ascii=False) for f in plotly_figures(at)]
    assert any("CLICKME" in t for t in titles)
    assert not any("<a" in t for t in titles)


def test_settings_for_one_dataset_do_not_carry_over_to_the_next():
    at = run_page(PAGE, _kept_dataset="nile")
    at.slider(key="fc_horizon").set_value(7).run()
    at.selectbox(key="dataset").set_value("air_passengers").run()
    assert_no_exception(at)
    assert at.slider(key="fc_horizon").value == 29  # Air passengers' own default, not Nile's 7
    assert "scored on the first **29**" in page_text(at)
    assert any("was set for other data; 29 for these" in t.value for t in at.toast)


def test_methods_keep_their_colour_whichever_are_picked():
    from playground.figures.forecasting import METHOD_STYLES

    def colours(at):
        spec = next(f for f in plotly_figures(at) if any(t.get("name") == "Naive" for t in f["data"]))
        return {t["name"]: (t["line"]["color"], t["line"]["dash"]) for t in spec["data"] if t.get("name") in METHOD_STYLES}

    first = colours(run_page(PAGE, _kept_fc_methods_seasonal=["naive", "drift"]))
    second = colours(run_page(PAGE, _kept_fc_methods_seasonal=["drift", "snaive", "naive"]))
    assert first["Naive"] == second["Naive"] == METHOD_STYLES["Naive"]
    assert first["Drift"] == second["Drift"] == METHOD_STYLES["Drift"]
    assert len(set(METHOD_STYLES.values())) == len(METHOD_STYLES) == len(fc.METHODS)


def test_stationarity_tab_states_rs_rules_and_the_numbers_they_compared():
    at = run_page(PAGE, fc_tab="Stationarity")
    assert_no_exception(at)
    text = page_text(at)
    assert "nsdiffs" in text and "ndiffs" in text and "⌊3√n/13⌋" in text
    assert "Here: **d = 1, D = 1**" in text  # the air-passenger training part, as R's auto.arima decides
    assert "D = 1: the seasonal strength F_S = " in text and "KPSS p" in text


def test_a_two_valued_series_gets_a_statement_not_test_numbers():
    values = [float(i % 2) for i in range(60)]  # 0, 1, 0, 1, …: an ADF statistic of −1e15 before
    at = _upload(_monthly(values), fc_tab="Stationarity", _kept_fc_methods_seasonal=["naive"])
    assert_no_exception(at)
    assert any("only two values" in i.value and "do not apply" in i.value for i in at.info)
    assert not at.error
    assert not [m for m in at.metric if "ADF" in m.label]


def _european_export(rows: int) -> bytes:
    index = pd.date_range("1980-01-01", periods=rows, freq="30min")
    load = 30_000 + 5_000 * np.sin(2 * np.pi * np.arange(rows) / 48) + np.random.default_rng(0).normal(0, 500, rows)
    frame = pd.DataFrame({"Datum": index.strftime("%d.%m.%Y %H:%M"), "Last MW": load.round(1)})
    return frame.to_csv(index=False, sep=";", decimal=",").encode()


def test_a_780000_row_european_export_works_on_its_defaults():
    at = _upload(_european_export(780_000))
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]  # no "horizon must be between 1 and 5000"
    assert at.selectbox(key="fc_aggregate").value == "daily"
    assert at.slider(key="fc_horizon").value <= at.slider(key="fc_horizon").max <= 1_000
    assert len(_leaderboard(at)) >= 3


def test_a_file_with_2000_columns_works_on_its_defaults():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(48, 2_000)).round(3) + 10, columns=[f"sensor_{i}" for i in range(2_000)])
    frame.insert(0, "month", pd.date_range("2020-01-01", periods=48, freq="MS").strftime("%Y-%m"))
    at = _upload(frame.to_csv(index=False).encode())
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    values = at.selectbox(key="value_column")
    assert values.value == "sensor_0" and len(values.options) == 2_000
    assert len(_leaderboard(at)) >= 3
