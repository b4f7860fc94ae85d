"""Schema defaults filled into a validated document, as Kazoo stores them.

Kazoo's validator inserts the default of every absent property that has one,
at every depth, and saves the document it validated. `fill_defaults` does the
same from a generated model instance, while keeping the sent document's key
order, its unknown keys and the exact values it sent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from pydantic import MISSING, BaseModel, RootModel


def fill_defaults(instance: BaseModel, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return `raw` with the defaults of the fields it lacks, at every depth.

    Keys keep their order and values their sent form, except strings that the
    model converted to a number or a boolean (`"20"` where the schema wants an
    integer), which are stored converted. Keys the model does not declare are
    kept. A field without a schema default (None or MISSING) stays out.
    """
    filled = dict(raw)
    for name, field in type(instance).model_fields.items():
        key = field.alias or name
        value = getattr(instance, name)
        if key in raw:
            filled[key] = _fill_value(value, raw[key])
        elif value is not None and value is not MISSING:
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
        return value
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
