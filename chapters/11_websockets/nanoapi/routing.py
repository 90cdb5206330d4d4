"""FastAPI's routing, on top of the plain router (`router.py`): decorators.

`@router.get("/items/{item_id}")` makes an APIRoute, a Route that answers
exactly the methods it was given and carries tags. An APIRouter collects them
under a prefix and tags, and `include_router` copies another router's routes
in. This is the layer `fastapi/routing.py` adds to `starlette/routing.py`.

An APIRoute reads its handler's signature at registration, and per request
validates the input, calls the handler and turns what it returns into a
Response. A handler that `yield`s streams instead: JSON lines by default,
server-sent events with `response_class=EventSourceResponse`, its own pieces
with another response class. An APIWebSocketRoute checks a WebSocket's
handshake (path, query, headers, cookies, dependencies) before its endpoint
runs.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AsyncExitStack
from enum import Enum
from typing import Any, TypedDict, Unpack, get_args, get_origin

import pydantic
from pydantic import PydanticSchemaGenerationError, TypeAdapter

from .concurrency import as_async, iterate_in_threadpool
from .dependencies import (
    Solver,
    get_route_dependant,
    is_form,
    is_subclass,
    read_body,
    read_form,
    signature,
)
from .encoders import jsonable_encoder
from .exceptions import (
    FastAPIError,
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
)
from .lifespan import EventHandler, Lifespan, LifespanGenerator
from .params import MISSING, Depends
from .requests import Request
from .responses import JSONResponse, Response, StreamingResponse
from .router import BaseRoute, Decorator, F, Mount, Route, Router, WebSocketRoute
from .sse import EventSourceResponse, ServerSentEvent, format_sse_event, with_keepalive
from .types import ASGIApp, Receive, Scope, Send
from .websockets import WebSocket

REQUEST_STACK = "nanoapi.request_stack"  # in the scope: cleanup after the response
NO_RESPONSE = (  # FastAPI's words, FastAPI's exception
    "No response object was returned. There's a high chance that the "
    "application code is raising an exception and a dependency with yield "
    "has a block with a bare except, or a block with except Exception, "
    "and is not raising the exception again."
)
INVALID_RESPONSE_MODEL = (  # FastAPI's first words, so that a search finds them
    "Invalid args for response field! {} is not a type Pydantic can validate; "
    "if it is a return annotation such as `Response | dict`, pass "
    "response_model=None to the decorator."
)


def request_response(handler: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    """Starlette's `request_response` (chapter 04), plus an exit stack around the
    handler *and* the sending: yield dependencies clean up in it after the
    response and its background tasks. FastAPI has its own version too."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            scope[REQUEST_STACK] = stack
            response = await handler(Request(scope, receive))
            await response(scope, receive, send)
            return
        raise FastAPIError(NO_RESPONSE)  # a yield dependency swallowed the error

    return app


class RouteOptions(TypedDict, total=False):
    """What `@app.get(path, ...)` accepts, and what its APIRoute keeps."""

    name: str | None
    tags: Sequence[str | Enum]  # an Enum member is documented as its value
    status_code: int | None
    response_model: Any  # not given: the return annotation decides
    response_class: type[Response] | None
    response_model_include: Any
    response_model_exclude: Any
    response_model_by_alias: bool
    response_model_exclude_unset: bool
    response_model_exclude_defaults: bool
    response_model_exclude_none: bool
    dependencies: Sequence[Depends]  # run before the handler, values unused
    summary: str | None  # what the OpenAPI document says of the route
    description: str | None
    response_description: str
    responses: dict[int | str, dict[str, Any]] | None
    deprecated: bool | None
    operation_id: str | None
    include_in_schema: bool
    callbacks: Sequence[BaseRoute] | None  # documented under this operation
    openapi_extra: dict[str, Any] | None  # deep-merged into its operation
    generate_unique_id_function: Callable[[APIRoute], str] | None
    strict_content_type: bool  # False: a body without a content type is JSON


