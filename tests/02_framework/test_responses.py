"""Chapter 02: responses send exact ASGI messages, the same as Starlette's.

Starlette's response classes (which FastAPI re-exports) are the oracle: for the
same content, status and headers, ours must send the same messages.
"""

import pytest
import starlette.responses as oracle
from asgitest import call_http, http_scope, response_parts

pytestmark = pytest.mark.anyio

CASES = [
    ("Response", (b"raw bytes",), {"media_type": "application/octet-stream"}),
    ("Response", ("text",), {"media_type": "text/plain"}),
    ("Response", (), {"status_code": 204}),
    ("Response", (), {"status_code": 304, "headers": {"etag": '"v1"'}}),
    ("PlainTextResponse", ("héllo",), {}),
    ("PlainTextResponse", ("made",), {"status_code": 201, "headers": {"x-a": "1"}}),
    ("HTMLResponse", ("<h1>Hi</h1>",), {}),
    ("JSONResponse", ({"a": [1, 2.5, None, True], "é": "ü"},), {}),
    ("JSONResponse", ([],), {"status_code": 404}),
    ("JSONResponse", ("text",), {"headers": {"content-type": "application/x-json"}}),
    ("RedirectResponse", ("/somewhere else?q=ä",), {}),
    ("RedirectResponse", ("https://example.org/",), {"status_code": 301}),
]


def sent_messages(response):
    return call_http(response, http_scope())


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES)
async def test_messages_match_starlette(pkg, name, args, kwargs):
    ours = await sent_messages(getattr(pkg, name)(*args, **kwargs))
    theirs = await sent_messages(getattr(oracle, name)(*args, **kwargs))
    assert response_parts(ours) == response_parts(theirs)
    assert [m["type"] for m in ours] == [m["type"] for m in theirs]


async def test_json_is_compact_and_utf8(pkg):
    _, headers, body = response_parts(
        await sent_messages(pkg.JSONResponse({"name": "Zoë", "n": [1, 2]}))
    )
    assert body == '{"name":"Zoë","n":[1,2]}'.encode()
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"content-length"] == str(len(body)).encode()


@pytest.mark.parametrize(("status", "length"), [(204, None), (205, b"0"), (304, None)])
async def test_statuses_without_a_body_send_none(pkg, status, length):
    """Starlette would send these bytes and leave the server to fail. A 205
    says `content-length: 0`; 204 and 304 must not send the header at all."""
    response = pkg.JSONResponse({"detail": "gone"}, status_code=status)
    status_sent, headers, body = response_parts(await sent_messages(response))
    assert (status_sent, body) == (status, b"")
    assert headers.get(b"content-length") == length


def test_content_that_is_not_text_is_refused_clearly(pkg):
    with pytest.raises(TypeError, match="str or bytes"):
        pkg.PlainTextResponse(42)


def test_json_refuses_nan(pkg):
    with pytest.raises(ValueError):
        pkg.JSONResponse({"x": float("nan")})


async def test_headers_can_be_changed_before_sending(pkg):
    response = pkg.PlainTextResponse("ok", headers={"X-Trace": "1"})
    response.headers["x-trace"] = "2"
    response.headers.append("x-extra", "a")
    response.headers.append("x-extra", "b")
    _, headers, _ = response_parts(await sent_messages(response))
    raw = (await sent_messages(response))[0]["headers"]
    assert headers[b"x-trace"] == b"2"
    assert [v for k, v in raw if k == b"x-extra"] == [b"a", b"b"]
    assert response.headers.getlist("x-trace") == ["2"]


async def test_set_cookie_matches_starlette(pkg):
    ours, theirs = pkg.Response("c"), oracle.Response("c")
    for response in (ours, theirs):
        response.set_cookie("session", "abc 123", max_age=60, httponly=True)
        response.set_cookie("theme", "dark", samesite="strict", secure=True)
        response.delete_cookie("old")
    assert ours.headers.getlist("set-cookie") == [
        v.decode() for k, v in theirs.raw_headers if k == b"set-cookie"
    ]
