"""FastAPI's routing, on top of the plain router (`router.py`): decorators.

`@router.get("/items/{item_id}")` makes an APIRoute, a Route that answers
exactly the methods it was given and carries tags. An APIRouter collects them
under a prefix and tags, and `include_router` copies another router's routes
in. This is the layer `fastapi/routing.py` adds to `starlette/routing.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypedDict, Unpack

from .lifespan import EventHandler, Lifespan, LifespanGenerator
from .router import BaseRoute, Decorator, F, Mount, Route, Router


class RouteOptions(TypedDict, total=False):
    """What `@app.get(path, ...)` accepts, and what its APIRoute keeps."""

    name: str | None
    tags: Sequence[str]


def check_options(options: RouteOptions) -> None:
    unknown = options.keys() - RouteOptions.__optional_keys__
    if unknown:
        raise TypeError(f"unknown route options: {sorted(unknown)}")


def check_prefix(prefix: str) -> str:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(
            f"a prefix starts with '/' and does not end with it: {prefix!r}"
        )
    return prefix


class APIRoute(Route):
    """The route FastAPI's decorators make: exactly the methods given, and tags."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] = ("GET",),
        **options: Unpack[RouteOptions],
    ) -> None:
        check_options(options)
        self.options = options  # kept, so include_router can make a copy
        self.tags = list(options.get("tags") or [])
        super().__init__(path, endpoint, methods=methods, name=options.get("name"))

    def add_implicit_methods(self) -> None:
        pass  # `@app.get` answers GET only; HEAD gets a 405, as in FastAPI


class RouteDecorators:
    """`@get(path)` and its friends, for a class that has `add_api_route`:
    APIRouter has its own, the App hands its routes to its router."""

    add_api_route: Callable[..., None]

    def api_route(
        self,
        path: str,
        methods: Collection[str] = ("GET",),
        **options: Unpack[RouteOptions],
    ) -> Decorator[F]:
        def register(endpoint: F) -> F:
            self.add_api_route(path, endpoint, methods, **options)
            return endpoint

        return register

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["GET"], **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["PUT"], **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["POST"], **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["DELETE"], **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["PATCH"], **options)

    def options(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["OPTIONS"], **options)

    def head(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["HEAD"], **options)

    def trace(self, path: str, **options: Unpack[RouteOptions]) -> Decorator[F]:
        return self.api_route(path, ["TRACE"], **options)


class APIRouter(Router, RouteDecorators):
    """A Router with FastAPI's decorators, a prefix and tags for its routes."""

    def __init__(
        self,
        prefix: str = "",
        tags: Sequence[str] | None = None,
        routes: Sequence[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        on_startup: Sequence[EventHandler] | None = None,
        on_shutdown: Sequence[EventHandler] | None = None,
        lifespan: Lifespan | LifespanGenerator | None = None,
    ) -> None:
        super().__init__(routes, redirect_slashes, on_startup, on_shutdown, lifespan)
        self.prefix, self.tags = check_prefix(prefix), list(tags or [])

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] = ("GET",),
        **options: Unpack[RouteOptions],
    ) -> None:
        """The route behind `@router.get(...)` and friends."""
        options["tags"] = [*self.tags, *options.get("tags", [])]
        route = APIRoute(self.prefix + path, endpoint, methods, **options)
        self.routes.append(route)

    def include_router(
        self, router: APIRouter, prefix: str = "", tags: Sequence[str] | None = None
    ) -> None:
        """Copy another router's routes in, under `prefix`, with extra `tags`."""
        check_prefix(prefix)
        for route in router.routes:
            if isinstance(route, APIRoute):
                options: RouteOptions = {**route.options}
                options["tags"] = [*(tags or []), *route.tags]
                path, methods = prefix + route.path, route.methods
                self.add_api_route(path, route.endpoint, methods, **options)
            elif isinstance(route, Route):
                path, methods = self.prefix + prefix + route.path, route.methods
                self.add_route(path, route.endpoint, methods, route.name)
            elif isinstance(route, Mount):
                path = self.prefix + prefix + route.path
                self.routes.append(Mount(path, route.app, name=route.name))
