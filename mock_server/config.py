"""Settings of a mock server, as the `serve` command and tests pass them."""

from __future__ import annotations

import ipaddress
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

    `store` is None for process memory or a `redis://` URL whose server keeps the
    state, shared by every worker and replica. `state_file` keeps the in-memory
    state in a file across restarts. `workers` is the number of server processes,
    more than one only with Redis.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    account_id: str | None = None
    token: str | None = None
    fixtures: Path | None = None
    seed: int | None = None
    admin: bool = True
    max_upload_size: int = MAX_UPLOAD_SIZE
    store: str | None = None
    state_file: Path | None = None
    workers: int = 1

    @property
    def base_url(self) -> str:
        """Return the server's base URL, with IPv6 hosts in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def problem(self) -> str | None:
        """Return why these settings cannot work together, or None when they can."""
        if self.store is not None and not self.store.startswith(REDIS_SCHEMES):
            schemes = ", ".join(REDIS_SCHEMES)
            return f"store {self.store!r}: expected a URL starting with {schemes}"
        if self.store is not None and self.state_file is not None:
            return "a state file keeps the in-memory store; Redis keeps its own state"
        if self.workers < 1:
            return f"workers must be at least 1, got {self.workers}"
        if self.workers > 1 and self.store is None:
            return "several workers need a shared store: pass a redis:// URL"
        return None


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_loopback(host: str) -> bool:
    """Return whether `host` names only this machine: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
