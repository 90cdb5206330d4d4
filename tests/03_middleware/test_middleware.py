"""Chapter 03: the onion. Order, short-circuits, and the call_next adapter."""

import pytest
from asgitest import call_http, http_scope, response_parts
from oracle import compare

pytestmark = pytest.mark.anyio


def recording_middleware(log: list, name: str):
    """A pure ASGI middleware class that logs the way in and the way out."""

    class Recorder:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                log.append(f"{name} in")
            await self.app(scope, receive, send)
            if scope["type"] == "http":
                log.append(f"{name} out")

    return Recorder


def build_layered(api, log: list):
    app = api.App()

    async def endpoint(request):
        log.append("endpoint")
        return api.PlainTextResponse("done")

    app.add_route("/", endpoint)
    app.add_middleware(recording_middleware(log, "first added"))

    @app.middleware("http")
    async def function_style(request, call_next):
        log.append("function in")
        response = await call_next(request)
        log.append("function out")
        response.headers["x-function"] = "yes"
        return response

    app.add_middleware(recording_middleware(log, "last added"))
    return app


async def test_last_added_runs_first_like_fastapi(pkg):
    logs = {"fastapi": [], "ours": []}
    pairs = await compare(
        lambda api: build_layered(api, logs[api.side]),
        pkg,
        [{"method": "GET", "url": "/"}],
    )
    theirs, ours = pairs[0]
    assert ours.view("x-function") == theirs.view("x-function")
    # call_next returns as soon as the response starts, so the function
    # middleware is done before the inner layers have sent the whole body.
    assert logs["ours"] == [
        "last added in",
        "function in",
        "first added in",
        "endpoint",
        "function out",
        "first added out",
        "last added out",
    ]
    assert logs["ours"] == logs["fastapi"]


async def test_middleware_list_at_construction_wraps_in_order(pkg):
    log = []
    app = pkg.App(
        middleware=[
            pkg.Middleware(recording_middleware(log, "outer")),
            pkg.Middleware(recording_middleware(log, "inner")),
        ]
    )

    async def endpoint(request):
        return pkg.Response("x")

    app.add_route("/", endpoint)
    await call_http(app, http_scope())
    assert log == ["outer in", "inner in", "inner out", "outer out"]


async def test_a_middleware_can_short_circuit(pkg):
    calls = []
    app = pkg.App()

    async def endpoint(request):
        calls.append("endpoint")
        return pkg.Response("never")

    app.add_route("/", endpoint)

    @app.middleware("http")
    async def gatekeeper(request, call_next):
        if "x-key" not in request.headers:
            return pkg.JSONResponse({"detail": "no key"}, status_code=401)
        return await call_next(request)

    status, _, body = response_parts(await call_http(app, http_scope()))
    assert (status, body, calls) == (401, b'{"detail":"no key"}', [])
    scope = http_scope(headers=[(b"x-key", b"1")])
    status, _, body = response_parts(await call_http(app, scope))
    assert (status, body, calls) == (200, b"never", ["endpoint"])


async def test_call_next_streams_the_body_through(pkg):
    class Chunked(pkg.Response):
        async def __call__(self, scope, receive, send):
            start = {"status": 200, "headers": [(b"content-type", b"text/plain")]}
            await send({"type": "http.response.start", **start})
            for part in (b"a", b"b", b"c"):
                await send(
                    {"type": "http.response.body", "body": part, "more_body": True}
                )
            await send({"type": "http.response.body", "body": b""})

    app = pkg.App()

    async def endpoint(request):
        return Chunked()

    app.add_route("/", endpoint)

    @app.middleware("http")
    async def passthrough(request, call_next):
        return await call_next(request)

    messages = await call_http(app, http_scope())
    assert [m.get("body") for m in messages[1:]] == [b"a", b"b", b"c", b""]


