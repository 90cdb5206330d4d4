"""The default exception handlers: how an error becomes an answer.

The App registers them as its defaults; a user's own handler for the same key
replaces them.
"""

from . import status
from .encoders import jsonable_encoder
from .exceptions import (
    HTTPException,
    RequestValidationError,
    WebSocketException,
    WebSocketRequestValidationError,
)
from .requests import Request
from .responses import JSONResponse, Response, body_allowed
from .websockets import WebSocket


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


async def websocket_exception_handler(
    websocket: WebSocket, exc: WebSocketException
) -> None:
    """Close with the exception's code and reason (before accept: a 403)."""
    await websocket.close(code=exc.code, reason=exc.reason)


async def websocket_request_validation_exception_handler(
    websocket: WebSocket, exc: WebSocketRequestValidationError
) -> None:
    """Close with 1008, a policy violation; the reason is the list of errors,
    as FastAPI sends it (the TestClient shows it as the close's reason)."""
    reason = jsonable_encoder(exc.errors())
    await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
