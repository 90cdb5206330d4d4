"""TestClient: call the app from ordinary synchronous test code.

    with TestClient(app) as client:          # runs the lifespan startup
        assert client.get("/items").status_code == 200
                                             # ... and the shutdown on exit

It is an `httpx.Client` whose transport hands each request to the app as
ASGI messages, on an event loop that runs in a helper thread, so tests need
no `async def` and no server. As in FastAPI, an exception the app raises is
raised in the test, unless `raise_server_exceptions=False`.

    with client.websocket_connect("/ws") as websocket:   # the handshake
        websocket.send_text("hi")
        assert websocket.receive_text() == "hi"          # ... and a disconnect

`websocket_connect` runs the app on a WebSocket scope and plays the client: a
refused handshake raises WebSocketDisconnect (a close) or
WebSocketDenialResponse (an HTTP answer), as Starlette's TestClient does.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from contextlib import suppress
from typing import Any
from urllib.parse import unquote

import httpx

from .types import ASGIApp, Message, Scope
from .websockets import WebSocketDisconnect

RawHeaders = list[tuple[bytes, bytes]]


class EventLoopThread:
    """An event loop in a daemon thread; `run(coro)` waits for the result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class ASGITransport(httpx.BaseTransport):
    """Turns an httpx.Request into an ASGI call, and the messages back."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        loop = self.client.loop or EventLoopThread()
        try:
            status, headers, body = loop.run(self.call_app(request))
        finally:
            if loop is not self.client.loop:
                loop.close()
        return httpx.Response(status, headers=headers, content=body, request=request)

    def scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        path = unquote(url.path)
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": self.client.root_path + path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "root_path": self.client.root_path,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("testclient", 50000),
            "server": (url.host, url.port or {"https": 443}.get(url.scheme, 80)),
            "state": dict(self.client.lifespan_state),
        }

    async def call_app(self, request: httpx.Request) -> tuple[int, RawHeaders, bytes]:
        body = request.read()
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        response_done = asyncio.Event()
        sent: list[Message] = []

        async def receive() -> Message:
            if incoming:
                return incoming.pop()
            await response_done.wait()  # the client is gone once it has its answer
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                response_done.set()

        try:
            await self.client.app(self.scope(request), receive, send)
        except Exception:
            if self.client.raise_server_exceptions:
                raise
            if not sent:  # what a server answers when the app broke
                return 500, [], b"Internal Server Error"
        response_done.set()
        return parse_response(sent)


def parse_response(sent: list[Message]) -> tuple[int, RawHeaders, bytes]:
    if not sent or sent[0]["type"] != "http.response.start":
        raise RuntimeError("the app did not start a response")
    start, bodies = sent[0], sent[1:]
    body = b"".join(m.get("body", b"") for m in bodies)
    return start["status"], list(start.get("headers", [])), body


class WebSocketDenialResponse(  # type: ignore[misc]  # both bases define __setstate__; never pickled
    httpx.Response, WebSocketDisconnect
):
    """The app answered the handshake with an HTTP response instead of accepting:
    raised, and read like any response (`status_code`, `json()`)."""


class WebSocketTestSession:
    """The client's side of one WebSocket, for synchronous test code."""

    __test__ = False

    def __init__(self, client: TestClient, scope: Scope) -> None:
        self.client, self.scope = client, scope
        self.from_app: queue.Queue[Message | None] = queue.Queue()  # None: it ended
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] | None = None

    def __enter__(self) -> WebSocketTestSession:
        # The client's loop when it is entered; else a loop of the session's own
        self.loop = self.client.loop or EventLoopThread()
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.task: Future[None] = asyncio.run_coroutine_threadsafe(
            self.run_app(), self.loop.loop
        )
        self.send({"type": "websocket.connect"})
        try:
            message = self.receive()
            self.raise_on_close(message)
        except BaseException:
            self.finish()  # an error of the app's own wins over the refusal
            raise
        self.accepted_subprotocol = message.get("subprotocol")
        self.extra_headers = message.get("headers")
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.close(1000)
        finally:
            self.finish()

    async def run_app(self) -> None:
        async def send(message: Message) -> None:
            self.from_app.put(message)

        try:
            await self.client.app(self.scope, self.to_app.get, send)
        finally:
            self.from_app.put(None)  # receive() waits no longer

    def finish(self) -> None:
        """Wait for the app to return; raise what it raised."""
        try:
            self.task.result()
        except BaseException:
            if self.client.raise_server_exceptions:
                raise
        finally:
            if self.loop is not self.client.loop:
                self.loop.close()

    def raise_app_error(self, wait: float = 1.0) -> None:
        """Raise what the app raised, if it ends with an error within `wait` s."""
        with suppress(TimeoutError):
            error = self.task.exception(timeout=wait)
            if error is not None and not isinstance(error, WebSocketDisconnect):
                raise error

    def send(self, message: Message) -> None:
        self.loop.loop.call_soon_threadsafe(self.to_app.put_nowait, message)

    def receive(self) -> Message:
        """The app's next message; an exception the app raised is raised here."""
        message = self.from_app.get()
        if message is None:  # the app has ended
            self.from_app.put(None)  # and a later call is told so too
            self.task.result()  # raises what the app raised
            raise RuntimeError("the app returned without sending more")
        return message

    def raise_on_close(self, message: Message) -> None:
        if message["type"] == "websocket.close":
            code = message.get("code", 1000)
            if code == 1011 and self.client.raise_server_exceptions:
                self.raise_app_error()  # 1011: the app broke; show the test why
            raise WebSocketDisconnect(code, message.get("reason"))
        if message["type"] == "websocket.http.response.start":
            body, more = [], True
            while more:
                part = self.receive()
                body.append(part.get("body", b""))
                more = part.get("more_body", False)
            headers = message.get("headers")
            content = b"".join(body)
            raise WebSocketDenialResponse(
                message["status"], headers=headers, content=content
            )

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: str = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send_text(text)
        else:
            self.send_bytes(text.encode())

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason})

    def receive_text(self) -> str:
        message = self.receive()
        self.raise_on_close(message)
        return str(message["text"])

    def receive_bytes(self) -> bytes:
        message = self.receive()
        self.raise_on_close(message)
        return bytes(message["bytes"])

    def receive_json(self, mode: str = "text") -> Any:
        message = self.receive()
        self.raise_on_close(message)
        return json.loads(message["text"] if mode == "text" else message["bytes"])


