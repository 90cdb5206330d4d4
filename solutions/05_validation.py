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
# # 05 Validation from type hints
#
# Until chapter 04 every handler took the `Request` and dug its values out by
# hand. Now the handler's **signature is the contract**: the route reads it once,
# when it is registered, and decides where each parameter comes from and how
# Pydantic checks it. Per request it only gathers the raw values, validates them
# in one Pydantic call, and either calls the handler or answers FastAPI's 422.
#
# You will build the pieces of this layer yourself:
#
# 1. the rules that say where a parameter comes from (path, query, body...);
# 2. one Pydantic model for a route's query values, built once, and errors
#    rewritten the way FastAPI reports them;
# 3. a small `jsonable_encoder` for what handlers return;
# 4. a response-model filter: validate the output, then dump it.
#
# The finished pieces are in `chapters/05_validation/nanoapi/dependencies.py`,
# `encoders.py` and `routing.py`; read them after you have written yours.

# %%
import pathlib
import sys

# The repository's tools/ and this chapter's package, found from notebooks/
# (or from workspace/notebooks/, where `tools/workshop.py fresh` keeps copies)
here = pathlib.Path.cwd().resolve()
repo = next(p for p in here.parents if (p / "tools/workshop.py").exists())
sys.path[:0] = [str(repo / "tools"), str(repo / "chapters/05_validation")]
import httpx
from workshop import check, uses_exercise

from nanoapi import APIRoute, App, Body, Cookie, Header, Query, ResponseValidationError, jsonable_encoder

import asyncio
import dataclasses
import datetime
import enum
import inspect
import json
import time
import types
import uuid
from decimal import Decimal
from typing import Annotated, Any, Optional, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, Field, TypeAdapter, create_model

# %% [markdown]
# ## The chapter's app, seen from a client
#
# `httpx.ASGITransport` calls the app in-process: no server needed. Look at what
# each handler in `chapters/05_validation/app.py` declares, then at what the
# client gets back.

# %%
from app import app as demo

client = httpx.AsyncClient(transport=httpx.ASGITransport(app=demo), base_url="http://test")

for method, url, options in [
    ("GET", "/items?q=ket&tag=a&limit=5", {}),
    ("GET", "/items/abc", {}),
    ("GET", "/items?limit=500", {}),
    ("POST", "/items", {"json": {"name": "mug", "price": 4.5}}),
    ("POST", "/items", {"json": {"name": "", "price": -1}}),
    ("POST", "/items", {"content": b'{"name": "mug", "price": }',
                        "headers": {"content-type": "application/json"}}),
    ("GET", "/me", {"headers": {"user-agent": "notebook", "cookie": "visits=2"}}),
    ("GET", "/users/ada", {}),
]:
    response = await client.request(method, url, **options)
    print(f"{method:4} {url:28} -> {response.status_code} {response.text}")

# %% [markdown]
# Every 422 has the same shape: `{"detail": [...]}`, one entry per problem, each
# with `type`, `loc` (the source, the client's name for the value, then the path
# inside it), `msg`, `input` and sometimes `ctx`. `/users/ada` has a
# `response_model` without the password its handler returns.
#
# ## What the route learned at registration
#
# Each `APIRoute` holds a `dependant`: the plan it made from the handler's
# signature, once. Here is where each parameter of each demo route comes from:

# %%
for route in demo.routes:
    fields = route.dependant.params + route.dependant.body
    plan = [(f.name, f.source, f.alias) for f in fields]
    print(f"{route.path:18} {sorted(route.methods)} {plan}")

# %% [markdown]
# ### Exercise 1: where does a parameter come from?
#
# Write `where_from(name, annotation, path_names)` returning `"path"`,
# `"query"`, `"body"`, or a marker's source (`"header"`, `"cookie"`...),
# with FastAPI's rules, in this order:
#
# 1. `Annotated[..., Query()]` (or `Path()`, `Header()`, `Cookie()`, `Body()`):
#    the marker decides; every marker has a `.source` attribute. Without a marker,
#    look at the type inside `Annotated`;
# 2. a name in `path_names` (the names in the path template) is `"path"`;
# 3. a Pydantic model, a `dict`, a dataclass, or a `list`/`set`/`frozenset`/`tuple`
#    (bare or parametrised, like `list[str]`, and also inside `X | None`) is `"body"`;
# 4. anything else (`str`, `int`, `bool`, an `Enum`, `UUID`, `date`...) is `"query"`.
#
# `Param` below is the base class of the package's markers.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `get_origin(annotation)` is `Annotated` for an `Annotated[...]`; then
# `get_args(annotation)` is `(the type, *the extras)`. For a union,
# `get_origin` is `typing.Union` (for `Optional[X]`) or `types.UnionType` (for
# `X | None`), and `get_args` gives its members. For a member such as `list[str]`,
# `get_origin(member) or member` is the class (`list`) to test with
# `issubclass` (check `isinstance(target, type)` first) or
# `dataclasses.is_dataclass`.
#
# </details>

