"""Regressions from the Schemathesis campaign: the spec describes what Kazoo 4.3 does.

Each case is one that Schemathesis found the spec and the mock disagreeing on.
The mock responds as Kazoo does, and the spec now allows or rejects the same
request; `tests/test_schemathesis.py` runs the campaign itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema_rs import Draft202012Validator
from use_defaults import DefaultsView

from mock_server.harness import InProcessMock

SPEC = yaml.safe_load(
    (Path(__file__).parents[1] / "spec" / "callflows.openapi.yaml").read_text()
)
COLLECTION = "/v2/accounts/{ACCOUNT_ID}/callflows"
ITEM = COLLECTION + "/{CALLFLOW_ID}"
HANGUP = {"module": "hangup", "data": {}}


def spec_accepts(schema: dict[str, Any], value: Any) -> bool:
    """Return whether `value` is valid against a schema of the spec."""
    root = {**schema, "components": SPEC["components"]}
    return bool(Draft202012Validator(root).is_valid(value))


def request_data(data: dict[str, Any]) -> bool:
    """Return whether the spec accepts `data` in a create's envelope."""
    schema = {"$ref": "#/components/schemas/CallflowRequest"}
    return spec_accepts(schema, {"data": data})


def query_schema(name: str) -> dict[str, Any]:
    """Return the schema of a listing query parameter."""
    schema: dict[str, Any] = SPEC["components"]["parameters"][name]["schema"]
    return schema


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("value_missing", "", id="empty-key"),
        pytest.param("start_key", "", id="empty-start-key"),
        pytest.param("page_size", "abc", id="page-size-text"),
        pytest.param("page_size", "0", id="page-size-zero"),
        pytest.param("paginate", "maybe", id="paginate-text"),
        pytest.param("created_from", "abc", id="time-text"),
    ],
)
def test_query_value_accepted(
    callflow_mock: InProcessMock, name: str, value: str
) -> None:
    with callflow_mock.client() as client:
        response = client.get(callflow_mock.callflows_url(), params={name: value})
    assert response.status_code == 200
    assert spec_accepts(query_schema(name), value)


def test_unknown_query_key_accepted(callflow_mock: InProcessMock) -> None:
    with callflow_mock.client() as client:
        response = client.get(callflow_mock.callflows_url(), params={"x": "1"})
    assert response.status_code == 200
    assert spec_accepts(query_schema("filters"), {"x": "1"})


def test_patch_without_body(callflow_mock: InProcessMock) -> None:
    data = {"numbers": ["1000"], "flow": HANGUP}
    with callflow_mock.client() as client:
        created = client.put(callflow_mock.callflows_url(), json={"data": data})
        url = callflow_mock.callflows_url(created.json()["data"]["id"])
        patched = client.patch(url)
    assert patched.status_code == 200
    assert SPEC["paths"][ITEM]["patch"]["requestBody"]["required"] is False


@pytest.mark.parametrize(
    ("number", "stored"),
    [
        pytest.param("0" * 37, "+" + "0" * 35, id="00-prefix"),
        pytest.param("011" + "1" * 35, "+" + "1" * 35, id="011-prefix"),
    ],
)
def test_number_shortened_by_normalisation(
    callflow_mock: InProcessMock, number: str, stored: str
) -> None:
    data = {"numbers": [number], "flow": HANGUP}
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 201
    assert response.json()["data"]["numbers"] == [stored]
    assert request_data(data)


def test_number_lengthened_by_normalisation(callflow_mock: InProcessMock) -> None:
    data = {"numbers": ["2" + "0" * 35], "flow": HANGUP}
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 400
    assert list(response.json()["data"]) == ["numbers.0"]
    assert not request_data(data)


def test_numbers_or_patterns_required(callflow_mock: InProcessMock) -> None:
    data = {"flow": HANGUP, "numbers": []}
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 400
    assert list(response.json()["data"]["numbers"]) == ["required"]
    assert not request_data(data)
    assert request_data({**data, "patterns": ["^\\*1$"]})


def test_numbers_equal_once_normalised(callflow_mock: InProcessMock) -> None:
    data = {"numbers": ["01100000", "0000000"], "flow": HANGUP}
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "numbers": {
            "uniqueItems": {
                "message": "List of items is not unique",
                "value": ["+00000", "+00000"],
            }
        }
    }
    assert request_data(data)


def test_unmatched_pattern_key_accepted(callflow_mock: InProcessMock) -> None:
    data = {
        "numbers": ["1000"],
        "flow": {
            "module": "set_variables",
            "data": {"custom_application_vars": {"\u0019": "value"}},
        },
    }
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert request_data(data)
    assert response.status_code == 201
    stored = response.json()["data"]["flow"]["data"]["custom_application_vars"]
    assert stored == {"\u0019": "value"}


def test_matched_pattern_key_checked(callflow_mock: InProcessMock) -> None:
    variables = {"name": 1, "\u0019": 2}
    data = {
        "numbers": ["1000"],
        "flow": {
            "module": "set_variables",
            "data": {"custom_application_vars": variables},
        },
    }
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 400
    assert list(response.json()["data"]) == ["flow.data.custom_application_vars.name"]
    assert not request_data(data)


def test_node_without_data_accepted(callflow_mock: InProcessMock) -> None:
    # The page requires `flow.data` and gives it the default {}, which Kazoo
    # fills in before it checks `required`. The spec keeps the page's
    # `required`, so only the defaults view of it accepts the request, and
    # `tests/test_schemathesis.py` skips the negative-data check for it.
    data = {"numbers": ["1000"], "flow": {"module": "hangup"}}
    with callflow_mock.client() as client:
        response = client.put(callflow_mock.callflows_url(), json={"data": data})
    assert response.status_code == 201
    assert response.json()["data"]["flow"]["data"] == {}
    node = SPEC["components"]["schemas"]["callflows.action"]
    assert "data" in node["required"]
    assert node["properties"]["data"]["default"] == {}
    assert not request_data(data)
    assert DefaultsView().accepts("CallflowRequest", {"data": data})


def test_defaults_view_checks_given_data() -> None:
    flow = {"module": "hangup", "data": []}
    data = {"numbers": ["1000"], "flow": flow}
    assert not DefaultsView().accepts("CallflowRequest", {"data": data})
