"""The real FastAPI as the oracle: build one app twice, compare the answers.

A test writes `build(api)` once against a small namespace (`api.App`,
`api.HTTPException`, the response classes...). `compare` builds it with
FastAPI and with a chapter's package, sends both the same requests over
httpx's ASGITransport, and returns the pairs of answers for the test to
compare, so a failing assertion shows both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any

import fastapi
import fastapi.responses
import httpx

NAMES = [
    "APIRouter",
    "BackgroundTasks",
    "Depends",
    "Body",
    "Cookie",
    "Header",
    "Path",
    "Query",
    "status",
    "HTTPException",
    "Request",
    "Response",
    "JSONResponse",
    "PlainTextResponse",
    "HTMLResponse",
    "RedirectResponse",
]


def fastapi_namespace() -> SimpleNamespace:
    names = {
        n: getattr(fastapi, n, None) or getattr(fastapi.responses, n) for n in NAMES
    }
    return SimpleNamespace(App=fastapi.FastAPI, **names, side="fastapi")


def package_namespace(pkg: ModuleType) -> SimpleNamespace:
    names = {n: getattr(pkg, n) for n in NAMES if hasattr(pkg, n)}
    return SimpleNamespace(App=pkg.App, **names, side="ours")


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    log: list = field(default_factory=list)

    def json(self) -> Any:
        return httpx.Response(200, content=self.body).json()

    def view(self, *header_names: str) -> dict[str, Any]:
        """What must match: status, body, content type and the named headers."""
        names = ("content-type", "allow", "location", *header_names)
        headers = {n: self.headers.get_list(n) for n in names if n in self.headers}
        return {"status": self.status, "body": self.body, "headers": headers}


async def ask(app: Any, requests: list[dict[str, Any]]) -> list[Answer]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as c:
        answers = []
        for request in requests:
            r = await c.request(**request)
            answers.append(Answer(r.status_code, r.headers, r.content))
        return answers


async def compare(build, pkg: ModuleType, requests: list[dict[str, Any]]):
    """The (theirs, ours) answers, one pair per request."""
    theirs = await ask(build(fastapi_namespace()), requests)
    ours = await ask(build(package_namespace(pkg)), requests)
    return list(zip(theirs, ours, strict=True))
