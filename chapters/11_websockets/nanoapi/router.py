"""The router: find the route for a request, or explain why there is none.

Each route compiles its path template once, at registration, into a regular
expression. For a request, the router asks each route in order whether it
`matches`: FULL (path and method), PARTIAL (the path only) or NONE. The first
FULL route handles the request; otherwise the first PARTIAL one answers 405;
otherwise the router tries the path with its trailing slash flipped and
redirects there; otherwise 404. A `websocket` scope matches WebSocketRoutes
(and mounts) only, and with no match it is closed, which the server answers
with a 403. Routes, mounts and routers are all ASGI apps.
This is Starlette's layer (`starlette/routing.py`); FastAPI's decorators sit
on top of it, in `routing.py`, as FastAPI's do.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar

from .concurrency import as_async
from .convertors import CONVERTORS, Convertor
from .datastructures import URL
from .exceptions import HTTPException
from .lifespan import (
    EventHandler,
    Lifespan,
    LifespanGenerator,
    as_lifespan,
    event_handlers_lifespan,
    run_lifespan,
)
from .requests import Request
from .responses import PlainTextResponse, RedirectResponse, Response
from .types import ASGIApp, Receive, Scope, Send
from .websockets import WebSocket, WebSocketClose

Endpoint = Callable[[Request], Awaitable[Response] | Response]
WebSocketEndpoint = Callable[[WebSocket], Awaitable[None]]
F = TypeVar("F", bound=Callable[..., Any])  # a decorated function, kept as it is
Decorator = Callable[[F], F]

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


class Match(Enum):
    NONE = 0
    PARTIAL = 1
    FULL = 2


class NoMatchFound(Exception):
    """No route has that name and those parameters (reverse routing)."""


def compile_path(path: str) -> tuple[re.Pattern[str], str, dict[str, Convertor]]:
    """`/items/{id:int}` -> (regex, `/items/{id}`, {"id": IntegerConvertor})."""
    regex, template, convertors, end = "^", "", {}, 0
    for match in PARAM.finditer(path):
        name, kind = match.group(1), match.group(2) or "str"
        if kind not in CONVERTORS:
            raise ValueError(f"unknown path convertor {kind!r} in {path}")
        if name in convertors:
            raise ValueError(f"duplicated parameter {name!r} in {path}")
        convertors[name] = CONVERTORS[kind]
        regex += re.escape(path[end : match.start()])
        regex += f"(?P<{name}>{convertors[name].regex})"
        template += path[end : match.start()] + "{" + name + "}"
        end = match.end()
    regex += re.escape(path[end:]) + "$"
    return re.compile(regex), template + path[end:], convertors


def route_path(scope: Scope) -> str:
    """The path below where this app is mounted: `path` minus `root_path`."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in "/":
        return path[len(root) :] or "/"
    return path


async def refuse(
    scope: Scope, receive: Receive, send: Send, exc: HTTPException
) -> None:
    """Inside an App, raise for the exception handlers; standing alone, answer."""
    if "app" in scope:
        raise exc
    response = PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    await response(scope, receive, send)


def request_response(endpoint: Endpoint) -> ASGIApp:
    """Turn `endpoint(request) -> Response` into an ASGI app (`def` in a thread)."""
    call = as_async(endpoint)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response: Response = await call(Request(scope, receive))
        await response(scope, receive, send)

    return app


def name_of(endpoint: Callable[..., Any]) -> str:
    """A route's name when none is given: its endpoint's (or its class's)."""
    return getattr(endpoint, "__name__", type(endpoint).__name__)


