"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 04 the middle of the onion is a Router: routes with path
templates and convertors, FastAPI's `@app.get`-style decorators, sub-routers
included under a prefix, and other ASGI apps mounted under a path.
"""

from .applications import App
from .datastructures import URL, Headers, QueryParams, State
from .exceptions import HTTPException
from .middleware import Middleware
from .requests import Request
from .responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from .router import Match, Mount, NoMatchFound, Route, Router
from .routing import APIRoute, APIRouter
from .types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "URL",
    "APIRoute",
    "APIRouter",
    "ASGIApp",
    "App",
    "HTMLResponse",
    "HTTPException",
    "Headers",
    "JSONResponse",
    "Match",
    "Message",
    "Middleware",
    "Mount",
    "NoMatchFound",
    "PlainTextResponse",
    "QueryParams",
    "Receive",
    "RedirectResponse",
    "Request",
    "Response",
    "Route",
    "Router",
    "Scope",
    "Send",
    "State",
    "StreamingResponse",
]