# %%
from nanoapi.params import Param

BODY_CLASSES = (BaseModel, dict, list, set, frozenset, tuple)


def where_from(name: str, annotation: Any, path_names: set[str]) -> str:
    ### BEGIN SOLUTION
    if get_origin(annotation) is Annotated:
        annotation, *extras = get_args(annotation)
        markers = [extra for extra in extras if isinstance(extra, Param)]
        if markers:
            return markers[-1].source
    if name in path_names:
        return "path"
    is_union = get_origin(annotation) in (Union, types.UnionType)
    for member in get_args(annotation) if is_union else (annotation,):
        target = get_origin(member) or member
        if dataclasses.is_dataclass(target):
            return "body"
        if isinstance(target, type) and issubclass(target, BODY_CLASSES):
            return "body"
    return "query"
    ### END SOLUTION


# %%
class Item(BaseModel):
    name: str


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def update_item(item_id: int, item: Item, q: str | None = None, notify: bool = False): ...


def plot(
    chart_id: uuid.UUID,
    point: Point,
    tags: list[str],
    color: Color = Color.RED,
    since: Optional[datetime.date] = None,
    extra: dict[str, int] | None = None,
): ...


def tagged(
    ids: Annotated[list[int], Query()],
    token: Annotated[str, Header()],
    session: Annotated[str, Cookie()],
    note: Annotated[str, Body()],
    limit: Annotated[int, Field(ge=1)] = 10,
): ...


def plan_of(path: str, func) -> dict[str, str]:
    names = set(compile_names(path))
    params = inspect.signature(func).parameters
    return {name: where_from(name, p.annotation, names) for name, p in params.items()}


def compile_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


# %%
with check("Exercise 1: where_from applies FastAPI's rules"):
    cases = [
        ("/items/{item_id}", update_item,
         {"item_id": "path", "item": "body", "q": "query", "notify": "query"}),
        ("/charts/{chart_id}", plot,
         {"chart_id": "path", "point": "body", "tags": "body", "color": "query",
          "since": "query", "extra": "body"}),
        ("/tagged", tagged,
         {"ids": "query", "token": "header", "session": "cookie", "note": "body",
          "limit": "query"}),
    ]
    for path, func, expected in cases:
        answer = plan_of(path, func)
        for name, source in expected.items():
            assert answer.get(name) == source, (
                f"{func.__name__}({name}=...) at {path}: expected {source!r}, "
                f"got {answer.get(name)!r}"
            )
        route = APIRoute(path, func, methods=["POST"])
        package = {f.name: f.source for f in route.dependant.params + route.dependant.body}
        assert package == expected, f"the package itself decides {package} for {path}"
    answer = where_from("token", Annotated[str, Header()], {"token"})
    assert answer == "header", (
        "token: Annotated[str, Header()] with token in the path: the marker "
        f"decides first (rule 1), expected 'header', got {answer!r} (the package "
        "then refuses such a route, as FastAPI does)"
    )

# %% [markdown]
# Two results surprise people: a bare `tags: list[str]` is a **body**
# parameter (a list from the query string needs `Annotated[list[str], Query()]`),
# and `limit: Annotated[int, Field(ge=1)]` is still a query parameter, because
# `Field` is Pydantic's, not a marker. The package does one more thing you did
# not: a parameter annotated `Request` or `Response` gets the request, or a
# response to set headers and cookies on.
#
# ### Exercise 2: one model for a route's query values, built once
#
# The package validates all of a route's path, query, header and cookie values
# in **one** Pydantic call, through a model it builds once, at registration.
# Here, only query values.
#
# Write `build_query_validator(fields)`: `fields` maps each parameter's name to
# `(annotation, default)`, with `...` as the default of a required one (exactly
# what `pydantic.create_model` takes). Build the model **once**, and return a
# function `validate(raw)` that takes the raw values (strings, or lists of
# strings for list parameters) and returns `(values, errors)`:
#
# - when everything is valid: `({name: value, ...}, [])`, with every field,
#   converted (`"2"` becomes `2`), defaults filled in;
# - otherwise `({}, errors)`, Pydantic's errors (`exc.errors(include_url=False)`)
#   rewritten as FastAPI reports them: each `loc` becomes
#   `("query", name, *the rest of the loc)`, and a **missing** value's `input`
#   becomes `None` (Pydantic puts the whole raw dict there).
#
# The check compares your errors with the 422 that the package's app sends for
# the same request, field for field.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `Model = create_model("QueryValues", **fields)` before defining `validate`.
# Inside it, `Model.model_validate(raw)` raises `pydantic.ValidationError`;
# for each error, `name, *rest = error["loc"]`, and the error is missing when
# `error["type"] == "missing"` and `rest` is empty. On success,
# `getattr(model, name)` for each name in `fields`.
#
# </details>