def websocket_session(endpoint: WebSocketEndpoint) -> ASGIApp:
    """Turn `async def endpoint(websocket)` into an ASGI app."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await endpoint(WebSocket(scope, receive, send))

    return app


class BaseRoute:
    """What every route is: an ASGI app that can say whether a scope `matches`
    it, and `handle` one that does."""

    path: str
    name: str | None
    path_regex: re.Pattern[str]
    path_format: str
    convertors: dict[str, Convertor]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """NONE, PARTIAL or FULL, and what to add to the scope if it is used."""
        raise NotImplementedError

    def check_path(self, path: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a route path must start with '/': {path!r}")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Standing alone, a route handles what it matches, and 404s the rest."""
        match, child = self.matches(scope)
        if match is Match.NONE:
            if scope["type"] == "http":
                await refuse(scope, receive, send, HTTPException(404))
            elif scope["type"] == "websocket":
                await WebSocketClose()(scope, receive, send)
            return
        scope.update(child)
        await self.handle(scope, receive, send)

    @cached_property
    def start(self) -> str:
        """What every matching path starts with: `/items/` for `/items/{id}`."""
        return self.path_format.partition("{")[0]

    def match_path(self, scope: Scope) -> dict[str, Any] | None:
        """Path parameters (converted) if the path matches, else None."""
        found = self.path_regex.match(route_path(scope))
        if found is None:
            return None
        params = {
            k: self.convertors[k].convert(v) for k, v in found.groupdict().items()
        }
        return {**scope.get("path_params", {}), **params}

    def url_path_for(self, name: str, **params: Any) -> str:
        if name != self.name or set(params) != set(self.convertors):
            raise NoMatchFound(name)
        text = {k: self.convertors[k].to_string(v) for k, v in params.items()}
        return self.path_format.format(**text)


