"""Chapter 06: dependency injection answers, and behaves, like FastAPI's.

Each case builds one app against `api` and returns it with a log. Both sides
get the same requests; the answers and then the logs (which dependency ran,
how often, in which order, what cleanup saw) must be the same.
"""

from typing import Annotated

import pytest
from oracle import ask, fastapi_namespace, package_namespace
from pydantic import BaseModel

pytestmark = pytest.mark.anyio


class Item(BaseModel):
    name: str


class User(BaseModel):
    username: str


def nested_and_cached(api, log):
    app = api.App()

    def settings():
        log.append("settings")
        return {"limit": 3}

    async def paging(settings: Annotated[dict, api.Depends(settings)], page: int = 1):
        log.append(f"paging {page}")
        return {"page": page, "limit": settings["limit"]}

    class Filters:
        def __init__(self, q: str | None = None, tag: list[str] | None = None):
            log.append("filters")
            self.q, self.tag = q, tag

    class Multiplier:
        def __init__(self, factor: int) -> None:
            self.factor = factor

        def __call__(self, n: int = 1) -> int:
            return n * self.factor

    triple = Multiplier(3)

    @app.get("/search")
    def search(
        paging: Annotated[dict, api.Depends(paging)],
        filters: Annotated[Filters, api.Depends()],
        again: Annotated[dict, api.Depends(settings)],
        fresh: Annotated[dict, api.Depends(settings, use_cache=False)],
        tripled: Annotated[int, api.Depends(triple)],
    ):
        return {"paging": paging, "q": filters.q, "tag": filters.tag, "n": tripled}

    return app


def yield_dependencies(api, log):
    app = api.App()

    async def outer():
        log.append("outer open")
        try:
            yield "outer"
        except Exception as exc:
            log.append(f"outer saw {type(exc).__name__}")
            raise
        finally:
            log.append("outer close")

    def inner(outer_value: Annotated[str, api.Depends(outer)]):
        log.append("inner open")
        try:
            yield f"inner+{outer_value}"
        except api.HTTPException as exc:
            log.append(f"inner saw {exc.status_code}")
            raise
        finally:
            log.append("inner close")

    def quick():
        log.append("quick open")
        yield "quick"
        log.append("quick close")

    def record(message: str):
        log.append(message)

    @app.get("/ok")
    def ok(value: Annotated[str, api.Depends(inner)], tasks: api.BackgroundTasks):
        log.append("handler")
        tasks.add_task(record, "task")
        return {"value": value}

    @app.get("/missing")
    def missing(value: Annotated[str, api.Depends(inner)]):
        log.append("handler")
        raise api.HTTPException(404, detail="gone")

    @app.get("/function-scope")
    def function_scope(
        value: Annotated[str, api.Depends(quick, scope="function")],
        tasks: api.BackgroundTasks,
    ):
        log.append("handler")
        tasks.add_task(record, "task")
        return {"value": value}

    return app


def errors_and_bodies(api, log):
    app = api.App()

    def auth(x_token: Annotated[str, api.Header()]):
        if x_token != "secret":
            raise api.HTTPException(403, detail="bad token")
        return x_token

    def pagination(page: int, size: int = 10):
        log.append(f"pagination {page}")
        return {"page": page, "size": size}

    def item_dep(item: Item):
        log.append(f"item {item.name}")
        return item

    @app.get("/list/{kind}")
    def listing(
        kind: int,
        paging: Annotated[dict, api.Depends(pagination)],
        token: Annotated[str, api.Depends(auth)],
        verbose: bool = False,
    ):
        return {"kind": kind, **paging}

    @app.post("/create")
    def create(item: Annotated[Item, api.Depends(item_dep)], user: User):
        return {"item": item, "user": user}

    @app.post("/single")
    def single(item: Annotated[Item, api.Depends(item_dep)]):
        return item

    return app


def declared_dependencies(api, log):
    def mark(label):
        def dependency():
            log.append(label)

        return dependency

    def forbid(x_block: Annotated[str | None, api.Header()] = None):
        if x_block:
            raise api.HTTPException(403, detail="blocked")

    app = api.App(dependencies=[api.Depends(mark("app"))])
    router = api.APIRouter(dependencies=[api.Depends(mark("router"))])

    @router.get("/inside", dependencies=[api.Depends(mark("route"))])
    def inside():
        log.append("handler")
        return {"ok": True}

    app.include_router(
        router,
        prefix="/r",
        dependencies=[api.Depends(mark("include")), api.Depends(forbid)],
    )

    @app.get("/top")
    def top():
        log.append("top handler")
        return {"ok": True}

    return app


def overrides(api, log):
    app = api.App()

    def real_db():
        log.append("real db")
        return "real"

    def fake_db(flavour: str = "fake"):
        log.append("fake db")
        return flavour

    @app.get("/db")
    def read(db: Annotated[str, api.Depends(real_db)]):
        return {"db": db}

    @app.get("/override-on")
    def turn_on():
        app.dependency_overrides[real_db] = fake_db
        return {}

    @app.get("/override-off")
    def turn_off():
        app.dependency_overrides.clear()
        return {}

    return app


