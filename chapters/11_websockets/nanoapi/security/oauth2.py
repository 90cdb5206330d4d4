"""OAuth2: the password flow's form and bearer token, and the other flows."""

from __future__ import annotations

from typing import Annotated, Any

from ..params import Form
from ..requests import Request
from .base import SecurityBase, authorization


class OAuth2PasswordRequestForm:
    """The form a client posts to the token URL in the password flow: a
    dependency (`Depends()`) whose parameters are form fields."""

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[
            str | None, Form(json_schema_extra={"format": "password"})
        ] = None,
    ) -> None:
        self.grant_type, self.username, self.password = grant_type, username, password
        self.scopes = scope.split()
        self.client_id, self.client_secret = client_id, client_secret


class OAuth2PasswordRequestFormStrict(OAuth2PasswordRequestForm):
    """The same form, with `grant_type=password` required, as the spec says."""

    def __init__(
        self,
        grant_type: Annotated[str, Form(pattern="^password$")],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class OAuth2(SecurityBase):
    """Any OAuth2 flows; the value handed over is the whole `Authorization`."""

    def __init__(
        self,
        *,
        flows: dict[str, dict[str, Any]] | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        model = {"type": "oauth2", "flows": flows or {}, "description": description}
        self.describe(model, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        value = request.headers.get("authorization")
        if not value:
            self.missing()  # a 401, unless auto_error=False
            return None
        return value


class OAuth2PasswordBearer(OAuth2):
    """The password flow: the client gets a token from `tokenUrl`, then sends
    it as `Authorization: Bearer <token>`; the token is handed over."""

    def __init__(
        self,
        tokenUrl: str,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
        refreshUrl: str | None = None,
    ) -> None:
        flow = {"tokenUrl": tokenUrl, "refreshUrl": refreshUrl, "scopes": scopes or {}}
        flows = {"password": {k: v for k, v in flow.items() if v is not None}}
        super().__init__(
            flows=flows,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: Request) -> str | None:
        scheme, token = authorization(request.headers.get("authorization"))
        if scheme.lower() != "bearer":
            self.missing()  # a 401, unless auto_error=False
            return None
        return token


class OAuth2AuthorizationCodeBearer(OAuth2PasswordBearer):
    """The authorization-code flow; the token is handed over the same way."""

    def __init__(
        self,
        authorizationUrl: str,
        tokenUrl: str,
        refreshUrl: str | None = None,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        flow: dict[str, Any] = {
            "authorizationUrl": authorizationUrl,
            "tokenUrl": tokenUrl,
        }
        flow |= {"refreshUrl": refreshUrl, "scopes": scopes or {}}
        flows = {"authorizationCode": {k: v for k, v in flow.items() if v is not None}}
        OAuth2.__init__(
            self,
            flows=flows,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )
