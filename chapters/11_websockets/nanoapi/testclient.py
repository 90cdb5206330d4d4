"""TestClient: call the app from ordinary synchronous test code.

    with TestClient(app) as client:          # runs the lifespan startup
        assert client.get("/items").status_code == 200
                                             # ... and the shutdown on exit

It is an `httpx.Client` whose transport hands each request to the app as
ASGI messages, on an event loop that runs in a helper thread, so tests need
no `async def` and no server. As in FastAPI, an exception the app raises is
raised in the test, unless `raise_server_exceptions=False`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any
from urllib.parse import unquote

import httpx

from .types import ASGIApp, Message

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
        super().__init__(
            base_url=base_url,
            transport=ASGITransport(self),
            follow_redirects=follow_redirects,  # as Starlette's TestClient does
            headers={"user-agent": "testclient", **(headers or {})},
            **options,
        )

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
