"""The decomposition page run by AppTest: samples, uploads, every setting, every error message."""

import numpy as np
import pytest

from conftest import DATA, assert_no_exception, page_text, plotly_figures as figures, plotly_values, run_page

R_MULTIPLICATIVE_FIGURE = [0.9102304, 0.8836253, 1.0073663, 0.9759060, 0.9813780, 1.1127758,
                           1.2265555, 1.2199110, 1.0604919, 0.9217572, 0.8011781, 0.8988244]


def upload(at, name: str, content: bytes):
    at.selectbox(key="dataset").select("upload").run()
    at.file_uploader[0].upload(name, content, "text/csv")
    return at.run()


def test_default_page_decomposes_air_passengers():
    at = run_page("decomposition.py")
    assert_no_exception(at)
    assert not at.error
    text = page_text(at)
    assert "Air passengers" in text and "monthly" in text and "144 points" in text
    assert "x_t = T_t + S_t + E_t" in text
    assert at.number_input(key=next(k for k in at.session_state if k.startswith("period_"))).value == 12
    metrics = {m.label: m.value for m in at.metric}
    assert 0.9 < float(metrics["Strength of trend F_T"]) <= 1
    components = figures(at)[0]
    assert len([t for t in components["data"] if t.get("type") in ("scatter", "scattergl")]) == 4
    assert "Download the components as CSV" in [b.label for b in at.get("download_button")]
    assert "centred 2×12 moving average" in text and "first and last **6** trend values are empty" in text


def test_multiplicative_model_shows_r_seasonal_indices():
    at = run_page("decomposition.py")
    at.radio(key="model").set_value("multiplicative").run()
    assert_no_exception(at)
    assert r"x_t = T_t \times S_t \times E_t" in page_text(at)
    seasonal_trace = figures(at)[0]["data"][2]
    np.testing.assert_allclose(plotly_values(seasonal_trace["y"])[:12], R_MULTIPLICATIVE_FIGURE, atol=1e-6)
    table = at.dataframe[0].value
    np.testing.assert_allclose(table.loc["seasonal index S"].astype(float), R_MULTIPLICATIVE_FIGURE, atol=5e-5)  # 4 dp


def test_stl_with_robust_fitting_and_a_second_sample():
    at = run_page("decomposition.py")
    at.selectbox(key="dataset").select("co2").run()
    at.radio(key="method").set_value("stl").run()
    at.checkbox(key="robust").check().run()
    assert_no_exception(at)
    assert not at.error
    text = page_text(at)
    assert "Mauna Loa" in text and "Here is the classical method at the same period" in text


def test_mstl_is_offered_for_two_seasons():
    at = run_page("decomposition.py", timeout=120)
    at.selectbox(key="dataset").select("electricity").run()
    assert "MSTL (several seasons)" in at.radio(key="method").options
    at.radio(key="method").set_value("mstl").run()
    assert_no_exception(at)
    assert not at.error
    components = figures(at)[0]
    assert len(plotly_values(components["data"][0]["y"])) == 4032


def test_yearly_data_without_a_season_says_so():
    at = run_page("decomposition.py")
    at.selectbox(key="dataset").select("nile").run()
    assert_no_exception(at)
    assert any("No seasonal period shows" in info.value for info in at.info)


def test_period_larger_than_half_the_series_is_explained():
    at = run_page("decomposition.py")
    key = next(k for k in at.session_state if k.startswith("period_"))
    at.number_input(key=key).set_value(100).run()
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


def test_short_series_explains_two_full_periods():
    rows = "\n".join(f"2020-{m:02d},{m}" for m in range(1, 13)) + "\n" + "\n".join(
        f"2021-{m:02d},{m + 1}" for m in range(1, 7))
    at = upload(run_page("decomposition.py"), "short.csv", f"month,value\n{rows}\n".encode())
    assert_no_exception(at)
    assert any("needs at least two full periods" in e.value for e in at.error)


def test_multiplicative_on_zeros_is_refused_and_the_page_keeps_working():
    rows = "\n".join(f"{2000 + i // 4} Q{i % 4 + 1},{(i % 4) * 10}" for i in range(40))
    at = upload(run_page("decomposition.py"), "zeros.csv", f"quarter,value\n{rows}\n".encode())
    at.radio(key="model").set_value("multiplicative").run()
    assert_no_exception(at)
    assert any("strictly positive" in e.value for e in at.error)
    at.radio(key="model").set_value("additive").run()
    assert not at.error and len(at.get("plotly_chart")) >= 4
    assert any("explain the series exactly" in info.value for info in at.info)  # a perfect season, no noise


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
