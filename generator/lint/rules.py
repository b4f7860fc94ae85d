"""Rules on references, YAML keys and operations.

Each `check_*` function yields findings for one rule, or for a pair of rules that
share their work. Messages name the offending value and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.lint.findings import Finding, Location, Reporter
from generator.lint.loader import SpecFiles
from generator.lint.walk import Node, Operation, SpecIndex

_TEMPLATE_PARAMETER = re.compile(r"\{([^{}]+)\}")
_NO_CONTENT = frozenset({"204", "205", "304"})
_WRITE_METHODS = frozenset({"put", "post", "patch"})


def describe(operation: Operation) -> str:
    """Return 'GET /path' for messages; webhooks and callbacks give their pointer."""
    where = operation.template or operation.node.pointer
    return f"{operation.method.upper()} {where}"


def check_refs(spec: SpecFiles, reporter: Reporter) -> Iterator[Finding]:
    """Report each `$ref` that resolves to nothing (`ref-unresolvable`)."""
    for file, site, reason in spec.unresolvable_refs():
        yield reporter.finding(
            "ref-unresolvable",
            Location.of(file, site.pointer),
            f"$ref {site.ref!r} cannot be resolved: {reason}; fix the file path or "
            "the JSON pointer after '#'",
        )


def check_yaml_keys(spec: SpecFiles, reporter: Reporter) -> Iterator[Finding]:
    """Report keys that YAML reads as numbers, booleans or null."""
    for file in spec.files.values():
        for key in file.non_string_keys:
            yield reporter.finding(
                "yaml-key-not-string",
                Location.of(file, key.pointer),
                f"key {key.key!r} is a YAML {type(key.key).__name__}, not a string; "
                f"quote it ('{key.key}') so YAML and JSON readers see the same key",
            )


def check_operation_fields(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report operations without operationId, summary or tags."""
    for operation in index.operations:
        node = operation.node
        location = Location.of(node.file, node.pointer)
        name = describe(operation)
        if not node.value.get("operationId"):
            yield reporter.finding(
                "operation-id-missing",
                location,
                f"{name} has no operationId; add one, since code generators name "
                "the client method and the handler after it",
            )
        if not node.value.get("summary"):
            yield reporter.finding(
                "operation-summary-missing",
                location,
                f"{name} has no summary; add a one-line summary of what it does",
            )
        if not node.value.get("tags"):
            yield reporter.finding(
                "operation-tag-missing",
                location,
                f"{name} has no tags; add at least one tag to group it in docs "
                "and generated clients",
            )


