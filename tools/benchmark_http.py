"""The benchmark's second half: requests per second over HTTP, on uvicorn.

    python tools/benchmark.py --only http      # only this part

The same cases as in-process, in both styles, served by uvicorn with
httptools and uvloop on 127.0.0.1, pinned to core 0: one server per framework
(FastAPI, the last chapter) and style. `wrk -t1 -c50` (Debian's package),
pinned to core 1, is the load. Rounds interleave the two frameworks, and each
round's order is reversed on the next. For each case the report gives each
one's median requests per second, the median of the same-round ratios (and
their range), and a steadier view of the same thing: how many times fewer
CPU seconds our server spent per request (read from /proc before and after
each run), which other processes on the machine disturb much less.
"""

import http.client
import json
import os
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
import benchmark  # noqa: E402
import servers  # noqa: E402

FRAMEWORKS = ("fastapi", "ours")
APP_MODULE = """
import os
import sys
sys.path[:0] = [{tools!r}, {tests!r}]
import benchmark
from harness import all_chapters, load_package


def build():
    framework, style = os.environ["BENCH_APP"].split(":")
    if framework == "fastapi":
        api = benchmark.fastapi_namespace()
    else:
        api = benchmark.pkg_namespace(load_package(all_chapters()[-1]))
    return benchmark.framework_app(api, style)
"""
LUA_POST = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
"""
TICK = 1 / os.sysconf("SC_CLK_TCK")


def pinned(core: int, command: list[str]) -> list[str]:
    return (
        ["taskset", "-c", str(core), *command] if shutil.which("taskset") else command
    )


def start(folder: Path, framework: str, style: str) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(folder),
               "--factory", "bench_http_apps:build", "--port", "{port}",
               "--http", "httptools", "--loop", "uvloop",
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    env = {**os.environ, "BENCH_APP": f"{framework}:{style}"}
    return servers.start(pinned(0, command), env=env, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rpartition(")")[2].split()  # after the command name
    return (int(fields[11]) + int(fields[12])) * TICK  # utime, stime


def parse_wrk(output: str) -> tuple[float, int]:
    """Requests per second and requests done, from wrk's report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    done = re.search(r"(\d+) requests in", output)
    if not rate or not done or "Non-2xx" in output:
        raise RuntimeError(f"wrk failed:\n{output}")
    return float(rate.group(1)), int(done.group(1))


def wrk(port: int, url: str, seconds: int, script: Path | None) -> tuple[float, int]:
    command = ["wrk", "-t1", "-c50", f"-d{seconds}s"]
    if script:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{url}")
    output = subprocess.run(pinned(1, command), capture_output=True, text=True).stdout
    return parse_wrk(output)


def request_of(case: str) -> tuple[str, str, bytes]:
    method, path, query, body = benchmark.SCENARIOS[benchmark.CASES[case][0]]
    return method, path + (f"?{query.decode()}" if query else ""), body


def warm_up(port: int, case: str, requests: int = 200) -> None:
    """A few hundred requests first: nothing lazy is left for the timed runs."""
    method, url, body = request_of(case)
    headers = {"content-type": "application/json"} if body else {}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(requests):
        connection.request(method, url, body or None, headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or answer != benchmark.EXPECTED[case]:
            raise RuntimeError(f"{case} on port {port}: {response.status} {answer}")
    connection.close()


def server_style(case: str) -> str:
    return benchmark.CASES[case][1] or "typed"  # shared cases: the typed servers


def run(cases: list[str], rounds: int = 3, seconds: int = 2) -> dict[str, dict]:
    """Per case and framework: requests/s and CPU seconds/request, per round."""
    if not shutil.which("wrk"):
        raise SystemExit("the HTTP benchmark needs wrk: apt-get install -y wrk")
    styles = sorted({server_style(case) for case in cases})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        code = APP_MODULE.format(tools=str(ROOT / "tools"), tests=str(ROOT / "tests"))
        (folder / "bench_http_apps.py").write_text(code)
        running = {}
        try:
            for style in styles:
                for framework in FRAMEWORKS:
                    running[framework, style] = start(folder, framework, style)
            return measure(running, cases, folder, rounds, seconds)
        finally:
            for process, _ in running.values():
                servers.stop(process)


def measure(running, cases, folder, rounds, seconds) -> dict[str, dict]:
    samples = {case: {f: {"rps": [], "cpu": []} for f in FRAMEWORKS} for case in cases}
    for case in cases:
        for framework in FRAMEWORKS:
            warm_up(running[framework, server_style(case)][1], case)
    for number in range(rounds):
        for case in cases:
            method, url, body = request_of(case)
            script = None
            if method == "POST":
                script = folder / "post.lua"
                script.write_text(LUA_POST.format(body=json.dumps(body.decode())))
            order = FRAMEWORKS[::-1] if number % 2 else FRAMEWORKS
            for framework in order:
                process, port = running[framework, server_style(case)]
                before = cpu_seconds(process.pid)
                rate, done = wrk(port, url, seconds, script)
                spent = cpu_seconds(process.pid) - before
                samples[case][framework]["rps"].append(rate)
                samples[case][framework]["cpu"].append(spent / done)
                time.sleep(0.1)
    return samples


def report(samples: dict[str, dict], final: str) -> str:
    goal = benchmark.GOALS["http"]
    rounds = len(next(iter(samples.values()))["ours"]["rps"])
    lines = [
        "\nover HTTP: uvicorn (httptools, uvloop) on core 0, wrk -t1 -c50 on core 1;"
        f" {final} / FastAPI, median of the same-round ratios over {rounds} rounds",
        f"  {'case':16} {'fastapi rps':>12} {f'{final} rps':>10} {'ratio':>6}"
        f" {'(min-max)':>11} {'goal':>6} {'CPU ratio':>10} {'goal':>6}",
    ]
    for case, by in samples.items():
        ours, fastapi = by["ours"], by["fastapi"]
        rates = benchmark.ratios(ours["rps"], fastapi["rps"])
        ratio = statistics.median(rates)
        cpu = statistics.median(benchmark.ratios(fastapi["cpu"], ours["cpu"]))
        lines.append(
            f"  {case:16} {statistics.median(fastapi['rps']):12.0f}"
            f" {statistics.median(ours['rps']):10.0f} {ratio:6.2f}"
            f" {f'({min(rates):.2f}-{max(rates):.2f})':>11}"
            f" {benchmark.verdict(ratio, goal, at_most=False):>6}"
            f" {cpu:10.2f} {benchmark.verdict(cpu, goal, at_most=False):>6}"
        )
    lines.append(
        f"  goal: at least {goal}x FastAPI's requests per second. CPU ratio:"
        " FastAPI's server CPU time per request / ours, the same ratio measured"
        " in a way that other processes on the machine disturb much less"
    )
    return "\n".join(lines)