def shared_objects(api, log):
    app = api.App()

    def stamp(response: api.Response, tasks: api.BackgroundTasks):
        response.headers["x-stamped"] = "yes"
        tasks.add_task(log.append, "from dependency")
        return "stamped"

    async def later(word: str, times: int = 1):
        log.append(word * times)

    @app.post("/both")
    async def both(
        stamped: Annotated[str, api.Depends(stamp)],
        tasks: api.BackgroundTasks,
        response: api.Response,
    ):
        tasks.add_task(later, "ab", times=2)
        response.status_code = 202
        return {"stamped": stamped}

    @app.post("/own-response")
    def own(tasks: api.BackgroundTasks):
        tasks.add_task(log.append, "own")
        return api.JSONResponse({"own": True})

    return app


CASES = {
    "nested and cached": (
        nested_and_cached,
        ["/search", "/search?page=2&q=x&tag=a&tag=b&n=4", "/search?page=x&n=y"],
    ),
    "yield": (yield_dependencies, ["/ok", "/missing", "/function-scope"]),
    "errors": (
        errors_and_bodies,
        [
            ("GET", "/list/1?page=2", {"headers": {"x-token": "secret"}}),
            ("GET", "/list/x?verbose=maybe", {}),
            ("GET", "/list/1?page=1", {"headers": {"x-token": "wrong"}}),
            (
                "POST",
                "/create",
                {"json": {"item": {"name": "a"}, "user": {"username": "u"}}},
            ),
            ("POST", "/create", {"json": {"name": "a", "username": "u"}}),
            ("POST", "/create", {"json": {"item": {}}}),
            ("POST", "/single", {"json": {"name": "a"}}),
            ("POST", "/single", {"json": {"item": {"name": "a"}}}),
        ],
    ),
    "declared": (
        declared_dependencies,
        ["/r/inside", ("GET", "/r/inside", {"headers": {"x-block": "1"}}), "/top"],
    ),
    "overrides": (
        overrides,
        ["/db", "/override-on", "/db", "/db?flavour=test", "/override-off", "/db"],
    ),
    "shared objects": (
        shared_objects,
        [("POST", "/both", {}), ("POST", "/own-response", {})],
    ),
}


def scopes(api, log):
    app = api.App()

    def counter():
        log.append("open")
        yield len(log)
        log.append("close")

    @app.get("/both")
    def both(
        a: Annotated[int, api.Depends(counter)],
        b: Annotated[int, api.Depends(counter, scope="function")],
        c: Annotated[int, api.Depends(counter)],
    ):
        return [a, b, c]

    return app


CASES["scopes"] = (scopes, ["/both"])


def as_request(spec):
    if isinstance(spec, str):
        return {"method": "GET", "url": spec}
    method, url, options = spec
    return {"method": method, "url": url, **options}


@pytest.mark.parametrize("case", list(CASES))
async def test_dependencies_behave_like_fastapi(pkg, case):
    build, specs = CASES[case]
    requests = [as_request(spec) for spec in specs]
    logs = {"fastapi": [], "ours": []}
    answers = {}
    for api in (fastapi_namespace(), package_namespace(pkg)):
        answers[api.side] = await ask(build(api, logs[api.side]), requests)
    for request, theirs, ours in zip(
        requests, answers["fastapi"], answers["ours"], strict=True
    ):
        label = f"{request['method']} {request['url']}"
        assert ours.status == theirs.status, label
        if "json" in theirs.headers.get("content-type", ""):
            assert ours.json() == theirs.json(), label
        else:
            assert ours.body == theirs.body, label
        assert ours.headers.get("x-stamped") == theirs.headers.get("x-stamped"), label
    assert logs["fastapi"], "the case should leave a trace to compare"
    assert logs["ours"] == logs["fastapi"]


def test_a_request_scoped_dependency_cannot_use_a_function_scoped_one(pkg):
    def short_lived():
        yield "x"

    def long_lived(value: Annotated[str, pkg.Depends(short_lived, scope="function")]):
        yield value

    app = pkg.App()
    with pytest.raises(TypeError, match="scope"):

        @app.get("/")
        def endpoint(value: Annotated[str, pkg.Depends(long_lived)]):
            return value


async def test_overrides_set_to_none_mean_no_overrides(pkg):
    """FastAPI's tutorial resets them with `app.dependency_overrides = None`."""
    app = pkg.App()

    def token() -> str:
        return "real"

    @app.get("/")
    def read(value: Annotated[str, pkg.Depends(token)]):
        return {"value": value}

    app.dependency_overrides[token] = lambda: "fake"
    [faked] = await ask(app, [{"method": "GET", "url": "/"}])
    app.dependency_overrides = None
    [real] = await ask(app, [{"method": "GET", "url": "/"}])
    assert (faked.json(), real.json()) == ({"value": "fake"}, {"value": "real"})
