"""Key cells of every era split into name, items and pattern segments."""

from __future__ import annotations

import pytest

from generator.keypath import ITEMS, Segment, format_key, split_key, strip_key_cell


def name(text: str) -> Segment:
    return Segment("name", text)


def pattern(text: str) -> Segment:
    return Segment("pattern", text)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("`flow`", [name("flow")], id="plain"),
        pytest.param(
            "`flow.data.module`",
            [name("flow"), name("data"), name("module")],
            id="dotted",
        ),
        pytest.param("`numbers.[]`", [name("numbers"), ITEMS], id="items"),
        pytest.param(
            "`gateways.[].custom_sip_headers.in`",
            [name("gateways"), ITEMS, name("custom_sip_headers"), name("in")],
            id="items-inside",
        ),
        pytest.param("`alone-sound`", [name("alone-sound")], id="dash"),
        pytest.param("`{IP}`", [name("{IP}")], id="placeholder"),
        pytest.param("flow.data", [name("flow"), name("data")], id="no-backticks"),
    ],
)
def test_split_key_names(cell: str, expected: list[Segment]) -> None:
    assert split_key(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("`children./.+/`", [name("children"), pattern(".+")], id="slash"),
        pytest.param(
            "`numbers./^[0-9]+$/`",
            [name("numbers"), pattern("^[0-9]+$")],
            id="slash-anchored",
        ),
        pytest.param(
            r"`restrictions./^\w+$/./^\w+$/.[].rules./^[\w/#*]+$/.[]`",
            [
                name("restrictions"),
                pattern(r"^\w+$"),
                pattern(r"^\w+$"),
                ITEMS,
                name("rules"),
                pattern(r"^[\w/#*]+$"),
                ITEMS,
            ],
            id="slash-inside-regex",
        ),
        pytest.param(
            r"`servers.[].DIDs./^\+?\d*$/.options.[]`",
            [
                name("servers"),
                ITEMS,
                name("DIDs"),
                pattern(r"^\+?\d*$"),
                name("options"),
                ITEMS,
            ],
            id="slash-then-children",
        ),
        pytest.param(
            r"`^[a-zA-z0-9_\-]+$`", [pattern(r"^[a-zA-z0-9_\-]+$")], id="raw-top"
        ),
        pytest.param(
            r"`^\w+$.group_consume.[]`",
            [pattern(r"^\w+$"), name("group_consume"), ITEMS],
            id="raw-then-children",
        ),
        pytest.param(
            r"`sip.custom_sip_headers.^[a-zA-z0-9_\-]+$`",
            [name("sip"), name("custom_sip_headers"), pattern(r"^[a-zA-z0-9_\-]+$")],
            id="raw-nested",
        ),
        pytest.param(
            r"`(?!id\b)(?!default\b)^.+@.+$`",
            [pattern(r"(?!id\b)(?!default\b)^.+@.+$")],
            id="raw-lookahead-with-dots",
        ),
        pytest.param(
            r"`(?!id\b)(?!default\b)^[a-zA-Z0-9.]+$`",
            [pattern(r"(?!id\b)(?!default\b)^[a-zA-Z0-9.]+$")],
            id="raw-dot-in-class",
        ),
        pytest.param("`.+`", [pattern(".+")], id="raw-dot-plus"),
        pytest.param(
            "`.+.name`", [pattern(".+"), name("name")], id="raw-dot-plus-child"
        ),
        pytest.param("`^pvt_`", [pattern("^pvt_")], id="raw-without-dollar"),
        pytest.param(
            r"`provision.feature_keys.^[0-9]+$.type`",
            [
                name("provision"),
                name("feature_keys"),
                pattern("^[0-9]+$"),
                name("type"),
            ],
            id="raw-e0-nested",
        ),
        pytest.param(
            r"`custom_application_vars./[a-zA-Z0-9\-_]+/`",
            [name("custom_application_vars"), pattern(r"[a-zA-Z0-9\-_]+")],
            id="slash-unanchored",
        ),
    ],
)
def test_split_key_patterns(cell: str, expected: list[Segment]) -> None:
    assert split_key(cell) == expected


def test_split_key_empty_cell() -> None:
    assert split_key("``") == []
    assert split_key("  ") == []


def test_split_key_trailing_dot() -> None:
    assert split_key("`a.`") == [name("a"), name("")]


def test_name_with_regex_syntax_is_pattern() -> None:
    assert split_key(r"`a.[a-z]+`") == [name("a"), pattern("[a-z]+")]


def test_format_key_round_trip() -> None:
    segments = split_key(r"`a.[].^\w+$.b`")
    assert format_key(segments) == r"a.[]./^\w+$/.b"
    assert split_key(f"`{format_key(segments)}`") == segments


def test_strip_key_cell() -> None:
    assert strip_key_cell(" `a.b` ") == "a.b"
    assert strip_key_cell("a.b") == "a.b"
