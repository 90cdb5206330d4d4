"""What each layer costs: per-request time, in-process, at the ASGI level.

    python tools/benchmark.py                       # everything, under 3 minutes
    python tools/benchmark.py --only in-process --rounds 5   # shorter
    python tools/benchmark.py --style tutorial      # one style of handler only
    python tools/benchmark.py --profile ch08 create/tutorial   # where time goes
    python tools/benchmark.py --only upload         # a 50 MB upload's memory
    python tools/benchmark.py --skip ws             # all but the WebSocket part

Four requests, served by the raw ASGI floor, by every chapter's package that
can express them, by Starlette and by FastAPI:

    hello   GET /                    a small JSON dict
    item    GET /items/42?q=hi       an int path parameter, an optional query
    create  POST /items              a 3-field Pydantic model, echoed back
    deps    GET /deps                two nested async dependencies

The handlers come in two styles. "typed": `create` declares `-> Item`, so
Pydantic writes the JSON itself, and the dependencies return ints. "tutorial",
as FastAPI's tutorial writes them: `create` returns the model with no
annotation (the answer goes through jsonable_encoder) and the dependencies
return dicts. `hello` and `item` read the same in both styles (the tutorial's
own), so they are measured once and reported in both. Starlette and the raw
floor do the same work by hand, in each style.

No sockets: each app is called as `await app(scope, receive, send)`. Before
timing, every app's answer is checked. The apps are interleaved in rounds and
each round's order is reversed on the next, and the time is this process's
CPU time (time.process_time), so what the shared machine gives to other
processes is not counted. The report gives each app's median per-request
time, its min and max over the rounds, and the median of same-round ratios:
to FastAPI and Starlette, and, for every chapter from 08 on, to chapter 08 (a
byte-identical copy of chapter 08 is timed too: its ratio is the noise
floor). It then draws the plot (`tools/performance.png`), when Debian's
`wrk` is installed measures requests per second over HTTP (benchmark_http.py),
sends a 50 MB upload through our server and uvicorn to see how far their
memory rises (benchmark_upload.py), and last pits our own server against
uvicorn over WebSocket, with its memory holding 1,000 idle WebSockets
(benchmark_ws.py).
"""

import argparse
import asyncio
import cProfile
import json
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
PLOT = ROOT / "tools" / "performance.png"
sys.path.insert(0, str(ROOT / "tests"))
from harness import Chapter, all_chapters, load_package  # noqa: E402

BASELINE = "08"  # the chapter later chapters must not slow down (issue 18)
GOALS = {"fastapi": 0.25, "starlette": 1.3, "hot path": 1.05, "http": 2.0}
COPY = f"ch{BASELINE} copy"  # a byte-identical copy of it: the noise floor
NOISY = 0.03  # the copy further than this from 1.00: too noisy to judge 5%


class Item(BaseModel):
    name: str
    price: float
    count: int


ITEM = {"name": "kettle", "price": 25.5, "count": 3}
SCENARIOS = {  # method, path, query string, body
    "hello": ("GET", "/", b"", b""),
    "item": ("GET", "/items/42", b"q=hi", b""),
    "create": ("POST", "/items", b"", json.dumps(ITEM).encode()),
    "deps": ("GET", "/deps", b"", b""),
}
STYLES = ("typed", "tutorial")
CASES = {  # what is timed: a request, in one style or in both (None)
    "hello": ("hello", None),
    "item": ("item", None),
    "create/typed": ("create", "typed"),
    "deps/typed": ("deps", "typed"),
    "create/tutorial": ("create", "tutorial"),
    "deps/tutorial": ("deps", "tutorial"),
}
EXPECTED = {
    "hello": {"message": "Hello"},
    "item": {"item_id": 42, "q": "hi"},
    "create/typed": ITEM,
    "deps/typed": {"a": 1, "b": 2},
    "create/tutorial": ITEM,
    "deps/tutorial": {"a": {"value": 1}, "b": {"value": 2}},
}


def cases_in(style: str) -> list[str]:
    """The cases that make up one style ("both": every case)."""
    return [c for c, (_, s) in CASES.items() if style == "both" or s in (None, style)]


# The dependencies' bodies: injected by the frameworks, called by hand elsewhere.
async def dep_a() -> int:
    return 1


async def dep_b_body(a: int) -> int:
    return a + 1


async def dep_a_dict() -> dict[str, int]:
    return {"value": 1}