def check_duplicate_ids(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report every operation whose operationId an earlier operation already has."""
    first: dict[str, Operation] = {}
    for operation in index.operations:
        operation_id = operation.node.value.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            continue
        if operation_id not in first:
            first[operation_id] = operation
            continue
        earlier = first[operation_id]
        where = Location.of(earlier.node.file, earlier.node.pointer)
        earlier_place = f"line {where.line}"
        if earlier.node.file is not operation.node.file:
            earlier_place = f"{where.display_path}:{where.line}"
        yield reporter.finding(
            "operation-id-duplicate",
            Location.of(operation.node.file, operation.node.child("operationId")),
            f"operationId {operation_id!r} of {describe(operation)} is already used "
            f"by {describe(earlier)} ({earlier_place}); "
            "give each operation its own",
        )


def _status_codes(operation: Operation) -> list[str]:
    responses = operation.node.value.get("responses")
    return [str(code) for code in responses] if isinstance(responses, dict) else []


def _has_schema(index: SpecIndex, response: Node) -> bool:
    content = response.value.get("content")
    if not isinstance(content, dict):
        return False
    for media_type, value in content.items():
        media = index.target(
            response.file, response.child("content", media_type), value
        )
        if media is not None and "schema" in media.value:
            return True
    return False


def check_responses(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report operations without a success-response schema or any 4xx response."""
    for operation in index.operations:
        node = operation.node
        codes = _status_codes(operation)
        yield from _check_success_schema(index, reporter, operation, codes)
        if not any(code.startswith("4") for code in codes):
            yield reporter.finding(
                "error-response-missing",
                Location.of(node.file, node.child("responses")),
                f"{describe(operation)} declares no 4xx response (it has "
                f"{', '.join(codes) or 'none'}); add the client errors it returns, "
                "such as 400 or 404, with their error body schema",
            )


def _check_success_schema(
    index: SpecIndex, reporter: Reporter, operation: Operation, codes: list[str]
) -> Iterator[Finding]:
    node = operation.node
    success = [code for code in codes if code.startswith("2")]
    if not success:
        yield reporter.finding(
            "success-response-schema-missing",
            Location.of(node.file, node.child("responses")),
            f"{describe(operation)} declares no 2xx response; add the success "
            "response with a content schema",
        )
        return
    needs_body = [code for code in success if code not in _NO_CONTENT]
    if operation.method == "head" or not needs_body:
        return
    responses = node.value["responses"]
    for code in needs_body:
        response = index.target(
            node.file, node.child("responses", code), responses[code]
        )
        if response is None or _has_schema(index, response):
            return
    yield reporter.finding(
        "success-response-schema-missing",
        Location.of(node.file, node.child("responses", needs_body[0])),
        f"{describe(operation)} response {needs_body[0]} has no content schema; add "
        "content with the schema of the body it returns",
    )


def check_path_parameters(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report template parameters without declaration and path parameters unused."""
    for operation in index.operations:
        if operation.template is None:
            continue
        in_template = _TEMPLATE_PARAMETER.findall(operation.template)
        declared = [use for use in operation.parameters if use.location == "path"]
        declared_names = {use.name for use in declared}
        for name in in_template:
            if name not in declared_names:
                node = operation.node
                yield reporter.finding(
                    "path-parameter-undeclared",
                    Location.of(node.file, node.pointer),
                    f"{describe(operation)} has {{{name}}} in its path but no path "
                    f"parameter {name!r}; declare it with in: path and required: true",
                )
        for use in declared:
            if use.name not in in_template:
                yield reporter.finding(
                    "path-parameter-unused",
                    Location.of(use.file, use.pointer),
                    f"{describe(operation)} declares path parameter {use.name!r}, "
                    f"which its path does not contain; remove it or add "
                    f"{{{use.name}}} to the path",
                )


def _is_envelope(index: SpecIndex, schema: Node, depth: int = 0) -> bool:
    properties = schema.value.get("properties")
    if isinstance(properties, dict) and "data" in properties:
        return True
    parts = schema.value.get("allOf")
    if depth > 8 or not isinstance(parts, list):
        return False
    for number, part in enumerate(parts):
        found = index.target(schema.file, schema.child("allOf", number), part)
        if found is not None and _is_envelope(index, found, depth + 1):
            return True
    return False


def _json_schemas(index: SpecIndex, body: Node) -> Iterator[tuple[str, Node, Any]]:
    content = body.value.get("content")
    for media_type, value in content.items() if isinstance(content, dict) else ():
        if not (media_type.startswith("application/json") or "+json" in media_type):
            continue
        media = index.target(body.file, body.child("content", media_type), value)
        if media is not None and "schema" in media.value:
            yield media_type, media, media.value["schema"]


def check_request_envelope(index: SpecIndex, reporter: Reporter) -> Iterator[Finding]:
    """Report write operations whose JSON body is not `{"data": …}`."""
    for operation in index.operations:
        node = operation.node
        if operation.method not in _WRITE_METHODS or "requestBody" not in node.value:
            continue
        body = index.target(
            node.file, node.child("requestBody"), node.value["requestBody"]
        )
        if body is None:
            continue
        for media_type, media, raw_schema in _json_schemas(index, body):
            schema = index.target(media.file, media.child("schema"), raw_schema)
            if schema is None or _is_envelope(index, schema):
                continue
            body_name = (
                raw_schema.get("$ref", "the inline schema")
                if isinstance(raw_schema, dict)
                else repr(raw_schema)
            )
            yield reporter.finding(
                "request-envelope-missing",
                Location.of(media.file, media.child("schema")),
                f"{describe(operation)} {media_type} body is {body_name}, not the "
                'crossbar envelope {"data": …}; make it an object whose "data" '
                "property holds that schema",
            )
