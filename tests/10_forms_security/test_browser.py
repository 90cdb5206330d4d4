"""Chapter 10: Swagger UI's Authorize button, in a real browser, offline.

The demo runs on uvicorn at 127.0.0.1; headless Chromium (Debian's package,
driven by Playwright) opens /docs, clicks "Authorize", logs in as ada with
the OAuth2 password flow (the page posts the form to /token), closes the
dialog and runs GET /users/me with "Try it out": the answer is 200 and names
ada. The test fails if the browser asks for anything outside 127.0.0.1.
"""

import json
from urllib.parse import urlsplit

import browser
import pytest
from servers import serve

WAIT = 15000  # ms, for anything the page has to fetch or draw
pytestmark = browser.MARKS


@pytest.fixture
def browser_page():
    with browser.chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        tokens: list[int] = []

        def token_answer(response):
            if urlsplit(response.url).path == "/token":
                tokens.append(response.status)

        page.on("response", token_answer)
        yield page, browser.watch_outside(page), tokens


def authorize(page, username: str, password: str) -> None:
    """The lock button at the top, the password flow's form, and close."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.wait_for(timeout=WAIT)
    dialog.locator("#oauth_username").fill(username)
    dialog.locator("#oauth_password").fill(password)
    dialog.locator("button.modal-btn.authorize").click()
    # Once the token came back, the scheme says so, and offers "Logout".
    dialog.locator("h6", has_text="Authorized").wait_for(timeout=WAIT)
    assert dialog.locator("button.modal-btn.authorize").inner_text() == "Logout"
    dialog.locator("button.btn-done").click()
    dialog.wait_for(state="detached", timeout=WAIT)


def try_it_out(page, method: str, path: str):
    """Open the operation, "Try it out", "Execute": its live answer."""
    operation = page.locator(f".opblock-{method}").filter(
        has=page.locator(".opblock-summary-path", has_text=path)
    )
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    live = operation.locator(".live-responses-table tbody")
    live.locator(".response-col_status").first.wait_for(timeout=WAIT)
    return live


def test_authorize_with_the_password_flow_then_call_a_protected_route(
    chapter, browser_page
):
    page, outside, tokens = browser_page
    with serve("uvicorn", chapter.path) as (url, _):
        page.goto(url + "/docs")
        page.wait_for_selector(".opblock", timeout=WAIT)
        authorize(page, "ada", "lovelace")
        assert tokens == [200], "the page posted the form to /token once"
        live = try_it_out(page, "get", "/users/me")
        assert live.locator(".response-col_status").first.inner_text().strip() == "200"
        body = live.locator(".response-col_description pre").first.inner_text()
        assert json.loads(body) == {"username": "ada"}
    assert not outside, f"the page asked the internet for {outside}"
