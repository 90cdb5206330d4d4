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
# # 02 A callable-class framework
#
# In chapter 01 the whole service was one `async def app(scope, receive, send)`.
# This chapter puts three objects between the server and the code you write:
#
# - an **App**: an object with `async __call__(scope, receive, send)`, so the
#   server cannot tell it from a function, holding a table of handlers;
# - a **Request**: a lazy view of the scope, plus a body read once from `receive`;
# - a **Response**: an object that renders its bytes and headers when created,
#   then sends itself as two ASGI messages.
#
# You will first use the chapter's `nanoapi` package, then build a small version
# of each piece yourself. No server is needed: `httpx.ASGITransport` calls the
# app in-process, and top-level `await` works in a notebook cell.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/02_framework")]
import json

import httpx
from workshop import check

from nanoapi import App, JSONResponse, PlainTextResponse, Request, Response

# %% [markdown]
# ## An App is an ASGI app
#
# Handlers are `async def` functions from a `Request` to a `Response`, registered
# by path and method. The App itself is what the server (here, httpx) calls.

# %%
app = App()


@app.route("/hello")
async def hello(request: Request) -> Response:
    name = request.query_params.get("name", "world")
    return JSONResponse({"message": f"Hello, {name}!"})


@app.route("/echo", methods=["POST"])
async def echo(request: Request) -> Response:
    return PlainTextResponse((await request.body()).decode())


client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
response = await client.get("/hello", params={"name": "Ada"})
print(response.status_code, response.headers["content-type"], response.text)

# %% [markdown]
# The same object answers the cases no handler covers: an unknown path is a 404,
# a known path with the wrong method is a 405 with an `allow` header, and HEAD
# is served wherever GET is. Here is the table the decorators filled in:

# %%
print({path: sorted(methods) for path, methods in app.handlers.items()})

for method, path in [("GET", "/nowhere"), ("DELETE", "/hello"), ("HEAD", "/hello")]:
    answer = await client.request(method, path)
    print(method, path, answer.status_code, answer.headers.get("allow"), answer.text)

# %% [markdown]
# ### Exercise 1: an app that is an object
#
# Write `TinyApp`, a class whose instances are ASGI apps. `TinyApp(text)` keeps
# the text; calling the instance with `(scope, receive, send)` answers **every**
# HTTP request, whatever its path or method, with:
#
# - status 200;
# - the text encoded as UTF-8 as the body;
# - the headers `content-type: text/plain; charset=utf-8` and `content-length`
#   (the length of the body in **bytes**).
#
# Send the two ASGI messages yourself; do not use `nanoapi`'s responses.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Encode first, then measure: `body = self.text.encode("utf-8")`. Headers are a
# list of `(bytes, bytes)` pairs, for example
# `(b"content-length", str(len(body)).encode())`. Then
# `await send({"type": "http.response.start", "status": 200, "headers": headers})`
# and `await send({"type": "http.response.body", "body": body})`.
#
# </details>

# %%
class TinyApp:
    def __init__(self, text: str) -> None:
        self.text = text

    async def __call__(self, scope, receive, send) -> None:
        ### BEGIN SOLUTION
        body = self.text.encode("utf-8")
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        ### END SOLUTION


# %%
with check("Exercise 1: TinyApp answers every request with its text"):
    text = "Grüß dich!"
    tiny = TinyApp(text)
    transport = httpx.ASGITransport(app=tiny)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        for method, path in [("GET", "/"), ("POST", "/any/other/path")]:
            r = await c.request(method, path)
            assert r.status_code == 200, (
                f"{method} {path}: expected 200, got {r.status_code}"
            )
            assert r.text == text, f"{method} {path}: expected {text!r}, got {r.text!r}"
            kind = r.headers.get("content-type")
            assert kind == "text/plain; charset=utf-8", (
                f"expected content-type 'text/plain; charset=utf-8', got {kind!r}"
            )
            length = r.headers.get("content-length")
            assert length == str(len(text.encode())), (
                f"expected content-length {len(text.encode())} (bytes, not "
                f"characters: ü and ß take two bytes each), got {length!r}"
            )

