"""Chapter 01: the demo app on real servers (uvicorn, hypercorn, granian).

Each server is a subprocess on 127.0.0.1 and a free port, always stopped.
"""

import httpx
import pytest
from maintainer import need
from servers import SERVERS, serve

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_demo_app_on_a_real_server(chapter, server):
    if server in ("hypercorn", "granian"):
        need(server)
    with (
        serve(server, chapter.path) as (url, log),
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        assert client.get("/").status_code == 200
        echoed = client.post("/echo", content=b"over a real socket")
        assert echoed.content == b"over a real socket"
        bad_json = client.post(
            "/json", content=b"{oops", headers={"content-type": "application/json"}
        )
        assert bad_json.status_code in range(400, 500)
        assert client.get("/nowhere").status_code == 404
    text = "\n".join(log)
    assert "Traceback" not in text, text
    complaints = ("error", "unsupported", "warn", "fail")
    lifespan_trouble = [
        line
        for line in log
        if "lifespan" in line.lower() and any(w in line.lower() for w in complaints)
    ]
    assert not lifespan_trouble, text
    if server == "uvicorn":
        assert "Application startup complete" in text, text
        assert "Application shutdown complete" in text, text
