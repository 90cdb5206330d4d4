"""The benchmark's own machinery: its apps answer alike, its verdicts can fail.

Timing itself is not tested here (the README's benchmark command runs, shortened,
in test_readme_commands.py); what is tested is that every app does the work its
style claims, and that the reports turn figures into the right verdicts.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import benchmark
import benchmark_http
import benchmark_upload
import benchmark_ws
import pytest
import servers
from harness import Chapter, all_chapters


def test_every_app_answers_every_case_it_claims(tmp_path):
    apps = benchmark.all_apps(tmp_path)
    asyncio.run(benchmark.check(apps))  # SystemExit on a wrong answer
    final = f"ch{all_chapters()[-1].number}"
    for name in ("raw ASGI", final, benchmark.COPY, "starlette", "fastapi"):
        assert set(apps[name]) == set(benchmark.CASES), name


def fastapi_route(app, path: str):
    return next(r for r in app.routes if getattr(r, "path", None) == path)


def test_the_two_styles_take_the_paths_the_issue_names():
    """typed: `-> Item` (Pydantic writes the JSON); tutorial: no annotation."""
    apps = benchmark.framework_apps(benchmark.fastapi_namespace())
    typed = fastapi_route(apps["create/typed"], "/items")
    tutorial = fastapi_route(apps["create/tutorial"], "/items")
    assert typed.response_model is benchmark.Item
    assert tutorial.response_model is None
    assert apps["hello"] is apps["create/typed"]  # shared cases: the typed app
    assert apps["deps/tutorial"] is apps["create/tutorial"]


def test_hot_path_verdicts():
    verdict = benchmark.hot_path_verdict
    assert verdict("ch09", [(1.01, 0.99), (1.04, 1.03)]) == "pass"
    assert verdict("ch09", [(1.01, 0.99), (1.08, 1.06)]) == "FAIL"
    assert verdict("ch09", [(1.06, 1.02)]) == "unclear: rerun"
    noise = verdict(benchmark.COPY, [(1.01, 0.99), (0.97, 1.0)])
    assert noise == "noise 3.0% 1.0%"


def test_the_hot_path_table_judges_every_later_chapter(monkeypatch):
    chapters = [Chapter(n, f"{n}_x", Path(n)) for n in ("07", "08", "09", "10")]
    monkeypatch.setattr(benchmark, "all_chapters", lambda: chapters)
    copy = benchmark.COPY
    times = {
        case: {
            "ch07": [2.0, 2.0],
            "ch08": [1.0, 1.0],
            copy: [1.0, 1.01],
            "ch09": [1.01, 1.02],
            "ch10": [1.0, 1.0],
        }
        for case in benchmark.CASES
    }
    times["deps/tutorial"]["ch10"] = [1.1, 1.1]  # 10% slower on one case
    table = benchmark.hot_path_report(times).strip().splitlines()
    header = table[1].split()
    assert header == ["case", "ch08", "copy", "ch09", "ch10"]
    assert table[-1].split() == ["verdict", "noise", "0.5%", "0.0%", "pass", "FAIL"]
    times[next(iter(times))][copy] = [1.06, 1.06]
    assert "too noisy" in benchmark.hot_path_report(times)


def test_goals_are_judged_against_fastapi_and_starlette():
    times = {
        case: {"ch08": [1.0, 1.0], "fastapi": [5.0, 5.0], "starlette": [0.5, 0.5]}
        for case in benchmark.CASES
    }
    lines = benchmark.goals_report(times, "ch08").strip().splitlines()[2:-1]
    assert len(lines) == 2 * 4, "four requests in each of the two styles"
    assert all(line.split()[-4:] == ["0.20", "met", "2.00", "MISSED"] for line in lines)


WRK = """Running 2s test @ http://127.0.0.1:8000/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.53ms    2.06ms  15.97ms   86.69%
    Req/Sec    20.10k   165.40    21.08k    63.64%
  40321 requests in 2.00s, 5.96MB read
