"""The real server in headless Chromium: every page in the menu, an upload, navigation that keeps the data.

Screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATA
from tests.browser.helpers import PROJECTOR, SHOTS, assert_no_error, running_server, wait_idle

pytestmark = pytest.mark.browser


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
    with running_server() as url:
        page = browser.new_page()
        page.goto(f"{url}/decomposition")
        wait_idle(page)
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        names = page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
        wide = page.locator("[data-testid='stMainBlockContainer']").bounding_box()["width"]
        page.close()
    assert any(name.endswith("Start here") for name in names), names
    assert not any(name.endswith("app") for name in names), names
    assert wide > 800, "the page keeps the wide layout (page config set on the first request too)"


def test_the_app_asks_nothing_of_the_internet(server, browser):
    """Offline in a lecture hall: every request (favicon, fonts, icons, scripts) goes to the app itself."""
    from urllib.parse import urlparse

    page = browser.new_page(viewport=PROJECTOR)
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
