"""The real FastAPI as the oracle: build one app twice, compare the answers.

A test writes `build(api)` once against a small namespace (`api.App`,
`api.HTTPException`, the response classes...; from chapter 10 on also
`api.Form`, `api.UploadFile` and the module `api.security`; from chapter 11
on `api.WebSocket`, `api.WebSocketDisconnect`, `api.WebSocketException`,
`api.StreamingResponse` and the module `api.sse`). `compare` builds
it with FastAPI and with a chapter's package, sends both the same requests
over httpx's ASGITransport, and returns the pairs of answers for the test to
compare, so a failing assertion shows both sides. A name an older chapter
lacks is simply missing from its namespace. A chapter's demo app.py can be
loaded the same two ways: `demo_on_fastapi`, `demo_on_ours`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any

import fastapi
import fastapi.responses
import fastapi.routing
import fastapi.security
import fastapi.sse
import httpx
from harness import Chapter, exec_demo, shown_as, under_real_name

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
    "Form",
    "File",
    "UploadFile",
    "Security",
    "StreamingResponse",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
]


def fastapi_namespace() -> SimpleNamespace:
    names = {
        n: getattr(fastapi, n, None) or getattr(fastapi.responses, n) for n in NAMES
    }
    security = fastapi.security  # api.security.HTTPBasic, ...
    return SimpleNamespace(
        App=fastapi.FastAPI, **names, security=security, sse=fastapi.sse, side="fastapi"
    )


def package_namespace(pkg: ModuleType) -> SimpleNamespace:
    names = {n: getattr(pkg, n) for n in NAMES if hasattr(pkg, n)}
    security = getattr(pkg, "security", None)  # from chapter 10 on
    sse = getattr(pkg, "sse", None)  # from chapter 11 on
    return SimpleNamespace(
        App=pkg.App, **names, security=security, sse=sse, side="ours"
    )


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


def demo_on_fastapi(chapter: Chapter) -> ModuleType:
    """The chapter's app.py loaded afresh with `nanoapi` standing for FastAPI."""
    shown = {"nanoapi": fastapi, "nanoapi.routing": fastapi.routing}
    shown["nanoapi.responses"] = fastapi.responses
    shown["nanoapi.security"] = fastapi.security  # from chapter 10 on
    shown["nanoapi.sse"] = fastapi.sse  # from chapter 11 on
    with shown_as(shown):
        return exec_demo(chapter, f"demo_on_fastapi_{chapter.id}")


def demo_on_ours(chapter: Chapter, pkg: ModuleType) -> ModuleType:
    """The chapter's app.py loaded afresh on its package: its own notes and
    tokens, not those of the `demo` fixture's module, which other tests share."""
    with under_real_name(pkg):
        return exec_demo(chapter, f"demo_afresh_{chapter.id}")
