"""Rules on schemas: enum types, defaults and examples, pattern properties.

Defaults and examples are validated with openapi-schema-validator's OAS 3.0 or
3.1 validator. Every loaded file is registered under its `file://` URI, so a
schema is checked through `{"$ref": "<file URI>#<pointer>"}` and its own
references, recursive ones included, resolve exactly as they do in the spec.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from generator.lint.findings import Finding, Location, Reporter
from generator.lint.loader import SpecFiles, YamlFile, join_pointer
from generator.lint.walk import Node, SpecIndex

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
_MAX_SHOWN = 10

# The rules that validate values against their schema.
VALUE_RULES = ("default-invalid", "example-invalid")


def json_type(value: Any) -> str:
    """Return the JSON type name of a decoded value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _matches_type(value: Any, types: list[str], version: str) -> bool:
    for name in types:
        if isinstance(value, bool) and name not in ("boolean",):
            continue
        if isinstance(value, _JSON_TYPES.get(name, ())):
            return True
        # JSON Schema 2020-12 counts 1.0 as an integer; draft 4 (OpenAPI 3.0) does not.
        is_float = isinstance(value, float)
        if name == "integer" and version == "3.1" and is_float and value.is_integer():
            return True
    return False


def _declared_types(schema: dict[str, Any], version: str) -> list[str]:
    declared = schema.get("type")
    # A `type` that is neither a string nor a list is an `oas-structure` finding.
    types = [declared] if isinstance(declared, str) else []
    if isinstance(declared, list):
        types = declared.copy()
    if version == "3.0" and schema.get("nullable") is True:
        types.append("null")
    return [name for name in types if isinstance(name, str)]


def _shorten(value: Any) -> str:
    """Return the value as compact JSON, cut to 60 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_enum_types(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report enum values whose JSON type the schema's `type` does not allow."""
    version = index.spec.version
    for node in index.schemas:
        enum = node.value.get("enum")
        types = _declared_types(node.value, version)
        if not isinstance(enum, list) or not types:
            continue
        wrong = [
            (number, value)
            for number, value in enumerate(enum)
            if not _matches_type(value, types, version)
        ]
        if not wrong:
            continue
        listed = ", ".join(_shorten(value) for _, value in wrong[:_MAX_SHOWN])
        if len(wrong) > _MAX_SHOWN:
            listed += f" and {len(wrong) - _MAX_SHOWN} more"
        kinds = " or ".join(sorted({json_type(value) for _, value in wrong}))
        hint = " (quote them)" if types == ["string"] else ""
        yield reporter.finding(
            "enum-type-mismatch",
            Location.of(node.file, node.child("enum", wrong[0][0])),
            f"enum value{'s' if len(wrong) > 1 else ''} {listed} "
            f"{'are' if len(wrong) > 1 else 'is'} {kinds}, but the schema's type is "
            f"{' or '.join(map(repr, types))}; change the values to that type{hint} "
            "or change the type",
        )


def has_values(index: SpecIndex) -> bool:
    """Return whether the spec has a default or an example to validate."""
    if index.examples:
        return True
    keywords = ("default", "example", "examples")
    return any(keyword in node.value for node in index.schemas for keyword in keywords)


class _InstanceChecker:
    """Validate values against schemas of the spec by file URI and pointer.

    openapi-schema-validator and the registry are set up at the first value, so
    a spec without defaults or examples never imports them: the import alone
    takes about 0.2 s, most of it pydantic-settings.
    """

    def __init__(self, spec: SpecFiles) -> None:
        # Not the spec itself: `_checkers` holds checkers by weak reference to it.
        self._version = spec.version
        self._documents = [(file.uri, file.data) for file in spec.files.values()]
        self._validator_class: Any = None
        self._registry: Any = None
        self._skipped_errors: tuple[type[Exception], ...] = ()

    def _set_up(self) -> None:
        from jsonschema.exceptions import UnknownType  # type: ignore[import-untyped]
        from openapi_schema_validator import OAS30Validator, OAS31Validator
        from referencing import Registry
        from referencing.exceptions import Unresolvable
        from referencing.jsonschema import DRAFT4, DRAFT202012

        version = self._version
        self._validator_class = OAS31Validator if version == "3.1" else OAS30Validator
        draft = DRAFT202012 if version == "3.1" else DRAFT4
        self._registry = Registry().with_resources(
            (uri, draft.create_resource(data)) for uri, data in self._documents
        )
        # A broken reference, pattern or type is another rule's finding.
        self._skipped_errors = (Unresolvable, UnknownType, re.error, RecursionError)

    def first_error(self, schema: Node, value: Any) -> Any:
        """Return the first error of the value against the schema, or None."""
        if self._validator_class is None:
            self._set_up()
        reference = {"$ref": f"{schema.file.uri}#{schema.pointer}"}
        validator = self._validator_class(reference, registry=self._registry)
        try:
            return next(iter(validator.iter_errors(value)), None)
        except self._skipped_errors:
            return None


