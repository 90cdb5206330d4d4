"""HTTP authentication schemes: Basic, Bearer and Digest, in `Authorization`."""

from __future__ import annotations

import binascii
from base64 import b64decode

from pydantic import BaseModel

from ..requests import Request
from .base import SecurityBase, authorization


class HTTPBasicCredentials(BaseModel):
    username: str
    password: str


class HTTPAuthorizationCredentials(BaseModel):
    scheme: str  # as the client wrote it: `Bearer`, `bearer`...
    credentials: str


class HTTPBase(SecurityBase):
    """`Authorization: <scheme> <credentials>`, for the scheme it is made for."""

    scheme = ""  # set by each subclass; `HTTPBase(scheme=...)` for another one

    def __init__(
        self,
        *,
        scheme: str | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
        bearerFormat: str | None = None,
    ) -> None:
        self.scheme = (scheme or self.scheme).lower()
        model = {"type": "http", "scheme": self.scheme, "description": description}
        model["bearerFormat"] = bearerFormat
        self.describe(model, scheme_name, auto_error)
        self.challenge = self.scheme.title()

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        scheme, credentials = authorization(request.headers.get("authorization"))
        if not credentials or scheme.lower() != self.scheme:
            self.missing()  # a 401, unless auto_error=False
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


class HTTPBearer(HTTPBase):
    scheme = "bearer"


class HTTPDigest(HTTPBase):
    scheme = "digest"


class HTTPBasic(HTTPBase):
    """`Authorization: Basic base64(username:password)`, decoded."""

    scheme = "basic"

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        realm: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme_name=scheme_name, description=description, auto_error=auto_error
        )
        if realm:
            self.challenge = f'Basic realm="{realm}"'

    # Basic hands over what it decoded, not the raw credentials (as FastAPI does):
    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        scheme, encoded = authorization(request.headers.get("authorization"))
        if scheme.lower() != "basic":
            self.missing()  # a 401, unless auto_error=False
            return None
        try:
            decoded = b64decode(encoded).decode("ascii")
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise self.make_not_authenticated_error() from exc
        username, colon, password = decoded.partition(":")
        if not colon:
            raise self.make_not_authenticated_error()
        return HTTPBasicCredentials(username=username, password=password)
