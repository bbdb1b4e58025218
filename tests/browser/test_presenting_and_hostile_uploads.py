"""A lecture: presenter mode puts each page's main figure on the first 1280×720 screen; every Forecasting figure
fits the projector with its legend off the data; hostile files go through the real upload while another
student's session keeps working."""

from __future__ import annotations

import pytest

from tests.conftest import DATA
from tests.browser.helpers import (
    PROJECTOR, SHOTS, assert_legends_clear_of_data, assert_no_error, open_tab, shoot, visible_charts, wait_idle,
)

pytestmark = pytest.mark.browser
FIRST_SCREEN = PROJECTOR["height"]


@pytest.mark.parametrize("page_path, main", [
    ("decomposition", ".js-plotly-plot"),
    ("forecasting", ".js-plotly-plot"),
    ("rnn_cell", ".js-plotly-plot"),
    ("bptt", ".js-plotly-plot"),
    ("gates", ".js-plotly-plot"),
    ("ner", "[data-testid='stMain'] [data-testid='stHtml']"),
])
def test_presenter_mode_puts_the_main_figure_on_the_first_screen(server, projector, page_path, main):
    projector.goto(f"{server}/{page_path}?present=true")
    wait_idle(projector)
    projector.wait_for_selector(main, timeout=60_000)
    assert_no_error(projector)
    figure = projector.locator(main).first.bounding_box()
    assert figure["y"] < FIRST_SCREEN - 200, f"{page_path}: the main figure starts at {figure['y']:.0f} px"
    assert projector.locator("[data-testid='stExpander']").count() >= 1  # the explanation is folded away
    projector.screenshot(path=SHOTS / f"presenting_{page_path}.png")


def test_every_forecasting_figure_on_a_projector(server, projector):
    projector.goto(f"{server}/forecasting")
    wait_idle(projector)
    projector.wait_for_selector(".js-plotly-plot", timeout=60_000)
    checked = 0
    for tab in ["Forecasts", "Stationarity", "Residuals", "Rolling origin"]:
        open_tab(projector, tab)
        wait_idle(projector)
        if tab == "Rolling origin":
            projector.get_by_role("button", name="Run rolling-origin evaluation").click()
            wait_idle(projector, timeout=180_000)
        assert_no_error(projector)
        charts = visible_charts(projector)
        assert charts, f"no chart on the {tab} tab"
        for i, chart in enumerate(charts):
            assert chart.bounding_box()["width"] <= PROJECTOR["width"], f"a {tab} chart is wider than the screen"
            shoot(projector, chart, f"forecasting_1280_{tab.lower().replace(' ', '_')}_{i}")
        checked += assert_legends_clear_of_data(projector)
    assert checked >= 3


HOSTILE = sorted((DATA / "hostile").glob("*.csv")) + [DATA / "messy" / name for name in (
    "binary.csv", "excel_workbook.xlsx", "cp1252_thousands.csv", "empty.csv", "header_only.csv")]


def _generated(folder):
    """Two files too big to keep in the repository: 2,000 columns, and half a million rows (about 20 MB)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(30, 2_000)).round(3), columns=[f"c{i}" for i in range(2_000)])
    wide.insert(0, "month", pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m"))
    wide.to_csv(folder / "two_thousand_columns.csv", index=False)
    stamps = pd.date_range("2000-01-01", periods=500_000, freq="min").strftime("%d.%m.%Y %H:%M")
    pd.DataFrame({"Zeit": stamps, "Wert": rng.normal(size=500_000).round(3)}).to_csv(
        folder / "half_a_million_rows.csv", index=False, sep=";", decimal=",")
    return [folder / "two_thousand_columns.csv", folder / "half_a_million_rows.csv"]


def test_hostile_uploads_give_messages_or_charts_while_another_session_works(server, browser, tmp_path):
    from playwright.sync_api import expect

    student = browser.new_page(viewport=PROJECTOR)
    other = browser.new_page(viewport=PROJECTOR)
    other.goto(f"{server}/decomposition")
    wait_idle(other)
    student.goto(f"{server}/decomposition?dataset=⬆ Upload your own CSV…")
    wait_idle(student)
    uploader = student.locator("[data-testid='stFileUploader']")
    for path in HOSTILE + _generated(tmp_path):
        listed = uploader.inner_text()
        with student.expect_file_chooser() as chooser:
            student.locator("[data-testid='stFileUploaderDropzone']").click()
        chooser.value.set_files(str(path))
        # a large file takes seconds to send: wait until the uploader lists it (long names are shortened in
        # the middle), then for the rerun it starts
        expect(uploader).not_to_have_text(listed, timeout=120_000)
        wait_idle(student, timeout=180_000)
        assert_no_error(student)
        answer = "[data-testid='stMain'] .js-plotly-plot, [data-testid='stMain'] [data-testid='stAlert']"
        student.wait_for_selector(answer, timeout=60_000)  # a chart draws a moment after the rerun ends
        body = student.inner_text("body")
        shown = student.locator("[data-testid='stMain'] .js-plotly-plot").count() > 0
        said = student.locator("[data-testid='stMain'] [data-testid='stAlert']").count() > 0
        assert shown or said, f"{path.name}: neither a chart nor a message"
        assert student.locator("[data-testid='stMain'] a[href*='evil']").count() == 0, f"{path.name}: a live link"
        assert "CLICKME" not in body or "<a href" in body, f"{path.name}: markup rendered"
        # meanwhile the other student's page keeps answering
        other.locator(".st-key-dec_model [role='radiogroup'] label").nth(0).click()
        wait_idle(other)
        assert_no_error(other)
        assert other.locator(".js-plotly-plot").count() > 0
    student.screenshot(path=SHOTS / "hostile_last_upload.png")
    student.close()
    other.close()
