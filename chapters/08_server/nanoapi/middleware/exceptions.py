"""ExceptionMiddleware: the innermost layer, turning exceptions into answers.

Handlers are registered by status code (for HTTPException) or by exception
class. For an exception it looks up the handler by status code first, then
by the exception's class hierarchy, most specific class first. Without a
handler, the exception travels on to ServerErrorMiddleware.
"""

from collections.abc import Callable
from typing import Any

from ..concurrency import call
from ..exceptions import HTTPException
from ..requests import Request
from ..types import ASGIApp, Receive, Scope, Send
from . import WatchedSend

Handler = Callable[[Request, Exception], Any]


class ExceptionMiddleware:
    def __init__(self, app: ASGIApp, handlers: dict[Any, Handler]) -> None:
        self.app = app
        self.handlers = handlers

    def lookup(self, exc: Exception) -> Handler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.handlers:
            return self.handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            handler = self.lookup(exc)
            if handler is None:
                raise
            if watched.response_started:
                raise RuntimeError(
                    "a handled exception after the response started"
                ) from exc
            response = await call(handler, Request(scope, receive), exc)
            await response(scope, receive, send)
