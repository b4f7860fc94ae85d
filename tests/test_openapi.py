"""Tests of the OpenAPI builder: operations, envelopes, recursion, refs, determinism."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from openapi_spec_validator import validate

from generator.errors import DeriveError
from generator.openapi import build_openapi, enum_member_name, flow_node_from_page
from generator.pipeline import dump_yaml

DATA = Path(__file__).parent / "data"
COLLECTION = "/v2/accounts/{ACCOUNT_ID}/callflows"
ITEM = COLLECTION + "/{CALLFLOW_ID}"


@dataclass
class Derived:
    """Stand-in for `generator.derive.DerivedSchemas`."""

    schemas: dict[str, dict[str, Any]]
    main: list[str] = field(default_factory=lambda: ["callflows"])


def load_derived() -> Derived:
    """Load the hand-written derived schemas of the source pages."""
    raw = json.loads((DATA / "derived-schemas.json").read_text(encoding="utf-8"))
    return Derived(schemas=raw["schemas"], main=raw["main"])


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi(load_derived())


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    component: dict[str, Any] = document["components"]["schemas"][name]
    return component


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method]
    return found


def test_document_validates(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "status"),
    [
        pytest.param("get", COLLECTION, "list_callflows", "200", id="list"),
        pytest.param("put", COLLECTION, "create_callflow", "201", id="create"),
        pytest.param("get", ITEM, "get_callflow", "200", id="get"),
        pytest.param("post", ITEM, "replace_callflow", "200", id="replace"),
        pytest.param("patch", ITEM, "patch_callflow", "200", id="patch"),
        pytest.param("delete", ITEM, "delete_callflow", "200", id="delete"),
    ],
)
def test_operation_table(
    document: dict[str, Any], method: str, path: str, operation_id: str, status: str
) -> None:
    found = operation(document, method, path)
    assert found["operationId"] == operation_id
    assert found["summary"]
    assert found["tags"] == ["callflows"]
    assert min(found["responses"]) == status


def test_only_six_operations(document: dict[str, Any]) -> None:
    methods = {
        path: sorted(set(item) - {"parameters"})
        for path, item in document["paths"].items()
    }
    assert methods == {
        COLLECTION: ["get", "put"],
        ITEM: ["delete", "get", "patch", "post"],
    }


def test_path_parameters_32_hex(document: dict[str, Any]) -> None:
    parameters = document["components"]["parameters"]
    for name in ("ACCOUNT_ID", "CALLFLOW_ID"):
        assert parameters[name]["in"] == "path"
        assert parameters[name]["required"] is True
        assert parameters[name]["schema"]["pattern"] == "^[0-9a-f]{32}$"
    assert document["paths"][ITEM]["parameters"] == [
        {"$ref": "#/components/parameters/ACCOUNT_ID"},
        {"$ref": "#/components/parameters/CALLFLOW_ID"},
    ]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        pytest.param("get", COLLECTION, ["401", "403", "404", "405"], id="list"),
        pytest.param(
            "put",
            COLLECTION,
            ["400", "401", "403", "404", "405", "409", "415"],
            id="create",
        ),
        pytest.param("get", ITEM, ["401", "403", "404", "405"], id="get"),
        pytest.param(
            "post",
            ITEM,
            ["400", "401", "403", "404", "405", "409", "412", "415"],
            id="replace",
        ),
        pytest.param(
            "patch",
            ITEM,
            ["400", "401", "403", "404", "405", "409", "412", "415"],
            id="patch",
        ),
        pytest.param(
            "delete", ITEM, ["401", "403", "404", "405", "409", "412"], id="delete"
        ),
    ],
)
def test_error_statuses(
    document: dict[str, Any], method: str, path: str, statuses: list[str]
) -> None:
    responses = operation(document, method, path)["responses"]
    assert sorted(code for code in responses if code.startswith("4")) == statuses
    for code in statuses:
        assert responses[code]["$ref"].startswith("#/components/responses/")


def test_error_responses_share_envelope(document: dict[str, Any]) -> None:
    responses = document["components"]["responses"]
    for name in (
        "BadRequest",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "MethodNotAllowed",
    ):
        media = responses[name]["content"]["application/json"]
        assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    # Kazoo 4.3 leaves these two to cowboy, which sends no body.
    assert "content" not in responses["PreconditionFailed"]
    assert "content" not in responses["UnsupportedMediaType"]


def test_error_examples_match_envelope(document: dict[str, Any]) -> None:
    envelope = schema(document, "ErrorResponse")
    for response in document["components"]["responses"].values():
        if "content" in response:
            example = response["content"]["application/json"]["example"]
            jsonschema.Draft202012Validator(envelope).validate(example)


def test_error_envelope_keys(document: dict[str, Any]) -> None:
    envelope = schema(document, "ErrorResponse")
    assert envelope["properties"]["status"]["const"] == "error"
    assert envelope["properties"]["error"]["type"] == "string"
    assert set(envelope["required"]) == {
        "status",
        "error",
        "message",
        "data",
        "request_id",
        "node",
        "version",
        "timestamp",
    }


def test_success_envelope_keys(document: dict[str, Any]) -> None:
    envelope = schema(document, "CallflowResponse")
    assert list(envelope["properties"]) == [
        "status",
        "auth_token",
        "request_id",
        "node",
        "version",
        "timestamp",
        "revision",
        "data",
    ]
    assert envelope["properties"]["status"]["const"] == "success"
    assert envelope["properties"]["data"] == {
        "$ref": "#/components/schemas/CallflowDocument"
    }


def test_list_envelope_rows(document: dict[str, Any]) -> None:
    envelope = schema(document, "CallflowListResponse")
    properties = envelope["properties"]
    assert properties["data"]["items"] == {
        "$ref": "#/components/schemas/CallflowListRow"
    }
    assert {"page_size", "start_key", "next_start_key"} <= set(properties)


def test_list_row_featurecode_false(document: dict[str, Any]) -> None:
    row = schema(document, "CallflowListRow")
    validator = jsonschema.Draft202012Validator(row)
    base = {"id": "6f1c0a0b3c5d4e7f8a9b0c1d2e3f4a5b", "modules": ["user"], "flags": []}
    assert validator.is_valid({**base, "featurecode": False})
    assert validator.is_valid({**base, "featurecode": {"name": "park", "number": "3"}})
    assert not validator.is_valid({**base, "featurecode": True})
    assert set(row["properties"]) == {
        "id",
        "name",
        "type",
        "numbers",
        "patterns",
        "owner_id",
        "group_id",
        "featurecode",
        "modules",
        "flags",
    }


@pytest.mark.parametrize(
    ("method", "path", "envelope"),
    [
        pytest.param("put", COLLECTION, "CallflowRequest", id="create"),
        pytest.param("post", ITEM, "CallflowRequest", id="replace"),
        pytest.param("patch", ITEM, "CallflowPatchRequest", id="patch"),
    ],
)
def test_request_body_envelope(
    document: dict[str, Any], method: str, path: str, envelope: str
) -> None:
    body = operation(document, method, path)["requestBody"]
    assert body["required"] is (method != "patch")
    media = body["content"]["application/json"]
    assert media["schema"] == {"$ref": f"#/components/schemas/{envelope}"}
    assert schema(document, envelope)["required"] == ["data"]


def test_request_data_is_callflow(document: dict[str, Any]) -> None:
    data = schema(document, "CallflowRequest")["properties"]["data"]
    assert data["x-merge-target"] == "#/components/schemas/callflows"
    assert (
        data["properties"]["flow"]
        == schema(document, "callflows")["properties"]["flow"]
    )
    assert data["anyOf"] == [
        {"required": ["numbers"], "properties": {"numbers": {"minItems": 1}}},
        {"required": ["patterns"], "properties": {"patterns": {"minItems": 1}}},
    ]
    patch = schema(document, "CallflowPatchRequest")["properties"]["data"]
    assert patch["type"] == "object"
    assert patch["x-merge-target"] == "#/components/schemas/callflows"


def test_create_location_and_links(document: dict[str, Any]) -> None:
    created = operation(document, "put", COLLECTION)["responses"]["201"]
    assert created["headers"] == {"Location": {"$ref": "#/components/headers/Location"}}
    links = created["links"]
    assert sorted(link["operationId"] for link in links.values()) == [
        "delete_callflow",
        "get_callflow",
        "patch_callflow",
        "replace_callflow",
    ]
    for link in links.values():
        assert link["parameters"] == {
            "ACCOUNT_ID": "$request.path.ACCOUNT_ID",
            "CALLFLOW_ID": "$response.body#/data/id",
        }


def test_get_sends_etag(document: dict[str, Any]) -> None:
    for path in (COLLECTION, ITEM):
        headers = operation(document, "get", path)["responses"]["200"]["headers"]
        assert headers == {"ETag": {"$ref": "#/components/headers/ETag"}}


def test_list_query_parameters(document: dict[str, Any]) -> None:
    names = [
        p["$ref"].rsplit("/", 1)[1]
        for p in operation(document, "get", COLLECTION)["parameters"]
    ]
    assert names[:4] == ["paginate", "page_size", "start_key", "filters"]
    assert {
        "has_key",
        "key_missing",
        "has_value",
        "value_missing",
        "pretty_print",
    } <= set(names)
    assert {"created_from", "created_to", "modified_from", "modified_to"} <= set(names)
    filters = document["components"]["parameters"]["filters"]
    assert filters["style"] == "form"
    assert filters["explode"] is True
    # Kazoo 4.3 ignores query keys it does not know, so no key pattern is declared.
    assert filters["schema"] == {"type": "object"}


def test_auth_token_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["AuthToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
        "description": schemes["AuthToken"]["description"],
    }
    assert schemes["AuthTokenQuery"]["in"] == "query"
    assert schemes["AuthTokenQuery"]["name"] == "auth_token"
    assert document["security"] == [{"AuthToken": []}, {"AuthTokenQuery": []}]


def test_flow_node_component(document: dict[str, Any]) -> None:
    callflows = schema(document, "callflows")
    assert callflows["required"] == ["flow"]
    assert (
        callflows["properties"]["flow"]["$ref"]
        == "#/components/schemas/callflows.action"
    )
    node = schema(document, "callflows.action")
    assert sorted(node["required"]) == ["data", "module"]
    assert node["properties"]["module"]["minLength"] == 1
    assert node["properties"]["module"]["maxLength"] == 64
    assert node["properties"]["data"]["default"] == {}
    children = node["properties"]["children"]
    assert "default" not in children
    assert children["patternProperties"] == {
        ".+": {"$ref": "#/components/schemas/callflows.action"}
    }
    flow = callflows["properties"]["flow"]
    assert flow["properties"] == {"children": {"default": {}}}


def test_flow_node_named_once() -> None:
    derived = load_derived()
    flow = derived.schemas["callflows"]["properties"]["flow"]
    node = flow_node_from_page(
        derived.schemas["callflows"], "#/definitions/callflows.action"
    )
    assert node is not None
    derived.schemas["callflows.action"] = node
    assert build_openapi(derived) == build_openapi(load_derived())
    assert "default" in flow["properties"]["children"]


def test_metaflow_refs_rewritten(document: dict[str, Any]) -> None:
    callflows = schema(document, "callflows")
    assert (
        callflows["properties"]["metaflow"]["$ref"] == "#/components/schemas/metaflows"
    )
    metaflow = schema(document, "metaflow")
    assert metaflow["properties"]["children"]["patternProperties"][".+"] == {
        "$ref": "#/components/schemas/metaflow"
    }
    assert "#/definitions/" not in json.dumps(document)


def test_binding_digit_member_names(document: dict[str, Any]) -> None:
    digit = schema(document, "metaflows")["properties"]["binding_digit"]
    assert digit["default"] == "*"
    assert digit["x-enum-varnames"] == [
        "digit_1",
        "digit_2",
        "digit_3",
        "digit_4",
        "digit_5",
        "digit_6",
        "digit_7",
        "digit_8",
        "digit_9",
        "digit_0",
        "star",
        "pound",
    ]
    listen_on = schema(document, "metaflows")["properties"]["listen_on"]
    assert "x-enum-varnames" not in listen_on


@pytest.mark.parametrize(
    ("value", "name"),
    [
        pytest.param("7", "digit_7", id="digit"),
        pytest.param("*", "star", id="star"),
        pytest.param("#", "pound", id="pound"),
        pytest.param("42", "number_42", id="number"),
        pytest.param("a-b c", "a_b_c", id="punctuation"),
        pytest.param("9lives", "value_9lives", id="leading-digit"),
        pytest.param("class", "value_class", id="keyword"),
    ],
)
def test_enum_member_name(value: str, name: str) -> None:
    assert enum_member_name(value) == name


def test_same_input_same_yaml() -> None:
    first = dump_yaml(build_openapi(load_derived()))
    second = dump_yaml(build_openapi(load_derived()))
    assert first == second


def test_input_left_unchanged() -> None:
    derived = load_derived()
    before = copy.deepcopy(derived.schemas)
    build_openapi(derived)
    assert derived.schemas == before


def test_existing_flow_node_kept() -> None:
    derived = load_derived()
    node = derived.schemas["callflows"]["properties"]["flow"]
    derived.schemas["callflows.action"] = node
    derived.schemas["callflows"]["properties"]["flow"] = {
        "$ref": "#/definitions/callflows.action"
    }
    document = build_openapi(derived)
    assert (
        "patternProperties"
        not in schema(document, "callflows.action")["properties"]["children"]
    )
    validate(document)


def test_missing_callflows_rejected() -> None:
    derived = load_derived()
    del derived.schemas["callflows"]
    with pytest.raises(DeriveError, match="no schema with id 'callflows'"):
        build_openapi(derived)
