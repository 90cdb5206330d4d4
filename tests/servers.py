"""Serve a demo app with a real server on 127.0.0.1, and always stop it.

Each server runs as a subprocess on a free port; the context manager waits
until the port accepts connections, yields the base URL, then stops the
server with SIGTERM (SIGKILL if it will not go) and returns its log.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVERS = {
    "uvicorn": ["-m", "uvicorn", "--app-dir", "{dir}", "app:app", "--host",
                "127.0.0.1", "--port", "{port}"],
    "hypercorn": ["-m", "hypercorn", "--bind", "127.0.0.1:{port}", "app:app"],
    "granian": ["-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
                "--port", "{port}", "app:app"],
    # chapter 08's own server (tests/our_server.py explains the indirection)
    "nanoapi": [str(Path(__file__).with_name("our_server.py")), "app:app",
                "--app-dir", "{dir}", "--host", "127.0.0.1", "--port", "{port}"],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} after {timeout} s")


@contextmanager
def serve(
    server: str, app_dir: Path, timeout: float = 20
) -> Iterator[tuple[str, list[str]]]:
    """Yield (base URL, log lines); the log is filled in when the server stops."""
    port = free_port()
    args = [a.format(dir=app_dir, port=port) for a in SERVERS[server]]
    log: list[str] = []
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=app_dir, stdout=output, stderr=output
        )
        try:
            wait_for_port(port, process, timeout)
            yield f"http://127.0.0.1:{port}", log
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            output.seek(0)
            log.extend(output.read().splitlines())
