"""Chapter 11: path operations that `yield`, on FastAPI and on ours.

A generator path operation streams: as JSON lines by default, as server-sent
events with `response_class=EventSourceResponse`, as its own pieces with
another response class. The same app is built on both frameworks and asked
the same requests over httpx's ASGITransport (which reads each stream to its
end); statuses, headers and bodies must be equal. So must the OpenAPI
documents, where a WebSocket route does not appear. The disconnect and
backpressure behaviour, which needs a real server, is in test_stream_cleanup.py.
"""

import asyncio
import math
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Annotated, Any

import fastapi.routing
import fastapi.testclient
import pydantic
import pytest
from oracle import ask, compare, fastapi_namespace, package_namespace
from pydantic import BaseModel, Field

pytestmark = pytest.mark.anyio


class Item(BaseModel):
    name: str
    price: float = Field(default=1.0, ge=0)
    note: str | None = None


def view(answer) -> dict[str, Any]:
    """Status, every header (as a sorted list: duplicates count) and the body."""
    headers = sorted((k, v) for k, v in answer.headers.multi_items())
    return {"status": answer.status, "headers": headers, "body": answer.body}


def streams(api):
    app = api.App()
    EventSource, ServerSentEvent = api.sse.EventSourceResponse, api.sse.ServerSentEvent

    @app.get("/jsonl/bare")
    async def bare():
        yield {"a": 1}
        yield Item(name="model")
        yield [1, "two", None]
        yield "text"
        yield {"nan": math.nan, "inf": [math.inf, -math.inf], "ok": 1.5}

    @app.get("/jsonl/async")
    async def jsonl_async(n: int = 3) -> AsyncIterable[Item]:
        for i in range(n):
            yield {"name": f"item {i}", "price": i}

    @app.get("/jsonl/sync")
    def jsonl_sync() -> Iterable[Item]:
        yield Item(name="a", note="first")
        yield {"name": "b"}

    @app.get("/jsonl/iterator")
    def jsonl_iterator() -> Iterator[dict[str, int]]:
        yield {"x": 1}
        yield {"y": 2}

    @app.get("/jsonl/filtered", response_model_exclude_none=True)
    async def jsonl_filtered() -> AsyncIterator[Item]:
        yield Item(name="no note")
        yield Item(name="noted", note="n")

    @app.get("/jsonl/empty")
    async def jsonl_empty() -> AsyncIterable[int]:
        return
        yield 1

    @app.get("/jsonl/invalid")
    async def jsonl_invalid() -> AsyncIterable[Item]:
        yield {"name": "fine"}
        yield {"price": -1}

    @app.get("/sse/plain", response_class=EventSource)
    async def sse_plain():
        yield {"a": 1}
        yield "text"
        yield Item(name="model")

    @app.get("/sse/typed", response_class=EventSource)
    def sse_typed() -> Iterable[Item]:
        yield {"name": "validated", "price": "2.5"}

    @app.post("/sse/events", response_class=EventSource)
    async def sse_events() -> AsyncIterable[ServerSentEvent]:
        yield ServerSentEvent(data={"a": 1}, event="update", id="1", retry=5000)
        yield ServerSentEvent(data=Item(name="m"), id="2")
        yield ServerSentEvent(data="a string, quoted as JSON")
        yield ServerSentEvent(raw_data="line one\nline two\r\nline three\rfour")
        yield ServerSentEvent(raw_data="")
        yield ServerSentEvent(comment="just a comment\nover two lines")
        yield ServerSentEvent(event="empty")
        yield ServerSentEvent(data=[math.nan, 1])
        yield ServerSentEvent(data=None, raw_data=None, id="")
        yield ServerSentEvent()  # no field at all: a lone empty line
        yield ServerSentEvent(data="last")

    @app.get("/sse/mixed", response_class=EventSource)
    async def sse_mixed() -> AsyncIterable[Item]:
        yield {"name": "item"}
        yield ServerSentEvent(data={"not": "an item"}, event="other")

    @app.get("/sse/invalid", response_class=EventSource)
    async def sse_invalid() -> AsyncIterable[Item]:
        yield {"name": 1}

    class TextStream(api.StreamingResponse):
        media_type = "text/plain"

    @app.get("/raw/async", response_class=api.StreamingResponse)
    async def raw_async():
        yield b"bytes "
        yield b"then more"

    # A generator's body runs as the response is sent, after the status line:
    # a sub-response is changed by a dependency, which runs before.
    def stamp(response: api.Response, status: int | None = None):
        response.headers["x-extra"] = "from the sub-response"
        response.set_cookie("seen", "yes")
        if status:
            response.status_code = status

    stamped = [api.Depends(stamp)]

    @app.get("/raw/subclass", response_class=TextStream, status_code=201)
    def raw_subclass(response: api.Response):
        response.headers["x-too-late"] = "the status line has gone"
        yield "text "
        yield "ü"

    @app.get("/raw/stamped", response_class=TextStream, dependencies=stamped)
    async def raw_stamped():
        yield "accepted"

    @app.get("/jsonl/stamped", status_code=201, dependencies=stamped)
    async def jsonl_stamped() -> AsyncIterable[int]:
        yield 1
        yield 2

    @app.get("/sse/stamped", response_class=EventSource, dependencies=stamped)
    async def sse_stamped():
        yield 1

    @app.get("/returned/{kind}")
    def returned(kind: str):
        def sync_text():
            yield "a,"
            yield "ü,"

        async def async_bytes():
            yield b"x"
            yield b"y"

        if kind == "sync":
            return api.StreamingResponse(sync_text(), media_type="text/csv")
        return api.StreamingResponse(
            async_bytes(), media_type="application/octet-stream", status_code=203
        )

    @app.websocket("/ws")
    async def websocket(websocket: api.WebSocket):
        await websocket.accept()

    return app


