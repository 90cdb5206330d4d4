"""Chapter 03: HTTPException, exception handlers, 500s and debug pages.

Each behaviour FastAPI shares is checked against the real FastAPI.
"""

import pytest
from asgitest import http_scope, response_parts
from oracle import compare

pytestmark = pytest.mark.anyio


class Base(Exception):
    pass


class Derived(Base):
    pass


class DerivedWithoutHandler(Base):
    pass


class Unrelated(Exception):
    pass


def build_errors(api):
    app = api.App()

    def raising(exc):
        async def endpoint(request):
            raise exc

        return endpoint

    routes = {
        "/teapot": api.HTTPException(418),
        "/detail": api.HTTPException(409, detail={"why": ["a", "b"]}),
        "/headers": api.HTTPException(
            401, detail="who?", headers={"WWW-Authenticate": "Bearer"}
        ),
        "/no-content": api.HTTPException(204),
        "/not-modified": api.HTTPException(304),
        "/reset": api.HTTPException(205),
        "/base": Base("base"),
        "/derived": Derived("derived"),
        "/subclass": DerivedWithoutHandler("its base's handler answers"),
        "/unrelated": Unrelated("nobody handles this"),
        "/gone": api.HTTPException(410, detail="custom 410 handler"),
    }
    for path, exc in routes.items():
        app.add_route(path, raising(exc))

    @app.exception_handler(Base)
    async def on_base(request, exc):
        return api.JSONResponse({"handled_by": "Base", "was": type(exc).__name__}, 400)

    @app.exception_handler(Derived)
    async def on_derived(request, exc):
        return api.JSONResponse({"handled_by": "Derived"}, 422)

    @app.exception_handler(410)
    async def on_gone(request, exc):
        return api.PlainTextResponse(f"gone: {exc.detail}", status_code=410)

    @app.exception_handler(404)
    def on_not_found(request, exc):  # a plain def handler works too
        return api.JSONResponse({"missing": request.url.path}, status_code=404)

    return app


PATHS = [
    "/teapot",
    "/detail",
    "/headers",
    "/no-content",
    "/not-modified",
    "/reset",
    "/base",
    "/derived",
    "/subclass",
    "/unrelated",
    "/gone",
    "/nowhere",
]


@pytest.mark.parametrize("path", PATHS)
async def test_errors_answer_like_fastapi(pkg, path):
    [(theirs, ours)] = await compare(
        build_errors, pkg, [{"method": "GET", "url": path}]
    )
    assert ours.view("www-authenticate", "content-length") == theirs.view(
        "www-authenticate", "content-length"
    )


def test_detail_defaults_to_the_reason_phrase(pkg):
    assert pkg.HTTPException(404).detail == "Not Found"
    assert pkg.HTTPException(418).detail == "I'm a Teapot"
    exc = pkg.HTTPException(400, detail="bad", headers={"x": "1"})
    assert (exc.status_code, exc.detail, exc.headers) == (400, "bad", {"x": "1"})
    assert str(exc) == "400: bad"


async def test_an_unhandled_error_is_a_plain_500_and_reaches_the_server(pkg):
    app = build_errors(pkg)
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    with pytest.raises(Unrelated):
        await app(http_scope(path="/unrelated"), receive, send)
    status, headers, body = response_parts(sent)
    assert (status, body) == (500, b"Internal Server Error")
    assert headers[b"content-type"] == b"text/plain; charset=utf-8"


@pytest.mark.parametrize("accept", [b"text/html", b"*/*"])
async def test_debug_shows_an_escaped_traceback(pkg, accept):
    app = pkg.App(debug=True)

    async def endpoint(request):
        raise ValueError("<script>alert('x')</script>")

    app.add_route("/", endpoint)
    scope = http_scope(headers=[(b"accept", accept)])
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    with pytest.raises(ValueError):
        await app(scope, receive, send)
    status, headers, body = response_parts(sent)
    assert status == 500
    assert b"Traceback" in body
    assert b"ValueError" in body
    if accept == b"text/html":
        assert headers[b"content-type"].startswith(b"text/html")
        assert b"<script>" not in body
        assert b"&lt;script&gt;" in body
    else:
        assert headers[b"content-type"].startswith(b"text/plain")


async def test_a_500_handler_answers_unhandled_errors(pkg):
    for key in (500, Exception):
        app = build_errors(pkg)

        async def on_crash(request, exc):
            return pkg.JSONResponse({"crashed": type(exc).__name__}, 503)

        app.add_exception_handler(key, on_crash)
        sent = []

        async def send(message, sent=sent):
            sent.append(message)

        async def receive():
            return {"type": "http.disconnect"}

        with pytest.raises(Unrelated):
            await app(http_scope(path="/unrelated"), receive, send)
        assert response_parts(sent)[::2] == (503, b'{"crashed":"Unrelated"}')


async def test_an_error_after_the_response_started_sends_no_second_response(pkg):
    class BreaksMidway(pkg.Response):
        async def __call__(self, scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send(
                {"type": "http.response.body", "body": b"half", "more_body": True}
            )
            raise Base("too late to answer")  # even a handled class

    app = build_errors(pkg)

    async def endpoint(request):
        return BreaksMidway()

    app.add_route("/midway", endpoint)
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    with pytest.raises(Exception):  # noqa: B017 - whatever it is, it reaches the server
        await app(http_scope(path="/midway"), receive, send)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1
    assert sent[-1] == {
        "type": "http.response.body",
        "body": b"half",
        "more_body": True,
    }


async def test_errors_in_middleware_and_in_handlers_become_500s(pkg):
    def build(api):
        app = api.App()

        async def endpoint(request):
            raise Base("handled by a broken handler")

        async def ok(request):
            return api.PlainTextResponse("ok")

        app.add_route("/broken-handler", endpoint)
        app.add_route("/broken-middleware", ok)

        @app.exception_handler(Base)
        async def broken(request, exc):
            raise RuntimeError("the handler itself fails")

        @app.middleware("http")
        async def maybe_break(request, call_next):
            if request.url.path == "/broken-middleware":
                raise RuntimeError("the middleware fails")
            if request.url.path == "/http-exception-in-middleware":
                raise api.HTTPException(403)
            return await call_next(request)

        return app

    requests = [
        {"method": "GET", "url": u}
        for u in (
            "/broken-handler",
            "/broken-middleware",
            "/http-exception-in-middleware",
        )
    ]
    for theirs, ours in await compare(build, pkg, requests):
        assert ours.view() == theirs.view()
        assert ours.status == 500
