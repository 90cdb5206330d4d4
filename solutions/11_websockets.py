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
# # 11 WebSockets and streaming
#
# Every app so far answered a request with one whole body, and then the
# conversation was over. ASGI has two ways to keep talking:
#
# - a **`websocket` scope** lives as long as its connection, and messages go
#   both ways whenever either side likes: `websocket.receive` from the client,
#   `websocket.send` from the app, until one of them closes;
# - an **HTTP body in pieces**: each `http.response.body` message with
#   `more_body: True` is one more piece, for as long as the app has something
#   to send, while `receive()` tells it if the client leaves.
#
# You will build four pieces:
#
# 1. `echo`: a WebSocket in raw ASGI, which sends back every message, run
#    through a scripted client and through our server over 127.0.0.1;
# 2. `ConnectionManager`: a chat room on the framework (`WebSocket`,
#    `WebSocketDisconnect`), tested with the TestClient's `websocket_connect`;
# 3. `squares_csv`: a streamed download, a generator behind a
#    `StreamingResponse`, checked piece by piece;
# 4. `stream`: the heart of `StreamingResponse` by hand: `more_body`
#    messages, and a client that leaves stopping the generator at once.
#
# The finished pieces are in `chapters/11_websockets/nanoapi/`:
# `websockets.py` (`WebSocket`), `routing.py` (`APIWebSocketRoute`, and the
# path operations that `yield`), `responses.py` (`StreamingResponse`),
# `testclient.py` (`websocket_connect`) and, on the other side,
# `server_websocket.py`; read them after you have written yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/11_websockets")]
from workshop import check, uses_exercise

from nanoapi import FastAPI, Query, WebSocket, WebSocketDisconnect
from nanoapi.responses import StreamingResponse
from nanoapi.server import Config, Server
from nanoapi.testclient import TestClient

import asyncio
import inspect
import queue
import socket
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
import websockets

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `chapters/11_websockets/app.py` is chapter 10's notes service plus a chat
# room over WebSocket (`/chat/ws?name=...`) and the notes as a stream of JSON
# lines (`/notes/export`). The TestClient plays a WebSocket client with
# `websocket_connect(url)`: entering the `with` block is the handshake,
# leaving it closes the connection.

# %%
from app import app as demo

with TestClient(demo) as client:
    with client.websocket_connect("/chat/ws?name=ada") as ada:
        print("ada hears:", ada.receive_text())
        with client.websocket_connect("/chat/ws?name=sam") as sam:
            print("ada hears:", ada.receive_text())
            sam.send_text("hello, ada")
            print("ada hears:", ada.receive_text())
        print("ada hears:", ada.receive_text())
    try:
        with client.websocket_connect("/chat/ws"):  # no name: the handshake is refused
            pass
    except WebSocketDisconnect as refused:
        print("without a name:", refused.code, refused.reason)
    export = client.get("/notes/export")
    print(export.headers["content-type"])
    print(export.text)

# %% [markdown]
# The handshake without a name breaks the endpoint's contract
# (`name: Annotated[str, Query(min_length=1)]`), so the framework closes the
# connection before accepting it, with 1008, a policy violation, and the
# errors as the reason. A real server turns a close before accept into an
# HTTP 403.
#
# ## A WebSocket in ASGI messages
#
# Here is what an app sees of a real WebSocket. `recorder` prints its scope
# and every message it receives and sends; our server (chapter 08's, which
# now speaks WebSocket) serves it on 127.0.0.1, and the `websockets` package
# plays the client. In a notebook the server runs in the notebook's own event
# loop, and leaves Ctrl+C and SIGTERM to Jupyter:

