"""Chapter 11: streams and WebSockets end cleanly on real servers.

The framework app `apps/streams.py` is served three ways: by our server and
by uvicorn, both on the chapter's package, and, to show what is expected, by
uvicorn on the real FastAPI. The app notes its side of each conversation (a
generator's items and its `finally`, a yield dependency's cleanup) and
`GET /notes?tag=` shows them, through the same server.

* A client that leaves an endless stream (events, JSON lines, a plain
  generator in worker threads) stops the generator: its `finally` runs, then
  the yield dependency's cleanup, and the server goes on serving.
* Backpressure: a client that does not read holds the generator back. It
  produces as fast as it is allowed, yet stops after what the socket buffers
  hold, and stays there.
* An exception in a WebSocket endpoint: before accept the client gets an HTTP
  answer, after accept a 1011 close; the server carries on.
"""

import time
import uuid
from contextlib import ExitStack

import httpx
import pytest
from wire import serve, settled, wait_until
from wswire import APPS, UVICORN_OPTIONS

websockets = pytest.importorskip("websockets", reason="the tests' WebSocket client")
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

pytestmark = pytest.mark.slow
KiB, MiB = 1024, 1024 * 1024
ITEM = 64 * KiB  # each flood item (apps/streams.py: CHUNK)
# (server, environment): the chapter's package on ours and on uvicorn, and the
# real FastAPI on uvicorn as the reference.
SERVERS = {
    "ours": ("nanoapi", {}),
    "uvicorn": ("uvicorn", {}),
    "fastapi": ("uvicorn", {"STREAMS_FRAMEWORK": "fastapi"}),
}


@pytest.fixture(scope="module")
def start():
    with ExitStack() as stack:
        running = {}

        def started(name: str, folder):
            if (name, folder) not in running:
                server, env = SERVERS[name]
                options = UVICORN_OPTIONS if server == "uvicorn" else ()
                process = serve(
                    "streams:app",
                    *options,
                    server=server,
                    app_dir=APPS,
                    cwd=folder,
                    env=env,
                )
                running[name, folder] = stack.enter_context(process)
                running[name, folder].name = name
            return running[name, folder]

        yield started


@pytest.fixture(params=list(SERVERS))
def server(request, chapter, start):
    return start(request.param, chapter.path)


@pytest.fixture(params=["ours", "uvicorn"])
def our_app(request, chapter, start):
    """Our framework only (see test_a_client_leaving_a_busy_stream_stops_it)."""
    return start(request.param, chapter.path)


def notes(server, tag: str) -> list[str]:
    return httpx.get(f"{server.url}/notes", params={"tag": tag}).json()


def fresh() -> str:
    return uuid.uuid4().hex[:8]


def ended(server, tag: str, last: str) -> list[str]:
    """The notes, once `last` is among them (or after 5 s)."""
    wait_until(lambda: last in notes(server, tag), timeout=5)
    return notes(server, tag)


def still_serving(server) -> bool:
    return httpx.get(server.url + "/").json() == "still serving"


@pytest.mark.parametrize(
    "path, name",
    [
        ("/events", "events"),  # server-sent events
        ("/lines", "lines"),  # JSON lines
        ("/slow", "slow"),  # a plain generator, in worker threads
    ],
)
def test_a_client_leaving_an_endless_stream_stops_it(server, path, name):
    tag = fresh()
    with httpx.stream("GET", f"{server.url}{path}?tag={tag}") as response:
        lines = response.iter_lines()
        assert next(lines)  # the first item (or event) has come
        for _ in range(3):
            next(lines)
    left = time.monotonic()
    if server.name == "fastapi" and path != "/events":
        # FastAPI closes a JSON-lines or a plain generator only when it is
        # collected: its `finally` comes later, after the dependency's cleanup
        # (its event streams run in a task group, cancelled in order).
        seen = ended(server, tag, "resource closed")
        assert seen[0] == "resource opened" and "resource closed" in seen
    else:  # the generator stops first, then what it used is cleaned up
        seen = ended(server, tag, "resource closed")
        assert seen == ["resource opened", f"{name} finally", "resource closed"]
    assert time.monotonic() - left < 2
    assert still_serving(server)


