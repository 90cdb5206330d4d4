"""Turn what a handler returns into data that `json.dumps` accepts.

Handlers return models, dataclasses, enums, dates, sets, UUIDs... FastAPI's
`jsonable_encoder` walks the value and converts each piece; ours follows the
same rules, so the same return value gives the same JSON.
"""

import dataclasses
import datetime
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from pathlib import PurePath
from re import Pattern
from types import GeneratorType
from typing import Any
from uuid import UUID

from pydantic import AnyUrl, BaseModel, NameEmail, SecretBytes, SecretStr
from pydantic_core import PydanticUndefinedType, Url


def decimal_to_number(value: Decimal) -> int | float:
    """Decimal("3") -> 3, Decimal("3.50") -> 3.5."""
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


BY_TYPE: dict[type, Callable[[Any], Any]] = {
    bytes: bytes.decode,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    datetime.time: datetime.time.isoformat,
    datetime.timedelta: datetime.timedelta.total_seconds,
    Decimal: decimal_to_number,
    Pattern: lambda pattern: pattern.pattern,
}
AS_STRING = (
    UUID,
    IPv4Address,
    IPv6Address,
    IPv4Network,
    IPv6Network,
    NameEmail,
    SecretBytes,
    SecretStr,
    Url,
    AnyUrl,
)
AS_LIST = (list, set, frozenset, tuple, deque, GeneratorType)


def jsonable_encoder(obj: Any) -> Any:
    # Plain values and dicts first, by exact type: 15-30% of a request is saved
    # (tools/benchmark.py). Subclasses go the long way, below.
    kind = type(obj)
    if kind in (str, int, float, bool, type(None)):
        return obj
    if kind is dict:
        return {jsonable_encoder(k): jsonable_encoder(v) for k, v in obj.items()}
    if isinstance(obj, BaseModel):  # a JSON-mode dump holds only JSON values
        return obj.model_dump(mode="json", by_alias=True)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable_encoder(dataclasses.asdict(obj))
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, str | int | float | None):
        return obj
    if isinstance(obj, PydanticUndefinedType):
        return None
    if isinstance(obj, dict):
        return {jsonable_encoder(k): jsonable_encoder(v) for k, v in obj.items()}
    if isinstance(obj, AS_LIST):
        return [jsonable_encoder(item) for item in obj]
    return encode_other(obj)


def encode_other(obj: Any) -> Any:
    for cls in type(obj).__mro__:
        if cls in BY_TYPE:
            return BY_TYPE[cls](obj)
    if isinstance(obj, AS_STRING):
        return str(obj)
    try:
        return jsonable_encoder(dict(obj))
    except Exception as not_a_mapping:
        try:
            return jsonable_encoder(vars(obj))
        except Exception as no_attributes:
            raise ValueError([not_a_mapping, no_attributes]) from no_attributes
