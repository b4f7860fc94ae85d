"""JSON encoding and decoding with orjson that keeps integers of any size exact.

Kazoo stores any JSON integer, because Erlang integers have no size limit.
orjson decodes an integer outside the 64-bit range as a float, rejects one
beyond the range of a double, and refuses to encode one. These functions take
the standard library's slower path for the rare texts and values that hold
such integers.

NOTE: Python converts at most 4,300 digits between text and integer by default
(`sys.get_int_max_str_digits`), so a longer integer is still invalid JSON here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

# orjson decodes every integer in [-2**63, 2**64 - 1] exactly, and each of those
# has at most 19 digits or is 20 digits long, starting with 1. A text without a
# number token of 19 digits therefore contains no integer that orjson turns into a
# float. A JSON number follows `:`, `,` or `[` (and optional whitespace), so a
# run of digits inside a string, such as a hex id, does not count. A string that
# happens to contain such a sequence only costs the slow path.
_LONG_NUMBER = re.compile(rb"[:,\[]\s*-?[0-9]{19}")
# The start of orjson's message for a number too large for a double.
_INFINITE_NUMBER = "number is infinity"
_NUMBER_STARTS = frozenset(b"-0123456789"[i : i + 1] for i in range(11))
_MIN_INTEGER = -(2**63)
_MAX_INTEGER = 2**64 - 1


def loads(data: bytes | str) -> Any:
    """Decode JSON like `orjson.loads`, keeping integers beyond 64 bits exact.

    Raises `orjson.JSONDecodeError` for invalid JSON, as orjson does.
    """
    raw = data.encode() if isinstance(data, str) else data
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not exc.msg.startswith(_INFINITE_NUMBER):
            raise
        try:
            return _exact_loads(raw)
        except (ValueError, RecursionError):
            raise exc from None
    if not _may_hold_big_integer(raw):
        return value
    try:
        return _exact_loads(raw)
    except RecursionError:
        # The standard decoder recurses once per level and stops near 1,000
        # levels, before orjson's limit of 1,024. Callers reject documents
        # that deep anyway, so orjson's decoding is returned unchanged.
        return value


def _may_hold_big_integer(raw: bytes) -> bool:
    """Tell whether `raw` may hold an integer that orjson decodes as a float."""
    if _LONG_NUMBER.search(raw) is not None:
        return True
    # A bare number as the whole text has no `:`, `,` or `[` before it.
    return raw.lstrip()[:1] in _NUMBER_STARTS and len(raw) >= 19


def _exact_loads(raw: bytes) -> Any:
    """Decode with the standard library, rejecting what orjson rejects too.

    orjson has already checked the syntax, apart from numbers too large for a
    double: those are integers here, while such a float or a `NaN` or
    `Infinity` constant raises ValueError.
    """
    return json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is too large for a double")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def dumps(value: Any, option: int = 0) -> bytes:
    """Encode like `orjson.dumps(value, option=option)`, with integers of any size."""
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        exact = _big_integers_as_fragments(value)
        if exact is value:
            raise
    return orjson.dumps(exact, option=option)


def _big_integers_as_fragments(value: Any) -> Any:
    """Return `value` with integers beyond 64 bits as raw JSON text (`Fragment`).

    Returns `value` itself when it contains no such integer.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if _MIN_INTEGER <= value <= _MAX_INTEGER:
            return value
        return orjson.Fragment(str(value).encode())
    if isinstance(value, dict):
        items = {key: _big_integers_as_fragments(item) for key, item in value.items()}
        changed = any(items[key] is not item for key, item in value.items())
        return items if changed else value
    if isinstance(value, list | tuple):
        converted = [_big_integers_as_fragments(item) for item in value]
        changed = any(new is not old for new, old in zip(converted, value, strict=True))
        return converted if changed else value
    return value
