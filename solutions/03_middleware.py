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
# # 03 The middleware stack
#
# In chapter 02 the App called the handler directly. This chapter wraps it in
# an **onion**: every request goes in through ServerErrorMiddleware, then your
# middleware, then ExceptionMiddleware, reaches `App.handle`, and the response
# comes back out through the same layers. Each layer is an ASGI app that holds
# the next one.
#
# You will use the chapter's `nanoapi` package, then write four pieces that
# live in an onion yourself:
#
# 1. a pure ASGI middleware that adds a header by wrapping `send`;
# 2. a timing middleware in the `call_next` style, and the order three of them
#    run in;
# 3. exception handlers: one for your own exception class, one for 404;
# 4. a lifespan whose state a handler reads from `request.state`.
#
# No server is needed: `httpx.ASGITransport` calls the app in-process.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/03_middleware")]
import asyncio
import contextvars
import time
from contextlib import asynccontextmanager

import httpx
from workshop import check

from nanoapi import (
    App,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Request,
    Response,
)


def client_for(app, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    """An httpx client that calls `app` in-process."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


# %% [markdown]
# ## The chapter's demo, seen from a client
#
# The demo app (`chapters/03_middleware/app.py`) has one middleware of each
# kind: `RequestIdMiddleware` (pure ASGI) and `process_time` (a function with
# `call_next`). Look at the headers: both add one to every answer, except the
# 500, which ServerErrorMiddleware makes **outside** them.
#
# ServerErrorMiddleware sends its 500 and then re-raises the exception, so the
# server can log it. httpx would raise it here too; `raise_app_exceptions=False`
# asks it to hand us the 500 instead.

# %%
from app import app as demo

client = client_for(demo, raise_app_exceptions=False)
for path in ["/", "/teapot", "/stock", "/nowhere", "/boom"]:
    r = await client.get(path)
    ids = r.headers.get("x-request-id"), r.headers.get("x-process-time")
    print(f"{path:9} {r.status_code} {r.text!r:32} request id, time: {ids}")

# %% [markdown]
# ## The onion is built once, on the first call
#
# `App.middleware_stack` is `None` until the App is first called. Then
# `build_middleware_stack` wraps `App.handle` in every layer, and the App keeps
# the result. Each layer stores the app it wraps in `.app`, so we can walk the
# onion from the outside in. After the start, `add_middleware` is refused.

# %%
def layers(app: App) -> list[str]:
    """The onion from the outside in: follow each layer's `.app`."""
    names, layer = [], app.middleware_stack
    while hasattr(layer, "app"):
        names.append(type(layer).__name__)
        layer = layer.app
    return [*names, layer.__qualname__]  # the innermost is the bound App.handle


print(" -> ".join(layers(demo)))

try:
    demo.add_middleware(type("Late", (), {}))
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# `DispatchMiddleware` is the adapter behind `@app.middleware("http")`. Its
# `dispatch` attribute is the function you wrote:

# %%
print(demo.middleware_stack.app.dispatch.__name__)

# %% [markdown]
# ### Exercise 1: a pure ASGI middleware
#
# Write `__call__` for `HeaderMiddleware`, which adds one header to every HTTP
# response. It is built as `HeaderMiddleware(app, name="X-Served-By",
# value="nanoapi")` (the constructor, given, stores the name and value as
# bytes):
#
# - for a scope whose type is not `"http"` (the lifespan), call the wrapped app
#   unchanged;
# - for HTTP, call the wrapped app with a **new `send`** that appends
#   `(self.name, self.value)` to the headers of the `http.response.start`
#   message and passes every message on to the real `send`.
#
# Do not build a Response: you never see one here, only ASGI messages.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Define `async def send_with_header(message):` inside `__call__`. When
# `message["type"] == "http.response.start"`, set
# `message["headers"] = [*message["headers"], (self.name, self.value)]`;
# then, for every message, `await send(message)`. Finish with
# `await self.app(scope, receive, send_with_header)`.
#
# </details>

# %%
class HeaderMiddleware:
    """Pure ASGI middleware: add `name: value` to every HTTP response."""

    def __init__(self, app, name: str, value: str) -> None:
        self.app = app
        self.name = name.lower().encode("latin-1")
        self.value = value.encode("latin-1")

    async def __call__(self, scope, receive, send) -> None:
        ### BEGIN SOLUTION
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                message["headers"] = [*headers, (self.name, self.value)]
            await send(message)

        await self.app(scope, receive, send_with_header)
        ### END SOLUTION


# %%
with check("Exercise 1: HeaderMiddleware stamps every answer, errors included"):
    app1 = App()

    @app1.route("/")
    async def hello(request: Request) -> Response:
        return PlainTextResponse("hello")

    @app1.route("/teapot")
    async def teapot(request: Request) -> Response:
        raise HTTPException(418)

    app1.add_middleware(HeaderMiddleware, name="X-Served-By", value="nanoapi")
    async with client_for(app1) as c:
        for path, status in [("/", 200), ("/teapot", 418), ("/nowhere", 404)]:
            r = await c.get(path)
            assert r.status_code == status, (
                f"GET {path}: expected {status}, got {r.status_code}"
            )
            served_by = r.headers.get_list("x-served-by")
            assert served_by == ["nanoapi"], (
                f"GET {path}: expected one header x-served-by: nanoapi, got {served_by}"
            )
            assert "content-type" in r.headers, (
                f"GET {path}: the response's own headers are gone: keep them and "
                "append yours"
            )
        assert r.text == '{"detail":"Not Found"}', (
            f"expected the body to pass through unchanged, got {r.text!r}"
        )

    async def two_pieces(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await send({"type": "http.response.body", "body": b"b"})

    messages = []

    async def keep(message):
        messages.append(message)

    await HeaderMiddleware(two_pieces, name="X-Served-By", value="nanoapi")(
        {"type": "http"}, None, keep
    )
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    assert all("headers" not in m for m in bodies), (
        f"only http.response.start carries headers: expected the body messages "
        f"unchanged, got {bodies}"
    )

# %% [markdown]
# ExceptionMiddleware sits **inside** your middleware, so the 418 and the 404,
# which it answers, went out through `HeaderMiddleware` too. The demo's 500 did
# not: ServerErrorMiddleware, which makes it, is outside every user layer.

# %% [markdown]
# ## The `call_next` style
#
# Most FastAPI users write middleware as a function:
#
# ```python
# @app.middleware("http")
# async def add_header(request, call_next):
#     response = await call_next(request)   # the rest of the onion runs
#     response.headers["x-hello"] = "world"
#     return response
# ```
#
# `call_next` runs the inner layers in a separate task and returns as soon as
# they **start** the response: you get the status and headers to read or
# change, and the body still streams through afterwards. Each
# `@app.middleware("http")` (like each `add_middleware`) wraps the ones added
# before it: **the last added is the outermost**.

# %% [markdown]
# ### Exercise 2: a timing middleware, three times over
#
# Write `timed(name, log)`, a factory that **returns** an
# `async def middleware(request, call_next)` which:
#
# 1. appends `f"{name} in"` to `log`;
# 2. reads the clock (`time.perf_counter()`), awaits `call_next(request)`, and
#    reads the clock again;
# 3. sets the response header `x-time-{name}` to the elapsed seconds, formatted
#    with `f"{elapsed:.6f}"`;
# 4. appends `f"{name} out"` to `log`, and returns the response.
#
# The check registers `timed("a", log)`, then `"b"`, then `"c"` on one app, and
# its handler appends `"handler"` to the log. Before you run it, write down the
# order you expect the log to have.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Define the inner function in `timed`'s body and `return middleware` at the
# end; it sees `name` and `log` from the enclosing call (a closure).
# `response.headers[f"x-time-{name}"] = f"{elapsed:.6f}"` sets the header.
# The order: `c` was added last, so it is outermost; on the way out, the
# innermost function finishes first.
#
# </details>

# %%
def timed(name: str, log: list):
    """A `call_next` middleware that logs its way in and out and times the rest."""
    ### BEGIN SOLUTION
    async def middleware(request: Request, call_next) -> Response:
        log.append(f"{name} in")
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        response.headers[f"x-time-{name}"] = f"{elapsed:.6f}"
        log.append(f"{name} out")
        return response

    return middleware
    ### END SOLUTION


# %%
with check("Exercise 2: three timed middlewares nest, the last added outermost"):
    log = []
    app2 = App()

    @app2.route("/")
    async def slow(request: Request) -> Response:
        log.append("handler")
        await asyncio.sleep(0.01)
        return PlainTextResponse("done")

    for name in ["a", "b", "c"]:
        app2.middleware("http")(timed(name, log))
    async with client_for(app2) as c:
        r = await c.get("/")
    assert (r.status_code, r.text) == (200, "done"), (
        f"expected 200 'done' from the handler, got {r.status_code} {r.text!r}"
    )
    expected = ["c in", "b in", "a in", "handler", "a out", "b out", "c out"]
    assert log == expected, f"expected the log {expected}, got {log}"
    times = {}
    for name in "abc":
        value = r.headers.get(f"x-time-{name}")
        assert value is not None, f"expected a header x-time-{name}, got none"
        assert value.replace(".", "", 1).isdigit(), (
            f"x-time-{name}: expected seconds such as 0.012345, got {value!r}"
        )
        times[name] = float(value)
    assert times["a"] >= 0.01, (
        f"the handler sleeps 10 ms, so x-time-a should be at least 0.01, got "
        f"{times['a']}: read the clock before call_next and after it"
    )
    assert times["c"] >= times["b"] >= times["a"], (
        f"an outer middleware's call_next contains the inner ones: expected "
        f"x-time-c >= x-time-b >= x-time-a, got {times}"
    )

# %% [markdown]
# ## The trap: context variables do not come back out of `call_next`
#
# Because `call_next` runs the inner layers in another task, with a **copy** of
# the context, a `ContextVar` that the handler sets is invisible to the
# function after `call_next`. A pure ASGI layer inside it awaits the handler in
# the same task and sees the value. (FastAPI's `@app.middleware("http")`
# behaves the same way; it is one reason to prefer pure ASGI middleware.)

# %%
current_user = contextvars.ContextVar("current_user", default="nobody")
seen = {}


class PureObserver:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            seen["pure ASGI (inside)"] = current_user.get()


app_cv = App()
app_cv.add_middleware(PureObserver)


@app_cv.middleware("http")
async def function_observer(request: Request, call_next) -> Response:
    response = await call_next(request)
    seen["call_next (outside)"] = current_user.get()
    return response


@app_cv.route("/")
async def login(request: Request) -> Response:
    current_user.set("ada")
    return PlainTextResponse("hi")


async with client_for(app_cv) as c:
    await c.get("/")
print(seen)

# %% [markdown]
# ## Exceptions become answers
#
# Raise `HTTPException(status_code, detail=None, headers=None)` anywhere inside
# the onion; ExceptionMiddleware answers `{"detail": ...}` (the reason phrase
# when you give no detail). For your own exceptions, register a handler, an
# `async def handler(request, exc)` that returns a Response:
#
# - `app.add_exception_handler(SomeError, handler)` or
#   `@app.exception_handler(SomeError)`: by class; the exception's **nearest**
#   class with a handler wins (the lookup walks `type(exc).__mro__`);
# - `app.add_exception_handler(404, handler)`: by status code, for every
#   `HTTPException` with that status, including the App's own 404.
#
# Anything without a handler reaches ServerErrorMiddleware: a plain 500, or a
# traceback with `App(debug=True)`.

# %%
app_debug = App(debug=True)


@app_debug.route("/boom")
async def explode(request: Request) -> Response:
    return PlainTextResponse(str(1 / 0))


async with client_for(app_debug, raise_app_exceptions=False) as c:
    r = await c.get("/boom")
print(r.status_code, r.headers["content-type"])
print(r.text.splitlines()[-1])

# %% [markdown]
# ### Exercise 3: handlers by class and by status code
#
# A shop raises `PaymentRequired(amount)` when the customer must pay more, and
# `CardDeclined`, a subclass of it. Write:
#
# - `on_payment_required(request, exc)`: a `JSONResponse` with status 402 and
#   the body `{"detail": "payment required", "amount": exc.amount}`;
# - `on_not_found(request, exc)`: a `JSONResponse` with status 404 and the body
#   `{"detail": "nothing at <path>"}`, where `<path>` is `request.url.path`;
# - `install_handlers(app)`: register the first for the class
#   `PaymentRequired` and the second for the status code 404.
#
# `CardDeclined` needs no handler of its own, and other statuses (a 410) must
# keep the default answer.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `app.add_exception_handler(key, handler)` takes either a class or an `int`.
# A handler returns a Response, for example
# `JSONResponse({"detail": ...}, status_code=402)`. The lookup walks the
# exception's classes, so `CardDeclined` finds `PaymentRequired`'s handler.
#
# </details>

# %%
class PaymentRequired(Exception):
    def __init__(self, amount: float) -> None:
        super().__init__(f"{amount} more to pay")
        self.amount = amount


class CardDeclined(PaymentRequired):
    pass


async def on_payment_required(request: Request, exc: PaymentRequired) -> Response:
    ### BEGIN SOLUTION
    body = {"detail": "payment required", "amount": exc.amount}
    return JSONResponse(body, status_code=402)
    ### END SOLUTION


async def on_not_found(request: Request, exc: HTTPException) -> Response:
    ### BEGIN SOLUTION
    return JSONResponse({"detail": f"nothing at {request.url.path}"}, status_code=404)
    ### END SOLUTION


def install_handlers(app: App) -> None:
    ### BEGIN SOLUTION
    app.add_exception_handler(PaymentRequired, on_payment_required)
    app.add_exception_handler(404, on_not_found)
    ### END SOLUTION


# %%
with check("Exercise 3: a 402 for PaymentRequired and its subclass, a custom 404"):
    shop = App()

    @shop.route("/buy")
    async def buy(request: Request) -> Response:
        raise PaymentRequired(9.5)

    @shop.route("/card")
    async def card(request: Request) -> Response:
        raise CardDeclined(20)

    @shop.route("/item")
    async def item(request: Request) -> Response:
        raise HTTPException(404, detail="no such item")

    @shop.route("/old")
    async def old(request: Request) -> Response:
        raise HTTPException(410)

    install_handlers(shop)
    async with client_for(shop) as c:
        cases = [
            ("/buy", 402, {"detail": "payment required", "amount": 9.5}),
            ("/card", 402, {"detail": "payment required", "amount": 20}),
            ("/nowhere", 404, {"detail": "nothing at /nowhere"}),
            ("/item", 404, {"detail": "nothing at /item"}),
            ("/old", 410, {"detail": "Gone"}),
        ]
        for path, status, body in cases:
            r = await c.get(path)
            assert r.status_code == status, (
                f"GET {path}: expected {status}, got {r.status_code} {r.text}"
            )
            assert r.json() == body, f"GET {path}: expected {body}, got {r.json()}"

# %% [markdown]
# `/item` raised its own `HTTPException(404)` with a detail, and still got your
# 404 handler: a status handler takes every `HTTPException` with that status.
# `/old` kept the default `{"detail":"Gone"}`.

# %% [markdown]
# ## The lifespan: startup, state, shutdown
#
# A server opens a `lifespan` scope before any request and sends
# `lifespan.startup`; at the end it sends `lifespan.shutdown`. The App answers
# by running its lifespan, an async context manager: the code before `yield`
# is startup, the code after it shutdown. A **dict** it yields goes into the
# lifespan scope's `state`, and the server copies that state into every
# request's scope, where handlers read it as `request.state`.
#
# httpx does not run lifespans, so `served(app)` below plays the server's part:
# it drives the lifespan through hand-made `receive` and `send`, and gives back
# a client whose requests carry a copy of the state, plus the state itself.

# %%
@asynccontextmanager
async def served(app):
    """Run `app`'s lifespan around a client, as a server would."""
    state, inbox, outbox = {}, asyncio.Queue(), asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))

    async def step(event: str) -> None:
        """Send one lifespan event; raise what the app raised if it failed."""
        await inbox.put({"type": event})
        answer = asyncio.ensure_future(outbox.get())
        await asyncio.wait({answer, task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done() or answer.result()["type"].endswith(".failed"):
            answer.cancel()
            await task  # the app's own exception surfaces here
            raise RuntimeError(f"the app did not complete {event}")

    async def with_state(scope, receive, send) -> None:
        scope["state"] = dict(state)  # a shallow copy per request, as uvicorn does
        await app(scope, receive, send)

    await step("lifespan.startup")
    try:
        async with client_for(with_state) as client:
            yield client, state
    finally:
        await step("lifespan.shutdown")
        await task


@asynccontextmanager
async def chatty(app: App):
    print("startup: the app could open connections here")
    yield {"motto": "tea first"}
    print("shutdown: and close them here")


app_life = App(lifespan=chatty)


@app_life.route("/motto")
async def motto(request: Request) -> Response:
    return PlainTextResponse(request.state.motto)


async with served(app_life) as (c, state):
    print("state:", state)
    print("GET /motto:", (await c.get("/motto")).text)

# %% [markdown]
# ### Exercise 4: a lifespan that opens a database
#
# `FakeDatabase` (given) stands in for a connection pool. Complete:
#
# - `lifespan(app)`: at startup create a `FakeDatabase()`, `await` its
#   `connect()`, and make `state` a dict with the database under the key
#   `"db"`; at shutdown, `await` its `close()`;
# - `list_users(request)`: answer `JSONResponse({"users": ...})` with the
#   `users` list of the database it finds in `request.state`.
#
# The `yield state` in the middle is given: everything before it is startup,
# everything after it shutdown.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Startup: `db = FakeDatabase()`, `await db.connect()`, `state = {"db": db}`.
# Shutdown: `db` is still in scope after the `yield`, so `await db.close()`.
# In the handler, `request.state.db` is the database the lifespan yielded.
#
# </details>

# %%
class FakeDatabase:
    """Pretends to connect at startup and to close at shutdown."""

    def __init__(self) -> None:
        self.connected = False
        self.users = ["ada", "grace"]

    async def connect(self) -> None:
        await asyncio.sleep(0)
        self.connected = True

    async def close(self) -> None:
        await asyncio.sleep(0)
        self.connected = False


@asynccontextmanager
async def lifespan(app: App):
    ### BEGIN SOLUTION
    db = FakeDatabase()
    await db.connect()
    state = {"db": db}
    ### END SOLUTION
    yield state
    ### BEGIN SOLUTION
    await db.close()
    ### END SOLUTION


async def list_users(request: Request) -> Response:
    ### BEGIN SOLUTION
    return JSONResponse({"users": request.state.db.users})
    ### END SOLUTION


# %%
with check("Exercise 4: the lifespan opens the database, handlers find it in state"):
    app4 = App(lifespan=lifespan)
    app4.add_route("/users", list_users)
    async with served(app4) as (c, state):
        db = state.get("db")
        assert isinstance(db, FakeDatabase), (
            f"expected the lifespan to yield {{'db': FakeDatabase()}}, got {state}"
        )
        assert db.connected, "expected the database connected at startup"
        db.users.append("linus")
        r = await c.get("/users")
        assert r.status_code == 200, (
            f"GET /users: expected 200, got {r.status_code}"
        )
        expected = {"users": ["ada", "grace", "linus"]}
        assert r.json() == expected, (
            f"GET /users: expected {expected} (the users of request.state.db), "
            f"got {r.json()}"
        )
        assert db.connected, "the database closed before shutdown"
    assert not db.connected, "expected the database closed at shutdown"

# %%
await client.aclose()

# %% [markdown]
# ## What's next
#
# The middle of the onion is still chapter 02's table, `handlers[path][method]`:
# every path is a literal string, so `/users/7` cannot mean "user number 7".
# **Chapter 04** puts a router there: routes with path templates such as
# `/users/{user_id:int}` compiled once into regular expressions, 404 and 405
# decided by matching, sub-routers with prefixes, and mounts for other ASGI
# apps. The onion around it stays exactly as you built it here.
