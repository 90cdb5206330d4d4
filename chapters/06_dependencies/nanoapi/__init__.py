"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 06 a parameter can depend on another callable: `Depends`
builds a tree of dependencies, solved once per request each, with `yield`
cleanup, overrides for tests, and background tasks that run after the
response.
"""

from . import status
from .applications import App
from .background import BackgroundTask, BackgroundTasks
from .datastructures import URL, Headers, QueryParams, State
from .encoders import jsonable_encoder
from .exceptions import HTTPException, RequestValidationError, ResponseValidationError
from .middleware import Middleware
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
    "jsonable_encoder",
    "status",
]
