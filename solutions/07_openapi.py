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
# # 07 OpenAPI: the app describes itself
#
# Since chapter 05 a route knows a great deal about itself: its path and
# methods, every parameter with its source, type and limits, the body model,
# the response model; since chapter 06, the parameters its dependencies read
# too. **OpenAPI** is a standard JSON format for writing all of that down, one
# document for the whole API. Client generators, the interactive docs pages,
# API gateways and test tools read it. Nothing in it is new information: it is
# the routes' knowledge, arranged, with Pydantic writing the JSON Schema of
# every type.
#
# You will build the pieces yourself:
#
# 1. `operation_id`: the unique name FastAPI gives each operation;
# 2. `parameters(route)`: the parameter list of an operation, from its
#    `Dependant` tree;
# 3. `components(models)`: the JSON Schemas of models, each one named once and
#    pointed at with `$ref`;
# 4. a Swagger UI page that works without internet, its files served by the
#    app itself.
#
# The finished pieces are in `chapters/07_openapi/nanoapi/openapi.py`
# (`operation_id`, `parameters`, `SchemaBook`) and `docs.py`
# (`swagger_ui_html`, `add_docs_routes`); read them after you have written
# yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/07_openapi")]
import httpx
from workshop import check

from nanoapi import (
    APIRoute,
    App,
    Cookie,
    Depends,
    Header,
    HTMLResponse,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
)
from nanoapi.testclient import TestClient

import importlib.util
import json
import re
from pathlib import Path as FilePath
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, computed_field
from pydantic.json_schema import GenerateJsonSchema

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `httpx.ASGITransport` calls the app in-process: no server needed. The app of
# `chapters/07_openapi/app.py` serves its own description at `/openapi.json`.
# Every operation has a unique `operationId`:

# %%
from app import app as demo

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test")

document = (await client.get("/openapi.json")).json()
print(document["openapi"], document["info"])
for path, item in document["paths"].items():
    for method, operation in item.items():
        print(f"{method.upper():5} {path:17} {operation['operationId']:30} {operation['summary']}")

# %% [markdown]
# Here is one operation whole, `POST /notes`. Compare it with `create_note` in
# `app.py`: the tag comes from the router, the summary from the function's
# name, the description from its docstring, the `x-token` header from the
# `token` dependency two levels down, the body from `note: NoteIn`, the 201
# and its schema from `status_code=201, response_model=NoteOut`, the 401 from
# `responses=`, and the 422 is there because the operation takes input.

# %%
print(json.dumps(document["paths"]["/notes"]["post"], indent=2))

# %% [markdown]
# ### Exercise 1: the operationId
#
# Write `operation_id(name, path, method)` with FastAPI's rule:
#
# 1. glue the route's name (the function's name) and its path together:
#    `read_note` and `/notes/{note_id}` give `read_note/notes/{note_id}`;
# 2. replace every character that is not a letter, a digit or `_` with `_`;
# 3. add `_` and the method in lower case.
#
# So `read_note`, `/notes/{note_id}`, `GET` is `read_note_notes__note_id__get`.
# The check compares your answer with every operation of the demo's document.

# %% [markdown]
# <details><summary>Hint</summary>
#
# In a regular expression `\W` matches any character that is not a "word"
# character (letter, digit, underscore): `re.sub(r"\W", "_", text)`.
#
# </details>

# %%
def operation_id(name: str, path: str, method: str) -> str:
    ### BEGIN SOLUTION
    return re.sub(r"\W", "_", name + path) + "_" + method.lower()
    ### END SOLUTION


# %%
with check("Exercise 1: operation_id follows FastAPI's rule"):
    answer = operation_id("read_note", "/notes/{note_id}", "GET")
    assert answer == "read_note_notes__note_id__get", (
        f"expected 'read_note_notes__note_id__get', got {answer!r}"
    )
    answer = operation_id("export", "/v1/report-2024.csv", "POST")
    assert answer == "export_v1_report_2024_csv_post", (
        f"a dash and a dot become '_' too: expected 'export_v1_report_2024_csv_post', got {answer!r}"
    )
    for route in demo.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            (method,) = route.methods
            expected = document["paths"][route.path_format][method.lower()]["operationId"]
            answer = operation_id(route.name, route.path_format, method)
            assert answer == expected, (
                f"{method} {route.path_format}: expected {expected!r}, got {answer!r}"
            )

