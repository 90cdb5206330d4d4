"""Chapter 11: our server (`python -m nanoapi`) speaking WebSocket for real.

Each test talks to a subprocess on 127.0.0.1 serving the raw ASGI app in
`apps/wsapp.py`: through the `websockets` client where a whole client is
wanted, over raw sockets (wsproto as the client) where the bytes matter. What
the app saw, it notes under a tag that the test reads back over HTTP.
"""

import asyncio
import json
import re
import signal
import threading
import time

import httpx
import pytest
from wire import Wire, serve, settled, wait_until
from wsproto.events import Message
from wsproto.frame_protocol import FrameProtocol
from wswire import (
    APPS,
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
MiB = 1024 * 1024


def closed_by_server(ws) -> ConnectionClosed:
    """Wait for the server to close; the exception says what it sent."""
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    return closed.value


# The handshake


def test_echo_text_and_bytes(ours):
    with connect(ws_url(ours, "/echo")) as ws:
        ws.send("héllo")
        assert ws.recv() == "héllo"  # text stays text
        ws.send(b"\x00\xff")
        assert ws.recv() == b"\x00\xff"  # bytes stay bytes


def test_accept_with_a_subprotocol_and_headers(ours):
    url = ws_url(ours, "/subprotocol")
    with connect(url, subprotocols=["chat", "superchat"]) as ws:
        assert ws.subprotocol == "superchat"  # the app chose the last one offered
        assert ws.response.status_code == 101
        assert ws.response.headers["x-room"] == "lobby"
        assert ws.response.headers["server"] == "nanoapi"


def test_per_message_deflate_when_the_client_offers_it(ours):
    with connect(ws_url(ours, "/echo")) as ws:  # websockets offers it by default
        extensions = ws.response.headers["sec-websocket-extensions"]
        assert extensions.startswith("permessage-deflate")
        ws.send("a" * 10_000)
        assert ws.recv() == "a" * 10_000
    with connect(ws_url(ours, "/echo"), compression=None) as ws:
        assert "sec-websocket-extensions" not in ws.response.headers


def test_the_websocket_scope(ours):
    url = ws_url(ours, "/caf%C3%A9/scope?x=1")
    with connect(url, subprotocols=["a", "b"]) as ws:
        scope = json.loads(ws.recv())
    assert scope["type"] == "websocket"
    assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert (scope["scheme"], scope["http_version"]) == ("ws", "1.1")
    assert "method" not in scope
    assert scope["path"] == "/café/scope"
    assert scope["raw_path"] == "/caf%C3%A9/scope"
    assert scope["query_string"] == "x=1"
    assert scope["subprotocols"] == ["a", "b"]
    assert scope["extensions"] == {"websocket.http.response": {}}
    names = [name for name, _ in scope["headers"]]
    assert {"host", "sec-websocket-key", "sec-websocket-protocol"} <= set(names)
    assert scope["client"][0] == "127.0.0.1"
    assert scope["server"] == ["127.0.0.1", ours.port]


# Messages


def test_a_fragmented_message_arrives_whole(ours):
    with connect(ws_url(ours, "/echo")) as ws:
        ws.send(["frag", "men", "ted"])  # one message in three frames
        assert ws.recv() == "fragmented"
        ws.send([b"by", b"tes"])
        assert ws.recv() == b"bytes"


def test_a_large_message_both_ways(ours):
    message = bytes(range(256)) * (16 * 1024)  # 4 MiB
    with connect(ws_url(ours, "/echo"), max_size=None, compression=None) as ws:
        ws.send(message)
        assert ws.recv() == message


def test_a_message_over_16_mib_is_refused_with_1009(ours):
    with connect(ws_url(ours, "/echo?tag=big"), compression=None) as ws:
        ws.send(b"x" * (16 * MiB + 1))
        closed = closed_by_server(ws)
    assert closed.rcvd.code == 1009
    assert "16777216" in closed.rcvd.reason
    assert wait_for_event(ours, "big", f"disconnect 1009 {closed.rcvd.reason!r}")


def test_a_ping_gets_its_pong(ours):
    with connect(ws_url(ours, "/echo")) as ws:
        assert ws.ping(b"are you there").wait(5)
        ws.send("still open")
        assert ws.recv() == "still open"


def test_many_connections_at_once(ours):
    async def talk(number: int) -> str:
        async with websockets.connect(ws_url(ours, "/echo")) as ws:
            await ws.send(f"hello {number}")
            return await ws.recv()

    async def all_at_once(count: int) -> list[str]:
        return await asyncio.gather(*(talk(n) for n in range(count)))

    assert asyncio.run(all_at_once(200)) == [f"hello {n}" for n in range(200)]


# Closing, both ways


def test_the_client_closes_with_a_code_and_a_reason(ours):
    with connect(ws_url(ours, "/echo?tag=bye")) as ws:
        ws.close(4001, "bye")
        assert (ws.close_code, ws.close_reason) == (4001, "bye")  # echoed back
    assert wait_for_event(ours, "bye", "disconnect 4001 'bye'")


def test_the_app_closes_with_a_code_and_a_reason(ours):
    with connect(ws_url(ours, "/close?tag=app&code=4002&reason=server+bye")) as ws:
        closed = closed_by_server(ws)
    assert (closed.rcvd.code, closed.rcvd.reason) == (4002, "server bye")
    assert wait_for_event(ours, "app", "disconnect 4002 'server bye'")
    # Sending after its own close is the app's mistake, not the client's leaving.
    assert wait_for_event(ours, "app", "send after close raised RuntimeError")


def test_the_app_closes_with_the_default_code(ours):
    with connect(ws_url(ours, "/close")) as ws:
        assert closed_by_server(ws).rcvd.code == 1000


@pytest.mark.parametrize("path", ["/raise-after", "/return-after"])
def test_an_app_that_ends_after_accept_drops_the_connection(ours, path):
    with connect(ws_url(ours, path)) as ws:
        closed = closed_by_server(ws)
    assert closed.rcvd is None  # no close frame: the client sees 1006, as uvicorn


@pytest.mark.parametrize("ending", ["reset mid-frame", "close without a frame"])
def test_an_abrupt_close_gives_the_app_1006(ours, ending):
    tag = ending.replace(" ", "-")
    sock, client = raw_upgrade(ours, f"/wait?tag={tag}")
    assert wait_for_event(ours, tag, "accepted")
    if ending == "reset mid-frame":
        frame = client.send(Message(data=b"a" * 1000))
        sock.sendall(frame[:100])
        reset(sock)
    else:
        sock.close()
    assert wait_for_event(ours, tag, "disconnect 1006 ''")
    assert wait_for_event(ours, tag, "send after disconnect raised ClientDisconnected")
    with connect(ws_url(ours, "/echo")) as ws:  # and the server carries on
        ws.send("hi")
        assert ws.recv() == "hi"


def test_an_upgrade_after_plain_requests_on_a_kept_alive_connection(ours):
    with Wire(ours.port) as wire:
        assert wire.exchange(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 200
        wire.send(upgrade_request())
        answer = wire.recv()
    assert answer.startswith(b"HTTP/1.1 101 ")


def test_frames_sent_with_the_upgrade_request_are_kept(ours):
    """A client should wait for the 101, but bytes that came early (in h11's
    buffer with the request head) reach wsproto once the app accepts."""
    early = FrameProtocol(client=True, extensions=[]).send_data("early bird")
    with Wire(ours.port) as wire:
        wire.send(upgrade_request() + bytes(early))
        received = b""
        while b"early bird" not in received and (data := wire.recv()):
            received += data  # the echo: an unmasked frame, its text as it is
    assert received.startswith(b"HTTP/1.1 101 ")
    assert b"early bird" in received


# Refusals


def refused(url: str):
    with pytest.raises(InvalidStatus) as error:
        connect(url).close()
    return error.value.response


def test_close_before_accept_is_a_403(ours):
    response = refused(ws_url(ours, "/reject"))
    assert (response.status_code, response.body) == (403, b"")


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/raise-before", "boom before accept"),
        ("/return-before", "ASGI callable returned without completing handshake."),
    ],
)
def test_an_app_that_fails_before_accept_gets_a_500(ours, path, logged):
    response = refused(ws_url(ours, path))
    assert (response.status_code, response.body) == (500, b"Internal Server Error")
    assert logged in ours.log()


