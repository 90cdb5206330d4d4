"""The default exception handlers: how an error becomes an answer.

The App registers them as its defaults; a user's own handler for the same key
replaces them.
"""

from .encoders import jsonable_encoder
from .exceptions import HTTPException, RequestValidationError
from .requests import Request
from .responses import JSONResponse, Response, body_allowed


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """`{"detail": ...}` with the exception's status and headers, as FastAPI."""
    if not body_allowed(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> Response:
    """422, and the list of what was wrong, each error as FastAPI writes it."""
    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
