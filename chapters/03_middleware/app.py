"""Chapter 03 demo: the same service, now inside the middleware onion.

Serve it with:  uvicorn --app-dir chapters/03_middleware app:app

  GET  /           a greeting
  GET  /hello      ?name=... greets by name (JSON)
  GET  /whoami     what the request looked like: headers, cookies, query
  GET  /old-home   a redirect to /
  POST /echo       the request body, sent back as it arrived
  POST /json       the body parsed as JSON, or 400 when it is not JSON
  GET  /status     what the lifespan prepared, read from request.state
  GET  /teapot     raises HTTPException(418)
  GET  /stock      raises OutOfStock, which its own handler turns into a 409
  GET  /boom       raises an error nobody handles: a 500 (a traceback page with
                   NANOAPI_DEBUG=1)

Every response carries `x-process-time` (a function middleware) and
`x-request-id` (a pure ASGI middleware).
"""

import itertools
import os
import time
from contextlib import asynccontextmanager

from nanoapi import (
    App,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    Response,
)
from nanoapi.types import Message, Receive, Scope, Send


@asynccontextmanager
async def lifespan(app: App):
    # Startup: open connections, load models... The dict becomes request.state.
    yield {"started_at": time.time(), "greeting": "Hello"}
    # Shutdown: close what startup opened.


app = App(lifespan=lifespan, debug=os.environ.get("NANOAPI_DEBUG") == "1")


class RequestIdMiddleware:
    """Pure ASGI middleware: number each request, stamp the id on the response."""

    def __init__(self, app, header: str = "x-request-id") -> None:
        self.app = app
        self.header = header.encode()
        self.ids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(next(self.ids)).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (self.header, request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


app.add_middleware(RequestIdMiddleware)


@app.middleware("http")
async def process_time(request: Request, call_next) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["x-process-time"] = f"{time.perf_counter() - started:.6f}"
    return response


class OutOfStock(Exception):
    def __init__(self, item: str) -> None:
        self.item = item


@app.exception_handler(OutOfStock)
async def out_of_stock(request: Request, exc: OutOfStock) -> Response:
    return JSONResponse({"detail": f"{exc.item} is out of stock"}, status_code=409)


@app.route("/")
async def home(request: Request) -> Response:
    return PlainTextResponse("Hello, ASGI!")


@app.route("/hello")
async def hello(request: Request) -> Response:
    name = request.query_params.get("name", "world")
    return JSONResponse({"message": f"Hello, {name}!"})


@app.route("/whoami")
async def whoami(request: Request) -> Response:
    return JSONResponse(
        {
            "method": request.method,
            "url": str(request.url),
            "user_agent": request.headers.get("user-agent"),
            "tags": request.query_params.getlist("tag"),
            "cookies": request.cookies,
        }
    )


@app.route("/old-home")
async def old_home(request: Request) -> Response:
    return RedirectResponse("/")


@app.route("/echo", methods=["POST"])
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="text/plain")


@app.route("/json", methods=["POST"])
async def parse_json(request: Request) -> Response:
    try:
        data = await request.json()
    except ValueError:  # malformed JSON, or bytes that are not UTF-8
        return PlainTextResponse("The body is not valid JSON", status_code=400)
    return JSONResponse({"received": data})


@app.route("/status")
async def status(request: Request) -> Response:
    uptime = time.time() - request.state.started_at
    return JSONResponse({"greeting": request.state.greeting, "uptime": uptime})


@app.route("/teapot")
async def teapot(request: Request) -> Response:
    raise HTTPException(418, detail="I only make tea")


@app.route("/stock")
async def stock(request: Request) -> Response:
    raise OutOfStock("green tea")


@app.route("/boom")
async def boom(request: Request) -> Response:
    raise RuntimeError("something broke inside the handler")
