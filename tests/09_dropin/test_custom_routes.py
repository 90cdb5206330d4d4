"""Chapter 09: custom route classes, strict content types and FastAPIError.

A route class overrides `get_route_handler()` to wrap the `request -> Response`
function: hand it another Request class (one that gunzips the body, as in
FastAPI's docs), catch its errors, time it. `route_class` is chosen per router
(`APIRouter(route_class=...)`, `app.router.route_class = ...`) and an
included route keeps its class. Each app is built twice, with FastAPI's
classes and with ours, and must answer the same.
"""

import gzip
import json
import time
from typing import Annotated

import fastapi.exceptions
import fastapi.routing
import pytest
from oracle import compare, fastapi_namespace
from pydantic import BaseModel

pytestmark = pytest.mark.anyio


def base_classes(pkg):
    """Each side's APIRoute and RequestValidationError, by side."""
    return {
        "fastapi": (
            fastapi.routing.APIRoute,
            fastapi.exceptions.RequestValidationError,
        ),
        "ours": (pkg.routing.APIRoute, pkg.exceptions.RequestValidationError),
    }


def route_classes(api, route_base, validation_error):

    class GzipRequest(api.Request):
        async def body(self) -> bytes:
            if not hasattr(self, "_body"):  # as FastAPI's docs write it
                body = await super().body()
                if "gzip" in self.headers.getlist("Content-Encoding"):
                    body = gzip.decompress(body)
                self._body = body
            return self._body

    class GzipRoute(route_base):
        def get_route_handler(self):
            handler = super().get_route_handler()
            route_id = self.unique_id  # known before the handler is made

            async def gunzipping(request):
                response = await handler(GzipRequest(request.scope, request.receive))
                response.headers["x-route"] = route_id
                return response

            return gunzipping

    class ErrorsWithBody(route_base):
        def get_route_handler(self):
            handler = super().get_route_handler()

            async def showing_body(request):
                try:
                    return await handler(request)
                except validation_error as exc:
                    body = (await request.body()).decode()
                    detail = {"errors": exc.errors(), "body": body}
                    raise api.HTTPException(status_code=422, detail=detail) from exc

            return showing_body

    class TimedRoute(route_base):
        def get_route_handler(self):
            handler = super().get_route_handler()

            async def timed(request):
                before = time.perf_counter()
                response = await handler(request)
                response.headers["x-took"] = (
                    "yes" if time.perf_counter() >= before else ""
                )
                return response

            return timed

    app = api.App()
    app.router.route_class = GzipRoute

    @app.post("/sum")
    async def total(numbers: Annotated[list[int], api.Body()]):
        return {"sum": sum(numbers)}

    @app.get("/class")
    async def request_class(request: api.Request):
        return {"class": type(request).__name__}

    shown = api.APIRouter(prefix="/shown", route_class=ErrorsWithBody)

    @shown.post("/sum")
    async def shown_total(numbers: Annotated[list[int], api.Body()]):
        return sum(numbers)

    timed = api.APIRouter(route_class=TimedRoute)

    @timed.get("/timed")
    async def timed_route():
        return "timed"

    app.include_router(shown)
    app.include_router(timed, prefix="/t")
    return app


ZIPPED = gzip.compress(json.dumps([1] * 100).encode())
REQUESTS = [
    {
        "method": "POST",
        "url": "/sum",
        "content": ZIPPED,
        "headers": {"content-type": "application/json", "content-encoding": "gzip"},
    },
    {"method": "POST", "url": "/sum", "json": [1, 2, 3]},
    {"method": "GET", "url": "/class"},
    {"method": "POST", "url": "/shown/sum", "json": [1, 2]},
    {"method": "POST", "url": "/shown/sum", "json": {"numbers": [1, 2]}},
    {"method": "GET", "url": "/t/timed"},
]


async def test_route_classes_answer_like_fastapis(pkg):
    bases = base_classes(pkg)
    pairs = await compare(
        lambda api: route_classes(api, *bases[api.side]), pkg, REQUESTS
    )
    for theirs, ours in pairs:
        assert ours.view("x-took", "x-route") == theirs.view("x-took", "x-route")
    assert pairs[0][1].json() == {"sum": 100}
    assert pairs[2][1].json() == {"class": "GzipRequest"}
    assert pairs[5][1].headers["x-took"] == "yes", "the included route kept its class"
    assert pairs[2][1].headers["x-route"] == "request_class_class_get"


class Item(BaseModel):
    name: str


def lax_and_strict(api):
    app = api.App(strict_content_type=False)

    @app.post("/lax")
    def lax(item: Item):
        return item

    def strict(item: Item):
        return item

    app.router.add_api_route(
        "/strict", strict, methods=["POST"], strict_content_type=True
    )

    router = api.APIRouter(strict_content_type=True)

    @router.post("/router")
    def by_router(item: Item):
        return item

    inherits = api.APIRouter()

    @inherits.post("/inherits")
    def inherited(item: Item):
        return item

    app.include_router(router)
    app.include_router(inherits)
    return app


def no_type(url, content='{"name": "x"}', content_type=None):
    headers = {} if content_type is None else {"content-type": content_type}
    return {"method": "POST", "url": url, "content": content, "headers": headers}


async def test_strict_content_type_like_fastapi(pkg):
    requests = [
        no_type("/lax"),
        no_type("/lax", content_type="text/plain"),
        no_type("/lax", content_type="application/json"),
        no_type("/lax", content="{broken"),
        no_type("/strict"),
        no_type("/router"),
        no_type("/inherits"),
    ]
    pairs = await compare(lax_and_strict, pkg, requests)
    for theirs, ours in pairs:
        assert ours.view() == theirs.view()
    assert [ours.status for _, ours in pairs] == [200, 422, 200, 422, 422, 422, 200]


def test_a_return_annotation_pydantic_cannot_validate_is_a_fastapierror(pkg):
    """`-> Response | dict` fails at registration, in FastAPI's error."""
    for api, error in [
        (fastapi_namespace(), fastapi.exceptions.FastAPIError),
        (pkg, pkg.exceptions.FastAPIError),
    ]:
        app = api.App()

        async def portal() -> api.Response | dict:
            return {}

        with pytest.raises(error, match="Invalid args for response field"):
            app.get("/portal")(portal)
        app.get("/portal", response_model=None)(portal)  # the way out
