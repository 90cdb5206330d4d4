"""The benchmark's second half: requests per second over HTTP, on uvicorn.

    python tools/benchmark.py --http        # runs this after the in-process part

The same four scenarios, served by uvicorn with httptools and uvloop on
127.0.0.1, FastAPI's app and the last chapter's app one after the other, with
`wrk` (Debian's package) as the load on the other core. Rounds interleave the
two; the report gives each one's median requests/second and the ratio.
"""

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

APP_MODULE = """
import sys
sys.path[:0] = [{tools!r}, {tests!r}]
import benchmark
from harness import all_chapters, load_package

last = load_package(all_chapters()[-1])
fastapi_app = benchmark.framework_apps(benchmark.fastapi_namespace())["hello"]
ours_app = benchmark.framework_apps(benchmark.pkg_namespace(last))["hello"]
"""
LUA_POST = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
"""


def pinned(core: int, command: list[str]) -> list[str]:
    return (
        ["taskset", "-c", str(core), *command] if shutil.which("taskset") else command
    )


def start(folder: Path, app: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(folder), app,
               "--port", str(port), "--http", "httptools", "--loop", "uvloop",
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(pinned(0, command), stderr=subprocess.DEVNULL)
    wait_for_port(port, process, timeout=20)
    return process, port


def wrk(port: int, path: str, seconds: int, script: Path | None) -> float:
    command = ["wrk", "-t1", "-c50", f"-d{seconds}s"]
    if script:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(pinned(1, command), capture_output=True, text=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not found or "Non-2xx" in output:
        raise RuntimeError(f"wrk failed on {path}:\n{output}")
    return float(found.group(1))


def run(scenarios: dict, rounds: int = 2, seconds: int = 3) -> dict[str, dict]:
    """Median requests/second per scenario, for "fastapi" and "ours"."""
    if not shutil.which("wrk"):
        raise SystemExit("the HTTP benchmark needs wrk: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        code = APP_MODULE.format(tools=str(ROOT / "tools"), tests=str(ROOT / "tests"))
        (folder / "bench_http_apps.py").write_text(code)
        servers = {name: start(folder, f"bench_http_apps:{name}_app")
                   for name in ("fastapi", "ours")}  # fmt: skip
        try:
            return measure(servers, scenarios, folder, rounds, seconds)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=10)


def measure(servers, scenarios, folder, rounds, seconds) -> dict[str, dict]:
    samples: dict[str, dict[str, list[float]]] = {s: {} for s in scenarios}
    for _ in range(rounds):
        for scenario, (method, path, query, body) in scenarios.items():
            script = None
            if method == "POST":
                script = folder / "post.lua"
                script.write_text(LUA_POST.format(body=json.dumps(body.decode())))
            url = path + (f"?{query.decode()}" if query else "")
            for name, (_, port) in servers.items():
                samples[scenario].setdefault(name, []).append(
                    wrk(port, url, seconds, script)
                )
                time.sleep(0.2)
    return {
        s: {name: statistics.median(v) for name, v in by.items()}
        for s, by in samples.items()
    }


def report(rates: dict[str, dict]) -> str:
    lines = ["\nover HTTP: uvicorn (httptools, uvloop), wrk -c50, requests/second"]
    lines.append(f"  {'scenario':10} {'fastapi':>10} {'ours':>10} {'ours/fastapi':>13}")
    for scenario, by in rates.items():
        ratio = by["ours"] / by["fastapi"]
        lines.append(
            f"  {scenario:10} {by['fastapi']:10.0f} {by['ours']:10.0f} {ratio:13.2f}"
        )
    return "\n".join(lines)
