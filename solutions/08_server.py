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
# # 08 The server: the other side of ASGI
#
# Seven chapters wrote the part of ASGI that receives `scope`, `receive` and
# `send`. Someone has to make them: read bytes from a TCP socket, find where
# one request ends and the next begins, describe the request as a `scope`,
# hand its body over through `receive()`, and turn every `send()` back into
# bytes that a browser understands. That someone is the server: uvicorn so
# far, and from this chapter on also `nanoapi/server.py`.
#
# The hard part of HTTP/1.1, parsing and framing, is done by **h11**, a
# library that never touches a socket: bytes in, events out; events in, bytes
# out. Everything in the first three exercises runs without a network.
#
# You will build the pieces yourself:
#
# 1. `parse_request`: bytes, as they arrive, into method, target, headers and
#    body, with h11;
# 2. `make_scope`: an h11 request into the ASGI `http` scope;
# 3. `frame_response`: ASGI response messages into bytes, with a length or in
#    chunks;
# 4. `serve_one`: a tiny server on `asyncio` streams, one request per
#    connection, that runs any ASGI app.
#
# The finished pieces are in `chapters/08_server/nanoapi/server.py`
# (`HTTPConnection`, `build_scope`, `RequestCycle`, `Server`); read them after
# you have written yours. The notebook ends with one app written once and run
# on FastAPI and on our package, side by side.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/08_server")]
import httpx
from workshop import check, uses_exercise

from nanoapi import App, Depends, Header, HTTPException, Query
from nanoapi.server import Config, Server, build_scope, status_phrase
from nanoapi.testclient import TestClient

import asyncio
import json
import socket
from contextlib import asynccontextmanager
from typing import Annotated, Any

import h11
from pydantic import BaseModel

# %% [markdown]
# ## A request is bytes
#
# This is what `curl -d 'hi' http://127.0.0.1:8000/echo` writes on the socket,
# give or take a header or two: a request line, header lines, an empty line,
# then the body. Each line ends with `\r\n`.

# %%
raw = (
    b"POST /echo?lang=en HTTP/1.1\r\n"
    b"Host: 127.0.0.1:8000\r\n"
    b"User-Agent: curl/8.5.0\r\n"
    b"Content-Length: 2\r\n"
    b"\r\n"
    b"hi"
)

# %% [markdown]
# An `h11.Connection(h11.SERVER)` is the server's half of one connection, as a
# state machine. You give it the bytes you received (`receive_data`), then ask
# for the next event (`next_event`) until it says `NEED_DATA`: it cannot say
# more until more bytes come. Here the bytes arrive in three pieces, as they
# might from a socket:

# %%
connection = h11.Connection(h11.SERVER)
for piece in (raw[:20], raw[20:70], raw[70:]):
    connection.receive_data(piece)
    print(f"received {piece!r}")
    while (event := connection.next_event()) is not h11.NEED_DATA:
        print("   ", event)
        if isinstance(event, h11.EndOfMessage):
            break
print("our state:", connection.our_state, "  their state:", connection.their_state)

# %% [markdown]
# Four things to notice:
#
# - a `Request` event comes only when the whole head (request line and headers)
#   is in; h11 buffers the pieces before that;
# - header names are lower-cased (`b"host"`), values kept as sent;
# - the body comes as `Data` events, then `EndOfMessage`. h11 found where the
#   body ends from `Content-Length` (or from `Transfer-Encoding: chunked`);
# - the client is now `DONE` and it is our turn (`SEND_RESPONSE`): h11 tracks
#   who may send what, and refuses a wrong order with an error.
#
# Garbage gets a `RemoteProtocolError`, with the status h11 suggests:

# %%
try:
    broken = h11.Connection(h11.SERVER)
    broken.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
    broken.next_event()
except h11.RemoteProtocolError as error:
    print(repr(error), "-> answer", error.error_status_hint)