class Route(BaseRoute):
    """A path template and methods, handled by `async def endpoint(request)`."""

    name: str  # the endpoint's name unless given: routes are always named

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Collection[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.check_path(path)
        self.path, self.endpoint = path, endpoint
        self.name = name_of(endpoint) if name is None else name
        self.methods = {m.upper() for m in methods or ["GET"]}
        self.add_implicit_methods()
        self.path_regex, self.path_format, self.convertors = compile_path(path)
        self.app = self.build_app(endpoint)

    def add_implicit_methods(self) -> None:
        if "GET" in self.methods:
            self.methods.add("HEAD")  # HEAD is a GET whose body the server drops

    def build_app(self, endpoint: Callable[..., Any]) -> ASGIApp:
        return request_response(endpoint)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        params = self.match_path(scope) if scope["type"] == "http" else None
        if params is None:
            return Match.NONE, {}
        child = {"endpoint": self.endpoint, "path_params": params}
        full = scope["method"] in self.methods
        return (Match.FULL if full else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in self.methods:
            allow = ", ".join(sorted(self.methods))
            exc = HTTPException(405, headers={"allow": allow})
            await refuse(scope, receive, send, exc)
            return
        await self.app(scope, receive, send)


class WebSocketRoute(BaseRoute):
    """A path template for WebSockets, handled by `async def endpoint(websocket)`."""

    name: str

    def __init__(
        self, path: str, endpoint: Callable[..., Any], *, name: str | None = None
    ) -> None:
        self.check_path(path)
        self.path, self.endpoint = path, endpoint
        self.name = name_of(endpoint) if name is None else name
        self.path_regex, self.path_format, self.convertors = compile_path(path)
        self.app = self.build_app(endpoint)

    def build_app(self, endpoint: Callable[..., Any]) -> ASGIApp:
        return websocket_session(endpoint)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        params = self.match_path(scope) if scope["type"] == "websocket" else None
        if params is None:
            return Match.NONE, {}
        return Match.FULL, {"endpoint": self.endpoint, "path_params": params}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Mount(BaseRoute):
    """Hand every path under a prefix to another ASGI app (or to routes)."""

    def __init__(
        self,
        path: str,
        app: ASGIApp | None = None,
        routes: Sequence[BaseRoute] | None = None,
        name: str | None = None,
    ) -> None:
        if path and not path.startswith("/"):
            raise ValueError(f"a mount path must start with '/': {path!r}")
        self.path, self.name = path.rstrip("/"), name
        self.app = app if app is not None else Router(routes=routes)
        template = self.path + "/{path:path}"
        self.path_regex, self.path_format, self.convertors = compile_path(template)

    @property
    def routes(self) -> list[BaseRoute]:
        return getattr(self.app, "routes", [])

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        wanted = scope["type"] in ("http", "websocket")
        params = self.match_path(scope) if wanted else None
        if params is None:
            return Match.NONE, {}
        remaining = "/" + params.pop("path")
        matched = route_path(scope)[: -len(remaining)]
        root_path = scope.get("root_path", "")
        child = {
            "path_params": params,
            "root_path": root_path + matched,
            "app_root_path": scope.get("app_root_path", root_path),  # for url_for
            "endpoint": self.app,
        }
        return Match.FULL, child

    def url_path_for(self, name: str, **params: Any) -> str:
        if name == self.name and "path" in params:
            params["path"] = str(params["path"]).lstrip("/")  # the template has it
            return super().url_path_for(name, **params)
        prefix = f"{self.name}:" if self.name else ""
        if not name.startswith(prefix):
            raise NoMatchFound(name)
        inner = {k: v for k, v in params.items() if k not in self.convertors}
        for route in self.routes:
            try:
                return self.path + route.url_path_for(name[len(prefix) :], **inner)
            except NoMatchFound:
                continue
        raise NoMatchFound(name)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Router:
    """An ordered list of routes, itself an ASGI app."""

    def __init__(
        self,
        routes: Sequence[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        on_startup: Sequence[EventHandler] | None = None,
        on_shutdown: Sequence[EventHandler] | None = None,
        lifespan: Lifespan | LifespanGenerator | None = None,
        default: ASGIApp | None = None,
    ) -> None:
        self.routes: list[BaseRoute] = list(routes or [])
        self.redirect_slashes = redirect_slashes
        self.default = self.not_found if default is None else default  # no match
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.lifespan_context = (
            event_handlers_lifespan(self.on_startup, self.on_shutdown)
            if lifespan is None
            else as_lifespan(lifespan)
        )

    # Registration -------------------------------------------------------

    def add_route(
        self,
        path: str,
        endpoint: Endpoint,
        methods: Collection[str] | None = None,
        name: str | None = None,
    ) -> None:
        """A Starlette-style route: `async def endpoint(request) -> Response`."""
        self.routes.append(Route(path, endpoint, methods=methods, name=name))

    def route(
        self, path: str, methods: Sequence[str] | None = None, name: str | None = None
    ) -> Decorator[F]:
        def register(endpoint: F) -> F:
            self.add_route(path, endpoint, methods=methods, name=name)
            return endpoint

        return register

    def add_websocket_route(
        self, path: str, endpoint: WebSocketEndpoint, name: str | None = None
    ) -> None:
        """A Starlette-style WebSocket route: `async def endpoint(websocket)`."""
        self.routes.append(WebSocketRoute(path, endpoint, name=name))

    def websocket_route(self, path: str, name: str | None = None) -> Decorator[F]:
        def register(endpoint: F) -> F:
            self.add_websocket_route(path, endpoint, name=name)
            return endpoint

        return register

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        self.routes.append(Mount(path, app=app, name=name))

    def add_event_handler(self, event: str, func: EventHandler) -> None:
        """Run `func` at "startup" or "shutdown" (routers without a lifespan)."""
        {"startup": self.on_startup, "shutdown": self.on_shutdown}[event].append(func)

    def url_path_for(self, name: str, **params: Any) -> str:
        for route in self.routes:
            try:
                return route.url_path_for(name, **params)
            except NoMatchFound:
                continue
        raise NoMatchFound(f"no route named {name!r} takes {sorted(params)}")

    # Dispatch -------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("router", self)
        if scope["type"] == "lifespan":
            await run_lifespan(scope, receive, send, self.lifespan_context)
            return
        partial, path = None, route_path(scope)
        for route in self.routes:
            if not path.startswith(route.start):
                continue  # ruled out without the regex: 5-12% of a request
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_child = route, child
        if partial is not None:
            scope.update(partial_child)
            await partial.handle(scope, receive, send)
            return
        redirect = self.slash_redirect(scope)
        if redirect is not None:
            await redirect(scope, receive, send)
            return
        await self.default(scope, receive, send)

    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)
            return
        await refuse(scope, receive, send, HTTPException(404))

    def slash_redirect(self, scope: Scope) -> Response | None:
        """`/items` matches nothing but `/items/` does: send the client there."""
        path = route_path(scope)
        if not self.redirect_slashes or path == "/" or scope["type"] != "http":
            return None
        flipped = (
            scope["path"].rstrip("/") if path.endswith("/") else scope["path"] + "/"
        )
        other = {**scope, "path": flipped}
        if any(route.matches(other)[0] is not Match.NONE for route in self.routes):
            return RedirectResponse(str(URL.from_scope(other)))
        return None
