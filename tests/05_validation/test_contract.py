"""Chapter 05: the signature is read once, at registration, and mistakes in it
are reported then, not on the first request."""

import threading
from typing import Annotated

import httpx
import pytest
from pydantic import BaseModel

pytestmark = pytest.mark.anyio


class Item(BaseModel):
    name: str


def client(app):
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    )


def test_the_route_knows_its_contract_after_registration(pkg):
    app = pkg.App()

    @app.post("/items/{item_id}")
    def update(
        item_id: int,
        item: Item,
        q: str | None = None,
        token: Annotated[str, pkg.Header()] = "",
    ):
        return {}

    [route] = [r for r in app.routes if isinstance(r, pkg.APIRoute)]
    sources = {f.name: f.source for f in route.dependant.params + route.dependant.body}
    assert sources == {
        "item_id": "path",
        "q": "query",
        "token": "header",
        "item": "body",
    }


def test_signature_mistakes_fail_at_registration(pkg):
    app = pkg.App()
    with pytest.raises(TypeError):

        @app.get("/items/{item_id}")
        def query_in_path(item_id: Annotated[int, pkg.Query()]):
            return {}

    with pytest.raises(TypeError):

        @app.get("/x")
        def default_inside(q: Annotated[int, pkg.Query(5)]):
            return {}

    with pytest.raises(TypeError):
        app.get("/y", no_such_option=True)(lambda: None)


async def test_the_signature_is_not_read_again_per_request(pkg, monkeypatch):
    app = pkg.App()

    @app.get("/n/{n}")
    def echo(n: int):
        return {"n": n}

    def refuse(*args, **kwargs):
        raise AssertionError("get_dependant called while serving a request")

    monkeypatch.setattr(pkg.dependencies, "get_dependant", refuse)
    monkeypatch.setattr(pkg.routing, "get_dependant", refuse, raising=False)
    async with client(app) as c:
        assert (await c.get("/n/3")).json() == {"n": 3}


async def test_def_handlers_run_in_a_worker_thread_async_ones_on_the_loop(pkg):
    app = pkg.App()
    seen = {}

    @app.get("/sync")
    def sync_handler():
        seen["sync"] = threading.current_thread() is threading.main_thread()
        return {}

    @app.get("/async")
    async def async_handler():
        seen["async"] = threading.current_thread() is threading.main_thread()
        return {}

    async with client(app) as c:
        await c.get("/sync")
        await c.get("/async")
    assert seen == {"sync": False, "async": True}


async def test_a_validation_error_can_be_handled_by_the_user(pkg):
    app = pkg.App()

    @app.exception_handler(pkg.RequestValidationError)
    async def summarise(request, exc):
        return pkg.JSONResponse({"problems": len(exc.errors())}, status_code=400)

    @app.get("/sum")
    def total(a: int, b: int):
        return a + b

    async with client(app) as c:
        response = await c.get("/sum?a=x")
    assert (response.status_code, response.json()) == (400, {"problems": 2})


def test_status_names_the_codes(pkg):
    assert pkg.status.HTTP_201_CREATED == 201
    assert pkg.status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    assert pkg.status.HTTP_418_IM_A_TEAPOT == 418


def test_status_has_every_name_starlette_has_written_out(pkg):
    """Written out, so an editor and a type checker see them (no globals())."""
    import ast
    import inspect
    import warnings

    import starlette.status

    names = [n for n in starlette.status.__all__ if n.startswith("HTTP_")]
    theirs = {n: getattr(starlette.status, n) for n in names}
    theirs.pop("HTTP_306_RESERVED", None)  # a code HTTP never used
    source = ast.parse(inspect.getsource(pkg.status))
    assigned = {
        node.targets[0].id: node.value.value
        for node in source.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert theirs.items() <= assigned.items()
    with warnings.catch_warnings():  # Starlette still answers to the old names
        warnings.simplefilter("ignore")
        older = {n: getattr(starlette.status, n) for n in assigned.keys() - theirs}
    assert older.items() <= assigned.items()


async def test_a_validation_error_keeps_the_body_it_refused_like_fastapi(pkg):
    import fastapi.exceptions
    from oracle import compare

    class Item(BaseModel):
        title: str
        size: int

    def build(api):
        error = {"ours": pkg, "fastapi": fastapi.exceptions}[api.side]
        app = api.App()

        @app.exception_handler(error.RequestValidationError)
        async def show_body(request, exc):
            return api.JSONResponse({"body": exc.body}, status_code=422)

        @app.post("/items")
        def create(item: Item):
            return item

        return app

    bodies = [{"title": "towel", "size": "XL"}, "not json", None]
    requests = [{"method": "POST", "url": "/items", "json": b} for b in bodies[:1]]
    requests.append({"method": "POST", "url": "/items", "content": b"{bad",
                     "headers": {"content-type": "application/json"}})  # fmt: skip
    requests.append({"method": "POST", "url": "/items"})
    pairs = await compare(build, pkg, requests)
    for theirs, ours in pairs:
        assert ours.view() == theirs.view()
    assert [ours.json()["body"] for _, ours in pairs] == [bodies[0], "{bad", None]


async def test_a_deprecated_parameter_does_not_warn_on_every_request(pkg):
    import warnings

    app = pkg.App()

    @app.get("/search")
    def search(q: Annotated[str | None, pkg.Query(deprecated=True)] = None):
        return {"q": q}

    async with client(app) as c:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # as FastAPI's own tests run
            response = await c.get("/search?q=old")
    assert (response.status_code, response.json()) == (200, {"q": "old"})
