"""The App: one object that is an ASGI app and dispatches to handlers.

The server calls `await app(scope, receive, send)`. The App sends every
message through an onion of middleware it builds on first use:
ServerErrorMiddleware, then the user's middleware, then ExceptionMiddleware,
and in the middle the Router, which answers the lifespan protocol and hands
each HTTP request to the first route that matches it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any, Unpack

from .datastructures import State
from .exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
    websocket_exception_handler,
    websocket_request_validation_exception_handler,
)
from .exceptions import (
    FastAPIDeprecationWarning,
    HTTPException,
    RequestValidationError,
    WebSocketException,
    WebSocketRequestValidationError,
)
from .lifespan import (
    EventHandler,
    Lifespan,
    LifespanGenerator,
)
from .middleware import Middleware
from .middleware.dispatch import Dispatch, DispatchMiddleware
from .middleware.errors import ServerErrorMiddleware
from .middleware.exceptions import ExceptionHandler, ExceptionMiddleware
from .openapi.docs import Render, docs_files, docs_page, redoc_html, swagger_ui_html
from .openapi.utils import get_openapi
from .params import Depends
from .requests import Request
from .responses import JSONResponse, Response
from .router import BaseRoute, Decorator, Endpoint, F, Router, WebSocketEndpoint
from .routing import APIRoute, APIRouter, RouteDecorators, RouteOptions, RouterOptions
from .types import ASGIApp, Receive, Scope, Send

ON_EVENT_DEPRECATED = "on_event is deprecated, use lifespan event handlers instead."
ROOT_PATH_DEPRECATED = (  # FastAPI's words
    "The `root_path` parameter is deprecated. Configure the server's root path "
    "instead, for example with `fastapi run --root-path /api/v1`."
)


def served_from(document: dict[str, Any], root_path: str) -> dict[str, Any]:
    """The document, with the root path it was asked under as its first server."""
    servers = document.get("servers", [])
    if any(server.get("url") == root_path for server in servers):
        return document
    return {**document, "servers": [{"url": root_path}, *servers]}


class App(RouteDecorators):
    def __init__(
        self,
        debug: bool = False,
        middleware: list[Middleware] | None = None,
        exception_handlers: dict[int | type[Exception], ExceptionHandler] | None = None,
        lifespan: Lifespan | LifespanGenerator | None = None,
        on_startup: list[EventHandler] | None = None,
        on_shutdown: list[EventHandler] | None = None,
        redirect_slashes: bool = True,
        dependencies: Sequence[Depends] | None = None,
        title: str = "FastAPI",
        version: str = "0.1.0",
        description: str = "",
        openapi_url: str | None = "/openapi.json",
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        summary: str | None = None,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,  # {name, identifier or url}
        openapi_tags: list[dict[str, Any]] | None = None,  # {name, description...}
        servers: list[dict[str, Any]] | None = None,  # {url, description}
        root_path: str = "",  # deprecated: the server's --root-path says it
        root_path_in_servers: bool = True,
        separate_input_output_schemas: bool = True,
        swagger_ui_parameters: dict[str, Any] | None = None,
        default_response_class: type[Response] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | None = None,
        strict_content_type: bool = True,  # False: a body without a type is JSON
    ) -> None:
        self.debug = debug
        self.title, self.version, self.description = title, version, description
        self.summary, self.terms_of_service = summary, terms_of_service
        self.contact, self.license_info = contact, license_info
        self.openapi_tags, self.servers = openapi_tags, servers
        self.separate_input_output_schemas = separate_input_output_schemas
        self.openapi_url, self.docs_url = openapi_url, docs_url
        self.redoc_url = redoc_url
        self.swagger_ui_parameters = swagger_ui_parameters
        if root_path:
            warnings.warn(ROOT_PATH_DEPRECATED, FastAPIDeprecationWarning, stacklevel=2)
        self.root_path, self.root_path_in_servers = root_path, root_path_in_servers
        self.openapi_schema: dict[str, Any] | None = None
        self.state = State()
        self.user_middleware = list(middleware or [])
        self.exception_handlers: dict[int | type[Exception], ExceptionHandler] = {
            HTTPException: http_exception_handler,
            RequestValidationError: request_validation_exception_handler,
            WebSocketException: websocket_exception_handler,
            WebSocketRequestValidationError: (
                websocket_request_validation_exception_handler
            ),
            **(exception_handlers or {}),
        }
        self.router = APIRouter(
            redirect_slashes=redirect_slashes,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
            dependencies=dependencies,
            default_response_class=default_response_class,
            generate_unique_id_function=generate_unique_id_function,
            strict_content_type=strict_content_type,
        )
        self.webhooks = APIRouter()  # the requests we send: documented only
        # Tests swap a dependency for a fake: overrides[get_db] = fake_db
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.middleware_stack: ASGIApp | None = None
        if self.openapi_url:
            self.setup_docs(self.openapi_url)

    def setup_docs(self, openapi_url: str) -> None:
        """`/openapi.json` and the pages, left out of the document. The files the
        pages load are served only where no route matched (the router's
        default), so they never hide a route of the user's."""

        async def openapi(request: Request) -> Response:
            document = self.openapi()  # an app.openapi set by the user wins
            root_path = request.scope.get("root_path", "").rstrip("/")
            if root_path and self.root_path_in_servers:
                document = served_from(document, root_path)
            return JSONResponse(document)

        self.add_route(openapi_url, openapi)
        files = Router(redirect_slashes=False)
        swagger_ui: Render = partial(
            swagger_ui_html, parameters=self.swagger_ui_parameters
        )
        pages = [
            ("swagger", self.docs_url, swagger_ui, "Swagger UI"),
            ("redoc", self.redoc_url, redoc_html, "ReDoc"),
        ]
        for folder, url, render, label in pages:
            if url:
                title = f"{self.title} - {label}"
                self.add_route(url, docs_page(render, title, openapi_url, url))
                files.add_route(url + "/{name}", docs_files(folder))
        self.router.default = files

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, built on first use and then kept."""
        if self.openapi_schema is None:
            self.openapi_schema = get_openapi(
                title=self.title,
                version=self.version,
                summary=self.summary,
                description=self.description,
                routes=self.routes,
                webhooks=self.webhooks.routes,
                tags=self.openapi_tags,
                servers=self.servers,
                terms_of_service=self.terms_of_service,
                contact=self.contact,
                license_info=self.license_info,
                separate_input_output_schemas=self.separate_input_output_schemas,
            )
        return self.openapi_schema

    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap the router in the onion; the first middleware listed is outermost."""
        handlers = dict(self.exception_handlers)
        server_error = handlers.pop(Exception, None)
        server_error = handlers.pop(500, server_error)  # a 500 handler wins
        stack = [
            Middleware(ServerErrorMiddleware, handler=server_error, debug=self.debug),
            *self.user_middleware,
            Middleware(ExceptionMiddleware, handlers=handlers),
        ]
        app: ASGIApp = self.router
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
        self.router.add_event_handler(event, func)

    def on_event(self, event: str) -> Callable[[EventHandler], EventHandler]:
        """Deprecated in FastAPI, in favour of `lifespan=`; it still works."""
        warnings.warn(ON_EVENT_DEPRECATED, DeprecationWarning, stacklevel=2)

        def register(func: EventHandler) -> EventHandler:
            self.add_event_handler(event, func)
            return func

        return register

    # The routes: all kept by the router, which FastAPI's decorators fill.

    def add_route(
        self, path: str, endpoint: Endpoint, methods: list[str] | None = None
    ) -> None:
        """A Starlette-style route: `endpoint(request) -> Response`."""
        self.router.add_route(path, endpoint, methods)

    def route(self, path: str, methods: list[str] | None = None) -> Decorator[F]:
        return self.router.route(path, methods)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] = ("GET",),
        **options: Unpack[RouteOptions],
    ) -> None:
        self.router.add_api_route(path, endpoint, methods, **options)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
    ) -> None:
        self.router.add_api_websocket_route(path, endpoint, name, dependencies)

    def add_websocket_route(
        self, path: str, endpoint: WebSocketEndpoint, name: str | None = None
    ) -> None:
        """A Starlette-style WebSocket route: `async def endpoint(websocket)`."""
        self.router.add_websocket_route(path, endpoint, name)

    def websocket_route(self, path: str, name: str | None = None) -> Decorator[F]:
        return self.router.websocket_route(path, name)

    def include_router(
        self, router: APIRouter, prefix: str = "", **options: Unpack[RouterOptions]
    ) -> None:
        self.router.include_router(router, prefix, **options)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        self.router.mount(path, app, name=name)

    def url_path_for(self, name: str, **params: Any) -> str:
        return self.router.url_path_for(name, **params)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.root_path:
            scope["root_path"] = self.root_path
        scope["dependency_overrides"] = self.dependency_overrides or {}  # routes read
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        await self.middleware_stack(scope, receive, send)


FastAPI = App  # FastAPI's name for it, so that `from fastapi import FastAPI` works