# %%
class NotebookServer(Server):
    def install_signal_handlers(self) -> None:
        pass  # Jupyter's signals stay Jupyter's

    def remove_signal_handlers(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def served(app):
    """Run our server for `app` in this notebook's loop; always stop it."""
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


async def recorder(scope, receive, send):
    if scope["type"] != "websocket":
        return  # the lifespan: not ours to answer here
    print("scope:", {key: scope[key] for key in ("type", "scheme", "path", "query_string", "subprotocols")})
    print("       headers", [name.decode() for name, _ in scope["headers"]])

    async def noted_receive():
        message = await receive()
        print("  app <-", message)
        return message

    async def noted_send(message):
        print("  app ->", message)
        await send(message)

    await noted_receive()  # websocket.connect
    await noted_send({"type": "websocket.accept", "subprotocol": None})
    while (message := await noted_receive())["type"] == "websocket.receive":
        await noted_send({"type": "websocket.send", "text": f"you said {message.get('text')!r}"})


async with served(recorder) as port:
    async with websockets.connect(f"ws://127.0.0.1:{port}/live?room=1", subprotocols=["chat"]) as ws:
        await ws.send("hi")
        print("client got:", await ws.recv())
        await ws.send(b"\x00\x01")
        print("client got:", await ws.recv())
    await asyncio.sleep(0.1)  # the app's last receive() comes after the close

# %% [markdown]
# What to notice:
#
# - the scope is the `http` one without a `method`; `scheme` is `ws`;
#   `subprotocols` are those the client offered (`Sec-WebSocket-Protocol`),
#   and the handshake's headers are all there (`sec-websocket-key`,
#   `sec-websocket-version`, ...);
# - `websocket.connect` comes first, and nothing happens until the app
#   answers: `websocket.accept` is the `101 Switching Protocols`
#   (`websocket.close` instead would be a 403);
# - each message is one `websocket.receive`, with `text` or `bytes`
#   (a binary message here, which the recorder answered with `None`);
# - the client's close arrives as `websocket.disconnect` with the close code
#   (1000, normal), and that is the end: nothing may be sent after it.
#
# ### Exercise 1: an echo WebSocket in raw ASGI
#
# Write `echo(scope, receive, send)`:
#
# - a scope that is not `websocket` (the server's `lifespan`): return at once;
# - the first message is `websocket.connect`: answer with `websocket.accept`,
#   whose `subprotocol` is `"echo"` if the client offered it
#   (`scope["subprotocols"]`), else `None`;
# - then, for each `websocket.receive`: send back what came, as it came, a
#   text as `{"type": "websocket.send", "text": ...}` and bytes as
#   `{"type": "websocket.send", "bytes": ...}`. One exception: the text
#   `"/quit"` is answered with `{"type": "websocket.close", "code": 1000,
#   "reason": "bye"}`, and then the app returns;
# - `websocket.disconnect`: the client has gone. Return, and do not call
#   `receive()` again.
#
# The check plays a client by hand (a scripted `receive` and a recording
# `send`), then serves your `echo` with our server and talks to it with the
# `websockets` package.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `message = await receive()` in a `while True:` loop; `message["type"]` says
# what it is. `message.get("text")` is `None` for a binary message, whose data
# is in `message["bytes"]`. The accept:
# `{"type": "websocket.accept", "subprotocol": "echo" if "echo" in
# scope["subprotocols"] else None}`.
#
# </details>

# %%
async def echo(scope, receive, send):
    ### BEGIN SOLUTION
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    subprotocol = "echo" if "echo" in scope["subprotocols"] else None
    await send({"type": "websocket.accept", "subprotocol": subprotocol})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "/quit":
            await send({"type": "websocket.close", "code": 1000, "reason": "bye"})
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})
    ### END SOLUTION


# %%
def websocket_scope(path="/", subprotocols=()):
    """A `websocket` scope, as a server would write it."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": list(subprotocols),
    }


async def converse(app, incoming, subprotocols=(), wait=2.0):
    """A scripted client: `receive()` gives `websocket.connect`, then each of
    `incoming`, then `websocket.disconnect` (once: a second call after it is
    an error). Returns what the app sent."""
    script = [{"type": "websocket.connect"}, *incoming]
    sent, disconnected = [], False

    async def receive():
        nonlocal disconnected
        await asyncio.sleep(0)
        if script:
            return script.pop(0)
        assert not disconnected, "receive() was called again after websocket.disconnect: return once the client has gone"
        disconnected = True
        return {"type": "websocket.disconnect", "code": 1000, "reason": ""}

    async def send(message):
        closed = sent and sent[-1]["type"] == "websocket.close"
        assert not closed, f"{message['type']} was sent after websocket.close"
        sent.append(message)

    try:
        await asyncio.wait_for(app(websocket_scope(subprotocols=subprotocols), receive, send), wait)
    except TimeoutError:
        raise AssertionError(f"the app was still running {wait} s later (it sent {sent})") from None
    return sent


def text(data):
    return {"type": "websocket.receive", "text": data}


def binary(data):
    return {"type": "websocket.receive", "bytes": data}


def shown(messages):
    """Each message's type and its data, whichever keys it used."""
    return [(m["type"], m.get("subprotocol"), m.get("text"), m.get("bytes"), m.get("code"), m.get("reason")) for m in messages]


