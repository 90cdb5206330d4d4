"""Chapter 05: the 422 list, on generated inputs, equals FastAPI's."""

import asyncio
from typing import Annotated
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import ask, fastapi_namespace, package_namespace


def build(api):
    app = api.App()

    @app.get("/items/{item_id}")
    def read(
        item_id: int,
        size: Annotated[int, api.Query(ge=1, le=50)] = 10,
        code: Annotated[str | None, api.Query(min_length=2, max_length=4)] = None,
        flag: bool = False,
    ):
        return {"ok": True}

    return app


def test_errors_match_fastapi_for_generated_queries(pkg):
    apps = [build(package_namespace(pkg)), build(fastapi_namespace())]
    value = st.one_of(st.integers(-100, 100).map(str), st.text(max_size=6))

    @settings(max_examples=60, deadline=None)
    @given(item_id=value, size=value, code=value, flag=value)
    def same_answer(item_id, size, code, flag):
        params = {"size": size, "code": code, "flag": flag}
        url = f"/items/{quote(item_id, safe='') or 'x'}"
        request = {"method": "GET", "url": url, "params": params}
        ours, theirs = (asyncio.run(ask(app, [request]))[0] for app in apps)
        assert (ours.status, ours.body) == (theirs.status, theirs.body)

    same_answer()