# One checker per spec, shared by the default and example rules.
_checkers: WeakKeyDictionary[SpecFiles, _InstanceChecker] = WeakKeyDictionary()


def _checker(spec: SpecFiles) -> _InstanceChecker:
    if spec not in _checkers:
        _checkers[spec] = _InstanceChecker(spec)
    return _checkers[spec]


def _describe_error(error: Any) -> str:
    where = "".join(f"[{step!r}]" for step in error.absolute_path)
    return f"{error.message}" + (f" at {where}" if where else "")


def _value_finding(
    reporter: Reporter,
    rule_id: str,
    file: YamlFile,
    pointer: str,
    kind: str,
    value: Any,
    error: Any,
) -> Finding:
    return reporter.finding(
        rule_id,
        Location.of(file, pointer),
        f"{kind} {_shorten(value)} fails its schema: {_describe_error(error)}; "
        f"change the {kind} or the schema",
    )


def check_defaults(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report defaults that fail the schema they belong to."""
    checker = _checker(index.spec)
    for node in index.schemas:
        if "default" not in node.value:
            continue
        value = node.value["default"]
        if value is None and node.value.get("nullable") is True:
            continue
        error = checker.first_error(node, value)
        if error is not None:
            yield _value_finding(
                reporter,
                "default-invalid",
                node.file,
                node.child("default"),
                "default",
                value,
                error,
            )


def check_examples(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report schema, parameter and media-type examples that fail their schema."""
    checker = _checker(index.spec)
    for node in index.schemas:
        if "example" in node.value:
            error = checker.first_error(node, node.value["example"])
            if error is not None:
                yield _value_finding(
                    reporter,
                    "example-invalid",
                    node.file,
                    node.child("example"),
                    "example",
                    node.value["example"],
                    error,
                )
        examples = node.value.get("examples")
        if index.spec.version == "3.1" and isinstance(examples, list):
            for number, value in enumerate(examples):
                error = checker.first_error(node, value)
                if error is not None:
                    yield _value_finding(
                        reporter,
                        "example-invalid",
                        node.file,
                        node.child("examples", number),
                        "example",
                        value,
                        error,
                    )
    for site in index.examples:
        error = checker.first_error(site.schema, site.value)
        if error is not None:
            yield _value_finding(
                reporter,
                "example-invalid",
                site.file,
                site.pointer,
                "example",
                site.value,
                error,
            )


def check_pattern_properties(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report `patternProperties` and `x-patternProperties` in a 3.0 document."""
    if index.spec.version != "3.0":
        return
    for node in index.schemas:
        if "patternProperties" in node.value:
            patterns = ", ".join(map(repr, node.value["patternProperties"] or {}))
            yield reporter.finding(
                "pattern-properties-oas30",
                Location.of(node.file, node.child("patternProperties")),
                f"patternProperties ({patterns}) is not a keyword of OpenAPI 3.0 "
                "schemas; move the document to OpenAPI 3.1, where it is, or describe "
                "the keys with additionalProperties",
            )
        if "x-patternProperties" in node.value:
            patterns = ", ".join(map(repr, node.value["x-patternProperties"] or {}))
            yield reporter.finding(
                "x-pattern-properties",
                Location.of(
                    node.file, join_pointer(node.pointer, "x-patternProperties")
                ),
                f"x-patternProperties ({patterns}) is an extension that validators "
                "ignore, so keys matching it are not checked; move the document to "
                "OpenAPI 3.1 and use patternProperties",
            )
