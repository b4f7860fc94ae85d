"""Rows of E0 and E3 tables to one JSON Schema per table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.doctable import Table, parse_tables
from generator.jsonschema import BuiltSchema, build_schema, decode_default

E0_HEADER = (
    "Key | Description | Type | Default | Required\n--- | --- | --- | --- | ---\n"
)
E3_HEADER = (
    "Key | Description | Type | Default | Required | Support Level\n"
    "--- | --- | --- | --- | --- | ---\n"
)


def table(
    rows: str, header: str = E3_HEADER, preamble: str = "#### Schema\n\n"
) -> Table:
    return parse_tables(preamble + header + rows, Path("page.md")).tables[0]


def build(rows: str, header: str = E3_HEADER) -> BuiltSchema:
    return build_schema(table(rows, header))


E0_ROWS = """\
`flow` | A node | `object` |   | `true`
`flow.data` | Data | `object` | `{}` | `true`
`flow.module` | Module | `string(1..64)` |   | `true`
`numbers` | Numbers | `array(string(1..36))` | `[]` | `false`
`numbers.[]` |   | `string` |   | `false`
"""
E3_ROWS = """\
`flow.data` | Data | `object()` | `{}` | `true` |
`flow.module` | Module | `string(1..64)` |   | `true` |
`flow` | A node | `object()` |   | `true` |
`numbers.[]` |   | `string(1..36)` |   | `false` |
`numbers` | Numbers | `array(string(1..36))` | `[]` | `false` |
"""
EXPECTED_FLOW = {
    "type": "object",
    "properties": {
        "flow": {
            "type": "object",
            "description": "A node",
            "properties": {
                "data": {"type": "object", "description": "Data", "default": {}},
                "module": {
                    "type": "string",
                    "description": "Module",
                    "minLength": 1,
                    "maxLength": 64,
                },
            },
            "required": ["data", "module"],
        },
        "numbers": {
            "type": "array",
            "description": "Numbers",
            "default": [],
            "items": {"type": "string", "minLength": 1, "maxLength": 36},
        },
    },
    "required": ["flow"],
}


def test_e0_parent_first_rows() -> None:
    built = build(E0_ROWS, E0_HEADER)
    assert built.schema == EXPECTED_FLOW
    assert built.diagnostics == []


def test_e3_children_first_rows() -> None:
    assert build(E3_ROWS).schema == EXPECTED_FLOW


def test_both_eras_give_same_json_text() -> None:
    e0 = json.dumps(build(E0_ROWS, E0_HEADER).schema)
    e3 = json.dumps(build(E3_ROWS).schema)
    assert e0 == e3


def test_keyword_order_is_fixed() -> None:
    built = build("`a` | A | `string(1..2)` | `x` | `false` | `beta`\n")
    assert list(built.schema["properties"]["a"]) == [
        "type",
        "description",
        "minLength",
        "maxLength",
        "default",
        "x-support-level",
    ]


def test_missing_parents_created() -> None:
    built = build("`a.[].b./^x$/.c` | C | `integer()` |   | `true` |\n")
    a = built.schema["properties"]["a"]
    assert a["type"] == "array"
    assert a["items"]["type"] == "object"
    b = a["items"]["properties"]["b"]
    assert b["type"] == "object"
    assert b["patternProperties"]["^x$"]["properties"]["c"]["type"] == "integer"
    assert b["patternProperties"]["^x$"]["required"] == ["c"]


def test_late_parent_row_replaces_placeholder() -> None:
    rows = (
        "`a.b` | B | `string()` |   | `false` |\n"
        "`a` | A | [#/definitions/x](#x) |   | `false` |\n"
    )
    a = build(rows).schema["properties"]["a"]
    assert "type" not in a
    assert a["$ref"] == "#/definitions/x"


def test_pattern_properties_slash_and_raw() -> None:
    rows = (
        "`children./.+/` | Node | [#/definitions/metaflow](#metaflow) |   | `false` |\n"
        "`children` | Children | `object()` |   | `false` |\n"
        "`^[a-z]+$` | Raw | `string()` |   | `false` |\n"
    )
    schema = build(rows).schema
    assert schema["properties"]["children"]["patternProperties"] == {
        ".+": {"$ref": "#/definitions/metaflow", "description": "Node"}
    }
    assert schema["patternProperties"] == {
        "^[a-z]+$": {"type": "string", "description": "Raw"}
    }


def test_items_row_refines_parent_items() -> None:
    rows = (
        "`ips.[]` |   | `string()|string()` |   |   |\n"
        "`ips` | IPs | `array()` |   | `false` |\n"
    )
    ips = build(rows).schema["properties"]["ips"]
    assert ips["items"] == {"type": "string"}


def test_items_oneof_replaces_parent_item_type() -> None:
    rows = (
        "`e` | E | `array(string())` |   | `false` |\n"
        "`e.[]` |   | `string()|[#/definitions/devices](#devices)` |   |   |\n"
    )
    items = build(rows).schema["properties"]["e"]["items"]
    assert items == {"anyOf": [{"type": "string"}, {"$ref": "#/definitions/devices"}]}


def test_items_row_keeps_parent_constraints() -> None:
    rows = (
        "`n` | N | `array(string(1..36))` |   | `false`\n"
        "`n.[]` |   | `string` |   | `false`\n"
    )
    items = build(rows, E0_HEADER).schema["properties"]["n"]["items"]
    assert items == {"type": "string", "minLength": 1, "maxLength": 36}


def test_items_of_objects_with_children() -> None:
    rows = (
        "`a.[].id` | Id | `string()` |   | `true` |\n"
        "`a` | A | `array(object())` |   | `false` |\n"
    )
    items = build(rows).schema["properties"]["a"]["items"]
    assert items == {
        "type": "object",
        "properties": {"id": {"type": "string", "description": "Id"}},
        "required": ["id"],
    }


def test_required_ignored_on_items_and_patterns() -> None:
    rows = (
        "`a` | A | `array(string())` |   | `true` |\n"
        "`a.[]` |   | `string()` |   | `true` |\n"
        "`^x$` | X | `string()` |   | `true` |\n"
    )
    schema = build(rows).schema
    assert schema["required"] == ["a"]
    assert "required" not in schema["properties"]["a"]["items"]


def test_array_of_ref_list_spelling() -> None:
    rows = (
        '`comments` | C | `["array(", "[#/definitions/comment](#comment)", ")"]` '
        "|   | `false` |\n"
    )
    built = build(rows)
    assert built.schema["properties"]["comments"]["items"] == {
        "$ref": "#/definitions/comment"
    }
    assert built.references == [("comment", 5)]


def test_references_with_lines() -> None:
    rows = (
        "`a` | A | `#/definitions/x` |   | `false`\n"
        "`b` | B | `array(#/definitions/y)` |   | `false`\n"
    )
    assert build(rows, E0_HEADER).references == [("x", 5), ("y", 6)]


def test_support_level_not_on_items() -> None:
    rows = (
        "`f.[]` |   | `string()` |   | `false` | `supported`\n"
        "`f` | F | `array(string())` |   | `false` | `supported`\n"
    )
    flags = build(rows).schema["properties"]["f"]
    assert flags["x-support-level"] == "supported"
    assert "x-support-level" not in flags["items"]


def test_table_description_on_root() -> None:
    built = build_schema(table("", preamble="### metaflows\n\nActions.\n\n"))
    assert built.schema == {"type": "object", "description": "Actions."}


def test_placeholder_key_warns() -> None:
    built = build("`{IP}` | An IP | `string()` |   | `true` |\n")
    assert "{IP}" in built.schema["properties"]
    (warning,) = built.diagnostics
    assert warning.line == 5
    assert "placeholder '{IP}'" in warning.message


def test_empty_key_skipped_with_warning() -> None:
    built = build("`` | Nothing | `string()` |   | `false` |\n")
    assert "properties" not in built.schema
    assert "Key cell '``' is empty" in built.diagnostics[0].message


def test_duplicate_key_keeps_first_row() -> None:
    built = build(
        "`a` | A | `integer()` |   | `false` |\n"
        "`a` | A2 | `string(1..3)` | `x` | `true` |\n"
    )
    assert built.schema["properties"]["a"] == {"type": "integer", "description": "A"}
    assert "required" not in built.schema
    (warning,) = built.diagnostics
    assert warning.line == 6
    assert warning.message == (
        "key 'a' is also on line 5; this row was skipped and line 5 kept. "
        "Remove one of the two rows"
    )


def test_child_of_integer_row_skipped() -> None:
    built = build(
        "`d` | D | `integer()` |   | `false` |\n"
        "`d.x` | X | `string()` |   | `true` |\n"
        "`d.x.y` | Y | `string()` |   | `false` |\n"
    )
    assert built.schema["properties"]["d"] == {"type": "integer", "description": "D"}
    (warning,) = built.diagnostics
    assert warning.line == 6
    assert warning.message == (
        "key 'd.x' is below 'd', whose type is integer, not object; the row and "
        "1 more below it were skipped. Fix the Type cell of 'd' or the key"
    )


def test_child_before_its_parent_row_skipped() -> None:
    built = build(
        "`d./^x$/` | X | `string()` |   | `false` |\n"
        "`d` | D | `boolean() | string()` |   | `false` |\n"
    )
    assert "patternProperties" not in built.schema["properties"]["d"]
    (warning,) = built.diagnostics
    assert warning.line == 5
    assert warning.message.startswith(
        "key 'd./^x$/' is below 'd', whose type is boolean | string, not object; "
        "the row was skipped."
    )


def test_items_row_of_string_skipped() -> None:
    built = build(
        "`s` | S | `string()` |   | `false` |\n`s.[]` |   | `string()` |   |   |\n"
    )
    assert built.schema["properties"]["s"] == {"type": "string", "description": "S"}
    (warning,) = built.diagnostics
    assert warning.line == 6
    assert "whose type is string, not array" in warning.message


def test_child_of_object_union_kept() -> None:
    built = build(
        "`o` | O | `boolean() | object()` |   | `false` |\n"
        "`o.x` | X | `string()` |   | `false` |\n"
    )
    assert list(built.schema["properties"]["o"]["properties"]) == ["x"]
    assert built.diagnostics == []


def test_hand_written_type_warns_with_line() -> None:
    built = build("`v` | V | `string` or `boolean` |   | `false` |\n")
    assert built.schema["properties"]["v"]["type"] == ["string", "boolean"]
    assert built.diagnostics[0].line == 5
    assert "Type cell '`string` or `boolean`'" in built.diagnostics[0].message


def test_unexpected_required_cell_warns() -> None:
    built = build(
        "`a` | A | `string()` |   | `no` |\n`b` | B | `string()` |   | `yes` |\n"
    )
    assert built.schema["required"] == ["b"]
    assert len(built.diagnostics) == 2


def test_default_not_fitting_type_warns() -> None:
    built = build("`slots` | S | `object` | `null` | `false` |\n")
    assert built.schema["properties"]["slots"]["default"] == "null"
    assert "does not fit the Type cell" in built.diagnostics[0].message


def test_default_outside_enum_dropped() -> None:
    built = build("`c` | C | `string('red' | 'blue')` | `green` | `false` |\n")
    assert built.schema["properties"]["c"] == {
        "type": "string",
        "description": "C",
        "enum": ["red", "blue"],
    }
    (warning,) = built.diagnostics
    assert warning.line == 5
    assert warning.message == (
        "Default cell '`green`' does not fit the Type cell \"`string('red' | "
        "'blue')`\" because it is not one of the enum values; the default was "
        "dropped. Use one of the values the Type cell lists"
    )


def test_default_element_outside_items_enum() -> None:
    built = build(
        "`e` | E | `array(string('a' | 'b'))` | `[\"a\", \"c\"]` | `false` |\n"
    )
    assert "default" not in built.schema["properties"]["e"]
    (warning,) = built.diagnostics
    assert "because its element 'c' is not one of the enum values" in warning.message


@pytest.mark.parametrize(
    ("type_cell", "default", "expected"),
    [
        pytest.param("`string('red' | 'blue')`", "`blue`", "blue", id="string"),
        pytest.param(
            "`boolean() | string('true' | 'false' | 'auto')`",
            "`true`",
            True,
            id="union-boolean",
        ),
        pytest.param("`array(string('a' | 'b'))`", '`["b"]`', ["b"], id="items-enum"),
        pytest.param("`array(string('a' | 'b'))`", "`[]`", [], id="empty-list"),
    ],
)
def test_default_inside_enum_kept(type_cell: str, default: str, expected: Any) -> None:
    built = build(f"`k` | K | {type_cell} | {default} | `false` |\n")
    assert built.schema["properties"]["k"]["default"] == expected
    assert built.diagnostics == []


@pytest.mark.parametrize(
    ("cell", "schema", "expected"),
    [
        pytest.param('""', {"type": "string"}, "", id="empty-string"),
        pytest.param("`*`", {"type": "string", "enum": ["*"]}, "*", id="string"),
        pytest.param("`5`", {"type": "string"}, "5", id="digits-as-string"),
        pytest.param("`5`", {"type": "integer"}, 5, id="integer"),
        pytest.param("`0.5`", {"type": "number"}, 0.5, id="float"),
        pytest.param("`2`", {"type": "number"}, 2, id="number-integral"),
        pytest.param("`true`", {"type": "boolean"}, True, id="boolean"),
        pytest.param("`{}`", {"type": "object"}, {}, id="empty-object"),
        pytest.param(
            '`{"a":{"b":1}}`', {"type": "object"}, {"a": {"b": 1}}, id="json-object"
        ),
        pytest.param("`[]`", {"type": "array"}, [], id="empty-list"),
        pytest.param(
            '`["PCMU", "PCMA"]`', {"type": "array"}, ["PCMU", "PCMA"], id="list"
        ),
        pytest.param(
            '`["1", "2"]`',
            {"type": "array", "items": {"type": "integer"}},
            [1, 2],
            id="list-elements-by-item-type",
        ),
        pytest.param(
            "`PCMU`",
            {"type": "array", "items": {"type": "string"}},
            ["PCMU"],
            id="e0-flattened-list",
        ),
        pytest.param(
            "`2000`", {"type": ["string", "integer"]}, "2000", id="union-string-first"
        ),
        pytest.param(
            "`2000`", {"type": ["integer", "string"]}, 2000, id="union-integer-first"
        ),
        pytest.param(
            "`true`", {"type": ["boolean", "string"]}, True, id="union-boolean-first"
        ),
        pytest.param("`{}`", {"$ref": "#/definitions/x"}, {}, id="untyped-json"),
        pytest.param("`abc`", {}, "abc", id="untyped-text"),
        pytest.param(
            '`"manual"`', {"type": "string"}, "manual", id="json-string-literal"
        ),
        pytest.param("`null`", {"type": ["object", "null"]}, None, id="null"),
    ],
)
def test_decode_default(cell: str, schema: dict[str, Any], expected: Any) -> None:
    value, fits = decode_default(cell, schema)
    assert value == expected
    assert type(value) is type(expected)
    assert fits


def test_decode_default_blank() -> None:
    assert decode_default("  ", {"type": "string"}) == (None, True)


def test_decode_default_not_fitting() -> None:
    assert decode_default("`abc`", {"type": "integer"}) == ("abc", False)
