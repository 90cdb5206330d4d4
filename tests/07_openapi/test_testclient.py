"""Chapter 07: the synchronous TestClient, used as FastAPI's docs use theirs."""

from contextlib import asynccontextmanager

import pytest
from oracle import fastapi_namespace, package_namespace


@pytest.fixture
def app(pkg):
    events = []

    @asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield {"db": "connected"}
        events.append("shutdown")

    app = pkg.App(lifespan=lifespan)
    app.state.events = events

    @app.get("/state")
    def read_state(request: pkg.Request):
        return {"db": getattr(request.state, "db", None)}

    @app.post("/items/{item_id}")
    def create(item_id: int, q: str | None = None):
        return {"item_id": item_id, "q": q}

    @app.get("/boom")
    def boom():
        raise ValueError("the handler broke")

    return app


def test_requests_without_a_with_block(pkg, app):
    client = pkg.testclient.TestClient(app)
    response = client.post("/items/3?q=x")
    assert (response.status_code, response.json()) == (200, {"item_id": 3, "q": "x"})
    assert client.get("/items/3").status_code == 405
    assert client.post("/items/x").status_code == 422
    assert client.get("/state").json() == {"db": None}, "no lifespan without `with`"
    assert app.state.events == []


def test_the_with_block_runs_the_lifespan_and_shares_its_state(pkg, app):
    with pkg.testclient.TestClient(app) as client:
        assert app.state.events == ["startup"]
        assert client.get("/state").json() == {"db": "connected"}
    assert app.state.events == ["startup", "shutdown"]


def test_exceptions_reach_the_test_unless_asked_otherwise(pkg, app):
    with pytest.raises(ValueError, match="the handler broke"):
        pkg.testclient.TestClient(app).get("/boom")
    quiet = pkg.testclient.TestClient(app, raise_server_exceptions=False)
    response = quiet.get("/boom")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_a_failing_startup_fails_the_with_block(pkg):
    @asynccontextmanager
    async def lifespan(app):
        raise ConnectionError("no database")
        yield

    with pytest.raises(Exception, match="no database"):  # noqa: SIM117
        with pkg.testclient.TestClient(pkg.App(lifespan=lifespan)):
            pass


def test_lifespan_state_and_events_match_fastapi(pkg):
    import fastapi
    from fastapi.testclient import TestClient as FastAPITestClient
    from oracle import fastapi_namespace, package_namespace

    def build(api, events):
        @asynccontextmanager
        async def lifespan(app):
            events.append("startup")
            app.state.mode = "ready"
            yield {"pool": ["conn"]}
            events.append("shutdown")

        app = api.App(lifespan=lifespan)

        @app.get("/")
        def read(request: api.Request):
            return {"pool": request.state.pool, "mode": request.app.state.mode}

        return app

    answers, logs = {}, {}
    for api, client_class in [
        (fastapi_namespace(), FastAPITestClient),
        (package_namespace(pkg), pkg.testclient.TestClient),
    ]:
        logs[api.side] = []
        with client_class(build(api, logs[api.side])) as client:
            answers[api.side] = client.get("/").json()
    assert answers["ours"] == answers["fastapi"] == {"pool": ["conn"], "mode": "ready"}
    assert logs["ours"] == logs["fastapi"] == ["startup", "shutdown"]
    assert fastapi.FastAPI is not pkg.App


def test_defaults_are_starlettes_redirects_followed_and_its_user_agent(pkg):
    """The same requests through Starlette's TestClient and ours."""
    from starlette.testclient import TestClient as StarletteTestClient

    def build(api):
        app = api.App()

        @app.get("/items/")
        def items(request: api.Request):
            return {"agent": request.headers["user-agent"], "client": request.client}

        return app

    seen = []
    for client in (
        StarletteTestClient(build(fastapi_namespace())),
        pkg.testclient.TestClient(build(package_namespace(pkg))),
    ):
        followed = client.get("/items")
        stopped = client.get("/items", follow_redirects=False)
        seen.append((followed.status_code, followed.json(), stopped.status_code))
    assert (
        seen[1]
        == seen[0]
        == (200, {"agent": "testclient", "client": ["testclient", 50000]}, 307)
    )
