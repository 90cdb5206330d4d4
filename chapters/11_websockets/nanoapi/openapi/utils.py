"""OpenAPI: one JSON document that describes every route of the app.

Everything it needs the routes already know, from registration: paths and
methods, the Dependant trees (parameters and bodies) and the response models.
Pydantic writes the JSON Schema of each type; this module arranges them the
way FastAPI does, and the App builds the document once and keeps it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from copy import deepcopy
from http import HTTPStatus
from typing import Annotated, Any, get_args, get_origin

import pydantic
from pydantic import TypeAdapter, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from ..dependencies import SOURCES, Dependant, Field
from ..encoders import jsonable_encoder
from ..params import MISSING, Body, Form, Param
from ..responses import JSONResponse, Response, body_allowed
from ..router import BaseRoute
from ..routing import EVENTS, JSON_LINES, APIRoute
from ..security.base import SecurityBase
from ..sse import SSE_EVENT_SCHEMA

REF = "#/components/schemas/"
STATUS_PHRASES = {status.value: status.phrase for status in HTTPStatus}
STATUS_RANGES = {
    "1XX": "Information",
    "2XX": "Success",
    "3XX": "Redirection",
    "4XX": "Client Error",
    "5XX": "Server Error",
    "DEFAULT": "Default Response",
}
VALIDATION_ERROR = {
    "title": "ValidationError",
    "type": "object",
    "properties": {
        "loc": {
            "title": "Location",
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        },
        "msg": {"title": "Message", "type": "string"},
        "type": {"title": "Error Type", "type": "string"},
        "input": {"title": "Input"},
        "ctx": {"title": "Context", "type": "object"},
    },
    "required": ["loc", "msg", "type"],
}
HTTP_VALIDATION_ERROR = {
    "title": "HTTPValidationError",
    "type": "object",
    "properties": {
        "detail": {
            "title": "Detail",
            "type": "array",
            "items": {"$ref": REF + "ValidationError"},
        }
    },
}
VALIDATION_SCHEMAS = {
    "ValidationError": VALIDATION_ERROR,
    "HTTPValidationError": HTTP_VALIDATION_ERROR,
}
VALIDATION_ERROR_RESPONSE = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": REF + "HTTPValidationError"}}},
}


def title(name: str) -> str:
    return name.title().replace("_", " ")


def flat_params(dependant: Dependant) -> list[Field]:
    """Every path, query, header and cookie parameter in the tree, by source."""
    found = dependant.params + [
        f for d in dependant.dependencies for f in flat_params(d)
    ]
    return sorted(found, key=lambda f: SOURCES.index(f.source))


def documented_params(dependant: Dependant) -> list[tuple[Field, bool]]:
    """The parameters the document lists, each with whether it is required:
    a parameter model's fields one by one (none required if the model may be
    left out), and none whose marker says `include_in_schema=False`."""
    listed = []
    for f in flat_params(dependant):
        if not f.marker.include_in_schema:
            continue
        if f.model is None:
            listed.append((f, f.source == "path" or f.required))
            continue
        optional = f.model.optional and not f.required
        listed += [(m, m.required and not optional) for m in f.model.members]
    return listed


def examples(marker: Param) -> dict[str, Any]:
    """`openapi_examples=` (named examples), else the deprecated `example=`."""
    if marker.openapi_examples:
        return {"examples": jsonable_encoder(marker.openapi_examples)}
    if marker.example is not MISSING:
        return {"example": jsonable_encoder(marker.example)}
    return {}


def with_default(f: Field) -> Any:
    """The parameter's type, with its default for the schema to show."""
    if f.required:
        return f.annotation
    return Annotated[f.annotation, pydantic.Field(default=f.default)]


def body_type(route: APIRoute) -> Any:
    """The type the body is validated as: one field's, or a model of them all
    (a form's models are not among its properties: see `form_models`)."""
    fields = route.dependant.flat_body()
    if not fields:
        return None
    if not route.dependant.embedded_body:
        return fields[0].annotation
    definitions: dict[str, Any] = {
        f.name: (
            f.annotation,
            pydantic.Field(... if f.required else f.default, alias=f.alias),
        )
        for f in fields
        if f not in form_models(route)
    }
    return create_model(f"Body_{route.unique_id}", **definitions)


def form_models(route: APIRoute) -> list[Field]:
    """The models among a form's fields: the body's schema refers to each of
    them (`allOf`), as FastAPI's does, instead of listing it as a property."""
    if not route.dependant.embedded_body:
        return []
    fields = route.dependant.flat_body()
    return [
        f for f in fields if isinstance(f.marker, Form) and f.model and f.model.members
    ]


