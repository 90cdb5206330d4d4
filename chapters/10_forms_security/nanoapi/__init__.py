"""nanoapi: a small ASGI framework, rebuilt one layer per chapter.

After chapter 09 it is a drop-in: FastAPI's own tutorial runs on it with
`from fastapi import ...` pointing here. The package has FastAPI's module
names and its long tail: parameter models, router-wide options, the OpenAPI
metadata, custom route classes. Chapter 10 adds bodies that are not JSON
(forms and files, parsed as a stream) and security schemes, which are
dependencies that also write to the document (`nanoapi.security`).
"""

from . import status
from .applications import App, FastAPI
from .background import BackgroundTask, BackgroundTasks
from .datastructures import URL, FormData, Headers, QueryParams, State, UploadFile
from .encoders import jsonable_encoder
from .exceptions import HTTPException, RequestValidationError, ResponseValidationError
from .middleware import Middleware
from .openapi.utils import get_openapi
from .params import Body, Cookie, Depends, File, Form, Header, Path, Query, Security
from .requests import Request
from .responses import (
    FileResponse,
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
    "FastAPI",
    "File",
    "FileResponse",
    "Form",
    "FormData",
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
    "Security",
    "Send",
    "State",
    "StreamingResponse",
    "UploadFile",
    "get_openapi",
    "jsonable_encoder",
    "status",
]
