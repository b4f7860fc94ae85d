"""Listing views of MemoryStore: always equal to a scan of the current callflows.

A state machine interleaves every kind of write with listings, so views fall
behind by several changes before they are read. Each listing is compared with
the store's plain scan (`CallflowStore.listing`) and with the filters applied to
the exported documents. The machine runs with the default limits, then with
limits so small that views are rebuilt and evicted and cached pages evicted.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import dataclasses
from collections.abc import Coroutine
from typing import Any, TypeVar

import orjson
import pytest
import redis.asyncio as aioredis
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from redis_support import DB_STORE, redis_url, wipe

from mock_server import listing
from mock_server.documents import StoredCallflow
from mock_server.errors import MockError
from mock_server.filters import compile_filters, filter_query, matches
from mock_server.listing import Listing
from mock_server.redis_store import RedisStore
from mock_server.store import CallflowStore, MemoryStore

T = TypeVar("T")
ACCOUNT = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
OTHER = "0ddba110000000000000000000000004"
NOW = 63850000000
IDS = [f"{i:x}" * 32 for i in range(1, 8)]
TYPES = ["main", "other", None]

QUERIES: list[tuple[tuple[str, str], ...]] = [
    (),
    (("filter_type", "main"),),
    (("filter_not_type", "main"),),
    (("has_key", "owner_id"),),
    (("filter_type", '["main","other"]'), ("key_missing", "name")),
    (("key_missing", "name"), ("filter_type", '["main","other"]')),
    (("has_value", "name"),),
    (("created_from", str(NOW + 3)),),
    (("modified_to", str(NOW + 6)),),
    # Only the stored document lacks `id` and has `_id` and `_rev`.
    (("filter_id", ""),),
    (("filter__id", IDS[2]),),
    (("has_key", "_rev"), ("filter_numbers", "1001")),
]
STARTS = [None, "", IDS[0], IDS[3], "5", "z"]
LIMITS = [None, 1, 2, 3, 50]


def body(type_: str | None, number: int, named: bool, owned: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"numbers": [str(number)], "patterns": []}
    if type_ is not None:
        document["type"] = type_
    if named:
        document["name"] = f"Callflow {number}"
    if owned:
        document["owner_id"] = "a11ce000000000000000000000000001"
    return document


def expected_ids(
    exported: list[dict[str, Any]], params: tuple[tuple[str, str], ...]
) -> list[str]:
    """Return the sorted ids of the live exported documents that pass `params`."""
    filters = compile_filters(params)
    return sorted(
        document["_id"]
        for document in exported
        if not document.get("pvt_deleted") and matches(document, filters)
    )


def listed_ids(page: Listing) -> list[str]:
    rows: list[dict[str, Any]] = orjson.loads(page.data)
    return [row["id"] for row in reversed(rows)]


class ViewMachine(RuleBasedStateMachine):
    """Writes and listings on one MemoryStore, checked after every listing."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = MemoryStore()
        self.now = NOW
        self.number = 1000

    def teardown(self) -> None:
        self.loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def tick(self) -> int:
        self.now += 1
        self.number += 1
        return self.now

    @initialize()
    def seed(self) -> None:
        for index, callflow_id in enumerate(IDS[:4]):
            document = body(TYPES[index % 3], 900 + index, index % 2 == 0, False)
            self.run(self.store.create(ACCOUNT, callflow_id, document, NOW))

    @rule(
        callflow_id=st.sampled_from(IDS),
        type_=st.sampled_from(TYPES),
        named=st.booleans(),
        owned=st.booleans(),
        account=st.sampled_from([ACCOUNT, ACCOUNT, OTHER]),
    )
    def create(
        self,
        callflow_id: str,
        type_: str | None,
        named: bool,
        owned: bool,
        account: str,
    ) -> None:
        now = self.tick()
        document = body(type_, self.number, named, owned)
        # MockError: the id is taken, by a live or a soft-deleted callflow.
        with contextlib.suppress(MockError):
            self.run(self.store.create(account, callflow_id, document, now))

    @rule(
        callflow_id=st.sampled_from(IDS),
        type_=st.sampled_from(TYPES),
        named=st.booleans(),
        owned=st.booleans(),
    )
    def update(
        self, callflow_id: str, type_: str | None, named: bool, owned: bool
    ) -> None:
        current = self.run(self.store.get(ACCOUNT, callflow_id))
        if current is None:
            return
        now = self.tick()
        document = body(type_, self.number, named, owned)
        self.run(self.store.update(ACCOUNT, callflow_id, document, current.rev, now))

    @rule(callflow_id=st.sampled_from(IDS), soft=st.booleans())
    def delete(self, callflow_id: str, soft: bool) -> None:
        current = self.run(self.store.get(ACCOUNT, callflow_id))
        if current is None:
            return
        now = self.tick()
        self.run(self.store.delete(ACCOUNT, callflow_id, current.rev, now, soft=soft))

    @rule(callflow_id=st.sampled_from(IDS), type_=st.sampled_from(TYPES))
    def restore(self, callflow_id: str, type_: str | None) -> None:
        """Store a record as a state file replay does, over whatever has its id."""
        now = self.tick()
        document = body(type_, self.number, True, False)
        record = StoredCallflow.build(ACCOUNT, callflow_id, "1-x", document, now, now)
        self.store.restore(record)

    @rule(callflow_id=st.sampled_from(IDS))
    def restore_deleted(self, callflow_id: str) -> None:
        record = self.store.stored(ACCOUNT, callflow_id)
        if record is not None:
            self.store.restore(dataclasses.replace(record, deleted=True))

    @rule(callflow_id=st.sampled_from(IDS))
    def discard(self, callflow_id: str) -> None:
        self.store.discard(ACCOUNT, callflow_id)

    @rule()
    def clear(self) -> None:
        self.run(self.store.clear())

    @rule(
        params=st.sampled_from(QUERIES),
        start=st.sampled_from(STARTS),
        limit=st.sampled_from(LIMITS),
    )
    def list_page(
        self,
        params: tuple[tuple[str, str], ...],
        start: str | None,
        limit: int | None,
    ) -> None:
        self.check(params, start, limit)

    @rule(params=st.sampled_from(QUERIES))
    def list_every_page(self, params: tuple[tuple[str, str], ...]) -> None:
        for start in STARTS:
            for limit in LIMITS:
                self.check(params, start, limit)

    def check(
        self,
        params: tuple[tuple[str, str], ...],
        start: str | None,
        limit: int | None,
    ) -> None:
        query = filter_query(params)
        page = self.run(self.store.listing(ACCOUNT, query, start, limit))
        scanned = self.run(
            CallflowStore.listing(self.store, ACCOUNT, query, start, limit)
        )
        assert page == scanned

        exported = self.run(self.store.export()).get(ACCOUNT, [])
        ids = expected_ids(exported, params)
        first = 0 if start is None else bisect.bisect_left(ids, start)
        stop = len(ids) if limit is None else first + limit
        assert listed_ids(page) == ids[first:stop]
        assert page.count == len(ids[first:stop])
        assert page.next_id == (ids[stop] if stop < len(ids) else None)


