"""HTTPException: raise it anywhere below the onion to answer with an error.

The ExceptionMiddleware catches it and calls the handler registered for it;
the default handler answers `{"detail": ...}` as FastAPI does. A request that
breaks its route's contract raises RequestValidationError, answered with 422
and the list of what was wrong.
"""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from .encoders import jsonable_encoder
from .requests import Request
from .responses import JSONResponse, Response


class HTTPException(Exception):
    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = HTTPStatus(status_code).phrase
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"


def body_allowed(status_code: int) -> bool:
    """1xx, 204, 205 and 304 responses carry no body."""
    return not (status_code < 200 or status_code in (204, 205, 304))


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    if not body_allowed(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )


class ValidationError(Exception):
    """Pydantic-style errors: dicts with `type`, `loc`, `msg`, `input`, `ctx`."""

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        super().__init__(errors)
        self._errors = list(errors)

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class RequestValidationError(ValidationError):
    """The request does not fit the route's parameters or body: a 422."""


class ResponseValidationError(ValidationError):
    """The handler returned data its response_model refuses: a bug, so a 500."""


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> Response:
    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