def produced(server, tag: str) -> int:
    return sum(line.startswith("produced") for line in notes(server, tag))


FLOODS = [
    "/returned",  # a StreamingResponse over an async generator
    "/flood/sync",  # ... over a plain generator, in worker threads
    "/flood/async",
    "/flood-lines",  # a generator path operation: JSON lines
    "/flood-events",  # ... events, from a plain generator
]


@pytest.mark.parametrize("path", FLOODS)
def test_a_client_that_reads_slowly_holds_the_generator_back(server, path):
    """The generator produces as fast as it is allowed; while the client does
    not read, it stops after what the socket buffers hold (about 4 MiB here),
    and stays there. At the end, produced and consumed agree."""
    tag, items = fresh(), 400  # 25 MiB
    url = f"{server.url}{path}?tag={tag}&items={items}"
    with httpx.stream("GET", url) as response:
        assert response.status_code == 200  # the head only, for now
        assert wait_until(lambda: produced(server, tag) > 0)
        held = settled(lambda: produced(server, tag))  # it stops, and stays
        assert held * ITEM < 24 * MiB  # the socket buffers, not the stream
        body = sum(len(chunk) for chunk in response.iter_bytes())
    framing = {"/flood-lines": 3, "/flood-events": 10}.get(path, 0)  # quotes...
    assert body == items * (ITEM + framing)
    assert produced(server, tag) == items
    assert ended(server, tag, "flood finally")[-1] == "flood finally"


@pytest.mark.parametrize("path", FLOODS)
def test_a_client_leaving_a_busy_stream_stops_it(our_app, path):
    """The generator waits for nothing but the client: leaving must still stop
    it at once (its `finally` runs) and leave the server free. uvicorn drops
    what is sent after the client left without making `send()` wait, so our
    StreamingResponse gives the loop a turn after each piece; without it, the
    loop spins on the endless generator and the server answers no one.

    FastAPI on uvicorn is left out: there its generator path operations and
    plain generators stop but are closed only when collected (their `finally`
    waits), and a StreamingResponse over an async generator that never waits
    holds uvicorn's loop for good, as ours did before that turn."""
    tag = fresh()
    with httpx.stream("GET", f"{our_app.url}{path}?tag={tag}") as response:
        settled(lambda: produced(our_app, tag))  # held back by the full buffers
        for read, _ in enumerate(response.iter_bytes()):
            if read == 100:
                break
    left = time.monotonic()
    assert ended(our_app, tag, "flood finally")[-1] == "flood finally"
    assert time.monotonic() - left < 2
    assert still_serving(our_app)


def ws_url(server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def test_an_exception_before_accept_refuses_the_handshake(server):
    """Ours closes before accept, which a server answers with 403. Starlette
    sends nothing, and uvicorn answers an app that raised with a 500."""
    tag = fresh()
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, f"/ws/raise-before?tag={tag}"), open_timeout=5)
    expected = 500 if server.name == "fastapi" else 403
    assert refused.value.response.status_code == expected
    assert ended(server, tag, "resource closed") == [
        "resource opened",
        "resource closed",
    ]
    assert still_serving(server)


def test_an_exception_after_accept_closes_with_1011(server):
    """Ours closes with 1011 (an internal error) before raising again. With
    FastAPI, nothing is sent; uvicorn (with wsproto) then drops the connection
    without a close frame, which a client reports as 1006."""
    tag = fresh()
    with connect(ws_url(server, f"/ws/raise-after?tag={tag}")) as ws:
        assert ws.recv(timeout=5) == "accepted"
        ws.send("go on")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    if server.name == "fastapi":
        assert closed.value.rcvd is None
    else:
        assert closed.value.rcvd.code == 1011
    assert ended(server, tag, "resource closed") == [
        "resource opened",
        "resource closed",
    ]
    assert still_serving(server)
