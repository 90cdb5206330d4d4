"""Chapter 07: the docs pages in a real browser, with no internet.

The demo app runs on uvicorn at 127.0.0.1; headless Chromium (Debian's
package, driven by Playwright) opens /docs and /redoc. The test fails if the
browser asks for anything outside 127.0.0.1. Set SCREENSHOT_DIR to keep a
screenshot of /docs (the chapter README shows one made this way).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from maintainer import need
from servers import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM),
        reason="Chromium is not installed at /usr/bin/chromium",
    ),
]
playwright = need("playwright.sync_api")


@pytest.fixture
def browser_page():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside: list[str] = []

        def watch(request):
            parts = urlsplit(request.url)
            if parts.scheme not in ("data", "blob") and parts.hostname != "127.0.0.1":
                outside.append(request.url)

        page.on("request", watch)
        yield page, outside
        browser.close()


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
