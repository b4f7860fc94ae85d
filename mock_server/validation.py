"""Callflow validation with the generated models, reported in Kazoo's error shape.

Kazoo 4.3 runs these checks in order and reports every failure at once. First
the numbers are normalised to E.164. At least one number or pattern must be set,
and the normalised numbers must be distinct. Then the document must match the
`callflows` schema. The store adds the per-account uniqueness check.

A passing document gets the schema's defaults filled in, at every depth and per
flow module, and string-typed numbers and booleans converted, as Kazoo stores
them. Keys the schema does not know are kept. `mock_server.flows` checks the
node trees node by node: `flow`, and each metaflow node of `metaflow.numbers`
and `metaflow.patterns`. The generated request model checks everything else.

A key of `metaflow.numbers` that is not all digits, or an empty key of
`metaflow.patterns` or of a node's `children`, matches none of the schema's
`patternProperties`, so its value is stored unchecked. Kazoo 4.3's JSON schema
rejects such keys under `metaflow` (`additionalProperties: false`), but a doc
table cannot state that, and the spec derived from the tables does not.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from generated.flow_nodes import FLOW_DEFAULTS
from generated.models import Metaflows
from mock_server.defaults import fill_defaults
from mock_server.documents import writable_fields
from mock_server.errors import (
    MSG_NOT_UNIQUE_ITEMS,
    MSG_NUMBERS_OR_PATTERNS,
    ErrorMap,
    merge_errors,
)
from mock_server.flows import (
    escape_key,
    key_matches,
    node_payload,
    validate_flow,
    validate_metaflow,
)
from mock_server.numbers import duplicate_items, normalize_numbers
from mock_server.schema_errors import translate_errors, type_error

# The maps of metaflow nodes in a callflow's `metaflow` object.
METAFLOW_NODE_MAPS = ("numbers", "patterns")


def check_callflow(
    model: type[BaseModel] | None, data: Any
) -> tuple[dict[str, Any], ErrorMap]:
    """Validate callflow data; return the document to store and Kazoo's errors.

    The document is the data's writable public fields with numbers normalised and,
    when the schema passes, defaults filled in. Errors are empty when it is valid.
    """
    if not isinstance(data, dict):
        return {}, {"data": {"type": type_error("object", data)}}
    document = writable_fields(data)
    if "numbers" in document:
        document["numbers"] = normalize_numbers(document["numbers"])

    errors: ErrorMap = {}
    if not _non_empty_list(document.get("numbers")) and not _non_empty_list(
        document.get("patterns")
    ):
        errors["numbers"] = {"required": {"message": MSG_NUMBERS_OR_PATTERNS}}
    numbers = document.get("numbers")
    if isinstance(numbers, list) and duplicate_items(numbers):
        body = {"message": MSG_NOT_UNIQUE_ITEMS, "value": numbers}
        merge_errors(errors, {"numbers": {"uniqueItems": body}})
    if model is None:
        return document, errors

    # The node trees are checked node by node with each module's data model,
    # which follows Kazoo's string conversions more closely than the
    # whole-document model. The model then validates each tree's root without
    # its children, and its errors inside the trees are left out.
    trees = _check_trees(document)
    merge_errors(errors, trees.errors)
    try:
        instance = model.model_validate(trees.view)
    except ValidationError as exc:
        schema_errors = translate_errors(exc, trees.view, model)
        merge_errors(errors, trees.outside(schema_errors))
        return document, errors
    if errors:
        return document, errors
    return trees.restore(fill_defaults(instance, trees.view)), errors


@dataclass(slots=True)
class _Trees:
    """A callflow's node trees, checked, and the document the model validates."""

    view: dict[str, Any]
    """The document with each tree's root reduced to `node_payload`."""
    errors: ErrorMap = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    """Kazoo keys of the checked trees' roots."""
    checked: list[tuple[tuple[str, ...], Any]] = field(default_factory=list)
    """The location of each checked tree or map of trees, and its stored form."""

    def outside(self, errors: ErrorMap) -> ErrorMap:
        """Return the errors whose key lies in none of the checked trees."""
        return {
            key: rules
            for key, rules in errors.items()
            if not any(key == root or key.startswith(root + ".") for root in self.roots)
        }

    def restore(self, document: dict[str, Any]) -> dict[str, Any]:
        """Put the checked trees back into `document`, a copy of the view."""
        for location, value in self.checked:
            target = document
            for part in location[:-1]:
                target = target[part]
            target[location[-1]] = value
        return document


def _check_trees(document: dict[str, Any]) -> _Trees:
    """Check `flow` and the metaflow nodes of `document` node by node."""
    trees = _Trees(view=dict(document))
    if "flow" in document:
        trees.roots.append("flow")
        flow, found = validate_flow(_with_flow_defaults(document["flow"]))
        merge_errors(trees.errors, found)
        if flow is not None:
            trees.view["flow"] = node_payload(flow)
            trees.checked.append((("flow",), flow))

    metaflow = document.get("metaflow")
    if not isinstance(metaflow, dict):
        return trees
    view = trees.view["metaflow"] = dict(metaflow)
    for name in METAFLOW_NODE_MAPS:
        nodes = metaflow.get(name)
        if not isinstance(nodes, dict):
            continue
        stored, view[name] = dict(nodes), {}
        for key, node in nodes.items():
            if not key_matches(Metaflows, name, key):
                continue  # kept unchecked, and out of the model's view
            path = f"metaflow.{name}.{escape_key(key)}"
            trees.roots.append(path)
            checked, found = validate_metaflow(node, path)
            merge_errors(trees.errors, found)
            if checked is None:
                view[name][key] = node
            else:
                view[name][key] = node_payload(checked)
                stored[key] = checked
        trees.checked.append((("metaflow", name), stored))
    return trees


def _with_flow_defaults(flow: Any) -> Any:
    """Add the defaults that the spec gives the top-level flow node (`children`)."""
    if not isinstance(flow, dict):
        return flow
    missing = {k: v for k, v in FLOW_DEFAULTS.items() if k not in flow}
    return {**flow, **copy.deepcopy(missing)}


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0
