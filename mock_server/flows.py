"""Validate callflow and metaflow node trees node by node, as Kazoo 4.3 does.

Contract for callers::

    flow, errors = validate_flow(document["flow"])        # path defaults to "flow"
    node, errors = validate_metaflow(node, "metaflow.numbers.1")

- The tree may be any decoded JSON value. It is never modified.
- `errors` is Kazoo's validation-error map, `{key: {rule: body}}`, and is empty
  when the whole tree is valid. A key is the dotted JSON path from the callflow
  document's root: `path`, then `children`, the child's key, and so on. A dot
  inside a child key is written `%2E`, array indexes count from 0.
- The returned tree is None when there are errors. Otherwise it is a new tree:
  the input with each module's schema defaults filled in at every node and in
  every nested object of `data`, strings converted where Kazoo converts them
  (below), and every other key exactly as sent. A node without `data` gets the
  node schema's default `{}`. `children` stays absent where it was not sent,
  because the node schemas give it no default.

Each node must be an object whose `module` is a string of 1 to 64 characters
that names a module of its kind: `generated.flow_nodes.FLOW_NODES` for callflow
nodes, `METAFLOW_NODES` for metaflow nodes. Its `data` is checked with that
module's generated model, and its children are checked the same way at any
depth, so one call reports every error in the tree. A child whose key the node
schema's `children` patternProperties do not match (the empty key) is kept
unchecked. An unknown module is reported as `{"flow.module": {"error":
{"message": "unable to find callflow schema for module foo", "value": "foo"}}}`
(`metaflow schema` for a metaflow node), and its node's `data` is not checked.
A flow inside a metaflow node's `data` (the `callflow` module) is checked by
that module's model, with the same conversions, defaults and error keys.

Type conversion: Kazoo 4.3 runs with `crossbar.schema_strict_validation` false by
default, so where the schema wants an integer or a boolean it converts a string
and validates again (`cb_context:maybe_fix_js_types`). This module
converts strings of decimal digits with an optional sign to integers and
`"true"`/`"false"` to booleans, then validates strictly. The stored value is the
converted one, because Kazoo saves the document it validated after converting,
so clients that read a ring group's endpoint `timeout` back get the integer 20
for the `"20"` they sent. NOTE: Kazoo's own conversion functions may accept more
string forms, such as decimals; those are rejected here as type errors.

`generated.models.Callflows` types `flow` and the metaflow nodes by module as
well, so validating a whole callflow with it reports node errors a second time,
in pydantic's terms (`union_tag_invalid` for an unknown module) and after
pydantic's looser conversions. `mock_server.validation` takes the nodes' errors
and stored form from this module and the other fields' from the model.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import MISSING, BaseModel, TypeAdapter, ValidationError

from generated.flow_nodes import FLOW_NODES, METAFLOW_NODES
from generated.models import CallflowsAction, Metaflow
from mock_server.defaults import fill_defaults
from mock_server.errors import ErrorMap, merge_errors
from mock_server.schema_errors import (
    MSG_UNKNOWN_MODULE,
    translate_errors,
    type_error,
    unwrap_annotation,
)

INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
BOOLEAN_TEXT = {"true": True, "false": False}
CHILDREN = "children"


@dataclass(frozen=True, slots=True)
class NodeKind:
    """A kind of node tree: its shared node model and its node models by module."""

    name: str
    """The word Kazoo's messages use: `callflow` or `metaflow`."""
    base: type[BaseModel]
    """The node schema every module's node model extends."""
    models: Mapping[str, type[BaseModel]]


CALLFLOW_NODE = NodeKind("callflow", CallflowsAction, FLOW_NODES)
METAFLOW_NODE = NodeKind("metaflow", Metaflow, METAFLOW_NODES)


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
    """Check a callflow node tree at every depth; return it with defaults, and errors.

    `path` is the Kazoo key of `flow` itself, already escaped. See the module
    docstring for the full contract.
    """
    return validate_tree(flow, path, CALLFLOW_NODE)


def validate_metaflow(
    node: object, path: str
) -> tuple[dict[str, Any] | None, ErrorMap]:
    """Check a metaflow node tree at every depth, as `validate_flow` does."""
    return validate_tree(node, path, METAFLOW_NODE)


def validate_tree(
    tree: object, path: str, kind: NodeKind
) -> tuple[dict[str, Any] | None, ErrorMap]:
    """Check a node tree of `kind` whose root has the Kazoo key `path`."""
    errors: ErrorMap = {}
    root: dict[str, Any] = {}
    pending = [_Pending(tree, path, root, "tree")]
    while pending:
        item = pending.pop()
        checked = _check_node(item.node, item.key, kind, errors, pending)
        item.parent[item.name] = checked
    if errors:
        return None, errors
    result: dict[str, Any] = root["tree"]
    return result, errors


def escape_key(key: str) -> str:
    """Escape one path part as Kazoo does: a dot inside it becomes `%2E`."""
    return key.replace(".", "%2E")


def key_matches(model: type[BaseModel], field: str, key: str) -> bool:
    """Return whether `key` is a key that the map field `field` of `model` checks.

    The field is a `dict` whose key type carries the schema's patternProperties
    pattern (`children`, `metaflows.numbers`). Another key is left unchecked, as
    JSON Schema leaves it. The key type's own validator decides, so the result
    always agrees with the model.
    """
    try:
        _key_adapter(model, field).validate_python(key)
    except ValidationError:
        return False
    return True


