"""The gates page in the real server, on a projector's screen: 1280×720 (and 1024×720) with the sidebar open.

The animated cell figure must show its player, the cell diagram, the bars of every unit and the equations
with live numbers on one screen, with no text on top of other text and nothing cut off; Play must move them
together. Screenshots go to test-artifacts/screenshots/ (gates_*.png) for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import SHOTS, assert_no_error, wait_idle

pytestmark = pytest.mark.browser
HEADER = 64  # Streamlit's top bar covers this much of the window


def _open(browser, server, width: int, kind: str, train: bool):
    page = browser.new_page(viewport={"width": width, "height": 720})
    page.goto(server)  # the front door first, as a lecturer would (app.py sets the wide layout)
    wait_idle(page)
    page.goto(f"{server}/gates")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    if kind != "LSTM":
        page.locator(".st-key-gates_kind").get_by_text(kind, exact=True).click()
        wait_idle(page)
    title = page.locator(".js-plotly-plot .gtitle").first
    if train and "UNTRAINED" in title.text_content():  # (a model trained by an earlier test is already cached)
        page.locator("button:visible", has_text=f"Train the {kind}").first.click()
        wait_idle(page, timeout=120_000)
        page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    assert ("UNTRAINED" in page.locator(".js-plotly-plot .gtitle").first.text_content()) != train
    return page


def _boxes(figure, selector: str) -> list[dict]:
    return figure.locator(selector).evaluate_all(
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); "
        "return {x: r.x, y: r.y, w: r.width, h: r.height, text: n.textContent}; })"
        ".filter(b => b.w > 0 && b.h > 0 && b.text.trim())")


def _overlap(a: dict, b: dict, slack: float = 1.5) -> bool:
    return (min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > slack and
            min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > slack)


@pytest.mark.parametrize("width, kind, train", [(1280, "LSTM", True), (1024, "LSTM", True),
                                                (1024, "GRU", False), (1024, "simplified GRU", False)])
def test_the_cell_figure_fits_one_projector_screen(browser, server, width, kind, train):
    """The trained LSTM at both widths; the GRUs untrained (the same layout, and the longest title) at the
    narrower one."""
    page = _open(browser, server, width, kind, train)
    assert_no_error(page)
    name = f"gates_{width}" + ("" if kind == "LSTM" else "_" + kind.replace(" ", "_"))
    page.screenshot(path=SHOTS / f"{name}_first_screen.png")
    figure = page.locator(".js-plotly-plot").first
    top = figure.bounding_box()["y"]
    page.mouse.move(width - 200, 400)
    page.mouse.wheel(0, top - HEADER - 8)  # the figure's top just under Streamlit's bar
    page.wait_for_timeout(600)
    page.screenshot(path=SHOTS / f"{name}_figure.png")

    frame = figure.bounding_box()
    assert frame["y"] >= HEADER - 2 and frame["y"] + frame["height"] <= 720, frame  # the whole figure on screen
    points = _boxes(figure, ".textpoint text")
    parts = {
        "play button": _boxes(figure, ".updatemenu-button"),
        "step slider": _boxes(figure, ".slider-container .slider-label"),
        "gate boxes": [b for b in points if b["text"].startswith("σ")],
        "equations": [b for b in points if b["text"].startswith(("a⟨t⟩ = Γ", "c⟨t⟩ = a⟨t⟩ = Γ"))],
        "bars": figure.locator(".barlayer .point path").evaluate_all(
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, "
            "h: r.height}; })"),
    }
    for part, boxes in parts.items():
        assert boxes, f"no {part} found"
        for box in boxes:
            assert HEADER - 2 <= box["y"] and box["y"] + box["h"] <= 720, (part, box)
            assert frame["x"] - 1 <= box["x"] and box["x"] + box["w"] <= frame["x"] + frame["width"] + 1, (part, box)

    # No text on top of other text, and none outside the figure (the old figure cut "c⟨t−1⟩", its title and
    # its legends ran into the panel titles).
    texts = _boxes(figure, "svg text")
    for box in texts:
        assert frame["x"] - 1 <= box["x"] and box["x"] + box["w"] <= frame["x"] + frame["width"] + 1, box
    clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1:] if _overlap(a, b)]
    assert not clashes, clashes

    # ▶ moves the diagram, the bars and the equations together, in the browser (no rerun).
    before = [b["text"] for b in _boxes(figure, ".textpoint text")]
    bars_before = parts["bars"]
    figure.locator(".updatemenu-button").nth(1).click()  # ▶▶
    page.wait_for_timeout(1_200)
    figure.locator(".updatemenu-button").nth(2).click()  # ❚❚
    after = [b["text"] for b in _boxes(figure, ".textpoint text")]
    assert after != before
    equations = [text for text in after if text.startswith(("c⟨t⟩ = Γ", "c⟨t⟩ = a⟨t⟩ = Γ"))]
    assert equations and equations[0] not in before
    bars_after = figure.locator(".barlayer .point path").evaluate_all(
        "nodes => nodes.map(n => n.getBoundingClientRect().height)")
    assert bars_after != [b["h"] for b in bars_before]
    page.screenshot(path=SHOTS / f"{name}_after_play.png")
    page.close()
