"""Callflow validation with the generated models, reported in Kazoo's error shape.

Kazoo 4.3 runs these checks in order and reports every failure at once. First
the numbers are normalised to E.164. At least one number or pattern must be set,
and the normalised numbers must be distinct. Then the document must match the
`callflows` schema. The store adds the per-account uniqueness check.

A passing document gets the schema's defaults filled in, at every depth and per
flow module, and string-typed numbers and booleans converted, as Kazoo stores
them. Keys the schema does not know are kept. `mock_server.flows` checks the flow
tree node by node; the generated request model checks everything else.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from mock_server.documents import writable_fields
from mock_server.errors import (
    MSG_NOT_UNIQUE_ITEMS,
    MSG_NUMBERS_OR_PATTERNS,
    ErrorMap,
    merge_errors,
)
from mock_server.flows import validate_flow
from mock_server.numbers import duplicate_items, normalize_numbers
from mock_server.schema_errors import translate_errors, type_error


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

    # The flow tree is checked node by node with each module's data model, which
    # follows Kazoo's string conversions more closely than the whole-document model.
    flow_errors: ErrorMap = {}
    candidate = document
    if "flow" in document:
        checked_flow, flow_errors = validate_flow(document["flow"])
        if checked_flow is not None:
            candidate = {**document, "flow": checked_flow}
    try:
        instance = model.model_validate(candidate)
    except ValidationError as exc:
        schema_errors = translate_errors(exc, candidate, model)
        if "flow" in document:
            schema_errors = {k: v for k, v in schema_errors.items() if not _in_flow(k)}
        merge_errors(errors, schema_errors)
        merge_errors(errors, flow_errors)
        return document, errors
    merge_errors(errors, flow_errors)
    if errors:
        return document, errors
    return fill_defaults(instance, candidate), errors


def _in_flow(key: str) -> bool:
    return key == "flow" or key.startswith("flow.")


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0


def fill_defaults(instance: BaseModel, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return `raw` with the schema defaults of absent fields and coerced scalars.

    The raw document keeps its key order and unknown keys; only declared fields
    that it lacks gain their default, at every depth of the model.
    """
    filled = dict(raw)
    for name, field in type(instance).model_fields.items():
        key = field.alias or name
        value = getattr(instance, name)
        if key in raw:
            filled[key] = _fill_value(value, raw[key])
        elif value is not None:
            filled[key] = to_json(value)
    return filled


def _fill_value(value: Any, raw: Any) -> Any:
    if isinstance(value, RootModel):
        return _fill_value(value.root, raw)
    if isinstance(value, BaseModel) and isinstance(raw, dict):
        return fill_defaults(value, raw)
    if isinstance(value, dict) and isinstance(raw, dict):
        return {
            k: _fill_value(value[k], v) if k in value else v for k, v in raw.items()
        }
    if isinstance(value, list) and isinstance(raw, list) and len(value) == len(raw):
        return [_fill_value(v, r) for v, r in zip(value, raw, strict=True)]
    if isinstance(raw, str) and isinstance(value, bool | int | float):
        return value  # "20" where the schema wants an integer, as Kazoo fixes it
    return raw


def to_json(value: Any) -> Any:
    """Convert a validated default to plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
