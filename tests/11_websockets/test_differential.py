"""Chapter 11: the same WebSocket scenarios through uvicorn and through ours.

Both serve the same raw ASGI app (`apps/wsapp.py`); uvicorn runs with wsproto
(`--ws wsproto`, the library we use too) and h11. Each scenario is played by
a real client, the `websockets` package (raw sockets where the bytes must be
wrong), and returns what that client observed: statuses, subprotocol and
headers, messages, close codes and reasons, and what the app noted about its
end. The two observations must be equal. Where we differ on purpose, a test
below pins both behaviours and says why.
"""

import asyncio
import json
import signal
import uuid

import httpx
import pytest
from wire import Wire, serve, settled, wait_until
from wsproto.events import CloseConnection, Message
from wsproto.frame_protocol import CloseReason
from wswire import (
    APPS,
    UVICORN_OPTIONS,
    events,
    raw_upgrade,
    reset,
    upgrade_request,
    wait_for_event,
    ws_url,
)

websockets = pytest.importorskip("websockets", reason="the tests' WebSocket client")
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

pytestmark = pytest.mark.slow


def tagged(path: str) -> tuple[str, str]:
    """A fresh tag, and the path with it: the app notes its end under the tag."""
    tag = uuid.uuid4().hex[:8]
    return tag, f"{path}{'&' if '?' in path else '?'}tag={tag}"


def app_end(server, tag: str) -> list[str]:
    """What the app noted under `tag`, once it has noted its disconnect."""
    wait_until(lambda: any("disconnect" in line for line in events(server, tag)))
    return settled(lambda: events(server, tag), quiet=0.1)  # and what follows it


def server_close(ws) -> tuple | None:
    """The close frame the server sent, once it has closed (None: no frame)."""
    try:
        ws.recv(timeout=5)
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None
    return ("no close",)


def refusal(server, path: str) -> tuple:
    try:
        connect(ws_url(server, path)).close()
    except InvalidStatus as error:
        response = error.response
        return response.status_code, bytes(response.body)
    return ("accepted",)


# The scenarios: each plays one conversation and returns what it observed.


def accept_with_subprotocol_and_headers(server):
    url = ws_url(server, "/subprotocol")
    with connect(url, subprotocols=["chat", "superchat"]) as ws:
        headers = ws.response.headers
        return ws.subprotocol, headers["x-room"], headers["sec-websocket-extensions"]


def echo_text_and_bytes(server):
    with connect(ws_url(server, "/echo")) as ws:
        replies = []
        for message in ("hello", "héllo wörld ✓", b"\x00\x01\xff", "", b""):
            ws.send(message)
            replies.append(ws.recv())
        return replies


def fragmented_messages(server):
    with connect(ws_url(server, "/echo")) as ws:
        ws.send(["frag", "men", "ted"])
        ws.send([b"by", b"tes"])
        return ws.recv(), ws.recv()


def large_message(server):
    message = bytes(range(256)) * (16 * 1024)  # 4 MiB
    with connect(ws_url(server, "/echo"), max_size=None, compression=None) as ws:
        ws.send(message)
        return ws.recv() == message


def message_over_16_mib(server):
    tag, path = tagged("/echo")
    with connect(ws_url(server, path), compression=None) as ws:
        ws.send(b"x" * (16 * 1024 * 1024 + 1))
        code = server_close(ws)[0]  # the reason's words are each server's own
    return code, [line.split(" '")[0] for line in app_end(server, tag)]


def ping_and_pong(server):
    with connect(ws_url(server, "/echo")) as ws:
        answered = ws.ping(b"are you there").wait(5)
        ws.send("after the ping")
        return answered, ws.recv()


def client_closes_with_code_and_reason(server):
    tag, path = tagged("/echo")
    with connect(ws_url(server, path)) as ws:
        ws.send("hi")
        ws.recv()
        ws.close(4001, "bye")
        echoed = ws.close_code, ws.close_reason
    return echoed, app_end(server, tag)


