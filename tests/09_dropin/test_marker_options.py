"""Chapter 09: the options of Query, Body... that only FastAPI knows, as FastAPI.

`include_in_schema`, `openapi_examples`, `example`, `regex` and Body's
`media_type` are not Pydantic's: they must not reach `pydantic.Field` (which
would warn, or refuse), and they must do what they do in FastAPI: hide a
parameter from the document, put examples and media types in it.
"""

import warnings
from typing import Annotated

import pytest
from oracle import compare, fastapi_namespace, package_namespace
from pydantic import BaseModel

pytestmark = pytest.mark.anyio

EXAMPLES = {
    "normal": {"summary": "A normal item", "value": {"name": "Foo", "price": 3.5}},
    "text": {"description": "A price as **text**", "value": {"price": "3.5"}},
}


class Item(BaseModel):
    name: str
    price: float


def with_options(api):
    app = api.App()

    @app.get("/items")
    def items(
        hidden: Annotated[str | None, api.Query(include_in_schema=False)] = None,
        shown: Annotated[int, api.Query(openapi_examples={"one": {"value": 1}})] = 0,
        token: Annotated[str | None, api.Header(include_in_schema=False)] = None,
    ):
        return {"hidden": hidden, "shown": shown, "token": token}

    @app.get("/only-hidden")
    def only_hidden(key: Annotated[str, api.Cookie(include_in_schema=False)]):
        return key

    @app.put("/items/{item_id}")
    def update(
        item_id: int, item: Annotated[Item, api.Body(openapi_examples=EXAMPLES)]
    ):
        return {"item_id": item_id, "item": item}

    @app.post("/typed")
    def typed(item: Annotated[Item, api.Body(media_type="application/vnd.item+json")]):
        return item

    @app.post("/two")
    def two(
        a: Annotated[Item, api.Body(media_type="application/x-a")],
        b: Annotated[int, api.Body(openapi_examples={"one": {"value": 1}})],
    ):
        return {"a": a, "b": b}

    return app


REQUESTS = [
    {"method": "GET", "url": "/items?hidden=x&shown=2", "headers": {"token": "t"}},
    {"method": "GET", "url": "/items?shown=two"},
    {"method": "GET", "url": "/only-hidden"},
    {"method": "GET", "url": "/only-hidden", "headers": {"cookie": "key=k"}},
    {"method": "PUT", "url": "/items/1", "json": {"name": "Foo", "price": "3.5"}},
    {"method": "PUT", "url": "/items/1", "json": {"price": "free"}},
    {"method": "POST", "url": "/typed", "json": {"name": "Foo", "price": 1}},
    {"method": "POST", "url": "/two", "json": {"a": {"name": "A", "price": 1}, "b": 2}},
]


async def test_answers_equal_fastapis_and_nothing_warns(pkg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as FastAPI's own suite runs
        pairs = await compare(with_options, pkg, REQUESTS)
    for theirs, ours in pairs:
        assert ours.view() == theirs.view()


def test_the_document_equals_fastapis(pkg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs = with_options(fastapi_namespace()).openapi()
        ours = with_options(package_namespace(pkg)).openapi()
    assert ours == theirs
    get = ours["paths"]["/items"]["get"]
    assert [p["name"] for p in get["parameters"]] == ["shown"]
    assert "422" in ours["paths"]["/only-hidden"]["get"]["responses"]


def deprecated_options(api):
    app = api.App()

    @app.get("/")
    def read(
        code: Annotated[str, api.Query(regex="^[a-z]+$")] = "a",
        n: Annotated[int, api.Query(example=3)] = 0,
    ):
        return {"code": code, "n": n}

    return app


async def test_example_and_regex_still_work_with_a_deprecation_warning(pkg):
    requests = [
        {"method": "GET", "url": "/?code=abc&n=1"},
        {"method": "GET", "url": "/?code=A1"},
    ]
    with pytest.warns(Warning) as caught:
        pairs = await compare(deprecated_options, pkg, requests)
    names = sorted(type(w.message).__name__ for w in caught)
    assert names == ["FastAPIDeprecationWarning"] * 4, "two options on each side"
    for theirs, ours in pairs:
        assert ours.view() == theirs.view()
    with pytest.warns(pkg.exceptions.FastAPIDeprecationWarning):
        ours = deprecated_options(package_namespace(pkg)).openapi()
    with pytest.warns(Warning):
        theirs = deprecated_options(fastapi_namespace()).openapi()
    assert ours == theirs
    assert ours["paths"]["/"]["get"]["parameters"][1]["example"] == 3
