"""The router: find the route for a request, or explain why there is none.

Each route compiles its path template once, at registration, into a regular
expression. For a request, the router asks each route in order whether it
`matches`: FULL (path and method), PARTIAL (the path only) or NONE. The first
FULL route handles the request; otherwise the first PARTIAL one answers 405;
otherwise the router tries the path with its trailing slash flipped and
redirects there; otherwise 404. An APIRoute reads its handler's signature at
registration, and per request validates the input, calls the handler and
turns what it returns into a Response.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from enum import Enum
from functools import cached_property
from typing import Any

import pydantic
from pydantic import TypeAdapter

from .concurrency import as_async, run_in_threadpool
from .convertors import CONVERTORS, Convertor
from .datastructures import URL
from .dependencies import Missing, Solver, get_route_dependant, read_body, signature
from .encoders import jsonable_encoder
from .exceptions import (
    HTTPException,
    RequestValidationError,
    ResponseValidationError,
)
from .lifespan import Lifespan, run_lifespan
from .params import Depends
from .requests import Request
from .responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    body_allowed,
)
from .types import ASGIApp, Receive, Scope, Send

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


class Match(Enum):
    NONE = 0
    PARTIAL = 1
    FULL = 2


class NoMatchFound(Exception):
    """No route has that name and those parameters (reverse routing)."""


def compile_path(path: str) -> tuple[re.Pattern, str, dict[str, Convertor]]:
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


def check_prefix(prefix: str) -> str:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(
            f"a prefix starts with '/' and does not end with it: {prefix!r}"
        )
    return prefix


def route_path(scope: Scope) -> str:
    """The path below where this app is mounted: `path` minus `root_path`."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in "/":
        return path[len(root) :] or "/"
    return path


async def refuse(scope: Scope, receive: Receive, send: Send, exc: HTTPException):
    """Inside an App, raise for the exception handlers; standing alone, answer."""
    if "app" in scope:
        raise exc
    response = PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
    await response(scope, receive, send)


def request_response(endpoint: Callable[[Request], Any]) -> ASGIApp:
    """Turn `endpoint(request) -> Response` into an ASGI app (`def` in a thread)."""
    endpoint = as_async(endpoint)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive))
        await response(scope, receive, send)

    return app


class BaseRoute:
    path: str
    name: str | None
    path_regex: re.Pattern
    path_format: str
    convertors: dict[str, Convertor]

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

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"a route path must start with '/': {path!r}")
        self.path, self.endpoint = path, endpoint
        default_name = getattr(endpoint, "__name__", type(endpoint).__name__)
        self.name = default_name if name is None else name
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


DUMP_OPTIONS = {
    "response_model_include": "include",
    "response_model_exclude": "exclude",
    "response_model_by_alias": "by_alias",
    "response_model_exclude_unset": "exclude_unset",
    "response_model_exclude_defaults": "exclude_defaults",
    "response_model_exclude_none": "exclude_none",
}
ROUTE_OPTIONS = {"methods", "name", "tags", "status_code", "response_model"}
ROUTE_OPTIONS |= {"response_class", "dependencies", *DUMP_OPTIONS}
UNSET: Any = object()  # response_model not given: the return annotation decides


