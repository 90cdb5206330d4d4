# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 Raw ASGI
#
# Under FastAPI and Starlette there is one contract: a server calls your app as
# `await app(scope, receive, send)`. In this notebook you talk to apps at that
# level, with no framework at all:
#
# - first you **look**: what is in a scope, what `receive()` returns, what an
#   app hands to `send()`;
# - then you **write**: a hello-world app with a correct `content-length`, a
#   `read_body` that survives a body sent in pieces, routing by path with a
#   404, and the lifespan protocol that servers use at startup and shutdown.
#
# Run the cells from top to bottom with **Shift+Enter**, or all of them with
# *Run > Run All Cells*. Each exercise has a statement, a hidden hint, a cell
# for your code (replace the `raise NotImplementedError(...)` line) and a check
# cell that prints `✅ [PASS]` when your code works, or `❌ [NOT YET]` and what
# it expected instead. An unsolved exercise never stops the notebook: its check
# says `[NOT YET]`, a cell that uses its code says `[SKIPPED]`, and the cells
# after them run as usual, so *Run All* always reaches the end.
#
# No server is needed: `httpx.ASGITransport` calls an app in-process, and a
# notebook cell can use `await` at top level.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/01_raw_asgi")]
import httpx
from workshop import check

# %% [markdown]
# ## An app is a function with three arguments
#
# `recorder` below is a complete ASGI app. It keeps the scope and every message
# it receives in `seen`, reads messages until one says `more_body` is false,
# then answers with two messages: `http.response.start` (status and headers) and
# `http.response.body` (the bytes).
#
# httpx plays the server: it turns `client.get(...)` into a scope and messages,
# and the messages the app sends back into a `Response`.

# %%
from pprint import pprint

seen = []


async def recorder(scope, receive, send):
    seen.clear()
    seen.append(scope)
    more_body = True
    while more_body:
        message = await receive()
        seen.append(message)
        more_body = message.get("more_body", False)
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"recorded"})


client = httpx.AsyncClient(
    transport=httpx.ASGITransport(app=recorder), base_url="http://test"
)
response = await client.get("/items/42?color=blue", headers={"X-Token": "abc"})
print(response.status_code, response.text)
pprint(seen[0], sort_dicts=False)

# %% [markdown]
# Things to notice in that scope:
#
# - `path` is text and holds no query string; `query_string` is raw **bytes**.
# - `headers` is a list of `(bytes, bytes)` pairs with lower-case names, not a
#   dict: HTTP allows a name to appear twice.
# - nothing here is the body. A real server (uvicorn, see the chapter README)
#   adds a few keys, such as `state` and the spec version, but these are the ones
#   every app relies on.
#
# ## The body comes through `receive()`
#
# The body is never in the scope: the app asks for it with `receive()`, and it
# may come in several `http.request` messages. Every message but the last says
# `more_body: True`. Here httpx sends a body produced in three pieces:

# %%
async def three_pieces():
    for piece in (b"first,", b"second,", b"third"):
        yield piece


await client.post("/upload", content=three_pieces())
for message in seen[1:]:
    print(message)

# %% [markdown]
# Four messages for three pieces: httpx ends with an empty one that says
# `more_body: False`. Servers split bodies as the bytes arrive from the network,
# so the number and size of the pieces change from run to run.
#
# ## Be the server: call an app by hand
#
# An app is just an async function, so you can call it yourself with a scope
# you build, a `receive` that hands out messages and a `send` that collects what
# the app answers. `call_app` does that; the checks below use it to see the exact
# messages, which httpx hides. Here it calls the chapter's demo app (`app.py`).

# %%
from urllib.parse import quote

import app as demo  # chapters/01_raw_asgi/app.py
from nanoapi import Receive, Scope, Send


