"""A framework app for the disconnect, cleanup and backpressure tests.

Written once for both frameworks: it imports `nanoapi` (the package of the
folder the server runs in), or `fastapi` when STREAMS_FRAMEWORK=fastapi, so
the real FastAPI on uvicorn can show what is expected. Each route notes what
happened on its side (a generator's items, its `finally`, a yield
dependency's cleanup) under the `tag` of the query string; `GET /notes?tag=T`
lists those lines, so a test looks from outside, through the same server.
"""

import asyncio
import importlib
import os
import time
from collections.abc import AsyncIterable, Iterable
from typing import Annotated

framework = importlib.import_module(os.environ.get("STREAMS_FRAMEWORK", "nanoapi"))
sse = importlib.import_module(framework.__name__ + ".sse")
responses = importlib.import_module(framework.__name__ + ".responses")
Depends, Query, WebSocket = framework.Depends, framework.Query, framework.WebSocket
EventSourceResponse, ServerSentEvent = sse.EventSourceResponse, sse.ServerSentEvent
StreamingResponse = responses.StreamingResponse

NOTES: list[str] = []
CHUNK = "x" * 65536  # what the backpressure routes send, item after item

app = framework.FastAPI()


def note(tag: str, line: str) -> None:
    NOTES.append(f"{tag} {line}")


def tagged(tag: Annotated[str, Query()] = "-") -> str:
    return tag


Tag = Annotated[str, Depends(tagged)]


async def resource(tag: Tag):
    """A yield dependency: its cleanup must run once the client has gone."""
    note(tag, "resource opened")
    try:
        yield tag
    finally:
        note(tag, "resource closed")


Resource = Annotated[str, Depends(resource)]


@app.get("/notes")
def notes(tag: str | None = None) -> list[str]:
    return [line.split(" ", 1)[1] for line in NOTES if tag in (None, line.split()[0])]


@app.get("/")
def root() -> str:
    return "still serving"


@app.get("/events", response_class=EventSourceResponse)
async def events(tag: Resource) -> AsyncIterable[ServerSentEvent]:
    """Endless: an event every 10 ms until the client leaves."""
    number = 0
    try:
        while True:
            number += 1
            yield ServerSentEvent(data={"number": number}, id=str(number))
            await asyncio.sleep(0.01)
    finally:
        note(tag, "events finally")


@app.get("/slow", response_class=StreamingResponse)
def slow(tag: Resource) -> Iterable[str]:
    """A plain generator (it runs in worker threads), slow and endless."""
    try:
        while True:
            yield "tick\n"
            time.sleep(0.02)
    finally:
        note(tag, "slow finally")


@app.get("/lines")
async def lines(tag: Resource) -> AsyncIterable[dict[str, int]]:
    """JSON lines, endless and slow."""
    number = 0
    try:
        while True:
            number += 1
            yield {"number": number}
            await asyncio.sleep(0.01)
    finally:
        note(tag, "lines finally")


@app.get("/returned")
def returned(tag: str, items: int = 10**9) -> StreamingResponse:
    """A StreamingResponse returned by the endpoint, over an async generator
    that produces as fast as it is allowed to."""

    async def produce():
        try:
            for number in range(1, items + 1):
                note(tag, f"produced {number}")
                yield CHUNK
        finally:
            note(tag, "flood finally")

    return StreamingResponse(produce(), media_type="text/plain")


@app.get("/flood/{kind}")
async def flood(kind: str, tag: str, items: int = 10**9):
    """As fast as allowed, as JSON lines, as events or raw (sync or async)."""

    def produce_sync():
        try:
            for number in range(1, items + 1):
                note(tag, f"produced {number}")
                yield CHUNK
        finally:
            note(tag, "flood finally")

    async def produce_async():
        for chunk in produce_sync():
            yield chunk

    if kind == "sync":
        return StreamingResponse(produce_sync(), media_type="text/plain")
    if kind == "async":
        return StreamingResponse(produce_async(), media_type="text/plain")
    raise framework.HTTPException(404)


@app.get("/flood-lines")
async def flood_lines(tag: str, items: int = 10**9) -> AsyncIterable[str]:
    try:
        for number in range(1, items + 1):
            note(tag, f"produced {number}")
            yield CHUNK
    finally:
        note(tag, "flood finally")


@app.get("/flood-events", response_class=EventSourceResponse)
def flood_events(tag: str, items: int = 10**9) -> Iterable[str]:
    try:
        for number in range(1, items + 1):
            note(tag, f"produced {number}")
            yield CHUNK
    finally:
        note(tag, "flood finally")


@app.websocket("/ws/raise-before")
async def raise_before(websocket: WebSocket, tag: Resource):
    raise RuntimeError("broken before accept")


@app.websocket("/ws/raise-after")
async def raise_after(websocket: WebSocket, tag: Resource):
    await websocket.accept()
    await websocket.send_text("accepted")
    await websocket.receive_text()
    raise RuntimeError("broken after accept")