# %% [markdown]
# ## The Request: a lazy view of the scope
#
# A `Request` only stores the scope and `receive`; each property reads the scope
# when asked. Headers match names case-insensitively and keep repeats, and
# `headers[name]` is the **first** value. Query parameters keep repeats too, but
# `query_params[name]` is the **last** value (both as Starlette does).

# %%
scope = {
    "type": "http",
    "method": "GET",
    "path": "/search",
    "query_string": b"tag=a&tag=b&q=J%C3%BCrgen+K",
    "headers": [
        (b"host", b"example.org"),
        (b"accept", b"text/html"),
        (b"accept", b"application/json"),
        (b"cookie", b'session=abc; theme="dark"'),
    ],
}
request = Request(scope)
print(request.url)
print(request.headers["ACCEPT"], request.headers.getlist("accept"))
print(request.query_params["tag"], request.query_params.getlist("tag"))
print(request.query_params["q"])
print(request.cookies)

# %% [markdown]
# The body is not in the scope: it arrives through `receive()`, in one or more
# `http.request` messages, the last one with `more_body` false. Each message can
# be received only once, so the Request reads them on the first `body()` and
# keeps the bytes. `feed` below builds a `receive` that hands out chunks and
# counts how often it is called.

# %%
def feed(*chunks: bytes):
    """A receive() that hands out `chunks`, then `http.disconnect`; counts calls."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        receive.calls += 1
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    receive.calls = 0
    return receive


receive = feed(b'{"name": ', b'"Ada"}')
request = Request({"type": "http", "method": "POST", "headers": []}, receive)
print(await request.body(), receive.calls)
print(await request.body(), receive.calls)  # cached: no new receive() call
print(await request.json())

# %% [markdown]
# ### Exercise 2: a body read once
#
# Finish `MiniRequest.body()`:
#
# - on the first call, call `self._receive()` until a message says
#   `more_body` is false (a missing `more_body` means false, a missing `body`
#   means `b""`), join the chunks and keep them in `self._body`;
# - on later calls, return the kept bytes without calling `receive()` again;
# - if an `http.disconnect` message arrives instead, raise `ConnectionError`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Start with `if self._body is None:` and put the loop inside it. In the loop,
# `message = await self._receive()`, check `message["type"]`, append
# `message.get("body", b"")` and stop when `message.get("more_body", False)` is
# false. After the `if`, `return self._body`.
#
# </details>

# %%
class MiniRequest:
    def __init__(self, scope, receive) -> None:
        self.scope = scope
        self._receive = receive
        self._body: bytes | None = None

    async def body(self) -> bytes:
        ### BEGIN SOLUTION
        if self._body is None:
            chunks = []
            more_body = True
            while more_body:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise ConnectionError("the client left before the body ended")
                chunks.append(message.get("body", b""))
                more_body = message.get("more_body", False)
            self._body = b"".join(chunks)
        return self._body
        ### END SOLUTION


# %%
with check("Exercise 2: MiniRequest reads the body once and caches it"):
    receive = feed(b"Hel", b"lo, ", b"body!")
    mini = MiniRequest({"type": "http"}, receive)
    first = await mini.body()
    assert first == b"Hello, body!", (
        f"expected b'Hello, body!' (the three chunks joined), got {first!r}"
    )
    assert receive.calls == 3, (
        f"expected 3 calls to receive() (one per chunk), got {receive.calls}"
    )
    try:
        second = await mini.body()
    except ConnectionError:
        raise AssertionError(
            "the second body() called receive() again and got http.disconnect: "
            "return the bytes kept by the first call"
        ) from None
    assert second == b"Hello, body!", f"the second body() returned {second!r}"
    assert receive.calls == 3, (
        "the second body() must return the kept bytes, but receive() was "
        f"called {receive.calls} times in all"
    )

    async def bare_receive():
        return {"type": "http.request"}

    empty = await MiniRequest({"type": "http"}, bare_receive).body()
    assert empty == b"", (
        f"a message without 'body' or 'more_body' is an empty, final chunk: "
        f"expected b'', got {empty!r}"
    )

    cut = [{"type": "http.request", "body": b"half", "more_body": True}]

    async def cut_receive():
        return cut.pop(0) if cut else {"type": "http.disconnect"}

    empty_twice = MiniRequest({"type": "http"}, feed(b""))
    await empty_twice.body()
    try:
        await empty_twice.body()
    except ConnectionError:
        raise AssertionError(
            "the second body() read an empty body again and got http.disconnect: "
            "keep b'' too (test `self._body is None`, not `not self._body`)"
        ) from None

    try:
        await MiniRequest({"type": "http"}, cut_receive).body()
    except ConnectionError:
        pass
    else:
        raise AssertionError("expected ConnectionError when http.disconnect arrives")

# %% [markdown]
# ## Responses send themselves
#
# A Response renders its body and headers when it is created; calling it with
# `(scope, receive, send)` sends `http.response.start` and `http.response.body`.
# `sent_by` collects those messages so we can look at them. Note the rules:
# `content-length` is always the byte count, except for statuses without a body
# (1xx, 204, 304); a `text/...` type gets `; charset=utf-8`; JSON is compact.

# %%
async def sent_by(response) -> list[dict]:
    """The ASGI messages a response sends, in order."""
    messages = []

    async def send(message):
        messages.append(message)

    await response({"type": "http"}, None, send)
    return messages


for response in [
    PlainTextResponse("héllo"),
    JSONResponse({"name": "Zoë", "scores": [1, 2.5]}),
    Response(status_code=204),
]:
    start, body = await sent_by(response)
    print(start["status"], start["headers"], body["body"])

# %% [markdown]
# ### Exercise 3: compact JSON
#
# Finish `MiniJSONResponse.__init__` so that it sets:
#
# - `self.body`: the content as JSON, encoded in UTF-8, exactly as FastAPI sends
#   it: no spaces after `,` and `:`, non-ASCII characters kept as they are (not
#   `\u00eb` escapes), and `NaN` or `Infinity` refused with `ValueError`;
# - `self.raw_headers`: a list of `(bytes, bytes)` pairs with `content-length`
#   (the body's length in bytes) and `content-type: application/json`.
#
# `__call__` is written for you: it sends those two attributes.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `json.dumps` has three keyword arguments for the three rules:
# `separators=(",", ":")`, `ensure_ascii=False` and `allow_nan=False`. Encode the
# string with `.encode("utf-8")` before you measure it.
#
# </details>

# %%
class MiniJSONResponse:
    def __init__(self, content, status_code: int = 200) -> None:
        self.status_code = status_code
        ### BEGIN SOLUTION
        text = json.dumps(
            content, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        self.body = text.encode("utf-8")
        self.raw_headers = [
            (b"content-length", str(len(self.body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]
        ### END SOLUTION

    async def __call__(self, scope, receive, send) -> None:
        start = {"status": self.status_code, "headers": self.raw_headers}
        await send({"type": "http.response.start", **start})
        await send({"type": "http.response.body", "body": self.body})


# %%
with check("Exercise 3: MiniJSONResponse sends compact JSON with the right headers"):
    content = {"name": "Zoë", "scores": [1, 2.5, None], "ok": True}
    expected = '{"name":"Zoë","scores":[1,2.5,null],"ok":true}'.encode()
    start, body = await sent_by(MiniJSONResponse(content, status_code=201))
    got = body["body"].decode("utf-8", errors="replace")
    assert body["body"] == expected, f"expected {expected.decode()}, got {got}"
    assert start["status"] == 201, f"expected status 201, got {start['status']}"
    headers = dict(start["headers"])
    assert headers.get(b"content-type") == b"application/json", (
        f"expected content-type b'application/json', got "
        f"{headers.get(b'content-type')!r}"
    )
    assert headers.get(b"content-length") == str(len(expected)).encode(), (
        f"expected content-length {len(expected)} (bytes: ë takes two), got "
        f"{headers.get(b'content-length')!r}"
    )
    theirs, _ = await sent_by(JSONResponse(content, status_code=201))
    assert headers == dict(theirs["headers"]), (
        f"expected the same headers as nanoapi's JSONResponse, "
        f"{dict(theirs['headers'])}, got {headers}"
    )
    try:
        MiniJSONResponse({"x": float("nan")})
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for NaN, which is not JSON")

# %% [markdown]
# ## The table: path, then method
#
# The App keeps `handlers`, a dict of dicts: `path -> method -> handler`.
# Registering a GET handler also registers it for HEAD (a HEAD answer is a GET
# answer whose body the server drops). Dispatch looks up the path first, then
# the method, so it can tell "no such path" (404) from "no such method here"
# (405, with an `allow` header listing the methods that would have worked).

# %% [markdown]
# ### Exercise 4: a dispatch table
#
# Finish `TableApp`:
#
# - `add_route(path, handler, methods)` stores the handler in
#   `self.handlers[path][METHOD]` for each method, upper-cased; when GET is
#   among them, HEAD gets the same handler;
# - `dispatch(request)` returns the handler's response for the request's path
#   (`request.scope["path"]`) and method. An unknown path gets a 404
#   `JSONResponse({"detail": "Not Found"})`; a known path with another method
#   gets a 405 `JSONResponse({"detail": "Method Not Allowed"})` with an `allow`
#   header listing the path's methods sorted, such as `GET, HEAD, POST`.
#
# `__call__` is written for you.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `self.handlers.setdefault(path, {})` gives the inner dict, creating it the
# first time. In `dispatch`, `self.handlers.get(path)` is `None` for an unknown
# path; then `.get(request.method)` on the inner dict. For the 405, pass
# `headers={"allow": ", ".join(sorted(methods))}` to `JSONResponse`.
#
# </details>

# %%
class TableApp:
    def __init__(self) -> None:
        self.handlers: dict = {}

    def add_route(self, path: str, handler, methods=("GET",)) -> None:
        ### BEGIN SOLUTION
        methods = {method.upper() for method in methods}
        if "GET" in methods:
            methods.add("HEAD")
        for method in methods:
            self.handlers.setdefault(path, {})[method] = handler
        ### END SOLUTION

    async def dispatch(self, request: Request) -> Response:
        ### BEGIN SOLUTION
        methods = self.handlers.get(request.scope["path"])
        if methods is None:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        handler = methods.get(request.method)
        if handler is None:
            allow = ", ".join(sorted(methods))
            return JSONResponse(
                {"detail": "Method Not Allowed"},
                status_code=405,
                headers={"allow": allow},
            )
        return await handler(request)
        ### END SOLUTION

    async def __call__(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        response = await self.dispatch(request)
        await response(scope, receive, send)


# %%
with check("Exercise 4: the table finds handlers, or answers 404 and 405"):
    table = TableApp()

    async def items(request: Request) -> Response:
        return JSONResponse({"method": request.method})

    table.add_route("/items", items, methods=["get", "post"])
    transport = httpx.ASGITransport(app=table)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        for method in ("GET", "POST", "HEAD"):
            r = await c.request(method, "/items")
            assert r.status_code == 200, (
                f"{method} /items: expected 200 from the handler, got {r.status_code}"
            )
        r = await c.post("/items")
        assert r.text == '{"method":"POST"}', f"POST /items answered {r.text!r}"
        for path, method, status, detail in [
            ("/nowhere", "GET", 404, "Not Found"),
            ("/nowhere", "PUT", 404, "Not Found"),
            ("/items", "PUT", 405, "Method Not Allowed"),
        ]:
            r = await c.request(method, path)
            where = f"{method} {path}"
            assert r.status_code == status, (
                f"{where}: expected {status}, got {r.status_code}"
            )
            kind = r.headers.get("content-type")
            assert kind == "application/json", (
                f"{where}: expected a JSONResponse (application/json), got {kind!r}"
            )
            assert r.json() == {"detail": detail}, (
                f'{where}: expected {{"detail":"{detail}"}}, got {r.text}'
            )
        r = await c.put("/items")
        allow = r.headers.get("allow")
        assert allow == "GET, HEAD, POST", (
            f"expected allow: GET, HEAD, POST (sorted) on the 405, got {allow!r}"
        )

# %%
await client.aclose()

# %% [markdown]
# ## What's next
#
# Our App calls the handler directly: an exception in a handler reaches the
# server, which answers a bare 500, and there is no place to add behaviour
# around every request. **Chapter 03** wraps the App in the middleware onion:
# `ServerErrorMiddleware` outside, your own middleware in the middle,
# `ExceptionMiddleware` inside, with `HTTPException` and exception handlers.
# Chapter 04 then replaces this chapter's table with a real router.