async def dep_b_dict_body(a: dict[str, int]) -> dict[str, int]:
    return {"value": a["value"] + 1}


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
        await respond(send, {"a": a, "b": await dep_b_body(a)})

    async def deps_dicts(scope, receive, send):
        a = await dep_a_dict()
        await respond(send, {"a": a, "b": await dep_b_dict_body(a)})

    return {
        "hello": hello,
        "item": item,
        "create/typed": create,
        "deps/typed": deps,
        "create/tutorial": create,
        "deps/tutorial": deps_dicts,
    }


def add_common_routes(app: Any) -> None:
    @app.get("/")
    async def hello():
        return {"message": "Hello"}

    @app.get("/items/{item_id}")
    async def item(item_id: int, q: str | None = None):
        return {"item_id": item_id, "q": q}


def add_typed_routes(app: Any, api: Any) -> None:
    @app.post("/items")
    async def create(item: Item) -> Item:  # the annotation: Pydantic writes JSON
        return item

    if hasattr(api, "Depends"):
        Depends = api.Depends

        async def dep_b(a: Annotated[int, Depends(dep_a)]) -> int:
            return a + 1

        @app.get("/deps")
        async def deps(
            a: Annotated[int, Depends(dep_a)], b: Annotated[int, Depends(dep_b)]
        ):
            return {"a": a, "b": b}


def add_tutorial_routes(app: Any, api: Any) -> None:
    @app.post("/items")
    async def create(item: Item):  # no annotation: through jsonable_encoder
        return item

    if hasattr(api, "Depends"):
        Depends = api.Depends

        async def dep_b(a: Annotated[dict, Depends(dep_a_dict)]) -> dict[str, int]:
            return {"value": a["value"] + 1}

        @app.get("/deps")
        async def deps(
            a: Annotated[dict, Depends(dep_a_dict)], b: Annotated[dict, Depends(dep_b)]
        ):
            return {"a": a, "b": b}


def framework_app(api: Any, style: str) -> Callable:
    """A FastAPI-style app (FastAPI, or chapter 05 on) in one style."""
    app = api.App()
    add_common_routes(app)
    {"typed": add_typed_routes, "tutorial": add_tutorial_routes}[style](app, api)
    return app


def framework_apps(api: Any) -> dict[str, Callable]:
    typed, tutorial = framework_app(api, "typed"), framework_app(api, "tutorial")
    apps = {"hello": typed, "item": typed}
    apps |= {"create/typed": typed, "create/tutorial": tutorial}
    if hasattr(api, "Depends"):
        apps |= {"deps/typed": typed, "deps/tutorial": tutorial}
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
        return JSONResponse({"a": a, "b": await dep_b_body(a)})

    async def create_tutorial(request):  # JSON-ready data, as jsonable_encoder's
        model = Item.model_validate(await request.json())
        return JSONResponse(model.model_dump(mode="json"))

    async def deps_tutorial(request):
        a = await dep_a_dict()
        return JSONResponse({"a": a, "b": await dep_b_dict_body(a)})

    def app(create, deps) -> Starlette:
        return Starlette(routes=[
            Route("/", hello), Route("/items/{item_id:int}", item),
            Route("/items", create, methods=["POST"]), Route("/deps", deps),
        ])  # fmt: skip

    typed, tutorial = app(create, deps), app(create_tutorial, deps_tutorial)
    apps = dict.fromkeys(cases_in("typed"), typed)
    return apps | dict.fromkeys(["create/tutorial", "deps/tutorial"], tutorial)


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


class ChapterCopy(Chapter):
    """A byte-identical copy of a chapter, loaded under its own alias."""

    @property
    def id(self) -> str:
        return f"ch{self.number}copy"


def baseline_copy(scratch: Path) -> Chapter | None:
    """Chapter 08's package copied to `scratch`: its timing is the noise floor."""
    found = [c for c in all_chapters() if c.number == BASELINE]
    if not found:
        return None
    shutil.copytree(found[0].path / "nanoapi", scratch / "nanoapi")
    return ChapterCopy(BASELINE, found[0].slug, scratch)


def all_apps(scratch: Path) -> dict[str, dict[str, Callable]]:
    apps = {"raw ASGI": raw_apps()}
    copy = baseline_copy(scratch)
    for chapter in all_chapters():
        found = chapter_apps(load_package(chapter))
        if found:
            apps[f"ch{chapter.number}"] = found
        if copy is not None and chapter.number == BASELINE:
            apps[COPY] = chapter_apps(load_package(copy))
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


