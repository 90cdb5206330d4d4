"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 02 it is a framework: an `App` object that is itself an ASGI
app, a `Request` built from scope and receive, and `Response` objects that
send themselves. Handlers are registered by path and method.
"""

from .applications import App
from .datastructures import URL, Headers, QueryParams
from .requests import Request
from .responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from .types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "URL",
    "ASGIApp",
    "App",
    "HTMLResponse",
    "Headers",
    "JSONResponse",
    "Message",
    "PlainTextResponse",
    "QueryParams",
    "Receive",
    "RedirectResponse",
    "Request",
    "Response",
    "Scope",
    "Send",
]