def model_of(f: Field) -> Any:
    """The model class of a model field (its annotation, unwrapped)."""
    kind = f.annotation
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    return kind


def default_status(response_class: type[Response]) -> str:
    status = inspect.signature(response_class.__init__).parameters.get("status_code")
    return str(status.default if status else 200)


def has_computed_fields(schema: Any) -> bool:
    """Whether a core schema (nested dicts and lists) declares a computed field."""
    if isinstance(schema, dict):
        values = schema.values()
        return bool(schema.get("computed_fields")) or any(
            map(has_computed_fields, values)
        )
    if isinstance(schema, list):
        return any(map(has_computed_fields, schema))
    return False


class SchemaGenerator(GenerateJsonSchema):
    """Pydantic's JSON Schema, with `bytes` as FastAPI writes them: octets in
    a string, base64 where the model's JSON carries them that way."""

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        found = {"type": "string", "contentMediaType": "application/octet-stream"}
        config = self._config  # the model's, for the mode being written
        serializing = self.mode == "serialization"
        encoding = config.ser_json_bytes if serializing else config.val_json_bytes
        if encoding == "base64":
            found["contentEncoding"] = "base64"
        self.update_with_validations(found, schema, self.ValidationsMapping.bytes)
        return found


class SchemaBook:
    """JSON Schemas for all the types of all the routes, made in one pass so
    that models shared by several routes become one named component."""

    def __init__(self, routes: list[APIRoute], separate: bool = True) -> None:
        self.separate = separate  # FastAPI's separate_input_output_schemas
        self.security: dict[str, dict[str, Any]] = {}  # the schemes, as found
        self.output_modes: dict[Any, JsonSchemaMode] = {}
        self.bodies = {id(route): body_type(route) for route in routes}
        inputs: list[tuple[Any, JsonSchemaMode, CoreSchema]] = []
        for route in routes:
            for f, _ in documented_params(route.dependant):
                inputs.append(self.entry(id(f), with_default(f), "validation"))
            if self.bodies[id(route)] is not None:
                inputs.append(
                    self.entry(id(route), self.bodies[id(route)], "validation")
                )
            for f in form_models(route):
                inputs.append(self.entry(id(f), model_of(f), "validation"))
            if route.response_model:
                key = (id(route), "response")
                inputs.append(self.output_entry(key, route.response_model))
            if route.stream_item:
                key = (id(route), "stream")
                inputs.append(self.output_entry(key, route.stream_item))
            for code, extra in (route.responses or {}).items():
                if extra.get("model"):
                    key = (id(route), str(code))
                    inputs.append(self.output_entry(key, extra["model"]))
        generator = SchemaGenerator(ref_template=REF + "{model}")
        mapping, definitions = generator.generate_definitions(inputs)
        self.mapping: dict[tuple[Any, JsonSchemaMode], dict[str, Any]] = mapping
        self.definitions = {str(name): schema for name, schema in definitions.items()}
        for definition in self.definitions.values():
            if "description" in definition:
                definition["description"] = definition["description"].split("\f")[0]
        for route in routes:
            if models := form_models(route):
                body = self.mapping[(id(route), "validation")]["$ref"]
                refs = [self.mapping[(id(f), "validation")] for f in models]
                self.definitions[body.removeprefix(REF)]["allOf"] = refs

    @staticmethod
    def entry(
        key: Any, annotation: Any, mode: JsonSchemaMode
    ) -> tuple[Any, JsonSchemaMode, CoreSchema]:
        return key, mode, TypeAdapter(annotation).core_schema

    def output_entry(
        self, key: Any, annotation: Any
    ) -> tuple[Any, JsonSchemaMode, CoreSchema]:
        """What a response sends: its own schema (`Item-Output` where it differs
        from `Item-Input`), or, if the app asked for one schema per model,
        the input one, unless a computed field makes them differ."""
        core = TypeAdapter(annotation).core_schema
        own = self.separate or has_computed_fields(core)
        self.output_modes[key] = "serialization" if own else "validation"
        return key, self.output_modes[key], core

    def output(self, key: Any, name: str) -> dict[str, Any]:
        return self.schema(key, self.output_modes[key], name)

    def schema(self, key: Any, mode: JsonSchemaMode, name: str) -> dict[str, Any]:
        schema = dict(self.mapping[(key, mode)])
        if "$ref" not in schema:
            schema.setdefault("title", title(name))  # a given title stays
        return schema


