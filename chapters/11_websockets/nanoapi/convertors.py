"""Path convertors: the `int` in `/items/{item_id:int}`.

A convertor is a regular expression for one path segment (or several, for
`path`), plus a pair of functions: `convert` turns the matched text into a
Python value for the handler, `to_string` turns a value back into text when
we build a URL (reverse routing).
"""

import math
import uuid
from typing import Any


class Convertor:
    regex = ""

    def convert(self, value: str) -> Any:
        return value

    def to_string(self, value: Any) -> str:
        return str(value)


class StringConvertor(Convertor):
    regex = "[^/]+"

    def to_string(self, value: Any) -> str:
        text = str(value)
        if not text or "/" in text:
            raise ValueError(f"{text!r} is not one non-empty path segment")
        return text


class PathConvertor(Convertor):
    regex = ".*"


class IntegerConvertor(Convertor):
    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: Any) -> str:
        if int(value) < 0:
            raise ValueError("negative integers do not match [0-9]+")
        return str(int(value))


class FloatConvertor(Convertor):
    regex = r"[0-9]+(?:\.[0-9]+)?"

    def convert(self, value: str) -> float:
        return float(value)

    def to_string(self, value: Any) -> str:
        number = float(value)
        if number < 0 or math.isnan(number) or math.isinf(number):
            raise ValueError(f"{number} cannot be written as [0-9]+(.[0-9]+)?")
        return f"{number:.20f}".rstrip("0").rstrip(".")


class UUIDConvertor(Convertor):
    regex = "-?".join(f"[0-9a-fA-F]{{{n}}}" for n in (8, 4, 4, 4, 12))

    def convert(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_string(self, value: Any) -> str:
        return str(uuid.UUID(str(value)))


CONVERTORS: dict[str, Convertor] = {
    "str": StringConvertor(),
    "path": PathConvertor(),
    "int": IntegerConvertor(),
    "float": FloatConvertor(),
    "uuid": UUIDConvertor(),
}
