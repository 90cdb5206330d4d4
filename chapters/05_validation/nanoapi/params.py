"""Parameter markers: where a handler's argument comes from, and its rules.

    async def search(q: Annotated[str, Query(min_length=2)], page: int = 1): ...

`Query`, `Path`, `Header`, `Cookie` and `Body` say which part of the request
holds the value; their keyword arguments (`gt`, `max_length`, `pattern`...)
are handed to Pydantic as field constraints. Without a marker, the rules of
`dependencies.analyze_param` decide.
"""

from enum import Enum
from typing import Any


class Missing(Enum):
    """No value at all: a parameter without a default, a request without a
    body. (None cannot say it: None is a value a client or a handler may give.)"""

    MISSING = "MISSING"


MISSING = Missing.MISSING


class Param:
    source = "query"

    def __init__(
        self, default: Any = MISSING, *, alias: str | None = None, **constraints: Any
    ) -> None:
        self.default = MISSING if default is ... else default  # `Query(...)`: required
        self.alias = alias
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
        self, default: Any = MISSING, *, embed: bool = False, **kw: Any
    ) -> None:
        super().__init__(default, **kw)
        self.embed = embed  # {"item": {...}} instead of the bare {...}