class RouterOptions(TypedDict, total=False):
    """What `APIRouter(...)` and `include_router(...)` hand down to each route."""

    tags: Sequence[str | Enum] | None
    dependencies: Sequence[Depends] | None
    responses: dict[int | str, dict[str, Any]] | None
    callbacks: Sequence[BaseRoute] | None
    deprecated: bool | None
    include_in_schema: bool
    default_response_class: type[Response] | None
    generate_unique_id_function: Callable[[APIRoute], str] | None
    strict_content_type: bool | None  # None: the including router's


def with_defaults(options: RouteOptions, outer: RouterOptions) -> RouteOptions:
    """A route's options under a router's or an include's, as FastAPI merges
    them: lists and responses outer first, `deprecated` if either says so,
    documented only if both agree, and a class or id function the route
    lacks taken from outside."""
    merged: RouteOptions = {**options}
    merged["tags"] = [*(outer.get("tags") or []), *(options.get("tags") or [])]
    merged["dependencies"] = [
        *(outer.get("dependencies") or []),
        *(options.get("dependencies") or []),
    ]
    merged["callbacks"] = [
        *(outer.get("callbacks") or []),
        *(options.get("callbacks") or []),
    ]
    merged["responses"] = {
        **(outer.get("responses") or {}),
        **(options.get("responses") or {}),
    }
    merged["deprecated"] = options.get("deprecated") or outer.get("deprecated")
    documented = options.get("include_in_schema", True)
    merged["include_in_schema"] = documented and outer.get("include_in_schema", True)
    merged["response_class"] = options.get("response_class") or outer.get(
        "default_response_class"
    )
    merged["generate_unique_id_function"] = options.get(
        "generate_unique_id_function"
    ) or outer.get("generate_unique_id_function")
    strict = outer.get("strict_content_type")
    if "strict_content_type" not in options and strict is not None:
        merged["strict_content_type"] = strict
    return merged


def generate_unique_id(route: APIRoute) -> str:
    """`read_item` at `/items/{item_id}` with GET: `read_item_items__item_id__get`.
    It names the operation and the models made for it (`Body_...`)."""
    name = re.sub(r"\W", "_", f"{route.name}{route.path_format}")
    return f"{name}_{sorted(route.methods)[0].lower()}"


def check_options(options: Mapping[str, object], known: frozenset[str]) -> None:
    unknown = options.keys() - known  # a typo must not pass for a default
    if unknown:
        raise TypeError(f"unknown options: {sorted(unknown)}")


def check_prefix(prefix: str) -> str:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(
            f"a prefix starts with '/' and does not end with it: {prefix!r}"
        )
    return prefix


def response_model_of(endpoint: Callable[..., Any], options: RouteOptions) -> Any:
    """What the answer is validated and filtered as: the `response_model`
    option, else the return annotation (unless that is a Response), or None."""
    if "response_model" in options:
        return options["response_model"]
    returns = signature(endpoint).return_annotation
    if returns is inspect.Signature.empty or is_subclass(returns, Response):
        return None
    return returns


STREAMS = {AsyncIterable, AsyncIterator, AsyncGenerator, Iterable, Iterator, Generator}
JSON_LINES, EVENTS = "application/jsonl", "text/event-stream"


def encoding_of(response_class: type[Response] | None) -> str | None:
    """What a generator's items are encoded as, given the route's response
    class: JSON lines by default, events for an EventSourceResponse, and
    nothing (None) for another class, which sends the pieces as they are."""
    if response_class is None:
        return JSON_LINES
    return EVENTS if is_subclass(response_class, EventSourceResponse) else None


def stream_item_of(returns: Any) -> Any:
    """`AsyncIterable[Item]` -> Item (Any if bare); None for another annotation."""
    if get_origin(returns) not in STREAMS:
        return None
    return (get_args(returns) or (Any,))[0]


