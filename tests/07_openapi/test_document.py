"""Chapter 07: the OpenAPI document, compared whole with FastAPI's.

For the same app, our document must equal FastAPI's key for key, the default
title ("FastAPI") included. Every document must also pass
`openapi-spec-validator`.
"""

import copy
from typing import Any

import httpx
import pytest
from maintainer import need
from openapi_apps import BUILDERS
from oracle import fastapi_namespace, package_namespace

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_equals_fastapis(pkg, build):
    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs


def without_item_schemas(document: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy without the `itemSchema` of streamed answers, and how many it had."""
    copied, found = copy.deepcopy(document), 0
    for item in copied.get("paths", {}).values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values():
                for media in answer.get("content", {}).values():
                    found += media.pop("itemSchema", None) is not None
    return copied, found


def validate(document: dict[str, Any]) -> None:
    """openapi-spec-validator, for the version the document names (3.1.0). For
    streamed answers (chapter 11) FastAPI 0.165 writes OpenAPI 3.2's
    `itemSchema` into its 3.1.0 documents, and we write what FastAPI writes:
    such a document must then be valid 3.1 without those keys, and valid 3.2
    whole."""
    validator = need("openapi_spec_validator")
    plain, streamed = without_item_schemas(document)
    validator.validate(plain)
    if streamed:
        validator.validate({**document, "openapi": "3.2.0"})


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_is_valid_openapi(pkg, build):
    validate(build(package_namespace(pkg)).openapi())


def test_the_demo_document_is_valid_openapi(demo):
    document = demo.app.openapi()
    validate(document)
    assert document["openapi"].startswith("3.1")


async def test_openapi_json_is_served_and_built_once(pkg):
    app = BUILDERS[0](package_namespace(pkg))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = await client.get("/openapi.json")
        second = await client.get("/openapi.json")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.json() == second.json() == app.openapi()
    assert app.openapi() is app.openapi(), "the document is built once, then kept"


def test_documentation_routes_stay_out_of_the_document(pkg):
    paths = BUILDERS[0](package_namespace(pkg)).openapi()["paths"]
    assert not {"/openapi.json", "/docs", "/redoc", "/health"} & set(paths)


def test_title_version_and_description_are_settings(pkg):
    app = pkg.App(title="Shop", version="2.1", description="Sells things")
    assert app.openapi()["info"] == {
        "title": "Shop",
        "version": "2.1",
        "description": "Sells things",
    }


async def test_everything_can_be_turned_off(pkg):
    app = pkg.App(openapi_url=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for url in ("/openapi.json", "/docs", "/redoc"):
            assert (await client.get(url)).status_code == 404, url


def test_enum_tags_are_documented_by_value_like_fastapi(pkg):
    from enum import Enum

    class Tags(Enum):
        items = "items"

    def build(api):
        app = api.App()

        @app.get("/items", tags=[Tags.items])
        def items():
            return []

        return app

    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs
    assert ours["paths"]["/items"]["get"]["tags"] == ["items"]


def test_additional_responses_merge_like_fastapi_and_change_nothing(pkg):
    from pydantic import BaseModel

    class Message(BaseModel):
        message: str

    written = {"application/json": {"schema": {"title": "By hand", "x-a": [1]}}}
    responses = {
        200: {"content": {"image/png": {}}, "description": "An image"},
        404: {"model": Message, "content": written},
    }

    def build(api):
        app = api.App()

        @app.get("/items/{item_id}", response_model=Message, responses=responses)
        def read(item_id: str):
            return {"message": item_id}

        return app

    before = repr(responses)
    theirs = build(fastapi_namespace()).openapi()
    app = build(package_namespace(pkg))
    assert app.openapi() == theirs
    assert repr(responses) == before, "the route's responses must stay as given"