# %% [markdown]
# ### Exercise 1: parse a request with h11
#
# Write `parse_request(pieces)`. `pieces` is an iterable of byte strings, in
# the order a socket would deliver them. Feed h11 the next piece **only when it
# answers `NEED_DATA`**, and return the first request as a dict:
#
# ```python
# {"method": b"POST", "target": b"/echo?lang=en",
#  "headers": [(b"host", b"127.0.0.1:8000"), ...], "body": b"hi"}
# ```
#
# (everything as bytes, as h11 gives it; the body joined from all `Data`
# events). When the pieces run out before the request is complete, tell h11
# that the client hung up with `receive_data(b"")`; h11 then raises
# `h11.RemoteProtocolError`. Let that error, and any other h11 raises for a
# malformed request, propagate.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `pieces = iter(pieces)` once, then `next(pieces, b"")` gives the next piece,
# or `b""` (the hang-up) when there is none. Loop on `next_event()`: on
# `NEED_DATA` feed a piece, on `h11.Request` keep `.method`, `.target` and
# `list(.headers)`, on `h11.Data` collect `.data`, on `h11.EndOfMessage` stop.
#
# </details>

# %%
def parse_request(pieces) -> dict[str, Any]:
    ### BEGIN SOLUTION
    connection = h11.Connection(h11.SERVER)
    pieces = iter(pieces)
    request, body = None, []
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(next(pieces, b""))
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body.append(event.data)
        elif isinstance(event, h11.EndOfMessage):
            break
    return {
        "method": request.method,
        "target": request.target,
        "headers": list(request.headers),
        "body": b"".join(body),
    }
    ### END SOLUTION


