"""The handler's signature is its contract: read once, enforced per request.

At registration, `get_dependant` reads the handler's parameters and decides
where each value comes from (path, query, header, cookie or body) and how
Pydantic validates it; the validators are built then, once. Per request,
`solve` gathers the raw values, validates them, and returns the handler's
keyword arguments, or the list of errors that FastAPI would report.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, is_dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, TypeAdapter, create_model

from .exceptions import HTTPException, RequestValidationError
from .params import MISSING, Body, Param, Path, Query
from .requests import ClientDisconnect, Request
from .responses import Response

SOURCES = ("path", "query", "header", "cookie")  # FastAPI reports errors in this order
REQUEST_ATTRIBUTES = {
    "path": "path_params",
    "query": "query_params",
    "header": "headers",
    "cookie": "cookies",
}
SEQUENCES = (list, tuple, set, frozenset, Sequence)
Errors = list[dict[str, Any]]  # Pydantic's error dicts, located as FastAPI does


def is_subclass(annotation: Any, cls: type | tuple[type, ...]) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, cls)


def holds(annotation: Any, test: Callable[[Any], bool]) -> bool:
    """Does `test` hold for the type, or for one inside `Annotated[...]` or `X | Y`?"""
    origin = get_origin(annotation)
    if origin is Annotated:
        return holds(get_args(annotation)[0], test)
    if origin in (Union, type(int | None)):
        return any(holds(arg, test) for arg in get_args(annotation))
    return test(origin or annotation)


def is_sequence(annotation: Any) -> bool:
    """list[str], tuple[int, ...], set[str] | None: read a repeated key as a list."""
    return holds(
        annotation,
        lambda t: is_subclass(t, SEQUENCES) and not is_subclass(t, (str, bytes)),
    )


def is_complex(annotation: Any) -> bool:
    """Models, dicts, dataclasses and sequences cannot come from a query string."""
    return is_sequence(annotation) or holds(
        annotation, lambda t: is_subclass(t, (BaseModel, Mapping)) or is_dataclass(t)
    )


@dataclass
class Field:
    """One handler parameter that the request fills in."""

    name: str
    source: str  # path, query, header, cookie or body
    alias: str  # its key in the request
    annotation: Any  # what Pydantic validates: the type and its constraints
    default: Any
    many: bool  # a repeated key arrives as a list
    embed: bool = False  # a lone body field under its own key

    @property
    def required(self) -> bool:
        return self.default is MISSING


def find_marker(annotation: Any, default: Any) -> tuple[Any, list[Any], Param | None]:
    """Split `Annotated[int, Query(gt=0)] = 5` into (int, [other metadata], marker)."""
    kind, extras = annotation, []
    if get_origin(annotation) is Annotated:
        kind, *extras = get_args(annotation)
    markers = [extra for extra in extras if isinstance(extra, Param)]
    extras = [extra for extra in extras if not isinstance(extra, Param)]
    if isinstance(default, Param):
        return kind, extras, default
    if not markers:
        return kind, extras, None
    marker = markers[-1]
    if marker.default is not MISSING:
        raise TypeError(f"set the default of {marker!r} with `=`, not in Annotated")
    marker = type(marker).__new__(type(marker))
    marker.__dict__.update(markers[-1].__dict__, default=default)
    return kind, extras, marker


def analyze_param(
    name: str, param: inspect.Parameter, path_names: set[str]
) -> Field | type[Request] | type[Response]:
    """A Field, or the class of an object the framework hands in itself."""
    annotation = Any if param.annotation is param.empty else param.annotation
    default = param.default
    if default is param.empty or default is ...:  # `= ...` says required too
        default = MISSING
    kind, extras, marker = find_marker(annotation, default)
    if marker is None and is_subclass(kind, Request):
        return Request
    if marker is None and is_subclass(kind, Response):
        return Response
    if marker is None:
        if name in path_names:
            marker = Path()
        elif is_complex(kind):
            marker = Body(default)
        else:
            marker = Query(default)
    if name in path_names and not isinstance(marker, Path):
        raise TypeError(f"{name!r} is in the path, so it must be a path parameter")
    alias = marker.alias or name
    if getattr(marker, "convert_underscores", False) and not marker.alias:
        alias = name.replace("_", "-")
    if marker.constraints:
        extras.append(pydantic.Field(**marker.constraints))
    full = Annotated[(kind, *extras)] if extras else kind
    embed = getattr(marker, "embed", False)
    many = is_sequence(kind)
    return Field(name, marker.source, alias, full, marker.default, many, embed)


class FieldsValidator:
    """Validates several fields in one Pydantic call, and locates the errors."""

    def __init__(self, fields: list[Field]) -> None:
        self.fields = fields
        definitions: dict[str, Any] = {
            f"f{i}": (f.annotation, ... if f.required else f.default)
            for i, f in enumerate(fields)
        }
        model = create_model("Fields", **definitions)
        self.validator = model.__pydantic_validator__
        self.sources = {f.source for f in fields}  # read only these: 17% of a
        # query-parameter request goes to building headers and cookies it never reads

    def validate(self, raw: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
        if not self.fields:
            return {}, []
        try:
            model = self.validator.validate_python(raw, from_attributes=True)
        except pydantic.ValidationError as exc:
            return {}, [self.locate(error) for error in exc.errors(include_url=False)]
        found = model.__dict__  # not getattr: a deprecated field would warn
        return {f.name: found[f"f{i}"] for i, f in enumerate(self.fields)}, []

    def locate(self, error: Any) -> dict[str, Any]:
        """("f2", 0) -> ("query", "tags", 0): where the client put the value."""
        key, *rest = error["loc"]
        field = self.fields[int(key[1:])]
        if error["type"] == "missing" and not rest:
            error["input"] = None  # FastAPI reports a missing value as null
        return {**error, "loc": (field.source, field.alias, *rest)}

    def gather(self, request: Request) -> dict[str, Any]:
        """The raw values this request holds for the fields, keyed f0, f1..."""
        if not self.fields:
            return {}
        sources = {s: getattr(request, REQUEST_ATTRIBUTES[s]) for s in self.sources}
        raw = {}
        for i, f in enumerate(self.fields):
            values = sources[f.source]
            if f.many and hasattr(values, "getlist"):
                value = values.getlist(f.alias) or None
            else:
                value = values.get(f.alias)
            if value is not None:
                raw[f"f{i}"] = value
        return raw


class BodyValidator:
    """The body is one model (`item: Item`), or a dict of embedded fields."""

    def __init__(self, fields: list[Field]) -> None:
        self.fields = fields
        self.embedded = len(fields) > 1 or fields[0].embed
        if self.embedded:
            self.inner = FieldsValidator(fields)
        else:
            self.adapter = TypeAdapter(fields[0].annotation)

    def validate(self, body: Any) -> tuple[dict[str, Any], Errors]:
        if self.embedded:
            return self.validate_embedded(body)
        only = self.fields[0]
        if body is MISSING:
            if only.required:
                return {}, [missing_error(("body",))]
            return {only.name: deepcopy(only.default)}, []
        try:
            value = self.adapter.validate_python(body, from_attributes=True)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            return {}, [{**e, "loc": ("body", *e["loc"])} for e in errors]
        return {only.name: value}, []

    def validate_embedded(self, body: Any) -> tuple[dict[str, Any], Errors]:
        if body is MISSING or isinstance(body, bytes):
            body = {}
        elif not isinstance(body, dict):  # a list, a string, null...
            return {}, [missing_error(("body", f.alias)) for f in self.fields]
        keys = {f.alias: f"f{i}" for i, f in enumerate(self.fields)}
        raw = {keys[alias]: value for alias, value in body.items() if alias in keys}
        return self.inner.validate(raw)


def missing_error(loc: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


@dataclass
class Dependant:
    """A callable, with what its parameters need from each request."""

    call: Callable[..., Any]
    params: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    request_name: str | None = None  # the parameter that receives the Request
    response_name: str | None = None  # ... and the one that receives a Response
    params_validator: FieldsValidator = field(init=False)
    body_validator: BodyValidator | None = field(init=False, default=None)

    def prepare(self) -> None:
        """Build the validators, once every parameter is known."""
        self.params.sort(key=lambda f: SOURCES.index(f.source))
        self.params_validator = FieldsValidator(self.params)
        self.body_validator = BodyValidator(self.body) if self.body else None


def signature(call: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations (`from __future__ import
    annotations`) evaluated; a name that cannot be found fails here, at
    registration, rather than on the first request."""
    return inspect.signature(call, eval_str=True)