# %% [markdown]
# The rule makes names that are unique as long as each function serves one
# path and one method, and that are valid identifiers in most languages: a
# client generator turns `read_note_notes__note_id__get` into a method name.
# `operation_id="read_note"` in the decorator picks a nicer one.
#
# A route with several methods (`@app.api_route("/x", methods=["GET", "PUT"])`)
# gives the same operationId to all of them, which the OpenAPI specification
# forbids; FastAPI warns "Duplicate Operation ID". It takes the method from a
# Python `set`, so which one depends on the process; our package takes the
# alphabetically first, so the document is the same on every run.
#
# ## Where the parameters come from
#
# Every `APIRoute` keeps the `Dependant` tree built at registration (chapter
# 06). Each node has `params`: the fields it reads from the path, the query
# string, headers and cookies, each with `.name`, `.source`, `.alias` (its key
# in the request), `.annotation` (the type Pydantic validates, constraints
# included), `.default` and `.required`; and `dependencies`, its child nodes.

# %%
def show(dependant, depth=0):
    fields = [f"{f.source} {f.alias}" for f in dependant.params]
    print("    " * depth + dependant.call.__name__, fields)
    for sub in dependant.dependencies:
        show(sub, depth + 1)


for route in demo.routes:
    if route.path == "/notes" and "POST" in route.methods:
        show(route.dependant)
        header = route.dependant.dependencies[0].dependencies[0].params[0]
        print(header)

# %% [markdown]
# ### Exercise 2: the parameter list of an operation
#
# Write `parameters(route)`: the list that goes under `"parameters"` in the
# route's operation. One entry per field in the **whole** tree (the route's
# own `params` and those of its dependencies, recursively):
#
# ```python
# {"name": alias, "in": source, "required": ..., "schema": ...}
# ```
#
# - order: every `path` field first, then `query`, `header`, `cookie`; within
#   one source, the route's own fields first, then its dependencies' in the
#   order of the tree (depth first);
# - `"required"`: the field's `.required`;
# - `"schema"`: the JSON Schema of `.annotation`, made by Pydantic, plus
#   `"default"` when the field is optional (its `.default`), plus a
#   `"title"`: the alias with each word capitalised and `_` made a space
#   (`note_id` gives `Note Id`, `x-token` gives `X-Token`).
#
# The check compares your list with the document for every operation of the
# demo and of the `shelf` app below.

# %% [markdown]
# <details><summary>Hint</summary>
#
# A recursive generator walks the tree: `yield from dependant.params`, then
# `yield from walk(sub)` for each `sub` in `dependant.dependencies`. Python's
# `sorted` is stable, so `sorted(fields, key=lambda f: SOURCES.index(f.source))`
# groups by source and keeps the tree's order inside a group.
# `TypeAdapter(f.annotation).json_schema()` gives the schema; `str.title()`
# capitalises each word.
#
# </details>

# %%
SOURCES = ("path", "query", "header", "cookie")


def parameters(route: APIRoute) -> list[dict[str, Any]]:
    ### BEGIN SOLUTION
    def walk(dependant):
        yield from dependant.params
        for sub in dependant.dependencies:
            yield from walk(sub)

    result = []
    for f in sorted(walk(route.dependant), key=lambda f: SOURCES.index(f.source)):
        schema = TypeAdapter(f.annotation).json_schema()
        if not f.required:
            schema["default"] = f.default
        schema["title"] = f.alias.title().replace("_", " ")
        result.append({"name": f.alias, "in": f.source, "required": f.required, "schema": schema})
    return result
    ### END SOLUTION


