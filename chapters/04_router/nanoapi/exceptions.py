"""HTTPException: raise it anywhere below the onion to answer with an error.

The ExceptionMiddleware catches it and calls the handler registered for it;
the default handler answers `{"detail": ...}` as FastAPI does.
"""

from http import HTTPStatus
from typing import Any

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
