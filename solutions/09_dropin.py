# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 Drop-in: FastAPI's tutorial, on our package
#
# Eight chapters rebuilt FastAPI's layers for the features we chose. This
# chapter is judged differently: FastAPI's **own tutorial** (its example apps
# and their tests) runs with `fastapi` pointing at our package. That takes
# FastAPI's module names (`fastapi.openapi.utils`, `fastapi.openapi.docs`, the
# name `FastAPI`) and its long tail:
#
# - a Pydantic model as a whole set of query, header or cookie parameters;
# - the markers' FastAPI-only options (`include_in_schema`,
#   `openapi_examples`...);
# - router-wide options that every route of the router inherits
#   (`APIRouter(responses=, tags=, dependencies=, deprecated=...)`);
# - custom route classes (`APIRoute.get_route_handler`,
#   `APIRouter(route_class=)`), `strict_content_type`;
# - the document's metadata (summary, contact, license, tags, servers,
#   webhooks, callbacks, `openapi_extra`...), `FastAPIError`,
#   `FileResponse`.
#
# You will build four of the pieces yourself:
#
# 1. `query_data`: what a query string says about a parameter model's fields;
# 2. `merge_options`: a route's options under its router's, as FastAPI merges
#    them;
# 3. `ErrorsWithBody`: a custom route class that answers a 422 with the body
#    it refused;
# 4. `AliasFinder`: an import hook that makes `import fastapi` give our
#    package, so that an app written for FastAPI runs on it unchanged.
#
# The finished pieces are in `chapters/09_dropin/nanoapi/dependencies.py`
# (`ParamModel`, `param_model`), `routing.py` (`with_defaults`,
# `APIRoute.get_route_handler`) and, for the import hook, in
# `tools/dropin_hook.py` (`AliasFinder`); read them after you have written
# yours. Every demo runs the same app on FastAPI and on ours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/09_dropin")]
from workshop import check, uses_exercise

import nanoapi
from nanoapi import HTTPException, Query, Request, Response
from nanoapi.datastructures import QueryParams
from nanoapi.dependencies import is_sequence, param_model
from nanoapi.exceptions import RequestValidationError
from nanoapi.routing import APIRoute, with_defaults
from nanoapi.testclient import TestClient

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from types import ModuleType
from typing import Annotated, Any, Literal

import fastapi
import fastapi.responses
from pydantic import BaseModel, Field

# %% [markdown]
# Two helpers for the whole notebook. An app is written once as
# `build(api)`, where `api` is the module the names come from: since this
# chapter our package has FastAPI's names too (`nanoapi.FastAPI` is
# `nanoapi.App`), so `build(fastapi)` and `build(nanoapi)` are the same code.
# Our `TestClient` calls any ASGI app, so it serves both sides.

