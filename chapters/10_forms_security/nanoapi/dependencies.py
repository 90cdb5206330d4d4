"""The handler's signature is its contract: read once, enforced per request.

At registration, `get_dependant` reads the handler's parameters and decides
where each value comes from (path, query, header, cookie or body) and how
Pydantic validates it; the validators are built then, once. A parameter
declared with `Depends(other)` comes from calling `other`, whose parameters
are read the same way: the result is a tree of Dependants. Per request, a
Solver walks the tree (dependencies first, each at most once), and returns
the handler's keyword arguments, or the list of errors that FastAPI would
report.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import (
    AbstractContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from copy import copy, deepcopy
from dataclasses import dataclass, field, is_dataclass
from functools import cached_property, lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, TypeAdapter, create_model
from pydantic.fields import FieldInfo

from .background import BackgroundTasks
from .concurrency import is_async, run_in_threadpool
from .datastructures import FormData, Headers, MultiDict, UploadFile
from .exceptions import HTTPException, RequestValidationError
from .params import (
    MISSING,
    Body,
    CleanupScope,
    Depends,
    File,
    Form,
    Header,
    Param,
    Path,
    Query,
    Security,
)
from .requests import ClientDisconnect, Request
from .responses import Response
from .security.base import SecurityScopes

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


def mentions(annotation: Any, cls: type) -> bool:
    """Is `cls` the type, or inside it: `list[cls]`, `cls | None`?"""
    return is_subclass(annotation, cls) or any(
        mentions(arg, cls) for arg in get_args(annotation)
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
    marker: Param  # what the document reads: include_in_schema, examples...
    embed: bool = False  # a lone body field under its own key
    model: ParamModel | None = None  # `Annotated[Filters, Query()]`

    @property
    def required(self) -> bool:
        return self.default is MISSING


def read_value(f: Field, values: Mapping[str, Any]) -> Any:
    """The field's raw value in a query string, headers or cookies, or None."""
    if f.many and isinstance(values, (MultiDict, Headers)):
        return values.getlist(f.alias) or None
    return values.get(f.alias)