def test_the_app_can_deny_with_its_own_response(ours):
    response = refused(ws_url(ours, "/deny"))
    assert (response.status_code, response.body) == (401, b"no entry")
    assert response.headers["content-type"] == "text/plain"


def test_the_access_log_has_a_line_for_each_handshake(ours):
    with connect(ws_url(ours, "/echo?log=caf%C3%A9")):
        pass
    refused(ws_url(ours, "/reject?log=1"))
    refused(ws_url(ours, "/deny?log=1"))
    log = ours.log()  # each line is written before the refusal goes out
    lines = [
        r'"WebSocket /echo\?log=caf%C3%A9" \[accepted\]',  # the query as sent
        r'"WebSocket /reject\?log=1" 403',
        r'"WebSocket /deny\?log=1" 401',
    ]
    for line in lines:  # the client as host:port first, as uvicorn logs it
        assert re.search(r" 127\.0\.0\.1:\d+ - " + line + "$", log, re.MULTILINE)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (upgrade_request(sec_websocket_key=None), 400),
        (upgrade_request(sec_websocket_version=b"8"), 426),
        (upgrade_request(sec_websocket_version=None), 400),
        (upgrade_request(method=b"POST"), 400),
    ],
    ids=["no key", "version 8", "no version", "POST"],
)
def test_a_malformed_upgrade_is_a_4xx_and_the_server_carries_on(
    ours, request_bytes, status
):
    with Wire(ours.port) as wire:
        answer = wire.exchange(request_bytes)
        assert answer.status == status
        if status == 426:  # the version we speak
            assert answer.headers[b"sec-websocket-version"] == b"13"
        assert wire.read_to_end() == b""  # and we hang up
    assert "Invalid WebSocket upgrade request" in ours.log()
    with connect(ws_url(ours, "/echo")) as ws:
        ws.send("still serving")
        assert ws.recv() == "still serving"


