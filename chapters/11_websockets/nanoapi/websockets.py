"""The WebSocket: a friendly view of one `websocket` scope and its two channels.

ASGI's second protocol. The server says `websocket.connect`; the app answers
`websocket.accept` (or closes, which the server turns into a 403); then both
sides send messages, text or bytes, until one of them closes. The WebSocket
keeps track of where the conversation is on each side, so that a message
sent at the wrong moment is a clear error, and a client that left raises
WebSocketDisconnect in the endpoint.
"""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

from .requests import HTTPConnection
from .types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .responses import Response


class WebSocketState(enum.Enum):
    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2
    RESPONSE = 3  # the app answered the handshake with an HTTP response


# What may come next, by state: from the client (its state), from us (ours).
RECEIVES = {
    WebSocketState.CONNECTING: frozenset({"websocket.connect"}),
    WebSocketState.CONNECTED: frozenset({"websocket.receive", "websocket.disconnect"}),
}
SENDS = {
    WebSocketState.CONNECTING: frozenset(
        {"websocket.accept", "websocket.close", "websocket.http.response.start"}
    ),
    WebSocketState.CONNECTED: frozenset({"websocket.send", "websocket.close"}),
    WebSocketState.RESPONSE: frozenset({"websocket.http.response.body"}),
}


class WebSocketDisconnect(Exception):
    """The connection closed: `code` and `reason` say how (1000 is normal)."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code, self.reason = code, reason or ""
        super().__init__(code, self.reason)


class WebSocket(HTTPConnection):
    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "websocket"
        super().__init__(scope)
        self._receive, self._send = receive, send
        self.client_state = WebSocketState.CONNECTING  # what the client did
        self.application_state = WebSocketState.CONNECTING  # what we did

    async def receive(self) -> Message:
        """The next ASGI message from the client, checked against the state."""
        expected = RECEIVES.get(self.client_state)
        if expected is None:  # DISCONNECTED
            raise RuntimeError("cannot receive: the client has disconnected")
        message = await self._receive()
        if message["type"] not in expected:
            raise RuntimeError(f"expected one of {sorted(expected)}, got {message}")
        if message["type"] == "websocket.connect":
            self.client_state = WebSocketState.CONNECTED
        elif message["type"] == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
        return message

    async def send(self, message: Message) -> None:
        """Send an ASGI message to the client, checked against the state."""
        kind, allowed = message["type"], SENDS.get(self.application_state)
        if allowed is None:  # DISCONNECTED
            raise RuntimeError("cannot send: the connection is closed")
        if kind not in allowed:
            raise RuntimeError(f"expected one of {sorted(allowed)}, got {kind!r}")
        if kind == "websocket.accept":
            self.application_state = WebSocketState.CONNECTED
        elif kind == "websocket.close":
            self.application_state = WebSocketState.DISCONNECTED
        elif kind == "websocket.http.response.start":
            self.application_state = WebSocketState.RESPONSE
        elif kind == "websocket.http.response.body" and not message.get("more_body"):
            self.application_state = WebSocketState.DISCONNECTED
        try:
            await self._send(message)
        except OSError:  # the server says the client is gone (ASGI 2.4)
            self.application_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(code=1006) from None

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Say yes to the handshake (reading the client's `connect` first)."""
        if self.client_state is WebSocketState.CONNECTING:
            await self.receive()
        message: Message = {"type": "websocket.accept", "subprotocol": subprotocol}
        message["headers"] = list(headers or [])
        await self.send(message)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close: before `accept`, this refuses the handshake (the server says 403)."""
        message = {"type": "websocket.close", "code": code, "reason": reason or ""}
        await self.send(message)

    async def send_denial_response(self, response: Response) -> None:
        """Refuse the handshake with a whole HTTP response (where the server can)."""
        if "websocket.http.response" not in self.scope.get("extensions", {}):
            raise RuntimeError("the server cannot send a response to a handshake")
        await response(self.scope, self.receive, self.send)

    async def receive_message(self) -> Message:
        """The next `websocket.receive`; WebSocketDisconnect if the client left."""
        if self.application_state is not WebSocketState.CONNECTED:
            raise RuntimeError('the WebSocket is not connected: call "accept" first')
        message = await self.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        return message

    async def receive_text(self) -> str:
        return cast(str, (await self.receive_message())["text"])

    async def receive_bytes(self) -> bytes:
        return cast(bytes, (await self.receive_message())["bytes"])

    async def receive_json(self, mode: str = "text") -> Any:
        """A JSON message, sent as a text frame (mode="text") or a binary one."""
        message = await self.receive_message()
        if mode == "text":
            return json.loads(message["text"])
        return json.loads(message["bytes"].decode())

    async def iter_text(self) -> AsyncIterator[str]:
        """Each text message, until the client disconnects."""
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            pass

    async def iter_json(self) -> AsyncIterator[Any]:
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            pass

    async def send_text(self, data: str) -> None:
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: str = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            await self.send_text(text)
        else:
            await self.send_bytes(text.encode())


class WebSocketClose:
    """An ASGI app that closes the WebSocket: what a router answers when no
    route matches a `websocket` scope (before accept, so the server says 403),
    and what ServerErrorMiddleware sends when the endpoint fails."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code, self.reason = code, reason or ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = {"type": "websocket.close", "code": self.code, "reason": self.reason}
        await send(message)
