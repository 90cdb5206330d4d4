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
# # 04 The router
#
# In chapter 03 the middle of the onion looked a request up in a dict:
# `handlers[path][method]`. That cannot read `/users/7` as "user number 7".
# This chapter puts a **router** there: an ordered list of routes, each with a
# path template compiled once into a regular expression.
#
# You will build the router's moving parts yourself, one small function at a
# time:
#
# 1. compile a path template such as `/items/{item_id:int}` into a regex;
# 2. say whether one route matches a request: `NONE`, `PARTIAL` or `FULL`;
# 3. the router's loop: the first `FULL` match wins, else 405 or 404;
# 4. the trailing-slash redirect.
#
# The finished version of each piece is in `chapters/04_router/nanoapi/router.py`
# (and `routing.py` for the decorators);
# read it after you have written yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/04_router")]
import httpx
from workshop import check

from nanoapi import URL, APIRoute, JSONResponse, Match, PlainTextResponse, Request
from nanoapi.router import compile_path

import re
import uuid

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `httpx.ASGITransport` calls the app in-process, so no server is needed.
# httpx does not follow redirects unless asked (`follow_redirects=False` is
# its default), so we get to see the 307 the router sends for `/items`.

# %%
from app import app as demo

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test")

for method, url in [
    ("GET", "/users/me"),
    ("GET", "/users/7"),
    ("GET", "/users/abc"),
    ("GET", "/users/-3"),
    ("GET", "/items"),
    ("GET", "/items/1"),
    ("GET", "/files/a/b/c"),
    ("GET", "/raw/x"),
    ("POST", "/users/me"),
]:
    response = await client.request(method, url)
    extra = {k: response.headers[k] for k in ("location", "allow") if k in response.headers}
    print(f"{method:4} {url:12} -> {response.status_code} {response.text!r} {extra or ''}")

# %% [markdown]
# `/users/abc` and `/users/-3` are 404s: the template is `/users/{user_id:int}`,
# and the `int` convertor's regex is `[0-9]+`, so neither text matches at all.
# `POST /users/me` is a 405 with an `Allow` header: the path is right, the
# method is not.
#
# ## What a compiled template looks like
#
# The package does this work once, when the route is registered:

# %%
regex, path_format, convertors = compile_path("/users/{user_id:int}/files/{name}")
print(regex.pattern)
print(path_format)
print({name: type(c).__name__ for name, c in convertors.items()})
print(regex.match("/users/7/files/notes.txt").groupdict())

# %% [markdown]
# ### Exercise 1: compile a path template
#
# Write `compile_template(path)` returning `(regex, convertors)`:
#
# - `regex` is a compiled `re.Pattern` that matches the **whole** path, with one
#   named group per parameter: `/items/{item_id:int}` becomes
#   `^/items/(?P<item_id>[0-9]+)$`;
# - `convertors` maps each parameter's name to the Python function that turns
#   its text into a value (`int` or `str`);
# - a parameter without a kind (`{slug}`) is a `str`;
# - the literal parts are escaped, so the `.` in `/v1.0/...` matches only a dot;
# - an unknown kind (`{x:nope}`) raises `ValueError` at once.
#
# `KINDS` below gives each kind's regex and conversion function.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `re.finditer(r"{(\w+)(?::(\w+))?}", path)` finds each parameter; `found.group(1)`
# is its name, `found.group(2)` its kind or `None`. Keep an index `end` where the
# previous parameter stopped: add `re.escape(path[end:found.start()])`, then the
# named group `f"(?P<{name}>{pattern})"`, then move `end` to `found.end()`. After
# the loop, escape the rest of the path and add `$`.
#
# </details>

# %%
KINDS = {"str": ("[^/]+", str), "int": ("[0-9]+", int)}


def compile_template(path: str) -> tuple[re.Pattern, dict]:
    ### BEGIN SOLUTION
    regex, convertors, end = "^", {}, 0
    for found in re.finditer(r"{(\w+)(?::(\w+))?}", path):
        name, kind = found.group(1), found.group(2) or "str"
        if kind not in KINDS:
            raise ValueError(f"unknown convertor {kind!r} in {path}")
        pattern, convertors[name] = KINDS[kind]
        regex += re.escape(path[end : found.start()]) + f"(?P<{name}>{pattern})"
        end = found.end()
    regex += re.escape(path[end:]) + "$"
    return re.compile(regex), convertors
    ### END SOLUTION