# %%
def build_query_validator(fields: dict[str, tuple[Any, Any]]):
    ### BEGIN SOLUTION
    model_class = create_model("QueryValues", **fields)

    def validate(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
        try:
            model = model_class.model_validate(raw)
        except pydantic.ValidationError as exc:
            errors = []
            for error in exc.errors(include_url=False):
                name, *rest = error["loc"]
                if error["type"] == "missing" and not rest:
                    error = {**error, "input": None}
                errors.append({**error, "loc": ("query", name, *rest)})
            return {}, errors
        return {name: getattr(model, name) for name in fields}, []

    return validate
    ### END SOLUTION


# %%
shop = App()


@shop.get("/search")
async def search(
    q: str,
    page: Annotated[int, Query(ge=1)] = 1,
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
):
    return {"q": q, "page": page, "tag": tag}


shop_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=shop), base_url="http://test")
SEARCH_FIELDS = {
    "q": (str, ...),
    "page": (Annotated[int, Field(ge=1)], 1),
    "tag": (list[str], []),
}

# %%
with check("Exercise 2: one Pydantic call, errors located as FastAPI does"):
    validate = build_query_validator(SEARCH_FIELDS)
    assert callable(validate), f"expected build_query_validator to return a function, got {validate!r}"
    answer = validate({"q": "tea", "page": "2", "tag": ["a", "b"]})
    expected = ({"q": "tea", "page": 2, "tag": ["a", "b"]}, [])
    assert answer == expected, f"valid values: expected {expected}, got {answer}"
    answer = validate({"q": "tea"})
    expected = ({"q": "tea", "page": 1, "tag": []}, [])
    assert answer == expected, f"only q: expected the defaults filled in, {expected}, got {answer}"
    for url, raw in [
        ("/search?page=0&tag=a", {"page": "0", "tag": ["a"]}),
        ("/search?q=tea&page=two", {"q": "tea", "page": "two"}),
        ("/search", {}),
    ]:
        values, errors = validate(raw)
        assert values == {}, f"{url}: expected no values when there are errors, got {values}"
        real = (await shop_client.get(url)).json()["detail"]
        mine = jsonable_encoder(errors)
        assert mine == real, f"{url}: expected the package's 422 detail {real}, got {mine}"
    made, real_create_model = [], create_model
    create_model = lambda *args, **kwargs: made.append(args) or real_create_model(*args, **kwargs)
    try:
        validate({"q": "tea"})
    finally:
        create_model = real_create_model
    assert made == [], (
        "validate made a new model on every call: make it once, in build_query_validator"
    )

# %% [markdown]
# The package's `FieldsValidator` does the same with any mix of sources: it
# names the model's fields `f0`, `f1`... (Pydantic refuses a field called
# `model_config`, drops one called `_token`, and warns about `json`) and keeps,
# for each, its source and alias to write the `loc`. Building the model is the expensive part; per request only
# `validate` runs. A rough measure of the difference on your machine (ratios
# only: timings on shared machines are noisy):

# %%
import timeit

with uses_exercise(2):
    n = 200
    build_time = timeit.timeit(lambda: build_query_validator(SEARCH_FIELDS), number=n) / n
    validate = build_query_validator(SEARCH_FIELDS)
    raw = {"q": "tea", "page": "2", "tag": ["a", "b"]}
    validate_time = timeit.timeit(lambda: validate(raw), number=20 * n) / (20 * n)
    print(f"building the model costs about {build_time / validate_time:.0f} validations")