SETTINGS = settings(max_examples=60, stateful_step_count=40, deadline=None)


def test_views_match_scan() -> None:
    run_state_machine_as_test(ViewMachine, settings=SETTINGS)


@pytest.mark.parametrize(
    "limits",
    [
        pytest.param({"CHANGE_LOG_LIMIT": 2}, id="short-log"),
        pytest.param({"VIEW_LIMIT": 2, "CHANGE_LOG_LIMIT": 3}, id="few-views"),
        pytest.param(
            {
                "PAGE_CACHE_LIMIT": 2,
                "PAGE_CACHE_BYTES": 300,
                "PAGE_CACHE_MAX_ENTRY": 200,
            },
            id="small-page-cache",
        ),
    ],
)
def test_views_match_scan_small_limits(
    monkeypatch: pytest.MonkeyPatch, limits: dict[str, int]
) -> None:
    for name, value in limits.items():
        monkeypatch.setattr(listing, name, value)
    run_state_machine_as_test(ViewMachine, settings=SETTINGS)


# Bounds and reuse ----------------------------------------------------------------


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def filled_store(count: int) -> MemoryStore:
    store = MemoryStore()
    for index in range(count):
        document = body(TYPES[index % 3], 1000 + index, True, False)
        run(store.create(ACCOUNT, f"{index:032x}", document, NOW))
    return store


def views_of(store: MemoryStore) -> listing.ListingViews:
    return store._accounts[ACCOUNT].views


def test_view_count_bounded() -> None:
    store = filled_store(5)
    for index in range(listing.VIEW_LIMIT + 5):
        query = filter_query([("filter_name", f"Callflow {index}")])
        run(store.listing(ACCOUNT, query, None, 50))
    assert views_of(store).view_count == listing.VIEW_LIMIT


