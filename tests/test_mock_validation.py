"""Callflow validation with the generated model, in Kazoo's error shape."""

from __future__ import annotations

from typing import Any

from mock_support import example

from generated.models import Callflows
from mock_server.schema_errors import kazoo_key
from mock_server.validation import check_callflow


def check(data: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return check_callflow(Callflows, data)


USER_DEFAULTS = {"delay": 0, "strategy": "simultaneous", "timeout": 20}


def test_valid_gets_defaults() -> None:
    document, errors = check({"numbers": ["1000"], "flow": {"module": "user"}})
    assert errors == {}
    assert document == {
        "numbers": ["1000"],
        "flow": {"module": "user", "children": {}, "data": USER_DEFAULTS},
        "patterns": [],
    }


def test_nested_children_get_defaults() -> None:
    flow = {"module": "menu", "children": {"1": {"module": "user"}}}
    document, _ = check({"numbers": ["1"], "flow": flow})
    assert document["flow"]["children"]["1"] == {
        "module": "user",
        "data": USER_DEFAULTS,
    }


def test_module_data_values_kept_over_defaults() -> None:
    flow = {"module": "user", "data": {"timeout": 45, "id": "u1"}}
    document, _ = check({"numbers": ["1"], "flow": flow})
    assert document["flow"]["data"] == {
        "timeout": 45,
        "id": "u1",
        "delay": 0,
        "strategy": "simultaneous",
    }


def test_module_data_decimal_string_rejected() -> None:
    flow = {"module": "user", "data": {"timeout": "2.5"}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert list(errors) == ["flow.data.timeout"]
    assert errors["flow.data.timeout"]["type"]["target"] == "integer"


def test_deep_nested_module_error() -> None:
    leaf = {"module": "user", "data": {"timeout": "soon"}}
    middle = {
        "module": "menu",
        "children": {"1": {"module": "menu", "children": {"2": leaf}}},
    }
    _, errors = check({"numbers": ["1"], "flow": middle})
    assert list(errors) == ["flow.children.1.children.2.data.timeout"]


def test_module_data_strings_coerced() -> None:
    data = example("02-ring-group-smartpbx-base")["data"]
    document, errors = check(data)
    assert errors == {}
    endpoint = document["flow"]["data"]["endpoints"][0]
    assert endpoint["timeout"] == 20
    assert endpoint["delay"] == 0


def test_unknown_module() -> None:
    _, errors = check({"numbers": ["1"], "flow": {"module": "foo"}})
    assert errors == {
        "flow.module": {
            "error": {
                "message": "unable to find callflow schema for module foo",
                "value": "foo",
            }
        }
    }


def test_unknown_nested_module() -> None:
    flow = {"module": "menu", "children": {"_": {"module": "foo"}}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert list(errors) == ["flow.children._.module"]
    assert errors["flow.children._.module"]["error"]["value"] == "foo"


def test_module_not_a_string() -> None:
    _, errors = check({"numbers": ["1"], "flow": {"module": 5}})
    assert errors == {
        "flow.module": {
            "type": {
                "message": "Value did not match type(s): string",
                "target": "string",
                "value": 5,
            }
        }
    }


def test_module_data_required_field() -> None:
    flow = {"module": "ring_group", "data": {}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert errors == {
        "flow.data.endpoints": {
            "required": {
                "message": "Field is required but missing",
                "value": "endpoints",
            }
        }
    }


def test_module_data_enum() -> None:
    flow = {"module": "user", "data": {"strategy": "all"}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert errors == {
        "flow.data.strategy": {
            "enum": {
                "message": "Value not found in enumerated list of values",
                "target": ["simultaneous", "single"],
                "value": "all",
            }
        }
    }


def test_module_data_wrong_type() -> None:
    flow = {"module": "user", "data": {"timeout": "soon"}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert errors == {
        "flow.data.timeout": {
            "type": {
                "message": "Value did not match type(s): integer",
                "target": "integer",
                "value": "soon",
            }
        }
    }


def test_metaflow_default_binding_digit() -> None:
    document, errors = check(
        {"numbers": ["1"], "flow": {"module": "hangup"}, "metaflow": {}}
    )
    assert errors == {}
    assert document["metaflow"] == {"binding_digit": "*"}


def test_string_integer_coerced() -> None:
    data = {
        "numbers": ["1"],
        "flow": {"module": "hangup"},
        "metaflow": {"digit_timeout": "20"},
    }
    document, errors = check(data)
    assert errors == {}
    assert document["metaflow"]["digit_timeout"] == 20


def test_unknown_keys_kept_private_dropped() -> None:
    data = {"numbers": ["1"], "flow": {"module": "hangup"}, "ui_metadata": {"a": 1}}
    data.update({"_rev": "1-x", "pvt_type": "user", "id": "x", "metadata": {}})
    document, errors = check(data)
    assert errors == {}
    assert document["ui_metadata"] == {"a": 1}
    assert not {"_rev", "pvt_type", "id", "metadata"} & set(document)


def test_numbers_normalised() -> None:
    document, _ = check(
        {"numbers": ["4155550100", "1000"], "flow": {"module": "hangup"}}
    )
    assert document["numbers"] == ["+14155550100", "1000"]


def test_numbers_or_patterns_required() -> None:
    _, errors = check({"flow": {"module": "hangup"}})
    assert errors == {
        "numbers": {
            "required": {
                "message": "Callflows must be assigned at least one number or pattern"
            }
        }
    }


def test_patterns_alone_suffice() -> None:
    _, errors = check({"patterns": ["^1$"], "flow": {"module": "hangup"}})
    assert errors == {}


def test_numbers_not_a_list() -> None:
    _, errors = check({"numbers": "1000", "flow": {"module": "hangup"}})
    assert errors == {
        "numbers": {
            "required": {
                "message": "Callflows must be assigned at least one number or pattern"
            },
            "type": {
                "message": "Value did not match type(s): array",
                "target": "array",
                "value": "1000",
            },
        }
    }


def test_duplicate_after_normalisation() -> None:
    data = {"numbers": ["4155550100", "+14155550100"], "flow": {"module": "hangup"}}
    _, errors = check(data)
    assert errors == {
        "numbers": {
            "uniqueItems": {
                "message": "List of items is not unique",
                "value": ["+14155550100", "+14155550100"],
            }
        }
    }


def test_number_too_long() -> None:
    _, errors = check({"numbers": ["1" * 37], "flow": {"module": "hangup"}})
    assert errors == {
        "numbers.0": {
            "maxLength": {
                "message": "String must not be more than 36 characters",
                "target": 36,
                "cause": "1" * 37,
                "value": "1" * 37,
            }
        }
    }


def test_flow_required() -> None:
    _, errors = check({"numbers": ["1"]})
    assert errors == {
        "flow": {
            "required": {"message": "Field is required but missing", "value": "flow"}
        }
    }


def test_nested_module_required() -> None:
    flow = {"module": "menu", "children": {"_": {"data": {}}}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert errors == {
        "flow.children._.module": {
            "required": {"message": "Field is required but missing", "value": "module"}
        }
    }


def test_module_min_length() -> None:
    _, errors = check({"numbers": ["1"], "flow": {"module": ""}})
    assert errors["flow.module"]["minLength"] == {
        "message": "String must be at least 1 characters",
        "target": 1,
        "cause": "",
        "value": "",
    }


def test_wrong_type() -> None:
    _, errors = check({"numbers": ["1"], "flow": {"module": "hangup", "data": "y"}})
    assert errors == {
        "flow.data": {
            "type": {
                "message": "Value did not match type(s): object",
                "target": "object",
                "value": "y",
            }
        }
    }


def test_enum_lists_values() -> None:
    data = {
        "numbers": ["1"],
        "flow": {"module": "hangup"},
        "metaflow": {"listen_on": "all"},
    }
    _, errors = check(data)
    assert errors == {
        "metaflow.listen_on": {
            "enum": {
                "message": "Value not found in enumerated list of values",
                "target": ["both", "self", "peer"],
                "value": "all",
            }
        }
    }


def test_featurecode_number_max_length() -> None:
    data = {
        "numbers": ["1"],
        "flow": {"module": "hangup"},
        "featurecode": {"number": "9" * 31},
    }
    _, errors = check(data)
    assert list(errors) == ["featurecode.number"]
    assert errors["featurecode.number"]["maxLength"]["target"] == 30


def test_errors_reported_together() -> None:
    _, errors = check({"numbers": [], "flow": {"module": ""}})
    assert sorted(errors) == ["flow.module", "numbers"]


def test_data_not_an_object() -> None:
    _, errors = check([1])
    assert errors == {
        "data": {
            "type": {
                "message": "Value did not match type(s): object",
                "target": "object",
                "value": [1],
            }
        }
    }


def test_kazoo_key_escapes_dots() -> None:
    assert kazoo_key(["flow", "data", "a.b", 0]) == "flow.data.a%2Eb.0"


# Nulls, metaflows, flow node defaults, big integers --------------------------------

UNKNOWN_METAFLOW = "unable to find metaflow schema for module {}"


def type_body(target: str, value: Any) -> dict[str, Any]:
    message = f"Value did not match type(s): {target}"
    return {"type": {"message": message, "target": target, "value": value}}


def test_null_numbers_rejected() -> None:
    _, errors = check(
        {"numbers": None, "patterns": ["^1$"], "flow": {"module": "user"}}
    )
    assert errors == {"numbers": type_body("array", None)}


def test_null_flow_data_field_rejected() -> None:
    flow = {"module": "user", "data": {"timeout": None}}
    _, errors = check({"numbers": ["1"], "flow": flow})
    assert errors == {"flow.data.timeout": type_body("integer", None)}


def test_null_metaflow_rejected() -> None:
    _, errors = check({"numbers": ["1"], "flow": {"module": "user"}, "metaflow": None})
    assert errors == {"metaflow": type_body("object", None)}


def test_metaflow_unknown_module() -> None:
    metaflow = {"numbers": {"1": {"module": "nope"}}}
    _, errors = check(
        {"numbers": ["1"], "flow": {"module": "user"}, "metaflow": metaflow}
    )
    assert errors == {
        "metaflow.numbers.1.module": {
            "error": {"message": UNKNOWN_METAFLOW.format("nope"), "value": "nope"}
        }
    }


def test_metaflow_and_flow_errors_together() -> None:
    metaflow = {"patterns": {"^1$": {"module": "transfer", "data": {"target": 5}}}}
    flow = {"module": "user", "children": {"_": {"module": "foo"}}}
    _, errors = check({"numbers": ["1"], "flow": flow, "metaflow": metaflow})
    assert sorted(errors) == [
        "flow.children._.module",
        "metaflow.patterns.^1$.data.target",
    ]
    assert errors["metaflow.patterns.^1$.data.target"] == type_body("string", 5)


def test_metaflow_stored_with_defaults() -> None:
    metaflow = {"numbers": {"2": {"module": "hold"}}}
    document, errors = check(
        {"numbers": ["1"], "flow": {"module": "user"}, "metaflow": metaflow}
    )
    assert errors == {}
    assert document["metaflow"] == {
        "numbers": {"2": {"module": "hold", "data": {"unhold_key": "1"}}},
        "binding_digit": "*",
    }


def test_metaflow_container_wrong_type() -> None:
    metaflow = {"numbers": ["1"]}
    _, errors = check(
        {"numbers": ["1"], "flow": {"module": "user"}, "metaflow": metaflow}
    )
    assert errors == {"metaflow.numbers": type_body("object", ["1"])}


def test_metaflow_non_digit_key_unchecked() -> None:
    metaflow = {"numbers": {"abc": {"module": "nope"}, "2": {"module": "break"}}}
    document, errors = check(
        {"numbers": ["1"], "flow": {"module": "user"}, "metaflow": metaflow}
    )
    assert errors == {}
    assert document["metaflow"]["numbers"] == {
        "abc": {"module": "nope"},
        "2": {"module": "break", "data": {}},
    }


def test_children_default_top_only() -> None:
    flow = {"module": "menu", "children": {"1": {"module": "hangup"}}}
    document, _ = check({"numbers": ["1"], "flow": {"module": "user"}})
    nested, _ = check({"numbers": ["1"], "flow": flow})
    assert document["flow"]["children"] == {}
    assert nested["flow"]["children"]["1"] == {"module": "hangup", "data": {}}


def test_big_integer_stored_exact() -> None:
    big = 123456789012345678901234567890
    flow = {"module": "user", "data": {"timeout": big}}
    document, errors = check({"numbers": ["1"], "flow": flow, "extra": [big]})
    assert errors == {}
    assert document["flow"]["data"]["timeout"] == big
    assert document["extra"] == [big]


def test_big_integer_number_duplicates() -> None:
    big = 123456789012345678901234567890
    _, errors = check({"numbers": [big, big], "flow": {"module": "user"}})
    assert errors["numbers"]["uniqueItems"]["value"] == [big, big]