# %%
shelf = App(title="Shelf")


def paging(page: Annotated[int, Query(ge=1)] = 1, size: Annotated[int, Query(le=100)] = 10):
    return {"page": page, "size": size}


def api_key(x_api_key: Annotated[str, Header()]) -> str:
    return x_api_key


@shelf.get("/books")
def list_books(
    paging: Annotated[dict, Depends(paging)],
    tag: Annotated[list[str], Query()] = [],
    session: Annotated[str, Cookie()] = "anonymous",
):
    return []


@shelf.get("/books/{book_id}")
def read_book(
    book_id: Annotated[int, Path(ge=1)],
    key: Annotated[str, Depends(api_key)],
    lang: str = "en",
):
    return {}


@shelf.get("/shelves/{shelf_id}/books/{book_id}")
def read_book_on_shelf(shelf_id: str, book_id: int, verbose: bool = False):
    return {}


# %%
with check("Exercise 2: parameters(route) lists the tree's fields as the document does"):
    for app in (demo, shelf):
        expected_document = app.openapi()
        for route in app.routes:
            if not (isinstance(route, APIRoute) and route.include_in_schema):
                continue
            (method,) = route.methods
            operation = expected_document["paths"][route.path_format][method.lower()]
            expected = operation.get("parameters", [])
            answer = parameters(route)
            assert isinstance(answer, list), f"expected a list, got {answer!r}"
            names = [(p.get("in"), p.get("name")) for p in answer]
            expected_names = [(p["in"], p["name"]) for p in expected]
            assert names == expected_names, (
                f"{method} {route.path_format}: expected the parameters (in, name) "
                f"{expected_names} in this order, got {names}"
            )
            for mine, theirs in zip(answer, expected, strict=True):
                assert mine == theirs, (
                    f"{method} {route.path_format}, parameter {theirs['name']!r}: "
                    f"expected {theirs}, got {mine}"
                )

# %% [markdown]
# `page` and `size` belong to the `paging` dependency, `x-api-key` to
# `api_key`: the client sees one flat list and needs to know nothing of the
# tree. The package's `parameters` (in `openapi.py`) does two more things:
#
# - a `Query(description=...)` or `deprecated=True` lands in the parameter
#   itself, beside the schema, where Swagger UI shows it;
# - two dependencies that read the same key (`x-api-key` twice) make one
#   entry, the required one winning.
#
# It also does not call `json_schema()` once per field. The next exercise
# shows why.
#
# ## Models become components
#
# A model used by three routes should be described once and pointed at three
# times: that is what `components.schemas` and `$ref` are for. Pydantic can
# write the pointers the way OpenAPI wants them, with `ref_template`:

# %%
class Address(BaseModel):
    street: str
    city: str


print(TypeAdapter(Address).json_schema())


class Customer(BaseModel):
    name: str
    home: Address


print(TypeAdapter(Customer).json_schema())
print(TypeAdapter(Customer).json_schema(ref_template="#/components/schemas/{model}"))

# %% [markdown]
# A nested model goes under `$defs` by default; with the template, the
# `$ref`s point where OpenAPI documents keep their schemas. One more detail:
# FastAPI leaves out every key whose value is `None` from the document, so a
# field `x: int | None = None` shows no `"default": null`. Here is that step:

