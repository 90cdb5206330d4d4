"""The default exception handlers: how an error becomes an answer.

The App registers them as its defaults; a user's own handler for the same key
replaces them.
"""

from .exceptions import HTTPException
from .requests import Request
from .responses import JSONResponse, Response, body_allowed


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """`{"detail": ...}` with the exception's status and headers, as FastAPI."""
    if not body_allowed(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )
