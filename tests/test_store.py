"""The in-memory callflow store: indexes, uniqueness, revisions, paging, deletes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from mock_server.documents import StoredCallflow
from mock_server.errors import (
    CallflowNotFound,
    Conflict,
    IdTaken,
    NumbersInUse,
    RevisionMismatch,
)
from mock_server.store import MemoryStore, next_revision

T = TypeVar("T")
ACCOUNT = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
OTHER = "0ddba110000000000000000000000004"
NOW = 63850000000
REVISION = re.compile(r"\d+-[0-9a-f]{32}")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def doc(*numbers: str, **fields: Any) -> dict[str, Any]:
    return {"numbers": list(numbers), "patterns": [], **fields}


def create(store: MemoryStore, callflow_id: str, *numbers: str) -> StoredCallflow:
    return run(store.create(ACCOUNT, callflow_id, doc(*numbers), NOW))


def test_create_then_get() -> None:
    store = MemoryStore()
    record = create(store, "a" * 32, "1000")
    assert run(store.get(ACCOUNT, "a" * 32)) == record
    assert record.numbers == ("1000",)


def test_create_revision_format() -> None:
    record = create(MemoryStore(), "a" * 32, "1000")
    assert REVISION.fullmatch(record.rev)
    assert record.rev.startswith("1-")


def test_next_revision_counts_writes() -> None:
    first = next_revision(None, b"{}")
    second = next_revision(first, b"{}")
    assert second.startswith("2-")
    assert second != first


def test_update_changes_revision() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    new = run(store.update(ACCOUNT, old.id, doc("1000"), old.rev, NOW + 5))
    assert new.rev.startswith("2-")
    assert new.created == NOW
    assert new.modified == NOW + 5


def test_update_stale_revision() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    run(store.update(ACCOUNT, old.id, doc("1000"), old.rev, NOW))
    with pytest.raises(RevisionMismatch):
        run(store.update(ACCOUNT, old.id, doc("1000"), old.rev, NOW))


def test_update_missing() -> None:
    with pytest.raises(CallflowNotFound):
        run(MemoryStore().update(ACCOUNT, "a" * 32, doc("1"), "1-x", NOW))


def test_number_conflict_on_create() -> None:
    store = MemoryStore()
    create(store, "a" * 32, "1000")
    with pytest.raises(NumbersInUse) as caught:
        create(store, "b" * 32, "1001", "1000")
    assert caught.value.conflicts == (Conflict("numbers", "1000", "a" * 32, "a" * 32),)


def test_conflict_names_callflow() -> None:
    store = MemoryStore()
    run(store.create(ACCOUNT, "a" * 32, doc("1000", name="Main"), NOW))
    conflicts = run(store.conflicts(ACCOUNT, ["1000"], []))
    assert conflicts == [Conflict("numbers", "1000", "a" * 32, "Main")]


def test_pattern_conflict_exact_string() -> None:
    store = MemoryStore()
    run(store.create(ACCOUNT, "a" * 32, {"numbers": [], "patterns": ["^1$"]}, NOW))
    assert run(store.conflicts(ACCOUNT, [], ["^1$"])) != []
    assert run(store.conflicts(ACCOUNT, [], ["^1+$"])) == []


def test_own_numbers_do_not_conflict() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    new = run(store.update(ACCOUNT, old.id, doc("1000", "1001"), old.rev, NOW))
    assert new.numbers == ("1000", "1001")


def test_accounts_are_separate() -> None:
    store = MemoryStore()
    create(store, "a" * 32, "1000")
    record = run(store.create(OTHER, "b" * 32, doc("1000"), NOW))
    assert record.numbers == ("1000",)


def test_update_frees_dropped_numbers() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    run(store.update(ACCOUNT, old.id, doc("1001"), old.rev, NOW))
    assert create(store, "b" * 32, "1000").numbers == ("1000",)


def test_id_taken() -> None:
    store = MemoryStore()
    create(store, "a" * 32, "1000")
    with pytest.raises(IdTaken):
        create(store, "a" * 32, "1001")


def test_soft_delete_frees_numbers_keeps_id() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    deleted = run(store.delete(ACCOUNT, old.id, old.rev, NOW))
    assert deleted == old
    assert run(store.get(ACCOUNT, old.id)) is None
    assert create(store, "b" * 32, "1000").id == "b" * 32
    with pytest.raises(IdTaken):
        create(store, "a" * 32, "2000")


def test_hard_delete_frees_id() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    run(store.delete(ACCOUNT, old.id, old.rev, NOW, soft=False))
    assert create(store, "a" * 32, "1000").id == "a" * 32


def test_page_ascending_from_start_key() -> None:
    store = MemoryStore()
    for i, letter in enumerate("dbca"):
        create(store, letter * 32, str(1000 + i))
    page = run(store.page(ACCOUNT, "b" * 32, 2))
    assert [record.id for record in page] == ["b" * 32, "c" * 32]


def test_page_skips_deleted() -> None:
    store = MemoryStore()
    first = create(store, "a" * 32, "1000")
    create(store, "b" * 32, "1001")
    run(store.delete(ACCOUNT, first.id, first.rev, NOW))
    assert [r.id for r in run(store.page(ACCOUNT, None, 10))] == ["b" * 32]
    assert run(store.count(ACCOUNT)) == 1


def test_get_many_live_only() -> None:
    store = MemoryStore()
    create(store, "a" * 32, "1000")
    found = run(store.get_many(ACCOUNT, ["a" * 32, "f" * 32]))
    assert list(found) == ["a" * 32]


def test_export_includes_deleted_private_fields() -> None:
    store = MemoryStore()
    old = create(store, "a" * 32, "1000")
    run(store.delete(ACCOUNT, old.id, old.rev, NOW + 1))
    (document,) = run(store.export())[ACCOUNT]
    assert document["_id"] == "a" * 32
    assert document["pvt_deleted"] is True
    assert document["pvt_type"] == "callflow"
    assert document["pvt_created"] == NOW
    assert document["pvt_modified"] == NOW + 1
    assert document["_rev"].startswith("2-")


def test_clear() -> None:
    store = MemoryStore()
    create(store, "a" * 32, "1000")
    run(store.clear())
    assert run(store.count(ACCOUNT)) == 0
    assert run(store.conflicts(ACCOUNT, ["1000"], [])) == []