ACCEPT = ("websocket.accept", None, None, None, None, None)
ACCEPT_ECHO = ("websocket.accept", "echo", None, None, None, None)

# %%
with check("Exercise 1: echo accepts, sends every message back, closes on /quit, and works on a real server"):
    lifespan_called = []

    async def refuse_receive():
        lifespan_called.append("receive")
        return {"type": "lifespan.startup"}

    async def refuse_send(message):
        lifespan_called.append("send")

    await asyncio.wait_for(echo({"type": "lifespan", "asgi": {"version": "3.0"}}, refuse_receive, refuse_send), 1)
    assert lifespan_called == [], f"a lifespan scope should be left alone, but echo called {lifespan_called}"

    sent = shown(await converse(echo, []))
    assert sent == [ACCEPT], f"with no subprotocol offered: expected only an accept with subprotocol None, got {sent}"
    sent = shown(await converse(echo, [], subprotocols=["chat", "echo"]))
    assert sent == [ACCEPT_ECHO], f"with 'echo' offered: expected an accept with subprotocol 'echo', got {sent}"
    sent = shown(await converse(echo, [text("hi"), binary(b"\x00\xff"), text("café"), text("")]))
    expected = [
        ACCEPT,
        ("websocket.send", None, "hi", None, None, None),
        ("websocket.send", None, None, b"\x00\xff", None, None),
        ("websocket.send", None, "café", None, None, None),
        ("websocket.send", None, "", None, None, None),
    ]
    assert sent == expected, f"expected each message back as it came (text as text, bytes as bytes): {expected}, got {sent}"
    sent = shown(await converse(echo, [text("a"), text("/quit"), text("never")]))
    expected = [ACCEPT, ("websocket.send", None, "a", None, None, None), ("websocket.close", None, None, None, 1000, "bye")]
    assert sent == expected, f"/quit: expected the close (1000, 'bye') and nothing after it: {expected}, got {sent}"

    async with served(echo) as port:
        async with websockets.connect(f"ws://127.0.0.1:{port}/", subprotocols=["echo"]) as ws:
            assert ws.subprotocol == "echo", f"over the server: expected the subprotocol 'echo', got {ws.subprotocol!r}"
            await ws.send("hello over TCP")
            answer = await asyncio.wait_for(ws.recv(), 2)
            assert answer == "hello over TCP", f"over the server: expected the text back, got {answer!r}"
            await ws.send(b"\x01\x02")
            answer = await asyncio.wait_for(ws.recv(), 2)
            assert answer == b"\x01\x02", f"over the server: expected the bytes back, got {answer!r}"
            await ws.send("/quit")
            try:
                await asyncio.wait_for(ws.recv(), 2)
                raise AssertionError("over the server: /quit should close the connection")
            except websockets.ConnectionClosedOK as closed:
                got = (closed.rcvd.code, closed.rcvd.reason)
                assert got == (1000, "bye"), f"over the server: expected the close (1000, 'bye'), got {got}"

# %% [markdown]
# That is a whole WebSocket endpoint. Everything a framework adds is comfort
# on top: a `WebSocket` object with `receive_text()` and `send_json()`, the
# states checked for you (a message sent before `accept`, or after the
# close, is a clear error), a path with parameters, dependencies, and an
# exception, `WebSocketDisconnect`, instead of a `websocket.disconnect`
# message you could forget to look at.
#
# ## A chat room on the framework
#
# `@app.websocket(path)` declares a WebSocket endpoint. Its parameters work as
# a path operation's: the `WebSocket` itself, path and query parameters,
# headers, cookies, `Depends`. Here is the same echo, the framework's way:

# %%
echo_app = FastAPI()


@echo_app.websocket("/echo/{prefix}")
async def framework_echo(websocket: WebSocket, prefix: str, shout: bool = False):
    await websocket.accept()
    async for message in websocket.iter_text():  # stops when the client leaves
        await websocket.send_text(f"{prefix}: {message.upper() if shout else message}")


with TestClient(echo_app) as client, client.websocket_connect("/echo/bot?shout=true") as ws:
    ws.send_text("hello")
    print(ws.receive_text())

