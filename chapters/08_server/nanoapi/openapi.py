"""OpenAPI: one JSON document that describes every route of the app.

Everything it needs the routes already know, from registration: paths and
methods, the Dependant trees (parameters and bodies) and the response models.
Pydantic writes the JSON Schema of each type; this module arranges them the
way FastAPI does, and the App builds the document once and keeps it.
"""

from __future__ import annotations

import inspect
import re
from http import HTTPStatus
from typing import Annotated, Any

import pydantic
from pydantic import TypeAdapter, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from .dependencies import SOURCES, Dependant, Field
from .responses import JSONResponse, Response, body_allowed
from .router import BaseRoute
from .routing import APIRoute

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
VALIDATION_ERROR_RESPONSE = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": REF + "HTTPValidationError"}}},
}


def operation_id(route: APIRoute) -> str:
    """`read_item` at `/items/{item_id}` with GET: `read_item_items__item_id__get`."""
    if route.operation_id:
        return route.operation_id
    name = re.sub(r"\W", "_", f"{route.name}{route.path_format}")
    return f"{name}_{sorted(route.methods)[0].lower()}"


def title(name: str) -> str:
    return name.title().replace("_", " ")


def flat_params(dependant: Dependant) -> list[Field]:
    """Every path, query, header and cookie parameter in the tree, by source."""
    found = dependant.params + [
        f for d in dependant.dependencies for f in flat_params(d)
    ]
    return sorted(found, key=lambda f: SOURCES.index(f.source))


def with_default(f: Field) -> Any:
    """The parameter's type, with its default for the schema to show."""
    if f.required:
        return f.annotation
    return Annotated[f.annotation, pydantic.Field(default=f.default)]


def body_type(route: APIRoute) -> Any:
    """The type the body is validated as: one field's, or a model of them all."""
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
    }
    return create_model(f"Body_{operation_id(route)}", **definitions)


def default_status(response_class: type[Response]) -> str:
    status = inspect.signature(response_class.__init__).parameters.get("status_code")
    return str(status.default if status else 200)


class SchemaGenerator(GenerateJsonSchema):
    """Pydantic's JSON Schema, with `bytes` as FastAPI writes them: octets in
    a string."""

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        found = {"type": "string", "contentMediaType": "application/octet-stream"}
        self.update_with_validations(found, schema, self.ValidationsMapping.bytes)
        return found


class SchemaBook:
    """JSON Schemas for all the types of all the routes, made in one pass so
    that models shared by several routes become one named component."""

    def __init__(self, routes: list[APIRoute]) -> None:
        self.bodies = {id(route): body_type(route) for route in routes}
        inputs: list[tuple[Any, JsonSchemaMode, CoreSchema]] = []
        for route in routes:
            for f in flat_params(route.dependant):
                inputs.append(self.entry(id(f), with_default(f), "validation"))
            if self.bodies[id(route)] is not None:
                inputs.append(
                    self.entry(id(route), self.bodies[id(route)], "validation")
                )
            if route.response_model:
                inputs.append(
                    self.entry(id(route), route.response_model, "serialization")
                )
            for code, extra in (route.responses or {}).items():
                if extra.get("model"):
                    key = (id(route), str(code))
                    inputs.append(self.entry(key, extra["model"], "serialization"))
        generator = SchemaGenerator(ref_template=REF + "{model}")
        mapping, definitions = generator.generate_definitions(inputs)
        self.mapping: dict[tuple[Any, JsonSchemaMode], dict[str, Any]] = mapping
        self.definitions = {str(name): schema for name, schema in definitions.items()}
        for definition in self.definitions.values():
            if "description" in definition:
                definition["description"] = definition["description"].split("\f")[0]

    @staticmethod
    def entry(
        key: Any, annotation: Any, mode: JsonSchemaMode
    ) -> tuple[Any, JsonSchemaMode, CoreSchema]:
        return key, mode, TypeAdapter(annotation).core_schema

    def schema(self, key: Any, mode: JsonSchemaMode, name: str) -> dict[str, Any]:
        schema = dict(self.mapping[(key, mode)])
        if "$ref" not in schema:
            schema.setdefault("title", title(name))  # a given title stays
        return schema


