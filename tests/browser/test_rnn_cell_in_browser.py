"""The RNN cell page in the real server, at a projector's 1280×720 with the sidebar open."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PROJECTOR, SHOTS, assert_no_error, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def projector(server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(server)  # through the menu, as a lecturer would (the app's wide layout comes from app.py)
    wait_idle(page)
    page.locator("[data-testid='stSidebarNavLink']", has_text="RNN cell").click()
    wait_idle(page)
    yield page
    page.close()


def test_the_cell_figure_with_its_controls_fits_one_projector_screen(projector):
    page = projector
    assert_no_error(page)
    assert page.locator("[data-testid='stSidebar']").is_visible()
    page.screenshot(path=SHOTS / "rnn_cell_first_screen.png")
    figure = page.locator(".st-key-rnn_cell_figure .js-plotly-plot")
    figure.scroll_into_view_if_needed()
    figure.evaluate("element => { element.scrollIntoView({block: 'start'}); window.scrollBy(0, -64); }")
    page.wait_for_timeout(500)
    page.screenshot(path=SHOTS / "rnn_cell_step_by_step.png")
    box = figure.bounding_box()
    assert box["height"] <= 660 and box["width"] <= 960, box  # diagram, equation and play controls on one screen
    play = figure.locator(".updatemenu-button", has_text="Play")
    assert play.count() == 1 and play.bounding_box()["y"] + 30 < 720


def test_training_in_the_browser_shows_what_changed(projector):
    page = projector
    page.get_by_role("button", name="Train the cell").click()
    wait_idle(page)
    assert_no_error(page)
    page.locator(".st-key-rnn_cell_figure .js-plotly-plot .updatemenu-button", has_text="Play").click()
    page.wait_for_timeout(2500)  # the animation runs in the browser: the slider moves without a rerun
    body = page.inner_text("body")
    assert "Target reached" in body or "Target missed" in body
    page.locator(".st-key-rnn_loss").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "rnn_cell_trained.png")
    page.locator(".st-key-rnn_type label", has_text="Bidirectional RNN").click()
    wait_idle(page)
    assert_no_error(page)
    page.locator(".st-key-rnn_type_figure").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "rnn_cell_types.png")
    assert "13 of 13" in page.inner_text("body")