def http_scope(method: str = "GET", path: str = "/", query: bytes = b"") -> Scope:
    """A minimal HTTP scope, as a server would build it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": quote(path).encode("ascii"),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"example.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("example.test", 80),
    }


async def call_app(app, scope: Scope, chunks=(b"",)) -> list[dict]:
    """Feed `chunks` as the body (one message each); return what the app sent."""
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


for message in await call_app(demo.app, http_scope("POST", "/echo"), [b"hel", b"lo"]):
    print(message)

# %% [markdown]
# ### Exercise 1: hello, ASGI
#
# Write `hello_app`, an ASGI app that answers **every** HTTP request with:
#
# - status 200;
# - the body `Hello, ASGI! You asked for <path>`, where `<path>` is the
#   request's path from the scope, encoded as UTF-8;
# - two headers: `content-type: text/plain; charset=utf-8` and
#   `content-length`, the length of the body **in bytes**.
#
# Send the two messages yourself: `http.response.start`, then one
# `http.response.body`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Build the bytes first, then measure them:
# `body = f"Hello, ASGI! You asked for {scope['path']}".encode("utf-8")`.
# Headers are `(bytes, bytes)` pairs, so the length becomes
# `str(len(body)).encode()`. Then
# `await send({"type": "http.response.start", "status": 200, "headers": headers})`
# and `await send({"type": "http.response.body", "body": body})`.
#
# </details>

# %%
async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    ### BEGIN SOLUTION
    body = f"Hello, ASGI! You asked for {scope['path']}".encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    ### END SOLUTION


# %%
with check("Exercise 1: hello_app answers 200 with its greeting"):
    for path in ["/", "/café"]:
        expected = f"Hello, ASGI! You asked for {path}".encode()
        sent = await call_app(hello_app, http_scope("GET", path))
        kinds = [m.get("type") for m in sent]
        assert kinds == ["http.response.start", "http.response.body"], (
            f"GET {path}: expected the messages http.response.start then "
            f"http.response.body, got {kinds}"
        )
        start, body = sent
        assert start.get("status") == 200, (
            f"GET {path}: expected status 200, got {start.get('status')!r}"
        )
        assert body.get("body") == expected, (
            f"GET {path}: expected the body {expected!r}, got {body.get('body')!r}"
        )
        headers = dict(start.get("headers", []))
        kind = headers.get(b"content-type")
        assert kind == b"text/plain; charset=utf-8", (
            f"expected content-type b'text/plain; charset=utf-8', got {kind!r}"
        )
        length = headers.get(b"content-length")
        assert length == str(len(expected)).encode(), (
            f"GET {path}: expected content-length {len(expected)} (bytes, not "
            f"characters: é takes two), got {length!r}"
        )
    transport = httpx.ASGITransport(app=hello_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.get("/café")
    assert r.text == "Hello, ASGI! You asked for /café", (
        f"through httpx, expected 'Hello, ASGI! You asked for /café', got {r.text!r}"
    )

# %% [markdown]
# ## The trap: reading only the first message
#
# `feed` below builds a `receive` that hands out a body in pieces, then
# `http.disconnect`, and counts how often it was called. An app that reads only
# the first message works in every small test, and silently loses the rest of
# any body that arrives in pieces:

# %%
def feed(*chunks: bytes) -> Receive:
    """A receive() that hands out `chunks`, then http.disconnect; counts calls."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        receive.calls += 1
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    receive.calls = 0
    return receive


async def first_message_only(receive: Receive) -> bytes:
    message = await receive()
    return message.get("body", b"")


print(await first_message_only(feed(b"hello ")))  # fine: one piece
print(await first_message_only(feed(b"hello ", b"from ", b"three pieces")))  # the rest?

# %% [markdown]
# ### Exercise 2: read the whole body
#
# Write `read_body(receive)`, which returns the whole request body as bytes:
#
# - call `receive()` until a message says `more_body` is false, and join the
#   `body` of every message, in order;
# - a message may leave keys out: a missing `body` means `b""` and a missing
#   `more_body` means `False`;
# - if an `http.disconnect` arrives, the client has gone: stop and return what
#   arrived so far.
#
# Do not call `receive()` again after the last piece: nothing more will come.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Keep a list of pieces and loop: `message = await receive()`, append
# `message.get("body", b"")`, and stop when `message.get("more_body", False)`
# is false. Join once at the end: `b"".join(pieces)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Check the type before anything else: `if message["type"] == "http.disconnect":
# break`. The demo's `read_body` in `chapters/01_raw_asgi/app.py` is one way to
# write it all.
#
# </details>

# %%
async def read_body(receive: Receive) -> bytes:
    ### BEGIN SOLUTION
    pieces = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        pieces.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(pieces)
    ### END SOLUTION


