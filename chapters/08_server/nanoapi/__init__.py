"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 08 the package also holds the other side of ASGI: a small
HTTP/1.1 server (`python -m nanoapi app:app`) that turns bytes into ASGI
events and back, and serves any ASGI app, ours or not.
"""

from . import status
from .applications import App
from .background import BackgroundTask, BackgroundTasks
from .datastructures import URL, Headers, QueryParams, State
from .encoders import jsonable_encoder
from .exceptions import HTTPException, RequestValidationError, ResponseValidationError
from .middleware import Middleware
from .openapi import get_openapi
from .params import Body, Cookie, Depends, Header, Path, Query
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
    "BackgroundTask",
    "BackgroundTasks",
    "Body",
    "Cookie",
    "Depends",
    "HTMLResponse",
    "HTTPException",
    "Header",
    "Headers",
    "JSONResponse",
    "Match",
    "Message",
    "Middleware",
    "Mount",
    "NoMatchFound",
    "Path",
    "PlainTextResponse",
    "Query",
    "QueryParams",
    "Receive",
    "RedirectResponse",
    "Request",
    "RequestValidationError",
    "Response",
    "ResponseValidationError",
    "Route",
    "Router",
    "Scope",
    "Send",
    "State",
    "StreamingResponse",
    "get_openapi",
    "jsonable_encoder",
    "status",
]