# %%
with check("Exercise 1: parse_request reads a request from pieces of bytes"):
    expected = {
        "method": b"POST",
        "target": b"/echo?lang=en",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", b"curl/8.5.0"),
            (b"content-length", b"2"),
        ],
        "body": b"hi",
    }
    for cuts in ([len(raw)], [3, 40, 41, len(raw) - 1, len(raw)]):
        pieces = [raw[a:b] for a, b in zip([0, *cuts], cuts)]
        answer = parse_request(pieces)
        assert isinstance(answer, dict), f"expected a dict, got {answer!r}"
        for key, value in expected.items():
            assert answer.get(key) == value, (
                f"{len(pieces)} piece(s): expected {key!r} to be {value!r}, got {answer.get(key)!r}"
            )
    chunked = (
        b"PUT /notes/1 HTTP/1.1\r\nHost: x\r\nX-Tag: A\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n there\r\n0\r\n\r\n"
    )
    answer = parse_request([chunked[:60], chunked[60:75], chunked[75:]])
    assert answer["body"] == b"hello there", (
        f"a chunked body: expected b'hello there', got {answer['body']!r}"
    )
    assert (b"x-tag", b"A") in answer["headers"], (
        f"expected the header (b'x-tag', b'A'), names lower-cased; got {answer['headers']}"
    )
    get = parse_request([b"GET /notes HTTP/1.1\r\nHost: x\r\n\r\n"])
    assert (get["method"], get["body"]) == (b"GET", b""), (
        f"a GET without a body: expected method b'GET' and body b'', got {get['method']!r}, {get['body']!r}"
    )
    for bad in (
        [b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"],
        [b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nonly"],
    ):
        try:
            parse_request(bad)
        except h11.RemoteProtocolError:
            pass
        else:
            raise AssertionError(f"expected h11.RemoteProtocolError for {bad[0]!r}")

# %% [markdown]
# This is the loop at the heart of `HTTPConnection.next_event` in the package:
# the socket is read **only when h11 needs more**. That gives backpressure
# for free: a client that sends a 1 GB body while the app reads slowly fills
# the kernel's buffers and is made to wait, instead of filling our memory.
#
# ## From a request to a scope
#
# The app never sees h11's events. It gets a `scope`, the dict chapter 01
# described, and the server writes it. The keys, for a request such as
# `GET /caf%C3%A9/notes?x=1&y=%20 HTTP/1.1`:
#
# | key | value | from |
# |---|---|---|
# | `type` | `"http"` | |
# | `asgi` | `{"version": "3.0", "spec_version": "2.4"}` | the versions of the protocol we speak |
# | `http_version` | `"1.1"` | `request.http_version`, as `str` |
# | `method` | `"GET"` | `request.method`, as `str` |
# | `scheme` | `"http"` | we have no TLS |
# | `path` | `root_path + "/café/notes"` | the target before `?`, **percent-decoded** (UTF-8) |
# | `raw_path` | `root_path` (bytes) `+ b"/caf%C3%A9/notes"` | the same, as sent |
# | `query_string` | `b"x=1&y=%20"` | after `?`, never decoded |
# | `root_path` | `""`, or what a proxy strips (`"/api"`) | the server's option |
# | `headers` | `[(b"host", b"x"), ...]` | h11's list: names lower-cased |
# | `client`, `server` | `("127.0.0.1", 51234)` | the socket's two ends |
#
# The package's `build_scope(request, root_path, **connection)` writes exactly
# that, plus what you pass as keyword arguments (`client`, `server`, `state`).

# %% [markdown]
# ### Exercise 2: the scope
#
# Write `make_scope(request, root_path="", client=None, server=None)`: the
# scope of the table above for an `h11.Request`, with `client` and `server`
# as given. The check compares it, key by key, with the package's
# `build_scope(request, root_path, client=client, server=server)`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `raw_path, _, query_string = request.target.partition(b"?")` splits the
# target. `urllib.parse.unquote` decodes `%C3%A9` to `é` (it takes a `str`:
# decode the bytes as ASCII first). Don't forget the root path in front of both
# `path` and `raw_path`.
#
# </details>

# %%
from urllib.parse import unquote


def make_scope(request: h11.Request, root_path: str = "", client=None, server=None) -> dict[str, Any]:
    ### BEGIN SOLUTION
    raw_path, _, query_string = request.target.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": request.http_version.decode(),
        "method": request.method.decode(),
        "scheme": "http",
        "path": root_path + unquote(raw_path.decode("ascii")),
        "raw_path": root_path.encode() + raw_path,
        "query_string": query_string,
        "root_path": root_path,
        "headers": list(request.headers),
        "client": client,
        "server": server,
    }
    ### END SOLUTION


# %%
def request_of(data: bytes) -> h11.Request:
    """The h11.Request at the start of `data`."""
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(data)
    return connection.next_event()


# %%
with check("Exercise 2: make_scope builds the scope the package builds"):
    cases = [
        (b"GET /caf%C3%A9/notes?x=1&y=%20 HTTP/1.1\r\nHost: x\r\nX-Tag: A\r\n\r\n", ""),
        (b"POST /notes HTTP/1.0\r\nContent-Length: 0\r\n\r\n", ""),
        (b"GET /items/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n", "/api"),
    ]
    client, server = ("127.0.0.1", 51234), ("127.0.0.1", 8000)
    for data, root_path in cases:
        request = request_of(data)
        expected = build_scope(request, root_path, client=client, server=server)
        answer = make_scope(request, root_path, client=client, server=server)
        assert isinstance(answer, dict), f"expected a dict, got {answer!r}"
        line = data.split(b"\r\n")[0].decode()
        for key, value in expected.items():
            assert key in answer, f"{line!r}: the scope has no {key!r} key (expected {value!r})"
            assert answer[key] == value, (
                f"{line!r}, root_path {root_path!r}: expected scope[{key!r}] == {value!r}, got {answer[key]!r}"
            )
        extra = set(answer) - set(expected)
        assert not extra, f"{line!r}: unexpected keys {sorted(extra)}"

# %% [markdown]
# Note the third case: `/items/a%2Fb` becomes the path `/items/a/b`, one
# segment more than the client meant. That is what the ASGI spec asks for, and
# why `raw_path` exists: a framework that must tell `%2F` from `/` reads it
# there. The package adds `state`, a shallow copy of what the lifespan
# stored, so one request's changes are not seen by the next.
#
# ## Answers are bytes too
#
# The app answers with messages: one `http.response.start` (status, headers),
# then one or more `http.response.body` (`more_body=True` on all but the last).
# The server must tell the client where the body ends, and there are three ways
# in HTTP/1.1:
#
# - a `Content-Length` header, when the app gave one;
# - `Transfer-Encoding: chunked` otherwise: each piece is sent after its size in
#   hex, and a `0` chunk ends the body;
# - for an HTTP/1.0 client, which knows no chunks: send the bytes, then close
#   the connection.
#
# h11 chooses for you: send it `h11.Response(...)`, `h11.Data(...)` and
# `h11.EndOfMessage()` and it returns the bytes, framed the right way for the
# request it has read and the headers you gave.

# %% [markdown]
# ### Exercise 3: frame a response
#
# Write `frame_response(request_bytes, messages)`: read the request in
# `request_bytes` with an `h11.Connection(h11.SERVER)`, up to its
# `EndOfMessage`, then turn the ASGI `messages` into h11 events and return all
# the bytes h11 gives back, joined:
#
# - `http.response.start`: an `h11.Response` with the status, the headers, and
#   `reason=status_phrase(status)` (the package's helper: `b"OK"` for 200);
# - `http.response.body`: an `h11.Data` with the body, and after the last one
#   (`more_body` missing or false) an `h11.EndOfMessage`.
#
# One rule is yours, not h11's: a response to `HEAD` has headers only, so send
# no `Data` for a HEAD request (h11 would refuse it).

# %% [markdown]
# <details><summary>Hint</summary>
#
# `connection.send(event)` returns the bytes for that event (or `None` for an
# event that writes nothing), so collect `connection.send(...) or b""`. Read the
# request with a loop on `next_event()` as in exercise 1, keeping the `Request`
# to know its method. `message.get("headers", [])`, `message.get("body", b"")`
# and `message.get("more_body", False)` give the defaults ASGI allows.
#
# </details>

# %%
def frame_response(request_bytes: bytes, messages: list[dict[str, Any]]) -> bytes:
    ### BEGIN SOLUTION
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(request_bytes)
    request = connection.next_event()
    while not isinstance(connection.next_event(), h11.EndOfMessage):
        pass
    out = []
    for message in messages:
        if message["type"] == "http.response.start":
            status = message["status"]
            event = h11.Response(
                status_code=status, headers=message.get("headers", []), reason=status_phrase(status)
            )
            out.append(connection.send(event))
        else:
            if message.get("body") and request.method != b"HEAD":
                out.append(connection.send(h11.Data(data=message["body"])))
            if not message.get("more_body", False):
                out.append(connection.send(h11.EndOfMessage()))
    return b"".join(part or b"" for part in out)
    ### END SOLUTION


# %%
def start(status: int, *headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": list(headers)}


def body(data: bytes, more: bool = False) -> dict[str, Any]:
    return {"type": "http.response.body", "body": data, "more_body": more}


GET_11 = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
TEXT = (b"content-type", b"text/plain")

# %%
with check("Exercise 3: frame_response writes a length, chunks, or a close"):
    cases = [
        (
            "a body with its length",
            GET_11,
            [start(200, TEXT, (b"content-length", b"5")), body(b"hello")],
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello",
        ),
        (
            "no length: chunked",
            GET_11,
            [start(200, TEXT), body(b"hello", more=True), body(b" world", more=True), body(b"")],
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        ),
        (
            "HTTP/1.0, no length: the body, then a close",
            b"GET / HTTP/1.0\r\n\r\n",
            [start(404, TEXT), body(b"not ", more=True), body(b"here")],
            b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nConnection: close\r\n\r\nnot here",
        ),
        (
            "HEAD: headers only",
            b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
            [start(200, TEXT, (b"content-length", b"5")), body(b"hello")],
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\n",
        ),
    ]
    for title, request_bytes, messages, expected in cases:
        answer = frame_response(request_bytes, messages)
        assert answer == expected, f"{title}: expected {expected!r}, got {answer!r}"

# %%
with uses_exercise(3):
    print(frame_response(GET_11, [start(200, TEXT), body(b"hello", more=True), body(b" world")]))

# %% [markdown]
# h11 wrote your header names as you gave them and added its own
# (`Transfer-Encoding`, `Connection`) in title case: names are case-insensitive
# in HTTP/1.1. In the HTTP/1.0 case it added `Connection: close` because a body
# without a length ends when the connection does; after that answer h11's
# state says `MUST_CLOSE`. The package's `RequestCycle.send_body` looks at that state and
# closes the socket as soon as the body is sent.
#
# ## A server on asyncio streams
#
# `asyncio.start_server(handler, host, port)` listens on a port and calls
# `await handler(reader, writer)` in a new task for every connection:
# `await reader.read(n)` gives up to `n` bytes (`b""` once the client has
# closed), `writer.write(data)` then `await writer.drain()` sends, and
# `writer.close()` hangs up. A connection that waits costs a task, not a
# thread: one process can hold thousands.

# %% [markdown]
# ### Exercise 4: one request per connection
#
# Write `serve_one(reader, writer, app)`, the handler of a tiny server that
# answers one request per connection with any ASGI app:
#
# 1. read the request head and the whole body with an `h11.Connection`,
#    reading from `reader` whenever h11 needs data;
# 2. build the scope with the package's `build_scope(request, "",
#    client=..., server=...)`; `writer.get_extra_info("peername")` and
#    `("sockname")` are the two ends (keep their first two items);
# 3. `await app(scope, receive, send)` where `receive()` returns the body once,
#    `{"type": "http.request", "body": body, "more_body": False}`, then
#    `{"type": "http.disconnect"}`; and `send(message)` writes each response
#    message through h11, as in exercise 3, adding `(b"connection", b"close")`
#    to the headers, since this connection serves one request only;
# 4. close the writer at the end, whatever happened.
#
# The check starts your server on 127.0.0.1 and a free port, sends it real
# requests with httpx, and stops it.

# %% [markdown]
# <details><summary>Hint</summary>
#
# A small inner `async def next_event()` that loops `while (event :=
# connection.next_event()) is h11.NEED_DATA: connection.receive_data(await
# reader.read(65536))` serves both the head and the body. For writing, another
# inner `async def write(event)`: `writer.write(connection.send(event))`, then
# `await writer.drain()`. Put the work in `try:` and `writer.close()` in
# `finally:`.
#
# </details>

# %%
async def serve_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, app) -> None:
    ### BEGIN SOLUTION
    connection = h11.Connection(h11.SERVER)

    async def next_event():
        while (event := connection.next_event()) is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
        return event

    async def write(event):
        if data := connection.send(event):
            writer.write(data)
            await writer.drain()

    try:
        request, chunks = await next_event(), []
        while isinstance(event := await next_event(), h11.Data):
            chunks.append(event.data)
        scope = build_scope(
            request,
            "",
            client=writer.get_extra_info("peername")[:2],
            server=writer.get_extra_info("sockname")[:2],
        )
        messages = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def receive():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"connection", b"close")]
                await write(h11.Response(status_code=status, headers=headers, reason=status_phrase(status)))
            else:
                if message.get("body") and request.method != b"HEAD":
                    await write(h11.Data(data=message["body"]))
                if not message.get("more_body", False):
                    await write(h11.EndOfMessage())

        await app(scope, receive, send)
    finally:
        writer.close()
    ### END SOLUTION


