"""Settings of a mock server, as the `serve` command and tests pass them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_UPLOAD_SIZE = 8_000_000
"""Kazoo's default `crossbar.max_upload_size`, in bytes."""


@dataclass(frozen=True, slots=True)
class MockConfig:
    """How to start the mock.

    `account_id` renames the fixtures' first account; `token` fixes the auth token
    issued for it at start (random otherwise). `seed` makes generated callflow ids,
    tokens and request ids the same on every run. `fixtures` replaces the packaged
    default fixture file.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    account_id: str | None = None
    token: str | None = None
    fixtures: Path | None = None
    seed: int | None = None
    admin: bool = True
    max_upload_size: int = MAX_UPLOAD_SIZE

    @property
    def base_url(self) -> str:
        """Return the server's base URL, with IPv6 hosts in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
