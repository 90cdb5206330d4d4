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
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..exceptions import HTTPException
from ..requests import Request
from ..responses import HTMLResponse, Response
from ..router import Endpoint

Render = Callable[[str, str, str], str]  # (title, openapi_url, files_url) -> HTML

JS = "application/javascript; charset=utf-8"  # without the charset, Chromium
CSS = "text/css; charset=utf-8"  # fails to parse Swagger UI's bundle
ASSETS = {
    "swagger": {"swagger-ui-bundle.js": JS, "swagger-ui.css": CSS},
    "redoc": {"redoc.standalone.js": JS, "logo-mini.svg": "image/svg+xml"},
}
SWAGGER_UI_DEFAULTS = {  # FastAPI's
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
}
NO_FAVICON = '<link rel="icon" href="data:,">'  # the browser asks for nothing more


def script_json(value: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


@cache
def asset(folder: str, name: str) -> bytes:
    spec = importlib.util.find_spec("fastapi_standalone_docs")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the docs pages need: pip install fastapi-standalone-docs")
    root = Path(next(iter(spec.submodule_search_locations)))
    return (root / "static" / folder / name).read_bytes()


def swagger_ui_html(
    title: str,
    openapi_url: str,
    assets_url: str,
    parameters: dict[str, Any] | None = None,
) -> str:
    """The page; `parameters` (FastAPI's `swagger_ui_parameters`) update the
    defaults, one `"key": value,` line each, as FastAPI writes them."""
    config = {**SWAGGER_UI_DEFAULTS, **(parameters or {})}
    lines = "".join(
        f"  {script_json(k)}: {script_json(v)},\n" for k, v in config.items()
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{NO_FAVICON}
<link rel="stylesheet" href="{assets_url}/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {script_json(openapi_url)},
  validatorUrl: null,
{lines}  presets: [
    SwaggerUIBundle.presets.apis,
    SwaggerUIBundle.SwaggerUIStandalonePreset,
  ],
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


def docs_page(render: Render, title: str, openapi_url: str, url: str) -> Endpoint:
    """The page at `url`: its files and the document, under the root path."""

    async def page(request: Request) -> Response:
        prefix = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(render(title, prefix + openapi_url, prefix + url))

    return page


def docs_files(folder: str) -> Endpoint:
    """The files a page loads, from `url/{name}`: only those we know."""

    async def files(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS[folder]:
            raise HTTPException(404)
        return Response(asset(folder, name), media_type=ASSETS[folder][name])

    return files
