"""Chapter 11: WebSocket endpoints on FastAPI and on ours, each through its own
TestClient.

Each app is written once against the oracle's namespace (`api.WebSocket`,
`api.Query`...) and built twice, on the real FastAPI and on the chapter's
package; a scenario plays the client with the framework's own TestClient
(`fastapi.testclient` for FastAPI, `nanoapi.testclient` for ours) and returns
what the client observed: messages, the handshake's answer, close codes and
reasons, exceptions, and what the app noted (`app.notes`) about its side. The
two observations must be equal. Where we differ on purpose, a test at the end
pins both behaviours and says why.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Annotated, Any

import fastapi.requests
import fastapi.testclient
import pytest
from oracle import fastapi_namespace, package_namespace
from wire import wait_until

Scenario = Callable[[Any, Any], Any]  # (client, app) -> what the client saw


def namespaces(pkg) -> list[Any]:
    theirs, ours = fastapi_namespace(), package_namespace(pkg)
    theirs.TestClient = fastapi.testclient.TestClient
    ours.TestClient = pkg.testclient.TestClient
    theirs.HTTPConnection = fastapi.requests.HTTPConnection
    ours.HTTPConnection = pkg.requests.HTTPConnection
    return [theirs, ours]


def outcome(exc: BaseException) -> tuple:
    """What a client can tell about an exception, the same on both sides."""
    if hasattr(exc, "status_code"):  # WebSocketDenialResponse: an HTTP answer
        names = ("content-type", "content-length", "www-authenticate", "x-why")
        headers = {n: exc.headers[n] for n in names if n in exc.headers}
        return ("denied", exc.status_code, headers, exc.content)
    if type(exc).__name__ == "WebSocketDisconnect":
        return ("closed", exc.code, exc.reason)
    if isinstance(exc, RuntimeError):  # Starlette's WebSocketDisconnected is one
        return ("RuntimeError",)
    return (type(exc).__name__, str(exc))


def played(scenario: Scenario, client: Any, app: Any, deadline: float = 10) -> Any:
    """The scenario's result, or the outcome of what it raised. It runs in a
    thread with a deadline: a conversation that waits forever fails the test
    instead of hanging it."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(("ok", scenario(client, app)))
        except BaseException as exc:
            result.append(outcome(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    assert result, f"the client still waits after {deadline} s"
    return result[0]


def observe(build, pkg, scenario: Scenario, **options: Any) -> tuple[Any, Any]:
    """(FastAPI's observation, ours): `build(api)` played by `scenario`."""
    seen = []
    for api in namespaces(pkg):
        app = build(api)
        seen.append(played(scenario, api.TestClient(app, **options), app))
    return seen[0], seen[1]


def note_app(api) -> Any:
    app = api.App()
    app.notes = []
    return app


# The basics: the handshake, messages, closing.


def basics(api):
    app = note_app(api)

    @app.websocket("/handshake")
    async def handshake(websocket: api.WebSocket):
        offered = websocket.scope["subprotocols"]
        chosen = "superchat" if "superchat" in offered else None
        await websocket.accept(subprotocol=chosen, headers=[(b"x-room", b"lobby")])
        await websocket.send_json(
            {
                "url": str(websocket.url),
                "path": websocket.url.path,
                "query": dict(websocket.query_params),
                "cookies": websocket.cookies,
                "offered": offered,
                "agent": websocket.headers.get("user-agent"),
                "mine": websocket.headers.get("x-mine"),
                "scheme": websocket.scope["scheme"],
            }
        )
        await websocket.close()

    @app.websocket("/echo")
    async def echo(websocket: api.WebSocket):
        await websocket.accept()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                app.notes.append(("left", message.get("code"), message.get("reason")))
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message["bytes"])

    @app.websocket("/json/{mode}")
    async def json_echo(websocket: api.WebSocket, mode: str):
        await websocket.accept()
        data = await websocket.receive_json(mode=mode)
        await websocket.send_json({"got": data}, mode=mode)
        await websocket.close()

    @app.websocket("/typed")
    async def typed(websocket: api.WebSocket):
        await websocket.accept()
        text = await websocket.receive_text()
        data = await websocket.receive_bytes()
        await websocket.send_text(text.upper())
        await websocket.send_bytes(data[::-1])
        try:
            await websocket.receive_text()
        except api.WebSocketDisconnect as gone:
            app.notes.append(("gone", gone.code, gone.reason))

    @app.websocket("/close")
    async def close(websocket: api.WebSocket, code: int = 1000, reason: str = ""):
        await websocket.accept()
        await websocket.send_text("closing")
        await websocket.close(code=code, reason=reason or None)
        try:
            await websocket.send_text("after the close")
        except RuntimeError:  # Starlette's WebSocketDisconnected is one
            app.notes.append("send after close: RuntimeError")

    @app.websocket("/after-disconnect")
    async def after_disconnect(websocket: api.WebSocket):
        await websocket.accept()
        try:
            await websocket.receive_text()
        except api.WebSocketDisconnect as gone:
            app.notes.append(("disconnect", gone.code, gone.reason))
        try:
            await websocket.receive_text()
        except RuntimeError:
            app.notes.append("receive after disconnect: RuntimeError")

    @app.websocket("/refuse")
    async def refuse(websocket: api.WebSocket):
        await websocket.close(code=4403, reason="go away")

    @app.websocket("/deny")
    async def deny(websocket: api.WebSocket):
        answer = api.PlainTextResponse(
            "who are you?", status_code=401, headers={"www-authenticate": "Bearer"}
        )
        await websocket.send_denial_response(answer)

    @app.websocket("/too-early")
    async def too_early(websocket: api.WebSocket, action: str):
        if action == "send":
            await websocket.send_text("hi")
        else:
            await websocket.receive_text()

    @app.get("/http-only")
    def http_only():
        return "plain HTTP"

    return app


def test_accept_with_a_subprotocol_and_headers(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect(
            "/handshake?room=lobby&x=1",
            subprotocols=["chat", "superchat"],
            headers={"x-mine": "yes", "cookie": "session=abc; theme=dark"},
        ) as websocket:
            extra = dict(websocket.extra_headers)
            return websocket.accepted_subprotocol, extra, websocket.receive_json()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    subprotocol, extra, seen = ours[1]
    assert subprotocol == "superchat" and extra == {b"x-room": b"lobby"}
    assert seen["cookies"] == {"session": "abc", "theme": "dark"}
    assert seen["url"] == "ws://testserver/handshake?room=lobby&x=1"


def test_no_subprotocol_offered_none_chosen(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/handshake") as websocket:
            return websocket.accepted_subprotocol, websocket.receive_json()["offered"]

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs == ("ok", (None, []))


def test_text_and_bytes_round_trip_as_the_same_frames(chapter, pkg):
    sent = ["hello", "héllo wörld ✓", "", b"\x00\x01\xff", b""]

    def scenario(client, app):
        with client.websocket_connect("/echo") as websocket:
            replies = []
            for message in sent:
                if isinstance(message, str):
                    websocket.send_text(message)
                else:
                    websocket.send_bytes(message)
                replies.append(websocket.receive())  # the raw ASGI message
            websocket.close(code=4001, reason="done")
            wait_until(lambda: app.notes)
            return replies, app.notes

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    replies, notes = ours[1]
    assert [r.get("text", r.get("bytes")) for r in replies] == sent
    assert notes == [("left", 4001, "done")]


@pytest.mark.parametrize("mode", ["text", "binary"])
def test_json_in_both_modes(chapter, pkg, mode):
    data = {"name": "Zoë", "tags": ["✓", 1, 2.5, None, True]}

    def scenario(client, app):
        with client.websocket_connect(f"/json/{mode}") as websocket:
            websocket.send_json(data, mode=mode)
            raw = websocket.receive()
            return raw, websocket.receive()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    raw, closing = ours[1]
    key = "text" if mode == "text" else "bytes"
    assert raw["type"] == "websocket.send" and key in raw  # the frame's kind
    assert closing == {"type": "websocket.close", "code": 1000, "reason": ""}


def test_receive_text_then_bytes_and_the_client_helpers(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/typed") as websocket:
            websocket.send_text("shout")
            websocket.send_bytes(b"abc")
            answers = websocket.receive_text(), websocket.receive_bytes()
            websocket.close(1001, "going away")
            wait_until(lambda: app.notes)
            return answers, app.notes

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs == ("ok", (("SHOUT", b"cba"), [("gone", 1001, "going away")]))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", (1000, "")),
        ("?code=4000&reason=bye", (4000, "bye")),
        ("?code=1001", (1001, "")),
    ],
)
def test_close_codes_and_reasons_and_send_after_close(chapter, pkg, query, expected):
    def scenario(client, app):
        with client.websocket_connect("/close" + query) as websocket:
            first = websocket.receive_text()
            try:
                websocket.receive_text()
            except Exception as exc:
                closed = outcome(exc)
            wait_until(lambda: app.notes)
            return first, closed, app.notes

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    assert ours[1] == (
        "closing",
        ("closed", *expected),
        ["send after close: RuntimeError"],
    )


def test_receive_after_a_disconnect_is_a_runtime_error(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/after-disconnect") as websocket:
            websocket.close(4100, "bye")
            wait_until(lambda: len(app.notes) == 2)
            return app.notes

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    assert ours[1] == [
        ("disconnect", 4100, "bye"),
        "receive after disconnect: RuntimeError",
    ]


@pytest.mark.parametrize("action", ["send", "receive"])
def test_sending_or_receiving_before_accept_is_an_error(chapter, pkg, action):
    def scenario(client, app):
        with client.websocket_connect(f"/too-early?action={action}") as websocket:
            return websocket.receive()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs == ("RuntimeError",)


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/refuse", ("closed", 4403, "go away")),
        ("/nowhere", ("closed", 1000, "")),  # no route: closed, a server says 403
        ("/http-only", ("closed", 1000, "")),  # an HTTP route is no WebSocket one
        ("/echo/", ("closed", 1000, "")),  # and no slash redirect for WebSockets
    ],
)
def test_a_refused_handshake_closes(chapter, pkg, path, expected):
    def scenario(client, app):
        with client.websocket_connect(path) as websocket:
            return websocket.receive()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs == expected


def test_a_denial_response_is_an_http_answer(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/deny") as websocket:
            return websocket.receive()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs
    assert ours[:2] == ("denied", 401) and ours[3] == b"who are you?"


def test_an_http_request_to_a_websocket_route_is_a_404(chapter, pkg):
    def scenario(client, app):
        answer = client.get("/echo")
        return answer.status_code, answer.json()

    theirs, ours = observe(basics, pkg, scenario)
    assert ours == theirs == ("ok", (404, {"detail": "Not Found"}))


# Iterating until the client leaves.


def iterating(api):
    app = note_app(api)

    @app.websocket("/iter/{kind}")
    async def iterate(websocket: api.WebSocket, kind: str):
        await websocket.accept()
        messages = {
            "text": websocket.iter_text,
            "bytes": websocket.iter_bytes,
            "json": websocket.iter_json,
        }[kind]()
        async for message in messages:
            app.notes.append(message)
            await websocket.send_text(f"got {len(app.notes)}")
        app.notes.append("the loop ended")

    return app


@pytest.mark.parametrize(
    "kind, messages",
    [
        ("text", ["a", "ü", ""]),
        ("bytes", [b"a", b"\xff", b""]),
        ("json", [{"a": 1}, [1, "ü"], None]),
    ],
)
def test_async_for_helpers_end_when_the_client_leaves(chapter, pkg, kind, messages):
    def scenario(client, app):
        with client.websocket_connect(f"/iter/{kind}") as websocket:
            replies = []
            for message in messages:
                getattr(websocket, f"send_{kind}")(message)
                replies.append(websocket.receive_text())
            websocket.close(1001)
            wait_until(lambda: "the loop ended" in app.notes)
            return replies, app.notes

    theirs, ours = observe(iterating, pkg, scenario)
    assert ours == theirs
    assert ours[1] == (["got 1", "got 2", "got 3"], [*messages, "the loop ended"])


# Path convertors and parameters, dependencies and their cleanup.


def parameters(api):
    app = note_app(api)

    @app.websocket("/items/{item_id:int}")
    async def item(websocket: api.WebSocket, item_id: int):
        await websocket.accept()
        await websocket.send_json({"item_id": item_id, "type": type(item_id).__name__})
        await websocket.close()

    @app.websocket("/files/{path:path}")
    async def file(websocket: api.WebSocket, path: str):
        await websocket.accept()
        await websocket.send_json({"path": path, "raw": websocket.path_params})
        await websocket.close()

    @app.websocket("/rooms/{room}/{price:float}")
    async def room(
        websocket: api.WebSocket,
        room: Annotated[str, api.Path(min_length=2)],
        price: float,
        limit: Annotated[int, api.Query(ge=1)] = 10,
        tags: Annotated[list[str] | None, api.Query()] = None,
        x_token: Annotated[str | None, api.Header()] = None,
        session: Annotated[str | None, api.Cookie()] = None,
    ):
        await websocket.accept()
        await websocket.send_json(
            {
                "room": room,
                "price": price,
                "limit": limit,
                "tags": tags,
                "x_token": x_token,
                "session": session,
            }
        )
        await websocket.close()

    async def token_or_cookie(
        websocket: api.WebSocket,
        session: Annotated[str | None, api.Cookie()] = None,
        token: Annotated[str | None, api.Query()] = None,
    ):
        if session is None and token is None:
            raise api.WebSocketException(code=api.status.WS_1008_POLICY_VIOLATION)
        return session or token

    @app.websocket("/secret")
    async def secret(
        websocket: api.WebSocket, who: Annotated[str, api.Depends(token_or_cookie)]
    ):
        await websocket.accept()
        await websocket.send_text(f"hello {who}")
        await websocket.close()

    return app


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/items/42", {}),
        ("/items/x", {}),  # the convertor does not match: no route
        ("/files/a/b/c.txt", {}),
        ("/rooms/lobby/2.5", {}),
        (
            "/rooms/lobby/3?limit=5&tags=a&tags=b",
            {"x-token": "t", "cookie": "session=s"},
        ),
        ("/rooms/l/2.5", {}),  # Path(min_length=2): 1008, the errors as reason
        ("/rooms/lobby/2.5?limit=0&tags=a", {}),
        ("/rooms/lobby/2.5?limit=x", {"cookie": "session=s"}),
        ("/secret?token=t", {}),
        ("/secret", {"cookie": "session=s"}),
        ("/secret", {}),  # the dependency raises WebSocketException before accept
    ],
)
def test_path_query_header_cookie_and_depends(chapter, pkg, path, headers):
    def scenario(client, app):
        with client.websocket_connect(path, headers=headers) as websocket:
            return websocket.receive()

    theirs, ours = observe(parameters, pkg, scenario)
    assert ours == theirs


