"""Query-string filters of the listing, evaluated as Kazoo 4.3's `crossbar_filter`.

Each filter is tested against the whole stored document, private `pvt_` fields
included, and a document is listed only when every filter passes. Keys are dotted
paths into nested objects (`flow.module`). Parameters that are not filters pass.

| parameter           | passes when                                                 |
|---------------------|-------------------------------------------------------------|
| `filter_KEY=V`      | the value at KEY as text equals V, or V is a JSON list      |
|                     | that contains that text, or V decodes to that text          |
| `filter_not_KEY=V`  | `filter_KEY=V` fails                                        |
| `has_key=KEY`       | KEY is present (a JSON null counts as present)              |
| `key_missing=KEY`   | KEY is absent                                               |
| `has_value=KEY`     | the value at KEY is not empty in Kazoo's sense (see below)  |
| `value_missing=KEY` | the value at KEY is empty                                   |
| `created_from=T`    | `T <= pvt_created` (Gregorian seconds), and so on for       |
| `created_to=T`      | `T >= pvt_created`, `modified_from`, `modified_to`          |

A value as text follows Kazoo's `kz_json:get_binary_value`: strings as they are,
numbers in decimal, booleans as `true`/`false`, a list of strings concatenated (so
`filter_numbers=1000` matches only `["1000"]`), and `""` when the key is absent. A
filter that cannot be evaluated (an object compared as text, a time bound that is
not an integer) excludes the document, as Kazoo's exception handler does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

_MISSING = object()
_PREFIXES = ("filter_", "has_key", "key_missing", "has_value", "value_missing")
_EMPTY_TEXTS = frozenset({"", "0", "NULL", "undefined"})
_TIME_FIELDS = {
    "created_from": ("pvt_created", 1),
    "created_to": ("pvt_created", -1),
    "modified_from": ("pvt_modified", 1),
    "modified_to": ("pvt_modified", -1),
}

Filter = Callable[[Mapping[str, Any]], bool]


class FilterError(Exception):
    """A filter that cannot be evaluated on a document; the document is excluded."""


def is_filter(name: str) -> bool:
    """Return whether a query parameter is one of Kazoo's list filters."""
    return name.startswith(_PREFIXES) or name in _TIME_FIELDS


def compile_filters(params: Iterable[tuple[str, str]]) -> list[Filter]:
    """Turn the filter parameters among `params` into predicates; others are skipped.

    Repeated parameters each become a predicate, so `?filter_name=A&filter_name=B`
    requires both (use a JSON list for either).
    """
    return [_compile(name, value) for name, value in params if is_filter(name)]


def matches(document: Mapping[str, Any], filters: Sequence[Filter]) -> bool:
    """Return whether `document` passes every filter."""
    try:
        return all(check(document) for check in filters)
    except FilterError:
        return False


@dataclass(frozen=True, slots=True)
class FilterQuery:
    """The filter parameters of a listing request, sorted, with their predicates.

    Every filter's result depends only on the stored document, and a document is
    listed when all of them pass, so the order of the parameters never changes
    the rows. Sorting them lets requests that differ only in that order share one
    cached view. Equality and hashing use `params` alone.
    """

    params: tuple[tuple[str, str], ...]
    filters: tuple[Filter, ...] = field(compare=False)
    private: bool = field(compare=False)
    """Whether a filter reads a top-level `id`, `_…` or `pvt_…` field. The stored
    document has the `_…` and `pvt_…` fields, and lacks the public `id`."""

    def __bool__(self) -> bool:
        return bool(self.params)

    def matches(self, document: Mapping[str, Any]) -> bool:
        """Return whether `document` passes every filter."""
        return matches(document, self.filters)


def filter_query(params: Iterable[tuple[str, str]]) -> FilterQuery:
    """Collect the filter parameters among `params` into a FilterQuery."""
    chosen = tuple(sorted((name, value) for name, value in params if is_filter(name)))
    return FilterQuery(
        params=chosen,
        filters=tuple(_compile(name, value) for name, value in chosen),
        private=any(_reads_private_field(name, value) for name, value in chosen),
    )


def _reads_private_field(name: str, value: str) -> bool:
    """Tell whether a filter may read a field that the public document lacks."""
    if name in _TIME_FIELDS:
        return True
    if name.startswith("filter_not_"):
        key = name.removeprefix("filter_not_")
    elif name.startswith("filter_"):
        key = name.removeprefix("filter_")
    else:
        key = value
    top = key.split(".", 1)[0]
    return top == "id" or top.startswith(("_", "pvt_"))


def _compile(name: str, value: str) -> Filter:
    if name.startswith("filter_not_"):
        return _negate(_equals(name.removeprefix("filter_not_"), value))
    if name.startswith("filter_"):
        return _equals(name.removeprefix("filter_"), value)
    if name.startswith("has_key"):
        return _has_key(value)
    if name.startswith("key_missing"):
        return _negate(_has_key(value))
    if name.startswith("has_value"):
        return _has_value(value)
    if name.startswith("value_missing"):
        return _negate(_has_value(value))
    field, direction = _TIME_FIELDS[name]
    return _time_bound(field, direction, value)


def _negate(check: Filter) -> Filter:
    return lambda document: not check(document)


def _equals(key: str, expected: str) -> Filter:
    path = key.split(".")
    decoded = _decode_json(expected)

    def check(document: Mapping[str, Any]) -> bool:
        text = value_as_text(lookup(document, path))
        if text == expected:
            return True
        if isinstance(decoded, list):
            return text in decoded
        return decoded is not _MISSING and decoded == text

    return check


def _has_key(key: str) -> Filter:
    path = key.split(".")
    return lambda document: lookup(document, path) is not _MISSING


def _has_value(key: str) -> Filter:
    path = key.split(".")
    return lambda document: not is_empty(lookup(document, path))


def _time_bound(field: str, direction: int, bound: str) -> Filter:
    def check(document: Mapping[str, Any]) -> bool:
        try:
            limit = int(bound)
        except ValueError as exc:
            raise FilterError(f"{bound!r} is not a time in Gregorian seconds") from exc
        stamp = document.get(field)
        if not isinstance(stamp, int):
            raise FilterError(f"the document has no integer {field}")
        return (stamp - limit) * direction >= 0

    return check


def lookup(document: Mapping[str, Any], path: list[str]) -> Any:
    """Return the value at a dotted path, or a sentinel when a key is absent."""
    value: Any = document
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def value_as_text(value: Any) -> str:
    """Convert a JSON value to text as `kz_json:get_binary_value` does."""
    if value is _MISSING:
        return ""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    raise FilterError(f"cannot compare {type(value).__name__} as text")


def is_empty(value: Any) -> bool:
    """Return whether Kazoo's `kz_term:is_empty` calls a JSON value empty."""
    if value is _MISSING or value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return value in _EMPTY_TEXTS
    if isinstance(value, int | float):
        return value == 0
    if isinstance(value, list | dict):
        return not value
    return False


def _decode_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _MISSING
