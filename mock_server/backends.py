"""Choose where a mock keeps its state: process memory, a state file or Redis."""

from __future__ import annotations

from pydantic import BaseModel

from mock_server.config import MockConfig
from mock_server.state import MockState


def create_state(
    config: MockConfig, callflow_model: type[BaseModel] | None = None
) -> MockState:
    """Build the MockState that `config` selects; raise ValueError on bad settings."""
    problem = config.problem()
    if problem is not None:
        raise ValueError(problem)
    if config.store is not None:
        from mock_server.redis_state import RedisState

        return RedisState(config, callflow_model)
    if config.state_file is not None:
        from mock_server.journal import JournaledState

        return JournaledState(config, callflow_model)
    return MockState(config, callflow_model)