# %% [markdown]
# ### Exercise 3: encode what a handler returns
#
# Without a response model, the route turns the return value into JSON-ready
# data with `jsonable_encoder`. Write a small `encode(obj)` with its rules:
#
# | value | becomes |
# |---|---|
# | `None`, `str`, `int`, `float`, `bool` | itself |
# | a Pydantic model | `obj.model_dump(mode="json")` |
# | a dataclass instance | `dataclasses.asdict(obj)`, then encoded |
# | an `Enum` member | its `.value` |
# | `datetime`, `date`, `time` | `obj.isoformat()` |
# | `timedelta` | `obj.total_seconds()` |
# | `Decimal` | an `int` when its exponent is `>= 0` (`Decimal("3")`), else a `float` |
# | `UUID` | `str(obj)` |
# | `dict` | a dict whose keys **and** values are encoded |
# | `list`, `tuple`, `set`, `frozenset` | a list of the encoded items |
#
# Anything else: raise `ValueError`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Test the Pydantic model, the dataclass (`dataclasses.is_dataclass(obj) and not
# isinstance(obj, type)`) and `Enum` **before** the plain types: a `str`-based
# enum is also a `str`. Recurse for the containers. `Decimal("3").as_tuple().exponent`
# is `0`, `Decimal("4.50").as_tuple().exponent` is `-2`.
#
# </details>

