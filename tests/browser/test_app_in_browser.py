"""The real server in headless Chromium: every page in the menu, an upload, navigation that keeps the data.

Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import DATA, ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


if not _browser_available():
    if os.environ.get("PLAYGROUND_REQUIRE_BROWSER"):
        raise RuntimeError("PLAYGROUND_REQUIRE_BROWSER is set but Chromium or playwright is missing")
    pytest.skip("headless Chromium (apt: chromium) or playwright is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the Streamlit server did not start within 60 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    wait_idle(page)
    yield page
    page.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_timeout(400)  # let a rerun that a click started begin before waiting for its end
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)


def assert_no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, "the page shows an exception"
    assert "Traceback" not in page.inner_text("body")


def test_every_page_in_the_menu_opens(page):
    links = page.locator("[data-testid='stSidebarNavLink']")
    names = [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]  # after the icon
    assert "Start here" in names and "Decomposition" in names
    for i, name in enumerate(names):
        page.locator("[data-testid='stSidebarNavLink']").nth(i).click()
        wait_idle(page)
        assert_no_error(page)
        assert page.locator("h1").count() >= 1, f"{name} has no title"
        page.screenshot(path=SHOTS / f"page_{i:02d}_{name.lower().replace(' ', '_').replace('&', 'and')}.png",
                        full_page=False)


def test_decomposition_deep_link_and_chart(server, page):
    page.goto(f"{server}/decomposition")
    wait_idle(page)
    assert_no_error(page)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert "Air passengers" in page.inner_text("body")
    page.screenshot(path=SHOTS / "decomposition_default.png", full_page=True)


def test_upload_a_messy_csv_and_keep_it_across_pages(server, page):
    page.goto(f"{server}/decomposition")
    wait_idle(page)
    page.locator(".st-key-dataset [role='combobox']").click()
    page.locator("[role='option']", has_text="Upload your own CSV").click()
    wait_idle(page)
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone']").click()
    chooser.value.set_files(str(DATA / "messy" / "excel_european.csv"))
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    body = page.inner_text("body")
    assert "excel_european.csv" in body and "48 points" in body and "The loader repaired" in body
    assert_no_error(page)
    page.screenshot(path=SHOTS / "decomposition_upload.png", full_page=True)

    page.locator("[data-testid='stSidebarNavLink']", has_text="Start here").click()
    wait_idle(page)
    page.locator("[data-testid='stSidebarNavLink']", has_text="Decomposition").click()
    wait_idle(page)
    assert "excel_european.csv" in page.inner_text("body"), "the uploaded file was lost on navigation"
    assert_no_error(page)


def test_a_deep_link_as_the_first_request_gets_the_real_menu(browser):
    """A fresh server serves its first request from pages/ without app.py; ui.use_app_menu fixes the menu."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.3)
        page = browser.new_page()
        page.goto(f"{url}/decomposition")
        wait_idle(page)
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        names = page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
        page.close()
        assert any(name.endswith("Start here") for name in names), names
        assert not any(name.endswith("app") for name in names), names
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_app_asks_nothing_of_the_internet(server, browser):
    """Offline in a lecture hall: every request (favicon, fonts, icons, scripts) goes to the app itself."""
    from urllib.parse import urlparse

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.goto(server)
    wait_idle(page)
    links = page.locator("[data-testid='stSidebarNavLink']")
    for i in range(links.count()):
        links.nth(i).click()
        wait_idle(page)
    icon = page.locator("link[rel*='icon']").first.get_attribute("href")
    page.close()
    assert hosts <= {"127.0.0.1", None}, hosts
    assert icon and not icon.startswith("https://"), icon
