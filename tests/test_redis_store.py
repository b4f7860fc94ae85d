"""The Redis store and state: the same results as MemoryStore, shared by processes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis
from redis_support import DB_STORE, redis_url, wipe

from mock_server.auth import TokenInfo
from mock_server.config import MockConfig
from mock_server.errors import (
    CallflowNotFound,
    DatastoreFault,
    IdTaken,
    NumbersInUse,
    RevisionMismatch,
)
from mock_server.redis_state import RedisState
from mock_server.redis_store import RedisStore
from mock_server.store import CallflowStore, MemoryStore

T = TypeVar("T")
ACCOUNT = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
NOW = 63850000000


def doc(*numbers: str, **fields: Any) -> dict[str, Any]:
    return {
        "numbers": list(numbers),
        "patterns": [],
        "flow": {"module": "user"},
        **fields,
    }


@pytest.fixture
def url() -> str:
    address = redis_url(DB_STORE)
    wipe(address)
    return address


def with_store(url: str, work: Callable[[RedisStore], Coroutine[Any, Any, T]]) -> T:
    async def run() -> T:
        client = aioredis.Redis.from_url(url)
        try:
            return await work(RedisStore(client))
        finally:
            await client.aclose()

    return asyncio.run(run())


async def scenario(store: CallflowStore) -> dict[str, Any]:
    """Run one sequence of writes and return everything the store shows after it."""
    first = await store.create(ACCOUNT, "a" * 32, doc("1000", name="Main"), NOW)
    second = await store.create(ACCOUNT, "b" * 32, doc("1001"), NOW)
    await store.create(ACCOUNT, "c" * 32, {**doc(), "patterns": ["^9$"]}, NOW)
    await store.update(ACCOUNT, first.id, doc("1002", name="Moved"), first.rev, NOW + 1)
    await store.delete(ACCOUNT, second.id, second.rev, NOW + 2)
    third = await store.create(ACCOUNT, "d" * 32, doc("1000", "1001"), NOW + 3)
    await store.delete(ACCOUNT, third.id, third.rev, NOW + 4, soft=False)
    return {
        "export": await store.export(),
        "page": [r.id for r in await store.page(ACCOUNT, "b", 10)],
        "count": await store.count(ACCOUNT),
        "conflicts": await store.conflicts(ACCOUNT, ["1002", "7"], ["^9$"]),
        "many": sorted(await store.get_many(ACCOUNT, ["a" * 32, "b" * 32, "z"])),
    }


def test_same_results_as_memory(url: str) -> None:
    expected = asyncio.run(scenario(MemoryStore()))
    assert with_store(url, scenario) == expected


def test_record_round_trip(url: str) -> None:
    async def work(store: RedisStore) -> None:
        record = await store.create(ACCOUNT, "a" * 32, doc("1000", name="Ü"), NOW)
        assert await store.get(ACCOUNT, record.id) == record

    with_store(url, work)


def test_unique_conflict_names_owner(url: str) -> None:
    async def work(store: RedisStore) -> None:
        await store.create(ACCOUNT, "a" * 32, doc("1000", name="Main"), NOW)
        with pytest.raises(NumbersInUse) as caught:
            await store.create(ACCOUNT, "b" * 32, doc("1000"), NOW)
        assert caught.value.errors == {
            "numbers": {
                "unique": {
                    "message": f"1000 exists in callflow {'a' * 32} (Main)",
                    "cause": "1000",
                }
            }
        }

    with_store(url, work)


def test_deleted_id_stays_taken(url: str) -> None:
    async def work(store: RedisStore) -> None:
        record = await store.create(ACCOUNT, "a" * 32, doc("1000"), NOW)
        await store.delete(ACCOUNT, record.id, record.rev, NOW)
        assert await store.get(ACCOUNT, record.id) is None
        with pytest.raises(IdTaken):
            await store.create(ACCOUNT, record.id, doc("1000"), NOW)

    with_store(url, work)


def test_stale_and_missing_writes(url: str) -> None:
    async def work(store: RedisStore) -> None:
        record = await store.create(ACCOUNT, "a" * 32, doc("1000"), NOW)
        await store.update(ACCOUNT, record.id, doc("1000"), record.rev, NOW)
        with pytest.raises(RevisionMismatch):
            await store.update(ACCOUNT, record.id, doc("1000"), record.rev, NOW)
        with pytest.raises(RevisionMismatch):
            await store.delete(ACCOUNT, record.id, record.rev, NOW)
        with pytest.raises(CallflowNotFound):
            await store.update(ACCOUNT, "f" * 32, doc("1"), "1-x", NOW)

    with_store(url, work)


def test_update_keeps_created(url: str) -> None:
    async def work(store: RedisStore) -> None:
        old = await store.create(ACCOUNT, "a" * 32, doc("1000"), NOW)
        new = await store.update(ACCOUNT, old.id, doc("1001"), old.rev, NOW + 9)
        assert (new.created, new.modified) == (NOW, NOW + 9)
        assert await store.get(ACCOUNT, old.id) == new
        assert await store.conflicts(ACCOUNT, ["1000"], []) == []

    with_store(url, work)


def test_huge_page_size(url: str) -> None:
    async def work(store: RedisStore) -> None:
        await store.create(ACCOUNT, "a" * 32, doc("1000"), NOW)
        records = await store.page(ACCOUNT, None, 10**5000)
        assert [record.id for record in records] == ["a" * 32]

    with_store(url, work)


def test_unreachable_server_fault() -> None:
    async def work() -> None:
        client = aioredis.Redis.from_url("redis://127.0.0.1:1/0")
        try:
            with pytest.raises(DatastoreFault, match="Redis failed"):
                await RedisStore(client).get(ACCOUNT, "a" * 32)
        finally:
            await client.aclose()

    asyncio.run(work())


# Shared state ----------------------------------------------------------------------


def run_states(
    url: str, work: Callable[[RedisState, RedisState], Awaitable[None]]
) -> None:
    async def run() -> None:
        first = RedisState(MockConfig(store=url, seed=1))
        second = RedisState(MockConfig(store=url, seed=1))
        try:
            await first.start()
            await second.start()
            await work(first, second)
        finally:
            await first.close()
            await second.close()

    asyncio.run(run())


def test_second_process_takes_state(url: str) -> None:
    async def work(first: RedisState, second: RedisState) -> None:
        assert second.startup_token == first.startup_token
        assert list(second.directory.accounts) == list(first.directory.accounts)

    run_states(url, work)


def test_token_shared_between_processes(url: str) -> None:
    async def work(first: RedisState, second: RedisState) -> None:
        info = TokenInfo(ACCOUNT, None, "api_auth")
        token = await first.issue_token(info)
        assert second.tokens.lookup(token) is None
        await second.refresh(token)
        assert second.tokens.lookup(token) == info

    run_states(url, work)


def test_seeded_tokens_never_collide(url: str) -> None:
    async def work(first: RedisState, second: RedisState) -> None:
        info = TokenInfo(ACCOUNT, None, "api_auth")
        issued = [await state.issue_token(info) for state in (first, second) * 5]
        assert len(set(issued)) == 10

    run_states(url, work)


def test_reset_reaches_other_process(url: str) -> None:
    async def work(first: RedisState, second: RedisState) -> None:
        token = await first.issue_token(TokenInfo(ACCOUNT, None, "api_auth"))
        await second.refresh(token)
        await first.reset()
        await second.refresh(token)
        assert second.tokens.lookup(token) is None
        assert second.startup_token == first.startup_token

    run_states(url, work)