STREAMS = [
    "/jsonl/bare",
    "/jsonl/async",
    "/jsonl/async?n=0",
    "/jsonl/async?n=x",  # validated before the stream: an ordinary 422
    "/jsonl/sync",
    "/jsonl/iterator",
    "/jsonl/filtered",
    "/jsonl/empty",
    "/sse/plain",
    "/sse/typed",
    "/sse/mixed",
    "/raw/async",
    "/raw/subclass",
    "/raw/stamped",
    "/raw/stamped?status=202",
    "/jsonl/stamped",
    "/jsonl/stamped?status=206",
    "/sse/stamped",
    "/sse/stamped?status=203",
    "/returned/sync",
    "/returned/async",
    "/ws",  # an HTTP request to a WebSocket route
]


@pytest.mark.parametrize("url", STREAMS)
async def test_streams_answer_as_on_fastapi(chapter, pkg, url):
    [(theirs, ours)] = await compare(streams, pkg, [{"method": "GET", "url": url}])
    assert view(ours) == view(theirs)


async def test_sse_event_fields_on_the_wire(chapter, pkg):
    request = {"method": "POST", "url": "/sse/events"}  # any method may stream
    [(theirs, ours)] = await compare(streams, pkg, [request])
    assert view(ours) == view(theirs)
    events = ours.body.decode().split("\n\n")
    assert events[0] == 'event: update\ndata: {"a": 1}\nid: 1\nretry: 5000'
    assert events[3] == "data: line one\ndata: line two\ndata: line three\ndata: four"
    assert events[5] == ": just a comment\n: over two lines"


