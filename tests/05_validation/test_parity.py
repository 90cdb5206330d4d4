"""Chapter 05: the same apps on FastAPI and on ours must answer the same.

Each case builds one small app against `api` (FastAPI's names or ours) and
lists requests; every answer is compared: status, content type, the body
(as JSON when it is JSON, so every 422 detail must match) and key headers.
"""

import dataclasses
import datetime
import decimal
import enum
import uuid
from typing import Annotated, Any

import pytest
from oracle import compare
from pydantic import BaseModel, Field

pytestmark = pytest.mark.anyio


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    city: str = Field(min_length=2)


class Person(BaseModel):
    name: str
    age: int = Field(ge=0, le=150)
    address: Address | None = None
    tags: list[str] = []


class PublicPerson(BaseModel):
    name: str
    tags: list[str] = []


class Aliased(BaseModel):
    full_name: str = Field(alias="fullName", validation_alias="full_name")


@dataclasses.dataclass
class Point:
    x: int
    y: float


def path_params(api):
    app = api.App()

    @app.get("/ints/{n}")
    def ints(n: int):
        return {"n": n}

    @app.get("/floats/{x}")
    async def floats(x: float):
        return {"x": x}

    @app.get("/bools/{b}")
    def bools(b: bool):
        return {"b": b}

    @app.get("/colors/{color}")
    def colors(color: Color):
        return {"color": color, "is_red": color is Color.RED}

    @app.get("/ids/{item_id}")
    def ids(item_id: uuid.UUID):
        return {"id": item_id}

    @app.get("/bounded/{n}")
    def bounded(n: Annotated[int, api.Path(ge=1, lt=10)]):
        return {"n": n}

    @app.get("/files/{name:path}")
    def files(name: str):
        return {"name": name}

    return app


PATH_REQUESTS = [
    "/ints/5",
    "/ints/-5",
    "/ints/5.0",
    "/ints/abc",
    "/ints/99999999999999999999999999",
    "/floats/1e3",
    "/floats/nan",
    "/floats/inf",
    "/floats/x",
    "/bools/yes",
    "/bools/0",
    "/bools/maybe",
    "/colors/red",
    "/colors/green",
    "/ids/12345678-1234-5678-1234-567812345678",
    "/ids/nope",
    "/bounded/0",
    "/bounded/10",
    "/bounded/3",
    "/files/a/b/../c",
    "/files/%2e%2e/etc",
]


def query_params(api):
    app = api.App()

    @app.get("/search")
    def search(
        term: str,
        page: int = 1,
        size: Annotated[int, api.Query(gt=0, le=50)] = 10,
        sort: Annotated[str, api.Query(pattern="^(asc|desc)$")] = "asc",
        code: Annotated[str | None, api.Query(min_length=2, max_length=4)] = None,
        tag: Annotated[list[str] | None, api.Query()] = None,
        nums: Annotated[list[int], api.Query()] = [],  # noqa: B006
        flag: bool = False,
        item_query: Annotated[str | None, api.Query(alias="item-query")] = None,
    ):
        return locals()

    @app.get("/required")
    async def required(a: int, b: Annotated[str, api.Query()], c: float | None):
        return {"a": a, "b": b, "c": c}

    return app


QUERY_REQUESTS = [
    "/search?term=lamp",
    "/search",
    "/search?term=",
    "/search?term=a&page=2&size=50&sort=desc&code=ab&flag=on",
    "/search?term=a&page=x&size=0&sort=up&code=a&flag=maybe",
    "/search?term=a&size=51&code=toolong",
    "/search?term=a&tag=x&tag=y&nums=1&nums=2",
    "/search?term=a&nums=1&nums=two&nums=3",
    "/search?term=a&term=b&page=1&page=2",
    "/search?term=a&item-query=yes&item_query=no",
    "/search?term=%ZZ&page=%00",
    "/search?term=%ff%fe",
    "/search?term=a&page=12345678901234567890123456789",
    "/required",
    "/required?a=1&b=2&c=3.5",
    "/required?a=1&b=2",
    "/required?a=x&c=y",
]


def headers_and_cookies(api):
    app = api.App()

    @app.get("/headers")
    def headers(
        user_agent: Annotated[str | None, api.Header()] = None,
        x_token: Annotated[str, api.Header()] = "none",
        x_count: Annotated[int | None, api.Header()] = None,
        x_tags: Annotated[list[str] | None, api.Header()] = None,
        raw_name: Annotated[str | None, api.Header(convert_underscores=False)] = None,
        custom: Annotated[str | None, api.Header(alias="X-Custom-Alias")] = None,
    ):
        return locals()

    @app.get("/needs-header")
    def needs(x_api_key: Annotated[str, api.Header()]):
        return {"key": x_api_key}

    @app.get("/cookies")
    def cookies(
        session: Annotated[str | None, api.Cookie()] = None,
        visits: Annotated[int, api.Cookie()] = 0,
    ):
        return {"session": session, "visits": visits}

    return app