@pytest.mark.parametrize(
    "request_bytes",
    [
        upgrade_request(b"/", upgrade=b"h2c"),  # another protocol
        upgrade_request(b"/", connection=b"keep-alive"),  # no `Connection: upgrade`
    ],
    ids=["h2c", "no connection upgrade"],
)
def test_a_request_that_is_not_a_websocket_upgrade_is_plain_http(ours, request_bytes):
    with Wire(ours.port) as wire:
        answer = wire.exchange(request_bytes)
        assert (answer.status, answer.body) == (200, b"Hello, HTTP!")


# Backpressure: nobody buffers what the other side does not read


def test_a_client_sending_to_an_app_that_reads_nothing_is_held_back(ours):
    """The app takes no message for 3 s. We read one message ahead at most,
    so the client's sends stop once the kernel's socket buffers are full."""
    sent = []
    with connect(ws_url(ours, "/ignore?seconds=3"), compression=None) as ws:

        def send_for_a_while() -> None:
            for _ in range(100):
                ws.send(b"x" * MiB)
                sent.append(1)

        sender = threading.Thread(target=send_for_a_while, daemon=True)
        sender.start()
        assert wait_until(lambda: sent)
        held_back = settled(lambda: len(sent))
        sender.join(10)  # the app reads after 3 s, and everything goes through
    assert held_back < 40  # MiB: the socket buffers and one message, not 100
    assert len(sent) == 100


def test_an_app_sending_to_a_client_that_reads_nothing_is_held_back(ours):
    url = ws_url(ours, "/flood?tag=flood&count=1000&size=65536")  # 64 MiB
    with connect(url, max_size=None, compression=None) as ws:
        assert wait_until(lambda: events(ours, "flood"))
        progress = settled(lambda: len(events(ours, "flood")))
        assert progress < 300  # 19 MiB: drain() holds the app back
        received = 0
        with pytest.raises(ConnectionClosed):
            while True:
                received += len(ws.recv(timeout=10))
    assert received == 1000 * 65536


# Stopping


def test_shutdown_closes_open_websockets_with_1012(chapter, tmp_path):
    log = tmp_path / "app.log"
    with serve(
        "wsapp:app",
        server="nanoapi",
        app_dir=APPS,
        cwd=chapter.path,
        env={"WSAPP_LOG": str(log)},
    ) as running:
        with connect(ws_url(running, "/wait?tag=stop")) as ws:
            assert wait_for_event(running, "stop", "accepted")
            started = time.monotonic()
            running.process.send_signal(signal.SIGTERM)
            closed = closed_by_server(ws)
        assert running.process.wait(5) == 0
        assert time.monotonic() - started < 3
    assert closed.rcvd.code == 1012  # Service Restart
    assert "stop disconnect 1012 ''" in log.read_text().splitlines()


def test_the_ws_max_size_option(chapter, tmp_path):
    with serve(
        "wsapp:app",
        "--ws-max-size",
        "1000",
        server="nanoapi",
        app_dir=APPS,
        cwd=chapter.path,
    ) as running:
        with connect(ws_url(running, "/echo")) as ws:
            ws.send(b"x" * 1000)
            assert ws.recv() == b"x" * 1000
            ws.send(b"x" * 1001)
            assert closed_by_server(ws).rcvd.code == 1009
        assert httpx.get(running.url + "/").status_code == 200
