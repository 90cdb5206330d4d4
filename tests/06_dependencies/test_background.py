"""Chapter 06: background tasks run after the response, whoever made it."""

import pytest
from oracle import compare

pytestmark = pytest.mark.anyio


async def test_a_middleware_can_give_call_next_response_a_background_task(pkg):
    """The Response call_next returns is a real one: it has `.background`."""
    logs = {"ours": [], "fastapi": []}

    def build(api):
        log = logs[api.side]
        app = api.App()

        @app.get("/")
        async def root():
            log.append("handler")
            return {"ok": True}

        @app.middleware("http")
        async def audit(request, call_next):
            response = await call_next(request)
            log.append(f"background was {response.background}")
            tasks = api.BackgroundTasks()
            tasks.add_task(log.append, "task after the response")
            response.background = tasks
            return response

        return app

    [(theirs, ours)] = await compare(build, pkg, [{"method": "GET", "url": "/"}])
    assert ours.view() == theirs.view()
    assert logs["ours"] == logs["fastapi"]
    assert logs["ours"][-1] == "task after the response"
