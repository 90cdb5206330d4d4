"""Learner mode's failure messages: what an error means, and where to read.

In learner mode (`pytest tests/NN_slug --target DIR`, which `tools/chapters.py
check` runs) tests/conftest.py registers this module as a plugin. When a test
fails, it reads the error and, when it knows the pattern, adds a section to
the failure report, "learner mode: what this means", that says

* that `nanoapi_target` is the learner's own package under another name (an
  error about `nanoapi_target.routing` is about their `nanoapi/routing.py`);
* which piece is missing, and which section of which chapter README
  introduces it (SECTIONS below);
* for a plain `def` handler awaited as if it were `async def`, that it must
  run in a worker thread, and where that is taught.

SECTIONS maps, per chapter, each module and name the chapter adds (and a few
methods and arguments the tests use) to the README section that introduces
it. tests/repo/test_learner_hints.py holds it true: every section it names is
a heading of that README, and every module and export a chapter adds is in it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import CHAPTERS, ROOT, Chapter, all_chapters

ALIAS = "nanoapi_target"
LONG_TAIL = "What the long tail is, measured"  # chapter 09's table of additions

SECTIONS: dict[str, dict[str, str]] = {
    "01": {
        "types": "Why ASGI: the server/app split",
        "ASGIApp": "Why ASGI: the server/app split",
        "Message": "receive and send: the events",
        "Receive": "receive and send: the events",
        "Scope": "The scope",
        "Send": "receive and send: the events",
    },
    "02": {
        "applications": "An object that is an ASGI app",
        "App": "An object that is an ASGI app",
        "add_route": "The table: path, method, handler",
        "route": "The table: path, method, handler",
        "datastructures": "The Request: a lazy view of scope and receive",
        "Headers": "The Request: a lazy view of scope and receive",
        "QueryParams": "The Request: a lazy view of scope and receive",
        "URL": "The Request: a lazy view of scope and receive",
        "requests": "The Request: a lazy view of scope and receive",
        "Request": "The Request: a lazy view of scope and receive",
        "body": "The Request: a lazy view of scope and receive",
        "responses": "Responses that send themselves",
        "Response": "Responses that send themselves",
        "PlainTextResponse": "Responses that send themselves",
        "HTMLResponse": "Responses that send themselves",
        "JSONResponse": "Responses that send themselves",
        "RedirectResponse": "Responses that send themselves",
    },
    "03": {
        "middleware": "Building the onion: `build_middleware_stack`",
        "Middleware": "Building the onion: `build_middleware_stack`",
        "add_middleware": "Order: the last added is the outermost",
        "middleware.errors": "ServerErrorMiddleware: the last line of defence",
        "middleware.exceptions": "ExceptionMiddleware, HTTPException and handlers",
        "middleware.dispatch": "Trap: pure ASGI middleware vs the `call_next` style",
        "StreamingResponse": "Trap: pure ASGI middleware vs the `call_next` style",
        "exceptions": "ExceptionMiddleware, HTTPException and handlers",
        "HTTPException": "ExceptionMiddleware, HTTPException and handlers",
        "exception_handlers": "ExceptionMiddleware, HTTPException and handlers",
        "add_exception_handler": "ExceptionMiddleware, HTTPException and handlers",
        "exception_handler": "ExceptionMiddleware, HTTPException and handlers",
        "concurrency": "A plain `def` handler runs in a worker thread",
        "as_async": "A plain `def` handler runs in a worker thread",
        "lifespan": "The lifespan",
        "State": "The lifespan",
        "state": "The lifespan",
    },
    "04": {
        "router": "The request flow",
        "Router": "The request flow",
        "Match": "The request flow",
        "redirect_slashes": "The request flow",
        "default": "The request flow",
        "routing": "Route and APIRoute",
        "Route": "Route and APIRoute",
        "APIRoute": "Route and APIRoute",
        "api_route": "Route and APIRoute",
        "as_async": "Route and APIRoute",
        "matches": "The request flow",
        "compile_path": "A path template is compiled once",
        "path_format": "A path template is compiled once",
        "convertors": "Convertors",
        "APIRouter": "Routers inside routers: APIRouter and include_router",
        "include_router": "Routers inside routers: APIRouter and include_router",
        "routes": "Routers inside routers: APIRouter and include_router",
        "Mount": "Mount: any ASGI app under a prefix",
        "mount": "Mount: any ASGI app under a prefix",
        "NoMatchFound": "Reverse routing: url_path_for and url_for",
        "url_path_for": "Reverse routing: url_path_for and url_for",
        "url_for": "Reverse routing: url_path_for and url_for",
        "path_params": "The request flow",
        "add_event_handler": "The lifespan goes to the router, never to a route",
    },
    "05": {
        "params": "Where each parameter comes from",
        "Query": "Where each parameter comes from",
        "Path": "Where each parameter comes from",
        "Header": "Where each parameter comes from",
        "Cookie": "Where each parameter comes from",
        "Body": "The body",
        "dependencies": "Read once, at registration",
        "dependant": "Read once, at registration",
        "RequestValidationError": "FastAPI's 422, exactly",
        "ResponseValidationError": "What the handler returns",
        "encoders": "What the handler returns",
        "jsonable_encoder": "What the handler returns",
        "status": "What the handler returns",
        "as_async": "Trap: blocking calls, `async def` vs `def` handlers",
    },
    "06": {
        "Depends": "One tree, built at registration",
        "dependency_overrides": "`app.dependency_overrides` for tests",
        "background": "`Request`, `Response` and `BackgroundTasks` parameters",
        "BackgroundTask": "`Request`, `Response` and `BackgroundTasks` parameters",
        "BackgroundTasks": "`Request`, `Response` and `BackgroundTasks` parameters",
    },
    "07": {
        "openapi": "One operation, taken apart",
        "get_openapi": "One operation, taken apart",
        "docs": "The docs pages",
        "testclient": "The TestClient",
        "TestClient": "The TestClient",
    },
    "08": {
        "server": "The server's job, step by step",
        "__main__": "Run it",
    },
    "09": {
        # the options, methods and names the long tail adds, each a row of its table
        "route_class": LONG_TAIL,
        "get_route_handler": LONG_TAIL,
        "strict_content_type": LONG_TAIL,
        "default_response_class": LONG_TAIL,
        "callbacks": LONG_TAIL,
        "openapi_extra": LONG_TAIL,
        "generate_unique_id_function": LONG_TAIL,
        "webhooks": LONG_TAIL,
        "contact": LONG_TAIL,
        "license_info": LONG_TAIL,
        "servers": LONG_TAIL,
        "openapi_tags": LONG_TAIL,
        "swagger_ui_parameters": LONG_TAIL,
        "separate_input_output_schemas": LONG_TAIL,
        "openapi_examples": LONG_TAIL,
        "FastAPIError": LONG_TAIL,
        "FastAPI": "What the long tail is, measured",
        "openapi.utils": "What the long tail is, measured",
        "openapi.docs": "What the long tail is, measured",
        "FileResponse": "What the long tail is, measured",
    },
    "10": {
        "formparsers": "Reading a body as a stream",
        "FormData": "Reading a body as a stream",
        "form": "Reading a body as a stream",
        "Form": "Where a form meets the signature",
        "File": "Where a form meets the signature",
        "UploadFile": "Reading a body as a stream",
        "security": "Security is just dependencies",
        "security.base": "Security is just dependencies",
        "security.oauth2": "Security is just dependencies",
        "security.http": "Security is just dependencies",
        "security.api_key": "Security is just dependencies",
        "SecurityBase": "Security is just dependencies",
        "OAuth2PasswordBearer": "Security is just dependencies",
        "OAuth2PasswordRequestForm": "Security is just dependencies",
        "APIKeyHeader": "Security is just dependencies",
        "APIKeyQuery": "Security is just dependencies",
        "APIKeyCookie": "Security is just dependencies",
        "HTTPBasic": "Security is just dependencies",
        "HTTPBearer": "Security is just dependencies",
        "HTTPDigest": "Security is just dependencies",
        "HTTPBasicCredentials": "Security is just dependencies",
        "HTTPAuthorizationCredentials": "Security is just dependencies",
        "OAuth2": "Security is just dependencies",
        "OAuth2AuthorizationCodeBearer": "Security is just dependencies",
        "OAuth2PasswordRequestFormStrict": "Security is just dependencies",
        "max_files": "Limits, and what hostile input gets",
        "max_fields": "Limits, and what hostile input gets",
        "max_part_size": "Limits, and what hostile input gets",
        "Security": "Scopes: `Security()` and `SecurityScopes`",
        "SecurityScopes": "Scopes: `Security()` and `SecurityScopes`",
    },
    "11": {
        "websockets": "The WebSocket object",
        "WebSocket": "The WebSocket object",
        "WebSocketState": "The WebSocket object",
        "WebSocketDisconnect": "The WebSocket object",
        "HTTPConnection": "The WebSocket object",
        "WebSocketClose": "WebSocket routes: `@app.websocket`",
        "WebSocketRoute": "WebSocket routes: `@app.websocket`",
        "APIWebSocketRoute": "WebSocket routes: `@app.websocket`",
        "websocket": "WebSocket routes: `@app.websocket`",
        "add_api_websocket_route": "WebSocket routes: `@app.websocket`",
        "add_websocket_route": "WebSocket routes: `@app.websocket`",
        "websocket_route": "WebSocket routes: `@app.websocket`",
        "WebSocketException": "When a WebSocket fails: 1008, 403 and 1011",
        "WebSocketRequestValidationError": "When a WebSocket fails: 1008, 403 and 1011",
        "websocket_connect": "Testing a WebSocket: `websocket_connect`",
        "WebSocketDenialResponse": "Testing a WebSocket: `websocket_connect`",
        "StreamingResponse": "Streaming a response",
        "iterate_in_threadpool": "Streaming a response",
        "sse": "Path operations that yield: JSON lines and server-sent events",
        "EventSourceResponse": (
            "Path operations that yield: JSON lines and server-sent events"
        ),
        "ServerSentEvent": (
            "Path operations that yield: JSON lines and server-sent events"
        ),
        "format_sse_event": (
            "Path operations that yield: JSON lines and server-sent events"
        ),
        "accept": "The WebSocket object",
        "receive_text": "The WebSocket object",
        "receive_bytes": "The WebSocket object",
        "receive_json": "The WebSocket object",
        "iter_text": "The WebSocket object",
        "iter_bytes": "The WebSocket object",
        "iter_json": "The WebSocket object",
        "send_text": "The WebSocket object",
        "send_bytes": "The WebSocket object",
        "send_json": "The WebSocket object",
        "client_state": "The WebSocket object",
        "application_state": "The WebSocket object",
        "websocket_session": "WebSocket routes: `@app.websocket`",
        "send_denial_response": "When a WebSocket fails: 1008, 403 and 1011",
        # the close codes, in status.py
        "WS_1000_NORMAL_CLOSURE": "ASGI's WebSocket messages",
        "WS_1001_GOING_AWAY": "ASGI's WebSocket messages",
        "WS_1002_PROTOCOL_ERROR": "ASGI's WebSocket messages",
        "WS_1003_UNSUPPORTED_DATA": "ASGI's WebSocket messages",
        "WS_1005_NO_STATUS_RCVD": "ASGI's WebSocket messages",
        "WS_1006_ABNORMAL_CLOSURE": "ASGI's WebSocket messages",
        "WS_1007_INVALID_FRAME_PAYLOAD_DATA": "ASGI's WebSocket messages",
        "WS_1008_POLICY_VIOLATION": "ASGI's WebSocket messages",
        "WS_1009_MESSAGE_TOO_BIG": "ASGI's WebSocket messages",
        "WS_1010_MANDATORY_EXT": "ASGI's WebSocket messages",
        "WS_1011_INTERNAL_ERROR": "ASGI's WebSocket messages",
        "WS_1012_SERVICE_RESTART": "ASGI's WebSocket messages",
        "WS_1013_TRY_AGAIN_LATER": "ASGI's WebSocket messages",
        "WS_1014_BAD_GATEWAY": "ASGI's WebSocket messages",
        "WS_1015_TLS_HANDSHAKE": "ASGI's WebSocket messages",
        "body_iterator": "Streaming a response",
        "ws_max_size": "The server's side, step by step",
        "server_websocket": "The server's side, step by step",
        "asks_for_websocket": "The server's side, step by step",
        "WebSocketSession": "The server's side, step by step",
    },
}


def section_of(name: str, chapter: Chapter) -> tuple[Chapter, str] | None:
    """The README section that introduces `name`, in `chapter` or the latest
    chapter before it that has one."""
    for earlier in reversed([c for c in all_chapters() if c.number <= chapter.number]):
        section = SECTIONS.get(earlier.number, {}).get(name)
        if section:
            return earlier, section
    return None


def read(name: str, chapter: Chapter) -> str:
    found = section_of(name, chapter)
    if found is None:
        return ""
    where, section = found
    readme = (CHAPTERS / where.slug / "README.md").relative_to(ROOT)
    return f'Read {readme}, section "{section}".'


def alias_note(chapter: Chapter) -> str:
    folder = chapter.path
    if folder.is_relative_to(Path.cwd()):
        folder = folder.relative_to(Path.cwd())
    return (
        f"`{ALIAS}` is your package ({folder}/nanoapi) under another name: the "
        "tests import each package under its own name (tests/harness.py), so "
        f"that all of them live in one Python process. `{ALIAS}.X` is your "
        "nanoapi/X.py."
    )


def missing(name: str, where: str, chapter: Chapter) -> list[str]:
    return [
        alias_note(chapter),
        f"Your {where} has no `{name}` yet.",
        read(name, chapter),
    ]


def hints(error: BaseException, chapter: Chapter) -> list[str]:
    """What the error means for a learner, or [] when the pattern is unknown."""
    text = str(error)
    if found := re.search(r"object (\w+) can't be used in 'await' expression", text):
        return [
            f"A plain `def` handler returned a {found.group(1)}, and the framework "
            "awaited it as if the handler were `async def`. Decide once, at "
            "registration: await an `async def` handler, run a plain `def` one in "
            "a worker thread.",
            read("as_async", chapter),
        ]
    pattern = rf"module '{ALIAS}\.?([\w.]*)' has no attribute '(\w+)'"
    if found := re.search(pattern, text):
        module, name = found.groups()
        where = f"nanoapi/{module.replace('.', '/')}.py" if module else "package"
        return missing(name, where, chapter)
    if found := re.search(rf"No module named '{ALIAS}\.([\w.]+)'", text):
        module = found.group(1)
        known = [m for m in (module, module.split(".")[0]) if section_of(m, chapter)]
        where = f"package (nanoapi/{module.replace('.', '/')}.py)"
        return missing(known[0] if known else module, where, chapter)
    if found := re.search(
        rf"cannot import name '(\w+)' from '{ALIAS}\.?([\w.]*)'", text
    ):
        name, module = found.groups()
        where = f"nanoapi/{module.replace('.', '/')}.py" if module else "package"
        return missing(name, where, chapter)
    if found := re.search(r"has no attribute '(\w+)'", text):
        return [f"`{found.group(1)}` is missing.", read(found.group(1), chapter)]
    if found := re.search(r"unexpected keyword argument '(\w+)'", text):
        return [
            f"The argument `{found.group(1)}` is not taken yet.",
            read(found.group(1), chapter),
        ]
    return []


def errors_in(error: BaseException | None) -> list[BaseException]:
    """The error, then its causes and contexts."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    chapter = getattr(item, "callspec", None) and item.callspec.params.get("chapter")
    if not (report.failed and call.excinfo and chapter):
        return
    for error in errors_in(call.excinfo.value):
        lines = [line for line in hints(error, chapter) if line]
        if lines:
            report.sections.append(("learner mode: what this means", "\n".join(lines)))
            return
