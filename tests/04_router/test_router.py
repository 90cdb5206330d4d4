"""Chapter 04: the router. Matching, 404/405, redirects, prefixes, mounts.

Where FastAPI has the same feature the answer must be FastAPI's, so most tests
build one app for both and compare.
"""

import pytest
from asgitest import call_http, call_lifespan, http_scope, response_parts
from oracle import compare

pytestmark = pytest.mark.anyio


def build_shop(api):
    app = api.App()
    Request = api.Request

    def echo_route(label):
        async def endpoint(request: Request):
            return api.JSONResponse({"route": label, "params": request.path_params})

        endpoint.__name__ = label.replace(" ", "_")
        return endpoint

    app.get("/users/me")(echo_route("me"))
    app.get("/users/{user_id}")(echo_route("user"))
    app.get("/numbers/{n:int}")(echo_route("int"))
    app.get("/files/{path:path}")(echo_route("file"))
    app.get("/articles/")(echo_route("articles"))
    app.get("/articles/{slug}")(echo_route("article"))
    app.api_route("/multi", methods=["GET", "POST"])(echo_route("multi"))
    app.put("/split")(echo_route("split put"))
    app.patch("/split")(echo_route("split patch"))
    app.delete("/sessions/{sid}")(echo_route("end session"))

    outer = api.APIRouter(prefix="/shop")
    inner = api.APIRouter()
    inner.get("/")(echo_route("catalogue"))
    inner.get("/{item_id}")(echo_route("item"))
    outer.include_router(inner, prefix="/catalogue")
    app.include_router(outer, prefix="/v1")

    async def raw(scope, receive, send):
        text = f"{scope['path']} {scope['root_path']}"
        await api.PlainTextResponse(text)(scope, receive, send)

    app.mount("/raw", raw)
    return app


REQUESTS = [
    ("GET", "/users/me"),
    ("GET", "/users/42"),
    ("GET", "/numbers/7"),
    ("GET", "/numbers/-7"),
    ("GET", "/files/a/b/c.txt"),
    ("GET", "/files/"),
    ("GET", "/articles/"),
    ("GET", "/articles"),
    ("GET", "/articles?page=2&q=a%20b"),
    ("GET", "/articles/intro/"),
    ("GET", "/articles/intro/?x=1"),
    ("GET", "/nowhere"),
    ("GET", "/"),
    ("POST", "/users/me"),
    ("HEAD", "/users/me"),
    ("PUT", "/multi"),
    ("DELETE", "/split"),
    ("POST", "/split"),
    ("PATCH", "/split"),  # PUT's route is PARTIAL, PATCH's further down is FULL
    ("POST", "/articles"),  # "/articles/" is PARTIAL: the redirect comes first
    ("GET", "/sessions/abc"),
    ("DELETE", "/sessions"),
    ("GET", "/v1/shop/catalogue/"),
    ("GET", "/v1/shop/catalogue/17"),
    ("GET", "/v1/shop/catalogue"),
    ("GET", "/shop/catalogue/"),
    ("GET", "/raw/deep/path"),
    ("GET", "/raw"),
    ("GET", "/raw/"),
]


@pytest.mark.parametrize(
    ("method", "url"), REQUESTS, ids=[f"{m} {u}" for m, u in REQUESTS]
)
async def test_routing_answers_like_fastapi(pkg, method, url):
    [(theirs, ours)] = await compare(build_shop, pkg, [{"method": method, "url": url}])
    assert ours.status == theirs.status
    assert ours.body == theirs.body
    assert ours.headers.get("location") == theirs.headers.get("location")
    assert ours.headers.get("content-type") == theirs.headers.get("content-type")
    allow = [
        {m.strip() for m in a.headers.get("allow", "").split(",")}
        for a in (theirs, ours)
    ]
    assert allow[0] == allow[1]