def client_closes_without_a_code(server):
    """A close frame with no payload: the app is told 1005 (no status)."""
    tag, path = tagged("/echo")
    sock, client = raw_upgrade(server, path)
    sock.sendall(client.send(CloseConnection(code=CloseReason.NO_STATUS_RCVD)))
    client.receive_data(sock.recv(65536))
    answer = [(e.code, e.reason) for e in client.events()]
    sock.close()
    return answer, app_end(server, tag)


def app_closes_with_code_and_reason(server):
    tag, path = tagged("/close?code=4002&reason=server+bye")
    with connect(ws_url(server, path)) as ws:
        frame = server_close(ws)
    return frame, app_end(server, tag)


def app_closes_with_defaults(server):
    tag, path = tagged("/close")
    with connect(ws_url(server, path)) as ws:
        frame = server_close(ws)
    return frame, app_end(server, tag)


def app_raises_after_accept(server):
    with connect(ws_url(server, "/raise-after")) as ws:
        return server_close(ws)


def app_returns_after_accept(server):
    with connect(ws_url(server, "/return-after")) as ws:
        return server_close(ws)


def app_rejects(server):
    return refusal(server, "/reject")


def app_raises_before_accept(server):
    return refusal(server, "/raise-before")


def app_returns_before_accept(server):
    return refusal(server, "/return-before")


def app_denies_with_its_own_response(server):
    return refusal(server, "/deny")


def malformed_upgrades(server):
    """Each answered with a 4xx and a hang-up; then the server still serves."""
    observed = []
    for request in (
        upgrade_request(sec_websocket_key=None),
        upgrade_request(sec_websocket_version=b"8"),
        upgrade_request(sec_websocket_version=None),
        upgrade_request(method=b"POST"),
    ):
        with Wire(server.port) as wire:
            answer = wire.exchange(request)
            version = answer.headers.get(b"sec-websocket-version")
            observed.append((answer.status, version, wire.read_to_end()))
    with connect(ws_url(server, "/echo")) as ws:
        ws.send("still serving")
        observed.append(ws.recv())
    return observed


def other_upgrades_are_plain_http(server):
    with Wire(server.port) as wire:
        answer = wire.exchange(upgrade_request(b"/", upgrade=b"h2c"))
        return answer.status, answer.body


def abrupt_close_then_serving(server):
    """A reset mid-frame: the app is told, and the server carries on. (Which
    close code the app is told is a difference: see the test below.)"""
    tag, path = tagged("/wait")
    sock, client = raw_upgrade(server, path)
    wait_for_event(server, tag, "accepted")
    sock.sendall(client.send(Message(data=b"a" * 1000))[:100])
    reset(sock)
    told = [line.split()[0] for line in app_end(server, tag)]
    with connect(ws_url(server, "/echo")) as ws:
        ws.send("still serving")
        return told, ws.recv()


def many_connections(server):
    async def talk(number: int) -> str:
        async with websockets.connect(ws_url(server, "/echo")) as ws:
            await ws.send(f"hello {number}")
            return await ws.recv()

    async def all_at_once() -> list[str]:
        return await asyncio.gather(*(talk(n) for n in range(200)))

    return asyncio.run(all_at_once())


def the_scope(server):
    """The scope's keys that both fill alike (the headers differ: see below)."""
    with connect(ws_url(server, "/caf%C3%A9/scope?x=1"), subprotocols=["a"]) as ws:
        scope = json.loads(ws.recv())
    keys = ["type", "scheme", "http_version", "path", "raw_path", "query_string"]
    keys += ["root_path", "subprotocols", "extensions", "asgi", "state"]
    return {key: scope.get(key) for key in keys}


