"""Per-request state that the app gathers before a handler runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

SCOPE_KEY = "mock_server.context"


@dataclass(slots=True)
class RequestContext:
    """Request details the app gathers: ids, token, decoded envelope, options.

    `envelope` is the decoded JSON body with top-level keys normalised (lower
    case, `-` as `_`); `data` is its `data` value, `{}` for an empty body.
    """

    request_id: str
    query: list[tuple[str, str]] = field(default_factory=list)
    envelope: dict[str, Any] = field(default_factory=dict)
    data: Any = field(default_factory=dict)
    auth_token: str | None = None
    pretty: bool = False
    cors: bool = False
    allowed_methods: tuple[str, ...] = ()

    def query_value(self, name: str) -> str | None:
        """Return the first query-string value of `name`."""
        for key, value in self.query:
            if key == name:
                return value
        return None

    def request_value(self, name: str) -> Any:
        """Look a value up as Kazoo's `req_value` does: data, query, then envelope."""
        if isinstance(self.data, Mapping) and name in self.data:
            return self.data[name]
        value = self.query_value(name)
        if value is not None:
            return value
        return self.envelope.get(name)


def request_context(request: Request) -> RequestContext:
    """Return the context the app stored for a request."""
    context: RequestContext = request.scope[SCOPE_KEY]
    return context
