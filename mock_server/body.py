"""Reading and decoding request bodies as Kazoo's crossbar does, before routing.

Kazoo parses the body first, so a malformed body gets its 400 even on a path
that does not exist. The checks, in order:

1. a body over the upload limit (8,000,000 bytes) → 400 `file.maxSize`, decided
   from Content-Length when sent, else as soon as the received bytes pass it;
2. content types that carry no JSON (file uploads) give `data = {}`, and unknown
   types are marked so that writes can return 415 after authentication;
3. an empty body means `data = {}`. Any other body must be a JSON object
   (else 400 `json.invalid`) with a `data` key (else 400 `data.required`), and
   `data` must be an object or an array (else 400 `data.type`).

JSON nested deeper than `MAX_JSON_DEPTH` levels gets 400 `json.invalid` too, so
that no later step (validation, defaults, encoding the response) recurses too
deep: orjson encodes at most 254 levels, and error bodies echo the input.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from mock_server import jsoncodec
from mock_server.errors import (
    MSG_ALL_JSON_VALID,
    MSG_MAX_DEPTH,
    EnvelopeInvalid,
    InvalidJson,
    PayloadTooLarge,
)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

JSON_TYPES = frozenset({"application/json", "application/x-json"})
FORM_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "multipart/mixed"}
)
FILE_TYPES = frozenset(
    {"application/octet-stream", "text/csv", "text/comma-separated-values"}
)

ACCEPTED_TYPES = JSON_TYPES | FORM_TYPES | FILE_TYPES

MAX_JSON_DEPTH = 128
"""Levels of objects and arrays a body may nest, the envelope being level 1.

A flow node and its `children` object take two levels, so a flow can be about
60 nodes deep."""


class ClientDisconnected(Exception):
    """The client went away before sending the whole body."""


def media_type(content_type: str | None) -> str | None:
    """Return the lower-cased media type of a Content-Type header, without params."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_accepted(media: str | None) -> bool:
    """Return whether Kazoo accepts this media type on PUT, POST and PATCH."""
    return media is None or media in ACCEPTED_TYPES


async def read_body(receive: Receive, limit: int, content_length: int | None) -> bytes:
    """Read the whole body, raising PayloadTooLarge once it passes `limit` bytes."""
    if content_length is not None and content_length > limit:
        raise PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def decode_envelope(body: bytes, media: str | None) -> dict[str, Any]:
    """Decode a request body into an envelope whose `data` Kazoo accepts.

    Returns `{"data": {}}` for an empty body and for bodies Kazoo treats as file
    uploads. Top-level keys are lower-cased with `-` as `_`, as Kazoo does.
    """
    if media is not None and media not in JSON_TYPES and media not in FORM_TYPES:
        return {"data": {}}
    if not body.strip():
        return {"data": {}}
    try:
        decoded = jsoncodec.loads(body)
    except orjson.JSONDecodeError as exc:
        if media in FORM_TYPES:
            return {"data": {}}
        if exc.msg.startswith("depth limit"):
            raise InvalidJson(MSG_MAX_DEPTH.format(limit=MAX_JSON_DEPTH)) from exc
        raise InvalidJson(_jiffy_message(exc, body)) from exc
    if not isinstance(decoded, dict):
        raise InvalidJson(MSG_ALL_JSON_VALID)
    if _nested_too_deep(decoded, body, MAX_JSON_DEPTH):
        raise InvalidJson(MSG_MAX_DEPTH.format(limit=MAX_JSON_DEPTH))
    envelope = {_normalize_key(k): v for k, v in decoded.items()}
    if "data" not in envelope:
        raise EnvelopeInvalid.missing(envelope)
    if not isinstance(envelope["data"], dict | list):
        raise EnvelopeInvalid.wrong_type(envelope["data"])
    return envelope


def _nested_too_deep(value: dict[str, Any], body: bytes, limit: int) -> bool:
    """Return whether objects and arrays in `value` nest more than `limit` levels.

    The walk uses a stack, not recursion. A body with at most `limit` brackets
    cannot nest deeper, so most bodies skip the walk.
    """
    if body.count(b"{") + body.count(b"[") <= limit:
        return False
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > limit:
            return True
        items = container.values() if isinstance(container, dict) else container
        for item in items:
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
    return False


def _normalize_key(key: str) -> str:
    return key.lower().replace("-", "_")


def _jiffy_message(exc: orjson.JSONDecodeError, body: bytes) -> str:
    """Word a JSON error as Kazoo's decoder (jiffy) does: `<reason> around <pos>`.

    NOTE: the reasons follow jiffy's names, but the position is orjson's 0-based
    character offset plus one, which can differ from jiffy's byte offset.
    """
    if "UTF-8" in exc.msg:
        reason = "invalid_string"
    elif exc.pos >= len(body.rstrip()):
        reason = "truncated_json"
    else:
        reason = "invalid_json"
    return f"{reason} around {exc.pos + 1}"
