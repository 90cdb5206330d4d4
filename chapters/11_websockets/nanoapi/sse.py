"""Server-sent events: a response that stays open and sends events as they come.

The format is text, one field per line, an empty line after each event:

    event: item_update
    data: {"name":"Plumbus","price":32.99}
    id: 1

A browser's `EventSource` reads it and reconnects by itself, sending the last
`id` it saw as the `Last-Event-ID` header. A path operation that `yield`s with
`response_class=EventSourceResponse` streams this way (routing.py): each value
it yields is sent as JSON in `data:`, or, as a ServerSentEvent, with the
fields it sets. When nothing is sent for 15 s, a comment line keeps proxies
from closing the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from .responses import StreamingResponse

KEEPALIVE_COMMENT = b": ping\n\n"
_PING_INTERVAL = 15.0  # seconds without an event before a comment is sent

# What each event looks like, for the OpenAPI document (`itemSchema`).
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}


class EventSourceResponse(StreamingResponse):
    """A `text/event-stream` response; as a path operation's `response_class`,
    it says "encode what the generator yields as events"."""

    media_type = "text/event-stream"


class ServerSentEvent(BaseModel):
    """One event, when the fields matter: `data` goes as JSON, `raw_data` as
    it is (not both); `event` names it, `id` lets a client resume, `retry`
    says how many ms to wait before reconnecting, `comment` is ignored by
    clients (a keep-alive)."""

    data: Any = None
    raw_data: str | None = None
    event: str | None = None
    id: str | None = None
    retry: int | None = Field(default=None, ge=0)
    comment: str | None = None

    @field_validator("event", "id")
    @classmethod
    def one_line(cls, value: str | None) -> str | None:
        if value is not None and ("\n" in value or "\r" in value):
            raise ValueError("an SSE 'event' or 'id' must be a single line")
        if value is not None and "\0" in value:
            raise ValueError("an SSE field must not contain a null character")
        return value

    @model_validator(mode="after")
    def data_or_raw_data(self) -> ServerSentEvent:
        if self.data is not None and self.raw_data is not None:
            raise ValueError("set 'data' (sent as JSON) or 'raw_data', not both")
        return self


def lines_of(text: str) -> list[str]:
    """Split on any line ending the format knows (\\n, \\r\\n, \\r)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def format_sse_event(
    *,
    data_str: str | None = None,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """One event in the wire format: each line ends with a newline, and an
    empty line ends the event (an event with no field is that line alone)."""
    lines = [f": {line}" for line in lines_of(comment)] if comment is not None else []
    if event is not None:
        lines.append(f"event: {event}")
    if data_str is not None:
        lines += [f"data: {line}" for line in lines_of(data_str)]
    if id is not None:
        lines.append(f"id: {id}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    return "".join(line + "\n" for line in [*lines, ""]).encode()


async def with_keepalive(
    events: AsyncGenerator[bytes, None],
) -> AsyncGenerator[bytes, None]:
    """`events`, with a keep-alive comment after each `_PING_INTERVAL` seconds
    of silence. The next event is awaited in a task of its own, which the timer
    never cancels: a slow generator is waited for, not interrupted."""
    pending = asyncio.ensure_future(anext(events))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=_PING_INTERVAL)
            if not done:
                yield KEEPALIVE_COMMENT
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            yield event
            pending = asyncio.ensure_future(anext(events))
    finally:
        pending.cancel()
        await asyncio.wait({pending})
        await events.aclose()
