"""Tests of JSON encoding and decoding with integers of any size."""

from __future__ import annotations

import orjson
import pytest

from mock_server import jsoncodec

BIG = 123456789012345678901234567890


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(BIG, id="above-64-bits"),
        pytest.param(-BIG, id="below-64-bits"),
        pytest.param(2**64, id="just-above-unsigned"),
        pytest.param(-(2**63) - 1, id="just-below-signed"),
        pytest.param(int("9" * 400), id="beyond-double"),
    ],
)
def test_big_integer_decoded_exact(value: int) -> None:
    decoded = jsoncodec.loads(f'{{"t":{value}}}'.encode())
    assert decoded == {"t": value}
    assert type(decoded["t"]) is int


def test_64_bit_integers_decoded() -> None:
    assert jsoncodec.loads(b"[18446744073709551615,-9223372036854775808]") == [
        2**64 - 1,
        -(2**63),
    ]


def test_floats_stay_floats() -> None:
    assert jsoncodec.loads(b'{"f":1.5,"g":12345678901234567890.5}') == {
        "f": 1.5,
        "g": 12345678901234567890.5,
    }


def test_digits_in_strings_kept() -> None:
    text = b'{"s":"1234567890123456789012345"}'
    assert jsoncodec.loads(text) == {"s": "1234567890123456789012345"}


def test_str_input_accepted() -> None:
    assert jsoncodec.loads(f"[{BIG}]") == [BIG]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(b"[1e400]", id="float-beyond-double"),
        pytest.param(b"[" + b"9" * 400 + b",NaN]", id="nan-after-big"),
        pytest.param(b"[" + b"9" * 5000 + b"]", id="over-4300-digits"),
        pytest.param(b'{"a":', id="truncated"),
    ],
)
def test_invalid_json_rejected(text: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        jsoncodec.loads(text)


def test_big_integer_encoded_exact() -> None:
    value = {"a": [BIG, -(2**64), 5, True], "b": orjson.Fragment(b"[1]")}
    assert jsoncodec.dumps(value) == (
        b'{"a":[123456789012345678901234567890,-18446744073709551616,5,true],"b":[1]}'
    )


def test_big_integer_indented() -> None:
    text = jsoncodec.dumps({"a": BIG}, orjson.OPT_INDENT_2)
    assert text == b'{\n  "a": 123456789012345678901234567890\n}'


def test_small_values_as_orjson() -> None:
    value = {"a": [1, 2.5, None, "x"]}
    assert jsoncodec.dumps(value, orjson.OPT_SORT_KEYS) == orjson.dumps(value)


def test_unsupported_type_still_raises() -> None:
    with pytest.raises(TypeError):
        jsoncodec.dumps({"a": object()})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(b'{"id":"a11ce000000000000000000000000001"}', False, id="hex-id"),
        pytest.param(b'{"t":12345678901234567890}', True, id="member"),
        pytest.param(b"[1, -12345678901234567890]", True, id="item"),
        pytest.param(b"-12345678901234567890", True, id="bare"),
        pytest.param(b'{"t":20}', False, id="small"),
    ],
)
def test_big_integer_detection(text: bytes, expected: bool) -> None:
    assert jsoncodec._may_hold_big_integer(text) is expected
