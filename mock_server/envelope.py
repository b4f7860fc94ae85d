"""Kazoo 4.3 response envelopes and headers, rendered straight to bytes.

Success:  auth_token?, status, request_id, node, version, timestamp, revision?,
          data, then page_size / start_key / next_start_key on list pages.
Error:    auth_token ("undefined" without a token, as 4.3 sends), request_id,
          node, version, timestamp, status, message, error (the status as text),
          data.

With `jsonp=NAME` in the data, the query string or the envelope (Kazoo's
`req_value` order), the body becomes `NAME(<envelope>)` with the content type
`application/javascript`, on success and on error. A NAME that is not a
dotted JavaScript identifier is ignored, so the response stays plain JSON.

A document's JSON is stored as bytes and spliced into the envelope unparsed
(`orjson.Fragment`), so a fetch costs one small serialisation.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any

import orjson
from starlette.responses import Response

from mock_server import jsoncodec
from mock_server.context import RequestContext
from mock_server.errors import MethodNotAllowed, MockError

KAZOO_VERSION = "4.3.0"
"""Version the envelope reports; Kazoo sends its release, such as 4.3.142."""

NODE_NAME = "crossbar@callflow-kit.mock"


def node_id(node_name: str) -> str:
    """Return Kazoo's node id: base64url of the MD5 of the Erlang node name."""
    digest = hashlib.md5(node_name.encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:22]


NODE = node_id(NODE_NAME)
JSON_MEDIA_TYPE = "application/json"
JSONP_MEDIA_TYPE = "application/javascript"

# A JSONP callback name: ASCII identifiers joined by dots, at most 128 characters.
_JSONP_CALLBACK = re.compile(
    r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*", re.ASCII
)
JSONP_MAX_LENGTH = 128

# CORS headers as Kazoo 4.3's api_util sends them; the methods are the path's own.
CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": (
        "content-type, depth, user-agent, x-http-method-override, x-file-size, "
        "x-requested-with, if-modified-since, x-file-name, cache-control, "
        "x-auth-token, x-kazoo-cluster-id, if-match"
    ),
    "access-control-expose-headers": (
        "content-type, x-auth-token, x-request-id, x-kazoo-cluster-id, location, "
        "etag, etag"
    ),
    "access-control-max-age": "86400",
}


class _Clock:
    """ISO 8601 UTC timestamps with second precision, formatted once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
            self._second = second
        return self._text


_clock = _Clock()


def success_body(
    context: RequestContext,
    data: Any,
    *,
    revision: str | None = None,
    auth_token: str | None = None,
    paging: dict[str, Any] | None = None,
) -> bytes:
    """Render a success envelope; `data` may be JSON bytes or a JSON value.

    `auth_token` overrides the request's token (a login returns its new one).
    """
    token = auth_token if auth_token is not None else context.auth_token
    envelope: dict[str, Any] = {} if token is None else {"auth_token": token}
    envelope["status"] = "success"
    envelope["request_id"] = context.request_id
    envelope["node"] = NODE
    envelope["version"] = KAZOO_VERSION
    envelope["timestamp"] = _clock.now()
    if revision is not None:
        envelope["revision"] = revision
    envelope["data"] = _fragment(data, context.pretty)
    if paging:
        envelope.update(paging)
    return _dumps(envelope, context.pretty)


def error_body(context: RequestContext, error: MockError) -> bytes:
    """Render the error envelope of a MockError."""
    envelope = {
        "auth_token": context.auth_token or "undefined",
        "request_id": context.request_id,
        "node": NODE,
        "version": KAZOO_VERSION,
        "timestamp": _clock.now(),
        "status": "error",
        "message": error.error_message,
        "error": str(error.status_code),
        "data": error.data(),
    }
    return _dumps(envelope, context.pretty)


def _fragment(data: Any, pretty: bool) -> Any:
    if isinstance(data, bytes):
        return jsoncodec.loads(data) if pretty else orjson.Fragment(data)
    return data


def _dumps(envelope: dict[str, Any], pretty: bool) -> bytes:
    return jsoncodec.dumps(envelope, orjson.OPT_INDENT_2 if pretty else 0)


def response_headers(
    context: RequestContext, extra: dict[str, str] | None = None, *, error: bool = False
) -> dict[str, str]:
    """Return the headers of a response: request id, CORS when due, then `extra`."""
    headers = {"x-request-id": context.request_id}
    if context.cors or error:
        headers.update(CORS_HEADERS)
        methods = ", ".join((*context.allowed_methods, "OPTIONS"))
        headers["access-control-allow-methods"] = methods
    if extra:
        headers.update(extra)
    return headers


class EncodedResponse(Response):
    """A Starlette response with its headers encoded in a single pass.

    Starlette's own constructor lower-cases and encodes the headers, then scans
    them for a content length and type; this one appends both directly. The
    header order is the same: `headers`, then content-length and content-type.
    """

    def __init__(
        self, body: bytes, status_code: int, headers: dict[str, str], media_type: str
    ) -> None:
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.body = body
        raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in headers.items()
        ]
        if status_code >= 200 and status_code not in (204, 304):
            raw.append((b"content-length", b"%d" % len(body)))
        raw.append((b"content-type", media_type.encode("latin-1")))
        self.raw_headers = raw


def json_response(
    context: RequestContext,
    body: bytes,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Wrap a rendered success envelope in a Starlette response."""
    body, media_type = _render(context, body)
    return EncodedResponse(
        body, status_code, response_headers(context, headers), media_type
    )


def error_response(context: RequestContext, error: MockError) -> Response:
    """Render a MockError as Kazoo's error envelope and response."""
    extra = None
    if isinstance(error, MethodNotAllowed) and error.allowed:
        extra = {"allow": ", ".join(error.allowed)}
    body, media_type = _render(context, error_body(context, error))
    headers = response_headers(context, extra, error=True)
    return EncodedResponse(body, error.status_code, headers, media_type)


def jsonp_callback(context: RequestContext) -> str | None:
    """Return the request's valid `jsonp` callback name, or None."""
    name = context.request_value("jsonp")
    if not isinstance(name, str) or len(name) > JSONP_MAX_LENGTH:
        return None
    return name if _JSONP_CALLBACK.fullmatch(name) else None


def _render(context: RequestContext, body: bytes) -> tuple[bytes, str]:
    """Return the response body and its media type, wrapped for JSONP if asked."""
    callback = jsonp_callback(context)
    if callback is None:
        return body, JSON_MEDIA_TYPE
    return b"%s(%s)" % (callback.encode("ascii"), body), JSONP_MEDIA_TYPE
