"""Chapter 07: the docs pages in a real browser, with no internet.

The demo app runs on uvicorn at 127.0.0.1; headless Chromium (Debian's
package, driven by Playwright) opens /docs and /redoc. The test fails if the
browser asks for anything outside 127.0.0.1. Set SCREENSHOT_DIR to keep a
screenshot of /docs (the chapter README shows one made this way).
"""

import os
from pathlib import Path

import browser
import pytest
from servers import serve

pytestmark = browser.MARKS


@pytest.fixture
def browser_page():
    with browser.chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        yield page, browser.watch_outside(page)


def test_swagger_ui_renders_and_runs_a_request(chapter, demo, browser_page):
    page, outside = browser_page
    schema = demo.app.openapi()
    items = [*schema["paths"].values(), *schema.get("webhooks", {}).values()]
    operations = sum(len(item) for item in items)  # webhooks render as operations too
    with serve("uvicorn", chapter.path) as (url, _):
        page.goto(url + "/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        assert page.locator(".opblock").count() == operations
        if os.environ.get("SCREENSHOT_DIR"):  # every operation, none opened yet
            folder = Path(os.environ["SCREENSHOT_DIR"])
            page.screenshot(path=str(folder / "docs-screenshot.png"), full_page=True)
        target = page.locator(".opblock-get").filter(has_text="/audit")
        target.locator(".opblock-summary").click()
        target.locator("button.try-out__btn").click()
        target.locator("button.execute").click()
        status = target.locator(".live-responses-table tbody .response-col_status")
        status.first.wait_for(timeout=10000)
        assert status.first.inner_text().strip() == "200"
    assert not outside, f"the page asked the internet for {outside}"


def test_redoc_renders(chapter, demo, browser_page):
    page, outside = browser_page
    title = demo.app.openapi()["info"]["title"]
    with serve("uvicorn", chapter.path) as (url, _):
        page.goto(url + "/redoc")
        page.wait_for_selector("h1", timeout=15000)
        assert title in page.locator("h1").first.inner_text()
        assert page.locator("[data-section-id]").count() > 0
    assert not outside, f"the page asked the internet for {outside}"