def parameters(route: APIRoute, book: SchemaBook) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for f, required in documented_params(route.dependant):
        schema = book.schema(id(f), "validation", f.alias)
        parameter = {"name": f.alias, "in": f.source, "required": required}
        parameter["schema"] = schema
        for word in ("description", "deprecated"):  # from Query(description=...)
            if schema.get(word):
                parameter[word] = schema[word]
        parameter.update(examples(f.marker))
        key = (f.source, f.alias)
        if key not in found or parameter["required"]:  # a required one wins
            found[key] = parameter
    return list(found.values())


def request_body(route: APIRoute, book: SchemaBook) -> dict[str, Any] | None:
    if book.bodies[id(route)] is None:
        return None
    fields = route.dependant.flat_body()
    schema = book.schema(id(route), "validation", fields[0].alias)
    content = {"schema": schema}
    if not route.dependant.embedded_body:  # one body, one marker
        content.update(examples(fields[0].marker))
    media_types = {f.marker.media_type for f in fields if isinstance(f.marker, Body)}
    media_type = media_types.pop() if len(media_types) == 1 else "application/json"
    if "multipart/form-data" in media_types | {media_type}:  # a form with files
        media_type = "multipart/form-data"
    body: dict[str, Any] = {"content": {media_type: content}}
    if any(f.required for f in fields):
        body = {"required": True, **body}
    return body


def stream_content(route: APIRoute, book: SchemaBook) -> dict[str, Any]:
    """A generator's answer: JSON lines or events, each item's schema given."""
    item: dict[str, Any] = {}
    if route.stream_item:
        item = book.output((id(route), "stream"), f"StreamItem_{route.unique_id}")
    if route.stream_encoding == JSON_LINES:
        return {JSON_LINES: {"itemSchema": item}}
    event = deepcopy(SSE_EVENT_SCHEMA)
    if item:  # the data is that item, as JSON
        event["properties"]["data"] = {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": item,
        }
        event["required"] = ["data"]
    return {EVENTS: {"itemSchema": event}}


def responses(route: APIRoute, book: SchemaBook) -> dict[str, Any]:
    response_class = route.response_class or JSONResponse
    status = str(route.status_code or default_status(response_class))
    success: dict[str, Any] = {"description": route.response_description}
    media_type = response_class.media_type
    if body_allowed(int(status)) and route.stream_encoding:
        success["content"] = stream_content(route, book)
    elif body_allowed(int(status)) and media_type:
        schema: dict[str, Any] = {"type": "string"}
        if issubclass(response_class, JSONResponse):
            schema = {}
            if route.response_model:
                name = f"Response_{route.unique_id}"
                schema = book.output((id(route), "response"), name)
        success["content"] = {media_type: {"schema": schema}}
    answers = {status: success}
    for code, extra in (route.responses or {}).items():
        key = "default" if str(code).upper() == "DEFAULT" else str(code).upper()
        model, extra = (
            extra.get("model"),
            {k: v for k, v in extra.items() if k != "model"},
        )
        if model:  # its schema is merged over one written by hand, as in FastAPI
            name = f"Response_{code}_{route.unique_id}"
            schema = book.output((id(route), str(code)), name)
            content = {media_type or "application/json": {"schema": schema}}
            extra = merged(extra, {"content": content})
        answer = answers[key] = merged(answers.get(key, {}), extra)
        answer["description"] = (
            extra.get("description") or answer.get("description") or phrase(key)
        )
    return answers


def phrase(code: str) -> str:
    """ "404" -> "Not Found", "4XX" -> "Client Error", as FastAPI names them."""
    if code.isdigit():
        return STATUS_PHRASES.get(int(code), "Additional Response")
    return STATUS_RANGES.get(code.upper(), "Additional Response")


