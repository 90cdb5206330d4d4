"""Chapter 01 demo: a bare ASGI app, no framework.

Serve it with:  uvicorn --app-dir chapters/01_raw_asgi app:app

  GET  /       a greeting
  POST /echo   the request body, sent back as it arrived
  POST /json   the body parsed as JSON, or 400 when it is not JSON
  anything else: 404
"""

import json

from nanoapi import Receive, Scope, Send


async def read_body(receive: Receive) -> bytes:
    """Collect the body: it may arrive in several `http.request` messages."""
    chunks = []
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more_body = message.get("more_body", False)
    return b"".join(chunks)


async def send_response(
    send: Send, status: int, body: bytes, content_type: bytes = b"text/plain"
) -> None:
    """Answer with two messages: the status line and headers, then the body."""
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown, so servers know we speak lifespan."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def parse_json(send: Send, body: bytes) -> None:
    try:
        data = json.loads(body)
    except ValueError:  # malformed JSON, or bytes that are not UTF-8
        await send_response(send, 400, b"The body is not valid JSON")
        return
    answer = json.dumps({"received": data}, separators=(",", ":")).encode()
    await send_response(send, 200, answer, b"application/json")


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    assert scope["type"] == "http"  # this app does not speak websockets
    route = (scope["method"], scope["path"])
    if route == ("GET", "/"):
        await send_response(send, 200, b"Hello, ASGI!")
    elif route == ("POST", "/echo"):
        await send_response(send, 200, await read_body(receive))
    elif route == ("POST", "/json"):
        await parse_json(send, await read_body(receive))
    else:
        await send_response(send, 404, b"Not Found")
