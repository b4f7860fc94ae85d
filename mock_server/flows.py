"""Validate a callflow's flow tree node by node, as Kazoo 4.3 validates it.

Contract for callers::

    flow, errors = validate_flow(document["flow"])        # path defaults to "flow"

- `flow` may be any decoded JSON value. It is never modified.
- `errors` is Kazoo's validation-error map, `{key: {rule: body}}`, and is empty
  when the whole tree is valid. A key is the dotted JSON path from the callflow
  document's root: `path`, then `children`, the child's key, and so on. A dot
  inside a child key is written `%2E`, array indexes count from 0.
- The returned flow is None when there are errors. Otherwise it is a new tree:
  the input with each module's schema defaults filled in at every node and in
  every nested object of `data`, strings converted where Kazoo converts them
  (below), and every other key exactly as sent. A node without `data` or
  `children` gets `{}`, the defaults of the flow node schema.

Each node must be an object whose `module` is a string of 1 to 64 characters
that names a module in `generated.flow_nodes.FLOW_NODES`. Its `data` is checked
with that module's generated model, and its children are checked the same way at
any depth, so one call reports every error in the tree. A child whose key does
not match `.+` (the empty key) is kept unchecked, as Kazoo's `patternProperties`
skip it. An unknown module is reported as
`{"flow.module": {"error": {"message": "unable to find callflow schema for
module foo", "value": "foo"}}}`, and its node's `data` is not checked.

Type conversion: Kazoo 4.3 runs with `crossbar.schema_strict_validation` false by
default, so where the schema wants an integer or a boolean it converts a string
and validates again (`cb_context:maybe_fix_js_types`). This module
converts strings of decimal digits with an optional sign to integers and
`"true"`/`"false"` to booleans, then validates strictly. The stored value is the
converted one, because Kazoo saves the document it validated after converting,
so clients that read a ring group's endpoint `timeout` back get the integer 20
for the `"20"` they sent. NOTE: Kazoo's own conversion functions may accept more
string forms, such as decimals; those are rejected here as type errors.

`generated.models.Callflows` types `flow` by module as well, so validating a
whole callflow with it reports flow errors a second time, in pydantic's terms
(`union_tag_invalid` for an unknown module) and after pydantic's looser
conversions. A caller that uses both takes the flow's errors and stored form
from `validate_flow` and the other fields' from the model.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from typing_extensions import TypeAliasType

from generated.flow_nodes import FLOW_NODES
from generated.models import CallflowsAction
from mock_server.errors import MSG_NOT_IN_ENUM, MSG_REQUIRED, ErrorMap, merge_errors

MSG_UNKNOWN_MODULE = "unable to find callflow schema for module {module}"
# Keys of `children` that the flow node schema checks (its patternProperties).
CHILD_KEY = re.compile(".+")
INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
BOOLEAN_TEXT = {"true": True, "false": False}

# Pydantic error types that mean "wrong JSON type", with the JSON Schema type name.
TYPE_NAMES = {
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
    "none_required": "null",
}

DataPath = tuple[str | int, ...]


@dataclass(slots=True)
class _Pending:
    """A node still to check, and the object and key its checked copy goes to."""

    node: Any
    key: str
    parent: dict[str, Any]
    name: str


def validate_flow(
    flow: object, path: str = "flow"
) -> tuple[dict[str, Any] | None, ErrorMap]:
    """Check a flow tree at every depth and return it with defaults, and the errors.

    `path` is the Kazoo key of `flow` itself, already escaped. See the module
    docstring for the full contract.
    """
    errors: ErrorMap = {}
    root: dict[str, Any] = {}
    pending = [_Pending(flow, path, root, "flow")]
    while pending:
        item = pending.pop()
        item.parent[item.name] = _check_node(item.node, item.key, errors, pending)
    if errors:
        return None, errors
    checked: dict[str, Any] = root["flow"]
    return checked, errors


def escape_key(key: str) -> str:
    """Escape one path part as Kazoo does: a dot inside it becomes `%2E`."""
    return key.replace(".", "%2E")


def _check_node(node: Any, key: str, errors: ErrorMap, pending: list[_Pending]) -> Any:
    """Check one node, queue its children and return its checked copy."""
    if not isinstance(node, dict):
        merge_errors(errors, {key: {"type": _type_body(["object"], node)}})
        return node

    payload = {name: value for name, value in node.items() if name != "children"}
    payload.setdefault("data", {})
    model = _node_model(payload.get("module"), key, errors)
    checked = _check_payload(model, payload, key, errors)

    children = node.get("children", {})
    if not isinstance(children, dict):
        merge_errors(
            errors, {f"{key}.children": {"type": _type_body(["object"], children)}}
        )
        checked["children"] = children
        return checked
    checked["children"] = dict(children)
    for name, child in children.items():
        if CHILD_KEY.search(name):
            child_key = f"{key}.children.{escape_key(name)}"
            pending.append(_Pending(child, child_key, checked["children"], name))
    return checked


def _node_model(module: Any, key: str, errors: ErrorMap) -> type[BaseModel]:
    """Return the model to check a node with: its module's, or the generic node.

    Reports a missing, mistyped, too short or too long `module` with the rules of
    the generic node model, and a module that no schema defines.
    """
    model = FLOW_NODES.get(module) if isinstance(module, str) else None
    if model is not None:
        return model

    probe = {} if module is None else {"module": module}
    try:
        CallflowsAction.model_validate_json(json.dumps(probe), strict=True)
    except ValidationError as exc:
        merge_errors(errors, _translate(exc, CallflowsAction, probe, key))
    if isinstance(module, str):
        message = MSG_UNKNOWN_MODULE.format(module=module)
        merge_errors(errors, {f"{key}.module": {"error": _error_body(message, module)}})
    return CallflowsAction


def _check_payload(
    model: type[BaseModel], payload: dict[str, Any], key: str, errors: ErrorMap
) -> dict[str, Any]:
    """Check a node without its children and return it converted, defaults filled."""
    if model is CallflowsAction:
        # No module schema: only the shape of `data` can be checked.
        data = payload["data"]
        if not isinstance(data, dict):
            merge_errors(
                errors, {f"{key}.data": {"type": _type_body(["object"], data)}}
            )
        return payload

    fixed: dict[str, Any] = _fix_types(model, payload)
    try:
        instance = model.model_validate_json(json.dumps(fixed), strict=True)
    except ValidationError as exc:
        merge_errors(errors, _translate(exc, model, fixed, key))
        return fixed
    return fill_defaults(instance, fixed)


# Kazoo's type conversion ------------------------------------------------------------


def _fix_types(annotation: Any, value: Any) -> Any:
    """Convert strings where the annotation wants an integer or a boolean, deeply."""
    kind = _unwrap(annotation)
    if kind is bool:
        return BOOLEAN_TEXT.get(value, value) if isinstance(value, str) else value
    if kind is int:
        if isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
            return int(value)
        return value
    if (
        isinstance(kind, type)
        and issubclass(kind, BaseModel)
        and isinstance(value, dict)
    ):
        fields = _fields_by_key(kind)
        return {
            name: _fix_types(fields[name], item) if name in fields else item
            for name, item in value.items()
        }
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list and args and isinstance(value, list):
        return [_fix_types(args[0], item) for item in value]
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return {name: _fix_types(args[1], item) for name, item in value.items()}
    return value


def _fields_by_key(model: type[BaseModel]) -> dict[str, Any]:
    """Return a model's field annotations keyed by their JSON key (the alias)."""
    return {
        field.alias or name: field.annotation
        for name, field in model.model_fields.items()
    }


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, type aliases and `| None` down to the value's type.

    A union of several types is returned as it is: Kazoo converts only where the
    schema names exactly one type.
    """
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        elif isinstance(annotation, TypeAliasType):
            annotation = annotation.__value__
        else:
            return annotation


# Defaults ----------------------------------------------------------------------------


def fill_defaults(instance: BaseModel, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return `raw` with the defaults of the fields it lacks, at every depth.

    Keys keep their order and values their sent form, and keys the model does not
    declare are kept. Fields whose default is None (no schema default) stay out.
    """
    filled = dict(raw)
    for name, field in type(instance).model_fields.items():
        key = field.alias or name
        value = getattr(instance, name)
        if key in raw:
            filled[key] = _fill_value(value, raw[key])
        elif value is not None:
            filled[key] = _to_json(value)
    return filled


