"""What each layer costs: per-request time, in-process, at the ASGI level.

    python tools/benchmark.py                 # everything, under two minutes
    python tools/benchmark.py --no-http --no-plot --rounds 3

Four requests, each served by the raw ASGI floor, by every chapter's package
that can express it, by Starlette and by FastAPI:

    hello   GET /                    a small JSON dict
    item    GET /items/42?q=hi       an int path parameter, an optional query
    create  POST /items              a 3-field Pydantic model, echoed back
    deps    GET /deps                two nested async dependencies

No sockets: each app is called as `await app(scope, receive, send)`. Before
timing, every app's answer is checked. Apps are interleaved in rounds (this
machine is noisy), and the report gives each app's median per-request time,
its min and max over the rounds, and the median of the same-round ratios to
FastAPI and to Starlette. It then draws the plot the final chapter's README
shows (`chapters/08_server/performance.png`) and, when Debian's `wrk` is
installed, measures requests per second over HTTP (benchmark_http.py).
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
PLOT = ROOT / "chapters" / "08_server" / "performance.png"
sys.path.insert(0, str(ROOT / "tests"))
from harness import all_chapters, load_package  # noqa: E402


class Item(BaseModel):
    name: str
    price: float
    count: int


ITEM = {"name": "kettle", "price": 25.5, "count": 3}
SCENARIOS = {
    "hello": ("GET", "/", b"", b""),
    "item": ("GET", "/items/42", b"q=hi", b""),
    "create": ("POST", "/items", b"", json.dumps(ITEM).encode()),
    "deps": ("GET", "/deps", b"", b""),
}
EXPECTED = {
    "hello": {"message": "Hello"},
    "item": {"item_id": 42, "q": "hi"},
    "create": ITEM,
    "deps": {"a": 1, "b": 2},
}


async def dep_a() -> int:
    return 1


# --------------------------------------------------------------- the apps
def raw_apps() -> dict[str, Callable]:
    """The floor: hand-written ASGI that does only what the answer needs."""

    async def respond(send, data: Any) -> None:
        body = json.dumps(data, separators=(",", ":")).encode()
        headers = [(b"content-length", str(len(body)).encode()),
                   (b"content-type", b"application/json")]  # fmt: skip
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def hello(scope, receive, send):
        await respond(send, {"message": "Hello"})

    async def item(scope, receive, send):
        item_id = int(scope["path"].rsplit("/", 1)[1])
        q = scope["query_string"].decode().partition("=")[2]
        await respond(send, {"item_id": item_id, "q": q})

    async def create(scope, receive, send):
        message = await receive()
        model = Item.model_validate_json(message["body"])
        await respond(send, model.model_dump())

    async def deps(scope, receive, send):
        a = await dep_a()
        await respond(send, {"a": a, "b": a + 1})

    return {"hello": hello, "item": item, "create": create, "deps": deps}


def framework_apps(api: Any) -> dict[str, Callable]:
    """FastAPI-style apps: FastAPI itself, and chapters 05+ (06+ for deps)."""
    app = api.App()

    @app.get("/")
    async def hello():
        return {"message": "Hello"}

    @app.get("/items/{item_id}")
    async def item(item_id: int, q: str | None = None):
        return {"item_id": item_id, "q": q}

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    apps = {"hello": app, "item": app, "create": app}
    if hasattr(api, "Depends"):

        async def dep_b(a: Annotated[int, api.Depends(dep_a)]) -> int:
            return a + 1

        @app.get("/deps")
        async def deps(
            a: Annotated[int, api.Depends(dep_a)], b: Annotated[int, api.Depends(dep_b)]
        ):
            return {"a": a, "b": b}

        apps["deps"] = app
    return apps


def starlette_apps() -> dict[str, Callable]:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request):
        return JSONResponse({"message": "Hello"})

    async def item(request):
        q = request.query_params.get("q")
        return JSONResponse({"item_id": request.path_params["item_id"], "q": q})

    async def create(request):
        model = Item.model_validate(await request.json())
        return JSONResponse(model.model_dump())

    async def deps(request):
        a = await dep_a()
        return JSONResponse({"a": a, "b": a + 1})

    app = Starlette(routes=[
        Route("/", hello), Route("/items/{item_id:int}", item),
        Route("/items", create, methods=["POST"]), Route("/deps", deps),
    ])  # fmt: skip
    return dict.fromkeys(SCENARIOS, app)


def chapter_apps(pkg: Any) -> dict[str, Callable]:
    """Chapters before 05 express what their layer allows."""
    if hasattr(pkg, "Query"):
        return framework_apps(pkg_namespace(pkg))
    if not hasattr(pkg, "App"):
        return {}
    app = pkg.App()

    async def hello(request):
        return pkg.JSONResponse({"message": "Hello"})

    app.add_route("/", hello)
    apps = {"hello": app}
    if hasattr(pkg, "Router"):

        async def item(request):
            q = request.query_params.get("q")
            return pkg.JSONResponse({"item_id": request.path_params["item_id"], "q": q})

        app.add_route("/items/{item_id:int}", item)
        apps["item"] = app
    return apps


def pkg_namespace(pkg: Any) -> Any:
    class Api:
        App = pkg.App

    if hasattr(pkg, "Depends"):
        Api.Depends = pkg.Depends
    return Api


def fastapi_namespace() -> Any:
    import fastapi

    class Api:
        App = fastapi.FastAPI
        Depends = fastapi.Depends

    return Api


def all_apps() -> dict[str, dict[str, Callable]]:
    apps = {"raw ASGI": raw_apps()}
    for chapter in all_chapters():
        found = chapter_apps(load_package(chapter))
        if found:
            apps[f"ch{chapter.number}"] = found
    apps["starlette"] = starlette_apps()
    apps["fastapi"] = framework_apps(fastapi_namespace())
    return apps


# ------------------------------------------------------------ the driver
def scope_for(scenario: str) -> dict[str, Any]:
    method, path, query, body = SCENARIOS[scenario]
    headers = [(b"host", b"bench")]
    if body:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]  # fmt: skip
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query, "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 5000), "server": ("bench", 80),
            "state": {}}  # fmt: skip


async def call_once(app: Callable, scenario: str) -> tuple[int, bytes]:
    body = SCENARIOS[scenario][3]
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope_for(scenario), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def time_requests(app: Callable, scenario: str, n: int) -> float:
    """Seconds per request, over n requests."""
    body = SCENARIOS[scenario][3]
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive():
        return message

    async def send(message):
        pass

    base = scope_for(scenario)
    started = time.perf_counter()
    for _ in range(n):
        await app(dict(base), receive, send)
    return (time.perf_counter() - started) / n


async def check(apps: dict[str, dict[str, Callable]]) -> None:
    for name, scenarios in apps.items():
        for scenario, app in scenarios.items():
            status, body = await call_once(app, scenario)
            if status != 200 or json.loads(body) != EXPECTED[scenario]:
                raise SystemExit(f"{name} {scenario}: wrong answer {status} {body!r}")


async def run(rounds: int, requests: int) -> dict[str, dict[str, list[float]]]:
    apps = all_apps()
    await check(apps)
    times: dict[str, dict[str, list[float]]] = {s: {} for s in SCENARIOS}
    for _ in range(rounds):
        for scenario in SCENARIOS:
            for name, scenarios in apps.items():
                if scenario in scenarios:
                    await time_requests(scenarios[scenario], scenario, requests // 10)
                    t = await time_requests(scenarios[scenario], scenario, requests)
                    times[scenario].setdefault(name, []).append(t)
    return times


def report(times: dict[str, dict[str, list[float]]]) -> str:
    lines = []
    for scenario, by_app in times.items():
        lines.append(f"\n{scenario}: {' '.join(map(str, SCENARIOS[scenario][:2]))}")
        lines.append(f"  {'app':10} {'median us':>10} {'min':>8} {'max':>8}"
                     f" {'x raw':>7} {'x starlette':>12}"
                     f" {'x fastapi':>10}")  # fmt: skip
        for name, samples in by_app.items():
            ratios = {}
            for other in ("raw ASGI", "starlette", "fastapi"):
                pairs = zip(samples, by_app[other], strict=True)
                ratios[other] = statistics.median(a / b for a, b in pairs)
            us = [s * 1e6 for s in samples]
            median = statistics.median(us)
            lines.append(
                f"  {name:10} {median:10.1f} {min(us):8.1f} {max(us):8.1f}"
                f" {ratios['raw ASGI']:7.2f} {ratios['starlette']:12.2f}"
                f" {ratios['fastapi']:10.2f}"
            )
    return "\n".join(lines)


def plot(times: dict[str, dict[str, list[float]]], path: Path) -> None:
    """One panel per scenario: each layer's median cost, next to the others'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"raw ASGI": "#999999", "starlette": "#4c9a2a", "fastapi": "#e07b00"}
    figure, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, (scenario, by_app) in zip(axes.flat, times.items(), strict=True):
        names = list(by_app)
        costs = [statistics.median(by_app[name]) * 1e6 for name in names]
        ax.bar(names, costs, color=[colors.get(n, "#3b6ea5") for n in names])
        method, path_, *_ = SCENARIOS[scenario]
        ax.set_title(f"{scenario}: {method} {path_}")
        ax.set_ylabel("microseconds per request")
        ax.tick_params(axis="x", labelrotation=45)
    figure.suptitle("What each layer costs (median per request, in-process ASGI)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--json", type=Path, help="also write the samples here")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"default: {PLOT}")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--no-http", action="store_true", help="skip the wrk part")
    args = parser.parse_args(argv)
    times = asyncio.run(run(args.rounds, args.requests))
    print(report(times))
    if args.json:
        args.json.write_text(json.dumps(times, indent=1))
    if not args.no_plot:
        plot(times, args.plot)
        print(f"\nplot: {args.plot}")
    if not args.no_http:
        import benchmark_http

        print(benchmark_http.report(benchmark_http.run(SCENARIOS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