# %% [markdown]
# A room is many WebSockets at once: what one member says, every member
# hears. Each connection runs its own copy of the endpoint, in its own task,
# so the room needs an object that all of them share, and that knows every
# open WebSocket: a **connection manager**. FastAPI's documentation calls it
# that too.
#
# ### Exercise 2: a connection manager
#
# Write the three methods of `ConnectionManager`, and the endpoint's body:
#
# - `connect(websocket, name)`: accept the WebSocket, add it to
#   `self.active` (WebSocket -> name), then tell everyone, the newcomer
#   included, `"<name> joined"`;
# - `disconnect(websocket)`: take it out of `self.active`; return its name
#   (`None` if it was not there);
# - `broadcast(text)`: send `text` to every WebSocket in `self.active`. A
#   member whose connection broke in the meantime makes `send_text` raise
#   (`WebSocketDisconnect`, or `RuntimeError` once it is closed): drop that
#   member and go on with the others;
# - the endpoint `room(websocket, name)`: connect; then each text a member
#   sends is broadcast as `"<name>: <text>"`; when the member leaves
#   (`receive_text()` raises `WebSocketDisconnect`), disconnect it and
#   broadcast `"<name> left"`.
#
# The check connects two members with the TestClient and follows the
# conversation on both sides. Two more members join the room behind their
# backs, whose connections ended before their endpoints could notice: one
# closed, one whose client dropped.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `await websocket.accept()` first: nothing can be sent before it. Loop over
# `list(self.active)` in `broadcast`, a copy, since a member may be dropped
# during the loop. In the endpoint:
#
# ```python
# await manager.connect(websocket, name)
# try:
#     while True:
#         message = await websocket.receive_text()
#         await manager.broadcast(f"{name}: {message}")
# except WebSocketDisconnect:
#     ...
# ```
#
# </details>

# %%
class ConnectionManager:
    """Everyone in the room: who they are, and saying something to all."""

    def __init__(self) -> None:
        self.active: dict[WebSocket, str] = {}

    async def connect(self, websocket: WebSocket, name: str) -> None:
        ### BEGIN SOLUTION
        await websocket.accept()
        self.active[websocket] = name
        await self.broadcast(f"{name} joined")
        ### END SOLUTION

    def disconnect(self, websocket: WebSocket) -> str | None:
        ### BEGIN SOLUTION
        return self.active.pop(websocket, None)
        ### END SOLUTION

    async def broadcast(self, text: str) -> None:
        ### BEGIN SOLUTION
        for websocket in list(self.active):
            try:
                await websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError):
                self.active.pop(websocket, None)
        ### END SOLUTION


manager = ConnectionManager()
room_app = FastAPI()


