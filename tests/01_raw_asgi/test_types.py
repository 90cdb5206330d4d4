"""Chapter 01: the package names the protocol, and a bare function speaks it."""

import pytest
from asgitest import call_http, http_scope, response_parts

pytestmark = pytest.mark.anyio


def test_the_package_exports_the_protocol_types(pkg):
    for name in ("Scope", "Message", "Receive", "Send", "ASGIApp"):
        assert hasattr(pkg, name), f"nanoapi should export {name}"
        assert getattr(pkg.types, name) is getattr(pkg, name)


async def test_a_bare_function_is_an_asgi_app(pkg):
    async def hello(scope: pkg.Scope, receive: pkg.Receive, send: pkg.Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    status, _, body = response_parts(await call_http(hello, http_scope(path="/hi")))
    assert (status, body) == (200, b"/hi")
