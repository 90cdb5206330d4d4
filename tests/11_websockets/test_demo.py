"""Chapter 11: the demo's live parts, on FastAPI and on ours.

As in chapters 09 and 10, the very same app.py runs with the real FastAPI
behind its imports and with the chapter's package. The notes export (JSON
lines), the chat room (two members through each framework's own TestClient:
joining, talking, leaving, a name refused at the handshake) and the OpenAPI
document must match. The event stream never ends, so a TestClient cannot
read it to its end: it is read over a real server (ours, and uvicorn on our
package), where a note posted by a logged-in client shows up live, and a
reconnecting client's Last-Event-ID is honoured.
"""

import threading
import time
import uuid

import fastapi.testclient
import httpx
import pytest
from oracle import ask, demo_on_fastapi, demo_on_ours
from wire import serve
from wswire import UVICORN_OPTIONS

LOGIN = {"username": "ada", "password": "lovelace"}


def both_demos(chapter, pkg):
    """(app, TestClient class) for FastAPI and for ours, each app.py afresh."""
    return [
        (demo_on_fastapi(chapter).app, fastapi.testclient.TestClient),
        (demo_on_ours(chapter, pkg).app, pkg.testclient.TestClient),
    ]


@pytest.mark.anyio
async def test_the_export_and_refused_event_streams_answer_as_on_fastapi(chapter, pkg):
    requests = [
        {"method": "GET", "url": "/notes/export"},
        {"method": "GET", "url": "/notes/events", "headers": {"last-event-id": "x"}},
        {"method": "POST", "url": "/notes/export"},
        {"method": "GET", "url": "/chat"},
    ]
    apps = [app for app, _ in both_demos(chapter, pkg)]
    theirs, ours = [await ask(app, requests) for app in apps]
    for request, their, our in zip(requests, theirs, ours, strict=True):
        assert our.view() == their.view(), request
    assert ours[0].body == (
        b'{"id":1,"text":"buy milk"}\n'
        b'{"id":2,"text":"call Sam"}\n'
        b'{"id":3,"text":"water the plants"}\n'
    )
    assert ours[0].headers["content-type"] == "application/jsonl"
    assert ours[1].status == 422
    assert b"new WebSocket(`${scheme}://${location.host}/chat/ws" in ours[3].body


def chat(client) -> list:
    """Ada and Bob in the room; what each of them heard, and a refused name."""
    heard = []
    with client.websocket_connect("/chat/ws?name=ada") as ada:
        heard.append(("ada", ada.receive_text()))
        with client.websocket_connect("/chat/ws?name=Bøb ✓") as bob:
            heard += [("ada", ada.receive_text()), ("bob", bob.receive_text())]
            bob.send_text("hi, ada")
            heard += [("ada", ada.receive_text()), ("bob", bob.receive_text())]
            ada.send_text("hello")
            heard += [("ada", ada.receive_text()), ("bob", bob.receive_text())]
        heard.append(("ada", ada.receive_text()))  # bob has left
    for refused in ("/chat/ws", "/chat/ws?name=", f"/chat/ws?name={'x' * 21}"):
        try:
            with client.websocket_connect(refused) as websocket:
                websocket.receive_text()
        except Exception as exc:
            errors = [(e["type"], e["loc"]) for e in exc.reason]
            heard.append((refused, type(exc).__name__, exc.code, errors))
    return heard


def test_the_chat_room_as_on_fastapi(chapter, pkg):
    heard = []
    for app, client_class in both_demos(chapter, pkg):
        with client_class(app) as client:  # one event loop for the whole room
            heard.append(chat(client))
    theirs, ours = heard
    assert ours == theirs
    assert ours[:8] == [
        ("ada", "ada joined"),
        ("ada", "Bøb ✓ joined"),
        ("bob", "Bøb ✓ joined"),
        ("ada", "Bøb ✓: hi, ada"),
        ("bob", "Bøb ✓: hi, ada"),
        ("ada", "ada: hello"),
        ("bob", "ada: hello"),
        ("ada", "Bøb ✓ left"),
    ]
    assert ours[8:] == [
        ("/chat/ws", "WebSocketDisconnect", 1008, [("missing", ["query", "name"])]),
        (
            "/chat/ws?name=",
            "WebSocketDisconnect",
            1008,
            [("string_too_short", ["query", "name"])],
        ),
        (
            "/chat/ws?name=" + "x" * 21,
            "WebSocketDisconnect",
            1008,
            [("string_too_long", ["query", "name"])],
        ),
    ]


def test_the_document_equals_fastapis(chapter, pkg):
    theirs, ours = (app.openapi() for app, _ in both_demos(chapter, pkg))
    assert ours == theirs
    assert "/chat/ws" not in ours["paths"] and "/chat" not in ours["paths"]
    events = ours["paths"]["/notes/events"]["get"]["responses"]["200"]["content"]
    assert list(events) == ["text/event-stream"]


# The endless event stream, over real servers.


def read_event(lines) -> dict[str, str]:
    """The next event's fields (a keep-alive comment is skipped)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if event:
                return event
            continue
        name, _, value = line.partition(": ")
        if name:  # not a comment
            event[name] = value
    raise EOFError("the stream ended")


def post_note(url: str, text: str) -> dict:
    token = httpx.post(f"{url}/token", data=LOGIN).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    created = httpx.post(f"{url}/notes", json={"text": text}, headers=bearer)
    assert created.status_code == 201
    return created.json()


def events_after(url: str, last: str | None, count: int, then=None) -> list[dict]:
    """`count` events from a fresh stream; `then()` runs once it is open."""
    headers = {"last-event-id": last} if last else {}
    with httpx.stream("GET", f"{url}/notes/events", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        if then is not None:
            threading.Timer(0.3, then).start()  # after the stream has its listener
        lines = response.iter_lines()
        return [read_event(lines) for _ in range(count)]


@pytest.mark.slow
@pytest.mark.parametrize("server", ["nanoapi", "uvicorn"])
def test_the_event_stream_goes_on_with_each_new_note(chapter, server):
    options = UVICORN_OPTIONS if server == "uvicorn" else ()
    with serve(
        "app:app", *options, server=server, app_dir=chapter.path, cwd=chapter.path
    ) as running:
        url = running.url
        text = f"live {uuid.uuid4().hex[:6]}"
        first = events_after(url, None, 4, then=lambda: post_note(url, text))
        assert [e["id"] for e in first] == ["1", "2", "3", "4"]
        assert all(e["event"] == "note" for e in first)
        assert first[0]["data"] == '{"id":1,"text":"buy milk"}'
        assert first[3]["data"] == f'{{"id":4,"text":"{text}"}}'  # live
        # A browser that reconnects says which event it saw last.
        again = events_after(url, "2", 2)
        assert [e["id"] for e in again] == ["3", "4"]
        later = events_after(url, "4", 1, then=lambda: post_note(url, "fifth"))
        assert later == [
            {"event": "note", "data": '{"id":5,"text":"fifth"}', "id": "5"}
        ]
        # Every stream above was left by its client; the server serves on.
        started = time.monotonic()
        assert httpx.get(f"{url}/notes/export").text.count("\n") == 5
        assert time.monotonic() - started < 2
        running.stop()
        log = running.log()
    assert "Traceback" not in log