def test_parameter_order_shares_view() -> None:
    store = filled_store(5)
    forward = filter_query([("filter_type", "main"), ("has_value", "name")])
    backward = filter_query([("has_value", "name"), ("filter_type", "main")])
    first = run(store.listing(ACCOUNT, forward, None, 50))
    second = run(store.listing(ACCOUNT, backward, None, 50))
    assert first == second
    assert views_of(store).view_count == 1


def test_page_cache_bounded() -> None:
    store = filled_store(20)
    for limit in range(1, listing.PAGE_CACHE_LIMIT + 10):
        run(store.listing(ACCOUNT, filter_query([]), None, limit))
    assert views_of(store).cached_pages == listing.PAGE_CACHE_LIMIT


def test_page_cache_skips_later_pages() -> None:
    store = filled_store(5)
    run(store.listing(ACCOUNT, filter_query([]), f"{2:032x}", 2))
    assert views_of(store).cached_pages == 0


def test_write_empties_page_cache() -> None:
    store = filled_store(3)
    query = filter_query([("filter_type", "main")])
    before = run(store.listing(ACCOUNT, query, None, 50))
    record = run(store.get(ACCOUNT, f"{1:032x}"))
    assert record is not None
    run(
        store.update(
            ACCOUNT, record.id, body("main", 5000, True, False), record.rev, NOW
        )
    )
    after = run(store.listing(ACCOUNT, query, None, 50))
    assert listed_ids(before) == [f"{0:032x}"]
    assert listed_ids(after) == [f"{0:032x}", f"{1:032x}"]
    assert views_of(store).cached_pages == 1


def test_view_rebuilt_after_log_drops_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "CHANGE_LOG_LIMIT", 2)
    store = filled_store(6)
    query = filter_query([("filter_type", "main")])
    before = run(store.listing(ACCOUNT, query, None, 50))
    # Three changes: the log keeps the last two, so the first must not be lost.
    for index in (1, 2, 4):
        record = run(store.get(ACCOUNT, f"{index:032x}"))
        assert record is not None
        document = body("main", 5000 + index, True, False)
        run(store.update(ACCOUNT, record.id, document, record.rev, NOW))
    after = run(store.listing(ACCOUNT, query, None, 50))
    assert listed_ids(before) == [f"{0:032x}", f"{3:032x}"]
    assert listed_ids(after) == [f"{i:032x}" for i in range(5)]


def test_huge_page_size_lists_all() -> None:
    store = filled_store(3)
    page = run(store.listing(ACCOUNT, filter_query([]), None, 10**5000))
    assert page.count == 3
    assert page.next_id is None


def test_unknown_account_lists_nothing() -> None:
    page = run(MemoryStore().listing(ACCOUNT, filter_query([]), None, 50))
    assert page.data == b"[]"
    assert page.revision is None
    assert page.count == 0


# The Redis store -------------------------------------------------------------------


async def write_sequence(store: CallflowStore) -> list[Listing]:
    """Write, list, write again, and return every listing made on the way."""
    pages: list[Listing] = []
    queries = [filter_query(params) for params in QUERIES]

    async def list_all() -> None:
        for query in queries:
            for start in STARTS:
                for limit in LIMITS:
                    pages.append(await store.listing(ACCOUNT, query, start, limit))

    records = []
    for index, callflow_id in enumerate(IDS):
        document = body(TYPES[index % 3], 1000 + index, index % 2 == 0, index % 3 == 0)
        records.append(await store.create(ACCOUNT, callflow_id, document, NOW + index))
    await list_all()
    first, second, third = records[:3]
    document = body("main", 2000, False, True)
    await store.update(ACCOUNT, first.id, document, first.rev, NOW + 10)
    await store.delete(ACCOUNT, second.id, second.rev, NOW + 11)
    await store.delete(ACCOUNT, third.id, third.rev, NOW + 12, soft=False)
    await list_all()
    return pages


def test_redis_listing_same_as_memory() -> None:
    url = redis_url(DB_STORE)
    wipe(url)

    async def on_redis() -> list[Listing]:
        client = aioredis.Redis.from_url(url)
        try:
            return await write_sequence(RedisStore(client))
        finally:
            await client.aclose()

    expected = run(write_sequence(MemoryStore()))
    assert run(on_redis()) == expected
