"""Chapter 02: the App is an ASGI app that dispatches by path and method."""

import httpx
import pytest
from asgitest import call_http, call_lifespan, http_scope, response_parts

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(pkg):
    app = pkg.App()

    @app.route("/items", methods=["GET", "POST"])
    async def items(request):
        return pkg.JSONResponse({"method": request.method})

    async def delete_item(request):
        return pkg.Response(status_code=204)

    app.add_route("/items/1", delete_item, methods=["delete"])
    return app


def client_for(app):
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_app_is_an_asgi_callable(app):
    status, _, body = response_parts(await call_http(app, http_scope("GET", "/items")))
    assert (status, body) == (200, b'{"method":"GET"}')


async def test_handlers_are_found_by_path_and_method(app):
    async with client_for(app) as client:
        assert (await client.post("/items")).json() == {"method": "POST"}
        response = await client.delete("/items/1")
        assert (response.status_code, response.content) == (204, b"")


async def test_unknown_path_is_a_json_404(app):
    async with client_for(app) as client:
        response = await client.get("/nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert response.headers["content-type"] == "application/json"


async def test_known_path_wrong_method_is_405_with_allow(app):
    async with client_for(app) as client:
        response = await client.put("/items")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert response.headers["allow"] == "GET, HEAD, POST"  # sorted


async def test_head_is_answered_where_get_is(app):
    status, _, _ = response_parts(await call_http(app, http_scope("HEAD", "/items")))
    assert status == 200


def test_a_sync_handler_is_refused_at_registration(pkg):
    def not_async(request):
        return pkg.Response("no")

    with pytest.raises(TypeError, match="async def"):
        pkg.App().add_route("/", not_async)


async def test_the_app_answers_lifespan(app):
    messages = await call_lifespan(app, "startup", "shutdown")
    assert [m["type"] for m in messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