# %%
from app import app as demo  # the chapter's notes service


async def streaming(scope, receive, send):
    """A raw ASGI app that sends its body in three pieces, without a length."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    for word in (b"one ", b"two ", b"three"):
        await send({"type": "http.response.body", "body": word, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


# %%
with check("Exercise 4: serve_one answers real requests over 127.0.0.1"):
    for app, requests in [
        (demo, [("GET", "/notes", None, 200), ("GET", "/notes/99", None, 404), ("POST", "/json", {"a": [1, 2]}, 200)]),
        (streaming, [("GET", "/", None, 200)]),
    ]:
        errors = []

        async def handler(reader, writer):
            try:
                await serve_one(reader, writer, app)
            except Exception as error:  # kept, to be shown instead of "disconnected"
                errors.append(error)
            finally:
                writer.close()

        listener = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                for method, url, payload, status in requests:
                    try:
                        response = await client.request(method, url, json=payload)
                    except httpx.HTTPError:
                        if errors:
                            raise errors[0] from None
                        raise
                    assert response.status_code == status, (
                        f"{method} {url}: expected {status}, got {response.status_code} {response.text}"
                    )
                    assert response.headers.get("connection") == "close", (
                        f"{method} {url}: expected the header 'connection: close', got {dict(response.headers)}"
                    )
                    if url == "/json":
                        assert response.json() == {"received": {"a": [1, 2]}}, (
                            f"POST /json: expected the body to come back, got {response.text}"
                        )
                    if app is streaming:
                        assert response.headers.get("transfer-encoding") == "chunked", (
                            "a body without a length: expected 'transfer-encoding: chunked'"
                        )
                        assert response.text == "one two three", f"expected 'one two three', got {response.text!r}"
                    if url == "/notes":
                        assert response.json()[0] == {"id": 1, "text": "buy milk"}, (
                            f"GET /notes: expected the first note to be buy milk, got {response.text}"
                        )
        finally:
            listener.close()
            await listener.wait_closed()
        assert not errors, f"serve_one raised {errors[0]!r}"

# %% [markdown]
# That is a real server, and the chapter's whole app ran on it. What it
# lacks is most of what `nanoapi/server.py` is about:
#
# - **keep-alive**: after the answer, `h11.start_next_cycle()` and read the
#   next request on the same connection (a browser reuses a connection for
#   dozens of requests), with a timeout for the idle wait;
# - **pipelining**: requests a client sent without waiting for answers stay in
#   h11's buffer (it says `PAUSED`) and are answered in order;
# - a **body read on demand**, piece by piece, as the app calls `receive()`,
#   with `100 Continue` sent first when the client asked for it;
# - **errors**: a 400 for bytes h11 refuses, a 431 for a head too large, a 500
#   when the app fails before it answers, a close when it fails halfway;
# - **the lifespan** before the first connection and after the last, and a
#   graceful stop on Ctrl+C.
#
# ## The package's server, inside this notebook
#
# `Server(app, Config(...))` is the whole thing; `await server.serve()` runs it
# until `server.handle_exit()`. As a command (`python -m nanoapi`) it installs
# handlers for Ctrl+C and SIGTERM. In a notebook those signals belong to
# Jupyter (its "interrupt" button sends SIGINT), so a subclass leaves them
# alone:

# %%
class NotebookServer(Server):
    def install_signal_handlers(self) -> None:
        pass  # Jupyter's signals stay Jupyter's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def served(app):
    """Run the package's server for `app` in this notebook's loop; always stop it."""
    port = free_port()
    server = NotebookServer(app, Config(port=port))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(100):  # wait until it listens (the lifespan runs first)
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.02)
        yield port
    finally:
        server.handle_exit()
        await task


async def exchange(port: int, data: bytes, wait: float = 0.5) -> bytes:
    """Write raw bytes on a new connection; everything that came back in `wait` s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    received = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), wait):
            received += chunk
    except TimeoutError:
        pass  # still open: the server keeps the connection alive
    writer.close()
    return received


