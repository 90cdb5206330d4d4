"""Security schemes: dependencies that read a credential and describe it.

Each class here is a callable dependency, `Depends(OAuth2PasswordBearer(...))`:
called with the request, it returns the token, key or credentials it found,
or answers 401 when there are none. And it carries its OpenAPI description,
`model`, which the document lists under `components.securitySchemes` and in
the `security` of every operation that depends on it. That is all FastAPI's
security is: dependencies that also write to the document.
"""

from .api_key import APIKeyCookie, APIKeyHeader, APIKeyQuery
from .base import SecurityBase, SecurityScopes
from .http import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
)
from .oauth2 import (
    OAuth2,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
)

__all__ = [
    "APIKeyCookie",
    "APIKeyHeader",
    "APIKeyQuery",
    "HTTPAuthorizationCredentials",
    "HTTPBasic",
    "HTTPBasicCredentials",
    "HTTPBearer",
    "HTTPDigest",
    "OAuth2",
    "OAuth2AuthorizationCodeBearer",
    "OAuth2PasswordBearer",
    "OAuth2PasswordRequestForm",
    "OAuth2PasswordRequestFormStrict",
    "SecurityBase",
    "SecurityScopes",
]
