"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 05 a handler's signature is its contract: parameters come from
the path, query, headers, cookies or body, validated by Pydantic, with
FastAPI's 422 errors; what it returns is encoded (and filtered by a
response_model) as FastAPI does.
"""

from . import status
from .applications import App
from .datastructures import URL, Headers, QueryParams, State
from .encoders import jsonable_encoder
from .exceptions import HTTPException, RequestValidationError, ResponseValidationError
from .middleware import Middleware
from .params import Body, Cookie, Header, Path, Query
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
    "Body",
    "Cookie",
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