class TestClient(httpx.Client):
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        follow_redirects: bool = True,
        headers: dict[str, str] | None = None,
        **options: Any,
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.loop: EventLoopThread | None = None
        self.lifespan_state: dict[str, Any] = {}
        self.asgi = ASGITransport(self)
        super().__init__(
            base_url=base_url,
            transport=self.asgi,
            follow_redirects=follow_redirects,  # as Starlette's TestClient does
            headers={"user-agent": "testclient", **(headers or {})},
            **options,
        )

    def websocket_connect(
        self,
        url: str,
        subprotocols: list[str] | None = None,
        headers: dict[str, str] | None = None,
        **options: Any,
    ) -> WebSocketTestSession:
        """A WebSocket to `url`, opened by `with` (the handshake) and closed
        when the block ends; the client's cookies and headers go along, and
        other options (`params`, `cookies`) are httpx's."""
        upgrade = {
            "connection": "upgrade",
            "upgrade": "websocket",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
            "sec-websocket-version": "13",
        }
        if subprotocols:
            upgrade["sec-websocket-protocol"] = ", ".join(subprotocols)
        headers = {**upgrade, **(headers or {})}
        request = self.build_request("GET", url, headers=headers, **options)
        scope = self.asgi.scope(request)
        del scope["method"]
        scope["type"] = "websocket"
        scope["scheme"] = {"https": "wss"}.get(request.url.scheme, "ws")
        scope["subprotocols"] = subprotocols or []
        scope["extensions"] = {"websocket.http.response": {}}
        return WebSocketTestSession(self, scope)

    def __enter__(self) -> TestClient:
        loop = self.loop = EventLoopThread()
        self.lifespan = LifespanManager(self.app, self.lifespan_state)
        try:
            loop.run(self.lifespan.start())
        except BaseException:  # startup failed: leave nothing running
            loop.close()
            self.loop = None
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        assert self.loop is not None, "a TestClient leaves only once it is entered"
        try:
            self.loop.run(self.lifespan.stop())
        finally:
            self.loop.close()
            self.loop = None
            super().__exit__(*exc_info)


class LifespanManager:
    """Plays the server's side of the lifespan protocol, for the TestClient."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app, self.state = app, state
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self.task = asyncio.ensure_future(
            self.app(scope, self.to_app.get, self.from_app.put)
        )
        await self.exchange("startup")

    async def stop(self) -> None:
        await self.exchange("shutdown")
        await self.task

    async def exchange(self, event: str) -> None:
        await self.to_app.put({"type": f"lifespan.{event}"})
        answer = asyncio.ensure_future(self.from_app.get())
        await asyncio.wait({answer, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():  # the app stopped without answering
            answer.cancel()
            self.task.result()  # raises what the app raised
            raise RuntimeError(f"the app ended the lifespan without {event} complete")
        message = answer.result()
        if message["type"] == f"lifespan.{event}.failed":
            await asyncio.gather(self.task, return_exceptions=True)
            raise RuntimeError(message.get("message", f"{event} failed"))