def every_pair(values: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """Each (key, value) the request sent, repeated keys included."""
    if isinstance(values, Headers):
        pairs = values.raw
        return ((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in pairs)
    if isinstance(values, MultiDict):
        return values.multi_items()
    return values.items()


@dataclass
class ParamModel:
    """A Pydantic model whose fields are query, header or cookie parameters:
    read one by one under their own names, then validated by the model, with
    every other key the request sent, so that its `extra` policy decides."""

    members: list[Field]  # one per model field: name = its key in the model,
    # alias = its key in the request (a header's underscores made dashes)
    optional: bool  # `Filters | None`: None if the request has none of its keys
    extra: str | None  # the model's policy for unknown keys
    taken: set[str]  # the keys that are not extras
    keys: set[str]  # any of them in the request says the model was sent

    def read(
        self, values: Mapping[str, Any], sent: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Its keys' values, and the extras; None for an optional model none of
        whose keys was `sent`. (A form's `values` lack its blank fields, which
        still count as sent, and as extras.)"""
        data = {}
        for m in self.members:
            value = read_value(m, values)
            if value is not None:
                data[m.name] = value
        extras: dict[str, list[Any]] = {}
        for key, value in every_pair(values if sent is None else sent):
            if key not in self.taken:
                extras.setdefault(key, []).append(value)
        data.update({k: v[0] if len(v) == 1 else v for k, v in extras.items()})
        mine = any(key in (values if sent is None else sent) for key in self.keys)
        judged = data and self.extra in ("allow", "forbid")  # extras to refuse/keep
        if self.optional and not mine and not judged:
            return None  # leave it out: its default applies
        return data

    def locate(self, loc: list[Any]) -> list[Any]:
        """An error at a model key is reported at the request's key."""
        names = {m.name: m.alias for m in self.members}
        return [names.get(loc[0], loc[0]), *loc[1:]] if loc else loc


def param_model(kind: Any, marker: Param) -> ParamModel | None:
    """`Annotated[Filters, Query()]` or `Filters | None`: its fields are the
    parameters. (A model in the body stays one value.)"""
    if marker.source not in ("query", "header", "cookie") and not (
        isinstance(marker, Form) and not getattr(marker, "embed", False)
    ):
        return None
    union = get_origin(kind) in (Union, type(int | None))
    args = [arg for arg in get_args(kind) if arg is not type(None)] if union else [kind]
    models = [arg for arg in args if is_subclass(arg, BaseModel)]
    if not models or len(models) < len(args):
        return None
    if len(models) > 1 and not isinstance(marker, Form):
        return None  # a union of models: in a form only, as in FastAPI
    optional = len(args) < len(get_args(kind)) if union else False
    keys = {key for model in models for key in model.model_fields}
    if len(models) > 1:  # the whole form, for the union's validator to sort out
        return ParamModel([], optional, None, set(), keys)
    model = models[0]
    members = [
        model_member(name, info, marker) for name, info in model.model_fields.items()
    ]
    header = marker.source == "header"
    taken = {k.lower() if header else k for m in members for k in (m.name, m.alias)}
    extra = model.model_config.get("extra")
    return ParamModel(members, optional, extra, taken, {m.alias for m in members})


def model_member(name: str, info: FieldInfo, marker: Param) -> Field:
    """One field of a parameter model, as a parameter of its own. Its type
    carries the model's rules and default (and title) for the document."""
    key = info.validation_alias
    if not isinstance(key, str):
        key = info.alias or name
    alias = key
    header = next((m for m in info.metadata if isinstance(m, Header)), marker)
    if getattr(header, "convert_underscores", False) and key == name:
        alias = key.replace("_", "-")
    kind: Any = info.annotation
    rules = copy(info)  # the model's rules, default and title, for the document
    rules.alias = rules.validation_alias = rules.serialization_alias = None  # the
    # aliases are the key already (on a type they would only make Pydantic warn)
    rules.title = info.title or key.title().replace("_", " ")
    annotation = Annotated[kind, rules]
    default = MISSING if info.is_required() else info.default
    many = is_sequence(kind)
    return Field(key, marker.source, alias, annotation, default, many, type(marker)())


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


def find_depends(annotation: Any, default: Any) -> Depends | None:
    """`Annotated[T, Depends(f)]` or `= Depends(f)`; `Depends()` means `Depends(T)`."""
    kind, extras = annotation, []
    if get_origin(annotation) is Annotated:
        kind, *extras = get_args(annotation)
    found = [extra for extra in [*extras, default] if isinstance(extra, Depends)]
    if not found:
        return None
    depends = found[-1]
    if depends.dependency is None:
        depends = copy(depends)  # the marker as it was given, of its own class
        depends.dependency = kind
    return depends


Special = type[Request] | type[Response] | type[BackgroundTasks] | type[SecurityScopes]
SPECIALS = (Request, Response, BackgroundTasks, SecurityScopes)


def analyze_param(
    name: str, param: inspect.Parameter, path_names: set[str]
) -> Field | Depends | Special:
    """A Field, a Depends, or the class of an object the framework hands in."""
    annotation = Any if param.annotation is param.empty else param.annotation
    default = param.default
    if default is param.empty or default is ...:  # `= ...` says required too
        default = MISSING
    depends = find_depends(annotation, default)
    if depends is not None:
        return depends
    kind, extras, marker = find_marker(annotation, default)
    for special in SPECIALS:
        if marker is None and is_subclass(kind, special):
            return special
    if marker is None:
        if name in path_names:
            marker = Path()
        elif mentions(kind, UploadFile):  # a file comes in a multipart form
            marker = File(default)
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
    model = param_model(kind, marker)
    default = marker.default
    return Field(name, marker.source, alias, full, default, many, marker, embed, model)


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
        if field.model is not None:  # a model's field: ("query", "limit")
            return {**error, "loc": (field.source, *field.model.locate(rest))}
        return {**error, "loc": (field.source, field.alias, *rest)}

    def gather(self, request: Request) -> dict[str, Any]:
        """The raw values this request holds for the fields, keyed f0, f1..."""
        if not self.fields:
            return {}
        sources = {s: getattr(request, REQUEST_ATTRIBUTES[s]) for s in self.sources}
        raw = {}
        for i, f in enumerate(self.fields):
            values = sources[f.source]
            value = read_value(f, values) if f.model is None else f.model.read(values)
            if value is not None:
                raw[f"f{i}"] = value
        return raw


class BodyValidator:
    """The body is one model (`item: Item`), or a dict of embedded fields."""

    def __init__(self, fields: list[Field], embedded: bool) -> None:
        self.fields = fields
        self.embedded = embedded
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
            locate = only.model.locate if only.model else list  # a form model's keys
            return {}, [{**e, "loc": ("body", *locate(list(e["loc"])))} for e in errors]
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


@dataclass(eq=False)  # one tree is one object: hashed by identity
class Dependant:
    """A callable, with what its parameters need from each request."""

    call: Callable[..., Any]
    path: str
    params: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    dependencies: list[Dependant] = field(default_factory=list)
    name: str | None = None  # the parameter that receives this value
    use_cache: bool = True
    scope: CleanupScope | None = None  # when a yield dependency's cleanup runs
    request_name: str | None = None  # the parameter that receives the Request
    response_name: str | None = None  # ... the one that receives a Response
    background_name: str | None = None  # ... the one for BackgroundTasks
    security_scopes_name: str | None = None  # ... and the one for SecurityScopes
    scopes: list[str] = field(default_factory=list)  # Security(scopes=) from here up
    embedded_body: bool = False  # the route's body is split among several fields
    params_validator: FieldsValidator = field(init=False)
    body_validator: BodyValidator | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.is_coroutine = is_async(self.call, inspect.iscoroutinefunction)
        self.is_async_generator = is_async(self.call, inspect.isasyncgenfunction)
        self.is_generator = is_async(self.call, inspect.isgeneratorfunction)
        self.yields = self.is_generator or self.is_async_generator

    @cached_property
    def has_own(self) -> bool:
        """Parameters, a body or framework objects of its own (not only deps)?"""
        names = (self.request_name, self.response_name, self.background_name)
        return bool(self.params or self.body or any(names) or self.security_scopes_name)

    @property
    def cleanup_scope(self) -> CleanupScope | None:
        """When a yield dependency's cleanup runs: "request" unless told."""
        if self.scope or not self.yields:
            return self.scope
        return "request"

    @cached_property
    def cache_key(self) -> tuple[Any, ...]:
        """One value per callable, cleanup scope and OAuth2 scopes asked for
        (made once: built on every call it cost 4% of a /deps request)."""
        return (self.call, self.cleanup_scope, *sorted(set(self.scopes)))

    def flat_body(self) -> list[Field]:
        """The body fields of the whole tree: together they make one body."""
        return [f for d in self.dependencies for f in d.flat_body()] + self.body

    def prepare(self, embedded: bool) -> None:
        """Build the validators, once the whole tree and its body are known."""
        self.embedded_body = embedded
        for dependant in self.dependencies:
            dependant.prepare(embedded)
        self.params.sort(key=lambda f: SOURCES.index(f.source))
        self.params_validator = FieldsValidator(self.params)
        if self.body:
            self.body_validator = BodyValidator(self.body, embedded)


def signature(call: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations (`from __future__ import
    annotations`) evaluated; a name that cannot be found fails here, at
    registration, rather than on the first request."""
    return inspect.signature(call, eval_str=True)


def get_dependant(
    path: str,
    call: Callable[..., Any],
    depends: Depends | None = None,
    name: str | None = None,
    scopes: Sequence[str] = (),
) -> Dependant:
    """Read `call`'s signature once: the plan for every request to come.
    `scopes` are the OAuth2 scopes the dependants using this one ask for."""
    path_names = set(re.findall(r"{(\w+)", path))
    own = depends.scopes if isinstance(depends, Security) else []
    asked = list(dict.fromkeys([*scopes, *own]))  # each once, in the order asked
    dependant = Dependant(call, path, name=name, scopes=asked)
    if depends is not None:
        dependant.use_cache, dependant.scope = depends.use_cache, depends.scope
    for param_name, param in signature(call).parameters.items():
        found = analyze_param(param_name, param, path_names)
        if isinstance(found, Depends):
            sub = get_dependant(
                path, found.dependency, found, param_name, dependant.scopes
            )
            dependant.dependencies.append(sub)
        elif isinstance(found, Field):
            (dependant.body if found.source == "body" else dependant.params).append(
                found
            )
        elif found is Request:
            dependant.request_name = param_name
        elif found is Response:
            dependant.response_name = param_name
        elif found is BackgroundTasks:
            dependant.background_name = param_name
        else:
            dependant.security_scopes_name = param_name
    check_scopes(dependant)
    return dependant


def check_scopes(dependant: Dependant) -> None:
    """Cleanup after the response cannot use what a function-scoped one closed."""
    for sub in dependant.dependencies:
        if dependant.cleanup_scope == "request" and sub.scope == "function":
            name = getattr(dependant.call, "__name__", repr(dependant.call))
            raise TypeError(
                f"{name!r} has the request scope, so it cannot depend on "
                f"{sub.name!r}, whose cleanup has the function scope"
            )


def get_route_dependant(
    path: str, call: Callable[..., Any], dependencies: Sequence[Depends]
) -> Dependant:
    """The handler's tree; `dependencies=[...]` run first, their values unused."""
    dependant = get_dependant(path, call)
    extra = [get_dependant(path, d.dependency, d) for d in dependencies]
    dependant.dependencies[:0] = extra
    fields = dependant.flat_body()
    names = {f.name for f in fields}
    # A body is one value, or a dict of several; a form's fields are keys of it.
    lone = fields[0] if len(names) == 1 else None
    form_keys = lone is not None and is_form(lone) and lone.model is None
    dependant.prepare(len(names) > 1 or (lone is not None and lone.embed) or form_keys)
    return dependant


def is_form(f: Field) -> bool:
    return isinstance(f.marker, Form)


async def read_form(request: Request, fields: list[Field], embedded: bool) -> Any:
    """The form as the body the fields expect: one key per field (or per model
    field), a list where a field wants one, and a file read into bytes where a
    field wants bytes. An empty field or file input counts as not sent."""
    try:  # a limit broken, a body that is no form: the exception middleware's 400
        form = await request.form()
    except ClientDisconnect as exc:  # gone mid-body: FastAPI's 400, no crash
        raise HTTPException(400, "There was an error parsing the body") from exc
    members = [m for f in fields for m in (f.model.members if f.model else [f])]
    lists = {m.alias for m in members if m.many}
    filled = FormData(
        (key, value)
        for key, value in form.multi_items()
        if not empty_input(value, in_list=key in lists)
    )
    values = {}
    for f in fields:
        value = f.model.read(filled, form) if f.model else read_value(f, filled)
        if value is not None:
            wants_bytes = isinstance(f.marker, File) and mentions(f.annotation, bytes)
            values[f.alias] = await read_files(value) if wants_bytes else value
    if embedded:
        return values
    return values.get(fields[0].alias, MISSING)


def empty_input(value: str | UploadFile, in_list: bool = False) -> bool:
    """What a browser sends for a field left blank or no file chosen. A blank
    in a list stays, an item to validate (FastAPI's choice)."""
    if isinstance(value, UploadFile):
        return value.filename == "" and value.size == 0
    return value == "" and not in_list


async def read_files(value: Any) -> Any:
    """An UploadFile's bytes (each one's, in a list), for a `bytes` field."""
    if isinstance(value, list):
        return [await read_files(item) for item in value]
    return await value.read() if isinstance(value, UploadFile) else value


async def read_body(request: Request, strict_content_type: bool = True) -> Any:
    """The body as JSON when it says it is JSON (or, not strict, says nothing),
    else the raw bytes."""
    try:
        body = await request.body()
    except ClientDisconnect as exc:  # gone mid-body: FastAPI's 400, no crash
        raise HTTPException(400, "There was an error parsing the body") from exc
    if not body:
        return MISSING
    content_type = request.headers.get("content-type", "")
    if content_type or strict_content_type:
        maintype, _, subtype = content_type.split(";")[0].strip().lower().partition("/")
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


@lru_cache(maxsize=256)
def override_dependant(
    original: Dependant, replacement: Callable[..., Any]
) -> Dependant:
    """The replacement's tree, read once (not on every request of a test)."""
    depends = Depends(replacement, scope=original.scope)
    sub = get_dependant(
        original.path, replacement, depends, original.name, original.scopes
    )
    sub.prepare(original.embedded_body)
    return sub


@dataclass
class Solver:
    """One request's walk through a tree of Dependants."""

    request: Request
    body: Any  # the request's body, read once, or MISSING
    overrides: dict[Callable[..., Any], Callable[..., Any]]
    request_stack: AsyncExitStack  # closes after the response is sent
    function_stack: AsyncExitStack  # closes when the handler returns
    background: BackgroundTasks | None = None
    response: Response | None = None  # made for the first who asks for one
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    async def solve(self, dependant: Dependant) -> tuple[dict[str, Any], Errors]:
        """The keyword arguments for `dependant.call`, or what was wrong."""
        values: dict[str, Any] = {}
        errors: Errors = []
        for sub in dependant.dependencies:
            used = self.override(sub)
            sub_values, sub_errors = await self.solve(used)
            if sub_errors:
                errors += sub_errors
                continue
            key = sub.cache_key
            if sub.use_cache and key in self.cache:
                value = self.cache[key]
            else:
                value = await self.call(used, sub_values)
            if sub.name is not None:
                values[sub.name] = value
            self.cache.setdefault(key, value)
        if not dependant.has_own:  # nothing to validate: 5% of a /deps request
            return values, errors
        own_values, own_errors = self.solve_own(dependant)
        values.update(own_values)
        return values, errors + own_errors

    @property
    def received_body(self) -> Any:
        """The body as the request sent it (parsed), or None if it sent none."""
        return None if self.body is MISSING else self.body

    def solve_own(self, dependant: Dependant) -> tuple[dict[str, Any], Errors]:
        raw = dependant.params_validator.gather(self.request)
        values, errors = dependant.params_validator.validate(raw)
        if dependant.body_validator is not None:
            body_values, body_errors = dependant.body_validator.validate(self.body)
            values.update(body_values)
            errors += body_errors
        if dependant.request_name:
            values[dependant.request_name] = self.request
        if dependant.response_name:
            self.response = self.response or sub_response()
            values[dependant.response_name] = self.response
        if dependant.background_name:
            self.background = self.background or BackgroundTasks()
            values[dependant.background_name] = self.background
        if dependant.security_scopes_name:
            values[dependant.security_scopes_name] = SecurityScopes(dependant.scopes)
        return values, errors

    def override(self, dependant: Dependant) -> Dependant:
        """`app.dependency_overrides[get_db] = fake_db` swaps the callable."""
        replacement = self.overrides.get(dependant.call)
        if replacement is None:
            return dependant
        return override_dependant(dependant, replacement)

    async def call(self, dependant: Dependant, values: dict[str, Any]) -> Any:
        func = dependant.call
        if dependant.is_async_generator:
            manager = asynccontextmanager(func)(**values)
            return await self.stack_for(dependant).enter_async_context(manager)
        if dependant.is_generator:
            return await self.enter_in_thread(dependant, contextmanager(func)(**values))
        if dependant.is_coroutine:
            return await func(**values)
        return await run_in_threadpool(func, **values)

    def stack_for(self, dependant: Dependant) -> AsyncExitStack:
        if dependant.scope == "function":
            return self.function_stack
        return self.request_stack

    async def enter_in_thread(
        self, dependant: Dependant, manager: AbstractContextManager[Any]
    ) -> Any:
        """A plain generator may block: enter and leave it in a worker thread."""

        async def leave(*exc_info: Any) -> bool | None:
            swallowed: bool | None = await run_in_threadpool(
                manager.__exit__, *exc_info
            )
            return swallowed

        value = await run_in_threadpool(manager.__enter__)
        self.stack_for(dependant).push_async_exit(leave)
        return value
