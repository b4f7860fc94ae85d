"""Structural validation of the bundled document with openapi-spec-validator.

openapi-spec-validator runs in two passes: the OpenAPI meta-schema over the whole
document, whose errors carry a path, and its own keyword checks, whose errors
carry only a message. Keyword errors that a rule of this linter reports with a
precise location (duplicate operationIds, path parameters, invalid defaults) are
left to that rule.

Only the meta-schema pass runs. A valid document is checked the way
openapi-spec-validator's jsonschema-rs backend checks it, with its own schema
file, but without importing openapi-spec-validator, whose settings pull in
pydantic-settings (about 0.2 s). Only an invalid document imports it, for the
errors of its jsonschema backend.
"""

from __future__ import annotations

import importlib.util
import json
import os
import reprlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from generator.lint.bundle import Bundle
from generator.lint.findings import Finding, Location, Reporter

RULE_ID = "oas-structure"
_MAX_MESSAGE = 240
_short = reprlib.Repr()
_short.maxstring = 40
_short.maxother = 40
_short.maxdict = 3
_short.maxlist = 3


# openapi-spec-validator's setting that picks its backend: auto, jsonschema or
# jsonschema-rs.
_BACKEND_VARIABLE = "OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND"


def _schema_path(version: str) -> Path:
    """Return the path of openapi-spec-validator's OpenAPI JSON Schema file.

    `find_spec` locates the installed package without running its `__init__`.
    """
    package = importlib.util.find_spec("openapi_spec_validator")
    if package is None or not package.submodule_search_locations:
        raise ModuleNotFoundError("openapi-spec-validator is not installed")
    folder = Path(package.submodule_search_locations[0])
    return folder / "resources" / "schemas" / f"v{version}" / "schema.json"


def _rust_validator(version: str) -> Any | None:
    """Return a jsonschema-rs validator of the OpenAPI JSON Schema, if available.

    It is the validator that openapi-spec-validator's own jsonschema-rs backend
    builds from the same file. Return None when jsonschema-rs is not installed or
    the setting above selects the jsonschema backend.
    """
    if os.environ.get(_BACKEND_VARIABLE, "").strip().lower() == "jsonschema":
        return None
    try:
        import jsonschema_rs
    except ImportError:
        return None
    schema = json.loads(_schema_path(version).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_cls_for(schema)(schema)


def _is_valid(version: str, document: Any) -> bool:
    """Return whether the document passes the OpenAPI JSON Schema."""
    validator = _rust_validator(version)
    if validator is not None:
        return bool(validator.is_valid(document))
    return next(iter(_schema_validator(version).iter_errors(document)), None) is None


def _schema_validator(version: str) -> Any:
    """Return openapi-spec-validator's validator of the OpenAPI JSON Schema."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    spec_validator = (
        OpenAPIV31SpecValidator if version == "3.1" else OpenAPIV30SpecValidator
    )
    return spec_validator.schema_validator


def _detailed_errors(version: str, document: Any) -> list[Any]:
    """Validate again with the jsonschema backend and descend into `oneOf` failures.

    The jsonschema-rs backend, which openapi-spec-validator prefers when it is
    installed, reports a failing `oneOf` without the errors of its branches. The
    jsonschema backend keeps them, and `best_match` picks the most relevant one.
    """
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
    from openapi_spec_validator.schemas import schema_v30, schema_v31
    from openapi_spec_validator.schemas.backend.jsonschema import create_validator

    validator = create_validator(dict(schema_v31 if version == "3.1" else schema_v30))
    return [best_match([error]) for error in validator.iter_errors(document)]


def _value_at(document: Any, path: Sequence[Any]) -> Any:
    # jsonschema-rs gives a numeric mapping key such as "200" as an int.
    value = document
    for step in path:
        value = value[str(step)] if isinstance(value, dict) else value[int(step)]
    return value


def _message(error: Any, instance: Any) -> str:
    """Return the error's first line, with a long instance shown shortened."""
    # The jsonschema-rs backend appends the schema and the instance after a blank line.
    message = str(getattr(error, "message", error)).split("\n\n")[0]
    if len(message) <= _MAX_MESSAGE:
        return message
    serializations = (
        json.dumps(instance, separators=(",", ":"), ensure_ascii=False),
        json.dumps(instance, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
        repr(instance),
    )
    for serialized in serializations:
        if message.startswith(serialized):
            return _short.repr(instance) + message[len(serialized) :]
    return message[:_MAX_MESSAGE] + "…"


def _deepest(errors: list[Any]) -> list[Any]:
    """Drop errors on a value that contains another error's value.

    A nested value that fails `oneOf` makes every enclosing `oneOf` fail too; the
    innermost error is the one that points at the problem.
    """
    paths = [tuple(str(step) for step in error.absolute_path) for error in errors]
    enclosing = {path[:depth] for path in paths for depth in range(len(path))}
    return [
        error
        for error, path in zip(errors, paths, strict=True)
        if path not in enclosing
    ]


def iter_structure_findings(bundle: Bundle, reporter: Reporter) -> Iterator[Finding]:
    """Validate the bundle against openapi-spec-validator's OpenAPI 3.0 or 3.1 schema.

    A schema that prance inlined in several places fails in each of them; it is
    reported once, at its source.
    """
    version = bundle.spec.version
    if _is_valid(version, bundle.document):
        return
    seen: set[tuple[Location, str]] = set()
    for error in _deepest(_detailed_errors(version, bundle.document)):
        path = list(error.absolute_path)
        origin = bundle.locate(path)
        location = Location.of(origin.file, origin.pointer)
        message = _message(error, _value_at(bundle.document, path))
        if (location, message) in seen:
            continue
        seen.add((location, message))
        yield reporter.finding(
            RULE_ID,
            location,
            f"not a valid OpenAPI {version} document here: {message}; "
            "fix the value so it matches the OpenAPI specification",
        )
