"""Chapter 01: the same demo app through httpx, as a client sees it."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(demo):
    transport = httpx.ASGITransport(app=demo.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_hello(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert response.content


async def test_echo_streams_a_body_in_pieces(client):
    async def pieces():
        for piece in (b"one,", b"two,", b"three"):
            yield piece

    response = await client.post("/echo", content=pieces())
    assert (response.status_code, response.content) == (200, b"one,two,three")


async def test_json(client):
    response = await client.post("/json", json={"n": 1})
    assert response.status_code == 200
    assert response.json() == {"received": {"n": 1}}


async def test_404(client):
    assert (await client.get("/missing")).status_code == 404
