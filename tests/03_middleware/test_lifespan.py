"""Chapter 03: the lifespan. Startup and shutdown code, state, and failures."""

from contextlib import asynccontextmanager

import pytest
from asgitest import call_http, call_lifespan, http_scope, response_parts

pytestmark = pytest.mark.anyio


async def start_only(app, scope: dict, sent: list) -> None:
    """Send `lifespan.startup` and record the answers (startup should fail)."""
    incoming = [{"type": "lifespan.startup"}]

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)


def app_reading_state(pkg, **options):
    app = pkg.App(**options)

    async def endpoint(request):
        return pkg.JSONResponse(
            {
                "db": getattr(request.state, "db", None),
                "app_state": getattr(request.app.state, "mode", None),
            }
        )

    app.add_route("/", endpoint)
    return app


async def test_a_yielded_dict_becomes_request_state(pkg):
    events = []

    @asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        app.state.mode = "testing"
        yield {"db": "connected"}
        events.append("shutdown")

    app = app_reading_state(pkg, lifespan=lifespan)
    server_state = {}
    messages = await call_lifespan(app, "startup", "shutdown", state=server_state)
    assert [m["type"] for m in messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == ["startup", "shutdown"]
    # A server copies the lifespan state into each request's scope.
    scope = http_scope(state=dict(server_state))
    _, _, body = response_parts(await call_http(app, scope))
    assert body == b'{"db":"connected","app_state":"testing"}'


async def test_an_async_generator_function_is_a_lifespan_too(pkg):
    async def lifespan(app):
        yield {"db": "from a generator"}

    app = app_reading_state(pkg, lifespan=lifespan)
    state = {}
    await call_lifespan(app, "startup", "shutdown", state=state)
    assert state == {"db": "from a generator"}


async def test_startup_and_shutdown_handlers_run_in_order(pkg):
    events = []

    def sync_start():
        events.append("sync start")

    async def async_start():
        events.append("async start")

    app = pkg.App(on_startup=[sync_start], on_shutdown=[lambda: events.append("bye")])
    app.add_event_handler("startup", async_start)

    with pytest.warns(DeprecationWarning, match="lifespan"):  # as in FastAPI

        @app.on_event("shutdown")
        async def last_words():
            events.append("last words")

    await call_lifespan(app, "startup", "shutdown")
    assert events == ["sync start", "async start", "bye", "last words"]


async def test_a_failing_startup_is_reported_with_its_message(pkg):
    @asynccontextmanager
    async def lifespan(app):
        raise ConnectionError("database unreachable")
        yield

    app = pkg.App(lifespan=lifespan)
    sent = []
    with pytest.raises(ConnectionError):
        await start_only(app, {"type": "lifespan", "state": {}}, sent)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert "database unreachable" in sent[0]["message"]


async def test_a_failing_shutdown_is_reported(pkg):
    @asynccontextmanager
    async def lifespan(app):
        yield
        raise RuntimeError("could not flush")

    app = pkg.App(lifespan=lifespan)
    with pytest.raises(RuntimeError):
        await call_lifespan(app, "startup", "shutdown")


async def test_state_without_server_support_fails_startup(pkg):
    async def lifespan(app):
        yield {"x": 1}

    app = pkg.App(lifespan=lifespan)
    sent = []
    with pytest.raises(RuntimeError):
        await start_only(app, {"type": "lifespan"}, sent)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "state" in sent[0]["message"]