def _fill_value(value: Any, raw: Any) -> Any:
    if isinstance(value, BaseModel) and isinstance(raw, dict):
        return fill_defaults(value, raw)
    if isinstance(value, dict) and isinstance(raw, dict):
        return {
            k: _fill_value(value[k], v) if k in value else v for k, v in raw.items()
        }
    if isinstance(value, list) and isinstance(raw, list) and len(value) == len(raw):
        return [_fill_value(v, r) for v, r in zip(value, raw, strict=True)]
    return raw


def _to_json(value: Any) -> Any:
    """Convert a validated default to plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Enum):
        return _to_json(value.value)
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


# Kazoo's error shape --------------------------------------------------------------


def _translate(
    exc: ValidationError, model: type[BaseModel], document: Any, key: str
) -> ErrorMap:
    """Turn a node's pydantic errors into Kazoo's error map under the node's key.

    Several wrong-type errors at one path (one per member of a union type) become
    one `type` error that lists every type.
    """
    grouped: dict[DataPath, list[ErrorDetails]] = {}
    for error in exc.errors():
        grouped.setdefault(data_path(error, document), []).append(error)

    errors: ErrorMap = {}
    for path, found in grouped.items():
        full_key = ".".join([key, *(escape_key(str(part)) for part in path)])
        types_ = [TYPE_NAMES[e["type"]] for e in found if e["type"] in TYPE_NAMES]
        if len(types_) == len(found):
            rules = {"type": _type_body(types_, found[0]["input"])}
        else:
            rules = dict(_rule(error, path, model) for error in found)
        merge_errors(errors, {full_key: rules})
    return errors


def data_path(error: ErrorDetails, document: Any) -> DataPath:
    """Return the part of a pydantic error location that addresses the data.

    Pydantic adds labels such as union member names and `[key]`, and walking the
    document separates them from keys. The missing key of a `missing` error is
    kept.
    """
    loc = error["loc"]
    path: list[str | int] = []
    current: Any = document
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int):
            current = current[part] if 0 <= part < len(current) else None
        elif last and error["type"] == "missing":
            current = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _rule(
    error: ErrorDetails, path: DataPath, model: type[BaseModel]
) -> tuple[str, Any]:
    """Return Kazoo's rule name and error body for one pydantic error."""
    kind, value, ctx = error["type"], error["input"], error.get("ctx") or {}
    if kind == "missing":
        return "required", {"message": MSG_REQUIRED, "value": path[-1] if path else ""}
    if kind in TYPE_NAMES:
        return "type", _type_body([TYPE_NAMES[kind]], value)
    if kind in ("enum", "literal_error"):
        target = enum_values(model, path)
        return "enum", {"message": MSG_NOT_IN_ENUM, "target": target, "value": value}
    if kind in _LIMIT_RULES:
        rule, context_key, message = _LIMIT_RULES[kind]
        limit = ctx[context_key]
        body = {"message": message.format(limit=limit), "target": limit}
        if rule in ("minLength", "maxLength"):
            body["cause"] = value
        return rule, {**body, "value": value}
    if kind == "string_pattern_mismatch":
        pattern = ctx["pattern"]
        message = f"Failed to match pattern '{pattern}'"
        return "pattern", {"message": message, "target": pattern, "value": value}
    return kind, {"message": error["msg"], "value": value}