async with served(demo) as port:
    # Two requests written at once, on one connection: two answers, in order.
    two = b"GET /notes/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /whoami HTTP/1.1\r\nHost: x\r\nX-Token: secret-token\r\n\r\n"
    print((await exchange(port, two)).decode(), "\n")
    # 101 headers: more than the server accepts.
    many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % n for n in range(101)) + b"\r\n"
    print((await exchange(port, many)).decode(), "\n")
    # Expect: 100-continue, and the app reads the body: 100 first, then the answer.
    ask = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ask)
    print(await reader.readuntil(b"\r\n\r\n"))  # the client waits for this before sending its body
    writer.write(b"hi")
    print(await reader.read())  # the rest, until the server closes
    writer.close()

# %% [markdown]
# Read the answers: both pipelined requests answered in order on one
# connection, which stayed open; a `431 Request Header Fields Too Large` with
# `connection: close` (the warning line above it is the server's log); and
# `HTTP/1.1 100 Continue` before the body was even sent. The chapter's README walks through the code behind each.
#
# ## The same app on FastAPI and on ours
#
# Chapters 01 to 07 rebuilt what FastAPI does for the features we covered. Here is
# the proof in one cell: an app written **once**, against the names both
# packages export (`Depends`, `HTTPException`, `Query`, `Header`), built with
# `fastapi.FastAPI` and with our `App`, tested with each side's `TestClient`,
# as FastAPI's documentation writes tests. Path and query parameters, a body
# model and its 422, a dependency that can refuse, a `response_model` that
# filters, an `HTTPException`.

