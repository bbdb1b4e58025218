"""The BPTT page in the real server and headless Chromium, at projector size (1280×720, sidebar open).

Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import PROJECTOR, SHOTS, assert_no_error, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def projector(server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(server)  # the first request runs app.py; the deep link below then gets the real menu
    wait_idle(page)
    page.goto(f"{server}/bptt")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    yield page
    page.close()


def test_first_screen_shows_the_unrolled_rnn_with_the_sidebar_open(projector):
    assert_no_error(projector)
    sidebar = projector.locator("[data-testid='stSidebar']").bounding_box()
    assert sidebar["x"] == 0 and sidebar["width"] > 200  # open
    assert projector.locator("[data-testid='stSidebarNavLink']", has_text="BPTT").count() == 1
    animation = projector.locator(".js-plotly-plot").first
    box = animation.bounding_box()
    assert box["y"] < 720 * 0.6, "the animation should start on the first screen"
    projector.screenshot(path=SHOTS / "bptt_first_screen.png")


def test_play_runs_the_passes_in_the_browser(projector):
    animation = projector.locator(".js-plotly-plot").first
    animation.scroll_into_view_if_needed()
    current = animation.locator(".slider-group > .slider-label").first  # plotly's "step →1" above the slider
    before = current.text_content()
    animation.locator(".updatemenu-button", has_text="Play").click()
    projector.wait_for_timeout(2_500)
    after = current.text_content()
    assert before == "step →1" and before != after, (before, after)  # frames move in the browser, no rerun
    assert "Forward" in animation.inner_text() or "Backward" in animation.inner_text()
    projector.screenshot(path=SHOTS / "bptt_playing.png")
    animation.locator(".updatemenu-button", has_text="Pause").click()


def test_gradient_flow_section_draws(projector):
    heading = projector.locator("h2", has_text="How far back does the gradient reach?")
    heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    projector.wait_for_timeout(500)
    assert projector.locator(".js-plotly-plot").count() >= 2
    assert "vanishes" in projector.inner_text("body")
    assert_no_error(projector)
    projector.screenshot(path=SHOTS / "bptt_gradient_flow.png")
