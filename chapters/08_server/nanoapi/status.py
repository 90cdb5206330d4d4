"""HTTP status codes by name: `status.HTTP_201_CREATED == 201`.

The names are built from Python's `http.HTTPStatus`, plus the newer names
that RFC 9110 gave a few codes (FastAPI and Starlette export both).
"""

from http import HTTPStatus

RFC_9110_NAMES = {
    413: "CONTENT_TOO_LARGE",
    414: "URI_TOO_LONG",
    416: "RANGE_NOT_SATISFIABLE",
    422: "UNPROCESSABLE_CONTENT",
}

for _status in HTTPStatus:
    globals()[f"HTTP_{_status.value}_{_status.name}"] = _status.value
for _code, _name in RFC_9110_NAMES.items():
    globals()[f"HTTP_{_code}_{_name}"] = _code
