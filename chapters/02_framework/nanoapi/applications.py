"""The App: one object that is an ASGI app and dispatches to handlers.

The server calls `await app(scope, receive, send)`. The App answers the
lifespan protocol itself, wraps each HTTP request in a Request, finds the
handler registered for its path and method, and sends the Response it returns.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from .requests import Request
from .responses import JSONResponse, Response
from .types import Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class App:
    def __init__(self) -> None:
        # path -> method -> handler; chapter 04's router replaces this table.
        self.handlers: dict[str, dict[str, Endpoint]] = {}

    def add_route(
        self, path: str, endpoint: Endpoint, methods: list[str] | None = None
    ) -> None:
        """Register `async def endpoint(request) -> Response` for path and methods."""
        if not inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{endpoint.__name__} must be an `async def` handler")
        methods = [m.upper() for m in methods or ["GET"]]
        if "GET" in methods:
            methods.append("HEAD")  # HEAD is a GET whose body the server drops
        for method in methods:
            self.handlers.setdefault(path, {})[method] = endpoint

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
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        endpoint = methods.get(request.method)
        if endpoint is None:
            allow = ", ".join(sorted(methods))
            return JSONResponse(
                {"detail": "Method Not Allowed"},
                status_code=405,
                headers={"allow": allow},
            )
        return await endpoint(request)

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self.dispatch(request)
        await response(scope, receive, send)
