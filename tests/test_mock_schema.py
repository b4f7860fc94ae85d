"""Schema validation over HTTP: metaflows, nulls, flow node defaults, big integers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from mock_support import Api, callflow

from mock_server.config import MockConfig
from mock_server.testing import LiveServer

BIG = 123456789012345678901234567890
BIG_TEXT = "123456789012345678901234567890"
DEFAULT_FIXTURES = Path(__file__).parents[1] / "mock_server" / "default_fixtures.yaml"


def type_body(target: str, value: Any) -> dict[str, Any]:
    message = f"Value did not match type(s): {target}"
    return {"type": {"message": message, "target": target, "value": value}}


def module_error(kind: str, module: str) -> dict[str, Any]:
    message = f"unable to find {kind} schema for module {module}"
    return {"error": {"message": message, "value": module}}


def assert_validation_error(response: Any, data: dict[str, Any]) -> None:
    body = response.json()
    assert response.status_code == 400, response.text
    assert body["message"] == "validation error"
    assert body["data"] == data


# Metaflows ---------------------------------------------------------------------------


def test_metaflow_unknown_module(api: Api) -> None:
    metaflow = {"numbers": {"1": {"module": "nope"}}}
    response = api.create(callflow("1000", metaflow=metaflow))
    assert_validation_error(
        response, {"metaflow.numbers.1.module": module_error("metaflow", "nope")}
    )


def test_metaflow_child_unknown_module(api: Api) -> None:
    node = {"module": "transfer", "children": {"_": {"module": "zzz"}}}
    response = api.create(callflow("1000", metaflow={"numbers": {"1": node}}))
    assert_validation_error(
        response,
        {"metaflow.numbers.1.children._.module": module_error("metaflow", "zzz")},
    )


def test_metaflow_data_wrong_type(api: Api) -> None:
    node = {"module": "transfer", "data": {"target": 5}}
    response = api.create(callflow("1000", metaflow={"patterns": {"^1$": node}}))
    assert_validation_error(
        response, {"metaflow.patterns.^1$.data.target": type_body("string", 5)}
    )


def test_metaflow_flow_unknown_module(api: Api) -> None:
    node = {"module": "callflow", "data": {"flow": {"module": "nope"}}}
    response = api.create(callflow("1000", metaflow={"numbers": {"1": node}}))
    assert_validation_error(
        response,
        {"metaflow.numbers.1.data.flow.module": module_error("callflow", "nope")},
    )


def test_metaflow_stored_with_defaults(api: Api) -> None:
    node = {"module": "transfer", "data": {"target": "1000"}}
    callflow_id = api.create_id(callflow("1000", metaflow={"numbers": {"2": node}}))
    stored = api.request("GET", api.url(callflow_id)).json()["data"]["metaflow"]
    assert stored == {
        "numbers": {
            "2": {
                "module": "transfer",
                "data": {
                    "target": "1000",
                    "captures": ["no_match"],
                    "transfer_type": "blind",
                },
            }
        },
        "binding_digit": "*",
    }


def test_metaflow_non_digit_key_stored(api: Api) -> None:
    metaflow = {"numbers": {"x1": {"module": "nope"}}}
    response = api.create(callflow("1000", metaflow=metaflow))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["metaflow"]["numbers"] == metaflow["numbers"]


def test_metaflow_patch_validated(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    patch = {"metaflow": {"numbers": {"1": {"module": "nope"}}}}
    response = api.request("PATCH", api.url(callflow_id), json={"data": patch})
    assert_validation_error(
        response, {"metaflow.numbers.1.module": module_error("metaflow", "nope")}
    )


# Null ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key", "target"),
    [
        pytest.param({"patterns": None}, "patterns", "array", id="patterns"),
        pytest.param({"featurecode": None}, "featurecode", "object", id="featurecode"),
        pytest.param({"metaflow": None}, "metaflow", "object", id="metaflow"),
        pytest.param(
            {"flow": {"module": "user", "data": {"timeout": None}}},
            "flow.data.timeout",
            "integer",
            id="flow-data-timeout",
        ),
    ],
)
def test_null_rejected(api: Api, fields: dict[str, Any], key: str, target: str) -> None:
    response = api.create(callflow("1000", **fields))
    assert_validation_error(response, {key: type_body(target, None)})


def test_null_numbers_rejected(api: Api) -> None:
    response = api.create({"numbers": None, "flow": {"module": "user"}})
    assert_validation_error(
        response,
        {
            "numbers": {
                "required": {
                    "message": "Callflows must be assigned at least one number "
                    "or pattern"
                },
                **type_body("array", None),
            }
        },
    )


def test_null_never_listed(api: Api) -> None:
    api.create(callflow("1000", patterns=None))
    assert api.request("GET", api.url()).json()["data"] == []


def test_patch_null_removes_key(api: Api) -> None:
    featurecode = {"name": "park", "number": "*3"}
    callflow_id = api.create_id(callflow("1000", featurecode=featurecode))
    patch = {"featurecode": None}
    response = api.request("PATCH", api.url(callflow_id), json={"data": patch})
    assert response.status_code == 200, response.text
    assert "featurecode" not in response.json()["data"]
    [row] = api.request("GET", api.url()).json()["data"]
    assert row["featurecode"] is False


# Flow node defaults -----------------------------------------------------------------


def test_top_node_gets_children(api: Api) -> None:
    data = api.create(callflow("1000")).json()["data"]
    assert data["flow"]["children"] == {}


def test_nested_node_children_not_added(api: Api) -> None:
    flow = {"module": "menu", "children": {"1": {"module": "hangup"}}}
    callflow_id = api.create_id(callflow("1000", flow=flow))
    stored = api.request("GET", api.url(callflow_id)).json()["data"]["flow"]
    assert stored["children"] == {"1": {"module": "hangup", "data": {}}}


# Integers beyond 64 bits ------------------------------------------------------------


def test_big_integer_stored_exact(api: Api) -> None:
    flow = {"module": "user", "data": {"timeout": BIG}}
    response = api.create(callflow("1000", flow=flow))
    assert response.status_code == 201, response.text
    assert f'"timeout":{BIG_TEXT}' in response.text
    callflow_id = response.json()["data"]["id"]
    fetched = api.request("GET", api.url(callflow_id))
    assert fetched.json()["data"]["flow"]["data"]["timeout"] == BIG
    assert f'"timeout":{BIG_TEXT}' in fetched.text


def test_big_integer_pretty_printed(api: Api) -> None:
    flow = {"module": "user", "data": {"timeout": BIG}}
    callflow_id = api.create_id(callflow("1000", flow=flow))
    fetched = api.request("GET", api.url(callflow_id), params={"pretty_print": "true"})
    assert f'"timeout": {BIG_TEXT}' in fetched.text


def test_big_integer_error_value(api: Api) -> None:
    flow = {"module": "user", "data": {"id": BIG}}
    response = api.create(callflow("1000", flow=flow))
    assert_validation_error(response, {"flow.data.id": type_body("string", BIG)})
    assert f'"value":{BIG_TEXT}' in response.text


def test_big_integer_patch_kept(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000", extra=[BIG]))
    response = api.request(
        "PATCH", api.url(callflow_id), json={"data": {"name": "Main"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["extra"] == [BIG]


def test_big_integer_survives_restart(tmp_path: Path) -> None:
    config = MockConfig(seed=3, state_file=tmp_path / "state.jsonl")
    flow = {"module": "user", "data": {"timeout": BIG}}
    with LiveServer(config) as server, Api(server) as api:
        callflow_id = api.create_id(callflow("1000", flow=flow))
    with LiveServer(config) as server, Api(server) as api:
        fetched = api.request("GET", api.url(callflow_id))
        assert f'"timeout":{BIG_TEXT}' in fetched.text


def test_big_integer_fixture_file(tmp_path: Path) -> None:
    fixtures = DEFAULT_FIXTURES.read_text(encoding="utf-8")
    document = yaml.safe_load(fixtures)
    flow = {"module": "user", "data": {"timeout": BIG}}
    document["accounts"][0]["callflows"] = [{"numbers": ["1000"], "flow": flow}]
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with LiveServer(MockConfig(seed=3, fixtures=path)) as server, Api(server) as api:
        [row] = api.request("GET", api.url()).json()["data"]
        fetched = api.request("GET", api.url(row["id"]))
        assert f'"timeout":{BIG_TEXT}' in fetched.text
