"""Chapter 05: hostile input gets FastAPI's answer, never a crash of its own.

Odd paths, garbage percent-encoding, thousands of parameters, deep or broken
JSON, odd content types: every answer must equal FastAPI's for the same app
(a 5xx only where FastAPI gives one too).
"""

from typing import Annotated, Any

import pytest
from asgitest import http_scope
from oracle import compare, fastapi_namespace, package_namespace
from pydantic import BaseModel

pytestmark = pytest.mark.anyio
JSON = {"content-type": "application/json"}


class Item(BaseModel):
    name: str
    price: float


def build(api):
    app = api.App()

    @app.get("/items/{item_id}")
    def read(
        item_id: int,
        q: str | None = None,
        n: int = 0,
        tags: Annotated[list[str] | None, api.Query()] = None,
    ):
        return {"item_id": item_id, "q": q, "n": n, "tags": tags}

    @app.post("/items")
    def create(item: Item):
        return item

    @app.post("/raw")
    def raw(data: Annotated[Any, api.Body()]):
        return {"data": data}

    @app.get("/files/{path:path}")
    def files(path: str):
        return {"path": path}

    @app.get("/h")
    def header(x_a: Annotated[str | None, api.Header()] = None):
        return {"x_a": x_a}

    return app


def body(content: bytes, content_type: str = "application/json") -> dict:
    return {"content": content, "headers": {"content-type": content_type}}


HOSTILE = [
    ("GET", "/items/1?" + "&".join(f"k{i}=v" for i in range(5000)), {}),
    ("GET", "/items/1?n=1&n=2&n=x", {}),
    ("GET", "/items/1?q=%ZZ%00%ff", {}),
    ("GET", "/items/%ZZ", {}),
    ("GET", "/items/%00", {}),
    ("GET", "/items/1?n=" + "9" * 5000, {}),
    ("GET", "/files/../../etc/passwd", {}),
    ("GET", "/files/%2e%2e/%2e%2e/etc", {}),
    ("GET", "/files/a%2Fb", {}),
    ("GET", "/h", {"headers": [("x-a", b"\xff\xfe caf\xc3\xa9")]}),
    ("PURGE", "/items/1", {}),
    ("HEAD", "/items/1", {}),
    ("OPTIONS", "/items/1", {}),
    ("POST", "/items", body(b"[" * 100000 + b"]" * 100000)),
    ("POST", "/raw", body(b'{"a": NaN, "b": Infinity}')),
    ("POST", "/items", body(b'{"name": "x", "price": NaN}')),
    ("POST", "/items", body(b'{"name": "x", "price": "1' + b"0" * 5000 + b'"}')),
    ("POST", "/items", body(b'{"name": "x", "price": 1}', "application/xml")),
    ("POST", "/items", body(b'{"name": "x", "price": 1}', "nonsense")),
    ("POST", "/items", body(b"null")),
    ("POST", "/items", body(b"[]")),
    ("POST", "/items", body(b'{"name": "x", "price": 1}', "application/json; x=y")),
    ("POST", "/items", body('{"name": "é", "price": 1}'.encode("utf-16"))),
    ("POST", "/raw", body(b'\xef\xbb\xbf{"a": 1}')),
    ("POST", "/raw", body(b'{"a": 1} trailing')),
    ("POST", "/raw", body(b'{"a": 1, "a": 2}')),
    ("POST", "/raw", body(b"\xff\xfe\xfd")),
    ("GET", "/items/1?tags=", {}),
    ("GET", "/items/1?tags", {}),
    ("GET", "//items/1", {}),
    ("GET", "/items/1/", {}),
    ("GET", "/items//1", {}),
]


@pytest.mark.parametrize(
    ("method", "url", "options"),
    HOSTILE,
    ids=[f"{i:02} {m} {u[:30]}" for i, (m, u, _) in enumerate(HOSTILE)],
)
async def test_hostile_input_gets_fastapis_answer(pkg, method, url, options):
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": method, "url": url, **options}]
    )
    assert ours.status == theirs.status
    assert ours.body == theirs.body
    assert ours.view()["headers"] == theirs.view()["headers"]
    assert b"Traceback" not in ours.body


async def gone_mid_body(app) -> tuple[int, bytes]:
    """POST half a JSON body, then `http.disconnect`: the status and body sent."""
    incoming = [{"type": "http.request", "body": b'{"na', "more_body": True}]
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    headers = [(b"content-type", b"application/json")]
    await app(http_scope("POST", "/items", headers=headers), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_a_client_gone_mid_body_gets_fastapis_400(pkg):
    """FastAPI answers 400 (nobody is there to read it, but nothing may crash)
    and the handler never runs."""
    answers, ran = [], []
    for api in (fastapi_namespace(), package_namespace(pkg)):
        app = api.App()

        @app.post("/items")
        def create(item: Item):
            ran.append(item)

        answers.append(await gone_mid_body(app))
    assert answers[1] == answers[0]
    assert answers[1][0] == 400 and not ran
