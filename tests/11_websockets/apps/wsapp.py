"""A raw ASGI app (no framework) for the WebSocket and streaming tests.

One WebSocket route per behaviour, and a few HTTP ones. The app notes what it
saw (a disconnect's code, an error from `send()`, a generator's cleanup) under
the `tag` of the query string; `GET /events?tag=T` lists those lines, so a
test looks from outside, through the same server. If WSAPP_LOG names a file,
the notes go there too (for tests that stop the server).
"""

import asyncio
import json
import os
from urllib.parse import parse_qs

EVENTS: list[str] = []


def query(scope) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}


def note(scope, line: str) -> None:
    line = f"{query(scope).get('tag', '-')} {line}"
    EVENTS.append(line)
    if path := os.environ.get("WSAPP_LOG"):
        with open(path, "a") as log:
            log.write(line + "\n")


def note_disconnect(scope, message) -> None:
    note(scope, f"disconnect {message['code']} {message.get('reason', '')!r}")


async def respond(send, status, body: bytes, content_type=b"text/plain"):
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# WebSocket routes


async def echo(scope, receive, send, accept):
    """Accept, then send every message back as it came (text or bytes)."""
    assert (await receive())["type"] == "websocket.connect"
    await send(accept)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            note_disconnect(scope, message)
            return
        reply = {"type": "websocket.send"}
        if message.get("text") is not None:
            reply["text"] = message["text"]
        else:
            reply["bytes"] = message["bytes"]
        await send(reply)


async def close(scope, receive, send):
    """Accept, then close with the code and reason the query asks for."""
    asked = query(scope)
    await receive()
    await send({"type": "websocket.accept"})
    closing = {"type": "websocket.close"}
    if "code" in asked:
        closing.update(code=int(asked["code"]), reason=asked.get("reason"))
    await send(closing)
    note_disconnect(scope, await receive())
    try:
        await send({"type": "websocket.send", "text": "after the close"})
    except Exception as exc:  # which error it is, is what the test looks at
        note(scope, f"send after close raised {type(exc).__name__}")


async def show_scope(scope, receive, send):
    await receive()
    await send({"type": "websocket.accept"})
    shown = {k: v for k, v in scope.items() if k not in ("headers", "state")}
    shown["headers"] = [[k.decode(), v.decode()] for k, v in scope["headers"]]
    shown["raw_path"] = scope["raw_path"].decode()
    shown["query_string"] = scope["query_string"].decode()
    shown["state"] = dict(scope.get("state", {}))
    await send({"type": "websocket.send", "text": json.dumps(shown)})
    await send({"type": "websocket.close"})


async def wait(scope, receive, send):
    """Accept, then wait for the end, whatever it is, and note it."""
    await receive()
    await send({"type": "websocket.accept"})
    note(scope, "accepted")
    note_disconnect(scope, await receive())
    try:
        await send({"type": "websocket.send", "text": "still there?"})
    except OSError as exc:
        note(scope, f"send after disconnect raised {type(exc).__name__}")


async def ignore(scope, receive, send):
    """Accept, then read nothing for `seconds`: what the client sends waits."""
    await receive()
    await send({"type": "websocket.accept"})
    await asyncio.sleep(float(query(scope).get("seconds", "2")))
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def flood(scope, receive, send):
    """Accept, then send `count` messages of `size` bytes, noting progress."""
    asked = query(scope)
    await receive()
    await send({"type": "websocket.accept"})
    chunk = b"x" * int(asked.get("size", 65536))
    for number in range(1, int(asked.get("count", 1000)) + 1):
        await send({"type": "websocket.send", "bytes": chunk})
        note(scope, f"sent {number}")
    await send({"type": "websocket.close"})


async def refuse(scope, receive, send, status: int):
    await receive()
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"8")]
    start = {"type": "websocket.http.response.start", "status": status}
    await send({**start, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": b"no entry"})


async def websocket(scope, receive, send):
    path = scope["path"]
    if path == "/echo":
        await echo(scope, receive, send, {"type": "websocket.accept"})
    elif path == "/subprotocol":
        chosen = scope["subprotocols"][-1] if scope["subprotocols"] else None
        headers = [(b"x-room", b"lobby")]
        accept = {"type": "websocket.accept", "subprotocol": chosen, "headers": headers}
        await echo(scope, receive, send, accept)
    elif path == "/close":
        await close(scope, receive, send)
    elif path == "/reject":
        await receive()
        await send({"type": "websocket.close"})
    elif path == "/deny":
        await refuse(scope, receive, send, 401)
    elif path == "/raise-before":
        await receive()
        raise RuntimeError("boom before accept")
    elif path == "/raise-after":
        await receive()
        await send({"type": "websocket.accept"})
        raise RuntimeError("boom after accept")
    elif path == "/return-before":
        await receive()
    elif path == "/accept-later":
        await receive()
        note(scope, "waiting to accept")
        await asyncio.sleep(float(query(scope).get("seconds", "1")))
        await send({"type": "websocket.accept"})
    elif path == "/return-after":
        await receive()
        await send({"type": "websocket.accept"})
    elif path.endswith("/scope"):
        await show_scope(scope, receive, send)
    elif path == "/wait":
        await wait(scope, receive, send)
    elif path == "/ignore":
        await ignore(scope, receive, send)
    elif path == "/flood":
        await flood(scope, receive, send)
    else:
        await refuse(scope, receive, send, 404)


# HTTP routes


async def stream(scope, receive, send):
    """A streamed body from an app that never reads: only `send()` can tell
    it that the client has gone. Its `finally` must run either way."""
    asked = query(scope)
    chunk = b"x" * int(asked.get("size", 65536))
    pause = float(asked.get("pause", 0))
    await send({"type": "http.response.start", "status": 200, "headers": []})
    sent = 0
    try:
        for _ in range(int(asked.get("chunks", 1000))):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
            note(scope, f"sent {sent}")
            await asyncio.sleep(pause)
        await send({"type": "http.response.body", "body": b""})
    except OSError as exc:
        note(scope, f"send raised {type(exc).__name__}")
    finally:
        note(scope, "finally")


async def stream_listening(scope, receive, send):
    """A slow stream that listens for `http.disconnect` while it sends, as
    Starlette's StreamingResponse does, and stops its generator then."""

    async def generate():
        try:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            tick = {"type": "http.response.body", "body": b"tick\n", "more_body": True}
            while True:
                await send(tick)
                await asyncio.sleep(0.05)
        finally:
            note(scope, "finally")

    await receive()  # the (empty) request body
    task = asyncio.create_task(generate())
    note(scope, (await receive())["type"])  # waits until the client leaves
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def show_events(scope, receive, send):
    tag = query(scope).get("tag")
    lines = [line for line in EVENTS if tag is None or line.split()[0] == tag]
    await respond(send, 200, "\n".join(lines).encode())


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    elif scope["type"] == "websocket":
        await websocket(scope, receive, send)
    elif scope["path"] == "/events":
        await show_events(scope, receive, send)
    elif scope["path"] == "/stream":
        await stream(scope, receive, send)
    elif scope["path"] == "/stream-listening":
        await stream_listening(scope, receive, send)
    else:
        await respond(send, 200, b"Hello, HTTP!")
