"""Hand-made ASGI: build a scope, feed `receive`, record what `send` gets.

Tests at this level see the exact messages and their order, which httpx hides.
"""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]


def http_scope(
    method: str = "GET",
    path: str = "/",
    query_string: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [(b"host", b"testserver")] if headers is None else headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    scope.update(extra)
    return scope


async def call_http(app, scope: dict, chunks: list[bytes] = (b"",)) -> list[Message]:
    """Send the body in `chunks` (one `http.request` each), then disconnect."""
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def call_lifespan(app, *events: str, state: dict | None = None) -> list[Message]:
    """Drive the lifespan protocol with `events` ('startup', 'shutdown')."""
    incoming = [{"type": f"lifespan.{event}"} for event in events]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    state = {} if state is None else state
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    await app(scope, receive, send)
    return sent


def response_parts(messages: list[Message]) -> tuple[int, dict[bytes, bytes], bytes]:
    """Check the message order, then return (status, headers, whole body)."""
    assert messages, "the app sent nothing"
    assert messages[0]["type"] == "http.response.start", messages[0]
    bodies = messages[1:]
    assert bodies, "http.response.start was not followed by a body"
    assert all(m["type"] == "http.response.body" for m in bodies), bodies
    assert all(m.get("more_body", False) for m in bodies[:-1]), "body ended early"
    assert not bodies[-1].get("more_body", False), "the last body says more_body"
    headers = {k.lower(): v for k, v in messages[0].get("headers", [])}
    return messages[0]["status"], headers, b"".join(m.get("body", b"") for m in bodies)
