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
# # 06 Dependency injection
#
# A handler's parameters now come from the request, checked by Pydantic. But
# many handlers need the same things: the current user, a database session,
# the same paging parameters. A **dependency** is a function that computes one
# such thing; the handler asks for it with `Depends(that_function)`, and the
# framework calls it first. Its own parameters are read by the same rules,
# so dependencies form a tree, read once at registration and solved per
# request, each dependency at most once.
#
# You will build the pieces of this layer yourself:
#
# 1. `solve`: call a function's dependencies first, recursively, each once;
# 2. a session-like `yield` dependency that commits or rolls back, and when;
# 3. a test that swaps a dependency through `app.dependency_overrides`;
# 4. background tasks that run only once the response has been sent.
#
# The finished pieces are in `chapters/06_dependencies/nanoapi/dependencies.py`
# (`get_dependant`, `Solver`) and `routing.py` (`request_response`, `APIRoute.handle_request`);
# read them after you have written yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/06_dependencies")]
import httpx
from workshop import check

from nanoapi import App, BackgroundTasks, Body, Depends, Header, HTTPException, Request

import inspect
import itertools
from typing import Annotated, Any, get_args, get_origin

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `httpx.ASGITransport` calls the app in-process: no server needed. Read
# `chapters/06_dependencies/app.py` next to the answers: `/notes` takes a
# `Paging` class as a dependency, `/notes/{note_id}` a session that is opened
# and closed around the request, `/whoami` a user found from a token found
# from a header.

# %%
from app import app as demo

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test")
TOKEN = {"x-token": "secret-token"}

for method, url, options in [
    ("GET", "/notes?page=2&size=1", {}),
    ("GET", "/notes/1", {}),
    ("GET", "/notes/99", {}),
    ("GET", "/whoami", {}),
    ("GET", "/whoami", {"headers": {"x-token": "nope"}}),
    ("GET", "/whoami", {"headers": TOKEN}),
    ("POST", "/notes", {"json": {"text": 3}}),
    ("POST", "/notes", {"json": {"text": "water plants"}, "headers": TOKEN}),
    ("GET", "/audit", {}),
]:
    response = await client.request(method, url, **options)
    print(f"{method:4} {url:22} -> {response.status_code} {response.text}")

# %% [markdown]
# The first `POST /notes` has two errors in one 422: the header that the
# `token` dependency needs, and the body that the handler needs. The Solver
# walks the whole tree and collects every error before it gives up.
#
# ## The tree, built at registration
#
# Each `APIRoute` keeps the `Dependant` it built from its handler: the fields
# the handler reads, and one child `Dependant` per `Depends`, recursively.

# %%
def show(dependant, depth=0):
    fields = [f"{f.source} {f.alias}" for f in dependant.params + dependant.body]
    print("    " * depth + getattr(dependant.call, "__name__", repr(dependant.call)), fields)
    for sub in dependant.dependencies:
        show(sub, depth + 1)


for route in demo.routes:
    if route.path.startswith(("/notes", "/whoami")):
        print(sorted(route.methods), route.path)
        show(route.dependant, depth=1)

# %% [markdown]
# ### Exercise 1: solve a tree of dependencies
#
# Write `solve(func, cache)`: call `func` and return what it returns, after
# working out each of its keyword arguments:
#
# 1. a parameter annotated `Annotated[T, Depends(dep)]` gets the value of
#    `dep`, itself solved the same way (`dep` may have dependencies of its own);
# 2. `cache` is a dict, callable -> value: a dependency already in it is not
#    called again, its value is reused; a dependency you call goes into it.
#    `Depends(dep, use_cache=False)` calls `dep` again even if it is cached;
# 3. any other parameter gets its default value.
#
# Only plain `def` functions, no request: this is the skeleton of the package's
# `Solver.solve`. The check compares the order of the calls with the order in
# which the package calls the same functions for a real request.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `inspect.signature(func).parameters` gives each parameter, with
# `.annotation` and `.default`. For `Annotated[T, Depends(dep)]`,
# `get_origin(annotation) is Annotated`, and `get_args(annotation)` is
# `(T, Depends(dep))`: look for an `isinstance(extra, Depends)` among the
# extras; the marker has `.dependency` and `.use_cache`. For the value, call
# `solve(dep, cache)`: the recursion does the rest.
#
# </details>

# %%
def depends_of(annotation: Any) -> Depends | None:
    """The Depends marker inside `Annotated[T, Depends(...)]`, if there is one."""
    ### BEGIN SOLUTION
    if get_origin(annotation) is not Annotated:
        return None
    markers = [extra for extra in get_args(annotation)[1:] if isinstance(extra, Depends)]
    return markers[-1] if markers else None
    ### END SOLUTION


