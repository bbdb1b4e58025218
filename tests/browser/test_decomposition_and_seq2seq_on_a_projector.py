"""The decomposition and Seq2Seq pages at 1280×720, the projector's size: screenshots to look at, and legends
that never cover a plot's data area."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    SHOTS, assert_legends_clear_of_data, assert_no_error, open_tab, shoot, visible_charts, wait_idle,
)

pytestmark = pytest.mark.browser


def test_decomposition_at_1280(server, projector):
    page = projector
    page.goto(f"{server}/decomposition")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert_no_error(page)
    body = page.inner_text("body")
    assert "multiplicative" in body and "Why this series opens with classical, multiplicative, m = 12" in body
    page.screenshot(path=SHOTS / "decomposition_1280_first_screen.png")
    shoot(page, visible_charts(page)[0], "decomposition_1280_components")
    open_tab(page, "Anything left in the remainder?")
    assert "simulated series" in page.inner_text("body")
    shoot(page, visible_charts(page)[0], "decomposition_1280_remainder")

    page.locator(".st-key-dataset [role='combobox']").click()
    page.locator("[role='option']", has_text="Melbourne").click()
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert_no_error(page)
    assert "m = 365" in page.inner_text("body")
    shoot(page, visible_charts(page)[0], "decomposition_1280_melbourne")


def test_seq2seq_at_1280(server, projector):
    page = projector
    page.goto(f"{server}/seq2seq")
    wait_idle(page)
    for mode in ("parallel", "autoregressive"):
        page.get_by_role("button", name=f"Train the {mode} decoder").click()
        wait_idle(page, timeout=180_000)
    assert_no_error(page)
    page.wait_for_selector("text=Side by side", timeout=60_000)
    charts = {}
    for tab in ("Decoding, step by step", "Predictions", "Error by horizon step", "Training curves"):
        open_tab(page, tab)
        visible = visible_charts(page)
        assert visible, f"no chart in {tab}"
        charts[tab] = visible[-1]
        assert_legends_clear_of_data(page)
        shoot(page, charts[tab], f"seq2seq_1280_{tab.split(',')[0].lower().replace(' ', '_')}")
    open_tab(page, "Decoding, step by step")
    page.get_by_text("▶ Play", exact=True).click()
    page.wait_for_timeout(2500)
    shoot(page, visible_charts(page)[-1], "seq2seq_1280_decoding_playing")
    open_tab(page, "Which one when?")
    assert "decoder wins" in page.inner_text("body") or "about equally good" in page.inner_text("body")