async def test_the_expected_bodies(chapter, pkg):
    """A few bodies spelled out, so that agreeing is not all that is checked."""
    app = streams(package_namespace(pkg))
    urls = ["/jsonl/bare", "/jsonl/filtered", "/sse/plain", "/raw/subclass"]
    urls.append("/sse/stamped?status=203")
    answers = await ask(app, [{"method": "GET", "url": url} for url in urls])
    bare, filtered, plain, subclass, stamped = answers
    assert (
        bare.body.splitlines()[-1] == b'{"nan": null, "inf": [null, null], "ok": 1.5}'
    )
    assert bare.headers["content-type"] == "application/jsonl"
    assert filtered.body == b'{"name":"no note","price":1.0}\n' + (
        b'{"name":"noted","price":1.0,"note":"n"}\n'
    )
    assert plain.body.startswith(b'data: {"a": 1}\n\ndata: "text"\n\n')
    assert plain.headers["cache-control"] == "no-cache"
    assert plain.headers["x-accel-buffering"] == "no"
    assert (subclass.status, subclass.body) == (201, "text ü".encode())
    assert "x-too-late" not in subclass.headers
    assert stamped.status == 203
    assert stamped.headers["x-extra"] == "from the sub-response"
    assert stamped.headers["set-cookie"] == "seen=yes; Path=/; SameSite=lax"


@pytest.mark.parametrize("url", ["/jsonl/invalid", "/sse/invalid"])
def test_an_item_that_fails_validation_raises(chapter, pkg, url):
    """The status line has gone out: the error can only end the stream. Each
    TestClient raises it, as it does for any exception in the app. (FastAPI
    runs an event stream in a task group: its error arrives wrapped in an
    ExceptionGroup of one. Ours has no task group to wrap it.)"""
    raised = []
    for api, client_class in (
        (fastapi_namespace(), fastapi.testclient.TestClient),
        (package_namespace(pkg), pkg.testclient.TestClient),
    ):
        client = client_class(streams(api))
        with pytest.raises(Exception) as error:
            client.get(url)
        exc = error.value
        if api.side == "fastapi" and url.startswith("/sse"):
            [exc] = exc.exceptions
        raised.append((type(exc).__name__, exc.errors()))
    theirs, ours = raised
    assert ours[0] == theirs[0] == "ResponseValidationError"
    assert [e["loc"] for e in ours[1]] == [e["loc"] for e in theirs[1]]
    assert [e["type"] for e in ours[1]] == [e["type"] for e in theirs[1]]


def pings_collapsed(body: bytes) -> bytes:
    """Each run of keep-alive comments as one: how many fit in a pause varies."""
    return re.sub(rb"(: ping\n\n)+", b": ping\n\n", body)


async def test_an_idle_stream_sends_keepalive_comments(chapter, pkg, monkeypatch):
    monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", 0.05)
    monkeypatch.setattr(pkg.sse, "_PING_INTERVAL", 0.05)

    def build(api):
        app = api.App()

        @app.get("/slow", response_class=api.sse.EventSourceResponse)
        async def slow():
            yield "first"
            await asyncio.sleep(0.3)  # about six pings' worth of silence
            yield "second"

        @app.get("/slow-sync", response_class=api.sse.EventSourceResponse)
        def slow_sync():
            time.sleep(0.3)  # in a worker thread: the pings go on meanwhile
            yield "late"

        return app

    requests = [{"method": "GET", "url": url} for url in ("/slow", "/slow-sync")]
    for theirs, ours in await compare(build, pkg, requests):
        assert pings_collapsed(ours.body) == pings_collapsed(theirs.body)
        assert ours.body.count(b": ping\n\n") >= 2
    assert pings_collapsed(ours.body) == b': ping\n\ndata: "late"\n\n'


# ServerSentEvent and format_sse_event, side by side.

EVENTS = [
    {"data": {"a": [1, 2]}, "event": "e", "id": "7", "retry": 10},
    {"raw_data": "x\ny", "comment": "c"},
    {"event": "two\nlines"},
    {"event": "cr\rinside"},
    {"id": "new\nline"},
    {"id": "nul\0"},
    {"retry": -1},
    {"retry": "soon"},
    {"data": 1, "raw_data": "1"},
    {"comment": "a\r\nb"},
]


@pytest.mark.parametrize("fields", EVENTS)
def test_server_sent_event_validation(chapter, pkg, fields):
    def made(module) -> Any:
        try:
            return module.ServerSentEvent(**fields).model_dump()
        except pydantic.ValidationError as error:
            return [(e["type"], e["loc"]) for e in error.errors()]

    assert made(pkg.sse) == made(fastapi.sse)