# %%
def answers(app, requests: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    """(status, JSON body or text) for each (method, url, httpx options)."""
    found = []
    with TestClient(app) as client:
        for method, url, options in requests:
            r = client.request(method, url, **options)
            is_json = r.headers.get("content-type", "").startswith("application/json")
            found.append((r.status_code, r.json() if is_json else r.text))
    return found


def side_by_side(build, requests) -> None:
    """Print FastAPI's answer and ours for each request."""
    theirs, ours = answers(build(fastapi), requests), answers(build(nanoapi), requests)
    for (method, url, _), their, our in zip(requests, theirs, ours):
        verdict = "same" if their == our else "DIFFERENT"
        print(f"{method:4} {url:40} FastAPI {their[0]}  nanoapi {our[0]}  {verdict}")
        print(f"     {json.dumps(their[1])[:110]}")
        if their != our:
            print(f"     ours: {json.dumps(our[1])[:104]}")


# %% [markdown]
# ## FastAPI's names
#
# FastAPI's tutorial imports from a handful of modules. Chapter 07 put the
# document in `openapi.py` and the pages in `docs.py`; this chapter moves them
# where FastAPI keeps them, `openapi/utils.py` and `openapi/docs.py`, so that
# `from fastapi.openapi.utils import get_openapi` has a counterpart. Here is
# which of FastAPI's modules have one in our package (exercise 4 makes the
# names meet):

# %%
MODULES = [
    "applications", "routing", "params", "exceptions", "requests", "responses", "encoders",
    "background", "datastructures", "status", "testclient", "openapi.utils", "openapi.docs",
    "security", "middleware.cors", "staticfiles",
]
for name in MODULES:
    ours = importlib.util.find_spec(f"nanoapi.{name}") is not None
    print(f"fastapi.{name:16} {'nanoapi.' + name if ours else '(none: not covered)'}")
print("\nnanoapi.FastAPI is nanoapi.App:", nanoapi.FastAPI is nanoapi.App)

# %% [markdown]
# ## A model as a set of query parameters
#
# A handler that takes many query parameters can group them in one Pydantic
# model, and mark it `Query()`: each field of the model is then a query
# parameter of its own, and the model's rules (limits, `Literal`s, `extra`)
# judge them together. The same works with `Header()` and `Cookie()`.

# %%
class Filters(BaseModel):
    model_config = {"extra": "forbid"}  # a parameter it does not know is a 422

    limit: int = Field(100, gt=0, le=100)
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


def build_filters(api):
    app = api.FastAPI()

    @app.get("/items")
    def items(filters: Annotated[Filters, api.Query()]):
        return filters

    return app


FILTER_REQUESTS = [
    ("GET", "/items", {}),
    ("GET", "/items?limit=5&tags=a&tags=b", {}),
    ("GET", "/items?limit=500&order_by=size", {}),
    ("GET", "/items?limit=5&color=red", {}),
]
side_by_side(build_filters, FILTER_REQUESTS)

# %% [markdown]
# Three things to notice. `tags=a&tags=b` became a list, because the field is
# one. The errors are where the client put them, `["query", "limit"]`, not
# where the handler has them (`filters.limit`). And `color=red` was passed on
# to the model, whose `extra="forbid"` refused it: without that setting the
# model would ignore it.
#
# In the document, the model disappears: its fields are listed one by one, as
# if the handler had taken three parameters.

# %%
document = build_filters(nanoapi).openapi()
for parameter in document["paths"]["/items"]["get"]["parameters"]:
    print(json.dumps(parameter))
print("\nthe same as FastAPI's:", document == build_filters(fastapi).openapi())

# %% [markdown]
# ### Exercise 1: a model's fields in a query string
#
# Write `query_data(model, query)`: what the query string `query` (a
# `QueryParams`, `?a=1&a=2` kept as two pairs) says about the model's fields,
# as the dict the package hands to Pydantic to validate:
#
# 1. each field of `model.model_fields` is read under its key: its `alias`
#    if it has one, else its name. A field whose type is a list, set or tuple
#    takes **all** the values of its key (`query.getlist(key)`), any other
#    field the value (`query[key]`). A key the request did not send is left
#    out, so the field's default applies;
# 2. every other key of the query string is passed on too, so that the
#    model's `extra` setting decides about it: one value as a string, a
#    repeated key as the list of its values.
#
# So for `Filters` and `?limit=5&tags=a&tags=b&color=red` the answer is
# `{"limit": "5", "tags": ["a", "b"], "color": "red"}`. The check compares
# your answers with the package's, and with what FastAPI answers.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `for name, info in model.model_fields.items()`, then
# `key = info.alias or name`. `is_sequence(info.annotation)` (imported from
# the package above) says whether the field takes several values. Keep the
# keys you read in a set; then `for key in query` (each key once) and
# `values = query.getlist(key)` for the others.
#
# </details>

# %%
def query_data(model: type[BaseModel], query: QueryParams) -> dict[str, Any]:
    ### BEGIN SOLUTION
    data: dict[str, Any] = {}
    keys = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        keys.add(key)
        if is_sequence(info.annotation):
            if values := query.getlist(key):
                data[key] = values
        elif key in query:
            data[key] = query[key]
    for key in query:
        if key not in keys:
            values = query.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
    return data
    ### END SOLUTION


# %%
class Loose(BaseModel):  # extra keys are ignored, Pydantic's default
    page_size: int = Field(10, alias="page-size", ge=1)
    ids: set[int] = set()
    q: str | None = None
    item_ids: list[int] = Field([], alias="item-id")


QUERIES = [
    "",
    "limit=5&tags=a&tags=b&color=red",
    "limit=500&order_by=size&tags=",
    "tool=a&tool=b&more=1",
    "page-size=3&ids=1&ids=2&ids=1&page_size=9",
    "ids=x&q=&q=last",
    "item-id=7&page-size=2",
]


def build_models(api):
    app = api.FastAPI()

    @app.get("/filters")
    def filters(model: Annotated[Filters, api.Query()]):
        return model

    @app.get("/loose")
    def loose(model: Annotated[Loose, api.Query()]):
        return model

    return app


# %%
with check("Exercise 1: query_data reads a model's fields as the package and FastAPI do"):
    fastapi_app = build_models(fastapi)
    with TestClient(fastapi_app) as client:
        for model, url in [(Filters, "/filters"), (Loose, "/loose")]:
            for text in QUERIES:
                query = QueryParams.from_query_string(text.encode())
                answer = query_data(model, query)
                expected = param_model(model, Query()).read(query)
                assert answer == expected, (
                    f"{model.__name__}, ?{text}: expected {expected}, got {answer}"
                )
                try:  # what the model makes of it, and what FastAPI answered
                    ours = 200, model.model_validate(answer).model_dump(mode="json", by_alias=True)
                except ValueError:
                    ours = 422, None
                r = client.get(f"{url}?{text}")
                theirs = r.status_code, r.json() if r.status_code == 200 else None
                assert ours == theirs, (
                    f"{model.__name__}, ?{text}: FastAPI answered {theirs}, your data gives {ours}"
                )

# %% [markdown]
# That is the heart of `ParamModel.read` in `dependencies.py`. The rest is
# bookkeeping done once, at registration (`param_model`): the fields become
# parameters with their keys (a header model's `save_data` is read as
# `save-data`, unless `Header(convert_underscores=False)`), a `Filters | None`
# is left out when the request has none of its keys, and an error at the
# model's key `limit` is reported at the request's `["query", "limit"]`.
#
# The markers also take options Pydantic does not know, which only the
# document reads: `include_in_schema=False` keeps a parameter out of it (it is
# still read and validated), `openapi_examples=` puts named examples in.
# They must never reach `pydantic.Field`, which would warn or refuse.

# %%
def build_marked(api):
    app = api.FastAPI()
    examples = {"small": {"summary": "A few", "value": 3}, "max": {"value": 100}}

    @app.get("/items")
    def items(
        limit: Annotated[int, api.Query(le=100, openapi_examples=examples)] = 10,
        debug: Annotated[bool, api.Query(include_in_schema=False)] = False,
    ):
        return {"limit": limit, "debug": debug}

    return app


document = build_marked(nanoapi).openapi()
print(json.dumps(document["paths"]["/items"]["get"]["parameters"], indent=1))
print("the same as FastAPI's:", document == build_marked(fastapi).openapi())
side_by_side(build_marked, [("GET", "/items?limit=7&debug=yes", {}), ("GET", "/items?debug=maybe", {})])

# %% [markdown]
# ## Router-wide options
#
# Chapter 04's routers gave their routes a prefix and tags, and chapter 06
# dependencies. FastAPI's `APIRouter(...)` and `include_router(...)`
# take a whole set of options that every route of the router inherits: `tags`,
# `dependencies`, `responses`, `callbacks`, `deprecated`, `include_in_schema`,
# `default_response_class`, `generate_unique_id_function`. A route can be
# under several layers: its router, the include into another router, the
# include into the app. Here is a shop with two:

# %%
class Message(BaseModel):
    message: str


def build_shop(api):
    async def token(x_token: Annotated[str, api.Header()]):
        if x_token != "s3cret":
            raise api.HTTPException(400, "bad token")

    items = api.APIRouter(
        prefix="/items",
        tags=["items"],
        responses={404: {"description": "Not found"}},
        dependencies=[api.Depends(token)],
    )

    @items.get("/{item_id}", responses={403: {"description": "Not yours"}})
    def read_item(item_id: int):
        return f"<b>item {item_id}</b>"

    @items.get("/count", response_class=api.responses.JSONResponse, include_in_schema=False)
    def count():
        return {"count": 3}

    app = api.FastAPI()
    app.include_router(
        items,
        prefix="/v1",
        tags=["v1"],
        responses={404: {"model": Message}, 418: {"description": "I'm a teapot"}},
        deprecated=True,
        default_response_class=api.responses.HTMLResponse,
    )
    return app


document = build_shop(nanoapi).openapi()
operation = document["paths"]["/v1/items/{item_id}"]["get"]
print("tags:", operation["tags"], " deprecated:", operation.get("deprecated"))
for code, answer in operation["responses"].items():
    print(f"  {code}: {json.dumps(answer)[:100]}")
print("paths:", list(document["paths"]), " the same as FastAPI's:", document == build_shop(fastapi).openapi())
side_by_side(
    build_shop,
    [
        ("GET", "/v1/items/3", {"headers": {"x-token": "s3cret"}}),
        ("GET", "/v1/items/3", {}),
        ("GET", "/v1/items/count", {"headers": {"x-token": "s3cret"}}),
    ],
)

# %% [markdown]
# Read the operation: the include's tag first, then the router's; the
# include's 418 and the route's own 403 next to each other; deprecated because
# the include said so. Both layers documented a 404: the inner one (the
# router's description) replaced the outer one (the include's model) whole,
# as FastAPI does. The route answered HTML (the include's
# `default_response_class`), except `/count`, which chose JSON itself and
# said `include_in_schema=False`, so the document leaves it out.
#
# ### Exercise 2: merge a route's options with its router's
#
# Write `merge_options(route, outer)`. `route` holds a route's options as
# the decorator got them (`tags`, `responses`, `status_code`...); `outer`
# holds a router's or an include's (`tags`, `dependencies`, `responses`,
# `deprecated`, `include_in_schema`, `default_response_class`). Return the
# route's options under `outer`, as FastAPI merges them:
#
# - `tags` and `dependencies`: the outer ones first, then the route's;
# - `responses`: the outer ones, updated with the route's (the route's wins
#   for a status code both have);
# - `deprecated`: true if either says so;
# - `include_in_schema`: documented only if both agree (each says `True`
#   when it says nothing);
# - `response_class`: the route's, else the outer `default_response_class`;
# - every other option of the route, as it is.
#
# Change neither dict: a router's options serve all its routes, and the same
# router may be included twice.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Start from a copy, `merged = {**route}`, and set each key. `outer.get("tags")
# or []` stands for "none given". For `responses`, `{**a, **b}` makes a new
# dict where `b` wins. `route.get("include_in_schema", True)` gives the
# default.
#
# </details>

# %%
def merge_options(route: dict[str, Any], outer: dict[str, Any]) -> dict[str, Any]:
    ### BEGIN SOLUTION
    merged = {**route}
    for key in ("tags", "dependencies"):
        merged[key] = [*(outer.get(key) or []), *(route.get(key) or [])]
    merged["responses"] = {**(outer.get("responses") or {}), **(route.get("responses") or {})}
    merged["deprecated"] = bool(route.get("deprecated") or outer.get("deprecated"))
    documented = route.get("include_in_schema", True)
    merged["include_in_schema"] = documented and outer.get("include_in_schema", True)
    merged["response_class"] = route.get("response_class") or outer.get("default_response_class")
    return merged
    ### END SOLUTION


# %%
with check("Exercise 2: merge_options merges like the package's with_defaults"):
    guard = nanoapi.Depends(lambda: None)
    cases = [
        (
            {"tags": ["items"], "responses": {403: {"description": "Not yours"}}, "status_code": 201},
            {"tags": ["shop"], "dependencies": [guard], "responses": {404: {}, 403: {"description": "?"}}},
        ),
        ({}, {}),
        (
            {"summary": "Read", "deprecated": False, "include_in_schema": True},
            {"deprecated": True, "include_in_schema": False, "default_response_class": nanoapi.HTMLResponse},
        ),
        (
            {"include_in_schema": False, "response_class": nanoapi.PlainTextResponse, "dependencies": [guard]},
            {"default_response_class": nanoapi.HTMLResponse, "tags": ["v1"], "deprecated": None},
        ),
        ({"tags": ["a"], "deprecated": True}, {"tags": ["b"], "include_in_schema": True}),
    ]
    for route, outer in cases:
        before = repr((route, outer))  # nested dicts and lists included
        answer = merge_options(route, outer)
        expected = with_defaults(route, outer)
        said = f"route {route}, outer {outer}"
        assert isinstance(answer, dict), f"expected a dict, got {answer!r}"
        assert repr((route, outer)) == before, f"{said}: the dicts you were given changed"
        for key in ("tags", "dependencies"):
            got = list(answer.get(key) or [])
            assert got == expected[key], f"{said}: expected {key} {expected[key]}, got {got}"
        got = dict(answer.get("responses") or {})
        assert got == expected["responses"], f"{said}: expected responses {expected['responses']}, got {got}"
        for key in ("deprecated", "include_in_schema"):
            assert bool(answer.get(key)) == bool(expected[key]), (
                f"{said}: expected {key} to be {bool(expected[key])}, got {answer.get(key)!r}"
            )
        got = answer.get("response_class")
        assert got is expected["response_class"], (
            f"{said}: expected response_class {expected['response_class']}, got {got}"
        )
        for key in route.keys() - {"tags", "dependencies", "responses", "deprecated", "include_in_schema"}:
            assert answer.get(key) == route[key], f"{said}: expected {key} to stay {route[key]!r}"

# %% [markdown]
# `with_defaults` in `routing.py` merges a few more the same way (`callbacks`
# joined like tags, `generate_unique_id_function` and `strict_content_type`
# taken from outside when the route has none). It runs once per layer, at
# registration: `APIRouter.add_api_route` merges the router's own options,
# and `include_router` merges the include's into a copy of each route. Your
# function, applied twice, finds what the shop's route ended up with:

# %%
with uses_exercise(2):
    route_options = {"responses": {403: {"description": "Not yours"}}}
    router_options = {"tags": ["items"], "responses": {404: {"description": "Not found"}}}
    include_options = {
        "tags": ["v1"],
        "responses": {404: {"model": Message}, 418: {"description": "I'm a teapot"}},
        "deprecated": True,
        "default_response_class": nanoapi.HTMLResponse,
    }
    mine = merge_options(merge_options(route_options, router_options), include_options)
    route = next(r for r in build_shop(nanoapi).routes if r.path == "/v1/items/{item_id}")
    for key in ("tags", "responses", "deprecated", "response_class"):
        print(f"{key:15} yours: {mine.get(key)}\n{'':15} route: {getattr(route, key)}")

# %% [markdown]
# ## Custom route classes
#
# The chapter's demo app times its `/notes` routes. Its router says
# `APIRouter(route_class=TimedRoute)`, and `TimedRoute` is an `APIRoute`
# that overrides one method, `get_route_handler()`: it returns the function
# the route runs for each request, `request -> Response`, and a subclass may
# wrap it. Here it is at work:

# %%
import inspect

from app import TimedRoute
from app import app as demo

with TestClient(demo) as client:
    for url in ("/notes?size=2", "/notes/1", "/notes/99"):
        r = client.get(url)
        print(url, r.status_code, r.text[:50], " x-response-time:", r.headers.get("x-response-time"))
print()
print(inspect.getsource(TimedRoute))

# %% [markdown]
# The wrapped handler sees the whole request time: solving the dependencies,
# validating, calling the handler, building the response. A 404 raised by the
# handler went through the wrapper as an exception, so it has no header: the
# `HTTPException` was answered further out, by the app's exception
# middleware. The route class is inherited: `include_router` keeps each
# route's class, so `/notes` stayed timed when the app included the router.
#
# ### Exercise 3: a 422 that shows the body it refused
#
# FastAPI's documentation has a route class for debugging: when the request
# fails validation, the answer carries both the errors and the body that was
# sent. Write `get_route_handler` of `ErrorsWithBody`: wrap the handler so
# that a `RequestValidationError` it raises becomes
#
# ```python
# HTTPException(status_code=422, detail={"errors": exc.errors(), "body": body})
# ```
#
# where `body` is the request's body as text. Any other answer or error passes
# through unchanged. The check runs a router with
# `route_class=ErrorsWithBody`, and compares its answers with FastAPI's
# plain 422s, which have the same `errors` under `detail`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `handler = super().get_route_handler()`, then define and return an
# `async def` that takes the request, `return await handler(request)` in a
# `try`, and in `except RequestValidationError as exc:` reads
# `await request.body()`. Reading the body again is allowed: the request
# keeps it once read.
#
# </details>

# %%
class ErrorsWithBody(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        ### BEGIN SOLUTION
        handler = super().get_route_handler()

        async def showing_body(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                body = (await request.body()).decode()
                detail = {"errors": exc.errors(), "body": body}
                raise HTTPException(status_code=422, detail=detail) from exc

        return showing_body
        ### END SOLUTION


# %%
class Order(BaseModel):
    item: str
    quantity: int = Field(gt=0)


def build_orders(api, route_class=None):
    options = {"route_class": route_class} if route_class else {}
    router = api.APIRouter(prefix="/orders", **options)

    @router.post("")
    def order(order: Order, rush: bool = False):
        return {"order": order, "rush": rush}

    @router.get("/{order_id}")
    def read(order_id: int):
        if order_id != 1:
            raise api.HTTPException(404, "No such order")
        return {"order_id": order_id}

    app = api.FastAPI()
    app.include_router(router)
    return app


def json_body(text: str) -> dict[str, Any]:
    """httpx options that send `text` as it is, said to be JSON."""
    return {"content": text.encode(), "headers": {"content-type": "application/json"}}


ORDER_REQUESTS = [
    ("POST", "/orders", json_body('{"item": "tea", "quantity": 2}')),
    ("POST", "/orders", json_body('{"item": "tea", "quantity": 0}')),
    ("POST", "/orders?rush=often", json_body('{"quantity": "two"}')),
    ("POST", "/orders", json_body('{"item": "tea",')),
    ("GET", "/orders/1", {}),
    ("GET", "/orders/2", {}),
    ("GET", "/orders/x", {}),
]

# %%
with check("Exercise 3: ErrorsWithBody answers a 422 with the errors and the body"):
    theirs = answers(build_orders(fastapi), ORDER_REQUESTS)
    ours = answers(build_orders(nanoapi, ErrorsWithBody), ORDER_REQUESTS)
    for (method, url, options), (status, body), answer in zip(ORDER_REQUESTS, theirs, ours):
        if status == 422:
            sent = options.get("content", b"").decode()
            expected = 422, {"detail": {"errors": body["detail"], "body": sent}}
        else:
            expected = status, body
        assert answer == expected, f"{method} {url}: expected {expected}, got {answer}"

# %% [markdown]
# The route class changed how this router's errors look and nothing else.
# Notice `GET /orders/x`: a bad path parameter is also a validation error of
# the route, so it showed its (empty) body too.
#
# Two more of the chapter's options decide what a request may be. With
# `strict_content_type=True` (FastAPI's default) a body without a
# `content-type` header is not JSON, whatever it looks like; `False` on the
# app, a router or a route reads it as JSON. And a mistake in the app itself,
# not in a request, raises `FastAPIError` when the route is registered, here
# a return annotation Pydantic cannot validate:

# %%
def build_lax(api):
    app = api.FastAPI(strict_content_type=False)

    @app.post("/orders")
    def order(order: Order):
        return order

    return app


untyped = {"content": b'{"item": "tea", "quantity": 1}'}  # no content-type header
side_by_side(build_orders, [("POST", "/orders", untyped)])  # strict, the default
side_by_side(build_lax, [("POST", "/orders", untyped)])
print()
for api in (fastapi, nanoapi):

    def portal() -> api.Response | dict:  # a Response, or data to encode?
        return {}

    try:
        api.FastAPI().get("/portal")(portal)
    except Exception as error:
        print(f"{api.__name__:8} {type(error).__module__}.{type(error).__name__}: {str(error)[:70]}...")
    api.FastAPI().get("/portal", response_model=None)(portal)  # the way out, on both

# %% [markdown]
# ## The document's long tail
#
# The app's own options fill the top of the document (`info`, `tags`,
# `servers`); `app.webhooks` is a router whose routes are documented, never
# served: the requests the app *sends* to its subscribers. A route's
# `callbacks=` does the same for one operation, and `openapi_extra=` is
# deep-merged into its operation last, for whatever the signature cannot say.

# %%
def build_documented(api):
    app = api.FastAPI(
        title="Shop",
        summary="Sells things",
        version="2.0",
        contact={"name": "Desk", "url": "https://shop.example.com/desk"},
        license_info={"name": "MIT", "identifier": "MIT"},
        openapi_tags=[{"name": "orders", "description": "What people **buy**."}],
        servers=[{"url": "https://shop.example.com", "description": "Production"}],
    )
    callbacks = api.APIRouter()

    @callbacks.post("{$request.query.notify_url}/shipped")
    def shipped(order: Order):
        """We call this when the order leaves the warehouse."""

    @app.post("/orders", tags=["orders"], callbacks=callbacks.routes, openapi_extra={"x-rate-limit": 10})
    def create_order(order: Order, notify_url: str | None = None):
        return order

    @app.webhooks.post("order-cancelled")
    def order_cancelled(order: Order):
        """We POST this to every subscriber when an order is cancelled."""

    return app


document = build_documented(nanoapi).openapi()
for key in ("info", "tags", "servers"):
    print(f"{key:8}", json.dumps(document[key]))
operation = document["paths"]["/orders"]["post"]
print("callbacks:", list(operation["callbacks"]["shipped"]), " x-rate-limit:", operation["x-rate-limit"])
print("webhooks: ", {name: list(item) for name, item in document["webhooks"].items()})
print("\nthe same as FastAPI's:", document == build_documented(fastapi).openapi())

# %% [markdown]
# The app also takes `separate_input_output_schemas`, `root_path`,
# `swagger_ui_parameters` (passed into the Swagger UI page) and
# `generate_unique_id_function`, and `get_openapi` in `openapi/utils.py` takes
# FastAPI's keywords, for an app that writes its document itself. And one more
# response class, `FileResponse`: a file from disk, read in pieces in a worker
# thread, with its type guessed from the name.

# %%
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "price list.csv").write_text("item,price\ntea,3\n")


def build_files(api):
    app = api.FastAPI()

    @app.get("/prices")
    def prices():
        return api.responses.FileResponse(folder / "price list.csv", filename="prices.csv")

    return app


for api in (fastapi, nanoapi):
    with TestClient(build_files(api)) as client:
        r = client.get("/prices")
        names = ("content-type", "content-length", "content-disposition", "etag")
        print(f"{api.__name__:8} {r.status_code} {r.text!r}", {n: r.headers.get(n) for n in names})

# %% [markdown]
# ## Drop-in: `import fastapi`, our package
#
# Every demo so far passed the module in: `build(fastapi)`, `build(nanoapi)`.
# FastAPI's tutorial does not; its files say `from fastapi import FastAPI`.
# To run them on our package unchanged, `import fastapi` must give our
# package, and `import fastapi.routing` our `routing` module: the **same
# module objects**, so that `fastapi.routing.APIRoute is nanoapi.routing.APIRoute`
# and nothing is loaded twice.
#
# Python's import system asks each object in `sys.meta_path` in turn, "can
# you find the module `fullname`?": its `find_spec(fullname, path, target)`
# returns a `ModuleSpec` (a name and a loader) or `None` for "not mine, ask
# the next". The loader then makes the module in two steps:
# `create_module(spec)` returns the module object (or `None` for "make an empty
# one"), and `exec_module(module)` runs its code. Between the two, the import
# system writes the spec on the module: `module.__spec__ = spec`.
#
# ### Exercise 4: an import hook
#
# Write the three methods:
#
# - `SameModule.create_module`: return the module the loader was made with;
#   it is already imported, so `exec_module` has no code to run, but it must
#   put back the module's own spec (`self.spec`, kept in `__init__`): the
#   import system has just replaced it with the alias's, and from then on
#   `nanoapi.__spec__.name` would say `"fastapi"`;
# - `AliasFinder.find_spec`: for `self.alias` itself (`"fastapi"`) or a name
#   under it (`"fastapi.openapi.utils"`), import the matching module of
#   `self.package` (`"nanoapi"`, `"nanoapi.openapi.utils"`) with
#   `importlib.import_module`, and return
#   `importlib.machinery.ModuleSpec(fullname, SameModule(module))`. For any
#   other name, return `None`. A module our package lacks
#   (`fastapi.security`) must fail with `ModuleNotFoundError`, which
#   `import_module` raises for you.
#
# The helper below the exercise, `fastapi_is("nanoapi")`, installs your
# finder for the time of a `with` block (the real FastAPI's modules are put
# aside meanwhile, and come back after). The check imports an app written for
# FastAPI, once as it is, once inside that block, and asks both the same
# requests.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `top, dot, rest = fullname.partition(".")` splits `"fastapi.openapi.utils"`
# into `"fastapi"`, `"."` and `"openapi.utils"` (and `"fastapi"` into
# `"fastapi"`, `""`, `""`). The real name is `self.package` plus `dot` plus
# `rest`. In `exec_module`, one line: `module.__spec__ = self.spec`.
#
# </details>

# %%
class SameModule(importlib.abc.Loader):
    """A loader for a module that already exists: it hands that module out."""

    def __init__(self, module: ModuleType) -> None:
        self.module, self.spec = module, module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        ### BEGIN SOLUTION
        return self.module
        ### END SOLUTION

    def exec_module(self, module: ModuleType) -> None:
        ### BEGIN SOLUTION
        module.__spec__ = self.spec  # the import system wrote the alias's there
        ### END SOLUTION


class AliasFinder(importlib.abc.MetaPathFinder):
    """`alias` and `alias.X` are `package` and `package.X`."""

    def __init__(self, alias: str, package: str) -> None:
        self.alias, self.package = alias, package

    def find_spec(self, fullname, path=None, target=None) -> importlib.machinery.ModuleSpec | None:
        ### BEGIN SOLUTION
        top, dot, rest = fullname.partition(".")
        if top != self.alias:
            return None
        module = importlib.import_module(self.package + dot + rest)
        return importlib.machinery.ModuleSpec(fullname, SameModule(module))
        ### END SOLUTION


# %%
@contextmanager
def fastapi_is(package: str):
    """Inside the block, `fastapi` and `fastapi.X` are imported through
    AliasFinder("fastapi", package). FastAPI's own modules are put aside from
    sys.modules meanwhile (or `import fastapi` would find them there) and
    come back afterwards; so do the package's modules' specs, so that a
    finder still being written cannot leave them misnamed for the session."""
    is_fastapi = lambda name: name == "fastapi" or name.startswith("fastapi.")  # noqa: E731
    aside = {name: sys.modules.pop(name) for name in list(sys.modules) if is_fastapi(name)}
    ours = [m for name, m in sys.modules.items() if name.split(".")[0] == package]
    specs = [(module, module.__spec__) for module in ours]
    finder = AliasFinder("fastapi", package)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if is_fastapi(name)]:
            del sys.modules[name]
        sys.modules.update(aside)
        for module, spec in specs:
            module.__spec__ = spec


def load_module(name: str, source: str) -> ModuleType:
    """`source` run as the module `name`, as `import name` would run name.py."""
    module = ModuleType(name)
    sys.modules[name] = module  # Pydantic looks its models' module up there
    try:
        exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    finally:
        del sys.modules[name]  # so that it can be loaded again, fresh
    return module


# %% [markdown]
# The app: a file as FastAPI's tutorial writes them, with a parameter model,
# a router with options, a dependency that can refuse, and a route left out of
# the document. Nothing in it knows about our package.

# %%
SHOP = '''
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field


class Filters(BaseModel):
    model_config = {"extra": "forbid"}

    limit: int = Field(10, gt=0, le=50)
    order_by: Literal["name", "price"] = "name"


class Item(BaseModel):
    name: str
    price: float


ITEMS = [Item(name="kettle", price=25.5), Item(name="mug", price=4), Item(name="lamp", price=12)]


async def verify_token(x_token: Annotated[str, Header()]):
    if x_token != "s3cret":
        raise HTTPException(status_code=401, detail="Bad token")


router = APIRouter(prefix="/items", tags=["items"], responses={404: {"description": "Not found"}})


@router.get("/")
def list_items(filters: Annotated[Filters, Query()]) -> list[Item]:
    found = sorted(ITEMS, key=lambda item: getattr(item, filters.order_by))
    return found[: filters.limit]


@router.get("/{index}")
def read_item(index: int) -> Item:
    if not 0 <= index < len(ITEMS):
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[index]


@router.post("/", status_code=201, dependencies=[Depends(verify_token)])
def create_item(item: Item) -> Item:
    ITEMS.append(item)
    return item


app = FastAPI(title="Shop", summary="Sells things", version="1.0")
app.include_router(router)


@app.get("/health", response_class=PlainTextResponse, include_in_schema=False)
def health():
    return "ok"
'''

TOKEN = {"x-token": "s3cret"}
SHOP_REQUESTS = [
    ("GET", "/items/?order_by=price&limit=2", {}),
    ("GET", "/items/?limit=0&color=red", {}),
    ("GET", "/items/1", {}),
    ("GET", "/items/9", {}),
    ("POST", "/items/", {"json": {"name": "pot", "price": 9}, "headers": TOKEN}),
    ("POST", "/items/", {"json": {"name": "pot"}, "headers": TOKEN}),
    ("POST", "/items/", {"json": {"name": "pot", "price": 9}}),
    ("GET", "/items/?limit=50", {}),
    ("GET", "/health", {}),
    ("GET", "/openapi.json", {}),
]

# %%
with check("Exercise 4: with the import hook, an app written for FastAPI runs on nanoapi"):
    try:  # a package of its own whose name starts like the alias (fastapi-users)
        other = AliasFinder("fastapi", "nanoapi").find_spec("fastapi_users")
    except ImportError as error:
        other = error
    assert other is None, (
        f"fastapi_users is another package, not fastapi.X: expected find_spec to return None, got {other!r}"
    )
    sys.modules.pop("colorsys", None)  # a module nobody imported yet
    with fastapi_is("nanoapi"):
        aliased = importlib.import_module("fastapi")
        assert aliased is nanoapi, f"expected `import fastapi` to give nanoapi, got {aliased!r}"
        for name in ("routing", "responses", "openapi.utils"):
            module = importlib.import_module(f"fastapi.{name}")
            assert module is sys.modules[f"nanoapi.{name}"], (
                f"expected fastapi.{name} to be nanoapi.{name}, got {module!r}"
            )
        assert nanoapi.__spec__.name == "nanoapi", (
            f"nanoapi.__spec__.name is {nanoapi.__spec__.name!r}: put the module's own spec back in exec_module"
        )
        assert importlib.import_module("colorsys").__name__ == "colorsys", "other modules import as usual"
        try:
            importlib.import_module("fastapi.security")
        except ModuleNotFoundError:
            pass
        else:
            raise AssertionError("expected `import fastapi.security` to fail: nanoapi has no security module")
        ours = load_module("shop", SHOP)
    assert isinstance(ours.app, nanoapi.App), f"inside the block, the app should be nanoapi's, got {type(ours.app)}"
    theirs = load_module("shop", SHOP)
    assert type(theirs.app) is fastapi.FastAPI, "after the block, `fastapi` should be FastAPI again"
    their_answers, our_answers = answers(theirs.app, SHOP_REQUESTS), answers(ours.app, SHOP_REQUESTS)
    for (method, url, _), their, our in zip(SHOP_REQUESTS, their_answers, our_answers):
        assert our == their, f"{method} {url}: FastAPI answered {their}, nanoapi {our}"

# %% [markdown]
# One file, two frameworks, the same answers, the document included. Here
# they are, side by side:

# %%
with uses_exercise(4):
    with fastapi_is("nanoapi"):
        ours = load_module("shop", SHOP)
    theirs = load_module("shop", SHOP)
    print("their app:", type(theirs.app), "  ours:", type(ours.app))
    for (method, url, _), their, our in zip(
        SHOP_REQUESTS, answers(theirs.app, SHOP_REQUESTS), answers(ours.app, SHOP_REQUESTS)
    ):
        verdict = "same" if their == our else "DIFFERENT"
        print(f"{method:4} {url:32} FastAPI {their[0]}  nanoapi {our[0]}  {verdict}")

# %% [markdown]
# ## FastAPI's own tutorial
#
# `tools/dropin.py` does the same at scale. It downloads FastAPI's source
# distribution (its tutorial apps in `docs_src/` and their tests in
# `tests/test_tutorial/`) into a cache outside the repository, and runs those
# tests with a pytest plugin, `tools/dropin_hook.py`, whose `AliasFinder` is
# your exercise 4 with two more duties: it imports the package from a given
# folder, and it makes `starlette` unimportable, so that nothing quietly falls
# back on the real thing.
#
# ```bash
# python tools/dropin.py --part 09 --list-failures
# ```
#
# prints how many of the tutorial's tests pass on the last chapter, section
# by section, and why each failure failed: the list of what FastAPI still
# does that we do not.
#
# ## Read the real thing
#
# - FastAPI, `dependencies/utils.py`: `_get_flat_fields_from_params` and
#   `request_params_to_args` (a parameter model's fields, read one by one);
#   `openapi/utils.py`: `_get_openapi_operation_parameters`.
# - FastAPI, `routing.py`: `APIRouter.add_api_route` and
#   `APIRouter.include_router` (the options merged layer by layer, our
#   `with_defaults`), `APIRoute.get_route_handler`, `get_request_handler`.
# - FastAPI's documentation: "Custom Request and APIRoute class" (the gzip
#   request and the error-with-body route), "Query Parameter Models",
#   "Bigger Applications - Multiple Files" (routers and their options),
#   "OpenAPI Webhooks", "OpenAPI Callbacks".
# - Python's `importlib` documentation: "The meta path", `MetaPathFinder`,
#   `Loader.create_module` and `exec_module`; PEP 451 (`ModuleSpec`).
