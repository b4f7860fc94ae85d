"""Pydantic validation errors translated into Kazoo 4.3's validation-error shape.

Each error becomes `{"<dotted.path>": {"<rule>": {"message": …, …}}}` with the
rule names and message texts of Kazoo's `kz_json_schema`: `required`, `type`,
`minLength`, `maxLength`, `minimum`, `maximum`, `minItems`, `maxItems`, `enum`,
`pattern`, `additionalProperties`, and `error` for a callflow or metaflow node
whose module names no schema. Path parts are joined with dots, a dot inside a
part is written `%2E`, and array indexes count from 0. This module is the only
place that translates pydantic errors: whole documents and single flow nodes
both go through `translate_errors`.
"""

from __future__ import annotations

import enum
import re
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import MISSING, BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generated.flow_nodes import METAFLOW_NODES
from mock_server.errors import (
    MSG_NOT_IN_ENUM,
    MSG_REQUIRED,
    MSG_STRICT_PROPERTIES,
    ErrorMap,
    merge_errors,
)

# Pydantic error types that mean "wrong JSON type", with the JSON Schema type name.
_TYPE_NAMES = {
    "string_type": "string",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
    "tuple_type": "array",
    "set_type": "array",
    "none_required": "null",
}


MSG_UNKNOWN_MODULE = "unable to find {kind} schema for module {module}"
_UNION_TAG_ERRORS = ("union_tag_invalid", "union_tag_not_found")
_METAFLOW_NODE_MODELS = frozenset(METAFLOW_NODES.values())
# Labels pydantic puts in an error location for the members of a union of
# built-in types (`str | bool`): they name a type, not a key.
_BUILTIN_LABELS = frozenset({"str", "int", "float", "bool", "bytes", "none"})
# The value at a location part that the document does not have.
_ABSENT = object()

# JSON Schema type names of the Python types in generated annotations' text.
_SOURCE_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
}
_SOURCE_TYPE_NAMES = re.compile(r"\b(str|int|float|bool|list|dict)\b")


def type_error(types_: str | Sequence[str], value: Any) -> dict[str, Any]:
    """Return the body of Kazoo's `type` error for `value` and the expected types.

    One type is the `target` itself. Several types are listed in the message and,
    as a list, in `target`. NOTE: the list form of `target` is inferred, not
    taken from a Kazoo response.
    """
    if isinstance(types_, str):
        types_ = [types_]
    target: str | list[str] = types_[0] if len(types_) == 1 else list(types_)
    message = f"Value did not match type(s): {', '.join(types_)}"
    return {"message": message, "target": target, "value": value}


RuleBody = tuple[str, dict[str, Any]]


def translate_errors(
    exc: ValidationError, document: Any, model: type[BaseModel], prefix: str = ""
) -> ErrorMap:
    """Turn a pydantic ValidationError into Kazoo's validation error map.

    `document` is the value that `model` validated, and `prefix` the Kazoo key
    of `document` itself, already escaped ("" for a whole request). Wrong-type
    errors at one path, one per member of a union type such as `str | bool`,
    become one `type` error that lists every type.
    """
    grouped: dict[tuple[str | int, ...], list[ErrorDetails]] = {}
    for error in exc.errors():
        path = data_path(error["loc"], document)
        if error["type"] in _UNION_TAG_ERRORS:
            path = [*path, _discriminator(error)]
        grouped.setdefault(tuple(path), []).append(error)

    errors: ErrorMap = {}
    for parts, found in grouped.items():
        key = ".".join(part for part in (prefix, kazoo_key(list(parts))) if part)
        types_ = [_TYPE_NAMES[e["type"]] for e in found if e["type"] in _TYPE_NAMES]
        if len(found) > 1 and len(types_) == len(found):
            ordered = _schema_order(types_, model, found[0]["loc"][:-1])
            rules = {"type": type_error(ordered, found[0]["input"])}
        else:
            rules = dict(_kazoo_error(error, list(parts), model) for error in found)
        merge_errors(errors, {key: rules})
    return errors


def _schema_order(
    types_: list[str], model: type[BaseModel], loc: tuple[int | str, ...]
) -> list[str]:
    """Return the distinct JSON types in the order the field at `loc` lists them.

    Kazoo names the types of a failed `type` rule in the schema's order, which
    the generated annotation keeps, while pydantic reports union members in its
    own order. Types the annotation does not show keep the order they came in.
    """
    listed = _declared_types(model, loc)
    distinct = list(dict.fromkeys(types_))
    return sorted(
        distinct, key=lambda t: listed.index(t) if t in listed else len(listed)
    )