# %%
with check("Exercise 2: read_body joins a body sent in pieces"):
    receive = feed(b"Hello, ", b"body in ", b"three pieces!")
    body = await read_body(receive)
    assert body == b"Hello, body in three pieces!", (
        f"expected b'Hello, body in three pieces!' (the three pieces joined), "
        f"got {body!r}"
    )
    assert receive.calls == 3, (
        f"expected 3 calls to receive() (one per piece, none after the last), "
        f"got {receive.calls}"
    )

    async def bare_receive():
        return {"type": "http.request"}

    empty = await read_body(bare_receive)
    assert empty == b"", (
        "a message without 'body' or 'more_body' is an empty, final piece: "
        f"expected b'', got {empty!r}"
    )

    cut = [{"type": "http.request", "body": b"half a bo", "more_body": True}]

    async def cut_receive():
        cut_receive.calls += 1
        if cut_receive.calls > 10:
            raise AssertionError(
                "receive() was called again and again after http.disconnect: "
                "stop reading when it arrives"
            )
        return cut.pop(0) if cut else {"type": "http.disconnect"}

    cut_receive.calls = 0
    partial = await read_body(cut_receive)
    assert partial == b"half a bo", (
        f"when http.disconnect arrives, expected what came before it "
        f"(b'half a bo'), got {partial!r}"
    )

# %% [markdown]
# ### Exercise 3: route by path
#
# Write `pages_app`, which serves the small site in `PAGES`:
#
# - when `scope["path"]` is a key of `PAGES`, answer 200 with that page's text;
# - for any other path, answer 404 with the text `Not Found`.
#
# `send_text(send, status, text)` is written for you: it sends both messages
# with the right headers. The query string is not part of the path, so
# `/about?lang=fr` is the about page; `/about/` is a different path.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `PAGES.get(scope["path"])` gives the page, or `None` for an unknown path.
# Then one `await send_text(...)` in each branch.
#
# </details>

# %%
PAGES = {
    "/": "Welcome to the raw ASGI site",
    "/about": "Made with nothing but scope, receive and send",
    "/contact": "Write to us at hello@example.test",
}


async def send_text(send: Send, status: int, text: str) -> None:
    """Answer with `text` as UTF-8 plain text."""
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def pages_app(scope: Scope, receive: Receive, send: Send) -> None:
    ### BEGIN SOLUTION
    page = PAGES.get(scope["path"])
    if page is None:
        await send_text(send, 404, "Not Found")
    else:
        await send_text(send, 200, page)
    ### END SOLUTION


# %%
with check("Exercise 3: pages_app serves known paths and answers 404 otherwise"):
    cases = [
        ("/", b"", 200, PAGES["/"]),
        ("/about", b"lang=fr", 200, PAGES["/about"]),
        ("/contact", b"", 200, PAGES["/contact"]),
        ("/about/", b"", 404, "Not Found"),
        ("/no/such/page", b"", 404, "Not Found"),
    ]
    for path, query, status, text in cases:
        where = f"GET {path}" + (f"?{query.decode()}" if query else "")
        sent = await call_app(pages_app, http_scope("GET", path, query))
        kinds = [m.get("type") for m in sent]
        assert kinds == ["http.response.start", "http.response.body"], (
            f"{where}: expected one http.response.start and one "
            f"http.response.body, got {kinds}"
        )
        got_status, got_body = sent[0].get("status"), sent[1].get("body")
        assert got_status == status, (
            f"{where}: expected status {status}, got {got_status!r}"
        )
        assert got_body == text.encode(), (
            f"{where}: expected the body {text!r}, got {got_body!r}"
        )

# %% [markdown]
# ## The lifespan: the server's side
#
# Before it accepts connections, a server calls the app once more, with a scope
# of type `lifespan`, and sends it `lifespan.startup`; the app prepares what the
# requests will need and answers `lifespan.startup.complete`. When the server
# stops, it sends `lifespan.shutdown`; the app cleans up, answers
# `lifespan.shutdown.complete` and returns.
#
# `LifespanServer` plays the server's side of that conversation: `say(type)`
# sends one message to the app and returns the app's answer. First on the
# chapter's demo app, then on `http_only`, an app that knows nothing about
# lifespan:

# %%
import asyncio


