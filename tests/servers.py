"""Serve a demo app with a real server on 127.0.0.1, and always stop it.

Each server runs as a subprocess on a free port: `start` waits until the port
accepts connections (and stops the process if it never does), `stop` sends
SIGTERM, then SIGKILL if it will not go. `serve` is both around a block: it
yields the base URL, then stops the server and returns its log. The
benchmarks in tools/ start and stop their servers with the same two.
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
from typing import Any

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


def start(
    command: list[str], timeout: float = 30, **options: Any
) -> tuple[subprocess.Popen, int]:
    """Run `command` on a free port ("{port}" in it stands for the port) and
    wait until the port accepts connections; `options` go to Popen (cwd, env,
    stdout, stderr). A server that never listens is stopped, then this raises."""
    port = free_port()
    process = subprocess.Popen(
        [arg.replace("{port}", str(port)) for arg in command], **options
    )
    try:
        wait_for_port(port, process, timeout)
    except BaseException:
        stop(process)
        raise
    return process, port


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, and SIGKILL if the process has not ended `timeout` s later."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serve(
    server: str, app_dir: Path, timeout: float = 20
) -> Iterator[tuple[str, list[str]]]:
    """Yield (base URL, log lines); the log is filled in when the server stops."""
    args = [a.replace("{dir}", str(app_dir)) for a in SERVERS[server]]
    log: list[str] = []
    with tempfile.TemporaryFile("w+") as output:
        process, port = start(
            [sys.executable, *args], timeout, cwd=app_dir, stdout=output, stderr=output
        )
        try:
            yield f"http://127.0.0.1:{port}", log
        finally:
            stop(process)
            output.seek(0)
            log.extend(output.read().splitlines())
