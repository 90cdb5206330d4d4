"""Chapter 09: a Pydantic model as Query, Header or Cookie parameters, as FastAPI.

`Annotated[Filters, Query()]` means: each field of `Filters` is a query
parameter of its own. Both sides get the same requests; status and body must
match (the 422 items too: where, what was received), and so must the OpenAPI
document, where the model's fields are listed one by one.
"""

from typing import Annotated, Literal

import pytest
from oracle import compare, fastapi_namespace, package_namespace
from pydantic import BaseModel, Field

pytestmark = pytest.mark.anyio


class Filters(BaseModel):
    limit: int = Field(100, gt=0, le=100, description="How many")
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


class StrictFilters(Filters):
    model_config = {"extra": "forbid"}


class Paging(BaseModel):
    start: int
    end: int


class Aliased(BaseModel):
    """Fields read under their aliases, never their names."""

    page_size: int = Field(10, alias="page-size", ge=1)
    item_ids: list[int] = Field([], alias="item-id")


class Client(BaseModel):
    host: str
    save_data: bool
    x_tag: list[str] = []


class StrictClient(Client):
    model_config = {"extra": "forbid"}


class Session(BaseModel):
    session_id: str
    theme: str = "dark"


def query_models(api):
    app = api.App()

    @app.get("/items")
    def items(filters: Annotated[Filters, api.Query()], q: str | None = None):
        return {"filters": filters, "q": q}

    @app.get("/strict")
    def strict(filters: Annotated[StrictFilters, api.Query()]):
        return filters

    @app.get("/range")
    def in_range(limit: int = 10, paging: Annotated[Paging | None, api.Query()] = None):
        return {"limit": limit, "paging": paging}

    @app.get("/aliased")
    def aliased(values: Annotated[Aliased, api.Query()]):
        return values

    return app


def header_models(api):
    app = api.App()

    @app.get("/converted")
    def converted(headers: Annotated[Client, api.Header()]):
        return headers

    @app.get("/as-is")
    def as_is(headers: Annotated[StrictClient, api.Header(convert_underscores=False)]):
        return headers

    return app


def cookie_models(api):
    app = api.App()

    @app.get("/session")
    def session(cookies: Annotated[Session | None, api.Cookie()] = None):
        return cookies

    return app


QUERY_REQUESTS = [
    {"method": "GET", "url": "/items"},
    {"method": "GET", "url": "/items?limit=5&tags=a&tags=b&q=x&other=1"},
    {"method": "GET", "url": "/items?limit=500&order_by=size&tags="},
    {"method": "GET", "url": "/strict?limit=5"},
    {"method": "GET", "url": "/strict?limit=5&tool=plumbus&tool=x&more=1"},
    {"method": "GET", "url": "/range"},
    {"method": "GET", "url": "/range?limit=3&other=1"},
    {"method": "GET", "url": "/range?start=1&end=2"},
    {"method": "GET", "url": "/range?start=1"},
    {"method": "GET", "url": "/range?start=one&end=2"},
    {"method": "GET", "url": "/aliased?page-size=3&item-id=7"},
    {"method": "GET", "url": "/aliased?page-size=3&item-id=7&item-id=8&page_size=9"},
    {"method": "GET", "url": "/aliased?page_size=3&item_ids=7"},
    {"method": "GET", "url": "/aliased?page-size=0&item-id=x"},
]
HEADER_REQUESTS = [
    {"method": "GET", "url": "/converted"},
    {"method": "GET", "url": "/converted", "headers": {"save-data": "yes"}},
    {
        "method": "GET",
        "url": "/converted",
        "headers": [("save-data", "no"), ("x-tag", "a"), ("X-Tag", "b"), ("z", "1")],
    },
    {"method": "GET", "url": "/converted", "headers": {"save_data": "true"}},
    {"method": "GET", "url": "/converted", "headers": {"save-data": "maybe"}},
    {"method": "GET", "url": "/as-is", "headers": {"save-data": "true"}},
    {"method": "GET", "url": "/as-is", "headers": {"save_data": "true"}},
]
COOKIE_REQUESTS = [
    {"method": "GET", "url": "/session"},
    {"method": "GET", "url": "/session", "headers": {"cookie": "other=1"}},
    {"method": "GET", "url": "/session", "headers": {"cookie": "session_id=7"}},
    {"method": "GET", "url": "/session", "headers": {"cookie": "theme=light; x=1"}},
]
CASES = [
    (query_models, QUERY_REQUESTS),
    (header_models, HEADER_REQUESTS),
    (cookie_models, COOKIE_REQUESTS),
]
IDS = ["query", "header", "cookie"]


@pytest.mark.parametrize(("build", "requests"), CASES, ids=IDS)
async def test_answers_equal_fastapis(pkg, build, requests):
    for theirs, ours in await compare(build, pkg, requests):
        assert ours.view() == theirs.view()


@pytest.mark.parametrize(("build", "requests"), CASES, ids=IDS)
def test_the_document_lists_the_fields_like_fastapi(pkg, build, requests):
    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs
    for name in ("Filters", "Paging", "Aliased", "Client", "Session"):
        assert name not in ours["components"]["schemas"]


def test_a_field_keeps_its_own_header_name(pkg):
    """A model field can say `Header(convert_underscores=False)` itself."""

    class Mixed(BaseModel):
        save_data: bool
        x_raw: Annotated[str, pkg.Header(convert_underscores=False)] = ""

    app = pkg.App()

    @app.get("/")
    def read(headers: Annotated[Mixed, pkg.Header()]):
        return headers

    names = [p["name"] for p in app.openapi()["paths"]["/"]["get"]["parameters"]]
    assert names == ["save-data", "x_raw"]
