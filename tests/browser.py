"""Headless Chromium for the browser tests: Debian's package, offline.

Playwright drives /usr/bin/chromium (never a downloaded browser). A browser
test module sets `pytestmark = browser.MARKS` (slow, and skipped with the
reason where Chromium is missing), opens the browser with `chromium()`, and
lists with `watch_outside(page)` every request the page makes outside
127.0.0.1: the tests require that list to stay empty.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from maintainer import need

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM),
        reason=f"Chromium is not installed at {CHROMIUM}",
    ),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium, closed on the way out."""
    playwright = need("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch_outside(page: Any, outside: list[str] | None = None) -> list[str]:
    """The list, kept up to date, of the page's requests and WebSockets that
    leave 127.0.0.1 (data: and blob: URLs stay inside the page)."""
    found = [] if outside is None else outside

    def watch(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("data", "blob") and parts.hostname != "127.0.0.1":
            found.append(url)

    page.on("request", lambda request: watch(request.url))
    page.on("websocket", lambda websocket: watch(websocket.url))
    return found