# %%
with check("Exercise 1: compile_template turns a template into a regex"):
    regex, convertors = compile_template("/items/{item_id:int}/{slug}")
    assert isinstance(regex, re.Pattern), f"expected a compiled re.Pattern, got {regex!r}"
    assert convertors == {"item_id": int, "slug": str}, (
        f"expected {{'item_id': int, 'slug': str}}, got {convertors}"
    )
    found = regex.match("/items/42/red-kettle")
    assert found is not None, "expected /items/42/red-kettle to match"
    assert found.groupdict() == {"item_id": "42", "slug": "red-kettle"}, (
        f"expected the groups item_id='42', slug='red-kettle', got {found.groupdict()}"
    )
    for path in ["/items/-3/x", "/items/abc/x", "/items/42/a/b", "/items/42/x/"]:
        assert regex.match(path) is None, f"expected {path} not to match"
    assert regex.search("/shop/items/42/x") is None, "expected the regex to start at ^"
    dotted, _ = compile_template("/v1.0/{name}")
    assert dotted.match("/v1.0/a"), "expected /v1.0/a to match /v1.0/{name}"
    assert dotted.match("/v1X0/a") is None, "expected the '.' to be escaped"
    try:
        compile_template("/x/{x:nope}")
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for the unknown kind 'nope'")

# %% [markdown]
# ### Exercise 2: does this route match?
#
# A route answers one question for each request: `Match.NONE` (the path does not
# fit its template), `Match.PARTIAL` (the path fits, the method is not one of
# its methods) or `Match.FULL` (both fit). The router uses `PARTIAL` to tell a
# 405 from a 404.
#
# Write `matches(route, method, path)` returning `(match, params)` where `params`
# holds the **converted** path parameters (`{"item_id": 42}`, an `int`), or `{}`
# for `NONE`. A `TinyRoute` has `.regex` and `.convertors` from the package's
# `compile_path` (each convertor has a `.convert(text)` method) and `.methods`,
# a set.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `route.regex.match(path)` is `None` when the path does not fit. Otherwise build
# the params with `route.convertors[name].convert(text)` for each
# `name, text` in `found.groupdict().items()`, then choose between FULL and PARTIAL
# with `method in route.methods`.
#
# </details>

# %%
class TinyRoute:
    def __init__(self, path: str, methods: list[str]) -> None:
        self.path, self.methods = path, set(methods)
        self.regex, _, self.convertors = compile_path(path)


def matches(route: TinyRoute, method: str, path: str) -> tuple[Match, dict]:
    ### BEGIN SOLUTION
    found = route.regex.match(path)
    if found is None:
        return Match.NONE, {}
    params = {k: route.convertors[k].convert(v) for k, v in found.groupdict().items()}
    return (Match.FULL if method in route.methods else Match.PARTIAL), params
    ### END SOLUTION


# %%
with check("Exercise 2: matches says NONE, PARTIAL or FULL"):
    item = TinyRoute("/items/{item_id:int}", ["GET", "PUT"])
    answer = matches(item, "GET", "/items/42")
    assert answer == (Match.FULL, {"item_id": 42}), (
        f"GET /items/42: expected (Match.FULL, {{'item_id': 42}}), got {answer}"
    )
    assert type(answer[1]["item_id"]) is int, "expected item_id converted to an int"
    answer = matches(item, "DELETE", "/items/42")
    assert answer == (Match.PARTIAL, {"item_id": 42}), (
        f"DELETE /items/42: expected (Match.PARTIAL, {{'item_id': 42}}), got {answer}"
    )
    for path in ["/items/abc", "/items/42/", "/items"]:
        answer = matches(item, "GET", path)
        assert answer == (Match.NONE, {}), f"GET {path}: expected (Match.NONE, {{}}), got {answer}"
    order = TinyRoute("/orders/{order_id:uuid}", ["GET"])
    text = "12345678-1234-5678-1234-567812345678"
    answer = matches(order, "GET", f"/orders/{text}")
    assert answer == (Match.FULL, {"order_id": uuid.UUID(text)}), (
        f"expected the uuid convertor's value, a uuid.UUID, got {answer}"
    )