async def call_once(app: Callable, case: str) -> tuple[int, bytes]:
    scenario = CASES[case][0]
    body = SCENARIOS[scenario][3]
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope_for(scenario), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def time_requests(app: Callable, case: str, n: int) -> float:
    """CPU seconds per request, over n requests."""
    scenario = CASES[case][0]
    body = SCENARIOS[scenario][3]
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive():
        return message

    async def send(message):
        pass

    base = scope_for(scenario)
    started = time.process_time()
    for _ in range(n):
        await app(dict(base), receive, send)
    return (time.process_time() - started) / n


async def check(apps: dict[str, dict[str, Callable]]) -> None:
    for name, cases in apps.items():
        for case, app in cases.items():
            status, body = await call_once(app, case)
            if status != 200 or json.loads(body) != EXPECTED[case]:
                raise SystemExit(f"{name} {case}: wrong answer {status} {body!r}")


Times = dict[str, dict[str, list[float]]]  # case -> app -> seconds, one per round


async def measure(apps, cases: list[str], rounds: int, requests: int) -> Times:
    """Every app on every case it can express, interleaved, in `rounds` rounds."""
    times: Times = {case: {} for case in cases}
    for number in range(rounds):
        for case in cases:
            names = [name for name in apps if case in apps[name]]
            if number % 2:  # what runs first in a round varies: no place is favoured
                names.reverse()
            for name in names:
                await time_requests(apps[name][case], case, max(1, requests // 10))
                seconds = await time_requests(apps[name][case], case, requests)
                times[case].setdefault(name, []).append(seconds)
    return times  # in the apps' order: the first round is not reversed


async def run(cases: list[str], rounds: int, requests: int) -> Times:
    with tempfile.TemporaryDirectory() as scratch:
        apps = all_apps(Path(scratch))
        await check(apps)
        return await measure(apps, cases, rounds, requests)


# ------------------------------------------------------------- the report
def ratios(samples: list[float], others: list[float]) -> list[float]:
    return [a / b for a, b in zip(samples, others, strict=True)]


def median_ratio(by_app: dict[str, list[float]], name: str, other: str) -> float:
    return statistics.median(ratios(by_app[name], by_app[other]))


def request_line(scenario: str) -> str:
    method, path, query, _ = SCENARIOS[scenario]
    return f"{method} {path}" + (f"?{query.decode()}" if query else "")


def describe(case: str) -> tuple[str, str]:
    scenario, style = CASES[case]
    return request_line(scenario), style or "both"


def report(times: Times) -> str:
    """Each case: every app's median cost and its same-round ratios."""
    lines = []
    for case, by_app in times.items():
        request, style = describe(case)
        lines.append(
            f"\n{case}: {request}, {style} style"
            + ("s (written the same way)" if style == "both" else "")
        )
        lines.append(
            f"  {'app':10} {'median us':>10} {'min':>8} {'max':>8}"
            f" {'x raw':>7} {'x starlette':>12}"
            f" {'x fastapi':>10}"
        )
        for name, samples in by_app.items():
            if name == COPY:
                continue  # it is the hot-path table's noise floor
            found = {
                other: median_ratio(by_app, name, other)
                for other in ("raw ASGI", "starlette", "fastapi")
            }
            us = [s * 1e6 for s in samples]
            lines.append(
                f"  {name:10} {statistics.median(us):10.1f} {min(us):8.1f}"
                f" {max(us):8.1f} {found['raw ASGI']:7.2f}"
                f" {found['starlette']:12.2f} {found['fastapi']:10.2f}"
            )
    return "\n".join(lines)


def verdict(ratio: float, goal: float, at_most: bool = True) -> str:
    met = ratio <= goal if at_most else ratio >= goal
    return "met" if met else "MISSED"


def goals_report(times: Times, final: str, styles=STYLES) -> str:
    """The final chapter against FastAPI and Starlette, in each style."""
    fastapi, starlette = GOALS["fastapi"], GOALS["starlette"]
    lines = [
        f"\nthe final chapter ({final}) against the goals: median of the"
        f" same-round ratios over {rounds_of(times)} rounds",
        f"  {'request':20} {'style':9} {'/ fastapi':>10} {'goal':>6}"
        f" {'/ starlette':>12} {'goal':>6}",
    ]
    for style in styles:
        for case in cases_in(style):
            by_app = times.get(case, {})
            if final not in by_app:
                continue
            vs_fastapi = median_ratio(by_app, final, "fastapi")
            vs_starlette = median_ratio(by_app, final, "starlette")
            lines.append(
                f"  {describe(case)[0]:20} {style:9} {vs_fastapi:10.2f}"
                f" {verdict(vs_fastapi, fastapi):>6} {vs_starlette:12.2f}"
                f" {verdict(vs_starlette, starlette):>6}"
            )
    lines.append(f"  goals: at most {fastapi}x FastAPI and {starlette}x Starlette")
    return "\n".join(lines)


def hot_path_report(times: Times) -> str:
    """Every chapter from BASELINE on, and the copy, as a ratio to BASELINE.

    Two estimates per cell: the median of the same-round ratios, and the ratio
    of each one's fastest round (interference only ever adds time, so the
    fastest round is the least disturbed). A case fails when both exceed the
    goal, and is unclear when they disagree.
    """
    base = f"ch{BASELINE}"
    later = [f"ch{c.number}" for c in all_chapters() if c.number > BASELINE]
    columns = [
        name for name in (COPY, *later) if any(name in by for by in times.values())
    ]
    if not any(base in by for by in times.values()) or not columns:
        return ""
    goal = GOALS["hot path"]
    lines = [
        f"\nthe hot path: each chapter from {BASELINE} on / chapter {BASELINE};"
        f" the median of {rounds_of(times)} same-round ratios, then the"
        f" ratio of the fastest rounds; goal: at most {goal:.2f}",
        "  " + f"{'case':16}" + "".join(f"{n:>16}" for n in columns),
    ]
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in columns}
    for case, by_app in times.items():
        cells = []
        for name in columns:
            if name not in by_app or base not in by_app:
                cells.append(" " * 16)
                continue
            pair = (
                median_ratio(by_app, name, base),
                min(by_app[name]) / min(by_app[base]),
            )
            found[name].append(pair)
            cells.append(f"{pair[0]:10.3f}{pair[1]:6.3f}")
        lines.append(f"  {case:16}" + "".join(cells))
    verdicts = [hot_path_verdict(name, found[name]) for name in columns]
    lines.append("  " + f"{'verdict':16}" + "".join(f"{v:>16}" for v in verdicts))
    noise = max(
        (min(abs(a - 1), abs(b - 1)) for a, b in found.get(COPY, [])), default=0
    )
    if noise > NOISY:
        lines.append(
            f"  the copy of chapter {BASELINE} (the same code) is"
            f" {noise:.0%} off: too noisy to judge {goal - 1:.0%};"
            " rerun, or add --rounds"
        )
    return "\n".join(lines)


def hot_path_verdict(name: str, pairs: list[tuple[float, float]]) -> str:
    if name == COPY:  # the same code: how far from 1.00 noise alone goes
        worst = [max(abs(p[i] - 1) for p in pairs) for i in (0, 1)]
        return f"noise {worst[0]:.1%} {worst[1]:.1%}"
    goal = GOALS["hot path"]
    over = [sum(r > goal for r in pair) for pair in pairs]
    if any(n == 2 for n in over):
        return "FAIL"
    return "unclear: rerun" if any(over) else "pass"


def rounds_of(times: Times) -> int:
    return max(len(samples) for by in times.values() for samples in by.values())


# --------------------------------------------------------------- the plot
def plot(times: Times, path: Path) -> None:
    """One panel per request: each app's median cost, typed and tutorial."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    colors = {"raw ASGI": "#999999", "starlette": "#4c9a2a", "fastapi": "#e07b00"}
    hatches = {"typed": "", "tutorial": "//"}
    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for ax, scenario in zip(axes.flat, SCENARIOS, strict=True):
        cases = [c for c in CASES if CASES[c][0] == scenario and c in times]
        names = [n for n in times[cases[0]] if n != COPY] if cases else []
        width = 0.8 / max(1, len(cases))
        for i, case in enumerate(cases):
            costs = [statistics.median(times[case].get(n, [0])) * 1e6 for n in names]
            offset = (i - (len(cases) - 1) / 2) * width
            ax.bar(
                [x + offset for x in range(len(names))],
                costs,
                width,
                color=[colors.get(n, "#3b6ea5") for n in names],
                hatch=hatches.get(CASES[case][1], ""),
                edgecolor="white",
            )
        both = " (the same in both styles)" if scenario in CASES else ""
        ax.set_title(f"{scenario}: {request_line(scenario)}{both}")
        ax.set_ylabel("microseconds per request")
        ax.set_xticks(range(len(names)), names, rotation=45)
        if len(cases) > 1:
            ax.legend(
                handles=[
                    Patch(
                        facecolor="#3b6ea5",
                        edgecolor="white",
                        hatch=hatches[s],
                        label=s,
                    )
                    for s in STYLES
                ]
            )
    figure.suptitle("What each layer costs: median CPU time per request, in-process")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


# ------------------------------------------------------------ the profile
def profile(app_name: str, case: str, requests: int, limit: int = 25) -> str:
    """cProfile of one app on one case: the functions that cost the most."""

    async def go(app: Callable) -> None:
        await time_requests(app, case, max(1, requests // 10))  # warm up
        profiler.enable()
        await time_requests(app, case, requests)
        profiler.disable()

    with tempfile.TemporaryDirectory() as scratch:
        apps = all_apps(Path(scratch))
        if case not in apps.get(app_name, {}):
            raise SystemExit(f"no app {app_name!r} with case {case!r}: {list(apps)}")
        profiler = cProfile.Profile()
        asyncio.run(go(apps[app_name][case]))
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    total = sum(row[2] for _, row in rows)  # own times add up to the whole
    lines = [
        f"\n{app_name} {case}: cProfile over {requests} requests;"
        f" {total / requests * 1e6:.1f} us per request under the profiler",
        f"  {'own us':>7} {'own %':>6} {'cum us':>7} {'calls':>6}  function",
    ]
    for (file, line, name), (_, calls, own, cumulative, _) in rows[:limit]:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        per_request = f"{own / requests * 1e6:7.2f} {own / total:6.1%}"
        per_request += f" {cumulative / requests * 1e6:7.2f} {calls / requests:6.1f}"
        lines.append(f"  {per_request}  {name} ({where})")
    return "\n".join(lines)


# ---------------------------------------------------------------- the tool
PARTS = ("in-process", "http", "upload", "ws")  # in the order they run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", choices=["both", *STYLES], default="both")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--requests", type=int, default=1000, help="per app, case and round"
    )
    parser.add_argument("--json", type=Path, help="also write the samples here")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"default: {PLOT}")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--only", action="append", choices=PARTS, help="run this part (repeatable)"
    )
    parser.add_argument(
        "--skip", action="append", choices=PARTS, default=[], help="leave it out"
    )
    parser.add_argument("--http-rounds", type=int, default=3)
    parser.add_argument("--http-seconds", type=int, default=2)
    parser.add_argument(
        "--profile",
        nargs=2,
        metavar=("APP", "CASE"),
        help="profile one app on one case (e.g. ch08 create/tutorial)",
    )
    args = parser.parse_args(argv)
    cases = cases_in(args.style)
    final = f"ch{all_chapters()[-1].number}"
    if args.profile:
        print(profile(*args.profile, requests=max(args.requests, 5000)))
        return 0
    parts = [part for part in args.only or PARTS if part not in args.skip]
    if "in-process" in parts:
        print(
            f"in-process: {args.rounds} rounds of {args.requests} requests per"
            " app and case; CPU microseconds per request"
        )
        times = asyncio.run(run(cases, args.rounds, args.requests))
        print(report(times))
        styles = STYLES if args.style == "both" else (args.style,)
        print(goals_report(times, final, styles))
        print(hot_path_report(times))
        if args.json:
            args.json.write_text(json.dumps(times, indent=1))
        if not args.no_plot:
            plot(times, args.plot)
            print(f"\nplot: {args.plot}")
    if "http" in parts:
        import benchmark_http

        rates = benchmark_http.run(cases, args.http_rounds, args.http_seconds)
        print(benchmark_http.report(rates, final))
    if "upload" in parts:
        import benchmark_upload

        chapter = benchmark_upload.last_chapter_with_uploads()
        print(benchmark_upload.report(benchmark_upload.run(chapter), chapter))
    if "ws" in parts:
        import benchmark_ws

        print(benchmark_ws.report(benchmark_ws.run(), final))
    return 0


if __name__ == "__main__":
    sys.exit(main())
