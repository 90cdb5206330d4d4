"""A raw ASGI app (no framework) for the server tests, one route per behaviour.

If RAW_APP_LOG names a file, the lifespan writes `startup` and `shutdown`
lines to it. Every route answers any method.
"""

import asyncio
import contextvars
import json
import os
from urllib.parse import parse_qs

EVENTS: list[str] = []  # what the app saw, for tests that look from outside
REQUEST_ID = contextvars.ContextVar("request_id", default="unset")


def note(line: str) -> None:
    if path := os.environ.get("RAW_APP_LOG"):
        with open(path, "a") as log:
            log.write(line + "\n")


async def respond(send, status, body, content_type=b"text/plain"):
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def lifespan(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            scope["state"]["greeting"] = "hi"
            note("startup")
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            note("shutdown")
            await send({"type": "lifespan.shutdown.complete"})
            return


async def echo(scope, receive, send):
    chunks, more_body = [], True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            EVENTS.append("echo: disconnect")
            return
        chunks.append(message["body"])
        EVENTS.append(f"echo: piece {message['body'][:20]!r}")
        more_body = message["more_body"]
    EVENTS.append(f"echo: {len(chunks)} message(s)")
    await respond(send, 200, b"".join(chunks))


async def chunked(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for word in (b"one ", b"two ", b"three"):
        await send({"type": "http.response.body", "body": word, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def raise_after(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise RuntimeError("boom after the start")


async def slow(scope, receive, send):
    query = parse_qs(scope["query_string"].decode())
    EVENTS.append("slow: asleep")
    await asyncio.sleep(float(query.get("seconds", ["1"])[0]))
    await respond(send, 200, b"slept")


async def big(scope, receive, send):
    EVENTS.append("big: sending")
    await respond(send, 200, b"x" * 8_000_000)


async def show_scope(scope, receive, send):
    shown = {key: value for key, value in scope.items() if key != "headers"}
    shown["headers"] = [[k.decode(), v.decode()] for k, v in scope["headers"]]
    shown["raw_path"] = scope["raw_path"].decode()
    shown["query_string"] = scope["query_string"].decode()
    shown["state"] = dict(scope["state"])
    scope["state"]["greeting"] = "changed by a request"  # must not leak to the next
    await respond(send, 200, json.dumps(shown).encode(), b"application/json")


async def wait_for_disconnect(scope, receive, send):
    await receive()  # the (empty) body
    EVENTS.append("waiting for disconnect")
    EVENTS.append("waited: " + (await receive())["type"])  # until the client leaves


async def receive_after_response(scope, receive, send):
    await receive()
    await respond(send, 200, b"done")
    EVENTS.append("after response: " + (await receive())["type"])  # at once


async def context(scope, receive, send):
    seen = REQUEST_ID.get()  # must not be what an earlier request set
    REQUEST_ID.set(scope["path"])
    await respond(send, 200, seen.encode())


async def body_before_start(scope, receive, send):
    await send({"type": "http.response.body", "body": b"too soon"})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
        return
    path = scope["path"]
    if path == "/":
        await respond(send, 200, b"Hello, ASGI!")
    elif path == "/echo":
        await echo(scope, receive, send)
    elif path == "/events":
        await respond(send, 200, "\n".join(EVENTS).encode())
    elif path == "/chunked":
        await chunked(scope, receive, send)
    elif path == "/raise-before":
        raise RuntimeError("boom before the start")
    elif path == "/raise-after":
        await raise_after(scope, receive, send)
    elif path == "/no-response":
        return
    elif path == "/slow":
        await slow(scope, receive, send)
    elif path == "/big":
        await big(scope, receive, send)
    elif path == "/wait-for-disconnect":
        await wait_for_disconnect(scope, receive, send)
    elif path == "/receive-after-response":
        await receive_after_response(scope, receive, send)
    elif path.startswith("/context"):
        await context(scope, receive, send)
    elif path == "/body-before-start":
        await body_before_start(scope, receive, send)
    elif path.endswith("/scope"):
        await show_scope(scope, receive, send)
    else:
        await respond(send, 404, b"Not Found")
