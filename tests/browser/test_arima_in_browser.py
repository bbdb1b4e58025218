"""Auto ARIMA in the real server at projector size (1280×720): the search path in Model details, the d/D rules.

Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import PROJECTOR, SHOTS, assert_no_error, wait_idle

pytestmark = pytest.mark.browser


def _pick(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key} [role='combobox']").first.click()
    page.locator("[role='option']", has_text=option).first.click()
    wait_idle(page)


def test_auto_arima_search_path_on_a_projector(server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    try:
        page.goto(f"{server}/forecasting")
        wait_idle(page)
        _pick(page, "dataset", "US accidental deaths")
        page.locator(".st-key-fc_methods_seasonal [role='combobox']").first.click()
        page.locator("[role='option']", has_text="Auto ARIMA").first.click()
        wait_idle(page)
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Search ARIMA orders").click()
        wait_idle(page, timeout=120_000)
        assert_no_error(page)
        page.get_by_role("tab", name="Model details").click()
        wait_idle(page)
        _pick(page, "fc_details_method", "Auto ARIMA")
        assert_no_error(page)
        body = page.inner_text("body")
        assert "Chosen: ARIMA(" in body and "seasonal strength F_S" in body
        figure = page.locator(".js-plotly-plot", has_text="current best").first
        figure.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=SHOTS / "forecasting_auto_arima_path.png")
        figure.screenshot(path=SHOTS / "forecasting_auto_arima_path_figure.png")
        page.get_by_role("tab", name="Stationarity").click()
        wait_idle(page)
        assert "nsdiffs" in page.inner_text("body")
        page.locator("text=Auto ARIMA chooses them").first.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "forecasting_stationarity_rules.png")
    finally:
        page.close()
