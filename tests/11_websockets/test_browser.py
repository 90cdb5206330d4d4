"""Chapter 11: a chat page in a real browser, served by our own server.

Our server (`python -m nanoapi`) serves `apps/chat.py`, a raw ASGI chat room;
headless Chromium (Debian's package, driven by Playwright) opens the page
twice, as two members. Chromium's WebSocket client does the handshake (with
its own headers and permessage-deflate), sends and receives, and sees the
close code and reason when the room closes on it.
"""

import re

import browser
import pytest
from maintainer import need
from wire import serve
from wswire import APPS

pytestmark = browser.MARKS
playwright = need("playwright.sync_api")  # its expect(), which waits


@pytest.fixture
def chromium():
    with browser.chromium() as chromium:
        yield chromium


def messages(page) -> list[str]:
    return page.locator("#messages li").all_inner_texts()


def say(page, text: str) -> None:
    page.fill("#text", text)
    page.click("button")


def test_two_members_chat_through_our_server(chapter, chromium):
    with serve("chat:app", server="nanoapi", app_dir=APPS, cwd=chapter.path) as chat:
        ada, bob = chromium.new_page(), chromium.new_page()
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
        carol = chromium.new_page()
        carol.goto(f"{chat.url}/?name=carol")
        expect(carol.locator("#messages li")).to_have_text(["carol joined"])
        chat.stop()
        log = chat.log()
    assert log.count('"WebSocket /chat?name=') == 3
    assert "Traceback" not in log
