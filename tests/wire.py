"""Raw HTTP/1.1 over a socket, against a server started for the test.

`serve()` runs our server (`python -m nanoapi`) or uvicorn as a subprocess on
a free port and always stops it. `Wire` is one client connection: it writes
requests as bytes, exactly as given (malformed ones too), and reads answers
with h11 playing the client, so a test sees each answer's status, framing and
body, and whether the server hung up afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import h11
from harness import all_chapters
from servers import start

# The folder whose `nanoapi/` (with its server) and demo `app.py` are served:
# the chapter that adds the server, or a learner's folder (`--target`, which
# tests/08_server/conftest.py puts here).
ROOT = next(c.path for c in all_chapters() if (c.path / "nanoapi/server.py").exists())
APPS = Path(__file__).resolve().parent / "08_server" / "apps"

COMMANDS = {
    "nanoapi": ["-m", "nanoapi", "--app-dir", "{dir}", "{app}", "--port", "{port}"],
    "uvicorn": ["-m", "uvicorn", "--app-dir", "{dir}", "{app}", "--port", "{port}",
                "--http", "h11", "--lifespan", "auto"],
}  # fmt: skip


@dataclass
class Running:
    """A server process, its port, and its log so far."""

    process: subprocess.Popen
    port: int
    output: tempfile._TemporaryFileWrapper

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        self.output.flush()
        return Path(self.output.name).read_text()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Send `sig` and wait for the process to end; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def wire(self) -> Wire:
        return Wire(self.port)


@contextmanager
def serve(
    app: str = "raw:app",
    *options: str,
    server: str = "nanoapi",
    app_dir: Path = APPS,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[Running]:
    """Start a server on a free port; stop it (SIGTERM, then SIGKILL) afterwards."""
    # "{port}" stays: start() puts in the free port it finds
    args = [a.format(dir=app_dir, app=app, port="{port}") for a in COMMANDS[server]]
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as output:
        process, port = start(
            [sys.executable, *args, *options],
            timeout=20,
            cwd=cwd or ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        running = Running(process, port, output)
        try:
            yield running
        finally:
            if process.poll() is None:
                running.stop()


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m nanoapi ARGS` when it is not expected to keep serving."""
    command = [sys.executable, "-m", "nanoapi", *args]
    return subprocess.run(
        command, cwd=cwd or ROOT, capture_output=True, text=True, timeout=20
    )


@dataclass
class Answer:
    status: int
    headers: dict[bytes, bytes]
    body: bytes
    interim: list[int] = field(default_factory=list)  # 1xx status codes first

    @property
    def framing(self) -> str:
        """How the body's end was marked: a length, chunks, or closing."""
        if b"content-length" in self.headers:
            return "content-length"
        if b"chunked" in self.headers.get(b"transfer-encoding", b"").lower():
            return "chunked"
        return "close"


class Wire:
    """One raw client connection to 127.0.0.1."""

    def __init__(self, port: int, timeout: float = 5) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.unread = b""  # bytes of the next answer, already received

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except ConnectionResetError:
            return b""

    def read_to_end(self) -> bytes:
        """Everything until the server closes the connection."""
        data = self.unread
        while chunk := self.recv():
            data += chunk
        return data

    def answer(self, method: str = "GET") -> Answer:
        """Read one answer to a request made with `method` (HEAD has no body)."""
        client = h11.Connection(h11.CLIENT)  # told of a request, to parse its answer
        client.send(h11.Request(method=method, target="/", headers=[("host", "x")]))
        client.send(h11.EndOfMessage())
        if self.unread:  # (receive_data(b"") would mean the server hung up)
            client.receive_data(self.unread)
        answer = Answer(0, {}, b"")
        while not isinstance(event := client.next_event(), h11.EndOfMessage):
            if event is h11.NEED_DATA:
                client.receive_data(self.recv())
            elif isinstance(event, h11.InformationalResponse):
                answer.interim.append(event.status_code)
            elif isinstance(event, h11.Response):
                answer.status, answer.headers = event.status_code, dict(event.headers)
            elif isinstance(event, h11.Data):
                answer.body += event.data
            else:
                raise ConnectionError(f"no answer, but {event!r}")
        self.unread = client.trailing_data[0]
        return answer

    def exchange(self, data: bytes, method: str = "GET") -> Answer:
        self.send(data)
        return self.answer(method)

    def hung_up(self) -> bool:
        """Did the server close this connection? An open one answers a probe."""
        try:
            self.exchange(b"GET / HTTP/1.1\r\nHost: probe\r\n\r\n")
        except (OSError, h11.ProtocolError):
            return True
        return False


def wait_until(condition, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def settled(read, quiet: float = 0.3, timeout: float = 10):
    """`read()`'s value once it has stopped changing for `quiet` seconds: how
    far a held-back producer got. Fails if it is still moving after `timeout`."""
    deadline = time.monotonic() + timeout
    value, since = read(), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, f"still moving after {timeout} s: {value}"
        time.sleep(0.05)
        if (now := read()) != value:
            value, since = now, time.monotonic()
    return value
