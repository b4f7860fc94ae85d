"""Number normalisation with Kazoo 4.3's default converters (`knm_converter_regex`).

Rules, tried in order; the first that matches decides:

1. a number that starts with `+` is kept;
2. `^(\\+?1)?([2-9][0-9]{2}[2-9][0-9]{6})$` (NANP) becomes `+1` and the 10 digits;
3. `^011(\\d{5,})$` or `^00(\\d{5,})$` (international) becomes `+` and the digits;
4. `^[2-9]\\d{7,}$` becomes `+` and the number;
5. anything else (`1000`, `*97`, `no_match`) is kept.

The patterns keep Erlang's `re` semantics, which Kazoo runs them with. `\\d`
matches ASCII digits only, as in Erlang without the `ucp` option, so the
patterns use `[0-9]` (Python's `\\d` also matches other Unicode digits). `$`
matches at the end or before one final newline, as in Erlang without the
`dollar_endonly` option and as Python's `$` does. Kazoo then builds the number
from the matched text (the last capture, or the whole match without captures),
so `"4155550100\\n"` becomes `"+14155550100"` and the newline is dropped.

Kazoo applies this before checking uniqueness and the schema, and stores the result.
An account's `dial_plan` can change these rules in Kazoo; the mock has no dial plans.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from mock_server import jsoncodec

_NANP = re.compile(r"^(?:\+?1)?([2-9][0-9]{2}[2-9][0-9]{6})$")
_INTERNATIONAL = re.compile(r"^011([0-9]{5,})$|^00([0-9]{5,})$")
_LONG = re.compile(r"^[2-9][0-9]{7,}$")


def normalize_number(number: str) -> str:
    """Return `number` in E.164 form where Kazoo's default rules give one."""
    if number.startswith("+"):
        return number
    match = _NANP.match(number)
    if match:
        return "+1" + match.group(1)
    match = _INTERNATIONAL.match(number)
    if match:
        return "+" + (match.group(1) or match.group(2))
    match = _LONG.match(number)
    if match:
        return "+" + match.group(0)
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
        key = jsoncodec.dumps(value, orjson.OPT_SORT_KEYS)
        if key in seen:
            return True
        seen.add(key)
    return False
