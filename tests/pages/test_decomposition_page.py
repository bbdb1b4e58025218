"""The decomposition page run by AppTest: samples, uploads, every setting, every error message."""

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATA, assert_no_exception, page_text, plotly_figures as figures, plotly_values, run_page

R_MULTIPLICATIVE_FIGURE = [0.9102304, 0.8836253, 1.0073663, 0.9759060, 0.9813780, 1.1127758,
                           1.2265555, 1.2199110, 1.0604919, 0.9217572, 0.8011781, 0.8988244]


def upload(at, name: str, content: bytes):
    at.selectbox(key="dataset").select("upload").run()
    at.file_uploader[0].upload(name, content, "text/csv")
    return at.run()


def widget(at, kind: str, name: str):
    """The widget of this series' setting `name` (keys carry the series' fingerprint: settings are per series)."""
    return next(w for w in getattr(at, kind) if w.key == f"dec_{name}")


def monthly_csv(values) -> bytes:
    dates = pd.date_range("2001-01", periods=len(values), freq="MS").strftime("%Y-%m")
    return ("month,value\n" + "\n".join(f"{d},{v}" for d, v in zip(dates, values)) + "\n").encode()


def test_default_page_decomposes_air_passengers_as_multiplicative():
    at = run_page("decomposition.py")
    assert_no_exception(at)
    assert not at.error
    text = page_text(at)
    assert "Air passengers" in text and "monthly" in text and "144 points" in text
    assert widget(at, "radio", "model").value == "multiplicative"  # what its description says
    assert r"x_t = T_t \times S_t \times E_t" in text
    assert widget(at, "number_input", "period").value == 12
    assert "Why this series opens with classical, multiplicative, m = 12" in text
    assert "the seasonal swing grows with the level" in text
    seasonal_trace = figures(at)[0]["data"][2]
    np.testing.assert_allclose(plotly_values(seasonal_trace["y"])[:12], R_MULTIPLICATIVE_FIGURE, atol=1e-6)
    table = at.dataframe[0].value
    np.testing.assert_allclose(table.loc["seasonal index S"].astype(float), R_MULTIPLICATIVE_FIGURE, atol=5e-5)  # 4 dp
    metrics = {m.label: m.value for m in at.metric}
    assert 0.9 < float(metrics["Strength of trend F_T"]) <= 1
    assert float(metrics["Remainder check p-value"]) < 0.05
    assert "Something systematic is left" in text and "199 simulated series" in text
    assert "Download the components as CSV" in [b.label for b in at.get("download_button")]
    assert "centred 2×12 moving average" in text and "first and last **6** trend values are empty" in text
    assert "Sum of the indices: 12 (should be 12)" in text


def test_additive_model_and_the_sum_of_the_indices_reads_zero():
    at = run_page("decomposition.py")
    widget(at, "radio", "model").set_value("additive").run()
    assert_no_exception(at)
    text = page_text(at)
    assert "x_t = T_t + S_t + E_t" in text
    assert "Sum of the indices: 0 (should be 0)" in text and "-0" not in text.split("Sum of the indices")[1][:8]


def test_melbourne_opens_with_the_yearly_period():
    at = run_page("decomposition.py", _kept_dataset="melbourne_temp")
    assert_no_exception(at)
    assert widget(at, "number_input", "period").value == 365
    assert widget(at, "radio", "model").value == "additive"
    text = page_text(at)
    assert "Not m = 7" in text and "a yearly season" in text
    assert float({m.label: m.value for m in at.metric}["Strength of seasonality F_S"]) > 0.5


def test_settings_are_kept_per_series_and_a_new_series_opens_with_its_own():
    at = run_page("decomposition.py", _kept_dataset="co2")
    widget(at, "radio", "method").set_value("stl").run()
    widget(at, "checkbox", "robust").check().run()
    assert_no_exception(at)
    assert not at.error and "Here is the classical method at the same period" in page_text(at)
    at.selectbox(key="dataset").select("electricity").run()
    assert widget(at, "radio", "method").value == "mstl"  # its own default: two seasons
    assert not widget(at, "checkbox", "robust").value  # robust was ticked for CO₂ only
    at.selectbox(key="dataset").select("co2").run()
    assert widget(at, "radio", "method").value == "stl" and widget(at, "checkbox", "robust").value