HEADER_REQUESTS = [
    ("/headers", {}),
    ("/headers", {"headers": {"User-Agent": "x", "X-Token": "t", "X-Count": "3"}}),
    ("/headers", {"headers": {"x-count": "three"}}),
    ("/headers", {"headers": [("x-tags", "a"), ("x-tags", "b")]}),
    ("/headers", {"headers": {"raw_name": "r", "raw-name": "no"}}),
    ("/headers", {"headers": {"x-custom-alias": "c"}}),
    ("/headers", {"headers": {"x-token": "café".encode()}}),
    ("/needs-header", {}),
    ("/needs-header", {"headers": {"X-API-KEY": "k"}}),
    ("/cookies", {}),
    ("/cookies", {"headers": {"cookie": "session=s1; visits=4"}}),
    ("/cookies", {"headers": {"cookie": "visits=many"}}),
    ("/cookies", {"headers": {"cookie": "garbage;;=x; visits"}}),
]


def bodies(api):
    app = api.App()

    @app.post("/people")
    def create(person: Person):
        return person

    @app.post("/embedded")
    def embedded(person: Annotated[Person, api.Body(embed=True)]):
        return {"got": person}

    @app.post("/two")
    def two(person: Person, address: Address, note: Annotated[str, api.Body()] = "-"):
        return {"person": person, "address": address, "note": note}

    @app.post("/scalars")
    def scalars(count: Annotated[int, api.Body()], label: Annotated[str, api.Body()]):
        return {"count": count, "label": label}

    @app.post("/optional")
    def optional(person: Person | None = None):
        return {"person": person}

    @app.post("/anything")
    def anything(data: Annotated[Any, api.Body()]):
        return {"data": data}

    @app.post("/list")
    def people(people: list[Person]):
        return {"count": len(people)}

    @app.post("/mixed/{pid}")
    def mixed(pid: int, q: int, person: Person):
        return {"pid": pid, "q": q}

    return app


def json_body(value: Any) -> dict:
    return {"json": value}


def raw(content: bytes, content_type: str | None = "application/json") -> dict:
    headers = {"content-type": content_type} if content_type else {}
    return {"content": content, "headers": headers}


BODY_REQUESTS = [
    ("/people", json_body({"name": "Ada", "age": 36})),
    ("/people", json_body({"name": "Ada", "age": "36", "tags": ("a", "b")})),
    ("/people", json_body({"name": "Ada", "age": 200, "address": {"street": "x"}})),
    ("/people", json_body({"age": -1, "address": {"city": "P"}, "tags": [1]})),
    ("/people", json_body({})),
    ("/people", json_body(None)),
    ("/people", json_body([1, 2])),
    ("/people", json_body("text")),
    ("/people", {}),
    ("/people", raw(b"")),
    ("/people", raw(b'{"name": "Ada", "age": 3')),
    ("/people", raw(b"{'single': 'quotes'}")),
    ("/people", raw(b'{"name": "Ada",\n "age": }')),
    ("/people", raw(b"\xff\xfe{}")),
    ("/people", raw(b'{"name": "Ada", "age": NaN}')),
    ("/people", raw(b'{"name": "Ada", "age": 36}', "text/plain")),
    ("/people", raw(b'{"name": "Ada", "age": 36}', None)),
    ("/people", raw(b'{"name": "Ada", "age": 36}', "application/vnd.api+json")),
    ("/people", raw(b'{"name": "Ada", "age": 36}', "application/json; charset=utf-8")),
    ("/people", raw(b"[" * 50 + b"]" * 50)),
    ("/embedded", json_body({"person": {"name": "A", "age": 1}})),
    ("/embedded", json_body({"name": "A", "age": 1})),
    ("/embedded", json_body([])),
    ("/embedded", {}),
    (
        "/two",
        json_body(
            {
                "person": {"name": "A", "age": 1},
                "address": {"street": "s", "city": "Oslo"},
            }
        ),
    ),
    ("/two", json_body({"person": {"name": "A"}, "note": 5})),
    ("/two", json_body({})),
    ("/two", json_body(None)),
    ("/two", raw(b'{"person": {}}', "text/plain")),
    ("/scalars", json_body({"count": "3", "label": "x"})),
    ("/scalars", json_body({"count": "three"})),
    ("/optional", {}),
    ("/optional", json_body({"name": "A", "age": 1})),
    ("/optional", json_body(None)),
    ("/anything", json_body({"deep": [[[{"x": 1}]]]})),
    ("/anything", json_body(123456789012345678901234567890)),
    ("/anything", json_body(None)),
    ("/anything", {}),
    ("/list", json_body([{"name": "A", "age": 1}, {"name": "B"}])),
    ("/list", json_body({"name": "A"})),
    ("/mixed/x?q=y", json_body({"name": 1})),
    ("/mixed/1?q=2", json_body({"name": "A", "age": 1})),
]