SCENARIOS = [
    accept_with_subprotocol_and_headers,
    echo_text_and_bytes,
    fragmented_messages,
    large_message,
    message_over_16_mib,
    ping_and_pong,
    client_closes_with_code_and_reason,
    client_closes_without_a_code,
    app_closes_with_code_and_reason,
    app_closes_with_defaults,
    app_raises_after_accept,
    app_returns_after_accept,
    app_rejects,
    app_raises_before_accept,
    app_returns_before_accept,
    app_denies_with_its_own_response,
    malformed_upgrades,
    other_upgrades_are_plain_http,
    abrupt_close_then_serving,
    many_connections,
    the_scope,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_same_as_uvicorn(ours, uvicorn, scenario):
    assert scenario(ours) == scenario(uvicorn)


def test_shutdown_closes_open_websockets_with_1012_like_uvicorn(chapter, tmp_path):
    """An accepted WebSocket gets a 1012 close (Service Restart) and its app
    a disconnect; a handshake the app has not answered yet gets a 500."""
    observed = {}
    for server, folder, options in [
        ("uvicorn", None, UVICORN_OPTIONS),
        ("nanoapi", chapter.path, ()),
    ]:
        log = tmp_path / f"{server}.log"
        env = {"WSAPP_LOG": str(log)}
        with serve(
            "wsapp:app", *options, server=server, app_dir=APPS, cwd=folder, env=env
        ) as running:
            with (
                connect(ws_url(running, "/wait?tag=stop")) as ws,
                Wire(running.port) as pending,
            ):
                assert wait_for_event(running, "stop", "accepted")
                later = b"/accept-later?seconds=0.5&tag=later"
                pending.send(upgrade_request(later))
                assert wait_for_event(running, "later", "waiting to accept")
                running.process.send_signal(signal.SIGTERM)
                frame = server_close(ws)
                status = pending.answer().status
            running.process.wait(5)
        observed[server] = frame, status, log.read_text().splitlines()
    assert observed["nanoapi"] == observed["uvicorn"]
    assert observed["nanoapi"][:2] == ((1012, ""), 500)


def test_an_abrupt_close_is_1006_for_us_and_1005_for_uvicorn(ours, uvicorn):
    """A connection that ends without a close frame has no close code; RFC 6455
    (7.1.5) calls that 1006, and so does wsproto. uvicorn tells the app 1005
    once the handshake is done (the code for a close frame without a code)."""
    codes = {}
    for name, server in (("nanoapi", ours), ("uvicorn", uvicorn)):
        tag, path = tagged("/wait")
        sock, _ = raw_upgrade(server, path)
        wait_for_event(server, tag, "accepted")
        reset(sock)
        codes[name] = app_end(server, tag)[1]
    assert codes == {"nanoapi": "disconnect 1006 ''", "uvicorn": "disconnect 1005 ''"}


def test_our_scope_keeps_every_request_header(ours, uvicorn):
    """wsproto's handshake event drops `sec-websocket-protocol` and
    `sec-websocket-extensions` and puts `host` first, and uvicorn builds its
    scope from that; we pass the request's headers as they came, in order, as
    the ASGI spec asks (the subprotocols are in the scope's own key too)."""
    names = {}
    for name, server in (("nanoapi", ours), ("uvicorn", uvicorn)):
        url = ws_url(server, "/scope")
        with connect(url, subprotocols=["a"]) as ws:
            scope = json.loads(ws.recv())
        names[name] = [header for header, _ in scope["headers"]]
    dropped = {"sec-websocket-protocol", "sec-websocket-extensions"}
    assert dropped <= set(names["nanoapi"])
    assert set(names["uvicorn"]) == set(names["nanoapi"]) - dropped


def test_the_too_large_close_says_it_in_our_words(ours):
    with connect(ws_url(ours, "/echo"), compression=None) as ws:
        ws.send(b"x" * (16 * 1024 * 1024 + 1))
        assert server_close(ws) == (
            1009,
            "Message over the maximum size (16777216 bytes)",
        )
    assert httpx.get(ours.url + "/").status_code == 200
