"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 03 the App is an onion: every request passes through
ServerErrorMiddleware, the user's middleware and ExceptionMiddleware before it
reaches a handler. `HTTPException` and exception handlers turn errors into
answers; a lifespan runs startup and shutdown code.
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
from .types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "URL",
    "ASGIApp",
    "App",
    "HTMLResponse",
    "HTTPException",
    "Headers",
    "JSONResponse",
    "Message",
    "Middleware",
    "PlainTextResponse",
    "QueryParams",
    "Receive",
    "RedirectResponse",
    "Request",
    "Response",
    "Scope",
    "Send",
    "State",
    "StreamingResponse",
]