def solve(func, cache: dict) -> Any:
    ### BEGIN SOLUTION
    arguments = {}
    for name, param in inspect.signature(func).parameters.items():
        depends = depends_of(param.annotation)
        if depends is None:
            arguments[name] = param.default
            continue
        dep = depends.dependency
        if depends.use_cache and dep in cache:
            arguments[name] = cache[dep]
        else:
            arguments[name] = solve(dep, cache)
            cache.setdefault(dep, arguments[name])
    return func(**arguments)
    ### END SOLUTION


# %%
CALLS = []


def settings():
    CALLS.append("settings")
    return {"page_size": 10}


def token(x_token: str = "secret-token"):
    CALLS.append("token")
    return x_token


def current_user(
    token: Annotated[str, Depends(token)],
    settings: Annotated[dict, Depends(settings)],
):
    CALLS.append("current_user")
    return {"secret-token": "ada"}[token]


def paging(settings: Annotated[dict, Depends(settings)], page: int = 1):
    CALLS.append("paging")
    return {"page": page, "size": settings["page_size"]}


def feed(
    user: Annotated[str, Depends(current_user)],
    paging: Annotated[dict, Depends(paging)],
):
    CALLS.append("feed")
    return {"user": user, **paging}


counter = itertools.count(1)


def ticket():
    return next(counter)


def tickets(
    first: Annotated[int, Depends(ticket)],
    again: Annotated[int, Depends(ticket)],
    fresh: Annotated[int, Depends(ticket, use_cache=False)],
):
    return [first, again, fresh]


feeds = App()
feeds.get("/feed")(feed)
feeds.get("/tickets")(tickets)
feeds_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=feeds), base_url="http://test")

# %%
with check("Exercise 1: solve calls dependencies first, each once per solve"):
    CALLS.clear()
    package_answer = (await feeds_client.get("/feed")).json()
    package_calls, CALLS[:] = list(CALLS), []
    cache = {}
    answer = solve(feed, cache)
    assert answer == package_answer, f"expected feed to return {package_answer}, got {answer!r}"
    assert CALLS == package_calls, (
        f"expected the calls in the package's order {package_calls}, got {CALLS}"
    )
    assert cache.get(settings) == {"page_size": 10}, (
        f"expected the cache to hold settings' value after solving, got {cache}"
    )
    CALLS.clear()
    solve(feed, {})
    assert CALLS.count("settings") == 1, (
        f"a new cache is a new request: expected settings to run once more, got {CALLS}"
    )
    counter = itertools.count(1)
    package_tickets = (await feeds_client.get("/tickets")).json()
    counter = itertools.count(1)
    answer = solve(tickets, {})
    assert answer == package_tickets == [1, 1, 2], (
        f"expected [1, 1, 2] (cached twice, then use_cache=False calls again), got {answer}"
    )

# %% [markdown]
# Both `current_user` and `paging` depend on `settings`, and it ran once.
# The order is a post-order walk: each function's dependencies, left to right,
# before the function itself. The package does the same in `Solver.solve`,
# plus what a request brings: each node's own fields are validated, its errors
# collected instead of raised, and `async def`, plain `def` and generators are
# each called their own way.
#
# ### Exercise 2: a session that commits or rolls back
#
# A dependency may `yield` its value instead of returning it. The code after
# the `yield` is its cleanup; if the handler raises, the exception is thrown
# into the generator at the `yield`.
#
# Write `get_session()` with a `Session` (below; it records what happens to it
# in `EVENTS`):
#
# - create a `Session()` and yield it;
# - when the handler finished without an exception: `session.commit()`;
# - when it raised: `session.rollback()`, then raise the exception again;
# - in every case, `session.close()` last.
#
# The check records when the response leaves the app ("response sent"), so
# you will also see **when** your cleanup runs, with the default scope and with
# `Depends(get_session, scope="function")`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The shape is `try: yield ... / except Exception: ... raise / finally: ...`,
# with the commit after the `yield`, inside the `try`, so that it runs only
# when nothing was thrown in.
#
# </details>

# %%
EVENTS = []


class Session:
    def __init__(self) -> None:
        EVENTS.append("open")

    def commit(self) -> None:
        EVENTS.append("commit")

    def rollback(self) -> None:
        EVENTS.append("rollback")

    def close(self) -> None:
        EVENTS.append("close")


def get_session():
    ### BEGIN SOLUTION
    session = Session()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
    ### END SOLUTION