def test_a_validation_error_closes_with_1008_and_the_errors(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/rooms/l/2?limit=0") as websocket:
            return websocket.receive()

    theirs, ours = observe(parameters, pkg, scenario)
    assert ours == theirs
    kind, code, reason = ours
    assert (kind, code) == ("closed", 1008)
    assert [error["loc"] for error in reason] == [["path", "room"], ["query", "limit"]]


def dependencies(api):
    app = note_app(api)
    notes = app.notes

    async def resource(websocket: api.WebSocket):
        notes.append("resource: open")
        try:
            yield "db"
        except Exception as exc:
            notes.append(f"resource: saw {type(exc).__name__}")
            raise
        finally:
            notes.append("resource: closed")

    def per_function():
        notes.append("function: open")
        yield "fn"
        notes.append("function: closed")

    def ask_for_request(request: api.Request):
        return request.url.path  # a Request does not exist on a WebSocket route

    def ask_for_connection(connection: api.HTTPConnection):
        return connection.url.path  # both a Request and a WebSocket are one

    @app.websocket("/session")
    async def session(
        websocket: api.WebSocket,
        db: Annotated[str, api.Depends(resource)],
        fn: Annotated[str, api.Depends(per_function, scope="function")],
        path: Annotated[str, api.Depends(ask_for_connection)],
        fail: str = "",
    ):
        await websocket.accept()
        notes.append(f"endpoint: {db} {fn} {path}")
        await websocket.send_json(list(notes))  # what had run by then
        await websocket.receive_text()
        if fail == "after":
            raise api.WebSocketException(code=4009, reason="we stop here")
        if fail == "boom":
            raise KeyError("boom")
        await websocket.close()
        notes.append("endpoint: closed")

    @app.websocket("/wants-request")
    async def wants_request(
        websocket: api.WebSocket, path: Annotated[str, api.Depends(ask_for_request)]
    ):
        await websocket.accept()

    @app.get("/connection")
    def connection(path: Annotated[str, api.Depends(ask_for_connection)]):
        return path

    app.resource = resource  # for dependency_overrides
    return app


@pytest.mark.parametrize("fail", ["", "after", "boom"])
def test_yield_dependencies_clean_up_after_the_endpoint(chapter, pkg, fail):
    def scenario(client, app):
        notes = app.notes
        try:
            with client.websocket_connect(f"/session?fail={fail}") as websocket:
                during = websocket.receive_json()
                websocket.send_text("go on")
                ended = websocket.receive()  # a close, or the app's error
        except Exception as exc:
            ended = outcome(exc)
        wait_until(lambda: "resource: closed" in notes)
        return during, ended, notes

    theirs, ours = observe(dependencies, pkg, scenario)
    assert ours == theirs
    during, ended, notes = ours[1]
    assert during == ["resource: open", "function: open", "endpoint: db fn /session"]
    assert notes[-1] == "resource: closed"
    if fail == "after":  # the exception reached the dependency, then the client
        assert "resource: saw WebSocketException" in notes
        assert ended == {
            "type": "websocket.close",
            "code": 4009,
            "reason": "we stop here",
        }


def test_a_dependency_asking_for_a_request_on_a_websocket_route(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/wants-request") as websocket:
            return websocket.receive()

    theirs, ours = observe(dependencies, pkg, scenario)
    assert ours == theirs
    assert ours[0] == "TypeError" and "request" in ours[1]


def test_an_http_connection_dependency_serves_http_too(chapter, pkg):
    def scenario(client, app):
        return client.get("/connection").json()

    theirs, ours = observe(dependencies, pkg, scenario)
    assert ours == theirs == ("ok", "/connection")


def test_dependency_overrides_reach_websocket_routes(chapter, pkg):
    def build(api):
        app = dependencies(api)

        def no_resource():
            app.notes.append("override")
            return "fake"

        app.dependency_overrides[app.resource] = no_resource
        return app

    def scenario(client, app):
        with client.websocket_connect("/session") as websocket:
            during = websocket.receive_json()
            websocket.send_text("go on")
            return during, websocket.receive()

    theirs, ours = observe(build, pkg, scenario)
    assert ours == theirs
    during, closing = ours[1]
    assert during == ["override", "function: open", "endpoint: fake fn /session"]
    assert closing["type"] == "websocket.close"


# Exceptions: WebSocketException, HTTPException, handlers, unhandled errors.


def failing(api):
    app = note_app(api)

    @app.websocket("/ws-exception/{when}")
    async def ws_exception(websocket: api.WebSocket, when: str):
        if when == "after":
            await websocket.accept()
            await websocket.send_text("accepted")
        raise api.WebSocketException(code=4001, reason=f"raised {when}")

    @app.websocket("/http-exception")
    async def http_exception(websocket: api.WebSocket):
        raise api.HTTPException(418, detail="a teapot", headers={"x-why": "tea"})

    @app.websocket("/unhandled/{when}")
    async def unhandled(websocket: api.WebSocket, when: str):
        if when == "after":
            await websocket.accept()
        raise ValueError(f"broken {when}")

    @app.websocket("/custom")
    async def custom(websocket: api.WebSocket):
        raise LookupError("mine")

    async def lookup_handler(websocket, exc: LookupError):
        app.notes.append(("handler", type(websocket).__name__, str(exc)))
        await websocket.close(code=4004, reason="handled")

    app.add_exception_handler(LookupError, lookup_handler)
    return app


@pytest.mark.parametrize(
    "path",
    ["/ws-exception/before", "/ws-exception/after", "/http-exception", "/custom"],
)
def test_exceptions_close_or_deny_the_handshake(chapter, pkg, path):
    def scenario(client, app):
        with client.websocket_connect(path) as websocket:
            first = websocket.receive_text()
            return first, websocket.receive()

    theirs, ours = observe(failing, pkg, scenario)
    assert ours == theirs
    expected = {
        "/ws-exception/before": ("closed", 4001, "raised before"),
        "/ws-exception/after": (
            "ok",
            (
                "accepted",
                {"type": "websocket.close", "code": 4001, "reason": "raised after"},
            ),
        ),
        "/http-exception": (
            "denied",
            418,
            {
                "content-type": "application/json",
                "content-length": "21",
                "x-why": "tea",
            },
            b'{"detail":"a teapot"}',
        ),
        "/custom": ("closed", 4004, "handled"),
    }[path]
    assert ours == expected


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_unhandled_exception_reaches_the_test(chapter, pkg, when):
    def scenario(client, app):
        with client.websocket_connect(f"/unhandled/{when}") as websocket:
            return websocket.receive()

    theirs, ours = observe(failing, pkg, scenario)
    assert ours == theirs == ("ValueError", f"broken {when}")


# Routers: APIRouter.websocket, prefixes, dependencies, include_router, mounts.


def routers(api):
    app = note_app(api)
    notes = app.notes

    def mark(name: str):
        def dependency(websocket: api.WebSocket):
            notes.append(name)

        return api.Depends(dependency)

    router = api.APIRouter(prefix="/chat", dependencies=[mark("router")])

    @router.websocket("/{room}", dependencies=[mark("route")])
    async def room(websocket: api.WebSocket, room: str, name: str = "anon"):
        await websocket.accept()
        await websocket.send_json({"room": room, "name": name, "ran": list(notes)})
        await websocket.close()

    @router.websocket("/{room}/strict", name="strict")
    async def strict(websocket: api.WebSocket, room: int):
        await websocket.accept()
        await websocket.close()

    app.include_router(router, prefix="/v1", dependencies=[mark("include")])
    app.include_router(router)  # once more, without a prefix

    sub = api.App()

    @sub.websocket("/inner")
    async def inner(websocket: api.WebSocket):
        await websocket.accept()
        path = websocket.scope.get("root_path", "") + websocket.scope["path"]
        await websocket.send_json({"path": websocket.url.path, "full": path})
        await websocket.close()

    app.mount("/sub", sub)

    @app.websocket_route("/starlette-style")
    async def starlette_style(websocket):
        await websocket.accept()
        await websocket.send_text(type(websocket).__name__)
        await websocket.close()

    return app


@pytest.mark.parametrize(
    "path",
    [
        "/v1/chat/lobby?name=ada",
        "/chat/lobby",
        "/v1/chat/x/strict",  # room: int fails: 1008 after the dependencies ran
        "/chat/3/strict",
        "/v1/lobby",
        "/sub/inner",
        "/starlette-style",
    ],
)
def test_routers_prefixes_dependencies_and_mounts(chapter, pkg, path):
    def scenario(client, app):
        with client.websocket_connect(path) as websocket:
            return websocket.receive(), app.notes

    theirs, ours = observe(routers, pkg, scenario)
    assert ours == theirs


def test_include_router_puts_its_dependencies_first(chapter, pkg):
    def scenario(client, app):
        with client.websocket_connect("/v1/chat/lobby") as websocket:
            return websocket.receive_json()["ran"]

    theirs, ours = observe(routers, pkg, scenario)
    assert ours == theirs == ("ok", ["include", "router", "route"])


def empty_paths(api):
    app = api.App()
    router = api.APIRouter()

    class Greeter:
        """A callable object as the endpoint: the route is named after its
        class, as an HTTP route's is."""

        async def __call__(self, websocket: api.WebSocket) -> None:
            await websocket.accept()
            await websocket.send_text("hello")
            await websocket.close()

    @router.websocket("")
    async def room(websocket: api.WebSocket):
        await websocket.accept()
        await websocket.send_text(websocket.url.path)
        await websocket.close()

    app.include_router(router, prefix="/chat")  # the prefix completes the path
    app.add_api_websocket_route("/greet", Greeter())
    return app


def test_an_empty_path_is_completed_by_the_prefix(chapter, pkg):
    """`@router.websocket("")` is no error: `include_router` puts the prefix
    before it, as it does for `@router.get("")`. An unnamed route is named
    after its endpoint, a callable object after its class."""

    def scenario(client, app):
        with client.websocket_connect("/chat") as websocket:
            served = websocket.receive_text()
        with client.websocket_connect("/greet") as websocket:
            greeted = websocket.receive_text()
        return served, greeted, app.url_path_for("Greeter")

    theirs, ours = observe(empty_paths, pkg, scenario)
    assert ours == theirs == ("ok", ("/chat", "hello", "/greet"))


# Where we differ on purpose.


def raw_call(app, path: str, client_messages: list[dict]) -> tuple[list[dict], str]:
    """Call the app as a server would; what it sent, and what it raised."""
    incoming = [{"type": "websocket.connect"}, *client_messages]
    sent: list[dict] = []

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "subprotocols": [],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    try:
        asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    except Exception as exc:
        return sent, type(exc).__name__
    return sent, "returned"


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_unhandled_exception_closes_the_connection_first(chapter, pkg, when):
    """Starlette's error middleware lets an exception in a WebSocket go by and
    sends nothing: the server is left to answer (uvicorn sends a 500 to a
    handshake, 1011 after it). Ours closes first, the way a server would
    answer, so every server and our TestClient see the same: a close before
    accept (the server's 403), 1011 after it. Both raise it again."""
    theirs_app, ours_app = (failing(api) for api in namespaces(pkg))
    theirs = raw_call(theirs_app, f"/unhandled/{when}", [])
    ours = raw_call(ours_app, f"/unhandled/{when}", [])
    accepted = [{"type": "websocket.accept", "subprotocol": None, "headers": []}]
    accepted = accepted if when == "after" else []
    assert theirs == (accepted, "ValueError")
    code = 1011 if when == "after" else 1000
    closing = {"type": "websocket.close", "code": code, "reason": ""}
    assert ours == ([*accepted, closing], "ValueError")


@pytest.mark.parametrize("when", ["before", "after"])
def test_without_raise_server_exceptions_our_client_sees_the_close(chapter, pkg, when):
    """With `raise_server_exceptions=False` our TestClient shows what a real
    client would see (the close above); Starlette's raises the app's error
    whatever the setting."""

    def scenario(client, app):
        with client.websocket_connect(f"/unhandled/{when}") as websocket:
            return websocket.receive()

    theirs, ours = observe(failing, pkg, scenario, raise_server_exceptions=False)
    assert theirs == ("ValueError", f"broken {when}")
    if when == "before":
        assert ours == ("closed", 1000, "")
    else:
        assert ours == ("ok", {"type": "websocket.close", "code": 1011, "reason": ""})


def test_an_app_that_returns_without_closing_is_reported(chapter, pkg):
    """Starlette's TestClient waits forever for a message from an app that
    returned without closing; ours raises at once (a server would close the
    connection: 403 before accept, 1000 after)."""
    app = basics(package_namespace(pkg))

    @app.websocket("/forgets")
    async def forgets(websocket: pkg.WebSocket):
        await websocket.accept()
        await websocket.send_text("bye")

    def scenario(client, app):
        with client.websocket_connect("/forgets") as websocket:
            return websocket.receive_text(), websocket.receive()

    seen = played(scenario, pkg.testclient.TestClient(app), app, deadline=5)
    assert seen == ("RuntimeError",)


def test_receive_is_told_that_the_app_has_ended(chapter, pkg):
    """Once the app has ended, our TestClient's every receive() says so: what
    the app raised (again), or a RuntimeError if it returned."""

    async def app(scope, receive, send):
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        if scope["path"] == "/raises":
            raise ValueError("gone")

    def receive_thrice(websocket) -> list[tuple]:
        seen = []
        for _ in range(3):
            try:
                seen.append(("ok", websocket.receive()))
            except Exception as exc:
                seen.append(outcome(exc))
        return seen

    def scenario(client, app):
        with client.websocket_connect("/returns") as websocket:
            returned = receive_thrice(websocket)
        # ... and raised again as the block ends
        with (
            pytest.raises(ValueError, match="gone"),
            client.websocket_connect("/raises") as websocket,
        ):
            raised = receive_thrice(websocket)
        return returned, raised

    seen = played(scenario, pkg.testclient.TestClient(app), app, deadline=5)
    assert seen[0] == "ok", seen
    returned, raised = seen[1]
    assert returned == [("RuntimeError",)] * 3
    assert raised == [("ValueError", "gone")] * 3
