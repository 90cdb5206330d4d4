"""WebSocket clients for the server tests: the `websockets` package, and raw.

`websockets` (a complete client, as a browser would be) does the ordinary
talking. Where the bytes matter (a malformed upgrade, a connection reset in
the middle of a frame), `raw_upgrade` writes the handshake itself and wsproto
plays the client. `events` reads what the test app (tests/11_websockets/apps)
noted under a tag.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import httpx
from wire import Running, wait_until
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request

APPS = Path(__file__).resolve().parent / "11_websockets" / "apps"
UVICORN_OPTIONS = ("--ws", "wsproto")  # the WebSocket library we use too
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's example key
UPGRADE_HEADERS = {
    b"host": b"x",
    b"connection": b"Upgrade",
    b"upgrade": b"websocket",
    b"sec-websocket-key": KEY,
    b"sec-websocket-version": b"13",
}


def ws_url(server: Running, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def upgrade_request(
    path: bytes = b"/echo", method: bytes = b"GET", **changed: bytes | None
) -> bytes:
    """An upgrade request's bytes; `changed` replaces headers (None drops one).
    Header names are given with underscores: `sec_websocket_key=None`."""
    headers = dict(UPGRADE_HEADERS)
    for name, value in changed.items():
        key = name.replace("_", "-").encode()
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    lines = [method + b" " + path + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in headers.items()]
    return b"\r\n".join([*lines, b"", b""])


def raw_upgrade(server: Running, path: str) -> tuple[socket.socket, WSConnection]:
    """An accepted WebSocket on a plain socket, with wsproto as the client."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    client = WSConnection(ConnectionType.CLIENT)
    sock.sendall(client.send(Request(host="x", target=path)))
    while not (events := list(client.events())):
        client.receive_data(sock.recv(65536))
    assert isinstance(events[0], AcceptConnection), events
    return sock, client


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset: no close frame, no FIN, the kernel says RST."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def events(server: Running, tag: str) -> list[str]:
    """What the app noted under `tag`, without the tag."""
    text = httpx.get(f"{server.url}/events", params={"tag": tag}).text
    return [line.split(" ", 1)[1] for line in text.splitlines()]


def wait_for_event(server: Running, tag: str, line: str, timeout: float = 5) -> bool:
    return wait_until(lambda: line in events(server, tag), timeout)