# Pydantic error type → Kazoo rule, the error context key of the limit, message.
_LIMIT_RULES = {
    "string_too_short": (
        "minLength",
        "min_length",
        "String must be at least {limit} characters",
    ),
    "string_too_long": (
        "maxLength",
        "max_length",
        "String must not be more than {limit} characters",
    ),
    "too_short": (
        "minItems",
        "min_length",
        "The list must have at least {limit} items",
    ),
    "too_long": ("maxItems", "max_length", "The list is more than {limit} items"),
    "greater_than_equal": ("minimum", "ge", "Value must be at least {limit}"),
    "greater_than": ("minimum", "gt", "Value must be at least {limit}"),
    "less_than_equal": ("maximum", "le", "Value must be at most {limit}"),
    "less_than": ("maximum", "lt", "Value must be at most {limit}"),
}


def enum_values(model: type[BaseModel], path: DataPath) -> list[Any]:
    """Return the allowed values of the enum or literal field at `path` of `model`."""
    annotation: Any = model
    for part in path:
        annotation = _child_annotation(_unwrap(annotation), part)
        if annotation is None:
            return []
    kind = _unwrap(annotation)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return [member.value for member in kind]
    if typing.get_origin(kind) is typing.Literal:
        return list(typing.get_args(kind))
    return []


def _child_annotation(annotation: Any, part: str | int) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _fields_by_key(annotation).get(str(part))
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _type_body(types_: list[str], value: Any) -> dict[str, Any]:
    """Return Kazoo's `type` error body, whose target is a list for several types.

    NOTE: the list form of `target` for several types is inferred, not taken
    from a Kazoo response.
    """
    target: str | list[str] = types_[0] if len(types_) == 1 else types_
    message = f"Value did not match type(s): {', '.join(types_)}"
    return {"message": message, "target": target, "value": value}


def _error_body(message: str, value: Any) -> dict[str, Any]:
    return {"message": message, "value": value}
