"""The Request: a friendly view of one ASGI scope plus its `receive` channel.

The app hands each handler a Request instead of (scope, receive). Everything
is computed from the scope on first use; the body is read from `receive` once
and kept, so `body()`, `json()` and later layers can all ask for it. What a
Request shares with a WebSocket (websockets.py), everything read from the
scope, is their base, HTTPConnection.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import cached_property
from http.cookies import _unquote
from typing import Any, cast

from .datastructures import URL, Address, FormData, Headers, QueryParams, State
from .formparsers import FormLimits, parse_multipart, parse_urlencoded
from .types import Message, Receive, Scope


class ClientDisconnect(Exception):
    """The client went away while we were still reading its body."""


def parse_cookies(header: str) -> dict[str, str]:
    """`a=1; b="two"` -> {"a": "1", "b": "two"}; a bad pair is skipped, not fatal."""
    cookies = {}
    for pair in header.split(";"):
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if sep and name:
            cookies[name] = _unquote(value)
    return cookies


async def empty_receive() -> dict[str, Any]:
    raise RuntimeError("this Request was built without a receive channel")


class HTTPConnection:
    """What an HTTP request and a WebSocket have in common: their scope's
    URL, headers, query, cookies, client, path parameters and state."""

    def __init__(self, scope: Scope) -> None:
        assert scope["type"] in ("http", "websocket")
        self.scope = scope

    @property
    def url(self) -> URL:
        return URL.from_scope(self.scope)

    @cached_property
    def headers(self) -> Headers:
        return Headers.from_raw(self.scope["headers"])

    @cached_property
    def query_params(self) -> QueryParams:
        return QueryParams.from_query_string(self.scope.get("query_string", b""))

    @property
    def cookies(self) -> dict[str, str]:
        return parse_cookies(self.headers.get("cookie", ""))

    @property
    def client(self) -> Address | None:
        """Who is asking: `request.client.host`, or None if the server won't say."""
        client = self.scope.get("client")
        return None if client is None else Address(*client)

    @property
    def path_params(self) -> dict[str, Any]:
        """What the route's path template matched: `{"item_id": 3}`."""
        return cast(dict[str, Any], self.scope.get("path_params", {}))

    def url_for(self, name: str, **path_params: Any) -> URL:
        """The absolute URL of the route called `name` (reverse routing)."""
        path = self.scope["router"].url_path_for(name, **path_params)
        root = self.scope.get("app_root_path", self.scope.get("root_path", ""))
        return self.url.replace(path=root + path, query="")

    @property
    def app(self) -> Any:
        """The application that received the request."""
        return self.scope["app"]

    @cached_property
    def state(self) -> State:
        """Per-request state, seeded with what the lifespan yielded."""
        return State(self.scope.setdefault("state", {}))


class Request(HTTPConnection):
    _body: bytes  # set once the body is read, not before: a subclass that
    # changes the body (FastAPI's docs gunzip it) asks `hasattr(self, "_body")`

    def __init__(self, scope: Scope, receive: Receive = empty_receive) -> None:
        assert scope["type"] == "http"
        super().__init__(scope)
        self._receive = receive
        self._streamed = False
        self._form: FormData | None = None

    @property
    def method(self) -> str:
        return cast(str, self.scope["method"])

    @property
    def receive(self) -> Receive:
        """The receive channel to hand to the next app.

        If this Request already read the body, the next app could never read
        it again from the server, so it gets a channel that replays it (empty,
        if it was streamed away).
        """
        if not hasattr(self, "_body") and not self._streamed:
            return self._receive
        body = getattr(self, "_body", b"")
        replay = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Message:
            return replay.pop() if replay else await self._receive()

        return receive

    async def stream(self) -> AsyncIterator[bytes]:
        """The body piece by piece, as the server delivers it (read once)."""
        if hasattr(self, "_body"):
            yield self._body
            return
        more = self.start_reading()
        while more:
            chunk, more = await self.next_piece()
            yield chunk

    async def body(self) -> bytes:
        """The whole body, read on first call and kept. (Not through `stream()`:
        its async generator costs 7-9% of a POST, tools/benchmark.py.)"""
        if not hasattr(self, "_body"):
            chunks, more = [], self.start_reading()
            while more:
                chunk, more = await self.next_piece()
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    def start_reading(self) -> bool:
        """The body can be received once: refuse a second reader."""
        if self._streamed:
            raise RuntimeError("the body was already streamed")
        self._streamed = True
        return True

    async def next_piece(self) -> tuple[bytes, bool]:
        """The next `http.request` message's bytes, and whether more will come."""
        message = await self._receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        return message.get("body", b""), message.get("more_body", False)

    async def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not."""
        return json.loads(await self.body())

    async def form(
        self,
        *,
        max_files: int | float = 1000,
        max_fields: int | float = 1000,
        max_part_size: int = 1024 * 1024,
    ) -> FormData:
        """The body as a form, streamed through its parser on the first call and
        kept; files become UploadFiles. Another content type is an empty form;
        a limit broken or a body that is not what it claims raises
        MultiPartException."""
        if self._form is None:
            limits = FormLimits(max_files, max_fields, max_part_size)
            content_type = self.headers.get("content-type", "")
            kind = content_type.partition(";")[0].strip().lower()
            if kind == "multipart/form-data":
                self._form = await parse_multipart(content_type, self.stream(), limits)
            elif kind == "application/x-www-form-urlencoded":
                self._form = await parse_urlencoded(self.stream(), limits)
            else:
                self._form = FormData()
        return self._form

    async def close(self) -> None:
        """Close the form's files, if a form was read."""
        if self._form is not None:
            await self._form.close()
