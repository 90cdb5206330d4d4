"""Chapter 02: the Request, built from a scope and a receive channel."""

import json

import pytest
from asgitest import http_scope

pytestmark = pytest.mark.anyio


def receiving(*chunks: bytes, then_disconnect: bool = True):
    """A receive() that hands out `chunks` and counts how often it is called."""
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive():
        receive.calls += 1
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"}

    receive.calls = 0
    return receive


def test_request_exposes_method_url_headers_query_and_cookies(pkg):
    scope = http_scope(
        "PUT",
        "/users/7",
        query_string=b"tag=a&tag=b",
        headers=[
            (b"host", b"api.test"),
            (b"Cookie", b'session=abc; theme="dark"; broken'),
            (b"Accept", b"a"),
            (b"accept", b"b"),
        ],
    )
    request = pkg.Request(scope)
    assert request.method == "PUT"
    assert str(request.url) == "http://api.test/users/7?tag=a&tag=b"
    assert request.url.path == "/users/7"
    assert request.headers.getlist("accept") == ["a", "b"]
    assert request.query_params.getlist("tag") == ["a", "b"]
    assert request.cookies == {"session": "abc", "theme": "dark"}
    assert request.client == ("127.0.0.1", 50000)
    assert (request.client.host, request.client.port) == ("127.0.0.1", 50000)


def test_a_server_that_does_not_name_the_client_gives_none(pkg):
    scope = http_scope()
    del scope["client"]
    assert pkg.Request(scope).client is None


async def test_body_is_read_once_and_cached(pkg):
    receive = receiving(b"par", b"ts")
    request = pkg.Request(http_scope("POST"), receive)
    assert await request.body() == b"parts"
    assert await request.body() == b"parts"
    assert receive.calls == 2, "the second body() must not read again"


async def test_an_empty_body_is_kept_too(pkg):
    receive = receiving(b"")
    request = pkg.Request(http_scope("POST"), receive)
    assert await request.body() == b""
    assert await request.body() == b"", "the second body() read an empty body again"
    assert receive.calls == 1, "the second body() must not read again"


async def test_stream_yields_the_pieces_as_they_arrive(pkg):
    request = pkg.Request(http_scope("POST"), receiving(b"a", b"b", b"c"))
    assert [chunk async for chunk in request.stream()] == [b"a", b"b", b"c"]
    with pytest.raises(RuntimeError):
        await request.body()


async def test_json_parses_the_body(pkg):
    document = {"name": "Ada", "year": 1815, "tags": ["math"]}
    receive = receiving(json.dumps(document).encode())
    assert await pkg.Request(http_scope("POST"), receive).json() == document


@pytest.mark.parametrize("body", [b"{bad", b"\xff\xfe", b""])
async def test_json_of_a_bad_body_raises_value_error(pkg, body):
    request = pkg.Request(http_scope("POST"), receiving(body))
    with pytest.raises(ValueError):
        await request.json()


async def test_a_client_that_disconnects_mid_body_is_reported(pkg):
    receive = receiving(b"start", b"never ends")
    receive_more = receive

    async def cut_short():
        message = await receive_more()
        if message.get("body") == b"never ends":
            return {"type": "http.disconnect"}
        return message

    request = pkg.Request(http_scope("POST"), cut_short)
    with pytest.raises(pkg.requests.ClientDisconnect):
        await request.body()
