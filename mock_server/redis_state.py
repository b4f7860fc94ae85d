"""A MockState kept in Redis, so that workers and replicas serve one state.

Besides the callflows (`mock_server.redis_store`), Redis keeps:

| key              | type   | contents                                              |
|------------------|--------|-------------------------------------------------------|
| `P:tokens`       | hash   | token → JSON `[account id, owner id, method]`         |
| `P:meta`         | hash   | `generation`, `fixtures` (the accounts as a fixture   |
|                  |        | document) and `startup_token`                         |
| `P:init`         | string | set by the first process that loads the fixtures      |

Every process keeps the accounts and the tokens it has seen in memory. Before a
request is checked, one pipelined round trip reads the generation and the
request's token. A changed generation (a reset or a fixture load by any
process) makes the process reload the accounts and forget its tokens.

The first process to start on an empty Redis loads the configured fixtures;
later ones, and restarts, take the state that Redis already has.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import orjson
import redis.asyncio as redis
from pydantic import BaseModel

from mock_server import jsoncodec
from mock_server.auth import TokenInfo
from mock_server.config import MockConfig
from mock_server.errors import DatastoreFault
from mock_server.fixtures import Directory, parse_fixtures
from mock_server.journal import directory_fixture
from mock_server.redis_store import DEFAULT_PREFIX, RedisStore, redis_call
from mock_server.state import MockState

logger = logging.getLogger(__name__)

START_TIMEOUT = 30.0
"""Seconds a process waits for another one to finish loading the fixtures."""
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a connection to Redis."""


class RedisState(MockState):
    """The mock's state in the Redis server at `config.store`."""

    def __init__(
        self,
        config: MockConfig,
        callflow_model: type[BaseModel] | None = None,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        if config.store is None:
            raise ValueError("RedisState needs config.store")
        self.redis = redis.Redis.from_url(
            config.store, socket_connect_timeout=CONNECT_TIMEOUT
        )
        self._tokens_key = f"{prefix}:tokens"
        self._meta_key = f"{prefix}:meta"
        self._init_key = f"{prefix}:init"
        self._generation: bytes | None = None
        super().__init__(config, callflow_model, RedisStore(self.redis, prefix))

    async def start(self) -> None:
        """Take the state Redis has, or load the fixtures when it has none yet."""
        if await self._adopt():
            await self._register_start_token()
            return
        claimed = await redis_call(
            self.redis.set(self._init_key, secrets.token_hex(8), nx=True)
        )
        if claimed:
            await self.reset()
            return
        waited = 0.0
        while not await self._adopt():
            if waited >= START_TIMEOUT:
                raise DatastoreFault(
                    f"another process started loading the fixtures into Redis and "
                    f"did not finish in {START_TIMEOUT} s; delete the key "
                    f"{self._init_key!r} if that process died"
                )
            await asyncio.sleep(0.05)
            waited += 0.05
        await self._register_start_token()

    async def refresh(self, token: str | None) -> None:
        """Read the generation and the request's token in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hget(self._meta_key, "generation")
            if token:
                pipe.hget(self._tokens_key, token)
            replies = await redis_call(pipe.execute())
        if replies[0] != self._generation:
            await self._adopt()
        if token and replies[1] is not None:
            self.tokens.issue(TokenInfo(*orjson.loads(replies[1])), token)

    async def issue_token(self, info: TokenInfo, token: str | None = None) -> str:
        """Register a token in Redis; a drawn token that exists is drawn again."""
        row = orjson.dumps([info.account_id, info.owner_id, info.method])
        if token is not None:
            await redis_call(self.redis.hset(self._tokens_key, token, row))
        else:
            token = self.ids.token()
            while not await redis_call(self.redis.hsetnx(self._tokens_key, token, row)):
                token = self.ids.token()
        return self.tokens.issue(info, token)

    async def clear_tokens(self) -> None:
        """Forget every token, in Redis and in this process."""
        await redis_call(self.redis.delete(self._tokens_key))
        self.tokens.clear()

    async def load(self, directory: Directory) -> None:
        """Replace the state, then publish the accounts under a new generation."""
        await super().load(directory)
        fixtures = jsoncodec.dumps(directory_fixture(directory))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._meta_key, "fixtures", fixtures)
            pipe.hset(self._meta_key, "startup_token", self.startup_token or "")
            pipe.hincrby(self._meta_key, "generation", 1)
            replies = await redis_call(pipe.execute())
        self._generation = str(replies[2]).encode()

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self.redis.aclose()

    async def _register_start_token(self) -> None:
        """Make `config.token` valid in a process that took an existing state."""
        primary = self.directory.primary
        if self.config.token is not None and primary is not None:
            info = TokenInfo(primary.id, None, "startup")
            self.startup_token = await self.issue_token(info, self.config.token)

    async def _adopt(self) -> bool:
        """Load the accounts and start token that Redis has; False when it has none."""
        fields = ("generation", "fixtures", "startup_token")
        generation, fixtures, startup = await redis_call(
            self.redis.hmget(self._meta_key, fields)
        )
        if generation is None or fixtures is None:
            return False
        self.directory = parse_fixtures(jsoncodec.loads(fixtures), "Redis")
        self.startup_token = startup.decode() if startup else None
        self.tokens.clear()
        self._generation = generation
        logger.debug("took generation %s of the state in Redis", generation)
        return True