class LifespanServer:
    """Drive the lifespan protocol against `app`, one message at a time."""

    def __init__(self, app) -> None:
        self.to_app, self.from_app = asyncio.Queue(), asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(app(scope, self.to_app.get, self.from_app.put))

    async def say(self, message_type: str, timeout: float = 1.0) -> dict:
        """Send `{"type": message_type}` and return the app's answer."""
        await self.to_app.put({"type": message_type})
        answer = asyncio.create_task(self.from_app.get())
        await asyncio.wait(
            {answer, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if answer.done():
            return answer.result()
        answer.cancel()
        if self.task.done():
            self.task.result()  # the app raised: let its exception through
            raise AssertionError(f"the app returned without answering {message_type}")
        raise AssertionError(f"the app did not answer {message_type} in {timeout} s")

    async def app_returned(self, timeout: float = 1.0) -> bool:
        """Whether the app's lifespan call has ended (within `timeout`)."""
        await asyncio.wait({self.task}, timeout=timeout)
        return self.task.done()


server = LifespanServer(demo.app)
print(await server.say("lifespan.startup"))
print(await server.say("lifespan.shutdown"))
print("the demo app returned:", await server.app_returned())


async def http_only(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http", f"this app speaks http, not {scope['type']}"
    await send_text(send, 200, "hi")


try:
    await LifespanServer(http_only).say("lifespan.startup")
except AssertionError as error:
    print("http_only raised:", error)

# %% [markdown]
# A real server meets the same exception, carries on without lifespan (the
# spec says so) and logs a line about it; uvicorn's is `ASGI 'lifespan'
# protocol appears unsupported.` It cannot tell an app that does not speak
# lifespan from an app whose startup code crashed, so answer the protocol.

# %% [markdown]
# ### Exercise 4: answer the lifespan protocol
#
# `lifespan_app` already answers HTTP requests with `resources["greeting"]`.
# Write its lifespan part (the code runs for a scope of type `lifespan`):
#
# - on `lifespan.startup`: set `resources["greeting"] = GREETING`, then send
#   `{"type": "lifespan.startup.complete"}`;
# - on `lifespan.shutdown`: empty `resources` (`resources.clear()`), send
#   `{"type": "lifespan.shutdown.complete"}` and return.
#
# Between the two, keep waiting on `receive()`: the server may run for days.

# %% [markdown]
# <details><summary>Hint</summary>
#
# A `while True:` loop around `message = await receive()`, with one branch per
# `message["type"]`. `return` after sending `lifespan.shutdown.complete` ends
# the loop and the call. The demo's `lifespan` in `app.py` has the same shape.
#
# </details>

# %%
GREETING = "Hello from startup!"
resources = {}


async def lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        text = resources.get("greeting", "not started yet")
        await send_text(send, 200, text)
        return
    ### BEGIN SOLUTION
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            resources["greeting"] = GREETING
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            resources.clear()
            await send({"type": "lifespan.shutdown.complete"})
            return
    ### END SOLUTION


# %%
with check("Exercise 4: lifespan_app answers startup and shutdown"):
    resources.clear()
    server = LifespanServer(lifespan_app)
    answer = await server.say("lifespan.startup")
    assert answer == {"type": "lifespan.startup.complete"}, (
        f"expected {{'type': 'lifespan.startup.complete'}} after startup, "
        f"got {answer!r}"
    )
    assert resources.get("greeting") == GREETING, (
        f"after startup, expected resources['greeting'] == {GREETING!r}, "
        f"got {resources!r}"
    )
    transport = httpx.ASGITransport(app=lifespan_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.get("/")
    assert r.text == GREETING, f"a request after startup got {r.text!r}"
    answer = await server.say("lifespan.shutdown")
    assert answer == {"type": "lifespan.shutdown.complete"}, (
        f"expected {{'type': 'lifespan.shutdown.complete'}} after shutdown, "
        f"got {answer!r}"
    )
    assert await server.app_returned(), (
        "after sending lifespan.shutdown.complete the app should return"
    )
    assert resources == {}, (
        f"after shutdown, expected empty resources, got {resources!r}"
    )

# %%
await client.aclose()

# %% [markdown]
# ## What's next
#
# You have written, by hand, everything a web framework does for you: build
# the answer's two messages, count `content-length`, join the body's pieces,
# route on the path, answer the lifespan. Even headers and query strings are
# still raw bytes here.
#
# **Chapter 02** puts objects on top of these chores: an `App` the server calls
# exactly like these functions, a `Request` that reads the scope and the body
# for you, and `Response` objects that send themselves. Run the chapter's demo
# on a real server (`uvicorn --app-dir chapters/01_raw_asgi app:app`, see the
# README) before you move on.
