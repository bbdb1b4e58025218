"""The NER page in the real server and Chromium at projector size (1280×720, sidebar open): screenshots."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PROJECTOR, SHOTS, assert_no_error, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def projector(server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{server}/ner")
    wait_idle(page)
    yield page
    page.close()


def _slider_to_minimum(page, key: str) -> None:
    page.locator(f".st-key-{key} input[type='range']").focus()
    page.keyboard.press("Home")
    wait_idle(page)


def test_ner_page_first_screen_trains_and_tags_safely(projector):
    page = projector
    assert_no_error(page)
    assert page.locator("[data-testid='stSidebar']").is_visible()
    body = page.inner_text("body")
    assert "NER tagging" in body and "Train the Bidirectional LSTM" in body
    page.screenshot(path=SHOTS / "ner_first_screen.png")

    # a tiny model so the test stays fast: one epoch, four hidden units
    page.get_by_role("button", name="Settings").click()
    _slider_to_minimum(page, "ner_epochs")
    _slider_to_minimum(page, "ner_hidden")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Train the Bidirectional LSTM").click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    assert_no_error(page)
    assert "Entity F1 (dev)" in page.inner_text("body")
    page.screenshot(path=SHOTS / "ner_trained_first_screen.png")

    box = page.locator(".st-key-ner_text input")
    box.fill("<b>Bold</b> Tom & Jerry met <script>x</script> in Paris")
    box.press("Enter")
    wait_idle(page)
    assert_no_error(page)
    sentence = page.locator("[data-testid='stMain'] [data-testid='stHtml']", has_text="Jerry").first
    shown = sentence.inner_text()  # the tokens, separated by spaces
    assert "< b > Bold < / b >" in shown and "< script > x" in shown and "Jerry" in shown
    assert sentence.locator("b, script").count() == 0  # shown as text, never as markup
    page.screenshot(path=SHOTS / "ner_markup_as_text.png", full_page=True)
