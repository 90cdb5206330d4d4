"""Chapter 03: a plain `def` endpoint may block, so it runs in a worker thread."""

import threading

import pytest
from asgitest import call_http, http_scope, response_parts

pytestmark = pytest.mark.anyio


async def test_a_def_endpoint_runs_in_a_worker_thread(pkg):
    seen = []

    def blocking(request):
        seen.append(threading.current_thread())
        return pkg.PlainTextResponse("from a thread")

    app = pkg.App()
    app.add_route("/", blocking)
    status, _, body = response_parts(await call_http(app, http_scope()))
    assert (status, body) == (200, b"from a thread")
    assert seen and seen[0] is not threading.current_thread()


async def test_an_async_callable_object_is_awaited_not_sent_to_a_thread(pkg):
    seen = []

    class Endpoint:
        async def __call__(self, request):
            seen.append(threading.current_thread())
            return pkg.PlainTextResponse("awaited")

    app = pkg.App()
    app.add_route("/", Endpoint())
    status, _, body = response_parts(await call_http(app, http_scope()))
    assert (status, body) == (200, b"awaited")
    assert seen == [threading.current_thread()]  # on the event loop
