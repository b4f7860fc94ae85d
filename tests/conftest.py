"""Fixtures for the mock server's HTTP tests: one live server, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mock_support import SEED, Api

from mock_server.config import MockConfig
from mock_server.testing import LiveServer


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """Run one seeded mock for the whole test session."""
    with LiveServer(MockConfig(seed=SEED)) as server:
        yield server


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Api]:
    """Yield a client for the live mock, reset to the default fixtures."""
    client = Api(live_server)
    client.reset()
    yield client
    client.http.close()
