"""Responses: objects that send themselves as ASGI messages.

A handler returns a Response; the app then calls it like any ASGI app,
`await response(scope, receive, send)`, which sends `http.response.start`
(status and headers) and one `http.response.body`, then runs its background
task, if it has one. A StreamingResponse sends its body in pieces, as an
async iterator hands them over.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
import os
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from email.utils import formatdate
from http.cookies import SimpleCookie
from typing import Any, Literal
from urllib.parse import quote

from .background import BackgroundTask
from .concurrency import iterate_in_threadpool, run_in_threadpool
from .datastructures import MutableHeaders
from .types import Message, Receive, Scope, Send


def body_allowed(status_code: int) -> bool:
    """1xx, 204, 205 and 304 answers carry no body: the one place that says so."""
    return status_code >= 200 and status_code not in (204, 205, 304)


class Response:
    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        self.background = background
        if media_type is not None:
            self.media_type = media_type
        self.body = self.render(content) if body_allowed(status_code) else b""
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.headers = MutableHeaders(self.raw_headers)
        for name, value in (headers or {}).items():
            self.headers.append(name, value)
        self.init_headers()

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        if isinstance(content, bytes | memoryview):
            return bytes(content)
        if isinstance(content, str):
            return content.encode(self.charset)
        kind = type(content).__name__
        raise TypeError(f"{type(self).__name__} sends str or bytes, not {kind}")

    def init_headers(self) -> None:
        """Fill in content-length and content-type unless they were given."""
        given = {name for name, _ in self.raw_headers}
        length = self.content_length()
        if b"content-length" not in given and length is not None:
            self.raw_headers.append((b"content-length", b"%d" % length))
        content_type = self.media_type
        if content_type is not None and b"content-type" not in given:
            if (
                content_type.startswith("text/")
                and "charset=" not in content_type.lower()
            ):
                content_type += f"; charset={self.charset}"
            self.raw_headers.append((b"content-type", content_type.encode("latin-1")))

    def content_length(self) -> int | None:
        """The body's length; None where HTTP forbids the header (1xx, 204, 304).

        A 205 has no body either, but says so with `content-length: 0`.
        """
        if body_allowed(self.status_code) or self.status_code == 205:
            return len(self.body)
        return None

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie[key] = value
        attributes = {
            "max-age": max_age,
            "expires": expires,
            "path": path,
            "domain": domain,
            "secure": secure,
            "httponly": httponly,
            "samesite": samesite,
        }
        for name, setting in attributes.items():
            if setting is not None and setting is not False:
                cookie[key][name] = setting
        self.headers.append("set-cookie", cookie.output(header="").strip())

    def delete_cookie(
        self, key: str, path: str = "/", domain: str | None = None
    ) -> None:
        """Ask the client to forget a cookie: expire it now."""
        self.set_cookie(key, max_age=0, expires=0, path=path, domain=domain)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the answer to a refused handshake
            send = denial(send)
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        await self.send_body(send)
        if self.background is not None:
            await self.background()

    async def send_body(self, send: Send) -> None:
        await send({"type": "http.response.body", "body": self.body})


def denial(send: Send) -> Send:
    """Send `http.response.*` messages as ASGI's `websocket.http.response.*`."""

    async def send_as_denial(message: Message) -> None:
        await send({**message, "type": "websocket." + message["type"]})

    return send_as_denial


class PlainTextResponse(Response):
    media_type = "text/plain"


class HTMLResponse(Response):
    media_type = "text/html"


# json.dumps makes a new encoder per call unless its options are the defaults:
# one made once saves 6-7% of a small JSON answer (tools/benchmark.py).
COMPACT_JSON = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":")
)


