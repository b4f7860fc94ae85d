"""Each lint rule on a failing and a passing variant of a small spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lint_support import ITEM, base_spec, lint_document, only, rule_ids, write_yaml

from generator.lint.findings import Severity


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Return the document's components/schemas."""
    result: dict[str, Any] = document["components"]["schemas"]
    return result


def get_op(document: dict[str, Any]) -> dict[str, Any]:
    """Return the GET operation of the item path."""
    result: dict[str, Any] = document["paths"][ITEM]["get"]
    return result


def post_op(document: dict[str, Any]) -> dict[str, Any]:
    """Return the POST operation of the item path."""
    result: dict[str, Any] = document["paths"][ITEM]["post"]
    return result


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_base_spec_clean(tmp_path: Path, version: str) -> None:
    run = lint_document(tmp_path, base_spec(version))
    assert run.findings == []
    assert run.exit_code == 0


def test_structure_missing_info(tmp_path: Path) -> None:
    document = base_spec()
    del document["info"]
    finding = only(lint_document(tmp_path, document), "oas-structure")
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "not a valid OpenAPI 3.1 document here: 'info' is a required property; "
        "fix the value so it matches the OpenAPI specification"
    )
    assert finding.location.line == 1


def test_structure_error_located_through_refs(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    schemas(document)["Item"]["properties"]["name"] = {"$ref": "schemas.yaml#/Name"}
    write_yaml(
        tmp_path / "schemas.yaml", {"Name": {"type": "string", "nullable": "yes"}}
    )
    finding = only(lint_document(tmp_path, document), "oas-structure")
    assert finding.location.path == tmp_path / "schemas.yaml"
    assert finding.location.pointer == "/Name/nullable"
    assert finding.location.line == 3
    assert "'yes' is not of type 'boolean'" in finding.message


def test_ref_missing_pointer(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {
        "$ref": "#/components/schemas/Nope"
    }
    finding = only(lint_document(tmp_path, document), "ref-unresolvable")
    assert finding.message.startswith(
        "$ref '#/components/schemas/Nope' cannot be resolved"
    )
    assert finding.location.pointer == "/components/schemas/Item/properties/name"


def test_ref_missing_file(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {"$ref": "other.yaml#/Name"}
    finding = only(lint_document(tmp_path, document), "ref-unresolvable")
    assert "file" in finding.message
    assert "other.yaml not found" in finding.message


def test_ref_remote_not_fetched(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {
        "$ref": "https://example.invalid/schemas.yaml#/Name"
    }
    finding = only(lint_document(tmp_path, document), "ref-unresolvable")
    assert "remote references are not fetched" in finding.message


def test_ref_loop_reported(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {"$ref": "#/components/schemas/A"}
    schemas(document)["A"] = {"$ref": "#/components/schemas/B"}
    schemas(document)["B"] = {"$ref": "#/components/schemas/A"}
    run = lint_document(tmp_path, document)
    loops = [f for f in run.findings if f.rule == "ref-unresolvable"]
    pointers = sorted(f.location.pointer for f in loops)
    assert pointers == [
        "/components/schemas/A",
        "/components/schemas/B",
        "/components/schemas/Item/properties/name",
    ]
    assert "the reference chain loops without an object" in loops[0].message


def test_ref_into_other_file_passes(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {"$ref": "parts/name.yaml#/Name"}
    write_yaml(tmp_path / "parts" / "name.yaml", {"Name": {"type": "string"}})
    run = lint_document(tmp_path, document)
    assert run.findings == []
    assert len(run.files) == 2


def test_yaml_integer_key_reported(tmp_path: Path) -> None:
    text = yaml_text(base_spec()).replace("'404':", "404:")
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    from generator.lint import lint_specs

    finding = only(lint_specs([path]), "yaml-key-not-string")
    assert finding.severity is Severity.WARNING
    assert finding.message.startswith("key 404 is a YAML int, not a string; quote it")
    assert finding.location.line == text.splitlines().index("        404:") + 1


def test_yaml_quoted_key_passes(tmp_path: Path) -> None:
    assert "'404':" in yaml_text(base_spec())
    assert rule_ids(lint_document(tmp_path, base_spec())) == []


def yaml_text(document: dict[str, Any]) -> str:
    """Return the document as the YAML `write_yaml` writes."""
    import yaml

    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param({"type": "string", "enum": [1, "a"]}, 1, id="integer-in-string"),
        pytest.param(
            {"type": "integer", "enum": [1, True]}, 1, id="boolean-in-integer"
        ),
        pytest.param({"type": "boolean", "enum": ["true"]}, 1, id="string-in-boolean"),
        pytest.param({"type": "string", "enum": ["1", "a"]}, 0, id="strings"),
        pytest.param(
            {"type": ["string", "null"], "enum": ["a", None]}, 0, id="null-in-list"
        ),
        pytest.param({"type": "number", "enum": [1, 2.5]}, 0, id="numbers"),
        pytest.param({"enum": [1, "a"]}, 0, id="no-type"),
    ],
)
def test_enum_type(tmp_path: Path, schema: dict[str, Any], expected: int) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = schema
    run = lint_document(tmp_path, document)
    assert rule_ids(run).count("enum-type-mismatch") == expected


def test_enum_type_message(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"] = {
        "type": "string",
        "enum": ["a", 1, 2],
    }
    finding = only(lint_document(tmp_path, document), "enum-type-mismatch")
    assert finding.message == (
        "enum values 1, 2 are integer, but the schema's type is 'string'; change the "
        "values to that type (quote them) or change the type"
    )
    assert finding.location.pointer == "/components/schemas/Item/properties/name/enum/1"


def test_enum_nullable_oas30(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    schemas(document)["Item"]["properties"]["name"] = {
        "type": "string",
        "nullable": True,
        "enum": ["a", None],
    }
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_default_outside_enum(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"]["default"] = "z"
    finding = only(lint_document(tmp_path, document), "default-invalid")
    assert finding.message == (
        "default \"z\" fails its schema: 'z' is not one of ['x', 'y']; change the "
        "default or the schema"
    )
    assert (
        finding.location.pointer == "/components/schemas/Item/properties/name/default"
    )


def test_default_checked_through_refs(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["required"] = ["name"]
    document["paths"][ITEM]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] = {
        "type": "object",
        "properties": {
            "data": {"allOf": [{"$ref": "#/components/schemas/Item"}], "default": {}}
        },
    }
    run = lint_document(tmp_path, document)
    finding = only(run, "default-invalid")
    assert "'name' is a required property" in finding.message


def test_default_valid_passes(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["children"]["default"] = {
        "a": {"name": "y"}
    }
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_default_invalid_in_recursion(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["children"]["default"] = {
        "a": {"children": {"b": {"name": "q"}}}
    }
    finding = only(lint_document(tmp_path, document), "default-invalid")
    assert "at ['a']['children']['b']['name']" in finding.message


def test_schema_example_invalid(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    schemas(document)["Item"]["properties"]["name"]["example"] = 5
    finding = only(lint_document(tmp_path, document), "example-invalid")
    assert finding.message == (
        "example 5 fails its schema: 5 is not of type 'string'; change the example "
        "or the schema"
    )


def test_schema_examples_list_oas31(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"]["examples"] = ["x", "w"]
    finding = only(lint_document(tmp_path, document), "example-invalid")
    assert finding.location.pointer.endswith("/name/examples/1")


def test_media_type_examples(tmp_path: Path) -> None:
    document = base_spec()
    media = post_op(document)["requestBody"]["content"]["application/json"]
    media["examples"] = {
        "good": {"value": {"data": {"name": "x"}}},
        "bad": {"value": {"data": {"name": 3}}},
    }
    finding = only(lint_document(tmp_path, document), "example-invalid")
    assert finding.location.pointer.endswith("/examples/bad/value")


def test_parameter_example(tmp_path: Path) -> None:
    document = base_spec()
    document["paths"][ITEM]["parameters"][0]["example"] = 12
    finding = only(lint_document(tmp_path, document), "example-invalid")
    assert "12 is not of type 'string'" in finding.message


def test_valid_examples_pass(tmp_path: Path) -> None:
    document = base_spec()
    schemas(document)["Item"]["properties"]["name"]["examples"] = ["x", "y"]
    document["paths"][ITEM]["parameters"][0]["example"] = "abc"
    assert rule_ids(lint_document(tmp_path, document)) == []


@pytest.mark.parametrize(
    ("field", "rule_id"),
    [
        ("operationId", "operation-id-missing"),
        ("summary", "operation-summary-missing"),
        ("tags", "operation-tag-missing"),
    ],
)
def test_operation_field_missing(tmp_path: Path, field: str, rule_id: str) -> None:
    document = base_spec()
    del get_op(document)[field]
    finding = only(lint_document(tmp_path, document), rule_id)
    assert finding.message.startswith(f"GET {ITEM} has no ")
    assert finding.location.pointer == "/paths/~1items~1{ITEM_ID}/get"


def test_operation_empty_tags(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["tags"] = []
    assert rule_ids(lint_document(tmp_path, document)) == ["operation-tag-missing"]


def test_operation_id_duplicate(tmp_path: Path) -> None:
    document = base_spec()
    post_op(document)["operationId"] = "get_item"
    finding = only(lint_document(tmp_path, document), "operation-id-duplicate")
    assert finding.message.startswith(
        f"operationId 'get_item' of POST {ITEM} is already used by GET {ITEM} "
        "(line 13); give each operation its own"
    )
    assert finding.location.pointer.endswith("/post/operationId")


def test_success_response_without_schema(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["responses"]["200"] = {"description": "ok"}
    finding = only(lint_document(tmp_path, document), "success-response-schema-missing")
    assert finding.message.startswith(f"GET {ITEM} response 200 has no content schema")
    assert finding.location.pointer.endswith("/get/responses/200")


def test_success_response_missing(tmp_path: Path) -> None:
    document = base_spec()
    del get_op(document)["responses"]["200"]
    run = lint_document(tmp_path, document)
    assert (
        "declares no 2xx response"
        in only(run, "success-response-schema-missing").message
    )


def test_no_content_success_passes(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["responses"]["200"] = {"description": "ok"}
    get_op(document)["responses"]["204"] = {"description": "no content"}
    del get_op(document)["responses"]["200"]
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_error_response_missing(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["responses"]["500"] = {"description": "boom"}
    del get_op(document)["responses"]["404"]
    finding = only(lint_document(tmp_path, document), "error-response-missing")
    assert finding.message.startswith(
        f"GET {ITEM} declares no 4xx response (it has 200, 500)"
    )


def test_error_response_range_passes(tmp_path: Path) -> None:
    document = base_spec()
    del get_op(document)["responses"]["404"]
    get_op(document)["responses"]["4XX"] = {"description": "client error"}
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_path_parameter_undeclared(tmp_path: Path) -> None:
    document = base_spec()
    document["paths"]["/items/{ITEM_ID}/parts/{PART_ID}"] = document["paths"].pop(ITEM)
    run = lint_document(tmp_path, document)
    assert rule_ids(run) == ["path-parameter-undeclared"] * 2
    assert "has {PART_ID} in its path but no path parameter 'PART_ID'" in (
        run.findings[0].message
    )


def test_path_parameter_unused(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["parameters"] = [
        {"name": "OTHER", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    finding = only(lint_document(tmp_path, document), "path-parameter-unused")
    assert "declares path parameter 'OTHER'" in finding.message
    assert finding.location.pointer.endswith("/get/parameters/0")


def test_query_parameter_not_path(tmp_path: Path) -> None:
    document = base_spec()
    get_op(document)["parameters"] = [
        {"name": "OTHER", "in": "query", "schema": {"type": "string"}}
    ]
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_request_without_envelope(tmp_path: Path) -> None:
    document = base_spec()
    media = post_op(document)["requestBody"]["content"]["application/json"]
    media["schema"] = {"$ref": "#/components/schemas/Item"}
    finding = only(lint_document(tmp_path, document), "request-envelope-missing")
    assert finding.message.startswith(
        f"POST {ITEM} application/json body is #/components/schemas/Item, not the "
        'crossbar envelope {"data": …}'
    )


def test_request_envelope_in_allof(tmp_path: Path) -> None:
    document = base_spec()
    media = post_op(document)["requestBody"]["content"]["application/json"]
    media["schema"] = {"allOf": [{"$ref": "#/components/schemas/ItemRequest"}]}
    assert rule_ids(lint_document(tmp_path, document)) == []


def test_pattern_properties_oas30(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    children = schemas(document)["Item"]["properties"]["children"]
    children["patternProperties"] = {".+": {"$ref": "#/components/schemas/Item"}}
    run = lint_document(tmp_path, document)
    finding = only(run, "pattern-properties-oas30")
    assert finding.severity is Severity.ERROR
    assert finding.message.startswith("patternProperties ('.+') is not a keyword")


def test_x_pattern_properties_oas30(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    children = schemas(document)["Item"]["properties"]["children"]
    children["x-patternProperties"] = {".+": {"$ref": "#/components/schemas/Item"}}
    finding = only(lint_document(tmp_path, document), "x-pattern-properties")
    assert finding.severity is Severity.WARNING


def test_pattern_properties_oas31_passes(tmp_path: Path) -> None:
    document = base_spec()
    children = schemas(document)["Item"]["properties"]["children"]
    children["patternProperties"] = {".+": {"$ref": "#/components/schemas/Item"}}
    assert rule_ids(lint_document(tmp_path, document)) == []
