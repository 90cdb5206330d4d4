"""What every security scheme is: a dependency with an OpenAPI description."""

from __future__ import annotations

from typing import Any

from ..exceptions import HTTPException


class SecurityBase:
    """`model` is the scheme's entry in `components.securitySchemes`, under
    `scheme_name` (the class name unless given). Without a credential, a
    scheme answers 401 with a `WWW-Authenticate` challenge, or, with
    `auto_error=False`, hands the handler None to decide."""

    model: dict[str, Any]
    scheme_name: str
    auto_error: bool
    challenge = "Bearer"  # the `WWW-Authenticate` value of a 401

    def describe(
        self, model: dict[str, Any], scheme_name: str | None, auto_error: bool
    ) -> None:
        self.model = {k: v for k, v in model.items() if v is not None}
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """401, `Not authenticated`, and the challenge (RFC 9110 requires one)."""
        headers = {"WWW-Authenticate": self.challenge}
        return HTTPException(401, "Not authenticated", headers=headers)

    def missing(self) -> None:
        """No credential: a 401, or None for the handler to decide."""
        if self.auto_error:
            raise self.make_not_authenticated_error()


class SecurityScopes:
    """The OAuth2 scopes a dependency was asked for with `Security(..., scopes=)`,
    those of the dependencies that use it included."""

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes = list(scopes or [])
        self.scope_str = " ".join(self.scopes)


def authorization(value: str | None) -> tuple[str, str]:
    """`Bearer abc` -> ("Bearer", "abc"); nothing -> ("", "")."""
    scheme, _, param = (value or "").partition(" ")
    return scheme, param.strip()
