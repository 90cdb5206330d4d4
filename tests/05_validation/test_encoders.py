"""Chapter 05: jsonable_encoder gives FastAPI's JSON-ready data, type for type."""

import dataclasses
import datetime
import enum
import uuid
from decimal import Decimal

from fastapi.encoders import jsonable_encoder as fastapi_encoder


class Size(enum.StrEnum):  # an Enum first: its value, a plain str
    SMALL = "s"


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: Decimal
    when: datetime.date


VALUE = {
    "size": Size.SMALL,
    Color.RED: [
        Decimal("3"),
        Decimal("4.50"),
        Point(Decimal("1"), datetime.date(2024, 5, 1)),
    ],
    datetime.date(2024, 5, 1): {uuid.UUID(int=7): (Size.SMALL, None, 2.5)},
}


def shape(value):
    """The value with the type of every part written beside it, keys included."""
    if isinstance(value, dict):
        return ("dict", [(shape(k), shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [shape(item) for item in value])
    return (type(value).__name__, value)


def test_the_encoder_gives_fastapis_data_type_for_type(pkg):
    assert shape(pkg.jsonable_encoder(VALUE)) == shape(fastapi_encoder(VALUE))
