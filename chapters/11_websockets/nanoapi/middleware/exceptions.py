"""ExceptionMiddleware: the innermost layer, turning exceptions into answers.

Handlers are registered by status code (for HTTPException) or by exception
class. For an exception it looks up the handler by status code first, then
by the exception's class hierarchy, most specific class first. Without a
handler, the exception travels on to ServerErrorMiddleware. On a WebSocket
the handler gets the WebSocket; it closes it, or answers with a Response (sent
as the handshake's answer), or both.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from ..concurrency import call
from ..exceptions import HTTPException
from ..formparsers import MultiPartException
from ..requests import HTTPConnection, Request
from ..responses import Response
from ..types import ASGIApp, Receive, Scope, Send
from ..websockets import WebSocket
from . import WatchedSend

# A handler gets the request (or WebSocket) and the exception it was registered
# for: a class a type checker cannot follow through the lookup, hence Any. On a
# WebSocket it may answer nothing (None), having closed the connection itself.
ExceptionHandler = Callable[[Any, Any], Response | Awaitable[Response | None] | None]


class ExceptionMiddleware:
    def __init__(
        self, app: ASGIApp, handlers: dict[int | type[Exception], ExceptionHandler]
    ) -> None:
        self.app = app
        self.handlers = handlers

    def lookup(self, exc: Exception) -> ExceptionHandler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.handlers:
            return self.handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        watched = WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if isinstance(exc, MultiPartException):  # a handler's request.form()
                exc = HTTPException(400, exc.message)  # the client's fault
            handler = self.lookup(exc)
            if handler is None:
                raise
            if watched.response_started:
                raise RuntimeError(
                    "a handled exception after the response started"
                ) from exc
            conn: HTTPConnection
            if scope["type"] == "http":
                conn = Request(scope, receive)
            else:
                conn = WebSocket(scope, receive, send)
            response: Response | None = await call(handler, conn, exc)
            if response is not None:
                await response(scope, receive, send)
