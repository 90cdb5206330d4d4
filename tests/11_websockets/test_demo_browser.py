"""Chapter 11: the demo's chat page in a real browser, served by our server.

`python -m nanoapi app:app` serves the chapter's demo on 127.0.0.1; headless
Chromium (Debian's package, driven by Playwright) opens /chat in two tabs.
Each joins with a name (the page's own JavaScript opens the WebSocket to
/chat/ws), they talk (unicode too), one tab closes, and the other sees that
member leave. The test fails if the browser asks for anything outside
127.0.0.1, and if the server logged a traceback.
"""

import shutil
from urllib.parse import urlsplit

import pytest
from maintainer import need
from wire import serve

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
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, outside: list[str]):
    """A tab that notes every request (and WebSocket) leaving 127.0.0.1."""
    page = browser.new_page()

    def watch(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("data", "blob") and parts.hostname != "127.0.0.1":
            outside.append(url)

    page.on("request", lambda request: watch(request.url))
    page.on("websocket", lambda websocket: watch(websocket.url))
    return page


def join(page, url: str, name: str) -> None:
    page.goto(f"{url}/chat")
    page.fill("#name", name)
    page.click("#join button")
    playwright.expect(page.locator("#status")).to_have_text("connected")


def say(page, text: str) -> None:
    page.fill("#text", text)
    page.click("#say button")


def test_two_tabs_chat_through_our_server(chapter, browser):
    outside: list[str] = []
    expect = playwright.expect
    with serve(
        "app:app", server="nanoapi", app_dir=chapter.path, cwd=chapter.path
    ) as demo:
        ada, zoe = open_page(browser, outside), open_page(browser, outside)
        join(ada, demo.url, "ada")
        expect(ada.locator("#messages li")).to_have_text(["ada joined"])
        join(zoe, demo.url, "Zoë ✓")
        expect(ada.locator("#messages li").last).to_have_text("Zoë ✓ joined")

        say(ada, "hello, Zoë")
        say(zoe, "héllo, ada — 👋")
        talk = ["ada: hello, Zoë", "Zoë ✓: héllo, ada — 👋"]
        expect(zoe.locator("#messages li")).to_have_text(["Zoë ✓ joined", *talk])
        expect(ada.locator("#messages li")).to_have_text(
            ["ada joined", "Zoë ✓ joined", *talk]
        )

        zoe.close()  # the tab goes: the room hears of it
        expect(ada.locator("#messages li").last).to_have_text("Zoë ✓ left")
        say(ada, "anyone?")  # the room goes on without her
        expect(ada.locator("#messages li").last).to_have_text("ada: anyone?")

        bad = open_page(browser, outside)  # a name the handshake refuses
        bad.goto(f"{demo.url}/chat")
        bad.fill("#name", "x" * 21)
        bad.click("#join button")
        expect(bad.locator("#status")).to_have_text("closed 1006")
        demo.stop()
        log = demo.log()
    assert not outside, f"the page asked the internet for {outside}"
    assert log.count('"WebSocket /chat/ws?name=') >= 2
    assert "Traceback" not in log
