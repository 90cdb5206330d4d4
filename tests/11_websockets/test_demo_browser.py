"""Chapter 11: the demo's chat page in a real browser, served by our server.

`python -m nanoapi app:app` serves the chapter's demo on 127.0.0.1; headless
Chromium (Debian's package, driven by Playwright) opens /chat in two tabs.
Each joins with a name (the page's own JavaScript opens the WebSocket to
/chat/ws), they talk (unicode too), one tab closes, and the other sees that
member leave. The test fails if the browser asks for anything outside
127.0.0.1, and if the server logged a traceback.
"""

import browser
import pytest
from maintainer import need
from wire import serve

pytestmark = browser.MARKS
playwright = need("playwright.sync_api")  # its expect(), which waits


@pytest.fixture
def chromium():
    with browser.chromium() as chromium:
        yield chromium


def open_page(chromium, outside: list[str]):
    """A tab that notes every request (and WebSocket) leaving 127.0.0.1."""
    page = chromium.new_page()
    browser.watch_outside(page, outside)
    return page


def join(page, url: str, name: str) -> None:
    page.goto(f"{url}/chat")
    page.fill("#name", name)
    page.click("#join button")
    playwright.expect(page.locator("#status")).to_have_text("connected")


def say(page, text: str) -> None:
    page.fill("#text", text)
    page.click("#say button")


def test_two_tabs_chat_through_our_server(chapter, chromium):
    outside: list[str] = []
    expect = playwright.expect
    with serve(
        "app:app", server="nanoapi", app_dir=chapter.path, cwd=chapter.path
    ) as demo:
        ada, zoe = open_page(chromium, outside), open_page(chromium, outside)
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

        bad = open_page(chromium, outside)  # a name the handshake refuses
        bad.goto(f"{demo.url}/chat")
        bad.fill("#name", "x" * 21)
        bad.click("#join button")
        expect(bad.locator("#status")).to_have_text("closed 1006")
        demo.stop()
        log = demo.log()
    assert not outside, f"the page asked the internet for {outside}"
    assert log.count('"WebSocket /chat/ws?name=') >= 2
    assert "Traceback" not in log