# %%
def without_nulls(value: Any) -> Any:
    """`value` with every dict key whose value is None left out, at any depth."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


print(without_nulls({"a": None, "b": [{"c": None, "d": 1}]}))

# %% [markdown]
# ### Exercise 3: components and `$ref`s
#
# The `orders` app below takes an `Order` on one route and a `Quote` on
# another; both contain `Line`s, and `Order` contains `Address`es. Write:
#
# - `components(models)`: the `components.schemas` section for these models,
#   a dict from a model's name to its schema, **every** model reached
#   (`Line`, `Address` too) as its own entry, the others pointing at it with
#   `{"$ref": "#/components/schemas/<Name>"}`, and without nulls;
# - `body_for(model)`: the `requestBody` of an operation that takes `model`
#   as its whole JSON body, a required one:
#   `{"required": True, "content": {"application/json": {"schema": <a $ref>}}}`.
#
# The check compares both with `orders.openapi()` (leaving out the two error
# schemas that every document with a 422 carries).

# %% [markdown]
# <details><summary>Hint</summary>
#
# Two ways. Model by model: `schema = TypeAdapter(m).json_schema(ref_template=...)`,
# then move what is under `schema.pop("$defs", {})` up beside it, and store the
# rest under `m.__name__`. Or in one pass, as the package does:
# `GenerateJsonSchema(ref_template=...).generate_definitions(inputs)` with one
# input `(key, "validation", TypeAdapter(m).core_schema)` per model; it returns
# a mapping (key and mode to each input's schema) and the definitions. Then
# `without_nulls`.
#
# </details>

# %%
REF = "#/components/schemas/"


class Line(BaseModel):
    sku: str
    quantity: int = Field(default=1, ge=1)


class Order(BaseModel):
    lines: list[Line]
    ship_to: Address
    bill_to: Address | None = None


class Quote(BaseModel):
    lines: list[Line]


def components(models: list[type[BaseModel]]) -> dict[str, dict[str, Any]]:
    ### BEGIN SOLUTION
    generator = GenerateJsonSchema(ref_template=REF + "{model}")
    inputs = [(model, "validation", TypeAdapter(model).core_schema) for model in models]
    _, definitions = generator.generate_definitions(inputs)
    return without_nulls(definitions)
    ### END SOLUTION


def body_for(model: type[BaseModel]) -> dict[str, Any]:
    ### BEGIN SOLUTION
    schema = {"$ref": REF + model.__name__}
    return {"required": True, "content": {"application/json": {"schema": schema}}}
    ### END SOLUTION


orders = App(title="Orders")


@orders.post("/orders", status_code=201)
def place_order(order: Order):
    return {"placed": len(order.lines)}


@orders.post("/quotes")
def ask_for_quote(quote: Quote):
    return {"lines": len(quote.lines)}


# %%
with check("Exercise 3: each model is one named component, bodies point at it"):
    expected_document = orders.openapi()
    errors = {"HTTPValidationError", "ValidationError"}
    expected = {
        name: schema
        for name, schema in expected_document["components"]["schemas"].items()
        if name not in errors
    }
    answer = components([Order, Quote])
    assert isinstance(answer, dict), f"expected a dict of schemas, got {answer!r}"
    assert sorted(answer) == sorted(expected), (
        f"expected the components {sorted(expected)}, got {sorted(answer)}"
    )
    for name in expected:
        assert answer[name] == expected[name], (
            f"component {name!r}: expected {expected[name]}, got {answer[name]}"
        )
    for path, model in [("/orders", Order), ("/quotes", Quote)]:
        body = expected_document["paths"][path]["post"]["requestBody"]
        answer = body_for(model)
        assert answer == body, f"POST {path}: expected the requestBody {body}, got {answer}"

# %% [markdown]
# Why the package makes all the schemas of all the routes in **one** call:
# Pydantic then sees every model at once, so a model reached from two routes
# is one definition, and two different models that share a name (two classes
# `Item` in two modules) get two distinct names, chosen once for the whole
# document. Schemas made one by one could only be merged by name, and the
# second `Item` would silently replace the first.
#
# The one pass also knows the **mode** of each use: a body is validated
# (`"validation"`), a `response_model` is serialized (`"serialization"`). For
# most models both modes give the same schema. When they differ, Pydantic
# makes two components, `Name-Input` and `Name-Output`; FastAPI shows the same.
# A `computed_field` is such a case: it is in the output, never in the input.

# %%
class Box(BaseModel):
    width: int

    @computed_field
    @property
    def area(self) -> int:
        return self.width * self.width


boxes = App()


@boxes.post("/boxes")
def make_box(box: Box) -> Box:
    return box


for name, schema in boxes.openapi()["components"]["schemas"].items():
    if name.startswith("Box"):
        print(name, sorted(schema["properties"]), "required:", schema["required"])

# %% [markdown]
# ## Built once, kept
#
# `App.openapi()` builds the document the first time it is called and keeps
# it in `app.openapi_schema`: `/openapi.json` costs nothing after the first
# request. The price: a route added later is not in it until the kept
# document is dropped. (FastAPI 0.165 notices new routes and rebuilds.)

# %%
late = App()


@late.get("/early")
def early():
    return {}


print(late.openapi() is late.openapi(), list(late.openapi()["paths"]))


@late.get("/later")
def later():
    return {}


print(list(late.openapi()["paths"]))
late.openapi_schema = None
print(list(late.openapi()["paths"]))

# %% [markdown]
# `include_in_schema=False` keeps a route out of the document; the demo's
# `GET /` and `POST /echo` use it. The routes that serve the document and the
# docs pages are plain `Route`s, not `APIRoute`s: never documented.
#
# ## The docs pages, offline
#
# `/docs` is a small HTML page; the JavaScript of Swagger UI does the rest: it
# fetches `/openapi.json` and draws the page from it. FastAPI's page loads
# that JavaScript from a CDN, so without internet it stays blank. Ours loads
# it from the app itself:

# %%
page = await client.get("/docs")
print(page.headers["content-type"])
print(page.text)
for url in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
    asset = await client.get(url)
    print(url, asset.status_code, asset.headers["content-type"], len(asset.content), "bytes")

# %% [markdown]
# The files come from the PyPI package `fastapi-standalone-docs` (installed by
# `requirements.txt`). The app only **reads** them; it never imports the
# package. `importlib.util.find_spec` says where a package lives without
# importing it:

# %%
spec = importlib.util.find_spec("fastapi_standalone_docs")
STATIC = FilePath(next(iter(spec.submodule_search_locations))) / "static"
print(sorted(p.name for p in (STATIC / "swagger").iterdir()))

# %% [markdown]
# ### Exercise 4: a Swagger UI page with no internet
#
# The `catalog` app below has its own docs pages turned off, and serves
# Swagger UI's two files under `/assets/` (the `asset` handler is written for
# you). Write the handler `swagger_page(request)` for `GET /try-it`: an
# `HTMLResponse` whose page
#
# - loads the stylesheet `<root>/assets/swagger-ui.css` with a `<link>` and the
#   script `<root>/assets/swagger-ui-bundle.js` with a `<script src=...>`, where
#   `<root>` is the app's root path (`request.scope.get("root_path", "")`, with
#   no trailing `/`): behind a proxy at `/api`, the browser must ask for
#   `/api/assets/...`;
# - has a `<div id="swagger-ui"></div>`, and after the script a second
#   `<script>` that calls
#   `SwaggerUIBundle({url: "<root>/openapi.json", dom_id: "#swagger-ui", validatorUrl: null})`;
# - loads nothing from anywhere else (a favicon link to `data:,` is fine: it
#   stops the browser asking for `/favicon.ico`).

# %% [markdown]
# <details><summary>Hint</summary>
#
# An f-string with the HTML; double the braces of the JavaScript object
# (`{{` and `}}`) so that Python leaves them alone. `json.dumps(url)` writes a
# string in JavaScript's quotes. `validatorUrl: null` stops Swagger UI from
# sending the document's address to an online validator.
#
# </details>

# %%
ASSET_TYPES = {
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}

catalog = App(title="Catalog", docs_url=None, redoc_url=None)


@catalog.get("/products/{product_id}")
def read_product(product_id: int):
    return {"id": product_id}


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSET_TYPES:  # two known files, nothing else from the disk
        raise HTTPException(404)
    return Response((STATIC / "swagger" / name).read_bytes(), media_type=ASSET_TYPES[name])


async def swagger_page(request: Request) -> HTMLResponse:
    ### BEGIN SOLUTION
    root = request.scope.get("root_path", "").rstrip("/")
    return HTMLResponse(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Catalog - Swagger UI</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{root}/assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="{root}/assets/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{
  url: {json.dumps(root + "/openapi.json")},
  dom_id: "#swagger-ui",
  validatorUrl: null,
}});
</script></body></html>""")
    ### END SOLUTION