FORMATTED = [
    {},
    {"data_str": "one"},
    {"data_str": ""},
    {"data_str": "a\nb\r\nc\rd\n"},
    {"comment": "keep\nalive", "event": "e", "data_str": "{}", "id": "1", "retry": 0},
    {"comment": ""},
    {"id": ""},
]


@pytest.mark.parametrize("fields", FORMATTED)
def test_format_sse_event(chapter, pkg, fields):
    assert pkg.sse.format_sse_event(**fields) == fastapi.sse.format_sse_event(**fields)


# The OpenAPI document.


def test_the_document_equals_fastapis(chapter, pkg):
    theirs = streams(fastapi_namespace()).openapi()
    ours = streams(package_namespace(pkg)).openapi()
    assert ours == theirs
    assert "/ws" not in ours["paths"]  # WebSocket routes are not documented
    content = ours["paths"]["/jsonl/async"]["get"]["responses"]["200"]["content"]
    assert content["application/jsonl"]["itemSchema"] == {
        "$ref": "#/components/schemas/Item"
    }


def test_a_websocket_only_app_documents_no_paths(chapter, pkg):
    def build(api):
        app = api.App()
        router = api.APIRouter(prefix="/r")

        @router.websocket("/ws")
        async def ws(websocket: api.WebSocket, q: Annotated[int, api.Query()]):
            await websocket.accept()

        app.include_router(router)
        return app

    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs
    assert ours["paths"] == {}


# A stream cut short: its cleanup is finished before the response returns,
# so a yield dependency's cleanup (which follows the response) comes after it.
# Our StreamingResponse only: Starlette leaves these generators to the garbage
# collector (test_stream_cleanup.py shows it on a real server).


def http_scope() -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}}


async def test_a_cleanup_cut_short_is_finished(chapter, pkg):
    """The client's departure is seen twice at once: `send()` raises (ASGI
    2.4), and `receive()` says `http.disconnect`. The generator's own cleanup,
    which takes a moment, must not be cancelled halfway by the second."""
    notes, sent, gone = [], [], asyncio.Event()

    async def produce():
        try:
            while True:
                yield b"piece"
        finally:
            await asyncio.sleep(0.05)  # closing a cursor, say
            notes.append("cleaned up")

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if len(sent) > 2:  # the status line and a piece have gone out
            gone.set()
            raise OSError("the client has gone")

    await pkg.StreamingResponse(produce())(http_scope(), receive, send)
    assert len(sent) == 3
    assert notes == ["cleaned up"]


async def test_an_idle_stream_stops_when_its_client_leaves(chapter, pkg):
    """A generator that waits (for the next note, say) sends nothing, so no
    `send()` fails: the response must hear `http.disconnect` itself, and close
    the generator then, not at its next piece, which may never come."""
    notes, sent = [], []

    async def produce():
        try:
            yield b"first"
            await asyncio.sleep(30)  # nothing new for a long while
            yield b"late"
        finally:
            notes.append("cleaned up")

    async def receive():
        await asyncio.sleep(0.1)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    started = time.monotonic()
    response = pkg.StreamingResponse(produce())
    await asyncio.wait_for(response(http_scope(), receive, send), 5)
    assert time.monotonic() - started < 1
    assert notes == ["cleaned up"]
    assert [message.get("body") for message in sent[1:]] == [b"first"]


async def test_a_plain_generator_is_closed_once_its_step_is_over(chapter, pkg):
    """A plain generator runs each step in a worker thread, which cannot be
    interrupted, and it cannot be closed while a step runs: the response waits
    for the step, then closes it, so its `finally` has run when it returns."""
    notes = []

    def produce():
        try:
            while True:
                time.sleep(0.05)  # most of the time is spent in here
                yield "piece"
        finally:
            notes.append("cleaned up")

    async def receive():
        await asyncio.sleep(0.12)
        return {"type": "http.disconnect"}

    async def send(message):
        pass

    await pkg.StreamingResponse(produce())(http_scope(), receive, send)
    assert notes == ["cleaned up"]
