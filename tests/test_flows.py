"""Tests of flow tree validation: Kazoo's errors at depth, defaults, conversion."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from generated.flow_nodes import FLOW_NODES
from generated.models import CallflowsAction, Metaflows
from mock_server.flows import key_matches, validate_flow, validate_metaflow

EXAMPLES = sorted((Path(__file__).parent / "data" / "callflow-examples").glob("*.json"))
# The key of the node that `nested` puts three levels below the root.
DEEP = "flow.children._.children.1.children.a"
REQUIRED = "Field is required but missing"
NOT_IN_ENUM = "Value not found in enumerated list of values"


def nested(node: Any) -> dict[str, Any]:
    """Return a flow whose node at depth 3 (`DEEP`) is `node`."""
    voicemail = {"module": "voicemail", "data": {}, "children": {"a": node}}
    menu = {"module": "menu", "data": {}, "children": {"1": voicemail}}
    return {"module": "user", "data": {"id": "u1"}, "children": {"_": menu}}


def deep_node(flow: dict[str, Any]) -> Any:
    """Return the node at `DEEP` of a validated flow."""
    return flow["children"]["_"]["children"]["1"]["children"]["a"]


def type_error(target: Any, value: Any) -> dict[str, Any]:
    types = target if isinstance(target, str) else ", ".join(target)
    message = f"Value did not match type(s): {types}"
    return {"type": {"message": message, "target": target, "value": value}}


def test_valid_tree_accepted() -> None:
    flow, errors = validate_flow(nested({"module": "hangup"}))
    assert errors == {}
    assert flow is not None
    assert deep_node(flow) == {"module": "hangup", "data": {}}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_accepted(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    flow, errors = validate_flow(body["data"]["flow"])
    assert errors == {}
    assert flow is not None
    assert flow["module"] == body["data"]["flow"]["module"]


def test_unknown_module_nested() -> None:
    flow, errors = validate_flow(nested({"module": "foo", "data": {"x": 1}}))
    assert flow is None
    assert errors == {
        f"{DEEP}.module": {
            "error": {
                "message": "unable to find callflow schema for module foo",
                "value": "foo",
            }
        }
    }


def test_unknown_module_first_child() -> None:
    _, errors = validate_flow({"module": "user", "children": {"_": {"module": "foo"}}})
    assert list(errors) == ["flow.children._.module"]


def test_unknown_module_root() -> None:
    _, errors = validate_flow({"module": "foo"})
    assert errors == {
        "flow.module": {
            "error": {
                "message": "unable to find callflow schema for module foo",
                "value": "foo",
            }
        }
    }


def test_dotted_child_key_escaped() -> None:
    _, errors = validate_flow(
        {"module": "user", "children": {"a.b": {"module": "foo"}}}
    )
    assert list(errors) == ["flow.children.a%2Eb.module"]


def test_data_wrong_type_nested() -> None:
    node = {"module": "ring_group", "data": {"timeout": "abc", "endpoints": []}}
    _, errors = validate_flow(nested(node))
    assert errors == {f"{DEEP}.data.timeout": type_error("integer", "abc")}


def test_data_wrong_type_root() -> None:
    _, errors = validate_flow({"module": "user", "data": {"timeout": "abc"}})
    assert errors == {"flow.data.timeout": type_error("integer", "abc")}


def test_min_length_nested() -> None:
    _, errors = validate_flow(nested({"module": "conference", "data": {"id": "abc"}}))
    assert errors == {
        f"{DEEP}.data.id": {
            "minLength": {
                "message": "String must be at least 32 characters",
                "target": 32,
                "cause": "abc",
                "value": "abc",
            }
        }
    }


def test_max_length_nested() -> None:
    node_id = "a" * 33
    _, errors = validate_flow(nested({"module": "conference", "data": {"id": node_id}}))
    assert errors == {
        f"{DEEP}.data.id": {
            "maxLength": {
                "message": "String must not be more than 32 characters",
                "target": 32,
                "cause": node_id,
                "value": node_id,
            }
        }
    }


def test_enum_nested() -> None:
    _, errors = validate_flow(nested({"module": "user", "data": {"strategy": "all"}}))
    assert errors == {
        f"{DEEP}.data.strategy": {
            "enum": {
                "message": NOT_IN_ENUM,
                "target": ["simultaneous", "single"],
                "value": "all",
            }
        }
    }


def test_required_nested() -> None:
    _, errors = validate_flow(nested({"module": "ring_group", "data": {}}))
    assert errors == {
        f"{DEEP}.data.endpoints": {
            "required": {"message": REQUIRED, "value": "endpoints"}
        }
    }


def test_required_without_data() -> None:
    _, errors = validate_flow(nested({"module": "ring_group"}))
    assert list(errors) == [f"{DEEP}.data.endpoints"]


def test_required_in_array_item() -> None:
    data = {
        "endpoints": [{"id": "a", "endpoint_type": "user"}, {"endpoint_type": "user"}]
    }
    _, errors = validate_flow(nested({"module": "ring_group", "data": data}))
    assert errors == {
        f"{DEEP}.data.endpoints.1.id": {
            "required": {"message": REQUIRED, "value": "id"}
        }
    }


class CounterData(BaseModel):
    """Module data with numeric limits, which no Kazoo 4.3 module table carries."""

    model_config = ConfigDict(extra="allow")
    count: Annotated[int | None, Field(ge=1, le=10)] = None


class CounterNode(CallflowsAction):
    """A flow node of the test-only `counter` module."""

    # Narrows `data` the way the generated module variants do.
    data: CounterData = CounterData()  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("count", "rule", "message", "target"),
    [
        pytest.param(0, "minimum", "Value must be at least 1", 1, id="minimum"),
        pytest.param(11, "maximum", "Value must be at most 10", 10, id="maximum"),
    ],
)
def test_numeric_limits_nested(
    monkeypatch: pytest.MonkeyPatch, count: int, rule: str, message: str, target: int
) -> None:
    monkeypatch.setitem(FLOW_NODES, "counter", CounterNode)
    _, errors = validate_flow(nested({"module": "counter", "data": {"count": count}}))
    assert errors == {
        f"{DEEP}.data.count": {
            rule: {"message": message, "target": target, "value": count}
        }
    }


def test_union_type_error() -> None:
    node = {"module": "conference", "data": {"play_entry_tone": 5}}
    _, errors = validate_flow(nested(node))
    assert errors == {
        f"{DEEP}.data.play_entry_tone": type_error(["boolean", "string"], 5)
    }


def test_module_missing() -> None:
    _, errors = validate_flow(nested({"data": {}}))
    assert errors == {
        f"{DEEP}.module": {"required": {"message": REQUIRED, "value": "module"}}
    }


def test_module_not_string() -> None:
    _, errors = validate_flow(nested({"module": 5}))
    assert errors == {f"{DEEP}.module": type_error("string", 5)}


def test_module_empty() -> None:
    _, errors = validate_flow(nested({"module": ""}))
    assert errors[f"{DEEP}.module"]["minLength"] == {
        "message": "String must be at least 1 characters",
        "target": 1,
        "cause": "",
        "value": "",
    }
    assert errors[f"{DEEP}.module"]["error"] == {
        "message": "unable to find callflow schema for module ",
        "value": "",
    }


def test_node_not_object() -> None:
    _, errors = validate_flow(nested("hangup"))
    assert errors == {DEEP: type_error("object", "hangup")}


def test_flow_not_object() -> None:
    flow, errors = validate_flow([], path="flow")
    assert flow is None
    assert errors == {"flow": type_error("object", [])}


def test_children_not_object() -> None:
    _, errors = validate_flow(nested({"module": "hangup", "children": ["x"]}))
    assert errors == {f"{DEEP}.children": type_error("object", ["x"])}


def test_data_not_object() -> None:
    _, errors = validate_flow(nested({"module": "user", "data": []}))
    assert errors == {f"{DEEP}.data": type_error("object", [])}


def test_unknown_module_data_shape() -> None:
    _, errors = validate_flow(nested({"module": "foo", "data": "x"}))
    assert sorted(errors) == [f"{DEEP}.data", f"{DEEP}.module"]
    assert errors[f"{DEEP}.data"] == type_error("object", "x")


def test_all_errors_reported() -> None:
    flow = {
        "module": "foo",
        "children": {
            "1": {"module": "user", "data": {"timeout": "abc"}},
            "2": {"module": "bar", "children": {"_": {"module": "baz"}}},
        },
    }
    _, errors = validate_flow(flow)
    assert sorted(errors) == [
        "flow.children.1.data.timeout",
        "flow.children.2.children._.module",
        "flow.children.2.module",
        "flow.module",
    ]


def test_custom_path_prefix() -> None:
    _, errors = validate_flow({"module": "foo"}, path="metaflow.numbers.2")
    assert list(errors) == ["metaflow.numbers.2.module"]


def test_user_defaults_filled() -> None:
    flow, _ = validate_flow(nested({"module": "user", "data": {"id": "u2"}}))
    assert flow is not None
    assert deep_node(flow)["data"] == {
        "id": "u2",
        "delay": 0,
        "strategy": "simultaneous",
        "timeout": 20,
    }


def test_defaults_at_every_depth() -> None:
    flow, _ = validate_flow(nested({"module": "user"}))
    assert flow is not None
    assert flow["data"] == {
        "id": "u1",
        "delay": 0,
        "strategy": "simultaneous",
        "timeout": 20,
    }
    assert flow["children"]["_"]["data"] == {}
    assert deep_node(flow)["data"]["timeout"] == 20


def test_defaults_in_array_items() -> None:
    data = {"endpoints": [{"id": "a", "endpoint_type": "user"}]}
    flow, _ = validate_flow(nested({"module": "ring_group", "data": data}))
    assert flow is not None
    assert deep_node(flow)["data"]["endpoints"] == [
        {"id": "a", "endpoint_type": "user", "delay": 0, "timeout": 20}
    ]


def test_sent_values_not_replaced() -> None:
    flow, _ = validate_flow(
        {"module": "user", "data": {"timeout": 45, "strategy": "single"}}
    )
    assert flow is not None
    assert flow["data"]["timeout"] == 45
    assert flow["data"]["strategy"] == "single"


def test_unknown_keys_kept() -> None:
    node = {"module": "hangup", "data": {"note": "x"}, "label": {"a": 1}}
    flow, _ = validate_flow(nested(node))
    assert flow is not None
    assert deep_node(flow) == node


def test_integer_strings_converted() -> None:
    data = {
        "repeats": "1",
        "endpoints": [{"id": "a", "endpoint_type": "user", "delay": "-5"}],
    }
    flow, errors = validate_flow(nested({"module": "ring_group", "data": data}))
    assert errors == {}
    assert flow is not None
    stored = deep_node(flow)["data"]
    assert stored["repeats"] == 1
    assert stored["endpoints"][0]["delay"] == -5


def test_boolean_strings_converted() -> None:
    flow, _ = validate_flow({"module": "user", "data": {"can_call_self": "true"}})
    assert flow is not None
    assert flow["data"]["can_call_self"] is True


@pytest.mark.parametrize(
    ("field", "value", "target"),
    [
        pytest.param("timeout", "20.5", "integer", id="decimal"),
        pytest.param("timeout", " 20", "integer", id="space"),
        pytest.param("timeout", True, "integer", id="boolean-for-integer"),
        pytest.param("can_call_self", "yes", "boolean", id="yes"),
        pytest.param("can_call_self", 1, "boolean", id="integer-for-boolean"),
    ],
)
def test_other_values_not_converted(field: str, value: Any, target: str) -> None:
    _, errors = validate_flow({"module": "user", "data": {field: value}})
    assert errors == {f"flow.data.{field}": type_error(target, value)}


def test_union_string_not_converted() -> None:
    flow, _ = validate_flow(
        {"module": "conference", "data": {"play_entry_tone": "true"}}
    )
    assert flow is not None
    assert flow["data"]["play_entry_tone"] == "true"


def test_ring_group_example_stored_converted() -> None:
    path = next(p for p in EXAMPLES if p.stem == "02-ring-group-smartpbx-base")
    body = json.loads(path.read_text(encoding="utf-8"))
    flow, _ = validate_flow(body["data"]["flow"])
    assert flow is not None
    for endpoint in flow["data"]["endpoints"]:
        assert endpoint["timeout"] == 20
        assert endpoint["delay"] == 0


def test_empty_child_key_unchecked() -> None:
    flow, errors = validate_flow(
        {"module": "user", "children": {"": {"module": "foo"}}}
    )
    assert errors == {}
    assert flow is not None
    assert flow["children"] == {"": {"module": "foo"}}


def test_input_not_modified() -> None:
    original = nested(
        {"module": "ring_group", "data": {"endpoints": [], "repeats": "2"}}
    )
    sent = copy.deepcopy(original)
    validate_flow(sent)
    assert sent == original


def test_deep_tree_no_recursion_limit() -> None:
    node: dict[str, Any] = {"module": "hangup"}
    for _ in range(2000):
        node = {"module": "play", "data": {"id": "m"}, "children": {"_": node}}
    flow, errors = validate_flow(node)
    assert errors == {}
    assert flow is not None


def test_children_not_added() -> None:
    flow, errors = validate_flow({"module": "user"})
    assert errors == {}
    assert flow is not None
    assert "children" not in flow


def test_null_data_field_rejected() -> None:
    _, errors = validate_flow({"module": "user", "data": {"timeout": None}})
    assert errors == {"flow.data.timeout": type_error("integer", None)}


def test_big_integer_kept_exact() -> None:
    big = 123456789012345678901234567890
    flow, errors = validate_flow({"module": "user", "data": {"timeout": big}})
    assert errors == {}
    assert flow is not None
    assert flow["data"]["timeout"] == big
    assert type(flow["data"]["timeout"]) is int


def test_big_integer_string_converted() -> None:
    text = "123456789012345678901234567890"
    flow, _ = validate_flow({"module": "user", "data": {"timeout": text}})
    assert flow is not None
    assert flow["data"]["timeout"] == int(text)


# Metaflow nodes ----------------------------------------------------------------------

METAFLOW_KEY = "metaflow.numbers.1"


def test_metaflow_defaults_filled() -> None:
    node, errors = validate_metaflow({"module": "hold"}, METAFLOW_KEY)
    assert errors == {}
    assert node == {"module": "hold", "data": {"unhold_key": "1"}}


def test_metaflow_unknown_module() -> None:
    node, errors = validate_metaflow({"module": "nope"}, METAFLOW_KEY)
    assert node is None
    assert errors == {
        f"{METAFLOW_KEY}.module": {
            "error": {
                "message": "unable to find metaflow schema for module nope",
                "value": "nope",
            }
        }
    }


def test_metaflow_child_unknown_module() -> None:
    tree = {"module": "transfer", "children": {"_": {"module": "zzz"}}}
    _, errors = validate_metaflow(tree, METAFLOW_KEY)
    assert list(errors) == [f"{METAFLOW_KEY}.children._.module"]
    assert errors[f"{METAFLOW_KEY}.children._.module"]["error"]["message"] == (
        "unable to find metaflow schema for module zzz"
    )


def test_metaflow_data_type_error() -> None:
    node = {"module": "transfer", "data": {"target": 5}}
    _, errors = validate_metaflow(node, METAFLOW_KEY)
    assert errors == {f"{METAFLOW_KEY}.data.target": type_error("string", 5)}


def test_metaflow_callflow_module_missing() -> None:
    _, errors = validate_metaflow({"module": "callflow"}, METAFLOW_KEY)
    assert errors == {}


def test_metaflow_required_data() -> None:
    _, errors = validate_metaflow({"module": "pivot"}, METAFLOW_KEY)
    assert errors == {
        f"{METAFLOW_KEY}.data.voice_url": {
            "required": {"message": REQUIRED, "value": "voice_url"}
        }
    }


def test_metaflow_nested_flow_unknown_module() -> None:
    data = {"flow": {"module": "user", "children": {"_": {"module": "nope"}}}}
    _, errors = validate_metaflow({"module": "callflow", "data": data}, METAFLOW_KEY)
    assert errors == {
        f"{METAFLOW_KEY}.data.flow.children._.module": {
            "error": {
                "message": "unable to find callflow schema for module nope",
                "value": "nope",
            }
        }
    }


def test_metaflow_nested_flow_converted() -> None:
    data = {"flow": {"module": "user", "data": {"timeout": "30"}}}
    node, errors = validate_metaflow({"module": "callflow", "data": data}, "m")
    assert errors == {}
    assert node is not None
    assert node["data"]["flow"] == {
        "module": "user",
        "data": {"timeout": 30, "delay": 0, "strategy": "simultaneous"},
    }


@pytest.mark.parametrize(
    ("key", "matches"),
    [
        pytest.param("12", True, id="digits"),
        pytest.param("1a", False, id="letter"),
        pytest.param("", False, id="empty"),
        pytest.param("1\n", False, id="trailing-newline"),
    ],
)
def test_metaflow_number_keys(key: str, matches: bool) -> None:
    assert key_matches(Metaflows, "numbers", key) is matches