@functools.cache
def _key_adapter(model: type[BaseModel], field: str) -> TypeAdapter[Any]:
    namespace = vars(sys.modules[model.__module__])
    mapping = unwrap_annotation(model.model_fields[field].annotation, namespace)
    key_type, _ = typing.get_args(mapping)
    return TypeAdapter(key_type)


def node_payload(node: Mapping[str, Any]) -> dict[str, Any]:
    """Return a node without its `children`: what its node model checks."""
    return {name: value for name, value in node.items() if name != CHILDREN}


def _check_node(
    node: Any, key: str, kind: NodeKind, errors: ErrorMap, pending: list[_Pending]
) -> Any:
    """Check one node, queue its children and return its checked copy."""
    if not isinstance(node, dict):
        merge_errors(errors, {key: {"type": type_error("object", node)}})
        return node

    payload = node_payload(node)
    payload.update(_node_defaults(kind.base, payload))
    model = _node_model(payload.get("module"), key, kind, errors)
    checked = _check_payload(model, kind, payload, key, errors)
    if CHILDREN not in node:
        return checked

    children = node[CHILDREN]
    if not isinstance(children, dict):
        error = type_error("object", children)
        merge_errors(errors, {f"{key}.{CHILDREN}": {"type": error}})
        checked[CHILDREN] = children
        return checked
    checked[CHILDREN] = dict(children)
    for name, child in children.items():
        if key_matches(kind.base, CHILDREN, name):
            child_key = f"{key}.{CHILDREN}.{escape_key(name)}"
            pending.append(_Pending(child, child_key, checked[CHILDREN], name))
    return checked


def _node_defaults(base: type[BaseModel], payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the node schema's defaults for fields that `payload` lacks (`data`)."""
    defaults = {}
    for name, field in base.model_fields.items():
        key = field.alias or name
        if key == CHILDREN or key in payload or field.is_required():
            continue
        value = field.get_default(call_default_factory=True)
        if value is not MISSING and value is not None:
            defaults[key] = json.loads(json.dumps(value))  # a fresh copy
    return defaults


def _node_model(
    module: Any, key: str, kind: NodeKind, errors: ErrorMap
) -> type[BaseModel]:
    """Return the model to check a node with: its module's, or the shared node's.

    Reports a missing, mistyped, too short or too long `module` with the rules of
    the shared node model, and a module that no schema defines.
    """
    model = kind.models.get(module) if isinstance(module, str) else None
    if model is not None:
        return model

    probe = {} if module is None else {"module": module}
    try:
        kind.base.model_validate_json(json.dumps(probe), strict=True)
    except ValidationError as exc:
        merge_errors(errors, translate_errors(exc, probe, kind.base, key))
    if isinstance(module, str):
        message = MSG_UNKNOWN_MODULE.format(kind=kind.name, module=module)
        body = {"message": message, "value": module}
        merge_errors(errors, {f"{key}.module": {"error": body}})
    return kind.base


def _check_payload(
    model: type[BaseModel],
    kind: NodeKind,
    payload: dict[str, Any],
    key: str,
    errors: ErrorMap,
) -> dict[str, Any]:
    """Check a node without its children and return it converted, defaults filled."""
    if model is kind.base:
        # No module schema: only the shape of `data` can be checked.
        data = payload.get("data")
        if not isinstance(data, dict):
            error = type_error("object", data)
            merge_errors(errors, {f"{key}.data": {"type": error}})
        return payload

    fixed: dict[str, Any] = _fix_types(model, payload)
    try:
        instance = model.model_validate_json(json.dumps(fixed), strict=True)
    except ValidationError as exc:
        merge_errors(errors, translate_errors(exc, fixed, model, key))
        return fixed
    return fill_defaults(instance, fixed)


# Kazoo's type conversion ------------------------------------------------------------


def _fix_types(annotation: Any, value: Any) -> Any:
    """Convert strings where the annotation wants an integer or a boolean, deeply.

    A union of several types is left alone, because Kazoo converts only where
    the schema names exactly one type, except a union of node models tagged by
    `module`, whose member the value's own `module` selects.
    """
    namespace = vars(sys.modules[CallflowsAction.__module__])
    kind = unwrap_annotation(annotation, namespace)
    if kind is bool:
        return BOOLEAN_TEXT.get(value, value) if isinstance(value, str) else value
    if kind is int:
        if isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
            return int(value)
        return value
    if not isinstance(value, dict | list):
        return value

    is_model = isinstance(kind, type) and issubclass(kind, BaseModel)
    if is_model and isinstance(value, dict):
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
    if origin in (typing.Union, types.UnionType) and isinstance(value, dict):
        member = _tagged_member(args, value, namespace)
        return value if member is None else _fix_types(member, value)
    return value


def _fields_by_key(model: type[BaseModel]) -> dict[str, Any]:
    """Return a model's field annotations keyed by their JSON key (the alias)."""
    return {
        field.alias or name: field.annotation
        for name, field in model.model_fields.items()
    }


def _tagged_member(
    members: tuple[Any, ...], value: Mapping[str, Any], namespace: Mapping[str, Any]
) -> type[BaseModel] | None:
    """Return the node model among `members` whose `module` literal is the value's."""
    module = value.get("module")
    for member in members:
        model = unwrap_annotation(member, namespace)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get("module")
        if field is None:
            continue
        literal = unwrap_annotation(field.annotation, namespace)
        is_literal = typing.get_origin(literal) is typing.Literal
        if is_literal and module in typing.get_args(literal):
            return model
    return None