Requests/sec:  20150.33
Transfer/sec:      2.98MB
"""


def test_wrk_output_is_read_and_failures_are_refused():
    assert benchmark_http.parse_wrk(WRK) == (20150.33, 40321)
    with pytest.raises(RuntimeError):
        benchmark_http.parse_wrk(WRK.replace("Requests/sec", "Requests"))
    with pytest.raises(RuntimeError):
        benchmark_http.parse_wrk(WRK + "  Non-2xx or 3xx responses: 7\n")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_server_cpu_time_is_read_from_proc():
    before = benchmark_http.cpu_seconds(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.2:
        pass
    assert benchmark_http.cpu_seconds(os.getpid()) - before >= 0.1


def test_the_upload_report_judges_the_64_mib_goal():
    found = {"idle": 40.0, "seconds": 0.3, "exact": True}
    report = benchmark_upload.report(
        {"ours": {**found, "above": 1.5}, "uvicorn": {**found, "above": 70.0}},
        Chapter("10", "10_x", Path("10_x")),
    )
    title, ours, uvicorn = report.strip().splitlines()
    assert "chapter 10's demo" in title and title.endswith("(goal: under 64 MiB)")
    assert ours.strip().startswith("ours") and ours.endswith(": met")
    assert uvicorn.strip().startswith("uvicorn") and uvicorn.endswith(": MISSED")


def test_a_peak_can_be_reset_and_read_for_this_process():
    before = benchmark_upload.status_kib(os.getpid(), "VmRSS")
    if not benchmark_upload.reset_peak(os.getpid()):
        pytest.skip("/proc/self/clear_refs is not writable here (the upload samples)")
    peak = benchmark_upload.status_kib(os.getpid(), "VmHWM")
    assert peak >= before
    ballast = bytearray(32 * 2**20)  # 32 MiB, touched
    ballast[::4096] = b"x" * len(ballast[::4096])
    grown = benchmark_upload.status_kib(os.getpid(), "VmHWM")
    assert grown - peak > 30 * 1024


def websocket_results(ours_rate: float, held_mb: float, http: float) -> dict:
    samples = {"rate": [1000.0, 1000.0], "cpu": [1e-5, 1e-5]}
    return {
        "echo": {
            "ours": {"rate": [ours_rate] * 2, "cpu": [1e-5, 1e-5]},
            "uvicorn": samples,
            "uvicorn fastest": samples,
        },
        "memory": {
            "ours": {"before": 30.0, "during": held_mb},
            "uvicorn": {"before": 25.0, "during": 40.0},
        },
        "http": {"ch08": [1e-4, 1e-4], "last": [http * 1e-4, http * 1e-4]},
    }


def test_the_websocket_report_judges_its_three_goals():
    met = benchmark_ws.report(websocket_results(850, 60.0, 1.02), "ch11")
    assert "with the same libraries: 0.85, met" in met
    assert "under 100 MB: 60.0 MB, met" in met
    assert "1.020 (1.020-1.020); goal: at most 1.05, met" in met
    assert "MISSED" not in met
    missed = benchmark_ws.report(websocket_results(700, 130.0, 1.1), "ch11")
    assert missed.count("MISSED") == 3


@pytest.mark.slow
def test_the_websocket_benchmark_client_and_app_work(tmp_path):
    """The echo client counts the app's echoes, the holder holds its sockets,
    and memory is read from /proc: a short run against our own server."""
    (tmp_path / "bench_ws_app.py").write_text(benchmark_ws.APP)
    process, port = benchmark_ws.start("ours", tmp_path)
    try:
        result = benchmark_ws.echo_client(port, 0.2)
        assert result["rate"] > 100
        assert result["messages"] >= 200 + benchmark_ws.WINDOW
        holder = benchmark_ws.client("hold", str(port), "20")
        assert holder.stdout.readline().strip() == "ready"
        assert benchmark_ws.resident_mb(process.pid) > 5
        holder.communicate("\n")
        assert holder.returncode == 0
    finally:
        servers.stop(process)


# --- Starting and stopping the benchmarks' servers (tests/servers.py) -----------------


def test_a_server_that_never_listens_is_stopped_before_start_raises(monkeypatch):
    started = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    never = [sys.executable, "-c", "import time; time.sleep(60)", "{port}"]
    try:
        with pytest.raises(TimeoutError, match="nothing listened on port"):
            servers.start(never, timeout=0.5)
        [process] = started
        assert process.poll() is not None, "start left the process running"
        assert process.args[-1].isdigit()  # {port} became the port it waited for
    finally:
        for process in started:
            process.kill()
            process.wait()


def test_stop_kills_a_server_that_ignores_sigterm():
    """A hung server must not stop the others from being stopped."""
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " print('ready', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "ready\n"  # SIGTERM is ignored from here
    started = time.monotonic()
    servers.stop(process, timeout=0.5)
    assert process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5
    process.stdout.close()