# %% [markdown]
# ### Exercise 3: the router's loop
#
# Finish the ASGI app `TinyRouter`. It holds a list of the package's `APIRoute`
# objects; `route.matches(scope)` returns `(match, child_scope)` as your
# `matches` did, and `route.app` is the route's endpoint already wrapped as an
# ASGI app. For each request:
#
# - the **first** route that matches FULL handles it: update the scope with its
#   child scope (that is how `request.path_params` gets filled), then
#   `await route.app(scope, receive, send)`;
# - otherwise, if some route matched PARTIAL, answer **405** with the body
#   `{"detail": "Method Not Allowed"}` and an `allow` header listing the
#   methods of the **first** such route, sorted, joined by `", "`;
# - otherwise answer **404** with `{"detail": "Not Found"}`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Loop once over `self.routes`. Return as soon as one is FULL; remember the first
# PARTIAL in a variable that starts as `None`. After the loop, build a
# `JSONResponse(body, status_code=..., headers=...)` and
# `await response(scope, receive, send)`.
#
# </details>

# %%
class TinyRouter:
    def __init__(self, routes: list[APIRoute]) -> None:
        self.routes = routes

    async def __call__(self, scope, receive, send) -> None:
        ### BEGIN SOLUTION
        partial = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                await route.app(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = route
        if partial is not None:
            allow = ", ".join(sorted(partial.methods))
            body, status, headers = {"detail": "Method Not Allowed"}, 405, {"allow": allow}
        else:
            body, status, headers = {"detail": "Not Found"}, 404, None
        await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)
        ### END SOLUTION


# %%
def answering(text: str):
    async def endpoint(request: Request):
        params = request.path_params
        return PlainTextResponse(text.format(**params))

    return endpoint


tiny = TinyRouter(
    [
        APIRoute("/users/me", answering("me"), methods=["GET"]),
        APIRoute("/users/{user_id:int}", answering("user {user_id}"), methods=["GET"]),
        APIRoute("/same", answering("first"), methods=["GET"]),
        APIRoute("/same", answering("second"), methods=["GET"]),
        APIRoute("/things", answering("things"), methods=["PUT", "POST", "DELETE"]),
        APIRoute("/orders", answering("order placed"), methods=["POST"]),
        APIRoute("/orders", answering("orders"), methods=["GET"]),
    ]
)
tiny_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny), base_url="http://test")

# %%
with check("Exercise 3: the router's loop picks a route, or says 404/405"):
    for url, text in [("/users/me", "me"), ("/users/7", "user 7"), ("/same", "first")]:
        response = await tiny_client.get(url)
        assert (response.status_code, response.text) == (200, text), (
            f"GET {url}: expected 200 {text!r}, got {response.status_code} {response.text!r}"
        )
    for url in ["/users/abc", "/nowhere"]:
        response = await tiny_client.get(url)
        assert response.status_code == 404, f"GET {url}: expected 404, got {response.status_code}"
        assert response.json() == {"detail": "Not Found"}, (
            f'GET {url}: expected {{"detail": "Not Found"}}, got {response.text!r}'
        )
    response = await tiny_client.get("/things")
    assert response.status_code == 405, f"GET /things: expected 405, got {response.status_code}"
    allow = response.headers.get("allow")
    assert allow == "DELETE, POST, PUT", (
        f"GET /things: expected the header allow: 'DELETE, POST, PUT', got {allow!r}"
    )
    response = await tiny_client.get("/orders")
    assert (response.status_code, response.text) == (200, "orders"), (
        "GET /orders: the first /orders route is POST only (PARTIAL), the second "
        "is GET (FULL): expected 200 'orders', got "
        f"{response.status_code} {response.text!r}"
    )
    response = await tiny_client.put("/orders")
    assert (response.status_code, response.headers.get("allow")) == (405, "POST"), (
        "PUT /orders: both /orders routes are PARTIAL: expected 405 with the first "
        f"one's allow: 'POST', got {response.status_code} "
        f"{response.headers.get('allow')!r}"
    )
    response = await tiny_client.post("/users/7")
    assert (response.status_code, response.headers.get("allow")) == (405, "GET"), (
        "POST /users/7: expected 405 with allow: 'GET', got "
        f"{response.status_code} {response.headers.get('allow')!r}"
    )

# %% [markdown]
# ## Trap: route order matters
#
# In `tiny`, `/users/me` comes before `/users/{user_id:int}`. With the `int`
# convertor the order would not even matter (`me` is not `[0-9]+`), but with a
# plain `{user_id}` the first route that fits wins, and `me` is a perfectly good
# string. Here is the wrong order, on the package's own `APIRouter`:

# %%
from nanoapi import APIRouter

wrong_order = APIRouter()
wrong_order.add_api_route("/users/{user_id}", answering("user {user_id}"), methods=["GET"])
wrong_order.add_api_route("/users/me", answering("me"), methods=["GET"])
wrong_client = httpx.AsyncClient(
    transport=httpx.ASGITransport(app=wrong_order), base_url="http://test"
)
print((await wrong_client.get("/users/me")).text)  # the second route never answers

