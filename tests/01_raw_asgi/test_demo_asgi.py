"""Chapter 01: the demo app, message by message, with hand-made scope and events.

Every later chapter's demo app keeps these answers (the demo contract), so these
tests also show that each new layer still speaks plain ASGI underneath.
"""

import json

import pytest
from asgitest import call_http, call_lifespan, http_scope, response_parts

pytestmark = pytest.mark.anyio
JSON_HEADERS = [(b"host", b"testserver"), (b"content-type", b"application/json")]


async def test_get_root_sends_start_then_body(demo):
    messages = await call_http(demo.app, http_scope("GET", "/"))
    assert [m["type"] for m in messages] == [
        "http.response.start",
        "http.response.body",
    ]
    status, headers, body = response_parts(messages)
    assert status == 200
    assert body, "GET / should say hello"
    assert headers[b"content-length"] == str(len(body)).encode()
    assert headers[b"content-type"].startswith((b"text/plain", b"application/json"))


async def test_echo_joins_a_body_sent_in_several_messages(demo):
    chunks = [b"hello ", b"from ", b"three messages"]
    messages = await call_http(demo.app, http_scope("POST", "/echo"), chunks)
    status, headers, body = response_parts(messages)
    assert (status, body) == (200, b"hello from three messages")
    assert headers[b"content-length"] == b"25"


async def test_echo_of_an_empty_body_is_empty(demo):
    status, headers, body = response_parts(
        await call_http(demo.app, http_scope("POST", "/echo"))
    )
    assert (status, body, headers[b"content-length"]) == (200, b"", b"0")


async def test_unknown_path_is_404(demo):
    status, headers, body = response_parts(
        await call_http(demo.app, http_scope("GET", "/no/such/page"))
    )
    assert status == 404
    assert headers[b"content-length"] == str(len(body)).encode()


async def test_json_body_is_parsed(demo):
    chunks = [b'{"name": "Ada", ', b'"langs": ["en", "fr"]}']
    status, _, body = response_parts(
        await call_http(
            demo.app, http_scope("POST", "/json", headers=JSON_HEADERS), chunks
        )
    )
    assert status == 200
    assert json.loads(body) == {"received": {"name": "Ada", "langs": ["en", "fr"]}}


@pytest.mark.parametrize(
    "bad_body",
    [b"{not json", b"\xff\xfe\x00garbage", b'{"a": 1', b""],
    ids=["malformed", "not-utf8", "truncated", "empty"],
)
async def test_bad_json_is_a_clear_4xx(demo, bad_body):
    status, _, body = response_parts(
        await call_http(
            demo.app, http_scope("POST", "/json", headers=JSON_HEADERS), [bad_body]
        )
    )
    assert 400 <= status < 500, f"expected a 4xx for {bad_body!r}, got {status}"
    assert b"Traceback" not in body


async def test_lifespan_startup_and_shutdown_complete(demo):
    messages = await call_lifespan(demo.app, "startup", "shutdown")
    assert [m["type"] for m in messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
