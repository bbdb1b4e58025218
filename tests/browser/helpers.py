"""What the browser tests share: the real server, headless Chromium, waiting for a rerun, the projector's size."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PROJECTOR = {"width": 1280, "height": 720}  # a lecture hall's projector, with the sidebar open


def browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def require_browser() -> None:
    """Skip the browser tests where Chromium is missing; in CI (PLAYGROUND_REQUIRE_BROWSER) fail instead."""
    if not browser_available():
        if os.environ.get("PLAYGROUND_REQUIRE_BROWSER"):
            raise RuntimeError("PLAYGROUND_REQUIRE_BROWSER is set but Chromium or playwright is missing")
        pytest.skip("headless Chromium (apt: chromium) or playwright is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(timeout: float = 60):
    """`streamlit run app.py` on a free local port; yields its address."""
    port = free_port()
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS.parent / f"server-{port}.log", "wb")  # the traceback behind a redacted error box
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"the Streamlit server did not start within {timeout:.0f} s")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_timeout(400)  # let a rerun that a click started begin before waiting for its end
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)


def assert_no_error(page) -> None:
    shown = page.locator("[data-testid='stException']")
    assert shown.count() == 0, "the page shows an exception (its traceback: test-artifacts/server-<port>.log)"
    assert "Traceback" not in page.inner_text("body")


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(1200)


def visible_charts(page):
    return [chart for chart in page.locator(".js-plotly-plot").all() if chart.is_visible()]


def assert_legends_clear_of_data(page) -> int:
    """Every visible chart's legend lies outside each of its plotting areas; returns how many were checked."""
    checked = 0
    for chart in visible_charts(page):
        legend = chart.locator("g.legend")
        if legend.count() == 0:
            continue
        box = legend.first.bounding_box()
        for area in chart.locator("rect.nsewdrag").all():
            plot = area.bounding_box()
            overlap_x = min(box["x"] + box["width"], plot["x"] + plot["width"]) - max(box["x"], plot["x"])
            overlap_y = min(box["y"] + box["height"], plot["y"] + plot["height"]) - max(box["y"], plot["y"])
            assert overlap_x <= 1 or overlap_y <= 1, f"a legend covers the data area: {box} on {plot}"
        checked += 1
    return checked


def shoot(page, chart, name: str) -> None:
    """A screenshot of the screen with `chart` scrolled into view, for a person to look at."""
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(600)
    page.screenshot(path=SHOTS / f"{name}.png")