# %%
def sends_logged(app, log: list):
    """Wrap an ASGI app: note "response sent" when its last body message goes out."""

    async def logged(scope, receive, send):
        async def logged_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log.append("response sent")

        await app(scope, receive, logged_send)

    return logged


orders = App()


@orders.post("/orders")
def place_order(session: Annotated[Session, Depends(get_session)]):
    EVENTS.append("handler")
    return {"placed": True}


@orders.post("/orders/full")
def refuse_order(session: Annotated[Session, Depends(get_session)]):
    EVENTS.append("handler")
    raise HTTPException(409, detail="sold out")


@orders.post("/orders/early")
def place_order_early(session: Annotated[Session, Depends(get_session, scope="function")]):
    EVENTS.append("handler")
    return {"placed": True}


orders_client = httpx.AsyncClient(
    transport=httpx.ASGITransport(app=sends_logged(orders, EVENTS)), base_url="http://test"
)

# %%
with check("Exercise 2: the session commits or rolls back, then closes"):
    for url, status, expected in [
        ("/orders", 200, ["open", "handler", "response sent", "commit", "close"]),
        ("/orders/full", 409, ["open", "handler", "rollback", "close", "response sent"]),
        ("/orders/early", 200, ["open", "handler", "commit", "close", "response sent"]),
    ]:
        EVENTS.clear()
        response = await orders_client.post(url)
        assert response.status_code == status, (
            f"POST {url}: expected {status}, got {response.status_code} {response.text}"
        )
        assert EVENTS == expected, f"POST {url}: expected the events {expected}, got {EVENTS}"

# %% [markdown]
# Look at the three orders of events:
#
# - **`/orders`, the default scope**: the client had its 200 **before** the
#   commit. If the commit fails, the client was told "placed" anyway. That is
#   FastAPI's current default too (see the chapter README for how it changed
#   over the versions).
# - **`/orders/full`**: the `HTTPException` went through your `except` (the
#   rollback) before the exception handlers turned it into the 409.
# - **`/orders/early`, `scope="function"`**: the cleanup ran as soon as the
#   handler had returned (and its value was serialized), before the response
#   was sent, so a failed commit could still become an error response.
#
# One more trap. A yield dependency that catches the exception and does not
# raise it again leaves the route with no response to send; the package raises
# a `RuntimeError` (FastAPI a `FastAPIError`), and the client gets a 500:

# %%
def forgiving_session():
    session = Session()
    try:
        yield session
    except Exception:
        session.rollback()  # ...and no `raise`
    finally:
        session.close()


@orders.post("/orders/forgiving")
def forgive(session: Annotated[Session, Depends(forgiving_session)]):
    raise HTTPException(409, detail="sold out")


transport = httpx.ASGITransport(app=orders, raise_app_exceptions=False)
async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
    response = await c.post("/orders/forgiving")
print(response.status_code, response.text)

# %% [markdown]
# ### Exercise 3: a fake dependency for a test
#
# The `prices` app below converts an amount with exchange rates from an
# outside service: `get_rates` needs an API key header and would call the
# network. In a test we want neither. `prices.dependency_overrides` maps a
# dependency to a replacement, used by every route for as long as it is there.
#
# Write `price_with_fake_rates(url)`, as a test would:
#
# - make `get_rates` return `FAKE_RATES` instead, through
#   `prices.dependency_overrides`;
# - send `GET url` to `prices` (with an `httpx.AsyncClient` on an
#   `httpx.ASGITransport`) and return the response;
# - leave `prices.dependency_overrides` empty again when you return, even if
#   the request raised.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The key is the function itself: `prices.dependency_overrides[get_rates] =
# fake`, where `fake` is any callable returning `FAKE_RATES` (its own
# parameters are what the route will read: none). Put the request in a `try`
# and `prices.dependency_overrides.clear()` in its `finally`.
#
# </details>

# %%
FAKE_RATES = {"EUR": 2.0, "GBP": 0.5}


def api_key(x_api_key: Annotated[str, Header()]) -> str:
    return x_api_key


def get_rates(key: Annotated[str, Depends(api_key)]) -> dict[str, float]:
    raise HTTPException(503, detail="the rates service cannot be reached")


prices = App()


@prices.get("/price/{amount}")
def price(amount: float, rates: Annotated[dict, Depends(get_rates)], currency: str = "EUR"):
    return {"amount": amount, "currency": currency, "price": amount * rates[currency]}