async def test_the_allow_header_is_sorted(pkg):
    app = pkg.App()

    async def endpoint(request: pkg.Request):
        return pkg.Response("")

    app.api_route("/x", methods=["POST", "GET", "DELETE"])(endpoint)
    status, headers, _ = response_parts(await call_http(app, http_scope("PUT", "/x")))
    assert (status, headers[b"allow"]) == (405, b"DELETE, GET, POST")


def test_matches_says_none_partial_or_full(pkg):
    route = pkg.Route("/items/{item_id:int}", lambda r: None, methods=["POST"])
    assert route.matches(http_scope("POST", "/items/1"))[0] is pkg.Match.FULL
    assert route.matches(http_scope("GET", "/items/1"))[0] is pkg.Match.PARTIAL
    assert route.matches(http_scope("POST", "/items/x"))[0] is pkg.Match.NONE
    assert route.matches({"type": "lifespan"})[0] is pkg.Match.NONE


async def test_the_first_full_match_wins(pkg):
    router = pkg.Router()
    for label in ("first", "second"):

        async def endpoint(request, label=label):
            return pkg.PlainTextResponse(label)

        router.add_route("/same", endpoint)
    _, _, body = response_parts(await call_http(router, http_scope(path="/same")))
    assert body == b"first"


async def test_a_router_alone_answers_404_and_405_itself(pkg):
    router = pkg.Router()

    async def endpoint(request):
        return pkg.PlainTextResponse("hi")

    router.add_route("/hi", endpoint, methods=["POST"])
    status, _, body = response_parts(await call_http(router, http_scope(path="/no")))
    assert (status, body) == (404, b"Not Found")
    status, headers, _ = response_parts(await call_http(router, http_scope(path="/hi")))
    assert (status, headers[b"allow"]) == (405, b"POST")


async def test_prefixes_add_up_and_tags_collect(pkg):
    app, outer, inner = (
        pkg.App(),
        pkg.APIRouter(prefix="/a", tags=["a"]),
        pkg.APIRouter(),
    )

    @inner.get("/leaf", tags=["leaf"])
    async def leaf(request: pkg.Request):
        return pkg.Response("leaf")

    outer.include_router(inner, prefix="/b", tags=["b"])
    app.include_router(outer, prefix="/c", tags=["c"])
    [route] = [r for r in app.routes if isinstance(r, pkg.APIRoute)]
    assert route.path == "/c/a/b/leaf"
    assert route.tags == ["c", "a", "b", "leaf"]


@pytest.mark.parametrize("prefix", ["items", "/items/"])
def test_a_malformed_prefix_is_refused(pkg, prefix):
    with pytest.raises(ValueError):
        pkg.App().include_router(pkg.APIRouter(), prefix=prefix)


async def test_a_mounted_app_sees_its_root_path(pkg):
    seen = {}

    async def sub(scope, receive, send):
        seen.update(path=scope["path"], root_path=scope["root_path"])
        await pkg.Response("")(scope, receive, send)

    app = pkg.App()
    app.mount("/sub", sub)
    await call_http(app, http_scope(path="/sub/inner/x", root_path=""))
    assert seen == {"path": "/sub/inner/x", "root_path": "/sub"}


async def test_a_mounted_app_routes_below_its_prefix(pkg):
    inner = pkg.App()

    @inner.get("/ping")
    async def ping(request: pkg.Request):
        # The outermost router names routes: a mounted one is "mount:route".
        return pkg.JSONResponse({"url": str(request.url_for("api:ping"))})

    app = pkg.App()
    app.mount("/api", inner, name="api")
    status, _, body = response_parts(await call_http(app, http_scope(path="/api/ping")))
    assert (status, body) == (200, b'{"url":"http://testserver/api/ping"}')
    assert app.url_path_for("api:ping") == "/api/ping"


async def test_url_for_builds_an_absolute_url(pkg):
    app = pkg.App()

    @app.get("/users/{user_id:int}")
    async def read_user(request: pkg.Request):
        return pkg.PlainTextResponse(str(request.url_for("read_user", user_id=9)))

    _, _, body = response_parts(await call_http(app, http_scope(path="/users/1")))
    assert body == b"http://testserver/users/9"


