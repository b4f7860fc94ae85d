"""Number normalisation with Kazoo's default converters, and uniqueItems."""

from __future__ import annotations

import pytest

from mock_server.numbers import duplicate_items, normalize_number, normalize_numbers


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("+14155550100", "+14155550100", id="plus-kept"),
        pytest.param("+1000", "+1000", id="short-plus-kept"),
        pytest.param("4155550100", "+14155550100", id="nanp-10"),
        pytest.param("14155550100", "+14155550100", id="nanp-11"),
        pytest.param("0044123456", "+44123456", id="prefix-00"),
        pytest.param("01144123456", "+44123456", id="prefix-011"),
        pytest.param("44123456789", "+44123456789", id="long-digits"),
        pytest.param("1000", "1000", id="extension"),
        pytest.param("*97", "*97", id="feature-code"),
        pytest.param("911", "911", id="emergency"),
        pytest.param("0", "0", id="zero"),
        pytest.param("12345678", "12345678", id="leading-one"),
        pytest.param("no_match", "no_match", id="no-match"),
        pytest.param("0044", "0044", id="prefix-too-short"),
        pytest.param("5550100004", "+5550100004", id="not-nanp-but-long"),
        pytest.param("4\u0661" + "0" * 8, "4\u0661" + "0" * 8, id="arabic-digit"),
        pytest.param("00\uff14\uff14123456", "00\uff14\uff14123456", id="fullwidth"),
        pytest.param("44123456789\u0663", "44123456789\u0663", id="digit-suffix"),
        pytest.param("4155550100\n", "+14155550100", id="nanp-newline"),
        pytest.param("0044123456\n", "+44123456", id="prefix-newline"),
        pytest.param("44123456789\n", "+44123456789", id="long-newline"),
        pytest.param("4155550100\n\n", "4155550100\n\n", id="two-newlines"),
        pytest.param("4155550100\r", "4155550100\r", id="carriage-return"),
    ],
)
def test_normalize_number(number: str, expected: str) -> None:
    assert normalize_number(number) == expected


def test_normalize_numbers_keeps_non_strings() -> None:
    assert normalize_numbers(["4155550100", 5, None]) == ["+14155550100", 5, None]


def test_normalize_numbers_non_list_unchanged() -> None:
    assert normalize_numbers("4155550100") == "4155550100"


def test_duplicate_items_after_normalisation() -> None:
    numbers = normalize_numbers(["4155550100", "+14155550100"])
    assert duplicate_items(numbers) is True


def test_duplicate_items_distinct() -> None:
    assert duplicate_items(["1000", "1001", 1000]) is False


def test_duplicate_items_objects_by_value() -> None:
    assert duplicate_items([{"a": 1, "b": 2}, {"b": 2, "a": 1}]) is True