# %%
def encode(obj: Any) -> Any:
    ### BEGIN SOLUTION
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return encode(dataclasses.asdict(obj))
    if isinstance(obj, enum.Enum):
        return obj.value
    if obj is None or isinstance(obj, str | int | float):
        return obj
    if isinstance(obj, datetime.date | datetime.time):
        return obj.isoformat()
    if isinstance(obj, datetime.timedelta):
        return obj.total_seconds()
    if isinstance(obj, Decimal):
        return int(obj) if obj.as_tuple().exponent >= 0 else float(obj)
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, dict):
        return {encode(key): encode(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [encode(item) for item in obj]
    raise ValueError(f"cannot encode {obj!r}")
    ### END SOLUTION


# %%
class Size(str, enum.Enum):
    SMALL = "s"
    LARGE = "l"


class Tag(BaseModel):
    name: str
    added: datetime.date


@dataclasses.dataclass
class Order:
    size: Size
    points: tuple[Point, ...]
    when: datetime.datetime


ORDER = {
    "order": Order(Size.LARGE, (Point(1, 2),), datetime.datetime(2024, 5, 1, 9, 30)),
    "tags": [Tag(name="tea", added=datetime.date(2024, 5, 1))],
    "wait": datetime.timedelta(minutes=2),
    "ids": {uuid.UUID(int=7)},
    "price": Decimal("4.50"),
    "count": Decimal("3"),
    Color.BLUE: frozenset({None}),
    "ok": True,
}

# %%
with check("Exercise 3: encode follows jsonable_encoder's rules"):
    expected = jsonable_encoder(ORDER)
    answer = encode(ORDER)
    for key, value in expected.items():
        assert key in answer, f"expected the key {key!r} in the result, got keys {list(answer)}"
        assert answer[key] == value, f"{key!r}: expected {value!r}, got {answer[key]!r}"
        assert type(answer[key]) is type(value), (
            f"{key!r}: expected the type {type(value).__name__}, got {type(answer[key]).__name__}"
        )
    assert answer == expected, f"expected {expected}, got {answer}"
    json.dumps(answer)  # it must be plain JSON data now

    def type_difference(mine, theirs, where):
        if type(mine) is not type(theirs):
            return f"{where}: expected the type {type(theirs).__name__}, got {type(mine).__name__}"
        if isinstance(theirs, dict):
            pairs = [(mine.get(k), v, f"{where}[{k!r}]") for k, v in theirs.items()]
        else:
            pairs = list(zip(mine, theirs, [where] * len(theirs))) if isinstance(theirs, list) else []
        return next(filter(None, (type_difference(*pair) for pair in pairs)), None)

    difference = type_difference(answer, expected, "encode(ORDER)")
    assert difference is None, difference
    try:
        encode(object())
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError for a plain object()")

# %% [markdown]
# `"count"` is `3` (an `int`) and `"price"` is `4.5` (a `float`): a `Decimal`
# written without a decimal point stays an integer. The real `jsonable_encoder`
# also knows paths, IP addresses, secrets, generators and, as a last resort,
# objects that `dict()` or `vars()` can read.
#
# ### Exercise 4: filter the output through a response model
#
# With `response_model=UserOut` (or a return annotation `-> UserOut`), the
# route does not trust the handler: it validates the return value against the
# model and dumps only what the model declares.
#
# Write `build_serializer(response_model)`: build a `TypeAdapter` **once**, and
# return a function `serialize(result)` that
#
# - validates `result` with `from_attributes=True` (so an object with the right
#   attributes is accepted, not only a dict), then returns the JSON **bytes**
#   of the validated value (`adapter.dump_json(...)`);
# - when validation fails, raises `ResponseValidationError(errors)` with
#   Pydantic's errors (`include_url=False`), each `loc` prefixed with
#   `"response"`: `("response", "email")`.

# %% [markdown]
# <details><summary>Hint</summary>
#
# `adapter = TypeAdapter(response_model)`; `adapter.validate_python(result,
# from_attributes=True)` raises `pydantic.ValidationError`; build
# `{**error, "loc": ("response", *error["loc"])}` for each error and
# `raise ResponseValidationError(errors) from exc`.
#
# </details>

# %%
def build_serializer(response_model: Any):
    ### BEGIN SOLUTION
    adapter = TypeAdapter(response_model)

    def serialize(result: Any) -> bytes:
        try:
            value = adapter.validate_python(result, from_attributes=True)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            located = [{**error, "loc": ("response", *error["loc"])} for error in errors]
            raise ResponseValidationError(located) from exc
        return adapter.dump_json(value)

    return serialize
    ### END SOLUTION


# %%
class UserOut(BaseModel):
    name: str
    email: str


# %%
with check("Exercise 4: a response model validates and filters the output"):
    serialize = build_serializer(UserOut)
    assert callable(serialize), f"expected build_serializer to return a function, got {serialize!r}"
    body = serialize({"name": "ada", "email": "ada@example.org", "password": "hidden"})
    real = (await client.get("/users/ada")).content
    assert body == real, f"expected the same bytes as the demo's /users/ada, {real!r}, got {body!r}"
    people = build_serializer(list[UserOut])
    row = types.SimpleNamespace(name="bo", email="bo@example.org", password="secret")
    try:
        body = people([row])
    except ResponseValidationError as exc:
        raise AssertionError(
            "expected an object with name and email attributes to be accepted "
            f"(from_attributes=True), got the error {exc.errors()[0]['type']!r}"
        ) from None
    expected = b'[{"name":"bo","email":"bo@example.org"}]'
    assert body == expected, f"an object with attributes: expected {expected!r}, got {body!r}"
    try:
        serialize({"name": "cy", "password": "oops"})
    except ResponseValidationError as exc:
        first = exc.errors()[0]
        assert (first["type"], first["loc"]) == ("missing", ("response", "email")), (
            f"expected a 'missing' error at ('response', 'email'), got {first}"
        )
    else:
        raise AssertionError("expected ResponseValidationError when email is missing")
    made, real_type_adapter = [], TypeAdapter
    TypeAdapter = lambda *args, **kwargs: made.append(args) or real_type_adapter(*args, **kwargs)
    try:
        serialize({"name": "ada", "email": "ada@example.org"})
    finally:
        TypeAdapter = real_type_adapter
    assert made == [], (
        "serialize made a new TypeAdapter on every call: make it once, in build_serializer"
    )

# %% [markdown]
# In the package, a `ResponseValidationError` has no handler, so it reaches
# `ServerErrorMiddleware`: the client gets a **500**, never a 422, since the
# mistake is the server's. (`raise_app_exceptions=False` keeps httpx from
# raising the error again in the notebook, as a real server would not.)

# %%
broken = App()


@broken.get("/me", response_model=UserOut)
async def whoami():
    return {"name": "cy"}  # forgot the email


transport = httpx.ASGITransport(app=broken, raise_app_exceptions=False)
async with httpx.AsyncClient(transport=transport, base_url="http://test") as broken_client:
    response = await broken_client.get("/me")
print(response.status_code, response.text)

# %% [markdown]
# ## Trap: blocking calls in `async def`
#
# An `async def` handler runs on the event loop, the one thread serving every
# request. `time.sleep` there stalls all of them; the same code in a plain `def`
# handler runs in a worker thread. Five requests at once:

# %%
timing = App()


@timing.get("/blocking")
async def blocking():
    time.sleep(0.2)  # holds the event loop
    return {"slept": 0.2}


@timing.get("/threaded")
def threaded():
    time.sleep(0.2)  # holds only its worker thread
    return {"slept": 0.2}


@timing.get("/awaiting")
async def awaiting():
    await asyncio.sleep(0.2)  # lets the loop serve the others
    return {"slept": 0.2}


async with httpx.AsyncClient(transport=httpx.ASGITransport(app=timing), base_url="http://test") as c:
    for path in ["/blocking", "/threaded", "/awaiting"]:
        start = time.perf_counter()
        await asyncio.gather(*[c.get(path) for _ in range(5)])
        print(f"{path:10} five requests in {time.perf_counter() - start:.2f} s")

# %% [markdown]
# ## What's next
#
# A handler's parameters now come from the request, checked by Pydantic. But
# many handlers need the same things: a database session, the current user, a
# common set of paging parameters. In chapter 06, **dependency injection**:
# `Depends(get_user)` is a parameter whose value comes from calling another
# function, which has a signature of its own, analysed by the very same rules,
# once, at registration.
