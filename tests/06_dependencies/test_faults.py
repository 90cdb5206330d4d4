"""Chapter 06: faults everywhere, and the cleanup still runs.

An exception in a handler, a dependency, a yield cleanup, a middleware, an
exception handler or a background task: each gets FastAPI's answer (or none
when the response had started), every cleanup runs, and the ASGI rules hold
(never a second `http.response.start`, the error reaches the server).
"""

from typing import Annotated

import pytest
from asgitest import http_scope
from oracle import ask, fastapi_namespace, package_namespace

pytestmark = pytest.mark.anyio


class Boom(Exception):
    pass


def faulty(api, log):
    app = api.App()

    def resource(name):
        def dependency():
            log.append(f"open {name}")
            try:
                yield name
            finally:
                log.append(f"close {name}")

        return dependency

    def failing_dependency(db: Annotated[str, api.Depends(resource("db"))]):
        raise Boom("dependency")

    def failing_cleanup():
        yield "x"
        log.append("cleanup raising")
        raise Boom("cleanup")

    def failing_task():
        log.append("task raising")
        raise Boom("task")

    @app.get("/handler")
    def handler(db: Annotated[str, api.Depends(resource("db"))]):
        raise Boom("handler")

    @app.get("/dependency")
    def dependency(value: Annotated[str, api.Depends(failing_dependency)]):
        return {"never": True}

    @app.get("/cleanup")
    def cleanup(value: Annotated[str, api.Depends(failing_cleanup)]):
        log.append("handler done")
        return {"sent": "before the cleanup failed"}

    @app.get("/task")
    def task(
        tasks: api.BackgroundTasks, db: Annotated[str, api.Depends(resource("db"))]
    ):
        tasks.add_task(failing_task)
        return {"sent": "before the task failed"}

    @app.get("/handled")
    def handled(db: Annotated[str, api.Depends(resource("db"))]):
        raise api.HTTPException(409, detail="conflict")

    @app.get("/broken-handler")
    def broken_handler():
        raise KeyError("handled by a broken handler")

    @app.exception_handler(KeyError)
    async def on_key_error(request, exc):
        raise Boom("the exception handler itself")

    @app.middleware("http")
    async def middleware(request, call_next):
        if request.url.path == "/middleware":
            raise Boom("middleware")
        return await call_next(request)

    return app


PATHS = [
    "/handler",
    "/dependency",
    "/cleanup",
    "/task",
    "/handled",
    "/broken-handler",
    "/middleware",
]


@pytest.mark.parametrize("path", PATHS)
async def test_faults_answer_and_clean_up_like_fastapi(pkg, path):
    logs = {"fastapi": [], "ours": []}
    answers = {}
    for api in (fastapi_namespace(), package_namespace(pkg)):
        app = faulty(api, logs[api.side])
        [answers[api.side]] = await ask(app, [{"method": "GET", "url": path}])
    theirs, ours = answers["fastapi"], answers["ours"]
    assert (ours.status, ours.body) == (theirs.status, theirs.body)
    assert b"Traceback" not in ours.body
    assert logs["ours"] == logs["fastapi"]
    opened = [e for e in logs["ours"] if e.startswith("open")]
    closed = [e for e in logs["ours"] if e.startswith("close")]
    assert len(opened) == len(closed), "every opened resource was closed"


@pytest.mark.parametrize("path", ["/cleanup", "/task", "/handler", "/middleware"])
async def test_the_error_reaches_the_server_after_at_most_one_response(pkg, path):
    app = faulty(package_namespace(pkg), [])
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    with pytest.raises(Boom):
        await app(http_scope("GET", path), receive, send)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1


async def test_a_client_gone_while_the_body_is_read_does_not_break_the_app(pkg):
    app = pkg.App()
    seen = []

    @app.post("/upload")
    async def upload(request: pkg.Request):
        try:
            await request.body()
        except pkg.requests.ClientDisconnect:
            seen.append("disconnect noticed")
            raise
        return {"never": "sent"}

    messages = [
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return messages.pop(0)

    sent = []

    async def send(message):
        sent.append(message)

    with pytest.raises(pkg.requests.ClientDisconnect):
        await app(http_scope("POST", "/upload"), receive, send)
    assert seen == ["disconnect noticed"]
    assert len([m for m in sent if m["type"] == "http.response.start"]) <= 1
