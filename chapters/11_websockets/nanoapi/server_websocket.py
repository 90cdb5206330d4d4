"""The server's WebSocket side: one upgraded connection, served to any ASGI app.

`HTTPConnection` (server.py) hands over a request that asks for a WebSocket.
`wsproto` checks the handshake and turns the client's bytes into events (a
message, a ping, a close) and ours into frames. The app gets a `websocket`
scope and `websocket.connect`, each whole message as `websocket.receive`, and
`websocket.disconnect` with the close code; its `websocket.accept`,
`websocket.send` and `websocket.close` go out as a 101, frames and a close
frame (a `websocket.close` before accept as a 403).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import h11
import wsproto
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    RejectData,
    TextMessage,
)
from wsproto.extensions import Extension, PerMessageDeflate
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from .server import (
    ClientDisconnected,
    HTTPConnection,
    access_logger,
    client_and_target,
    expect,
    logger,
    plain_text,
    server_headers,
)
from .types import ASGIApp, Message, Scope

CLOSE_TIMEOUT = 10.0  # how long we wait for the client to answer our close frame
ABNORMAL_CLOSURE = 1006  # RFC 6455: the connection ended without a close frame
MESSAGE_TOO_BIG = 1009
SERVICE_RESTART = 1012  # what uvicorn says to open WebSockets when it stops


def request_head(request: h11.Request) -> bytes:
    """The request head as bytes again, so that wsproto checks all of it."""
    return h11.Connection(h11.CLIENT).send(request) or b""


def websocket_scope(http_scope: Scope, handshake: wsproto.events.Request) -> Scope:
    """The ASGI `websocket` scope: the `http` one without a method, plus the
    subprotocols the client offers and the extension for denial responses."""
    scope = {key: value for key, value in http_scope.items() if key != "method"}
    scope.update(
        type="websocket",
        scheme="ws",
        subprotocols=list(handshake.subprotocols),
        extensions={"websocket.http.response": {}},
    )
    return scope


def internal_error() -> list[Event]:
    """A 500, as wsproto events: for an app that failed before it answered."""
    headers, body = plain_text(500)
    return [RejectConnection(500, headers, has_body=True), RejectData(body)]


def log_outcome(scope: Scope, outcome: str) -> None:
    """`client - "WebSocket /path" [accepted]` (or the refusal's status)."""
    client, target = client_and_target(scope)
    access_logger.info('%s - "WebSocket %s" %s', client, target, outcome)


class WebSocketSession:
    """One WebSocket: the handshake, then the app's `receive` and `send`, with a
    reader task that turns the client's frames into messages for `receive`."""

    def __init__(
        self, connection: HTTPConnection, request: h11.Request, http_scope: Scope
    ) -> None:
        self.connection = connection
        self.writer = connection.writer
        self.request = request
        self.http_scope = http_scope  # the request's, built once by the connection
        self.max_size = connection.config.ws_max_size
        self.ws = wsproto.WSConnection(wsproto.ConnectionType.SERVER)
        self.scope: Scope = {}
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.may_read = asyncio.Event()  # the app has taken every message we gave
        self.reader: asyncio.Task[None] | None = None  # starts once accepted
        self.parts: list[Any] = []  # the message coming in: all str, or all bytes
        self.size = 0  # its bytes so far
        self.told = False  # the app has been sent its `websocket.disconnect`
        self.gone = False  # the client can no longer be written to

    async def serve(self, app: ASGIApp) -> None:
        """Check the handshake, then run the app for as long as it likes."""
        if not await self.check_handshake():
            return
        self.inbox.put_nowait({"type": "websocket.connect"})
        try:
            await self.run(app)
            if self.reader and self.ws.state is ConnectionState.LOCAL_CLOSING:
                # The app closed: give the client a moment to answer our close.
                await asyncio.wait({self.reader}, timeout=CLOSE_TIMEOUT)
        finally:  # (HTTPConnection.serve closes the writer)
            if self.reader:
                self.reader.cancel()

    async def check_handshake(self) -> bool:
        """Let wsproto check the upgrade request; answer a bad one with a 4xx."""
        try:
            self.ws.receive_data(request_head(self.request))
            handshake = next(self.ws.events())
        except RemoteProtocolError as exc:
            logger.warning("Invalid WebSocket upgrade request: %s", exc)
            reject = exc.event_hint or RejectConnection()
            self.writer.write(self.ws.send(reject))
            await self.connection.linger()
            return False
        assert isinstance(handshake, wsproto.events.Request)
        self.scope = websocket_scope(self.http_scope, handshake)
        return True

    async def run(self, app: ASGIApp) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            # Once the client has gone, an error is most likely its echo.
            log = logger.debug if self.gone else logger.error
            log("Exception in ASGI application", exc_info=True)
            await self.answer_500()
        else:
            if self.ws.state is ConnectionState.CONNECTING and not self.gone:
                logger.error("ASGI callable returned without completing handshake.")
                await self.answer_500()

    async def answer_500(self) -> None:
        """Stand in for an app that failed before it answered the handshake.
        After that it is too late for an answer: the connection just closes."""
        if self.ws.state is ConnectionState.CONNECTING and not self.gone:
            with suppress(ClientDisconnected):
                for event in internal_error():
                    await self.write(event)

    # The app's side: receive() and send()

    async def receive(self) -> Message:
        message = await self.inbox.get()
        if message["type"] == "websocket.disconnect":
            self.inbox.put_nowait(message)  # and every later receive() says so too
        elif self.inbox.empty():
            self.may_read.set()
        return message

    async def send(self, message: Message) -> None:
        if self.gone:
            raise ClientDisconnected("the client has gone")
        state = self.ws.state
        if state is ConnectionState.CONNECTING:
            await self.answer_handshake(message)
        elif state is ConnectionState.REJECTING:
            await self.send_denial_body(message)
        elif state is ConnectionState.OPEN:
            await self.send_message(message)
        else:
            raise RuntimeError(f"{message['type']!r} sent after 'websocket.close'")

    async def answer_handshake(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            await self.accept(message)
        elif kind == "websocket.close":  # the app says no: 403, as the spec asks
            log_outcome(self.scope, "403")
            await self.write(RejectConnection(403, server_headers([], closing=True)))
            self.hang_up()
        elif kind == "websocket.http.response.start":  # a denial of its own
            log_outcome(self.scope, str(message["status"]))
            headers = server_headers(list(message.get("headers", [])), closing=True)
            denial = RejectConnection(message["status"], headers, has_body=True)
            await self.write(denial)
        else:
            raise RuntimeError(
                "Expected ASGI message 'websocket.accept', 'websocket.close' or"
                f" 'websocket.http.response.start', got {kind!r}"
            )

    async def accept(self, message: Message) -> None:
        headers = server_headers(list(message.get("headers", [])), closing=False)
        subprotocol = message.get("subprotocol")
        # Compressed if the client offers it (browsers do), as uvicorn does.
        deflate: list[Extension] = [PerMessageDeflate()]
        await self.write(AcceptConnection(subprotocol, deflate, headers))
        log_outcome(self.scope, "[accepted]")
        self.may_read.set()
        self.reader = asyncio.create_task(self.read_frames())

    async def send_denial_body(self, message: Message) -> None:
        expect(message, "websocket.http.response.body")
        finished = not message.get("more_body", False)
        await self.write(RejectData(message.get("body", b""), finished))
        if finished:
            self.hang_up()

    async def send_message(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.send":
            data = message.get("bytes")
            data = message["text"] if data is None else data
            await self.write(wsproto.events.Message(data))
        elif kind == "websocket.close":
            code, reason = message.get("code", 1000), message.get("reason") or ""
            await self.write(CloseConnection(code, reason))
            self.tell_app(code, reason)
            self.may_read.set()  # to read the client's answer to our close
        else:
            raise RuntimeError(
                "Expected ASGI message 'websocket.send' or 'websocket.close',"
                f" got {kind!r}"
            )

    # The client's side: frames in

    async def read_frames(self) -> None:
        """Feed the client's bytes to wsproto, one message at a time: while the
        app has not taken the last one, nothing is read (backpressure)."""
        data = self.connection.h11.trailing_data[0]  # sent right after the head
        with suppress(ClientDisconnected):
            while await self.feed(data):
                await self.may_read.wait()
                if not (data := await self.connection.read()):
                    self.disconnect(ABNORMAL_CLOSURE)  # no close frame: TCP closed
                    break
        self.writer.close()

    async def feed(self, data: bytes) -> bool:
        """Handle what these bytes complete; False once the connection is over."""
        self.ws.receive_data(data)
        for event in self.ws.events():
            await self.handle(event)
        return not self.gone and self.ws.state is not ConnectionState.CLOSED

    async def handle(self, event: Event) -> None:
        if self.gone:
            return  # the rest of what was sent before we closed
        if isinstance(event, TextMessage | BytesMessage):
            await self.collect(event)
        elif isinstance(event, Ping) and self.ws.state is ConnectionState.OPEN:
            await self.write(event.response())
        elif isinstance(event, CloseConnection):
            await self.closed_by_client(event)

    async def collect(self, event: TextMessage | BytesMessage) -> None:
        """Add a piece to the message; hand it to the app once it is whole."""
        data = event.data
        self.parts.append(data)
        self.size += len(data.encode()) if isinstance(data, str) else len(data)
        if self.size > self.max_size:
            self.parts = []
            reason = f"Message over the maximum size ({self.max_size} bytes)"
            await self.write(CloseConnection(MESSAGE_TOO_BIG, reason))
            self.disconnect(MESSAGE_TOO_BIG, reason)
        elif event.message_finished:
            message: Message = {"type": "websocket.receive"}
            if isinstance(event, TextMessage):
                message["text"] = "".join(self.parts)
            else:
                message["bytes"] = b"".join(self.parts)
            self.parts, self.size = [], 0
            self.inbox.put_nowait(message)
            self.may_read.clear()  # until the app has taken it

    async def closed_by_client(self, event: CloseConnection) -> None:
        """The client's close frame: our answer to its close, or its answer to
        ours. (wsproto reports a frame it cannot parse as a close too.)"""
        if self.ws.state is not ConnectionState.CLOSED:  # they spoke first
            await self.write(event.response())
            self.disconnect(event.code, event.reason or "")

    def hang_up(self) -> None:
        """After a refusal: the app hears 1006 (no close frame), and we close."""
        self.disconnect(ABNORMAL_CLOSURE)
        self.writer.close()

    def disconnect(self, code: int, reason: str = "") -> None:
        """The client has gone (or we have closed on it): tell the app."""
        self.gone = True
        self.tell_app(code, reason)

    def tell_app(self, code: int, reason: str) -> None:
        """Once: the app's `receive()` says `websocket.disconnect` from now on."""
        if not self.told:
            self.told = True
            code = int(code)  # wsproto's CloseReason is an IntEnum: a plain int
            message = {"type": "websocket.disconnect", "code": code, "reason": reason}
            self.inbox.put_nowait(message)

    async def write(self, event: Event) -> None:
        """One wsproto event as bytes; waits while the client is slow to read."""
        data = self.ws.send(event)
        try:
            self.writer.write(data)
            await self.writer.drain()
        except ConnectionError as exc:
            self.disconnect(ABNORMAL_CLOSURE)
            raise ClientDisconnected("the client has gone") from exc

    def shutdown(self) -> None:
        """The server is stopping: close with 1012 (or 500, before accept)."""
        if self.told:  # the app knows it is over (as it does once the client is gone)
            self.writer.close()
            return
        with suppress(LocalProtocolError):
            if self.ws.state is ConnectionState.OPEN:
                self.writer.write(self.ws.send(CloseConnection(SERVICE_RESTART)))
                self.disconnect(SERVICE_RESTART)
            elif self.ws.state is ConnectionState.CONNECTING:
                for event in internal_error():
                    self.writer.write(self.ws.send(event))
                self.disconnect(ABNORMAL_CLOSURE)
        self.writer.close()