def test_mstl_opens_for_two_seasons_and_its_check_runs_on_a_button(monkeypatch):
    from playground import decomposition

    # The real 199 MSTL fits take seconds, which is why they run on a button; here 19, as if they took long.
    monkeypatch.setattr(decomposition, "SIMULATIONS", 19)
    monkeypatch.setattr(decomposition, "simulation_seconds", lambda *args: 30.0)
    at = run_page("decomposition.py", timeout=180, _kept_dataset="electricity")
    assert_no_exception(at)
    assert widget(at, "radio", "method").value == "mstl"
    assert [w.value for w in at.number_input] == [48, 336]
    components = figures(at)[0]
    assert len(plotly_values(components["data"][0]["y"])) == 4032
    assert "has not been run yet" in page_text(at)
    button = next(b for b in at.button if b.label.startswith("Compare with 19 simulated series"))
    button.click()
    at.run()
    assert_no_exception(at)
    text = page_text(at)
    assert ("Something systematic is left" in text or "Nothing systematic shows" in text) and "19 simulated" in text


def test_yearly_data_opens_with_the_trend_alone():
    at = run_page("decomposition.py", _kept_dataset="nile")
    assert_no_exception(at)
    assert widget(at, "radio", "method").value == "trend"
    text = page_text(at)
    assert "x_t = T_t + E_t" in text and "opens with the trend alone" in text and "no repeating pattern" in text
    assert {m.label: m.value for m in at.metric}["Strength of seasonality F_S"] == "—"
    assert len([a for a in figures(at)[0]["layout"]["annotations"]]) == 3  # observed, trend, remainder
    widget(at, "number_input", "window").set_value(20).run()
    assert_no_exception(at)
    assert "centred 2×20 moving average" in page_text(at)


def test_a_long_moving_average_window_on_a_long_series_is_checked_without_error():
    # the remainder check of a long series reads its last points: at least three windows of them
    values = np.round(np.random.default_rng(2).normal(size=20_000).cumsum(), 3)
    frame = pd.DataFrame({"day": pd.date_range("1960-01-01", periods=20_000, freq="D").strftime("%Y-%m-%d"),
                          "v": values})
    at = upload(run_page("decomposition.py", timeout=120), "long.csv", frame.to_csv(index=False).encode())
    widget(at, "radio", "method").set_value("trend").run()
    widget(at, "number_input", "window").set_value(6_001).run()
    assert_no_exception(at)
    assert not at.error and "6001-term moving average" in page_text(at)


def test_period_larger_than_half_the_series_is_explained():
    at = run_page("decomposition.py")
    widget(at, "number_input", "period").set_value(100).run()
    assert_no_exception(at)
    assert any("two full periods" in e.value and "at most 72" in e.value for e in at.error)
    assert at.get("plotly_chart"), "the series is still drawn"


def test_uploaded_european_file_is_decomposed_with_its_repairs_listed():
    at = upload(run_page("decomposition.py"), "umsatz.csv", (DATA / "messy" / "excel_european.csv").read_bytes())
    assert_no_exception(at)
    assert not at.error
    text = page_text(at)
    assert "umsatz" in text and "Umsatz" in text and "48 points" in text
    assert "decimal commas" in text and "byte\\-order mark" in text  # notes are escaped markdown
    assert at.expander[0].label.startswith("The loader repaired 6 thing")


@pytest.mark.parametrize("points", [13, 18])
def test_a_short_monthly_series_opens_with_the_trend_and_says_why(points):
    at = upload(run_page("decomposition.py"), "short.csv", monthly_csv(np.arange(points) % 12 + 0.1 * np.arange(points)))
    assert_no_exception(at)
    assert not at.error  # the default is accepted
    assert widget(at, "radio", "method").value == "trend"
    assert any("opens with the trend alone" in i.value and "three full cycles" in i.value for i in at.info)
    widget(at, "radio", "method").set_value("classical").run()
    widget(at, "number_input", "period").set_value(12).run()
    assert any("needs at least two full periods" in e.value for e in at.error)


def test_multiplicative_on_zeros_is_refused_and_the_page_keeps_working():
    rows = "\n".join(f"{2000 + i // 4} Q{i % 4 + 1},{(i % 4) * 10}" for i in range(40))
    at = upload(run_page("decomposition.py"), "zeros.csv", f"quarter,value\n{rows}\n".encode())
    assert widget(at, "radio", "model").value == "additive"
    widget(at, "radio", "model").set_value("multiplicative").run()
    assert_no_exception(at)
    assert any("strictly positive" in e.value for e in at.error)
    widget(at, "radio", "model").set_value("additive").run()
    assert not at.error and len(at.get("plotly_chart")) >= 3
    assert any("explain every value exactly" in info.value for info in at.info)  # a perfect season, no noise
    assert "nan" not in page_text(at).lower()