# %% [markdown]
# ### Exercise 4: the trailing-slash redirect
#
# When no route matches at all, the router tries the path with its trailing
# slash flipped (`/items` <-> `/items/`). If some route matches that path, even
# only PARTIAL, the client is sent there with a 307.
#
# Write `slash_redirect(routes, scope)` returning the absolute URL to redirect
# to (a `str`), or `None`:
#
# - flip the slash: `/items` becomes `/items/`, `/users/7/` becomes `/users/7`;
# - never for the path `/`;
# - redirect when any route's `matches` says anything but `Match.NONE` for the
#   flipped path;
# - the URL is absolute and keeps the query string: `http://test/items/?page=2`.
#   `str(URL.from_scope(scope))` builds it from a scope (scheme, host, path, query).

# %% [markdown]
# <details><summary>Hint</summary>
#
# `path.rstrip("/")` removes the slash, `path + "/"` adds it. Build the new
# scope with `{**scope, "path": flipped}`, ask each route
# `route.matches(other)[0]`, and when one is not `Match.NONE` return
# `str(URL.from_scope(other))`.
#
# </details>

# %%
def slash_redirect(routes: list[APIRoute], scope: dict) -> str | None:
    ### BEGIN SOLUTION
    path = scope["path"]
    if path == "/":
        return None
    flipped = path.rstrip("/") if path.endswith("/") else path + "/"
    other = {**scope, "path": flipped}
    if any(route.matches(other)[0] is not Match.NONE for route in routes):
        return str(URL.from_scope(other))
    return None
    ### END SOLUTION


# %%
def scope_for(method: str, path: str, query: str = "") -> dict:
    """The parts of an HTTP scope that routing and URL building read."""
    headers = [(b"host", b"test")]
    return {"type": "http", "method": method, "path": path, "root_path": "",
            "scheme": "http", "query_string": query.encode(), "headers": headers}


shop = [
    APIRoute("/", answering("home"), methods=["GET"]),
    APIRoute("/items/", answering("items"), methods=["GET"]),
    APIRoute("/users/{user_id:int}", answering("user"), methods=["GET"]),
]

# %%
with check("Exercise 4: slash_redirect flips the trailing slash"):
    cases = [
        (scope_for("GET", "/items"), "http://test/items/"),
        (scope_for("GET", "/items", "page=2"), "http://test/items/?page=2"),
        (scope_for("GET", "/users/7/"), "http://test/users/7"),
        (scope_for("POST", "/items"), "http://test/items/"),
        (scope_for("GET", "/nowhere"), None),
        (scope_for("GET", "/users/abc/"), None),
        (scope_for("GET", "/"), None),
    ]
    for scope, expected in cases:
        answer = slash_redirect(shop, scope)
        where = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
        assert answer == expected, f"{scope['method']} {where}: expected {expected!r}, got {answer!r}"

# %% [markdown]
# `POST /items` redirects too: the flipped path matches PARTIAL (only GET is
# allowed there), and the redirect comes first; the client then gets its 405
# from `/items/`. A 307 (unlike a 302) tells the client to repeat the same method
# with the same body.
#
# ## Routers in routers, mounts and reverse routing
#
# The package's `APIRouter` copies its routes into the app under a prefix;
# `mount` hands a whole path prefix to another ASGI app; `url_path_for` builds a
# path back from a route's name.

# %%
from nanoapi import App, APIRouter

inner = APIRouter(prefix="/catalogue", tags=["catalogue"])


@inner.get("/{item_id:int}")
async def show_item(request: Request):
    return PlainTextResponse(f"item {request.path_params['item_id']}")


outer = APIRouter(prefix="/shop")
outer.include_router(inner, prefix="/v1")
site = App()
site.include_router(outer, prefix="/eu")
print([(route.path, route.tags) for route in site.routes])
print(site.url_path_for("show_item", item_id=3))

site_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://test")
print((await site_client.get("/eu/shop/v1/catalogue/3")).text)

# %% [markdown]
# ## What's next
#
# Every handler here still takes the `Request` and digs the parameters out of
# `request.path_params` itself. In chapter 05 the route reads the handler's
# **signature** instead: `async def read_user(user_id: int)` gets its `user_id`
# from the path, checked and converted by Pydantic from the type hint, and a
# wrong value answers FastAPI's 422 with a list of errors.
