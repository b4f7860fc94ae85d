"""Fixtures for the mock server's HTTP tests: one live server per store, reset per test.

Every test that uses `api` or `live_server` runs against the in-memory store and
against Redis (see tests/redis_support.py for when the Redis runs skip).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mock_support import SEED, Api
from redis_support import DB_LIVE_SERVER, redis_url, wipe

from mock_server.config import MockConfig
from mock_server.testing import LiveServer


@pytest.fixture(scope="session", params=["memory", "redis"])
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """Run one seeded mock per store for the whole test session."""
    store = None
    if request.param == "redis":
        store = redis_url(DB_LIVE_SERVER)
        wipe(store)
    with LiveServer(MockConfig(seed=SEED, store=store)) as server:
        yield server


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Api]:
    """Yield a client for the live mock, reset to the default fixtures."""
    client = Api(live_server)
    client.reset()
    yield client
    client.http.close()
