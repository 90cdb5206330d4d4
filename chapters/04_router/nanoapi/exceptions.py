"""HTTPException: raise it anywhere below the onion to answer with an error.

An exception carries what went wrong (a status, a detail, headers); it does
not say how to answer. The ExceptionMiddleware catches it and calls the
handler registered for it (see `exception_handlers`).
"""

from http import HTTPStatus
from typing import Any


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