def get_dependant(path: str, call: Callable[..., Any]) -> Dependant:
    """Read `call`'s signature once: the plan for every request to come."""
    path_names = set(re.findall(r"{(\w+)", path))
    dependant = Dependant(call)
    for param_name, param in signature(call).parameters.items():
        found = analyze_param(param_name, param, path_names)
        if isinstance(found, Field):
            (dependant.body if found.source == "body" else dependant.params).append(
                found
            )
        elif found is Request:
            dependant.request_name = param_name
        else:
            dependant.response_name = param_name
    dependant.prepare()
    return dependant


async def read_body(request: Request) -> Any:
    """The body as JSON when it says it is JSON, else the raw bytes."""
    try:
        body = await request.body()
    except ClientDisconnect as exc:  # gone mid-body: FastAPI's 400, no crash
        raise HTTPException(400, "There was an error parsing the body") from exc
    if not body:
        return MISSING
    content_type = request.headers.get("content-type", "").split(";")[0].lower()
    maintype, _, subtype = content_type.strip().partition("/")
    is_json = subtype == "json" or subtype.endswith("+json")
    if maintype != "application" or not is_json:
        return body
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        error: dict[str, Any] = {"type": "json_invalid", "loc": ("body", exc.pos)}
        error.update(msg="JSON decode error", input={}, ctx={"error": exc.msg})
        raise RequestValidationError([error], body=exc.doc) from exc
    except Exception as exc:  # bytes that are not UTF-8, nesting too deep...
        raise HTTPException(400, "There was an error parsing the body") from exc


def sub_response() -> Response:
    """The Response a handler may ask for, to set headers, cookies or a status.
    Its status 0 means "not set": then the route's own status is used."""
    return Response(status_code=0)


def solve(
    dependant: Dependant, request: Request, body: Any
) -> tuple[dict[str, Any], Errors]:
    """The keyword arguments for `dependant.call`, or what was wrong."""
    raw = dependant.params_validator.gather(request)
    values, errors = dependant.params_validator.validate(raw)
    if dependant.body_validator is not None:
        body_values, body_errors = dependant.body_validator.validate(body)
        values.update(body_values)
        errors += body_errors
    if dependant.request_name:
        values[dependant.request_name] = request
    if dependant.response_name:
        values[dependant.response_name] = sub_response()
    return values, errors
