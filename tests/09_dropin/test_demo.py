"""Chapter 09: the demo is FastAPI code. The very same file, run with the
real FastAPI behind its imports, answers the same and documents the same."""

import pytest
from oracle import ask, demo_on_fastapi

pytestmark = pytest.mark.anyio

REQUESTS = [
    {"method": "GET", "url": "/"},
    {"method": "POST", "url": "/echo", "content": b"hi"},
    {"method": "POST", "url": "/json", "json": {"a": [1, 2]}},
    {"method": "GET", "url": "/notes"},
    {"method": "GET", "url": "/notes?order_by=text&size=2&page=1"},
    {"method": "GET", "url": "/notes?size=0&color=red"},
    {"method": "GET", "url": "/notes/2"},
    {"method": "GET", "url": "/notes/99"},
    {"method": "POST", "url": "/notes", "json": {"text": "x"}},
    {
        "method": "POST",
        "url": "/notes",
        "json": {"text": "x"},
        "headers": {"x-token": "secret-token"},
    },
    {"method": "GET", "url": "/audit"},
    {"method": "GET", "url": "/openapi.json"},
]


async def test_the_demo_answers_as_the_same_file_on_fastapi(chapter, demo):
    theirs = await ask(demo_on_fastapi(chapter).app, REQUESTS)
    ours = await ask(demo.app, REQUESTS)
    for request, their, our in zip(REQUESTS, theirs, ours, strict=True):
        if request["url"] == "/openapi.json":  # the same document, keys in any order
            assert our.json() == their.json()
            continue
        assert our.view() == their.view(), request
        timed = [a.headers.get("x-response-time") for a in (our, their)]
        assert all(timed) or not any(timed), request  # the custom route class
