"""Number normalisation with Kazoo 4.3's default converters (`knm_converter_regex`).

Rules, tried in order; the first that matches decides:

1. a number that starts with `+` is kept;
2. `^(\\+?1)?([2-9][0-9]{2}[2-9][0-9]{6})$` (NANP) becomes `+1` and the 10 digits;
3. `^011(\\d{5,})$` or `^00(\\d{5,})$` (international) becomes `+` and the digits;
4. `^[2-9]\\d{7,}$` becomes `+` and the number;
5. anything else (`1000`, `*97`, `no_match`) is kept.

Kazoo applies this before checking uniqueness and the schema, and stores the result.
An account's `dial_plan` can change these rules in Kazoo; the mock has no dial plans.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

_NANP = re.compile(r"(?:\+?1)?([2-9][0-9]{2}[2-9][0-9]{6})")
_INTERNATIONAL = re.compile(r"011(\d{5,})|00(\d{5,})")
_LONG = re.compile(r"[2-9]\d{7,}")


def normalize_number(number: str) -> str:
    """Return `number` in E.164 form where Kazoo's default rules give one."""
    if number.startswith("+"):
        return number
    match = _NANP.fullmatch(number)
    if match:
        return "+1" + match.group(1)
    match = _INTERNATIONAL.fullmatch(number)
    if match:
        return "+" + (match.group(1) or match.group(2))
    if _LONG.fullmatch(number):
        return "+" + number
    return number


def normalize_numbers(numbers: Any) -> Any:
    """Normalise each string of a `numbers` list; leave anything else unchanged.

    Non-list values and non-string items pass through untouched, so schema
    validation reports them with their original value.
    """
    if not isinstance(numbers, list):
        return numbers
    return [normalize_number(n) if isinstance(n, str) else n for n in numbers]


def duplicate_items(values: list[Any]) -> bool:
    """Return whether a JSON list has two equal items (JSON Schema `uniqueItems`)."""
    seen: set[bytes] = set()
    for value in values:
        key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        if key in seen:
            return True
        seen.add(key)
    return False
