"""A bounded load and soak run: the last chapter's demo on uvicorn, 127.0.0.1.

    python tools/load.py                      # 20,000 requests, 50 at a time
    python tools/load.py --requests 5000 --concurrency 20

It mixes valid and invalid requests (each with the status it must get),
counts every answer that differs, and samples the server's resident memory
(VmRSS) as it goes: the median of the last quarter of the run must not be
well above the median of the first quarter. Traffic goes to 127.0.0.1 only,
and the run stops by itself.
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from benchmark_upload import status_kib  # noqa: E402
from harness import all_chapters  # noqa: E402
from servers import serve  # noqa: E402

BROKEN_JSON = {"content": b"{broken", "headers": {"content-type": "application/json"}}
LOGIN = {"data": {"username": "ada", "password": "lovelace"}}
BEARER = {"authorization": "Bearer {token}"}  # the token is the run's own login
UPLOAD = {"files": {"file": ("a.txt", b"hello " * 1000)}, "data": {"caption": "hi"}}
# (method, url, options, expected status) against the chapter 10+ demo app
MIX = [
    ("GET", "/notes", {}, 200),
    ("GET", "/notes?page=2&size=1", {}, 200),
    ("GET", "/notes/1", {}, 200),
    ("GET", "/notes/987654321", {}, 404),  # beyond any id a run creates
    ("GET", "/notes/abc", {}, 422),
    ("GET", "/notes?page=x", {}, 422),
    ("POST", "/json", {"json": {"a": [1, 2, 3]}}, 200),
    ("POST", "/json", BROKEN_JSON, 422),
    ("POST", "/notes", {"json": {"text": "hi"}}, 401),
    ("POST", "/notes", {"json": {"text": "hi"}, "headers": BEARER}, 201),
    ("POST", "/notes", {"json": {}, "headers": BEARER}, 422),
    ("GET", "/users/me", {"headers": BEARER}, 200),
    ("GET", "/users/me", {"headers": {"authorization": "Bearer nope"}}, 401),
    ("POST", "/token", {"data": {"username": "ada", "password": "x"}}, 400),
    ("POST", "/token", LOGIN, 200),
    ("POST", "/notes/1/attachment", {**UPLOAD, "headers": BEARER}, 201),
    ("POST", "/notes/1/attachment", {"data": UPLOAD["data"], "headers": BEARER}, 422),
    ("DELETE", "/notes/1", {}, 405),
    ("GET", "/no/such/page", {}, 404),
    ("GET", "/openapi.json", {}, 200),
]  # fmt: skip


def with_token(options: dict, token: str) -> dict:
    if options.get("headers") is not BEARER:
        return options
    return {**options, "headers": {"authorization": f"Bearer {token}"}}


def server_pid(port: int) -> int:
    """The uvicorn process listening on `port` (found through /proc)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in b" ".join(args) and str(port).encode() in args:
            return int(cmdline.parent.name)
    raise RuntimeError("server process not found")


async def drive(url: str, total: int, concurrency: int, pid: int) -> dict:
    wrong: dict[str, int] = {}
    memory: list[tuple[int, int]] = []
    done = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        login = await client.post("/token", **LOGIN)
        token = login.json()["access_token"]
        mix = [(m, p, with_token(o, token), e) for m, p, o, e in MIX]

        async def worker(worker_id: int) -> None:
            nonlocal done
            for i in range(worker_id, total, concurrency):
                method, path, options, expected = mix[i % len(mix)]
                try:
                    response = await client.request(method, path, **options)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                if status != expected:
                    key = f"{method} {path} -> {status}"
                    wrong[key] = wrong.get(key, 0) + 1
                done += 1
                if done % 500 == 0:
                    memory.append((done, status_kib(pid, "VmRSS")))

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return {"wrong": wrong, "memory": memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    chapter = [c for c in all_chapters() if c.number >= "10"][-1]
    with serve("uvicorn", chapter.path) as (url, _):
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        started = time.perf_counter()
        result = asyncio.run(drive(url, args.requests, args.concurrency, pid))
        seconds = time.perf_counter() - started
    samples = [kib for _, kib in result["memory"]]
    quarter = max(1, len(samples) // 4)
    first, last = (
        statistics.median(samples[:quarter]),
        statistics.median(samples[-quarter:]),
    )
    print(f"chapter {chapter.slug} on uvicorn, {args.requests} requests, "
          f"{args.concurrency} at a time, in {seconds:.1f} s "
          f"({args.requests / seconds:.0f} requests/s)")  # fmt: skip
    print(f"unexpected answers: {sum(result['wrong'].values())}")
    for key, count in sorted(result["wrong"].items()):
        print(f"  {count:6} x {key}")
    growth = (last - first) / first * 100
    print(f"server memory (VmRSS): first quarter {first / 1024:.1f} MiB, "
          f"last quarter {last / 1024:.1f} MiB ({growth:+.1f}%)")  # fmt: skip
    flat = growth < 10
    print("memory flat" if flat else "MEMORY GREW")
    return 0 if flat and not result["wrong"] else 1


if __name__ == "__main__":
    sys.exit(main())
