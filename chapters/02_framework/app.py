"""Chapter 02 demo: the same service as chapter 01, written with the App class.

Serve it with:  uvicorn --app-dir chapters/02_framework app:app

  GET  /           a greeting
  GET  /hello      ?name=... greets by name (JSON)
  GET  /whoami     what the request looked like: headers, cookies, query
  GET  /old-home   a redirect to /
  POST /echo       the request body, sent back as it arrived
  POST /json       the body parsed as JSON, or 400 when it is not JSON
"""

from nanoapi import (
    App,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    Response,
)

app = App()


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
