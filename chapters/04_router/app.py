"""Chapter 04 demo: the same service, its paths now kept by a router.

Serve it with:  uvicorn --app-dir chapters/04_router app:app

  GET  /                     a greeting
  GET  /hello                ?name=... greets by name (JSON)
  POST /echo                 the request body, sent back as it arrived
  POST /json                 the body parsed as JSON, or 400 when it is not JSON
  GET  /users/me             the current user (declared before /users/{user_id})
  GET  /users/{user_id:int}  one user; /users/abc does not match, so 404
  GET  /files/{path:path}    a path parameter that spans slashes
  GET  /items/               the items (an included router, prefix /items)
  GET  /items/{item_id}      one item; /items without the slash redirects (307)
  POST /items/               create an item
  GET  /raw/...              a raw ASGI app mounted under /raw
  GET  /boom                 an error nobody handles: a 500
"""

import time
from contextlib import asynccontextmanager

from nanoapi import (
    APIRouter,
    App,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Request,
    Response,
)
from nanoapi.types import Receive, Scope, Send

ITEMS = {"1": {"name": "kettle"}, "2": {"name": "teapot"}}


@asynccontextmanager
async def lifespan(app: App):
    yield {"started_at": time.time()}


app = App(lifespan=lifespan)


@app.middleware("http")
async def process_time(request: Request, call_next) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["x-process-time"] = f"{time.perf_counter() - started:.6f}"
    return response


@app.get("/")
async def home(request: Request) -> Response:
    return PlainTextResponse("Hello, ASGI!")


@app.get("/hello")
async def hello(request: Request) -> Response:
    name = request.query_params.get("name", "world")
    return JSONResponse({"message": f"Hello, {name}!"})


@app.post("/echo")
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="text/plain")


@app.post("/json")
async def parse_json(request: Request) -> Response:
    try:
        data = await request.json()
    except ValueError:  # malformed JSON, or bytes that are not UTF-8
        return PlainTextResponse("The body is not valid JSON", status_code=400)
    return JSONResponse({"received": data})


@app.get("/users/me")
async def current_user(request: Request) -> Response:
    return JSONResponse({"user": "me"})


@app.get("/users/{user_id:int}")
async def read_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    return JSONResponse(
        {"user_id": user_id, "url": str(request.url_for("read_user", user_id=user_id))}
    )


@app.get("/files/{path:path}")
async def read_file(request: Request) -> Response:
    return JSONResponse({"path": request.path_params["path"]})


items = APIRouter()


@items.get("/")
async def list_items(request: Request) -> Response:
    return JSONResponse(ITEMS)


@items.get("/{item_id}")
async def read_item(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    if item_id not in ITEMS:
        raise HTTPException(404, detail=f"no item {item_id}")
    return JSONResponse(ITEMS[item_id])


@items.post("/")
async def create_item(request: Request) -> Response:
    item_id = str(len(ITEMS) + 1)
    ITEMS[item_id] = await request.json()
    return JSONResponse({"id": item_id}, status_code=201)


app.include_router(items, prefix="/items", tags=["items"])


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare ASGI app knows nothing of the router, only of root_path."""
    body = f"raw app: path={scope['path']} root_path={scope['root_path']}"
    await PlainTextResponse(body)(scope, receive, send)


app.mount("/raw", raw_app)


@app.get("/boom")
async def boom(request: Request) -> Response:
    raise RuntimeError("something broke inside the handler")
