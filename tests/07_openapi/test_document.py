"""Chapter 07: the OpenAPI document, compared whole with FastAPI's.

For the same app, our document must equal FastAPI's key for key, the default
title ("FastAPI") included. Every document must also pass
`openapi-spec-validator`.
"""

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


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_is_valid_openapi(pkg, build):
    need("openapi_spec_validator").validate(build(package_namespace(pkg)).openapi())


def test_the_demo_document_is_valid_openapi(demo):
    document = demo.app.openapi()
    need("openapi_spec_validator").validate(document)
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
