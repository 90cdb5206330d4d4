"""Parameter markers: where a handler's argument comes from, and its rules.

    async def search(q: Annotated[str, Query(min_length=2)], page: int = 1): ...

`Query`, `Path`, `Header`, `Cookie` and `Body` say which part of the request
holds the value; their keyword arguments (`gt`, `max_length`, `pattern`...)
are handed to Pydantic as field constraints, except the few that only the
OpenAPI document reads (`include_in_schema`, `openapi_examples`...). Without
a marker, the rules of `dependencies.analyze_param` decide. `Depends` says
the value is computed by another callable.
"""

import warnings
from collections.abc import Sequence
from enum import Enum
from typing import Any, Literal

from .exceptions import FastAPIDeprecationWarning


class Missing(Enum):
    """No value at all: a parameter without a default, a request without a
    body. (None cannot say it: None is a value a client or a handler may give.)"""

    MISSING = "MISSING"


MISSING = Missing.MISSING
CleanupScope = Literal["function", "request"]  # when a yield dependency cleans up
DEPRECATED_EXAMPLE = "`example=` is deprecated (OpenAPI 3.1): use `examples=[...]`"
DEPRECATED_REGEX = "`regex=` is deprecated: use `pattern=`"


class Param:
    source = "query"

    def __init__(
        self,
        default: Any = MISSING,
        *,
        alias: str | None = None,
        include_in_schema: bool = True,
        openapi_examples: dict[str, Any] | None = None,
        example: Any = MISSING,
        regex: str | None = None,
        **constraints: Any,
    ) -> None:
        self.default = MISSING if default is ... else default  # `Query(...)`: required
        self.alias = alias
        self.include_in_schema = include_in_schema  # False: validated, not documented
        self.openapi_examples = openapi_examples  # {name: {summary, value...}}
        self.example = example
        if example is not MISSING:
            warnings.warn(DEPRECATED_EXAMPLE, FastAPIDeprecationWarning, stacklevel=2)
        if regex is not None:
            warnings.warn(DEPRECATED_REGEX, FastAPIDeprecationWarning, stacklevel=2)
            constraints["pattern"] = regex
        self.constraints = constraints  # for pydantic.Field: gt, max_length...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default!r})"


class Path(Param):
    source = "path"


class Query(Param):
    source = "query"


class Header(Param):
    source = "header"

    def __init__(
        self, default: Any = MISSING, *, convert_underscores: bool = True, **kw: Any
    ) -> None:
        super().__init__(default, **kw)
        self.convert_underscores = convert_underscores  # user_agent -> user-agent


class Cookie(Param):
    source = "cookie"


class Body(Param):
    source = "body"

    def __init__(
        self,
        default: Any = MISSING,
        *,
        embed: bool = False,
        media_type: str = "application/json",
        **kw: Any,
    ) -> None:
        super().__init__(default, **kw)
        self.embed = embed  # {"item": {...}} instead of the bare {...}
        self.media_type = media_type  # what the document says the body is


class Form(Body):
    """A field of a form body (`application/x-www-form-urlencoded`)."""

    def __init__(
        self,
        default: Any = MISSING,
        *,
        media_type: str = "application/x-www-form-urlencoded",
        **kw: Any,
    ) -> None:
        super().__init__(default, media_type=media_type, **kw)


class File(Form):
    """A file of a multipart form body (`multipart/form-data`)."""

    def __init__(
        self,
        default: Any = MISSING,
        *,
        media_type: str = "multipart/form-data",
        **kw: Any,
    ) -> None:
        super().__init__(default, media_type=media_type, **kw)


class Depends:
    """`Depends(get_db)`: the value is what `get_db` returns (or yields).

    `get_db`'s own parameters are read like a handler's, recursively. Within
    one request a dependency runs once, however often it is used, unless
    `use_cache=False`. A `yield` dependency's cleanup runs after the response
    has been sent, or, with `scope="function"`, as soon as the handler returns.
    """

    def __init__(
        self,
        dependency: Any = None,
        *,
        use_cache: bool = True,
        scope: CleanupScope | None = None,
    ) -> None:
        self.dependency = dependency
        self.use_cache = use_cache
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        return f"Depends({name})"


class Security(Depends):
    """`Depends`, plus the OAuth2 scopes the dependency must grant: they reach
    its `SecurityScopes` parameter and the operation's `security` in OpenAPI."""

    def __init__(
        self,
        dependency: Any = None,
        *,
        scopes: Sequence[str] | None = None,
        use_cache: bool = True,
    ) -> None:
        super().__init__(dependency, use_cache=use_cache)
        self.scopes = list(scopes or [])
