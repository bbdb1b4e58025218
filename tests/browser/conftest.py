"""Fixtures of the browser tests: one real server and one headless Chromium per test module."""

from __future__ import annotations

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PROJECTOR, SHOTS, require_browser, running_server, wait_idle

require_browser()


@pytest.fixture(scope="module")
def server():
    with running_server() as url:
        yield url


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


@pytest.fixture()
def projector(browser):
    page = browser.new_page(viewport=PROJECTOR)
    yield page
    page.close()
