"""The App: one object that is an ASGI app and dispatches to handlers.

The server calls `await app(scope, receive, send)`. The App sends every
message through an onion of middleware it builds on first use:
ServerErrorMiddleware, then the user's middleware, then ExceptionMiddleware,
and in the middle `handle`, which answers the lifespan protocol, wraps each
HTTP request in a Request, finds the handler registered for its path and
method, and sends the Response it returns.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from .concurrency import as_async
from .datastructures import State
from .exception_handlers import http_exception_handler
from .exceptions import HTTPException
from .lifespan import (
    EventHandler,
    Lifespan,
    LifespanGenerator,
    as_lifespan,
    event_handlers_lifespan,
    run_lifespan,
)
from .middleware import Middleware
from .middleware.dispatch import Dispatch, DispatchMiddleware
from .middleware.errors import ServerErrorMiddleware
from .middleware.exceptions import ExceptionHandler, ExceptionMiddleware
from .requests import Request
from .responses import Response
from .types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response] | Response]

ON_EVENT_DEPRECATED = "on_event is deprecated, use lifespan event handlers instead."


class App:
    def __init__(
        self,
        debug: bool = False,
        middleware: list[Middleware] | None = None,
        exception_handlers: dict[int | type[Exception], ExceptionHandler] | None = None,
        lifespan: Lifespan | LifespanGenerator | None = None,
        on_startup: list[EventHandler] | None = None,
        on_shutdown: list[EventHandler] | None = None,
    ) -> None:
        # path -> method -> handler; chapter 04's router replaces this table.
        self.handlers: dict[str, dict[str, Callable[..., Awaitable[Any]]]] = {}
        self.debug = debug
        self.state = State()
        self.user_middleware = list(middleware or [])
        self.exception_handlers: dict[int | type[Exception], ExceptionHandler] = {
            HTTPException: http_exception_handler,
            **(exception_handlers or {}),
        }
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        if lifespan is None:
            lifespan = event_handlers_lifespan(self.on_startup, self.on_shutdown)
        self.lifespan_context = as_lifespan(lifespan)
        self.middleware_stack: ASGIApp | None = None

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap `handle` in the onion; the first middleware listed is outermost."""
        handlers = dict(self.exception_handlers)
        server_error = handlers.pop(Exception, None)
        server_error = handlers.pop(500, server_error)  # a 500 handler wins
        stack = [
            Middleware(ServerErrorMiddleware, handler=server_error, debug=self.debug),
            *self.user_middleware,
            Middleware(ExceptionMiddleware, handlers=handlers),
        ]
        app: ASGIApp = self.handle
        for cls, args, kwargs in reversed(stack):
            app = cls(app, *args, **kwargs)
        return app

    def add_middleware(self, cls: type, *args: Any, **kwargs: Any) -> None:
        """Add a middleware around the others: the last added runs first."""
        if self.middleware_stack is not None:
            raise RuntimeError("cannot add middleware after the app has started")
        self.user_middleware.insert(0, Middleware(cls, *args, **kwargs))

    def middleware(self, kind: str) -> Callable[[Dispatch], Dispatch]:
        """Decorator for `async def mw(request, call_next)` functions."""
        assert kind == "http", 'only "http" middleware exists'

        def register(dispatch: Dispatch) -> Dispatch:
            self.add_middleware(DispatchMiddleware, dispatch=dispatch)
            return dispatch

        return register

    def add_exception_handler(
        self, key: int | type[Exception], handler: ExceptionHandler
    ) -> None:
        """Answer an exception class, or an HTTPException status, with `handler`."""
        self.exception_handlers[key] = handler

    def exception_handler(
        self, key: int | type[Exception]
    ) -> Callable[[ExceptionHandler], ExceptionHandler]:
        def register(handler: ExceptionHandler) -> ExceptionHandler:
            self.add_exception_handler(key, handler)
            return handler

        return register

    def add_event_handler(self, event: str, func: EventHandler) -> None:
        """Run `func` at "startup" or "shutdown" (apps without a lifespan)."""
        {"startup": self.on_startup, "shutdown": self.on_shutdown}[event].append(func)

    def on_event(self, event: str) -> Callable[[EventHandler], EventHandler]:
        """Deprecated in FastAPI, in favour of `lifespan=`; it still works."""
        warnings.warn(ON_EVENT_DEPRECATED, DeprecationWarning, stacklevel=2)

        def register(func: EventHandler) -> EventHandler:
            self.add_event_handler(event, func)
            return func

        return register

    def add_route(
        self, path: str, endpoint: Endpoint, methods: list[str] | None = None
    ) -> None:
        """Register `endpoint(request) -> Response` for path and methods; a plain
        `def` endpoint may block, so it will run in a worker thread."""
        methods = [m.upper() for m in methods or ["GET"]]
        if "GET" in methods:
            methods.append("HEAD")  # HEAD is a GET whose body the server drops
        for method in methods:
            self.handlers.setdefault(path, {})[method] = as_async(endpoint)

    def route(
        self, path: str, methods: list[str] | None = None
    ) -> Callable[[Endpoint], Endpoint]:
        """Decorator form of `add_route`."""

        def register(endpoint: Endpoint) -> Endpoint:
            self.add_route(path, endpoint, methods)
            return endpoint

        return register

    async def dispatch(self, request: Request) -> Response:
        methods = self.handlers.get(request.scope["path"])
        if methods is None:
            raise HTTPException(404)
        endpoint = methods.get(request.method)
        if endpoint is None:
            allow = ", ".join(sorted(methods))
            raise HTTPException(405, headers={"allow": allow})
        response: Response = await endpoint(request)
        return response

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The middle of the onion: lifespan, or a request to a handler."""
        if scope["type"] == "lifespan":
            await run_lifespan(scope, receive, send, self.lifespan_context)
            return
        request = Request(scope, receive)
        response = await self.dispatch(request)
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        await self.middleware_stack(scope, receive, send)
