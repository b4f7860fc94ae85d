"""Type cells of every era, and hand-written spellings, to JSON Schema fragments."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from generator.typecell import merge_alternatives, parse_type, reference_name

DTMF = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("`string`", {"type": "string"}, id="e0-bare"),
        pytest.param("`object`", {"type": "object"}, id="e0-object"),
        pytest.param("`string()`", {"type": "string"}, id="e2-parens"),
        pytest.param("`integer()`", {"type": "integer"}, id="e2-integer"),
        pytest.param("`number()`", {"type": "number"}, id="e2-number"),
        pytest.param("`null()`", {"type": "null"}, id="e2-null"),
        pytest.param("string()", {"type": "string"}, id="unbackticked"),
        pytest.param(" ", {}, id="blank"),
    ],
)
def test_parse_type_primitives(cell: str, expected: dict[str, Any]) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`string(1..128)`",
            {"type": "string", "minLength": 1, "maxLength": 128},
            id="min-max",
        ),
        pytest.param(
            "`string(1..)`", {"type": "string", "minLength": 1}, id="min-only"
        ),
        pytest.param(
            "`string(0..35)`", {"type": "string", "maxLength": 35}, id="max-only"
        ),
        pytest.param(
            "`string(32)`",
            {"type": "string", "minLength": 32, "maxLength": 32},
            id="exact",
        ),
    ],
)
def test_parse_type_string_ranges(cell: str, expected: dict[str, Any]) -> None:
    assert parse_type(cell).schema == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`string('get', 'post')`",
            {"type": "string", "enum": ["get", "post"]},
            id="e0-comma",
        ),
        pytest.param(
            "`string('both' | 'self' | 'peer')`",
            {"type": "string", "enum": ["both", "self", "peer"]},
            id="e2-pipe",
        ),
        pytest.param(
            "`string('1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '0' | "
            "'*' | '#')`",
            {"type": "string", "enum": DTMF},
            id="dtmf",
        ),
        pytest.param(
            "`string('zone')`", {"type": "string", "enum": ["zone"]}, id="single"
        ),
        pytest.param(
            "`string('a, b' | 'c|d')`",
            {"type": "string", "enum": ["a, b", "c|d"]},
            id="separators-inside-values",
        ),
    ],
)
def test_parse_type_enums(cell: str, expected: dict[str, Any]) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`boolean, string`", {"type": ["boolean", "string"]}, id="e0-comma-list"
        ),
        pytest.param(
            "`boolean, string('true', 'false', 'auto')`",
            {"type": ["boolean", "string"], "enum": [True, False, "auto"]},
            id="e0-list-with-enum",
        ),
        pytest.param(
            "`boolean() | string('true' | 'false' | 'auto')`",
            {"type": ["boolean", "string"], "enum": [True, False, "auto"]},
            id="e2-list-with-enum",
        ),
        pytest.param(
            "`boolean() | string(3..2048)`",
            {"type": ["boolean", "string"], "minLength": 3, "maxLength": 2048},
            id="e2-list-with-range",
        ),
        pytest.param(
            "`string() | integer()`", {"type": ["string", "integer"]}, id="order-kept"
        ),
        pytest.param(
            "`string() | array(string())`",
            {"type": ["string", "array"], "items": {"type": "string"}},
            id="string-or-array",
        ),
        pytest.param(
            "`string()|string()`", {"type": "string"}, id="e3-items-duplicates"
        ),
        pytest.param(
            "`string()|string()|string('zone')|object()`",
            {
                "anyOf": [
                    {"type": "string"},
                    {"type": "string", "enum": ["zone"]},
                    {"type": "object"},
                ]
            },
            id="e3-items-overlapping",
        ),
        pytest.param(
            "`string()|[#/definitions/devices](#devices)`",
            {"anyOf": [{"type": "string"}, {"$ref": "#/definitions/devices"}]},
            id="e3-items-ref",
        ),
        pytest.param(
            "`integer() || string()`",
            {"type": ["integer", "string"]},
            id="anyof-separator",
        ),
        pytest.param(
            "`[#/definitions/a](#a) || [#/definitions/b](#b)`",
            {"anyOf": [{"$ref": "#/definitions/a"}, {"$ref": "#/definitions/b"}]},
            id="anyof-refs",
        ),
    ],
)
def test_parse_type_unions(cell: str, expected: dict[str, Any]) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`#/definitions/metaflows`",
            {"$ref": "#/definitions/metaflows"},
            id="e0-backticked",
        ),
        pytest.param(
            "[#/definitions/metaflow](#metaflow)",
            {"$ref": "#/definitions/metaflow"},
            id="link",
        ),
        pytest.param(
            "[#/definitions/storage.plan.database.document](#storageplan.database.document)",
            {"$ref": "#/definitions/storage.plan.database.document"},
            id="link-dotted-anchor",
        ),
        pytest.param(
            "[#/definitions/auth_module_config](#auth.module.config)",
            {"$ref": "#/definitions/auth_module_config"},
            id="link-hand-edited-anchor",
        ),
        pytest.param(
            "[#/definitions/#/definitions/credentials](##/definitions/credentials)",
            {"$ref": "#/definitions/credentials"},
            id="link-doubled-prefix",
        ),
    ],
)
def test_parse_type_references(cell: str, expected: dict[str, Any]) -> None:
    assert parse_type(cell).schema == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("`array()`", {"type": "array"}, id="no-items"),
        pytest.param(
            "`array(string)`", {"type": "array", "items": {"type": "string"}}, id="e0"
        ),
        pytest.param(
            "`array(string(1..36))`",
            {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 36},
            },
            id="ranged-items",
        ),
        pytest.param(
            "`array(string('zrtp', 'srtp'))`",
            {"type": "array", "items": {"type": "string", "enum": ["zrtp", "srtp"]}},
            id="enum-items",
        ),
        pytest.param(
            "`array(object())`",
            {"type": "array", "items": {"type": "object"}},
            id="objects",
        ),
        pytest.param(
            "`array([#/definitions/x.y](#xy))`",
            {"type": "array", "items": {"$ref": "#/definitions/x.y"}},
            id="linked-items",
        ),
        pytest.param(
            '`["array(", "[#/definitions/comment](#comment)", ")"]`',
            {"type": "array", "items": {"$ref": "#/definitions/comment"}},
            id="list-spelling-bug",
        ),
        pytest.param(
            "`array([#/definitions/f.o](#fo)) | [#/definitions/f.o](#fo)`",
            {
                "anyOf": [
                    {"type": "array", "items": {"$ref": "#/definitions/f.o"}},
                    {"$ref": "#/definitions/f.o"},
                ]
            },
            id="array-or-ref",
        ),
        pytest.param(
            "`string, array(string)`",
            {"type": ["string", "array"], "items": {"type": "string"}},
            id="e0-string-or-array",
        ),
        pytest.param(
            "`array(array(integer()))`",
            {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
            id="nested",
        ),
    ],
)
def test_parse_type_arrays(cell: str, expected: dict[str, Any]) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`string('original' or 'specified' or 'admins')`",
            {"type": "string", "enum": ["original", "specified", "admins"]},
            id="or-enum",
        ),
        pytest.param(
            "`string` or `boolean`", {"type": ["string", "boolean"]}, id="or-types"
        ),
        pytest.param("`number()` |", {"type": "number"}, id="stray-pipe"),
        pytest.param(
            '`enum("user", "email")`',
            {"type": "string", "enum": ["user", "email"]},
            id="enum-call",
        ),
        pytest.param("`'notify'`", {"enum": ["notify"]}, id="bare-quoted"),
    ],
)
def test_hand_written_spelling_read_with_problem(
    cell: str, expected: dict[str, Any]
) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert len(parsed.problems) == 1


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param('`string("0".."9","*","#")`', {"type": "string"}, id="char-range"),
        pytest.param("`string` or a json path", {"type": "string"}, id="prose"),
        pytest.param("`uuid`", {}, id="unknown-type"),
        pytest.param("`string(`", {"type": "string"}, id="unclosed"),
    ],
)
def test_unreadable_cell_gives_problem(cell: str, expected: dict[str, Any]) -> None:
    parsed = parse_type(cell)
    assert parsed.schema == expected
    assert len(parsed.problems) == 1
    assert repr(cell) in parsed.problems[0]
    assert "fits no Kazoo notation" in parsed.problems[0]


def test_or_problem_reported_once() -> None:
    parsed = parse_type("`string('a' or 'b' or 'c')`")
    assert len(parsed.problems) == 1


def test_merge_distinct_types_to_type_list() -> None:
    merged = merge_alternatives(
        [{"type": "integer"}, {"type": "string", "minLength": 2}, {"type": "null"}]
    )
    assert merged == {"type": ["integer", "string", "null"], "minLength": 2}


def test_merge_enum_beside_integer_to_anyof() -> None:
    # A type list would apply the enum to integers too and reject 2.
    alternatives: list[dict[str, Any]] = [
        {"type": "integer"},
        {"type": "string", "enum": ["1", "x"]},
    ]
    assert merge_alternatives(alternatives) == {"anyOf": alternatives}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param(
            "`boolean() | string('auto')`",
            {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["auto"]}]},
            id="boolean-not-listed",
        ),
        pytest.param(
            "`string('true' | 'auto') | boolean()`",
            {
                "anyOf": [
                    {"type": "string", "enum": ["true", "auto"]},
                    {"type": "boolean"},
                ]
            },
            id="false-not-listed",
        ),
        pytest.param(
            "`string('zone') | object()`",
            {"anyOf": [{"type": "string", "enum": ["zone"]}, {"type": "object"}]},
            id="object",
        ),
        pytest.param(
            "`string('auto' | 'true' | 'false') | boolean()`",
            {"type": ["string", "boolean"], "enum": ["auto", True, False]},
            id="booleans-listed",
        ),
    ],
)
def test_merge_enum_keeps_every_branch(cell: str, expected: dict[str, Any]) -> None:
    assert parse_type(cell).schema == expected


def test_merge_repeated_type_to_anyof() -> None:
    alternatives: list[dict[str, Any]] = [
        {"type": "string"},
        {"type": "string", "enum": ["zone"]},
    ]
    assert merge_alternatives(alternatives) == {"anyOf": alternatives}


def test_merge_constraint_on_non_string_to_anyof() -> None:
    alternatives: list[dict[str, Any]] = [
        {"type": "integer", "enum": [1]},
        {"type": "string"},
    ]
    assert merge_alternatives(alternatives) == {"anyOf": alternatives}


def test_merge_drops_duplicates_in_order() -> None:
    merged = merge_alternatives(
        [{"type": "object"}, {"$ref": "#/definitions/x"}, {"type": "object"}]
    )
    assert merged == {"anyOf": [{"type": "object"}, {"$ref": "#/definitions/x"}]}


def test_merge_duplicates_of_one_schema() -> None:
    merged = merge_alternatives([{"$ref": "#/definitions/x"}] * 2)
    assert merged == {"$ref": "#/definitions/x"}


def test_merge_keeps_given_combinator() -> None:
    alternatives: list[dict[str, Any]] = [{"type": "string"}, {"$ref": "#/a"}]
    merged = merge_alternatives(alternatives, combinator="oneOf")
    assert merged == {"oneOf": alternatives}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("abc", id="plain-string"),
        pytest.param("zone", id="string-in-two-branches"),
        pytest.param({"key": "x"}, id="object"),
    ],
)
def test_overlapping_union_accepts_values(value: Any) -> None:
    schema = parse_type("`string()|string()|string('zone')|object()`").schema
    assert list(Draft202012Validator(schema).iter_errors(value)) == []


def test_overlapping_union_rejects_other_types() -> None:
    schema = parse_type("`string()|string('zone')|object()`").schema
    assert not Draft202012Validator(schema).is_valid(5)


def test_range_minimum_above_maximum() -> None:
    parsed = parse_type("`string(5..2)`")
    assert parsed.schema == {"type": "string"}
    assert parsed.problems == (
        "Type cell '`string(5..2)`' sets minLength 5 above maxLength 2, so no "
        "string fits; both bounds were dropped. Write `string(MIN..MAX)` with "
        "MIN <= MAX",
    )


def test_range_inverted_inside_array() -> None:
    parsed = parse_type("`array(string(9..1))`")
    assert parsed.schema == {"type": "array", "items": {"type": "string"}}
    assert len(parsed.problems) == 1


def test_reference_name_strips_prefixes() -> None:
    assert reference_name("#/definitions/metaflow") == "metaflow"
    assert reference_name("#/definitions/#/definitions/x") == "x"
