"""List filters: semantics on stored documents, and over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from mock_support import Api, callflow, example

from mock_server.filters import compile_filters, is_empty, matches, value_as_text

DOC: dict[str, Any] = {
    "name": "Main",
    "type": "main",
    "numbers": ["1000"],
    "patterns": [],
    "flow": {"module": "user", "data": {"id": "a11ce000000000000000000000000001"}},
    "featurecode": {"name": "park", "number": "3"},
    "enabled": True,
    "nothing": None,
    "pvt_created": 63850000000,
    "pvt_modified": 63850000100,
}


def passes(*params: tuple[str, str]) -> bool:
    return matches(DOC, compile_filters(params))


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        pytest.param(("filter_name", "Main"), True, id="equal"),
        pytest.param(("filter_name", "Sales"), False, id="not-equal"),
        pytest.param(("filter_name", '["Sales","Main"]'), True, id="json-list"),
        pytest.param(("filter_name", '["Sales"]'), False, id="json-list-miss"),
        pytest.param(("filter_name", '"Main"'), True, id="json-string"),
        pytest.param(("filter_flow.module", "user"), True, id="dotted"),
        pytest.param(("filter_featurecode.number", "3"), True, id="nested-number"),
        pytest.param(("filter_numbers", "1000"), True, id="list-concatenated"),
        pytest.param(("filter_enabled", "true"), True, id="boolean-as-text"),
        pytest.param(("filter_missing", ""), True, id="missing-is-empty-text"),
        pytest.param(("filter_flow", "x"), False, id="object-excludes"),
        pytest.param(("filter_not_type", "main"), False, id="not-equal-fails"),
        pytest.param(("filter_not_type", "baseGroup"), True, id="not-passes"),
        pytest.param(("filter_not_numbers", "no_match"), True, id="monster-no-match"),
        pytest.param(("has_key", "featurecode.name"), True, id="has-key-nested"),
        pytest.param(("has_key", "owner_id"), False, id="has-key-absent"),
        pytest.param(("has_key", "nothing"), True, id="has-key-null"),
        pytest.param(("key_missing", "owner_id"), True, id="key-missing"),
        pytest.param(("has_value", "patterns"), False, id="has-value-empty-list"),
        pytest.param(("has_value", "name"), True, id="has-value"),
        pytest.param(("value_missing", "nothing"), True, id="value-missing-null"),
        pytest.param(("created_from", "63850000000"), True, id="created-from-bound"),
        pytest.param(("created_from", "63850000001"), False, id="created-from-after"),
        pytest.param(("created_to", "63850000000"), True, id="created-to-bound"),
        pytest.param(("modified_from", "63850000100"), True, id="modified-from"),
        pytest.param(("modified_to", "63850000099"), False, id="modified-to"),
        pytest.param(("created_from", "yesterday"), False, id="bad-time-excludes"),
        pytest.param(("page_size", "5"), True, id="not-a-filter"),
    ],
)
def test_filter(param: tuple[str, str], expected: bool) -> None:
    assert passes(param) is expected


def test_filters_are_anded() -> None:
    assert passes(("filter_name", "Main"), ("filter_type", "main")) is True
    assert passes(("filter_name", "Main"), ("filter_type", "other")) is False


def test_repeated_filter_keys_both_apply() -> None:
    assert passes(("filter_name", "Main"), ("filter_name", "Sales")) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, True, id="null"),
        pytest.param("", True, id="empty-text"),
        pytest.param("0", True, id="zero-text"),
        pytest.param("NULL", True, id="null-text"),
        pytest.param("undefined", True, id="undefined-text"),
        pytest.param(0, True, id="zero"),
        pytest.param(0.0, True, id="zero-float"),
        pytest.param([], True, id="empty-list"),
        pytest.param({}, True, id="empty-object"),
        pytest.param(False, False, id="false-is-a-value"),
        pytest.param("x", False, id="text"),
    ],
)
def test_is_empty(value: Any, expected: bool) -> None:
    assert is_empty(value) is expected


def test_value_as_text_number() -> None:
    assert value_as_text(20) == "20"


# Over HTTP --------------------------------------------------------------------


def _ids(api: Api, params: dict[str, str] | list[tuple[str, str]]) -> list[str]:
    response = api.request("GET", api.url(), params=params)
    assert response.status_code == 200, response.text
    return sorted(row["id"] for row in response.json()["data"])


def test_http_filter_not_numbers(api: Api) -> None:
    kept = api.create_id(example("01-user-smartpbx-main")["data"])
    api.create_id(example("09-no-match-offnet-resources")["data"])
    assert _ids(api, {"filter_not_numbers": "no_match"}) == [kept]


def test_http_has_key_featurecode_name(api: Api) -> None:
    feature = api.create_id(example("07-featurecode-park-pattern")["data"])
    api.create_id(example("08-device-postman-minimal")["data"])
    assert _ids(api, {"has_key": "featurecode.name"}) == [feature]


def test_http_filters_anded(api: Api) -> None:
    wanted = api.create_id(callflow("1000", name="A", type="main"))
    api.create_id(callflow("1001", name="A", type="other"))
    api.create_id(callflow("1002", name="B", type="main"))
    assert _ids(api, {"filter_name": "A", "filter_type": "main"}) == [wanted]


def test_http_filter_on_private_field(api: Api) -> None:
    first = api.create_id(callflow("1000"))
    body = api.request("GET", "/__admin/state").json()
    created = body["data"]["callflows"][api.server.account_id][0]["pvt_created"]
    assert _ids(api, {"created_from": str(created)}) == [first]
    assert _ids(api, {"created_from": str(created + 10**6)}) == []


def test_http_filter_pages(api: Api) -> None:
    wanted = sorted(
        api.create_id(callflow(str(3000 + i), type="main")) for i in range(5)
    )
    for i in range(5):
        api.create_id(callflow(str(4000 + i), type="other"))
    params = {"filter_type": "main", "page_size": "3"}
    body = api.request("GET", api.url(), params=params).json()
    assert body["page_size"] == 3
    params["start_key"] = body["next_start_key"]
    rest = api.request("GET", api.url(), params=params).json()
    assert rest["page_size"] == 2
    assert "next_start_key" not in rest
    seen = sorted(row["id"] for row in body["data"] + rest["data"])
    assert seen == wanted