def finite(data: Any) -> Any:
    """JSON has no NaN or infinity: FastAPI streams them as null."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [finite(value) for value in data]
    return data


async def mapped(
    items: AsyncIterator[Any], encode: Callable[[Any], bytes]
) -> AsyncGenerator[bytes, None]:
    """Each item encoded; closing this closes `items` (their cleanup runs)."""
    try:
        async for item in items:
            yield encode(item)
    finally:
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()


def description_of(endpoint: Callable[..., Any], options: RouteOptions) -> str:
    """The `description` option, else the docstring, up to a form feed."""
    text = options.get("description")
    if text is None:
        text = inspect.cleandoc(endpoint.__doc__ or "")
    return text.split("\f")[0].strip()


class APIRoute(Route):
    """The route FastAPI's decorators make: the handler's signature is a contract.

    It answers exactly the methods given (HEAD gets a 405, as in FastAPI).
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] = ("GET",),
        **options: Unpack[RouteOptions],
    ) -> None:
        check_options(options, RouteOptions.__optional_keys__)
        self.options = options  # kept, so include_router can make a copy
        self.tags = list(options.get("tags") or [])
        self.status_code = options.get("status_code")
        self.response_class = options.get("response_class")
        self.response_model = response_model_of(endpoint, options)
        self.summary = options.get("summary")
        self.description = description_of(endpoint, options)
        self.response_description = options.get(
            "response_description", "Successful Response"
        )
        self.responses = options.get("responses") or {}
        self.deprecated = options.get("deprecated")
        self.operation_id = options.get("operation_id")
        self.include_in_schema = options.get("include_in_schema", True)
        self.callbacks = list(options.get("callbacks") or [])
        self.openapi_extra = options.get("openapi_extra")
        self.strict_content_type = options.get("strict_content_type", True)
        self.dump_options: dict[str, Any] = {"by_alias": True}  # as FastAPI does
        for key, value in options.items():  # response_model_exclude -> exclude...
            if key.startswith("response_model_"):
                self.dump_options[key.removeprefix("response_model_")] = value
        super().__init__(path, endpoint, methods=methods, name=options.get("name"))

    def check_path(self, path: str) -> None:
        """Any path, as in FastAPI: one that does not start with '/' is never
        matched, but a prefix may complete it (`include_router`), or it is a
        webhook's name or a callback's URL expression, only documented."""

    def add_implicit_methods(self) -> None:
        pass  # `@app.get` answers GET only; HEAD gets a 405, as in FastAPI

    def build_app(self, endpoint: Callable[..., Any]) -> ASGIApp:
        """Registration time: read the signature, build the validators."""
        dependencies = self.options.get("dependencies") or []
        self.dependant = get_route_dependant(self.path, endpoint, dependencies)
        self.streams = self.dependant.yields  # a generator streams its answer
        self.stream_encoding: str | None = None  # None: not a stream, or sent raw
        self.stream_item: Any = None
        if self.streams:
            self.stream_encoding = encoding_of(self.response_class)
        if self.streams and "response_model" not in self.options:
            item, self.response_model = stream_item_of(self.response_model), None
            if self.stream_encoding and not is_subclass(item, ServerSentEvent):
                self.stream_item = item  # validated, and documented as `itemSchema`
        self.body_fields = self.dependant.flat_body()
        self.reads_form = any(is_form(f) for f in self.body_fields)
        self.call_endpoint = as_async(endpoint)  # a plain `def` runs in a thread
        self.response_adapter = self.make_response_adapter()
        self.item_adapter = TypeAdapter(self.stream_item) if self.stream_item else None
        generate = self.options.get("generate_unique_id_function") or generate_unique_id
        self.unique_id = self.operation_id or generate(self)  # before the handler
        return request_response(self.get_route_handler())

    def make_response_adapter(self) -> TypeAdapter[Any] | None:
        if not self.response_model:
            return None
        try:
            return TypeAdapter(self.response_model)
        except PydanticSchemaGenerationError:
            message = INVALID_RESPONSE_MODEL.format(self.response_model)
            raise FastAPIError(message) from None

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        """The `request -> Response` function this route runs. A subclass may
        wrap it: hand it another Request class, time it, catch its errors."""
        return self.handle_request

    async def handle_request(self, request: Request) -> Response:
        """Request time: solve the tree, call the handler, build the response.
        Yield dependencies with `scope="function"` clean up when it returns."""
        overrides = request.scope.get("dependency_overrides", {})  # from the App
        request_stack = request.scope[REQUEST_STACK]
        async with AsyncExitStack() as function_stack:
            body = await self.read_body(request, request_stack)
            solver = Solver(request, body, overrides, request_stack, function_stack)
            values, errors = await solver.solve(self.dependant)
            if errors:
                raise RequestValidationError(errors, body=solver.received_body)
            if self.streams:  # a generator: it runs as the response is sent
                result = self.endpoint(**values)
            else:
                result = await self.call_endpoint(**values)
            return self.response_for(result, solver)
        raise FastAPIError(NO_RESPONSE)

    async def read_body(self, request: Request, stack: AsyncExitStack) -> Any:
        """The body as the route's fields expect it: JSON, or a form whose
        files are closed (their temporary files gone) once the answer is sent."""
        if not self.body_fields:
            return MISSING
        if not self.reads_form:
            return await read_body(request, self.strict_content_type)
        stack.push_async_callback(request.close)
        return await read_form(request, self.body_fields, self.dependant.embedded_body)

    def response_for(self, result: Any, solver: Solver) -> Response:
        """What the handler returned, as a Response with the background tasks."""
        if isinstance(result, Response):
            result.background = result.background or solver.background
            return result  # the handler built it: send it untouched
        sub_response = solver.response
        status = sub_response and sub_response.status_code
        build = self.stream_response if self.streams else self.serialize
        response = build(result, status or self.status_code)
        if sub_response is not None:  # headers and cookies the handler set
            response.raw_headers.extend(sub_response.raw_headers)
        response.background = solver.background
        return response

    def serialize(self, result: Any, status_code: int | None) -> Response:
        status: dict[str, Any] = {"status_code": status_code} if status_code else {}
        if self.response_adapter is None:
            response_class = self.response_class or JSONResponse
            return response_class(jsonable_encoder(result), **status)
        valid = self.validate_output(self.response_adapter, result)
        if self.response_class is None:  # Pydantic writes the JSON itself
            data = self.response_adapter.dump_json(valid, **self.dump_options)
            return Response(data, media_type="application/json", **status)
        data = self.response_adapter.dump_python(
            valid, mode="json", **self.dump_options
        )
        return self.response_class(data, **status)

    def stream_response(self, generator: Any, status_code: int | None) -> Response:
        """A generator's items as JSON lines, as events, or as they are."""
        status: dict[str, Any] = {"status_code": status_code} if status_code else {}
        items = (
            generator
            if isinstance(generator, AsyncIterator)
            else iterate_in_threadpool(generator)
        )
        if self.stream_encoding == JSON_LINES:
            lines = mapped(items, lambda item: self.item_json(item) + b"\n")
            return StreamingResponse(lines, media_type=JSON_LINES, **status)
        if self.stream_encoding == EVENTS:
            events = with_keepalive(mapped(items, self.event))
            headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
            return StreamingResponse(
                events, media_type=EVENTS, headers=headers, **status
            )
        assert self.response_class is not None  # not encoded: a class was given
        return self.response_class(generator, **status)

    def item_json(self, item: Any) -> bytes:
        """One streamed item as JSON, checked against the item type if declared."""
        if self.item_adapter is None:
            return json.dumps(finite(jsonable_encoder(item))).encode()
        valid = self.validate_output(self.item_adapter, item)
        return self.item_adapter.dump_json(valid, **self.dump_options)

    def event(self, item: Any) -> bytes:
        """One item as a server-sent event: JSON in `data`, or the event given."""
        if not isinstance(item, ServerSentEvent):
            return format_sse_event(data_str=self.item_json(item).decode())
        data = item.raw_data
        if data is None and isinstance(item.data, pydantic.BaseModel):
            data = item.data.model_dump_json()
        elif data is None and item.data is not None:
            data = json.dumps(finite(jsonable_encoder(item.data)))
        return format_sse_event(
            data_str=data,
            event=item.event,
            id=item.id,
            retry=item.retry,
            comment=item.comment,
        )

    def validate_output(self, adapter: TypeAdapter[Any], result: Any) -> Any:
        """The response_model filters the output; a mismatch is our bug: a 500."""
        try:
            return adapter.validate_python(result, from_attributes=True)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            located = [{**e, "loc": ("response", *e["loc"])} for e in errors]
            raise ResponseValidationError(located) from exc