def test_a_constant_series_gets_a_plain_statement():
    at = upload(run_page("decomposition.py"), "flat.csv", monthly_csv([5] * 48))
    assert_no_exception(at)
    assert any("Every value of this series is 5" in info.value for info in at.info)
    assert not at.metric and not at.error
    assert at.get("plotly_chart"), "the series is still drawn"


def test_a_value_that_overflows_is_never_called_constant():
    values = [float(v) for v in 100 + 10 * np.sin(np.arange(60))]
    values[20] = 1e300
    at = upload(run_page("decomposition.py"), "huge.csv", monthly_csv(values))
    assert_no_exception(at)
    text = page_text(at)
    assert "constant" not in text and "explain every value" not in text
    assert "too large to compute with" in text  # the loader names the row and treats the value as missing
    assert not at.error and at.get("plotly_chart")


def test_long_series_that_differ_in_one_value_get_different_results():
    # st.cache_data hashes a sample of 10,000 rows of a long series: the changed row must not decide the key.
    n = 60_000
    index = pd.date_range("2000-01-01", periods=n, freq="h")
    values = np.round(np.sin(2 * np.pi * np.arange(n) / 24) + np.random.default_rng(0).normal(size=n) * 0.1, 3)
    sampled = set(pd.Series(values).sample(n=10_000, random_state=0).index)
    changed = next(i for i in range(n // 2, n) if i not in sampled)
    first = pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "v": values})
    second = first.copy()
    second.loc[changed, "v"] = 500.0
    at = run_page("decomposition.py", timeout=120)
    observed = []
    for name, frame in (("first.csv", first), ("second.csv", second)):
        at = upload(at, name, frame.to_csv(index=False).encode())
        assert_no_exception(at)
        observed.append(plotly_values(figures(at)[0]["data"][0]["y"]).max())
    assert observed[0] < 5 and observed[1] == 500.0


@pytest.mark.parametrize("name", ["binary.csv", "excel_workbook.xlsx", "no_numeric.csv", "empty.csv"])
def test_unusable_uploads_get_a_message_not_a_traceback(name):
    at = upload(run_page("decomposition.py"), name, (DATA / "messy" / name).read_bytes())
    assert_no_exception(at)
    assert at.error and "could not be used" in at.error[0].value
    at.selectbox(key="dataset").select("air_passengers").run()
    assert not at.error and at.get("plotly_chart")


def test_uploaded_file_content_is_never_markup():
    hostile = b"date,<script>alert(1)</script>[x](javascript:alert(1))\n2020-01,1\n2020-02,2\n2020-03,3\n2020-04,4\n"
    at = upload(run_page("decomposition.py"), "<b>evil</b>.csv", hostile)
    assert_no_exception(at)
    text = page_text(at)
    assert "<script>" not in text and "](javascript" not in text
    assert "\\<script\\>" in text


def test_choosing_another_value_column():
    at = upload(run_page("decomposition.py"), "many.csv", (DATA / "messy" / "many_columns.csv").read_bytes())
    assert at.selectbox(key="value_column").options == ["temperature", "rainfall"]
    at.selectbox(key="value_column").select("rainfall").run()
    assert_no_exception(at)
    assert "rainfall" in page_text(at)
    np.testing.assert_allclose(plotly_values(figures(at)[0]["data"][0]["y"])[0], 200.0)


def test_slow_robust_fitting_runs_on_a_button(monkeypatch):
    from playground import decomposition

    monkeypatch.setattr(decomposition, "robust_seconds", lambda plain: 30.0)  # as for a very long series
    at = run_page("decomposition.py", _kept_dataset="co2")
    widget(at, "radio", "method").set_value("stl").run()
    widget(at, "checkbox", "robust").check().run()
    assert_no_exception(at)
    assert any("Robust fitting of this series takes a while" in i.value for i in at.info)
    before = plotly_values(figures(at)[0]["data"][3]["y"])
    next(b for b in at.button if b.label.startswith("Fit robustly (about 30 s)")).click()
    at.run()
    assert_no_exception(at)
    assert not any("takes a while" in i.value for i in at.info)
    assert not np.allclose(plotly_values(figures(at)[0]["data"][3]["y"]), before)  # the robust remainder
