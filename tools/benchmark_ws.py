"""The benchmark's WebSocket part: our server against uvicorn, over one socket.

    python tools/benchmark.py --only ws        # only this part
    python tools/benchmark_ws.py             # the same, run directly

Two measures, with a raw ASGI app (no framework), each server on core 0 and
the client (the `websockets` package, asyncio) on core 1:

* echo: one connection, 16 small text messages in flight, each sent back by
  the app; messages per second, and the server's CPU time per message (read
  from /proc, which other processes on the machine disturb much less). The
  last chapter's server against uvicorn with the same libraries (wsproto, h11,
  asyncio), and uvicorn at its fastest (websockets, httptools, uvloop) for
  scale. Rounds interleave the servers; each round's order is reversed on
  the next; the ratios are the median of same-round ratios.
* memory: the resident memory (VmRSS) of a fresh server holding 1,000 idle
  WebSocket connections, as a browser opens them (compression offered).
* HTTP: the server's CPU time per plain HTTP request (`wrk -t1 -c50`, a raw
  ASGI app), the last chapter's server against chapter 08's: what the
  WebSocket upgrade costs the requests that do not ask for it. Needs wrk.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import servers  # noqa: E402
from benchmark import ratios, verdict  # noqa: E402
from benchmark_http import cpu_seconds, pinned, wrk  # noqa: E402
from benchmark_upload import status_kib  # noqa: E402
from harness import all_chapters, find_chapter  # noqa: E402

# issue 16: >= 0.8x uvicorn's echo, < 100 MB, HTTP within 5% of chapter 08
GOALS = {"echo": 0.8, "memory MB": 100, "http": 1.05}
IDLE = 1000  # connections held for the memory measure
WINDOW = 16  # echo messages in flight
APP = '''
async def app(scope, receive, send):
    """Echo every WebSocket message; a short answer to HTTP; lifespan."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    elif scope["type"] == "http":
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})
    else:
        await receive()
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({**message, "type": "websocket.send"})
'''
UVICORN = [sys.executable, "-m", "uvicorn", "--log-level", "warning"]
SERVERS = {  # name: the command (the app and the port follow)
    "ours": [sys.executable, "-m", "nanoapi", "--log-level", "warning"],
    "uvicorn": [*UVICORN, "--ws", "wsproto", "--http", "h11", "--loop", "asyncio"],
    "uvicorn fastest": [*UVICORN, "--ws", "websockets-sansio", "--http",
                        "httptools", "--loop", "uvloop"],
}  # fmt: skip
LABELS = {
    "ours": "ours (wsproto, h11, asyncio)",
    "uvicorn": "uvicorn (wsproto, h11, asyncio)",
    "uvicorn fastest": "uvicorn (websockets, httptools, uvloop)",
}


def server_folder() -> Path:
    """The last chapter: `python -m nanoapi` there runs its own server."""
    return all_chapters()[-1].path


def start(
    name: str, app_dir: Path, folder: Path | None = None
) -> tuple[subprocess.Popen, int]:
    command = [*SERVERS[name], "--app-dir", str(app_dir), "bench_ws_app:app"]
    command += ["--port", "{port}"]
    return servers.start(
        pinned(0, command), cwd=folder or server_folder(), stderr=subprocess.DEVNULL
    )


def resident_mb(pid: int) -> float:
    return status_kib(pid, "VmRSS") / 1024


def client(*args: str) -> subprocess.Popen:
    """This file's client side, in another process pinned to core 1."""
    command = [sys.executable, __file__, *args]
    return subprocess.Popen(
        pinned(1, command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


# ------------------------------------------------------------------ client side
def echo_client(port: int, seconds: float) -> dict[str, float]:
    """Keep WINDOW messages in flight on one connection, for `seconds`.

    A plain socket with frames made once by wsproto, so that the client costs
    next to nothing: what limits the rate is the server. Each echo comes back
    as an unmasked frame of a known size, so counting bytes counts messages."""
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request, TextMessage

    sock = socket.create_connection(("127.0.0.1", port))
    ws = WSConnection(ConnectionType.CLIENT)
    sock.sendall(ws.send(Request(host="bench", target="/")))
    while not any(isinstance(e, AcceptConnection) for e in ws.events()):
        ws.receive_data(sock.recv(65536))
    frame = ws.send(TextMessage("x" * 64))  # masked, as a client must
    answer = len(frame) - 4  # the server's frame: the same, without the mask
    received = 0  # bytes

    def echoed_until(target: int) -> int:
        """Read echoes, sending one more for each, until `target` came back."""
        nonlocal received
        while (done := received // answer) < target:
            received += len(sock.recv(65536))
            sock.sendall(frame * (received // answer - done))
        return done

    sock.sendall(frame * WINDOW)
    warm = echoed_until(200)  # warm-up: nothing lazy left for the timed part
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        done = echoed_until(received // answer + 1000)
    elapsed = time.perf_counter() - started
    sock.close()
    return {"rate": (done - warm) / elapsed, "messages": done + WINDOW}


async def hold_client(port: int, count: int) -> None:
    """Open `count` WebSockets, say so, and hold them until told (stdin)."""
    import websockets

    url = f"ws://127.0.0.1:{port}/"
    held = [await websockets.connect(url) for _ in range(count)]
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    await asyncio.gather(*(ws.close() for ws in held))


# ------------------------------------------------------------------ measuring
def echo_rounds(app_dir: Path, rounds: int, seconds: float) -> dict[str, dict]:
    samples = {name: {"rate": [], "cpu": []} for name in SERVERS}
    running = {}
    try:
        for name in SERVERS:
            running[name] = start(name, app_dir)
        for number in range(rounds):
            order = list(SERVERS)[::-1] if number % 2 else list(SERVERS)
            for name in order:
                process, port = running[name]
                before = cpu_seconds(process.pid)
                run = client("echo", str(port), str(seconds))
                result = json.loads(run.communicate()[0])
                spent = cpu_seconds(process.pid) - before
                samples[name]["rate"].append(result["rate"])
                samples[name]["cpu"].append(spent / result["messages"])
    finally:
        for process, _ in running.values():
            servers.stop(process)
    return samples


def memory(app_dir: Path, name: str) -> dict[str, float]:
    """A fresh server's resident memory before and while it holds IDLE sockets."""
    process, port = start(name, app_dir)
    try:
        warm = client("hold", str(port), "1")  # loads what the first socket needs
        warm.stdout.readline()
        warm.communicate("\n")
        time.sleep(0.2)
        before = resident_mb(process.pid)
        holding = client("hold", str(port), str(IDLE))
        if holding.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{name}: the client could not open {IDLE} sockets")
        time.sleep(0.5)
        during = resident_mb(process.pid)
        holding.communicate("\n")
    finally:
        servers.stop(process)
    return {"before": before, "during": during}


def wrk_requests(port: int, seconds: float) -> int:
    return wrk(port, "/", seconds, None)[1]


def http_rounds(app_dir: Path, rounds: int, seconds: float) -> dict[str, list]:
    """CPU seconds per HTTP request: chapter 08's server, then the last one's."""
    folders = {"ch08": find_chapter("08").path, "last": server_folder()}
    running = {}
    samples: dict[str, list] = {name: [] for name in folders}
    try:
        for name, folder in folders.items():
            running[name] = start("ours", app_dir, folder)
        for _, port in running.values():
            wrk_requests(port, 1)  # warm-up
        for number in range(rounds):
            for name in list(folders)[:: -1 if number % 2 else 1]:
                process, port = running[name]
                before = cpu_seconds(process.pid)
                done = wrk_requests(port, seconds)
                samples[name].append((cpu_seconds(process.pid) - before) / done)
    finally:
        for process, _ in running.values():
            servers.stop(process)
    return samples


def run(rounds: int = 3, seconds: float = 2) -> dict[str, dict]:
    if not shutil.which("taskset"):
        print("(taskset not found: the processes are not pinned to cores)")
    with tempfile.TemporaryDirectory() as tmp:
        app_dir = Path(tmp)
        (app_dir / "bench_ws_app.py").write_text(APP)
        results = {
            "echo": echo_rounds(app_dir, rounds, seconds),
            "memory": {name: memory(app_dir, name) for name in ("ours", "uvicorn")},
        }
        if shutil.which("wrk"):
            results["http"] = http_rounds(app_dir, rounds * 2, seconds)
        return results


def report(results: dict[str, dict], final: str) -> str:
    echo, mem = results["echo"], results["memory"]
    rounds = len(echo["ours"]["rate"])
    lines = [
        f"\nWebSocket echo, one connection, {WINDOW} messages in flight: {final}'s"
        " server / uvicorn, server on core 0, client on core 1; median of the"
        f" same-round ratios over {rounds} rounds",
        f"  {'server':40} {'messages/s':>10} {'ours / it':>10} {'(min-max)':>11}"
        f" {'CPU us/msg':>10} {'CPU ratio':>9}",
    ]
    for name in SERVERS:
        rates = ratios(echo["ours"]["rate"], echo[name]["rate"])
        cpu = ratios(echo[name]["cpu"], echo["ours"]["cpu"])
        lines.append(
            f"  {LABELS[name]:40} {statistics.median(echo[name]['rate']):10.0f}"
            f" {statistics.median(rates):10.2f}"
            f" {f'({min(rates):.2f}-{max(rates):.2f})':>11}"
            f" {statistics.median(echo[name]['cpu']) * 1e6:10.1f}"
            f" {statistics.median(cpu):9.2f}"
        )
    ratio = statistics.median(ratios(echo["ours"]["rate"], echo["uvicorn"]["rate"]))
    fastest = statistics.median(
        ratios(echo["ours"]["rate"], echo["uvicorn fastest"]["rate"])
    )
    lines.append(
        f"  goal: at least {GOALS['echo']}x uvicorn's messages per second, with the"
        f" same libraries: {ratio:.2f}, {verdict(ratio, GOALS['echo'], at_most=False)};"
        f" uvicorn at its fastest, for scale: {fastest:.2f}."
        " CPU ratio: its CPU time per message / ours"
    )
    lines.append(f"\nresident memory holding {IDLE} idle WebSockets (fresh server)")
    for name, figures in mem.items():
        per = (figures["during"] - figures["before"]) * 1024 / IDLE
        lines.append(
            f"  {name:10} {figures['before']:6.1f} MB idle, {figures['during']:6.1f}"
            f" MB with them ({per:.1f} KB each)"
        )
    held = mem["ours"]["during"]
    lines.append(
        f"  goal: under {GOALS['memory MB']} MB: {held:.1f} MB,"
        f" {verdict(held, GOALS['memory MB'])}"
    )
    if "http" in results:
        lines.append(http_report(results["http"], final))
    return "\n".join(lines)


def http_report(samples: dict[str, list], final: str) -> str:
    costs = ratios(samples["last"], samples["ch08"])
    ratio = statistics.median(costs)
    return (
        f"\nplain HTTP through the server (raw ASGI app, wrk -t1 -c50): {final}'s"
        f" server CPU time per request / chapter 08's, {len(costs)} rounds\n"
        f"  ch08 {statistics.median(samples['ch08']) * 1e6:.1f} us,"
        f" {final} {statistics.median(samples['last']) * 1e6:.1f} us:"
        f" {ratio:.3f} ({min(costs):.3f}-{max(costs):.3f});"
        f" goal: at most {GOALS['http']}, {verdict(ratio, GOALS['http'])}"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["echo"]:
        print(json.dumps(echo_client(int(argv[1]), float(argv[2]))))
    elif argv[:1] == ["hold"]:
        asyncio.run(hold_client(int(argv[1]), int(argv[2])))
    else:
        print(report(run(), f"ch{all_chapters()[-1].number}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