class APIWebSocketRoute(WebSocketRoute):
    """`@app.websocket(path)`: the endpoint's parameters are a contract too.
    A handshake that breaks it is closed with 1008 (a policy violation)."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
    ) -> None:
        self.dependencies = list(dependencies or [])
        super().__init__(path, endpoint, name=name)

    def check_path(self, path: str) -> None:
        """Any path, as APIRoute's: `@router.websocket("")` is completed by the
        prefix `include_router` puts before it."""

    def build_app(self, endpoint: Callable[..., Any]) -> ASGIApp:
        self.dependant = get_route_dependant(self.path, endpoint, self.dependencies)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            websocket = WebSocket(scope, receive, send)
            overrides = scope.get("dependency_overrides", {})
            async with AsyncExitStack() as stack, AsyncExitStack() as function_stack:
                solver = Solver(websocket, MISSING, overrides, stack, function_stack)
                values, errors = await solver.solve(self.dependant)
                if errors:
                    raise WebSocketRequestValidationError(errors)
                await endpoint(**values)

        return app


class RouteDecorators:
    """`@get(path)` and its friends, for a class that has `add_api_route`:
    APIRouter has its own, the App hands its routes to its router."""

    add_api_route: Callable[..., None]
    add_api_websocket_route: Callable[..., None]

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

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[Depends] | None = None,
    ) -> Decorator[F]:
        def register(endpoint: F) -> F:
            self.add_api_websocket_route(path, endpoint, name, dependencies)
            return endpoint

        return register


class APIRouter(Router, RouteDecorators):
    """A Router with FastAPI's decorators, a prefix, and options (tags,
    responses, dependencies...) that every route added to it gets. Its routes
    are made by `route_class` (an APIRoute subclass may wrap the handler)."""

    def __init__(
        self,
        prefix: str = "",
        routes: Sequence[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        on_startup: Sequence[EventHandler] | None = None,
        on_shutdown: Sequence[EventHandler] | None = None,
        lifespan: Lifespan | LifespanGenerator | None = None,
        route_class: type[APIRoute] = APIRoute,
        **defaults: Unpack[RouterOptions],
    ) -> None:
        super().__init__(routes, redirect_slashes, on_startup, on_shutdown, lifespan)
        check_options(defaults, RouterOptions.__optional_keys__)
        self.prefix, self.defaults = check_prefix(prefix), defaults
        self.route_class = route_class

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] = ("GET",),
        *,
        route_class_override: type[APIRoute] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        """The route behind `@router.get(...)` and friends."""
        options = with_defaults(options, self.defaults)
        route_class = route_class_override or self.route_class
        self.routes.append(
            route_class(self.prefix + path, endpoint, methods, **options)
        )

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        dependencies: Sequence[Depends] | None = None,
    ) -> None:
        """The route behind `@router.websocket(...)`: the router's dependencies
        run first (its other options are about HTTP answers and documents)."""
        ours = [*(self.defaults.get("dependencies") or []), *(dependencies or [])]
        route = APIWebSocketRoute(
            self.prefix + path, endpoint, name=name, dependencies=ours
        )
        self.routes.append(route)

    def include_router(
        self, router: APIRouter, prefix: str = "", **options: Unpack[RouterOptions]
    ) -> None:
        """Copy another router's routes in, under `prefix` and these options."""
        check_prefix(prefix)
        check_options(options, RouterOptions.__optional_keys__)
        for route in router.routes:
            if isinstance(route, APIRoute):
                route_options = with_defaults(route.options, options)
                path, methods = prefix + route.path, route.methods
                self.add_api_route(
                    path,
                    route.endpoint,
                    methods,
                    route_class_override=type(route),  # a custom class stays
                    **route_options,
                )
            elif isinstance(route, Route):
                path, methods = self.prefix + prefix + route.path, route.methods
                self.add_route(path, route.endpoint, methods, route.name)
            elif isinstance(route, Mount):
                path = self.prefix + prefix + route.path
                self.routes.append(Mount(path, route.app, name=route.name))
            elif isinstance(route, APIWebSocketRoute):
                given = options.get("dependencies") or []
                dependencies = [*given, *route.dependencies]
                path, name = prefix + route.path, route.name
                self.add_api_websocket_route(path, route.endpoint, name, dependencies)
            elif isinstance(route, WebSocketRoute):
                path = self.prefix + prefix + route.path
                self.add_websocket_route(path, route.endpoint, route.name)