catalog.add_route("/assets/{name}", asset)
catalog.add_route("/try-it", swagger_page)

# %%
with check("Exercise 4: the page loads Swagger UI from the app, root path included"):
    for root in ("", "/api"):
        transport = httpx.ASGITransport(app=catalog, root_path=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            page = await c.get(root + "/try-it")
            assert page.status_code == 200, f"GET {root}/try-it: expected 200, got {page.status_code}"
            assert page.headers["content-type"].startswith("text/html"), (
                f"expected an HTML page, got {page.headers['content-type']}"
            )
            sources = re.findall(r'(?:src|href)="([^"]*)"', page.text)
            outside = [s for s in sources if not s.startswith(("/", "data:"))]
            assert not outside, f"expected only local files, the page loads {outside}"
            for name in ASSET_TYPES:
                url = f"{root}/assets/{name}"
                assert url in sources, f"root path {root!r}: expected the page to load {url}, it loads {sources}"
                answer = await c.get(url)
                assert answer.status_code == 200, f"GET {url}: expected 200, got {answer.status_code}"
            assert '<div id="swagger-ui">' in page.text, 'expected a <div id="swagger-ui"> for Swagger UI to fill'
            assert "SwaggerUIBundle(" in page.text, "expected a script that calls SwaggerUIBundle(...)"
            assert f'"{root}/openapi.json"' in page.text, (
                f"root path {root!r}: expected the url \"{root}/openapi.json\" in the page"
            )
            assert re.search(r"validatorUrl:\s*null", page.text), "expected validatorUrl: null"

# %% [markdown]
# Run the chapter's demo with uvicorn and open `/docs` in a browser: the
# package's page is yours plus a few options (`deepLinking`, the standalone
# preset). Two details there came from trying it in Chromium:
#
# - the script is served as `application/javascript; charset=utf-8`. Swagger
#   UI's bundle holds a few characters outside ASCII; without a charset the
#   browser decodes the file with the page's encoding, and a page that declares
#   none gets a legacy single-byte one, which breaks the bundle ("Invalid or
#   unexpected token");
# - only the files in a fixed list are served, never a path from the URL: a
#   request for `/assets/..%2F..%2Fsetup.py` is a 404, not a file from your disk.

# %%
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=catalog), base_url="http://test") as c:
    print((await c.get("/assets/..%2F..%2Fsetup.py")).status_code)