@room_app.websocket("/ws")
async def room(websocket: WebSocket, name: Annotated[str, Query(min_length=1)]):
    ### BEGIN SOLUTION
    await manager.connect(websocket, name)
    try:
        while True:
            message = await websocket.receive_text()
            await manager.broadcast(f"{name}: {message}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"{name} left")
    ### END SOLUTION


# %% [markdown]
# The TestClient's `receive_text()` waits for as long as the app runs, so a
# check that expected a message the app never sends would wait forever.
# `heard` gives up after two seconds instead: the session keeps what the app
# sent in a queue, `from_app`, and `raise_on_close` turns a close into
# `WebSocketDisconnect`, as `receive_text()` does.

# %%
def heard(session, when, wait=2.0) -> str:
    """The next text the app sent to this test session, within `wait` seconds."""
    try:
        item = session.from_app.get(timeout=wait)
    except queue.Empty:
        raise AssertionError(f"{when}: expected a message, but nothing came within {wait} s") from None
    if isinstance(item, BaseException):
        raise item  # the app raised it
    session.raise_on_close(item)
    return item["text"]


# %%
with check("Exercise 2: the room says who joined, passes every message to everyone, and says who left"):

    async def gone_member(closed: bool) -> WebSocket:
        """A member whose connection ended before its endpoint noticed: closed by
        us (its send_text raises RuntimeError), or dropped by its client (the
        server's send raises OSError, which the WebSocket turns into
        WebSocketDisconnect)."""
        dropped = False

        async def receive():
            return {"type": "websocket.connect"}

        async def send(message):
            if dropped:
                raise OSError("the client has gone")

        member = WebSocket(websocket_scope("/ws"), receive, send)
        await member.accept()
        if closed:
            await member.close()
        dropped = True
        return member

    manager.active.clear()
    with TestClient(room_app) as client:
        with client.websocket_connect("/ws?name=ada") as ada:
            said = heard(ada, "ada joining: ada")
            assert said == "ada joined", f"ada joining: ada should hear 'ada joined', got {said!r}"
            with client.websocket_connect("/ws?name=sam") as sam:
                for who, session in (("ada", ada), ("sam", sam)):
                    said = heard(session, f"sam joining: {who}")
                    assert said == "sam joined", f"sam joining: {who} should hear 'sam joined', got {said!r}"
                names = sorted(manager.active.values())
                assert names == ["ada", "sam"], f"manager.active should hold ada and sam, holds {names}"
                manager.active[await gone_member(closed=True)] = "cid"
                manager.active[await gone_member(closed=False)] = "dee"
                sam.send_text("hi")
                ada.send_text("hello, sam")
                for who, session in (("ada", ada), ("sam", sam)):
                    said = [heard(session, f"sam and ada talking: {who}") for _ in range(2)]
                    assert said == ["sam: hi", "ada: hello, sam"], (
                        f"{who} should hear ['sam: hi', 'ada: hello, sam'], in that order, got {said}"
                    )
                names = sorted(manager.active.values())
                assert names == ["ada", "sam"], (
                    "cid's connection was closed and dee's client dropped before they could leave: broadcast should "
                    f"drop each of them when send_text raises, and go on; manager.active holds {names}"
                )
            said = heard(ada, "sam leaving: ada")
            assert said == "sam left", f"sam leaving: ada should hear 'sam left', got {said!r}"
            names = list(manager.active.values())
            assert names == ["ada"], f"after sam left, manager.active should hold ada only, holds {names}"
        assert manager.active == {}, f"after everyone left, manager.active should be empty: {manager.active}"
        try:
            with client.websocket_connect("/ws"):
                raise AssertionError("a handshake without a name should be refused")
        except WebSocketDisconnect as refused:
            assert refused.code == 1008, f"without a name: expected the framework's 1008 close, got {refused.code}"

# %% [markdown]
# The room lives in one process's memory. Run the app with four workers and
# there are four rooms, each with a quarter of the members; a real chat
# passes its messages through something all the workers share (Redis's
# publish and subscribe, PostgreSQL's `LISTEN`/`NOTIFY`), and each worker's
# manager only delivers them.
#
# How the framework got from a `websocket` scope to your endpoint:
# `APIWebSocketRoute` (routing.py) checks the handshake against the
# endpoint's parameters with the same dependency tree as a path operation's,
# and a handshake that breaks the contract never reaches your code:

# %%
from nanoapi.routing import APIWebSocketRoute

print(inspect.getsource(APIWebSocketRoute.build_app))

# %% [markdown]
# ## Streaming a response
#
# An HTTP body does not have to be sent whole. The app sends
# `http.response.start`, then any number of `http.response.body` messages
# with `more_body: True`, then one with `more_body: False`. Without a
# `content-length`, the server frames the pieces as HTTP/1.1 chunks, and the
# client reads them as they come: a large export, a log that grows, an
# answer that an AI model writes word by word.
#
# `StreamingResponse(content)` does it for a generator: each piece `content`
# yields is one `http.response.body`. Two things make it safe for a stream
# that is large, or never ends:
#
# - **backpressure**: `await send(...)` waits until the server has handed the
#   piece to the socket, so a slow client slows the generator down, and
#   nothing piles up in memory;
# - **a client that leaves**: the generator must stop, and its `finally`
#   blocks (closing a file, a database cursor, a subscription) must run.
#
# To see both, here is a client written by hand, as our server would call
# the app: `download(app, path)` returns every message the app sent, and with
# `leave_after=n` the client hangs up after `n` pieces of the body: from
# then on `receive()` says `http.disconnect` and `send()` raises an
# `OSError`, as our server's do (ASGI 2.4).

# %%
def http_scope(path):
    path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def download(app, path, leave_after=None, wait=2.0):
    """GET `path` from `app`; every message it sent. With `leave_after`, the
    client leaves once that many pieces of the body have come."""
    sent, gone, asked = [], asyncio.Event(), False

    async def receive():
        nonlocal asked
        if not asked:  # the request's (empty) body, then: wait for the end
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if gone.is_set():
            raise OSError("the client has gone")
        sent.append(message)
        pieces = [m for m in sent if m["type"] == "http.response.body"]
        if leave_after is not None and len(pieces) >= leave_after:
            gone.set()  # the client hangs up
        if message["type"] == "http.response.body" and not message.get("more_body"):
            gone.set()  # the response is complete: receive() says so, as a server's does

    try:
        await asyncio.wait_for(app(http_scope(path), receive, send), wait)
    except TimeoutError:
        pieces = len([m for m in sent if m["type"] == "http.response.body"])
        raise AssertionError(f"GET {path}: the app was still running {wait} s later, after {pieces} pieces") from None
    return sent


def pieces(sent):
    """The body messages, as (bytes, more_body)."""
    return [(m.get("body", b""), m.get("more_body", False)) for m in sent if m["type"] == "http.response.body"]


slow_app = FastAPI()


@slow_app.get("/count")
async def count_up() -> StreamingResponse:
    async def numbers():
        try:
            for n in range(1, 1_000_000):
                yield f"{n}\n"
        finally:
            print("   the generator's finally ran")

    return StreamingResponse(numbers(), media_type="text/plain")


print("leaving after 3 pieces:")
sent = await download(slow_app, "/count", leave_after=3)
print("  ", sent[0]["status"], sent[0]["headers"])
print("  ", pieces(sent))

# %% [markdown]
# Three pieces, each its own message with `more_body: True`, no
# `content-length` in the head, and the generator's `finally` ran as soon as
# the client left, not after a million numbers.
#
# ### Exercise 3: a streamed download
#
# Write the path operation `squares_csv(count)`: a CSV file of the numbers 1
# to `count` and their squares, sent as it is written.
#
# - The body is the header line `"n,square\n"`, then one line per number,
#   `"1,1\n"`, `"2,4\n"`, ... up to `count`: **each line is one piece** of
#   the stream, so that the first lines leave before the last ones are
#   written. Write it as an `async def` generator inside the path operation.
# - The response is a `StreamingResponse` with the media type `text/csv`
#   and the header `content-disposition: attachment; filename="squares.csv"`
#   (a browser then saves the file instead of showing it).
# - `OPEN["exports"]` counts the generators running right now: add 1 when
#   your generator starts, and take it back in a `finally`, so that it is 0
#   again after every download, a finished one or one whose client left.
#
# The check downloads it whole (through httpx), piece by piece, and with a
# client that leaves after 3 pieces of a 100,000-line file, measuring the
# memory the download takes (`tracemalloc`).

# %% [markdown]
# <details><summary>Hint</summary>
#
# ```python
# async def lines():
#     OPEN["exports"] += 1
#     try:
#         yield "n,square\n"
#         for n in range(1, count + 1):
#             yield f"{n},{n * n}\n"
#     finally:
#         ...
# ```
#
# then `return StreamingResponse(lines(), media_type=..., headers={...})`.
# A text piece is encoded as UTF-8 by the response.
#
# </details>

# %%
squares_app = FastAPI()
OPEN = {"exports": 0}  # export generators running right now


@squares_app.get("/squares.csv")
async def squares_csv(count: int = 10) -> StreamingResponse:
    ### BEGIN SOLUTION
    async def lines():
        OPEN["exports"] += 1
        try:
            yield "n,square\n"
            for n in range(1, count + 1):
                yield f"{n},{n * n}\n"
        finally:
            OPEN["exports"] -= 1

    headers = {"content-disposition": 'attachment; filename="squares.csv"'}
    return StreamingResponse(lines(), media_type="text/csv", headers=headers)
    ### END SOLUTION


# %%
with check("Exercise 3: squares_csv streams one CSV line per piece, and stops when the client leaves"):
    OPEN["exports"] = 0
    transport = httpx.ASGITransport(app=squares_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/squares.csv", params={"count": 4})
    assert response.status_code == 200, f"expected 200, got {response.status_code}: {response.text}"
    body = "n,square\n1,1\n2,4\n3,9\n4,16\n"
    assert response.text == body, f"count=4: expected the body {body!r}, got {response.text!r}"
    found = {name: response.headers.get(name) for name in ("content-type", "content-disposition", "content-length")}
    expected = {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="squares.csv"',
        "content-length": None,
    }
    assert found == expected, f"expected the headers {expected}, got {found}"
    sent = pieces(await download(squares_app, "/squares.csv?count=3"))
    expected = [(b"n,square\n", True), (b"1,1\n", True), (b"2,4\n", True), (b"3,9\n", True), (b"", False)]
    assert sent == expected, f"count=3: expected one piece per line, then the end: {expected}, got {sent}"
    assert OPEN["exports"] == 0, f"after a whole download OPEN['exports'] should be 0, it is {OPEN['exports']}"
    tracemalloc.start()  # what the download holds in memory at most
    try:
        sent = pieces(await download(squares_app, "/squares.csv?count=100000", leave_after=3))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(sent) <= 4, f"the client left after 3 pieces, but {len(sent)} were sent"
    assert peak < 1_000_000, (
        f"count=100000, and the client left after 3 pieces: memory went up by {peak / 1e6:.1f} MB, as if the whole "
        "file had been written before the first line left (write each line as you yield it)"
    )
    assert OPEN["exports"] == 0, (
        f"after the client left, OPEN['exports'] should be 0 again (the generator's finally), it is {OPEN['exports']}"
    )

# %% [markdown]
# ## How `StreamingResponse` stops
#
# In exercise 3 the generator produced its lines as fast as the client took
# them, so `send()` would fail right after the client left anyway. The hard
# case is a stream that is **idle**: the demo's `/notes/events` sends the
# notes, then waits for the next note to be created, for minutes maybe. No
# `send()` happens while it waits, so nothing fails; if the response only
# noticed a departed client when a send fails, that generator would hold its
# subscription until the next note, or forever.
#
# So `StreamingResponse` does two things at once: one task sends the pieces,
# another waits on `receive()` for `http.disconnect`. Whichever finishes
# first ends the other; then the generator is closed (`aclose()`), which runs
# its `finally` blocks now.
#
# ### Exercise 4: stream by hand
#
# Write `stream(chunks, receive, send)`, which sends the async generator
# `chunks` as a 200 response:
#
# - `http.response.start` with status 200 and the header
#   `content-type: text/plain; charset=utf-8`; then each chunk as
#   `http.response.body` with `more_body: True`; then an empty
#   `http.response.body` with `more_body: False`;
# - at the same time, wait on `receive()` until it says `http.disconnect`
#   (the first message it gives is the request's body: skip anything else).
#   When the client leaves first, stop sending at once;
# - when `send()` raises an `OSError` (the server says the client has gone),
#   stop quietly: no exception out of `stream`;
# - in every case, finish with `await chunks.aclose()`, so that the
#   generator's `finally` runs before `stream` returns.
#
# The check streams a few chunks whole, an endless stream whose client
# leaves, and a stream that waits 30 s between two pieces while its client
# leaves (`stream` must return within a second), then runs your `stream` on
# our server with a real socket that reads three chunks and hangs up.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Two coroutines, run as tasks: `sending()`, the start, the chunks and the
# end, inside `try: ... except OSError: pass`; and `leaving()`, `while (await
# receive())["type"] != "http.disconnect": pass`. Then
#
# ```python
# tasks = {asyncio.ensure_future(sending()), asyncio.ensure_future(leaving())}
# try:
#     await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
# finally:
#     for task in tasks:
#         task.cancel()
#     await asyncio.wait(tasks)
#     await chunks.aclose()
# ```
#
# </details>

# %%
async def stream(chunks: AsyncIterator[bytes], receive, send) -> None:
    ### BEGIN SOLUTION
    async def sending():
        try:
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client has gone

    async def leaving():
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = {asyncio.ensure_future(sending()), asyncio.ensure_future(leaving())}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        await chunks.aclose()
    ### END SOLUTION


# %%
CLOSED = []  # a generator's name, once its finally has run


async def counting(name, count=None, pause=0.0, pause_after=None):
    """b"1\n", b"2\n", ...: `count` of them (or without end), `pause` s apart;
    after `pause_after` chunks, a 30 s wait before the next."""
    n = 0
    try:
        while count is None or n < count:
            if pause_after is not None and n == pause_after:
                await asyncio.sleep(30)
            n += 1
            yield b"%d\n" % n
            await asyncio.sleep(pause)
    finally:
        CLOSED.append(name)


def streaming_app(name, **options):
    async def app(scope, receive, send):
        if scope["type"] == "http":
            await stream(counting(name, **options), receive, send)

    return app


# %%
with check("Exercise 4: stream sends more_body pieces, and stops (its generator closed) as soon as the client leaves"):
    CLOSED.clear()
    sent = await download(streaming_app("whole", count=3), "/")
    start = sent[0]
    assert start["type"] == "http.response.start" and start["status"] == 200, f"expected the start with 200 first, got {start}"
    headers = [tuple(h) for h in start.get("headers", [])]
    assert headers == [(b"content-type", b"text/plain; charset=utf-8")], f"expected the content-type header, got {headers}"
    expected = [(b"1\n", True), (b"2\n", True), (b"3\n", True), (b"", False)]
    assert pieces(sent) == expected, f"expected each chunk with more_body True, then an empty last piece: {expected}, got {pieces(sent)}"
    assert CLOSED == ["whole"], f"the generator should be closed when stream returns, closed: {CLOSED}"

    sent = await download(streaming_app("endless"), "/", leave_after=3)
    assert len(pieces(sent)) <= 4, f"the client left after 3 pieces, but {len(pieces(sent))} were sent"
    assert "endless" in CLOSED, "an endless stream whose client left: its generator was not closed"

    try:
        await download(streaming_app("idle", pause_after=3), "/", leave_after=3, wait=1.0)
    except AssertionError:
        raise AssertionError(
            "a stream that waits 30 s before its 4th piece: the client left after the 3rd, but stream was still "
            "running 1 s later (does it watch receive() for http.disconnect while it sends?)"
        ) from None
    assert "idle" in CLOSED, "a stream waiting between pieces: its generator was not closed when the client left"

    held = counting("held")  # a reference kept here: the garbage collector cannot close it for stream

    async def holding(scope, receive, send):
        await stream(held, receive, send)

    await download(holding, "/", leave_after=3)
    assert "held" in CLOSED, "the client left: stream returned, but its generator was not closed (await chunks.aclose())"

    finished = asyncio.Event()

    async def on_server(scope, receive, send):
        if scope["type"] == "http":
            await stream(counting("served", pause=0.05), receive, send)
            finished.set()

    async with served(on_server) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert b"transfer-encoding: chunked" in head.lower(), f"over the server: expected a chunked answer, got {head!r}"
        for _ in range(3):  # each chunk: its size line, the data, an empty line
            await asyncio.wait_for(reader.readuntil(b"\r\n"), 2)
            await asyncio.wait_for(reader.readuntil(b"\r\n"), 2)
        writer.close()
        try:
            await asyncio.wait_for(finished.wait(), 2)
        except TimeoutError:
            raise AssertionError("over the server: stream was still running 2 s after the client hung up") from None
        assert "served" in CLOSED, "over the server: the generator was not closed after the client hung up"

# %% [markdown]
# Your `stream` is `StreamingResponse.__call__` and its `stream`, nearly line
# for line. Starlette's differs in one way: when the server speaks ASGI 2.4
# (ours does; uvicorn says 2.3), it does not watch `receive()` and relies on
# a failing `send()`, so an idle stream notices a departed client only at
# its next piece.

# %%
print(inspect.getsource(StreamingResponse.__call__))

# %% [markdown]
# ## Path operations that yield
#
# FastAPI 0.165 lets a path operation be a generator, and the chapter's
# package does too: the route sees at registration that the endpoint
# `yield`s, and wraps the generator in a `StreamingResponse` for you. Each
# item becomes a line of JSON (`application/jsonl`), checked against the
# return annotation; with `response_class=EventSourceResponse`, a
# server-sent event. The demo's `/notes/events` is an endless event stream
# that sends the notes there are, then each new one; a client that leaves
# takes its listener away with it:

# %%
import app as demo_module

sent = await download(demo, "/notes/events", leave_after=3)
print(sent[0]["status"], dict((k.decode(), v.decode()) for k, v in sent[0]["headers"]))
for body, _ in pieces(sent):
    print(body.decode(), end="")
print("listeners still subscribed:", len(demo_module.LISTENERS))

# %% [markdown]
# And the document describes such an operation item by item, with
# `itemSchema`:

# %%
document = demo.openapi()
for path in ("/notes/export", "/notes/events"):
    print(path, document["paths"][path]["get"]["responses"]["200"]["content"])

# %% [markdown]
# ## Read the real thing
#
# - Starlette, `websockets.py`: `WebSocket` (its two states, `receive`,
#   `send`, `iter_text`), `WebSocketDisconnect`, `WebSocketClose`;
#   `routing.py`: `WebSocketRoute`, `websocket_session`; `responses.py`:
#   `StreamingResponse` (`listen_for_disconnect`, `stream_response`);
#   `testclient.py`: `WebSocketTestSession`.
# - FastAPI, `routing.py`: `APIWebSocketRoute`, `get_websocket_app`, and the
#   streaming of generator path operations in `get_request_handler`;
#   `sse.py`; FastAPI's documentation, "WebSockets" (its `ConnectionManager`),
#   "Stream Data", "Server-Sent Events".
# - uvicorn, `protocols/websockets/wsproto_impl.py`: the server's side of
#   everything above, on wsproto, as our `server_websocket.py`.
# - The ASGI specification, "HTTP & WebSocket ASGI Message Format"; RFC 6455,
#   the WebSocket protocol (the handshake, frames, close codes).
