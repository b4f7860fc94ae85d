"""Path templates and the router that matches request paths against them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from mock_server.context import RequestContext
from mock_server.errors import NotFound

Endpoint = Callable[[Request, RequestContext, dict[str, str]], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Operation:
    """The endpoint that one method on one path template runs."""

    endpoint: Endpoint
    account_scoped: bool  # the path names an account: check it and the token


class PathTemplate:
    """A path such as `/v2/accounts/{ACCOUNT_ID}/callflows` and its operations."""

    def __init__(self, path: str) -> None:
        self.path = path
        parts = path.strip("/").split("/")
        self.literals = tuple(None if p.startswith("{") else p for p in parts)
        self.params = tuple(p[1:-1] for p in parts if p.startswith("{"))
        self.operations: dict[str, Operation] = {}

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """Return the path parameters when `parts` fit this template."""
        params: list[str] = []
        for literal, part in zip(self.literals, parts, strict=True):
            if literal is None:
                if not part:
                    return None
                params.append(part)
            elif literal != part:
                return None
        return dict(zip(self.params, params, strict=True))


class Router:
    """Path templates grouped by segment count, so a match compares a few strings."""

    def __init__(self) -> None:
        self._templates: dict[str, PathTemplate] = {}
        self._by_length: dict[int, list[PathTemplate]] = {}

    def add(self, method: str, path: str, operation: Operation) -> None:
        """Register `operation` for `method` on `path`."""
        template = self._templates.get(path)
        if template is None:
            template = self._templates[path] = PathTemplate(path)
            self._by_length.setdefault(len(template.literals), []).append(template)
        template.operations[method] = operation

    def match(self, path: str) -> tuple[PathTemplate, dict[str, str]]:
        """Return the template of a request path and its parameters, or raise 404."""
        return self.match_segments(path.strip("/").split("/"))

    def match_segments(self, parts: list[str]) -> tuple[PathTemplate, dict[str, str]]:
        """Return the template of decoded path segments and its parameters, or 404."""
        for template in self._by_length.get(len(parts), ()):
            params = template.match(parts)
            if params is not None:
                return template, params
        raise NotFound