class APIRoute(Route):
    """The route FastAPI's decorators make: the handler's signature is a contract.

    It answers exactly the methods given (HEAD gets a 405, as in FastAPI).
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any):
        unknown = set(options) - ROUTE_OPTIONS
        if unknown:
            raise TypeError(f"unknown route options: {sorted(unknown)}")
        self.options = options  # kept, so include_router can make a copy
        self.tags: list[str] = list(options.get("tags") or [])
        self.status_code = options.get("status_code")
        self.response_class = options.get("response_class")
        self.dump_options = {"by_alias": True}  # FastAPI writes the aliases
        self.dump_options |= {
            DUMP_OPTIONS[k]: v for k, v in options.items() if k in DUMP_OPTIONS
        }
        self.response_model = options.get("response_model", UNSET)
        self.dependencies = list(options.get("dependencies") or [])
        methods, name = options.get("methods"), options.get("name")
        super().__init__(path, endpoint, methods=methods, name=name)

    def add_implicit_methods(self) -> None:
        pass  # `@app.get` answers GET only; HEAD gets a 405, as in FastAPI

    def build_app(self, endpoint: Callable[..., Any]) -> ASGIApp:
        """Registration time: read the signature, build the validators."""
        self.dependant = get_route_dependant(self.path, endpoint, self.dependencies)
        self.reads_body = bool(self.dependant.flat_body())
        if self.response_model is UNSET:
            returns = signature(endpoint).return_annotation
            is_response = isinstance(returns, type) and issubclass(returns, Response)
            self.response_model = None if is_response else returns
        if self.response_model is inspect.Signature.empty:
            self.response_model = None
        self.response_adapter = (
            TypeAdapter(self.response_model) if self.response_model else None
        )
        return self.run_with_cleanup

    async def run_with_cleanup(self, scope: Scope, receive: Receive, send: Send):
        """Yield dependencies clean up when the handler returns (scope="function")
        or after the response and its background tasks (the default)."""
        overrides = getattr(scope.get("app"), "dependency_overrides", None)
        if not (self.dependant.uses_yield or overrides):  # no cleanup to wait for
            response = await self.handle_request(Request(scope, receive), (None, None))
            await response(scope, receive, send)
            return
        sent = False
        async with AsyncExitStack() as request_stack:
            async with AsyncExitStack() as function_stack:
                stacks = (request_stack, function_stack)
                response = await self.handle_request(Request(scope, receive), stacks)
            await response(scope, receive, send)
            sent = True
        if not sent:  # a yield dependency swallowed the handler's exception
            raise RuntimeError("no response: a dependency with yield caught an error")

    async def handle_request(self, request: Request, stacks: tuple) -> Response:
        """Request time: validate, call the handler, build the response."""
        body = await read_body(request) if self.reads_body else Missing
        overrides = getattr(request.scope.get("app"), "dependency_overrides", {})
        embedded = self.dependant.embedded_body
        solver = Solver(request, body, *stacks, overrides, embedded)
        values, errors = await solver.solve(self.dependant)
        if errors:
            raise RequestValidationError(errors)
        if self.dependant.is_coroutine:
            result = await self.endpoint(**values)
        else:  # a plain `def` may block: it runs in a worker thread
            result = await run_in_threadpool(self.endpoint, **values)
        if isinstance(result, Response):
            result.background = result.background or solver.background
            return result  # the handler built it: send it untouched
        sub_response = solver.response
        status = sub_response and sub_response.status_code
        response = self.serialize(result, status or self.status_code)
        if sub_response is not None:  # headers and cookies the handler set
            response.raw_headers.extend(sub_response.raw_headers)
        response.background = solver.background
        return response

    def serialize(self, result: Any, status_code: int | None) -> Response:
        status = {"status_code": status_code} if status_code else {}
        if self.response_adapter is None:
            response_class = self.response_class or JSONResponse
            response = response_class(jsonable_encoder(result), **status)
        elif self.response_class is None:  # Pydantic writes the JSON itself
            data = self.response_adapter.dump_json(
                self.validate_output(result), **self.dump_options
            )
            response = Response(data, media_type="application/json", **status)
        else:
            data = self.response_adapter.dump_python(
                self.validate_output(result), mode="json", **self.dump_options
            )
            response = self.response_class(data, **status)
        if not body_allowed(response.status_code):
            response.body = b""
            del response.headers["content-length"]
        return response

    def validate_output(self, result: Any) -> Any:
        """The response_model filters the output; a mismatch is our bug: a 500."""
        try:
            return self.response_adapter.validate_python(result, from_attributes=True)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            located = [{**e, "loc": ("response", *e["loc"])} for e in errors]
            raise ResponseValidationError(located) from exc


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
        params = self.match_path(scope) if scope["type"] == "http" else None
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
    """An ordered list of routes, itself an ASGI app; FastAPI calls it APIRouter."""

    def __init__(
        self,
        routes: Sequence[BaseRoute] | None = None,
        prefix: str = "",
        tags: list[str] | None = None,
        redirect_slashes: bool = True,
        lifespan: Lifespan | None = None,
        dependencies: list[Depends] | None = None,
    ) -> None:
        self.routes: list[BaseRoute] = list(routes or [])
        self.prefix, self.tags = check_prefix(prefix), list(tags or [])
        self.dependencies = list(dependencies or [])  # run before every route's
        self.redirect_slashes = redirect_slashes
        self.lifespan_context = lifespan

    # Registration -------------------------------------------------------

    def add_route(
        self, path: str, endpoint: Callable[..., Any], methods=None, name=None
    ):
        """A Starlette-style route: `async def endpoint(request) -> Response`."""
        self.routes.append(
            Route(self.prefix + path, endpoint, methods=methods, name=name)
        )

    def route(self, path: str, methods: list[str] | None = None, name=None) -> Callable:
        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            self.add_route(path, endpoint, methods=methods, name=name)
            return endpoint

        return register

    def add_api_route(
        self, path: str, endpoint: Callable[..., Any], **options: Any
    ) -> None:
        """The route behind `@router.get(...)` and friends."""
        options["tags"] = self.tags + list(options.get("tags") or [])
        options["dependencies"] = self.dependencies + (
            options.get("dependencies") or []
        )
        self.routes.append(APIRoute(self.prefix + path, endpoint, **options))

    def api_route(self, path: str, **options: Any) -> Callable:
        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            self.add_api_route(path, endpoint, **options)
            return endpoint

        return register

    def get(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["GET"], **options)

    def put(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["PUT"], **options)

    def post(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["POST"], **options)

    def delete(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["DELETE"], **options)

    def patch(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["PATCH"], **options)

    def options(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["OPTIONS"], **options)

    def head(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["HEAD"], **options)

    def trace(self, path: str, **options: Any) -> Callable:
        return self.api_route(path, methods=["TRACE"], **options)

    def include_router(
        self,
        router: Router,
        prefix: str = "",
        tags: list[str] | None = None,
        dependencies: list[Depends] | None = None,
    ) -> None:
        """Copy another router's routes in, under `prefix`, with extra `tags`."""
        check_prefix(prefix)
        for route in router.routes:
            if isinstance(route, APIRoute):
                options = {**route.options, "tags": list(tags or []) + route.tags}
                options["dependencies"] = [*(dependencies or []), *route.dependencies]
                self.add_api_route(prefix + route.path, route.endpoint, **options)
            elif isinstance(route, Route):
                methods = route.methods
                self.add_route(prefix + route.path, route.endpoint, methods, route.name)
            elif isinstance(route, Mount):
                mount = Mount(
                    self.prefix + prefix + route.path, route.app, name=route.name
                )
                self.routes.append(mount)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        self.routes.append(Mount(self.prefix + path, app=app, name=name))

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
                continue  # cheap to rule out: the literal start differs
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
        await refuse(scope, receive, send, HTTPException(404))

    def slash_redirect(self, scope: Scope) -> Response | None:
        """`/items` matches nothing but `/items/` does: send the client there."""
        path = route_path(scope)
        if not self.redirect_slashes or path == "/":
            return None
        flipped = (
            scope["path"].rstrip("/") if path.endswith("/") else scope["path"] + "/"
        )
        other = {**scope, "path": flipped}
        if any(route.matches(other)[0] is not Match.NONE for route in self.routes):
            return RedirectResponse(str(URL.from_scope(other)))
        return None