def parameters(route: APIRoute, book: SchemaBook) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for f in flat_params(route.dependant):
        schema = book.schema(id(f), "validation", f.alias)
        parameter = {
            "name": f.alias,
            "in": f.source,
            "required": f.source == "path" or f.required,
            "schema": schema,
        }
        for word in ("description", "deprecated"):  # from Query(description=...)
            if schema.get(word):
                parameter[word] = schema[word]
        key = (f.source, f.alias)
        if key not in found or parameter["required"]:  # a required one wins
            found[key] = parameter
    return list(found.values())


def request_body(route: APIRoute, book: SchemaBook) -> dict[str, Any] | None:
    if book.bodies[id(route)] is None:
        return None
    fields = route.dependant.flat_body()
    schema = book.schema(id(route), "validation", fields[0].alias)
    body: dict[str, Any] = {"content": {"application/json": {"schema": schema}}}
    if any(f.required for f in fields):
        body = {"required": True, **body}
    return body


def responses(route: APIRoute, book: SchemaBook) -> dict[str, Any]:
    response_class = route.response_class or JSONResponse
    status = str(route.status_code or default_status(response_class))
    success: dict[str, Any] = {"description": route.response_description}
    media_type = response_class.media_type
    if body_allowed(int(status)) and media_type:
        schema: dict[str, Any] = {"type": "string"}
        if issubclass(response_class, JSONResponse):
            schema = {}
            if route.response_model:
                name = f"Response_{operation_id(route)}"
                schema = book.schema(id(route), "serialization", name)
        success["content"] = {media_type: {"schema": schema}}
    answers = {status: success}
    for code, extra in (route.responses or {}).items():
        key = "default" if str(code).upper() == "DEFAULT" else str(code).upper()
        model, extra = (
            extra.get("model"),
            {k: v for k, v in extra.items() if k != "model"},
        )
        if model:  # its schema is merged over one written by hand, as in FastAPI
            name = f"Response_{code}_{operation_id(route)}"
            schema = book.schema((id(route), str(code)), "serialization", name)
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
    op["operationId"] = operation_id(route)
    if route.deprecated:
        op["deprecated"] = True
    params = parameters(route, book)
    if params:
        op["parameters"] = params
    body = request_body(route, book)
    if body:
        op["requestBody"] = body
    op["responses"] = responses(route, book)
    declared = {"422", "4XX", "default"} & set(op["responses"])
    if (params or body) and not declared:
        op["responses"]["422"] = VALIDATION_ERROR_RESPONSE
    return op


def api_routes(routes: list[BaseRoute]) -> list[APIRoute]:
    """The documented routes, in registration order (mounted apps are not)."""
    return [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]


def get_openapi(
    title: str, version: str, routes: list[BaseRoute], **info: Any
) -> dict[str, Any]:
    documented = api_routes(routes)
    book = SchemaBook(documented)
    paths: dict[str, dict[str, Any]] = {}
    for route in documented:
        op = operation(route, book)
        for method in sorted(route.methods):
            paths.setdefault(route.path_format, {})[method.lower()] = op
    schemas: dict[str, Any] = dict(book.definitions)
    if any("422" in op["responses"] for item in paths.values() for op in item.values()):
        schemas["ValidationError"] = VALIDATION_ERROR
        schemas["HTTPValidationError"] = HTTP_VALIDATION_ERROR
    info = {"title": title, "version": version, **{k: v for k, v in info.items() if v}}
    document: dict[str, Any] = {"openapi": "3.1.0", "info": info}
    if schemas:
        document["components"] = {"schemas": dict(sorted(schemas.items()))}
    document["paths"] = paths
    cleaned: dict[str, Any] = without_nulls(document)
    return cleaned


def without_nulls(value: Any) -> Any:
    """FastAPI leaves out every key whose value is null (`"default": null` too)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value
