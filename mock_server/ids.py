"""Random ids for callflows, tokens and requests, reproducible when seeded."""

from __future__ import annotations

import random
import secrets

# Each kind of id draws from its own seeded sequence. One shared sequence would
# let a caller rebuild a token from the request ids of neighbouring responses,
# since every response carries its request id, 401 responses included.
_KINDS = ("document", "request", "token")


class IdFactory:
    """Make Kazoo-style ids: 32 lowercase hex characters, like CouchDB uuids.

    With a seed the sequences are the same on every run, so tests and recorded
    sessions can name ids in advance. Tokens are then predictable from the seed,
    so a seed suits tests only. Without a seed the ids come from `secrets`.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self.reseed()

    def _hex(self, kind: str, bits: int) -> str:
        stream = self._streams.get(kind)
        if stream is None:
            return secrets.token_hex(bits // 8)
        return f"{stream.getrandbits(bits):0{bits // 4}x}"

    def document_id(self) -> str:
        """Return a new document id."""
        return self._hex("document", 128)

    def request_id(self) -> str:
        """Return a new request id for a request without X-Request-ID."""
        return self._hex("request", 128)

    def token(self) -> str:
        """Return a new opaque auth token of 64 hex characters."""
        return self._hex("token", 256)

    def reseed(self) -> None:
        """Restart the seeded sequences, as after a fresh start; no-op when unseeded."""
        if self.seed is not None:
            self._streams = {
                kind: random.Random(f"{self.seed}/{kind}") for kind in _KINDS
            }
