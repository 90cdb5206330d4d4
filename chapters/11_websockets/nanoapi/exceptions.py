"""HTTPException: raise it anywhere below the onion to answer with an error.

An exception carries what went wrong (a status, a detail, headers); it does
not say how to answer. The ExceptionMiddleware catches it and calls the
handler registered for it (see `exception_handlers`). A request that breaks
its route's contract raises RequestValidationError, answered with 422 and
the list of what was wrong. On a WebSocket, WebSocketException closes the
connection, and a handshake that breaks the contract is closed with 1008.
"""

from collections.abc import Sequence
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


class WebSocketException(Exception):
    """Close the WebSocket with `code` (from `status.WS_...`) and a reason."""

    def __init__(self, code: int, reason: str | None = None) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason or ""

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


class ValidationError(Exception):
    """Pydantic-style errors: dicts with `type`, `loc`, `msg`, `input`, `ctx`."""

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        super().__init__(errors)
        self._errors = list(errors)

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class RequestValidationError(ValidationError):
    """The request does not fit the route's parameters or body: a 422. `body`
    is what the request sent, for a handler that wants to show it back."""

    def __init__(self, errors: Sequence[dict[str, Any]], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body


class WebSocketRequestValidationError(ValidationError):
    """A WebSocket handshake that does not fit the route's parameters."""


class ResponseValidationError(ValidationError):
    """The handler returned data its response_model refuses: a bug, so a 500."""


class FastAPIError(RuntimeError):
    """A mistake in the app itself, not in a request (FastAPI's name for it)."""


class FastAPIDeprecationWarning(UserWarning):
    """A FastAPI feature that still works but is on its way out."""
