"""The docs pages: Swagger UI at /docs and ReDoc at /redoc, with no internet.

Both pages are a little HTML that loads a JavaScript bundle and points it at
/openapi.json. FastAPI loads the bundles from a CDN; we serve them from the
app itself, taking the files from the `fastapi-standalone-docs` package that
requirements.txt installs (its files are read, its code is never imported).
"""

from __future__ import annotations

import html
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

from .exceptions import HTTPException
from .requests import Request
from .responses import HTMLResponse, JSONResponse, Response

JS = "application/javascript; charset=utf-8"  # without the charset, Chromium
CSS = "text/css; charset=utf-8"  # fails to parse Swagger UI's bundle
ASSETS = {
    "swagger": {"swagger-ui-bundle.js": JS, "swagger-ui.css": CSS},
    "redoc": {"redoc.standalone.js": JS, "logo-mini.svg": "image/svg+xml"},
}
NO_FAVICON = '<link rel="icon" href="data:,">'  # the browser asks for nothing more


def script_string(value: str) -> str:
    """A JSON string that cannot end the <script> element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


@cache
def asset(folder: str, name: str) -> bytes:
    spec = importlib.util.find_spec("fastapi_standalone_docs")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the docs pages need: pip install fastapi-standalone-docs")
    root = Path(next(iter(spec.submodule_search_locations)))
    return (root / "static" / folder / name).read_bytes()


def swagger_ui_html(title: str, openapi_url: str, assets_url: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{NO_FAVICON}
<link rel="stylesheet" href="{assets_url}/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {script_string(openapi_url)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
}});
</script></body></html>"""


def redoc_html(title: str, openapi_url: str, assets_url: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{NO_FAVICON}
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ margin: 0; padding: 0; }}</style>
</head><body>
<redoc spec-url="{html.escape(openapi_url)}"></redoc>
<script src="{assets_url}/redoc.standalone.js"></script>
</body></html>"""


def add_docs_routes(app: Any) -> None:
    """`/openapi.json`, then the pages and their files, left out of the document."""

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    async def openapi(request: Request) -> Response:
        return JSONResponse(app.openapi())

    app.add_route(app.openapi_url, openapi)
    pages = [
        ("swagger", app.docs_url, swagger_ui_html, "Swagger UI"),
        ("redoc", app.redoc_url, redoc_html, "ReDoc"),
    ]
    for folder, url, render, label in pages:
        if not url:
            continue

        async def page(request: Request, url=url, render=render, label=label):
            prefix = root(request)
            title = f"{app.title} - {label}"
            return HTMLResponse(render(title, prefix + app.openapi_url, prefix + url))

        async def files(request: Request, folder=folder) -> Response:
            name = request.path_params["name"]
            if name not in ASSETS[folder]:  # only the files we know, nothing else
                raise HTTPException(404)
            return Response(asset(folder, name), media_type=ASSETS[folder][name])

        app.add_route(url, page)
        app.add_route(url + "/{name}", files)