async def test_call_next_returns_a_real_streaming_response_like_fastapi(pkg):
    """A middleware can read status, headers and the body's pieces of what
    call_next returns, then answer with a Response of its own."""
    seen, kinds = {}, []

    def build(api):
        app = api.App()

        async def endpoint(request):
            return api.PlainTextResponse("inner body", headers={"x-inner": "1"})

        app.add_route("/", endpoint)

        @app.middleware("http")
        async def shout(request, call_next):
            response = await call_next(request)
            chunks = [chunk async for chunk in response.body_iterator]
            kinds.append(type(response))
            seen[api.side] = [
                response.status_code,
                response.media_type,
                response.headers["content-type"],
                b"".join(chunks),
            ]
            text = b"".join(chunks).decode().upper()
            return api.PlainTextResponse(text, status_code=201)

        return app

    [(theirs, ours)] = await compare(build, pkg, [{"method": "GET", "url": "/"}])
    assert ours.view() == theirs.view()
    assert (ours.status, ours.body) == (201, b"INNER BODY")
    assert seen["ours"] == seen["fastapi"]
    assert seen["ours"][0] == 200
    assert issubclass(kinds[-1], pkg.StreamingResponse)  # a real Response


async def test_a_body_iterator_replaced_by_a_middleware_is_the_one_sent(pkg):
    """The logging recipe: read the body call_next returned, put a new
    iterator in its place, and return the same response."""

    def build(api):
        app = api.App()

        async def endpoint(request):
            return api.PlainTextResponse("hello")

        app.add_route("/", endpoint)

        @app.middleware("http")
        async def shout(request, call_next):
            response = await call_next(request)
            chunks = [chunk async for chunk in response.body_iterator]

            async def louder():
                yield b"".join(chunks).upper()

            response.body_iterator = louder()
            return response

        return app

    [(theirs, ours)] = await compare(build, pkg, [{"method": "GET", "url": "/"}])
    assert ours.view() == theirs.view()
    assert (ours.status, ours.body) == (200, b"HELLO")


async def test_a_body_read_by_middleware_still_reaches_the_handler(pkg):
    seen = {}
    app = pkg.App()

    async def endpoint(request):
        return pkg.Response(await request.body())

    app.add_route("/", endpoint, methods=["POST"])

    @app.middleware("http")
    async def peek(request, call_next):
        seen["middleware"] = await request.body()
        return await call_next(request)

    chunks = [b"first ", b"second"]
    _, _, body = response_parts(await call_http(app, http_scope("POST"), chunks))
    assert body == seen["middleware"] == b"first second"


def test_middleware_cannot_be_added_after_start(pkg):
    import asyncio

    app = pkg.App()
    asyncio.run(call_http(app, http_scope()))
    with pytest.raises(RuntimeError):
        app.add_middleware(recording_middleware([], "late"))


async def test_non_http_scopes_pass_through_every_layer(pkg):
    log = []
    app = pkg.App()
    app.add_middleware(recording_middleware(log, "outer"))

    @app.middleware("http")
    async def function_style(request, call_next):
        log.append("function")
        return await call_next(request)

    sent = []

    async def receive():
        return (
            {"type": "lifespan.startup"} if not sent else {"type": "lifespan.shutdown"}
        )

    async def send(message):
        sent.append(message)

    await app({"type": "lifespan", "state": {}}, receive, send)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert log == []


async def test_a_body_streamed_by_middleware_leaves_an_empty_body_not_a_hang(pkg):
    import asyncio

    app = pkg.App()

    async def endpoint(request):
        return pkg.Response(await request.body())

    app.add_route("/", endpoint, methods=["POST"])

    @app.middleware("http")
    async def drain(request, call_next):
        async for _ in request.stream():
            pass
        return await call_next(request)

    messages = await asyncio.wait_for(
        call_http(app, http_scope("POST"), [b"a", b"b"]), timeout=2
    )
    assert response_parts(messages)[::2] == (200, b"")


async def test_cancelling_call_next_cancels_the_inner_app(pkg):
    import asyncio

    started, finished = asyncio.Event(), []
    app = pkg.App()

    async def slow(request):
        started.set()
        await asyncio.sleep(5)
        finished.append("endpoint")
        return pkg.Response("late")

    app.add_route("/", slow)

    @app.middleware("http")
    async def passthrough(request, call_next):
        return await call_next(request)

    before = asyncio.all_tasks()
    call = asyncio.create_task(call_http(app, http_scope()))
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    for _ in range(100):  # give a cancelled inner task up to a second to end
        left = [t for t in asyncio.all_tasks() - before if not t.done()]
        if not left:
            break
        await asyncio.sleep(0.01)
    assert not left, "an inner task was left running"
    assert finished == []