# %%
import warnings

import fastapi
import nanoapi

with warnings.catch_warnings():  # Starlette's notice that its TestClient will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient as FastAPITestClient


class ItemIn(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class ItemOut(BaseModel):
    id: int
    name: str
    price: float


def build(api, App):
    """The app, written once: `api` is the module the names come from."""
    app = App()
    items = {1: {"id": 1, "name": "kettle", "price": 25.5, "supplier": "secret"}}

    def paging(skip: int = 0, limit: Annotated[int, api.Query(le=50)] = 10) -> dict[str, int]:
        return {"skip": skip, "limit": limit}

    def token(x_token: Annotated[str, api.Header()]) -> str:
        if x_token != "s3cret":
            raise api.HTTPException(status_code=401, detail="Bad token")
        return x_token

    @app.get("/items")
    def list_items(page: Annotated[dict, api.Depends(paging)], q: str | None = None):
        found = [i["name"] for i in items.values() if q is None or q in i["name"]]
        return {"page": page, "q": q, "names": found[page["skip"] :][: page["limit"]]}

    @app.get("/items/{item_id}", response_model=ItemOut)
    def read_item(item_id: int):
        if item_id not in items:
            raise api.HTTPException(status_code=404, detail="Item not found")
        return items[item_id]  # the response model leaves out the supplier

    @app.post("/items", status_code=201, response_model=ItemOut, dependencies=[api.Depends(token)])
    def create_item(item: ItemIn):
        new = {"id": max(items) + 1, **item.model_dump(), "supplier": "secret"}
        items[new["id"]] = new
        return new

    return app


TOKEN = {"x-token": "s3cret"}
REQUESTS = [
    ("GET", "/items/1", {}),
    ("GET", "/items/7", {}),
    ("GET", "/items/abc", {}),
    ("GET", "/items?q=ket&limit=5", {}),
    ("GET", "/items?limit=500", {}),
    ("POST", "/items", {"json": {"name": "mug", "price": 4}, "headers": TOKEN}),
    ("POST", "/items", {"json": {"name": "mug"}, "headers": TOKEN}),
    ("POST", "/items", {"json": {"name": "mug", "price": "cheap"}, "headers": TOKEN}),
    ("POST", "/items", {"json": {"name": "mug", "price": 4}, "headers": {"x-token": "nope"}}),
    ("POST", "/items", {"json": {"name": "mug", "price": 4}}),
    ("GET", "/items?skip=1", {}),
]


def answers(client) -> list[tuple[int, Any]]:
    return [(r.status_code, r.json()) for r in (client.request(m, u, **o) for m, u, o in REQUESTS)]


with FastAPITestClient(build(fastapi, fastapi.FastAPI)) as client:
    theirs = answers(client)
with TestClient(build(nanoapi, nanoapi.App)) as client:
    ours = answers(client)

for (method, url, _), (their_status, their_body), (our_status, our_body) in zip(REQUESTS, theirs, ours):
    same = (their_status, their_body) == (our_status, our_body)
    print(f"{method:4} {url:22} FastAPI {their_status}  nanoapi {our_status}  {'same' if same else 'DIFFERENT'}")
    print(f"     FastAPI: {json.dumps(their_body)[:100]}")
    if not same:
        print(f"     nanoapi: {json.dumps(our_body)[:100]}")

# %%
with check("Finale: FastAPI and nanoapi give the same answers"):
    assert len(ours) == len(theirs) == len(REQUESTS), "expected one answer per request on each side"
    for (method, url, _), their_answer, our_answer in zip(REQUESTS, theirs, ours):
        assert our_answer[0] == their_answer[0], (
            f"{method} {url}: expected FastAPI's status {their_answer[0]}, got {our_answer[0]}"
        )
        assert our_answer[1] == their_answer[1], (
            f"{method} {url}: expected FastAPI's JSON {their_answer[1]}, got {our_answer[1]}"
        )

# %% [markdown]
# ## Where to go next
#
# You have now seen both sides of ASGI, and every layer between them. The real
# projects are the next read, and they should feel familiar:
#
# - **Starlette** (`starlette/`): `applications.py`, `routing.py`
#   (`Route`, `Router`, `Mount`), `middleware/errors.py` and
#   `middleware/exceptions.py`, `requests.py`, `responses.py`, `testclient.py`.
# - **FastAPI** (`fastapi/`): `routing.py` (`APIRoute`,
#   `get_request_handler`), `dependencies/utils.py` (`get_dependant`,
#   `solve_dependencies`), `openapi/utils.py` (`get_openapi`),
#   `applications.py` (`FastAPI.setup`).
# - **uvicorn** (`uvicorn/`): `protocols/http/h11_impl.py` next to our
#   `server.py`, then `server.py`, `lifespan/on.py` and `config.py`.
#
# Each chapter's README ends with a "Read the real thing" section that points
# at the exact functions. Pick one feature we left out (WebSockets, file
# uploads, security schemes, HTTP/2) and follow it through the real code.
