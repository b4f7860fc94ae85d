"""Paging parameters of the listing, and Kazoo 4.3's start-key encoding.

A start key is the base64url text, without padding, of Erlang's external term
format of the view key. For the callflows listing the key is the document id, an
Erlang binary, so the bytes are `0x83` (format version), `m` (binary tag), the
length as a 32-bit big-endian integer, then the id itself:

    encode("abc") == "g20AAAADYWJj"

Kazoo decodes an incoming `start_key` the same way and uses the raw text when that
fails, so a plain document id is a valid start key too.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PAGE_SIZE = 50
_BINARY_PREFIX = b"\x83m"


def encode_start_key(key: str) -> str:
    """Return the start key Kazoo 4.3 sends for the view key `key`."""
    raw = key.encode()
    term = _BINARY_PREFIX + struct.pack(">I", len(raw)) + raw
    return base64.urlsafe_b64encode(term).rstrip(b"=").decode("ascii")


def decode_start_key(text: str) -> str:
    """Return the view key of a start key; text that is no encoded binary is the key."""
    padded = text + "=" * (-len(text) % 4)
    try:
        term = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return text
    if len(term) < 6 or not term.startswith(_BINARY_PREFIX):
        return text
    (length,) = struct.unpack(">I", term[2:6])
    if length != len(term) - 6:
        return text
    try:
        return term[6:].decode()
    except UnicodeDecodeError:
        return text


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The rows a list request selects: a page size and start key, or every row."""

    paginate: bool = True
    page_size: int = DEFAULT_PAGE_SIZE
    start_key: str | None = None  # decoded view key


def page_request(values: Mapping[str, Any]) -> PageRequest:
    """Read `paginate`, `page_size` and `start_key` as Kazoo 4.3 does.

    `values` contains the request values already looked up in Kazoo's order (`data`,
    then the query string, then the envelope). A `page_size` that is not a positive
    integer means the default of 50, as in 4.3.
    """
    paginate = values.get("paginate")
    if paginate is not None and _is_false(paginate):
        return PageRequest(paginate=False)
    start = values.get("start_key")
    start_key = decode_start_key(start) if isinstance(start, str) and start else None
    return PageRequest(True, _page_size(values.get("page_size")), start_key)


def _page_size(value: Any) -> int:
    if isinstance(value, bool):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size > 0 else DEFAULT_PAGE_SIZE


def _is_false(value: Any) -> bool:
    """Return whether Kazoo's `kz_term:is_true` would call `value` false."""
    if value is True:
        return False
    if isinstance(value, str):
        return value.lower() != "true"
    return True