async def test_no_redirect_when_redirect_slashes_is_off(pkg):
    app = pkg.App(redirect_slashes=False)

    @app.get("/items/")
    async def items(request: pkg.Request):
        return pkg.Response("")

    status, _, _ = response_parts(await call_http(app, http_scope(path="/items")))
    assert status == 404


async def test_the_lifespan_goes_to_the_app_not_to_a_route(pkg):
    events = []

    async def lifespan(app):
        events.append("up")
        yield
        events.append("down")

    app = pkg.App(lifespan=lifespan)

    @app.get("/{anything:path}")
    async def catch_all(request: pkg.Request):
        events.append("route")
        return pkg.Response("")

    messages = await call_lifespan(app, "startup", "shutdown")
    assert [m["type"] for m in messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == ["up", "down"]


async def test_a_def_handler_runs_on_a_router_route(pkg):
    app = pkg.App()

    @app.get("/sync")
    def sync_handler(request: pkg.Request):
        return pkg.PlainTextResponse("from a thread")

    status, _, body = response_parts(await call_http(app, http_scope(path="/sync")))
    assert (status, body) == (200, b"from a thread")


def test_a_mount_builds_its_own_urls(pkg):
    async def files(scope, receive, send):
        pass

    app = pkg.App()
    app.mount("/static", files, name="static")
    assert app.url_path_for("static", path="/css/a.css") == "/static/css/a.css"
    assert app.url_path_for("static", path="css/a.css") == "/static/css/a.css"


async def test_a_router_alone_passes_the_lifespan_protocol(pkg):
    messages = await call_lifespan(pkg.Router(), "startup", "shutdown")
    assert [m["type"] for m in messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


async def test_a_router_alone_runs_its_startup_and_shutdown_handlers(pkg):
    events = []
    router = pkg.APIRouter(on_startup=[lambda: events.append("up")])
    router.add_event_handler("shutdown", lambda: events.append("down"))
    await call_lifespan(router, "startup", "shutdown")
    assert events == ["up", "down"]


async def endpoint_saying(pkg, text):
    async def endpoint(request: pkg.Request):
        return pkg.PlainTextResponse(f"{text} {request.path_params}")

    return endpoint


async def test_routes_and_mounts_are_asgi_apps_themselves(pkg):
    route = pkg.Route("/items/{n:int}", await endpoint_saying(pkg, "route"))
    api_route = pkg.APIRoute("/items/{n:int}", await endpoint_saying(pkg, "api"))
    mount = pkg.Mount("/shop", routes=[route])
    cases = [
        (route, "/items/3", 200, b"route {'n': 3}"),
        (api_route, "/items/3", 200, b"api {'n': 3}"),
        (mount, "/shop/items/4", 200, b"route {'n': 4}"),
        (route, "/other", 404, b"Not Found"),
        (mount, "/elsewhere", 404, b"Not Found"),
    ]
    for app, path, status, body in cases:
        answer = response_parts(await call_http(app, http_scope(path=path)))
        assert answer[0::2] == (status, body), (app, path)
    status, headers, _ = response_parts(
        await call_http(api_route, http_scope("POST", "/items/3"))
    )
    assert (status, headers[b"allow"]) == (405, b"GET")


def test_no_route_of_the_demo_is_hidden_by_an_earlier_one(pkg, demo):
    """Declared before `/users/me`, `/users/{user_id}` would answer for it: the
    first route to match a fixed path with its method must be its own route."""
    fixed = [
        route
        for route in demo.app.routes
        if getattr(route, "methods", None) and "{" not in route.path_format
    ]
    assert fixed, "the demo has no route with a fixed path"
    for route in fixed:
        method = sorted(route.methods)[0]
        scope = http_scope(method, route.path_format)
        first = next(
            r for r in demo.app.routes if r.matches(scope)[0] is pkg.Match.FULL
        )
        assert first is route, (
            f"{method} {route.path_format} reaches {first.path_format}, declared "
            "before it: declare the fixed path first"
        )