def responses(api):
    app = api.App()

    @app.get("/model", response_model=PublicPerson)
    def model():
        return {"name": "A", "age": 3, "tags": {"x"}, "secret": "s"}

    @app.get("/annotated")
    def annotated() -> PublicPerson:
        return Person(name="B", age=4)

    @app.get("/bad-output", response_model=PublicPerson)
    def bad_output():
        return {"tags": "not a list"}

    @app.get("/exclude-unset", response_model=Person, response_model_exclude_unset=True)
    def exclude_unset():
        return Person(name="C", age=5)

    @app.post("/created", status_code=201)
    async def created():
        return {"ok": True}

    @app.delete("/gone", status_code=204)
    async def gone():
        return None

    @app.get("/encoded")
    def encoded():
        return {
            "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
            "day": datetime.date(2024, 1, 2),
            "span": datetime.timedelta(minutes=90),
            "color": Color.BLUE,
            "ids": {uuid.UUID(int=1)},
            "price": decimal.Decimal("3.50"),
            "count": decimal.Decimal("7"),
            "point": Point(1, 2.5),
            "tuple": (1, "a"),
            "model": Address(street="s", city="Rome"),
        }

    @app.get("/text", response_class=api.PlainTextResponse)
    def text():
        return "plain words"

    @app.get("/html", response_class=api.HTMLResponse)
    async def html():
        return "<b>bold</b>"

    @app.get("/own")
    def own():
        return api.JSONResponse({"mine": True}, status_code=202, headers={"x-own": "1"})

    @app.get("/sub-response")
    def sub_response(response: api.Response):
        response.headers["x-extra"] = "yes"
        response.set_cookie("seen", "1")
        response.status_code = 203
        return {"with": "extras"}

    @app.get("/request")
    async def with_request(request: api.Request, q: str = "-"):
        return {"path": request.url.path, "q": q, "method": request.method}

    @app.get("/nan")
    def nan():
        return {"x": float("nan")}

    @app.get("/exclude-none", response_model=Person, response_model_exclude_none=True)
    def exclude_none():
        return {"name": "D", "age": 6, "address": None}

    @app.get("/include", response_model=Person, response_model_include={"name"})
    def include():
        return {"name": "E", "age": 7}

    @app.get("/exclude", response_model=Person, response_model_exclude={"tags"})
    def exclude():
        return {"name": "F", "age": 8, "tags": ["x"]}

    @app.get("/aliased", response_model=Aliased)
    def aliased():
        return {"full_name": "G"}

    @app.get("/aliased-raw")
    def aliased_raw():
        return Aliased(full_name="H")

    @app.get("/list-model", response_model=list[PublicPerson])
    def list_model():
        return [{"name": "I", "age": 1}, Person(name="J", age=2)]

    @app.get("/optional-model", response_model=PublicPerson | None)
    def optional_model():
        return None

    return app


RESPONSE_REQUESTS = [
    "/exclude-none",
    "/include",
    "/exclude",
    "/aliased",
    "/aliased-raw",
    "/list-model",
    "/optional-model",
    "/model",
    "/annotated",
    "/bad-output",
    "/exclude-unset",
    "/encoded",
    "/text",
    "/html",
    "/own",
    "/sub-response",
    "/request?q=1",
    "/nan",
]

CASES = [
    ("path", path_params, [("GET", u, {}) for u in PATH_REQUESTS]),
    ("query", query_params, [("GET", u, {}) for u in QUERY_REQUESTS]),
    ("headers", headers_and_cookies, [("GET", u, o) for u, o in HEADER_REQUESTS]),
    ("body", bodies, [("POST", u, o) for u, o in BODY_REQUESTS]),
    ("responses", responses, [("GET", u, {}) for u in RESPONSE_REQUESTS]),
    ("status", responses, [("POST", "/created", {}), ("DELETE", "/gone", {})]),
]
PARAMS = [(name, build, r) for name, build, requests in CASES for r in requests]


@pytest.mark.parametrize(
    ("build", "request_"),
    [(build, r) for _, build, r in PARAMS],
    ids=[f"{name}: {r[0]} {r[1]}" for name, _, r in PARAMS],
)
async def test_answers_like_fastapi(pkg, build, request_):
    method, url, options = request_
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": method, "url": url, **options}]
    )
    names = ("set-cookie", "x-own", "x-extra")
    assert ours.status == theirs.status
    assert ours.headers.get("content-type") == theirs.headers.get("content-type")
    if theirs.body and "json" in theirs.headers.get("content-type", ""):
        assert ours.json() == theirs.json()
    else:
        assert ours.body == theirs.body
    assert ours.view(*names)["headers"] == theirs.view(*names)["headers"]
