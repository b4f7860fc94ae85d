"""Random ids for callflows, tokens and requests, reproducible when seeded."""

from __future__ import annotations

import random
import secrets


class IdFactory:
    """Make Kazoo-style ids: 32 lowercase hex characters, like CouchDB uuids.

    With a seed the sequence is the same on every run, so tests and recorded
    sessions can name ids in advance. Without one the ids come from `secrets`.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._random = random.Random(seed) if seed is not None else None

    def _hex(self, bits: int) -> str:
        if self._random is None:
            return secrets.token_hex(bits // 8)
        return f"{self._random.getrandbits(bits):0{bits // 4}x}"

    def document_id(self) -> str:
        """Return a new document id."""
        return self._hex(128)

    def request_id(self) -> str:
        """Return a new request id for a request without X-Request-ID."""
        return self._hex(128)

    def token(self) -> str:
        """Return a new opaque auth token of 64 hex characters."""
        return self._hex(256)

    def reseed(self) -> None:
        """Restart the seeded sequence, as after a fresh start; no-op when unseeded."""
        if self.seed is not None:
            self._random = random.Random(self.seed)