async def price_with_fake_rates(url: str) -> httpx.Response:
    ### BEGIN SOLUTION
    prices.dependency_overrides[get_rates] = lambda: FAKE_RATES
    try:
        transport = httpx.ASGITransport(app=prices)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.get(url)
    finally:
        prices.dependency_overrides.clear()
    ### END SOLUTION


# %%
with check("Exercise 3: the override replaces get_rates, then is removed"):
    for url, expected in [
        ("/price/10", {"amount": 10.0, "currency": "EUR", "price": 20.0}),
        ("/price/3?currency=GBP", {"amount": 3.0, "currency": "GBP", "price": 1.5}),
    ]:
        response = await price_with_fake_rates(url)
        assert isinstance(response, httpx.Response), (
            f"expected price_with_fake_rates to return the httpx response, got {response!r}"
        )
        assert response.status_code == 200, (
            f"GET {url} with the fake rates: expected 200, got {response.status_code} {response.text}"
        )
        assert response.json() == expected, f"GET {url}: expected {expected}, got {response.json()}"
        assert prices.dependency_overrides == {}, (
            f"expected the overrides to be empty afterwards, got {prices.dependency_overrides}"
        )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=prices), base_url="http://test") as c:
        real = await c.get("/price/10", headers={"x-api-key": "k"})
    assert real.status_code == 503, f"expected the real get_rates back afterwards (503), got {real.status_code}"

# %% [markdown]
# The request with the fake sent no `X-Api-Key` header, and the route did not
# ask for one: the override is solved with **its own** signature, so the
# original's sub-tree (`api_key`) is gone with it. Without the override, the
# same request is a 422 again:

# %%
async with httpx.AsyncClient(transport=httpx.ASGITransport(app=prices), base_url="http://test") as c:
    print((await c.get("/price/10")).text)

# %% [markdown]
# ### Exercise 4: work that waits until the response is sent
#
# A parameter annotated `BackgroundTasks` gets the request's one
# `BackgroundTasks` object, shared by the handler and all its dependencies.
# `tasks.add_task(func, *args)` queues a call; the response runs the queue
# after its last body message, so the client never waits for it.
#
# Write the dependency `audit_trail(request, tasks)`: queue a call of
# `record` with the line `f"audit {request.method} {request.url.path}"`.
# It is used by the `signup` route below through `dependencies=[...]`; the
# handler queues a welcome mail of its own. The check looks at when each
# thing happened relative to the response.

# %% [markdown]
# <details><summary>Hint</summary>
#
# One line: `tasks.add_task(record, "...")`. Do **not** call `record`
# yourself: then it would run before the handler, while the client waits.
#
# </details>

# %%
LOG = []


def record(line: str) -> None:
    LOG.append(line)


def send_welcome(email: str) -> None:
    LOG.append(f"welcome {email}")


def audit_trail(request: Request, tasks: BackgroundTasks) -> None:
    ### BEGIN SOLUTION
    tasks.add_task(record, f"audit {request.method} {request.url.path}")
    ### END SOLUTION


# %%
accounts = App()


@accounts.post("/signup", status_code=201, dependencies=[Depends(audit_trail)])
def signup(email: Annotated[str, Body(embed=True)], tasks: BackgroundTasks):
    LOG.append("handler")
    tasks.add_task(send_welcome, email)
    return {"email": email}


accounts_client = httpx.AsyncClient(
    transport=httpx.ASGITransport(app=sends_logged(accounts, LOG)), base_url="http://test"
)

# %%
with check("Exercise 4: the audit line is written after the response is sent"):
    LOG.clear()
    response = await accounts_client.post("/signup", json={"email": "ada@example.org"})
    assert response.status_code == 201, f"expected 201, got {response.status_code} {response.text}"
    expected = ["handler", "response sent", "audit POST /signup", "welcome ada@example.org"]
    assert LOG == expected, f"expected {expected}, got {LOG}"

# %% [markdown]
# The audit line comes before the welcome mail: the dependency ran before the
# handler, so it queued its task first, on the same `BackgroundTasks` object.
#
# A caution about what you see here: `httpx.ASGITransport` waits until the app
# has finished, tasks included, before it hands you the response. That is why
# the check watches the `send` calls instead of a clock. A real server (run the
# chapter's app with uvicorn) writes the bytes to the socket as soon as
# `send` is called: the client is done while the tasks run.
#
# ## What's next
#
# Routes now know a lot about themselves: their path and methods, every
# parameter with its source, type and constraints, the body model, the
# response model, the dependencies and what they read. In chapter 07 that
# knowledge becomes a document: an **OpenAPI** schema built from the routes,
# served as `/openapi.json`, with interactive docs pages on top of it.