class JSONResponse(Response):
    """JSON encoded compactly, as FastAPI sends it: no spaces, UTF-8, no NaN."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return COMPACT_JSON.encode(content).encode("utf-8")


class RedirectResponse(Response):
    """Send the client elsewhere: 307 keeps the method and body."""

    def __init__(
        self,
        url: str,
        status_code: int = 307,
        headers: dict[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(b"", status_code, headers, background=background)
        self.headers["location"] = quote(str(url), safe=":/%#?=@[]!$&'()*+,;")


class StreamingResponse(Response):
    """A body sent piece by piece, as `content` yields it: an async iterator,
    or a plain one (each step then runs in a worker thread); text pieces are
    encoded in the response's charset.

    Its length is not known in advance, so it has no content-length and its
    `body` stays empty: the pieces are in `body_iterator`. Each piece waits
    until the server took the previous one, so a slow client slows the
    iterator down instead of piling pieces up in memory; a client that leaves
    stops it, and its `finally` blocks run.
    """

    def __init__(
        self,
        content: AsyncIterable[str | bytes] | Iterable[str | bytes],
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        if isinstance(content, AsyncIterable):
            self.body_iterator = content
        else:
            self.body_iterator = iterate_in_threadpool(content)
        super().__init__(None, status_code, headers, media_type, background)

    def content_length(self) -> None:
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream, and at the same time watch for the client leaving (the
        server's `http.disconnect`): whichever comes first ends the other."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        streaming = asyncio.ensure_future(self.stream(send))
        watching = asyncio.ensure_future(disconnected(receive))
        try:
            await asyncio.wait({streaming, watching}, return_when=FIRST_COMPLETED)
        finally:
            for task in (streaming, watching):
                task.cancel()
            await asyncio.wait({streaming, watching})
        if not streaming.cancelled():
            streaming.result()  # raises what the iterator raised
        if self.background is not None:
            await self.background()

    async def stream(self, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send({**start, "headers": self.raw_headers})
            await self.send_body(send)
        except OSError:  # the server says the client is gone (ASGI 2.4)
            return

    async def send_body(self, send: Send) -> None:
        try:
            async for chunk in self.body_iterator:
                if isinstance(chunk, str):
                    chunk = chunk.encode(self.charset)
                message = {"type": "http.response.body", "body": chunk}
                await send({**message, "more_body": True})
                # A server may drop what is sent once the client has gone,
                # without waiting (uvicorn does): give the disconnect watcher
                # its turn, or an endless iterator would hold the loop forever.
                await asyncio.sleep(0)
        finally:  # stopped early, the iterator is closed now, not when collected
            await close_fully(self.body_iterator)
        await send({"type": "http.response.body", "body": b""})


async def close_fully(iterator: Any) -> None:
    """`await iterator.aclose()`, carried to its end even when the stream is
    cancelled meanwhile (a client that left is seen twice, by `send()` and by
    the watcher): a cleanup cut short leaves the generator's `finally` to the
    garbage collector, after the request's own cleanup."""
    close = getattr(iterator, "aclose", None)
    if close is None:
        return
    closing = asyncio.ensure_future(close())
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        await asyncio.wait({closing})
        raise


async def disconnected(receive: Receive) -> None:
    """Return once the client has gone (any body still arriving is dropped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class FileResponse(StreamingResponse):
    """A file from disk, read in pieces in a worker thread, never whole.

    Its type is guessed from the name, and it says how long it is, when it
    last changed and (for `filename=`) that it is a download. Byte ranges,
    which Starlette's also serves, are left out (and not announced).
    """

    chunk_size = 64 * 1024

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        filename: str | None = None,
    ) -> None:
        self.path = path
        if media_type is None:
            guessed = mimetypes.guess_type(filename or path)[0]
            media_type = guessed or "application/octet-stream"
        super().__init__(self.chunks(), status_code, headers, media_type, background)
        stat = os.stat(path)
        etag = hashlib.md5(f"{stat.st_mtime}-{stat.st_size}".encode()).hexdigest()
        found = {
            "content-length": str(stat.st_size),
            "last-modified": formatdate(stat.st_mtime, usegmt=True),
            "etag": f'"{etag}"',
        }
        if filename is not None:  # a name outside ASCII goes as RFC 5987 says
            quoted = quote(filename)
            found["content-disposition"] = (
                f'attachment; filename="{filename}"'
                if quoted == filename
                else f"attachment; filename*=utf-8''{quoted}"
            )
        for name, value in found.items():
            if name not in self.headers:  # headers given win
                self.headers.append(name, value)

    async def chunks(self) -> AsyncIterator[bytes]:
        with open(self.path, "rb") as file:
            while chunk := await run_in_threadpool(file.read, self.chunk_size):
                yield chunk
