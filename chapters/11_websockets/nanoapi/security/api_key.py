"""An API key in a query parameter, a header or a cookie."""

from __future__ import annotations

from ..requests import Request
from .base import SecurityBase


class APIKeyBase(SecurityBase):
    source = "header"  # query, header or cookie
    challenge = "APIKey"  # not standard, but a 401 must challenge something

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        model = {"type": "apiKey", "description": description}
        self.describe(
            {**model, "in": self.source, "name": name}, scheme_name, auto_error
        )

    def found(self, request: Request) -> str | None:
        raise NotImplementedError

    async def __call__(self, request: Request) -> str | None:
        key = self.found(request)
        if not key:
            self.missing()  # a 401, unless auto_error=False
            return None
        return key


class APIKeyQuery(APIKeyBase):
    source = "query"

    def found(self, request: Request) -> str | None:
        return request.query_params.get(self.model["name"])


class APIKeyHeader(APIKeyBase):
    source = "header"

    def found(self, request: Request) -> str | None:
        return request.headers.get(self.model["name"])


class APIKeyCookie(APIKeyBase):
    source = "cookie"

    def found(self, request: Request) -> str | None:
        return request.cookies.get(self.model["name"])
