"""Chapter 11: a chat page in a real browser, served by our own server.

Our server (`python -m nanoapi`) serves `apps/chat.py`, a raw ASGI chat room;
headless Chromium (Debian's package, driven by Playwright) opens the page
twice, as two members. Chromium's WebSocket client does the handshake (with
its own headers and permessage-deflate), sends and receives, and sees the
close code and reason when the room closes on it.
"""

import re
import shutil

import pytest
from wire import serve
from wswire import APPS

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
playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed"
)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def messages(page) -> list[str]:
    return page.locator("#messages li").all_inner_texts()


def say(page, text: str) -> None:
    page.fill("#text", text)
    page.click("button")


def test_two_members_chat_through_our_server(chapter, browser):
    with serve("chat:app", server="nanoapi", app_dir=APPS, cwd=chapter.path) as chat:
        ada, bob = browser.new_page(), browser.new_page()
        ada.goto(f"{chat.url}/?name=ada")
        expect = playwright.expect
        # The subprotocol the room chose, and compression: Chromium offers it.
        opened = re.compile(r"^open chat \[permessage-deflate")
        expect(ada.locator("#status")).to_have_text(opened)
        bob.goto(f"{chat.url}/?name=bob")
        expect(bob.locator("#status")).to_have_text(opened)
        expect(ada.locator("#messages li")).to_have_text(["ada joined", "bob joined"])

        say(ada, "hello, bob")
        say(bob, "héllo, ada ✓")
        both = ["bob joined", "ada: hello, bob", "bob: héllo, ada ✓"]
        expect(bob.locator("#messages li")).to_have_text(both)
        expect(ada.locator("#messages li")).to_have_text(["ada joined", *both])

        say(bob, "/leave")  # the room closes bob's socket with a code and reason
        expect(bob.locator("#status")).to_have_text("closed 4000 bye")
        expect(ada.locator("#messages li").last).to_have_text("bob left")

        ada.close()  # the browser tab goes: the server must carry on
        carol = browser.new_page()
        carol.goto(f"{chat.url}/?name=carol")
        expect(carol.locator("#messages li")).to_have_text(["carol joined"])
        chat.stop()
        log = chat.log()
    assert log.count('"WebSocket /chat?name=') == 3
    assert "Traceback" not in log
