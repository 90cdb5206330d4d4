"""The benchmark's upload part: a 50 MB file through each server, and its memory.

    python tools/benchmark.py --only upload     # only this part

The last chapter's demo is served on 127.0.0.1 by our own server (`python -m
nanoapi`, run in the chapter's folder) and by uvicorn, one after the other. The
client logs in (`POST /token`) and streams a 50 MB file from disk to `POST
/notes/1/attachment` as multipart/form-data; the endpoint reads the upload a
chunk at a time. The figure is how far the server's resident memory rose above
idle: idle is VmRSS after a warm-up request, the peak is the kernel's
high-water mark (VmHWM), reset just before the upload through
/proc/PID/clear_refs so that it covers the upload only. Where that file cannot
be written, VmRSS is sampled every 5 ms instead. Goal: under 64 MB above idle
on both servers (the parser spools a file to disk past 1 MB; it never holds
the body).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import servers  # noqa: E402
from harness import Chapter, all_chapters  # noqa: E402

SIZE = 50 * 1024 * 1024
GOAL_MIB = 64
LOGIN = {"username": "ada", "password": "lovelace"}  # the demo's user


def commands() -> dict[str, list[str]]:
    """How each server is started, in the chapter's folder (servers.start puts
    in the {port})."""
    address = ["--host", "127.0.0.1", "--port", "{port}"]
    return {
        "ours": [sys.executable, "-m", "nanoapi", "app:app", *address],
        "uvicorn": [sys.executable, "-m", "uvicorn", "app:app", *address,
                    "--log-level", "warning"],
    }  # fmt: skip


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current VmRSS (Linux 4.0+)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Sampler(threading.Thread):
    """VmRSS every 5 ms, for when VmHWM cannot be reset."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, status_kib(self.pid, "VmRSS"))
            time.sleep(0.005)


def upload(url: str, path: Path) -> dict:
    with httpx.Client(base_url=url, timeout=120) as client:
        token = client.post("/token", data=LOGIN).json()["access_token"]
        headers = {"authorization": f"Bearer {token}"}
        with path.open("rb") as body:
            files = {"file": ("big.bin", body, "application/octet-stream")}
            response = client.post(
                "/notes/1/attachment",
                files=files,
                data={"caption": "50 MB"},
                headers=headers,
            )
    response.raise_for_status()
    return response.json()


def measure(chapter: Chapter, name: str, path: Path) -> dict[str, float]:
    process, port = servers.start(
        commands()[name], cwd=chapter.path, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        httpx.get(url + "/notes").raise_for_status()  # warm: the routes are built
        idle = status_kib(process.pid, "VmRSS")
        exact = reset_peak(process.pid)
        sampler = Sampler(process.pid)
        if not exact:
            sampler.start()
        started = time.perf_counter()
        answer = upload(url, path)
        seconds = time.perf_counter() - started
        sampler.running = False
        peak = status_kib(process.pid, "VmHWM") if exact else sampler.peak
        if answer["size"] != SIZE:
            raise RuntimeError(f"{name}: the endpoint counted {answer['size']} bytes")
    finally:
        servers.stop(process)
    return {
        "idle": idle / 1024,
        "above": (peak - idle) / 1024,
        "seconds": seconds,
        "exact": exact,
    }


def last_chapter_with_uploads() -> Chapter | None:
    found = [c for c in all_chapters() if (c.path / "nanoapi/formparsers.py").exists()]
    return found[-1] if found else None


def run(chapter: Chapter | None) -> dict[str, dict[str, float]]:
    if chapter is None:
        return {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.bin"
        with path.open("wb") as out:  # incompressible, written 1 MB at a time
            for _ in range(SIZE // 2**20):
                out.write(os.urandom(2**20))
        return {name: measure(chapter, name, path) for name in ("ours", "uvicorn")}


def report(results: dict[str, dict[str, float]], chapter: Chapter | None) -> str:
    if chapter is None:
        return "\nupload: no chapter parses uploads yet"
    lines = [
        f"\nupload: a {SIZE // 2**20} MB file to chapter {chapter.number}'s demo,"
        f" server memory above idle (goal: under {GOAL_MIB} MiB)"
    ]
    for name, found in results.items():
        how = "VmHWM" if found["exact"] else "sampled VmRSS"
        verdict = "met" if found["above"] < GOAL_MIB else "MISSED"
        lines.append(
            f"  {name:8} idle {found['idle']:5.1f} MiB, peak +{found['above']:5.1f} MiB"
            f" ({how}), {found['seconds']:4.1f} s: {verdict}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    chapter = last_chapter_with_uploads()
    print(report(run(chapter), chapter))