def merged(target: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`target` with `extra` merged in, as FastAPI merges them: nested dicts
    key by key, lists joined. Neither is changed: their dicts are shared."""
    result = dict(target)
    for key, value in extra.items():
        old = result.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            result[key] = merged(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            result[key] = old + value
        else:
            result[key] = value
    return result


def operation(route: APIRoute, book: SchemaBook) -> dict[str, Any]:
    op: dict[str, Any] = {}
    if route.tags:  # an Enum member is written as its value
        op["tags"] = [getattr(tag, "value", tag) for tag in route.tags]
    op["summary"] = route.summary or title(route.name)
    if route.description:
        op["description"] = route.description
    op["operationId"] = route.unique_id
    if route.deprecated:
        op["deprecated"] = True
    params = parameters(route, book)
    if params:
        op["parameters"] = params
    body = request_body(route, book)
    if body:
        op["requestBody"] = body
    security = security_requirements(route.dependant)
    if security:
        op["security"] = [{scheme.scheme_name: scopes} for scheme, scopes in security]
        book.security.update((s.scheme_name, s.model) for s, _ in security)
    if route.callbacks:  # the requests this operation makes: {name: {url: item}}
        callbacks = api_routes(route.callbacks)
        op["callbacks"] = {r.name: {r.path: path_item(r, book)} for r in callbacks}
    op["responses"] = responses(route, book)
    declared = {"422", "4XX", "default"} & set(op["responses"])
    if (flat_params(route.dependant) or body) and not declared:  # hidden ones too
        op["responses"]["422"] = VALIDATION_ERROR_RESPONSE
        book.definitions.update(VALIDATION_SCHEMAS)
    if route.openapi_extra:  # the user's last word on the operation
        op = merged(op, route.openapi_extra)
    return op


def security_requirements(dependant: Dependant) -> list[tuple[SecurityBase, list[str]]]:
    """The security schemes a tree depends on, in FastAPI's order (depth
    first), each name once, with every scope asked of it anywhere in the tree
    (and, like FastAPI, the last scheme met under a name describes it)."""
    found: dict[str, tuple[SecurityBase, list[str]]] = {}
    for scheme, scopes in security_dependencies(dependant):
        _, merged = found.get(scheme.scheme_name, (scheme, []))
        more = [scope for scope in scopes if scope not in merged]
        found[scheme.scheme_name] = (scheme, merged + more)
    return list(found.values())


def security_dependencies(
    dependant: Dependant,
) -> Iterator[tuple[SecurityBase, list[str]]]:
    """Each security scheme met in the tree, with the scopes asked of it there."""
    for sub in dependant.dependencies:
        if isinstance(sub.call, SecurityBase):
            yield sub.call, sub.scopes
        yield from security_dependencies(sub)


def path_item(route: APIRoute, book: SchemaBook) -> dict[str, Any]:
    """The route's operation under each of its methods."""
    op = operation(route, book)
    return {method.lower(): op for method in sorted(route.methods)}


def path_items(routes: Sequence[BaseRoute], book: SchemaBook) -> dict[str, Any]:
    """`{path: {method: operation}}` for the documented routes."""
    items: dict[str, dict[str, Any]] = {}
    for route in api_routes(routes):
        items.setdefault(route.path_format, {}).update(path_item(route, book))
    return items


def api_routes(routes: Sequence[BaseRoute]) -> list[APIRoute]:
    """The documented routes, in registration order (mounted apps are not)."""
    return [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]


def with_callbacks(routes: Sequence[BaseRoute]) -> list[APIRoute]:
    """The documented routes, each followed by its callbacks (and theirs)."""
    return [r for a in api_routes(routes) for r in (a, *with_callbacks(a.callbacks))]


def get_openapi(
    *,
    title: str,
    version: str,
    openapi_version: str = "3.1.0",
    summary: str | None = None,
    description: str | None = None,
    routes: Sequence[BaseRoute],
    webhooks: Sequence[BaseRoute] | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, Any] | None = None,
    license_info: dict[str, Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The document, from FastAPI's keywords: `webhooks` are routes documented
    under their own key (the app calls them, it does not serve them)."""
    webhooks = webhooks or []
    documented = with_callbacks([*routes, *webhooks])
    book = SchemaBook(documented, separate_input_output_schemas)
    info = {
        "title": title,
        "version": version,
        "summary": summary,
        "description": description,
        "termsOfService": terms_of_service,
        "contact": contact,
        "license": license_info,
    }
    document: dict[str, Any] = {
        "openapi": openapi_version,
        "info": {key: value for key, value in info.items() if value},
        "servers": servers or None,
    }
    paths, hooks = path_items(routes, book), path_items(webhooks, book)
    components: dict[str, Any] = {}  # after the paths: they add to the book
    if book.definitions:  # a 422 adds the error schemas
        components["schemas"] = dict(sorted(book.definitions.items()))
    if book.security:
        components["securitySchemes"] = book.security
    document["components"] = components or None
    document["paths"] = paths
    document["webhooks"] = hooks or None
    document["tags"] = tags or None
    document["externalDocs"] = external_docs or None
    cleaned: dict[str, Any] = without_nulls(document)
    return cleaned


def without_nulls(value: Any) -> Any:
    """FastAPI leaves out every key whose value is null (`"default": null` too)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value