# %% [markdown]
# ## The TestClient
#
# FastAPI's documentation writes its tests with a synchronous `TestClient`:
# plain `def test_...()`, no event loop in sight. The package now has one
# (`nanoapi/testclient.py`). It is an `httpx.Client` whose transport runs the
# app on an event loop in a helper thread and waits for the answer, which is
# why it works even here, in a notebook that already runs a loop of its own.
# Only inside `with` does it run the app's lifespan, startup on entry and
# shutdown on exit.

# %%
def test_create_note_needs_a_token():
    with TestClient(demo) as test_client:
        response = test_client.post("/notes", json={"text": "water plants"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["header", "x-token"]
        response = test_client.post(
            "/notes", json={"text": "water plants"}, headers={"x-token": "secret-token"}
        )
        assert response.status_code == 201


test_create_note_needs_a_token()
print("passed")

# %% [markdown]
# ## What's next
#
# Every chapter so far ran its app under somebody else's server: uvicorn,
# hypercorn or granian read the bytes from the socket, built the `scope`,
# and turned our `send` messages back into HTTP. Chapter 08 goes to the other
# side of ASGI and writes that server: a small HTTP/1.1 server on `asyncio`
# that parses requests, calls any ASGI app (ours or FastAPI's), writes the
# responses, keeps connections alive, and runs the lifespan.