def _declared_types(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Return the JSON types of the field at `loc` in the order its source lists them.

    The evaluated annotation cannot tell: CPython compares unions as sets and
    caches `typing.Union` objects, so `bool | str | MISSING` may evaluate to
    `Union[str, bool, MISSING]` when that union was built first. The generated
    models keep their annotations as text (`from __future__ import annotations`),
    where the order survives.
    """
    owner = annotation_at(model, loc[:-1]) if loc else None
    if not (isinstance(owner, type) and issubclass(owner, BaseModel)):
        return []
    names = [n for n, f in owner.model_fields.items() if (f.alias or n) == loc[-1]]
    for cls in owner.__mro__:
        text = vars(cls).get("__annotations__", {}).get(names[0]) if names else None
        if isinstance(text, str):
            found = _SOURCE_TYPE_NAMES.findall(text)
            return list(dict.fromkeys(_SOURCE_TYPES[name] for name in found))
    return []


def _discriminator(error: ErrorDetails) -> str:
    """Return the field that selects a union member, `module` for flow nodes."""
    ctx = error.get("ctx") or {}
    return str(ctx.get("discriminator", "module")).strip("'")


def _flow_module_error(
    error: ErrorDetails, path: list[str | int], model: type[BaseModel]
) -> RuleBody:
    """Report a flow or metaflow node whose `module` is missing, mistyped or unknown.

    Kazoo checks `module` as a string of 1 to 64 characters that names a schema
    `callflows.<module>`, or `metaflows.<module>` for a metaflow node.
    """
    field = _discriminator(error)
    node = error["input"]
    if error["type"] == "union_tag_not_found" or not isinstance(node, dict):
        return "required", {"message": MSG_REQUIRED, "value": field}
    module = node.get(field)
    if not isinstance(module, str):
        return "type", type_error("string", module)
    if not module:
        return _min_length({"min_length": 1}, module)
    if len(module) > 64:
        return _max_length({"max_length": 64}, module)
    message = MSG_UNKNOWN_MODULE.format(
        kind=_node_kind(model, error["loc"]), module=module
    )
    return "error", {"message": message, "value": module}


def _node_kind(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """Return `metaflow` if the union at `loc` of `model` contains metaflow nodes."""
    union = annotation_at(model, loc)
    members = typing.get_args(union)
    namespace = vars(sys.modules[model.__module__])
    resolved = [unwrap_annotation(member, namespace) for member in members]
    if resolved and all(member in _METAFLOW_NODE_MODELS for member in resolved):
        return "metaflow"
    return "callflow"


def data_path(loc: tuple[int | str, ...], document: Any) -> list[str | int]:
    """Keep the parts of a pydantic error location that address the data.

    Pydantic adds parts that name no key: the tag of a discriminated union member
    (a flow node's module name), the labels of union members (`str`, class
    names) and `[key]` for a dict key that failed. Walking the document
    separates them from real keys. A field absent from the document (one
    pydantic filled with its default, or the field a `missing` error names) is
    kept, as is everything below it.
    """
    path: list[str | int] = []
    current: Any = document
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(current, dict):
            if isinstance(part, str) and part in current:
                current = current[part]
            elif _is_union_tag(part, current):
                continue
            else:
                current = _ABSENT
        elif isinstance(current, list):
            if not isinstance(part, int):
                continue
            current = current[part] if 0 <= part < len(current) else _ABSENT
        elif current is not _ABSENT:
            continue  # a union member's label below a scalar, null included
        path.append(part)
    return path


def _is_union_tag(part: int | str, node: dict[str, Any]) -> bool:
    """Return whether a location part names a union member rather than a key.

    A discriminated member is named by the node's own discriminator value. Other
    members are named by a class name (capitalised), a built-in type (`str`) or
    a validator such as `function-after[…]`.
    """
    if not isinstance(part, str):
        return False
    if any(value == part for value in node.values() if isinstance(value, str)):
        return True
    if part in _BUILTIN_LABELS:
        return True
    return part[:1].isupper() or not part.isidentifier()


def kazoo_key(path: list[str | int]) -> str:
    """Join a path as Kazoo does: dots between parts, a dot inside a part as %2E."""
    return ".".join(str(part).replace(".", "%2E") for part in path)


def _kazoo_error(
    error: ErrorDetails, path: list[str | int], model: type[BaseModel]
) -> RuleBody:
    """Return Kazoo's rule name and error body for one pydantic error."""
    kind, value = error["type"], error["input"]
    if kind in _UNION_TAG_ERRORS:
        return _flow_module_error(error, path, model)
    if kind == "missing":
        return "required", {"message": MSG_REQUIRED, "value": path[-1] if path else ""}
    if kind in _TYPE_NAMES:
        return "type", type_error(_TYPE_NAMES[kind], value)
    if kind in ("enum", "literal_error"):
        body = {"message": MSG_NOT_IN_ENUM, "target": enum_values(model, error["loc"])}
        return "enum", {**body, "value": value}
    builder = _RULE_BUILDERS.get(kind)
    if builder is None:
        return kind, {"message": "failed to validate", "value": value}
    return builder(error.get("ctx") or {}, value)


def _min_length(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx["min_length"]
    message = f"String must be at least {limit} characters"
    return "minLength", {
        "message": message,
        "target": limit,
        "cause": value,
        "value": value,
    }


def _max_length(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx["max_length"]
    message = f"String must not be more than {limit} characters"
    return "maxLength", {
        "message": message,
        "target": limit,
        "cause": value,
        "value": value,
    }


def _min_items(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx["min_length"]
    message = f"The list must have at least {limit} items"
    return "minItems", {"message": message, "target": limit, "value": value}


def _max_items(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx["max_length"]
    message = f"The list is more than {limit} items"
    return "maxItems", {"message": message, "target": limit, "value": value}


def _minimum(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx.get("ge", ctx.get("gt"))
    message = f"Value must be at least {limit}"
    return "minimum", {"message": message, "target": limit, "value": value}


def _maximum(ctx: dict[str, Any], value: Any) -> RuleBody:
    limit = ctx.get("le", ctx.get("lt"))
    message = f"Value must be at most {limit}"
    return "maximum", {"message": message, "target": limit, "value": value}


def _pattern(ctx: dict[str, Any], value: Any) -> RuleBody:
    pattern = ctx["pattern"]
    message = f"Failed to match pattern '{pattern}'"
    return "pattern", {"message": message, "target": pattern, "value": value}


def _additional_properties(ctx: dict[str, Any], value: Any) -> RuleBody:
    return "additionalProperties", {"message": MSG_STRICT_PROPERTIES, "value": value}


_RULE_BUILDERS = {
    "string_too_short": _min_length,
    "string_too_long": _max_length,
    "too_short": _min_items,
    "too_long": _max_items,
    "greater_than_equal": _minimum,
    "greater_than": _minimum,
    "less_than_equal": _maximum,
    "less_than": _maximum,
    "string_pattern_mismatch": _pattern,
    "extra_forbidden": _additional_properties,
}


def enum_values(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[Any]:
    """Return the allowed values of the enum field at a pydantic error location."""
    annotation = annotation_at(model, loc)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return []


def annotation_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> Any:
    """Return the annotation at a pydantic error location of `model`, unwrapped.

    Returns None when the location leaves the model's declared fields.
    """
    namespace = vars(sys.modules[model.__module__])
    annotation: Any = model
    for part in loc:
        annotation = _child_annotation(annotation, part, namespace)
        if annotation is None:
            return None
    return unwrap_annotation(annotation, namespace)


def _child_annotation(
    annotation: Any, part: str | int, namespace: Mapping[str, Any]
) -> Any:
    """Return the annotation one location part below `annotation`, or None."""
    annotation = unwrap_annotation(annotation, namespace)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _union_member(args, part, namespace)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            if (field.alias or name) == part:
                return field.annotation
        return None
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _union_member(
    members: tuple[Any, ...], tag: str | int, namespace: Mapping[str, Any]
) -> Any:
    """Return the union member a location tag names: its class or discriminator."""
    for member in members:
        member = unwrap_annotation(member, namespace)
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        if member.__name__ == tag:
            return member
        for field in member.model_fields.values():
            literal = unwrap_annotation(field.annotation, namespace)
            is_literal = typing.get_origin(literal) is typing.Literal
            if is_literal and tag in typing.get_args(literal):
                return member
    return None


def unwrap_annotation(annotation: Any, namespace: Mapping[str, Any]) -> Any:
    """Strip Optional, `| MISSING`, Annotated, type aliases and forward references."""
    while True:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if isinstance(annotation, str):
            annotation = namespace.get(annotation)
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [
                member
                for member in typing.get_args(annotation)
                if member is not type(None) and member is not MISSING
            ]
            if len(members) != 1:
                return annotation
            annotation = members[0]
            continue
        aliased = getattr(annotation, "__value__", None)  # a TypeAliasType
        if aliased is None or isinstance(annotation, type):
            return annotation
        annotation = aliased
