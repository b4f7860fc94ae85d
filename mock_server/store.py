"""Callflow storage: the interface every backend implements, and the in-memory one.

The interface is asynchronous so that a networked backend (Redis) fits it. Each
write checks number and pattern uniqueness and the base revision itself, in the
same atomic step as the write, so concurrent requests cannot both win.

Revisions read `N-<32 hex>` like CouchDB's: N counts the writes of the document
and the hex part is the MD5 of the previous revision and the new body, so it
changes on every write and is reproducible.
"""

from __future__ import annotations

import dataclasses
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sortedcontainers import SortedKeyList

from mock_server.documents import StoredCallflow
from mock_server.errors import (
    CallflowNotFound,
    Conflict,
    IdTaken,
    NumbersInUse,
    RevisionMismatch,
)
from mock_server.filters import FilterQuery
from mock_server.listing import (
    EMPTY_LISTING,
    Listing,
    ListingViews,
    by_id,
    record_matches,
)

_SCAN_BATCH = 200
"""Records the default `listing` reads per `page` call, when filters may drop
some or the request wants every row."""


def next_revision(previous: str | None, body: bytes) -> str:
    """Return the revision that follows `previous` for a document with `body`."""
    count = int(previous.split("-", 1)[0]) + 1 if previous else 1
    digest = hashlib.md5((previous or "").encode() + body, usedforsecurity=False)
    return f"{count}-{digest.hexdigest()}"


class CallflowStore(ABC):
    """Callflows per account, indexed by id, number and pattern.

    Reads never return deleted callflows. Writes take public fields that have
    passed validation; the store adds the id, revision and timestamps.
    """

    @abstractmethod
    async def get(self, account_id: str, callflow_id: str) -> StoredCallflow | None:
        """Return the live callflow with this id, or None."""

    @abstractmethod
    async def get_many(
        self, account_id: str, callflow_ids: Iterable[str]
    ) -> dict[str, StoredCallflow]:
        """Return the live callflows among `callflow_ids`, by id."""

    @abstractmethod
    async def conflicts(
        self,
        account_id: str,
        numbers: Sequence[str],
        patterns: Sequence[str],
        exclude_id: str | None = None,
    ) -> list[Conflict]:
        """Return the numbers and patterns that other live callflows use."""

    @abstractmethod
    async def create(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        now: int,
    ) -> StoredCallflow:
        """Store a new callflow.

        Raises IdTaken when a callflow with this id exists, deleted or not, and
        NumbersInUse when another callflow uses one of its numbers or patterns.
        """

    @abstractmethod
    async def update(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        base_rev: str,
        now: int,
    ) -> StoredCallflow:
        """Replace the public fields of a live callflow.

        Raises CallflowNotFound, RevisionMismatch when the stored revision is not
        `base_rev`, and NumbersInUse as `create` does.
        """

    @abstractmethod
    async def delete(
        self,
        account_id: str,
        callflow_id: str,
        base_rev: str,
        now: int,
        *,
        soft: bool = True,
    ) -> StoredCallflow:
        """Delete a live callflow and return it as it was before the delete.

        A soft delete keeps the document, marked deleted, so its id stays taken;
        either kind frees its numbers and patterns. Raises as `update` does.
        """

    @abstractmethod
    async def page(
        self, account_id: str, start_key: str | None, limit: int
    ) -> list[StoredCallflow]:
        """Return up to `limit` live callflows with ids >= `start_key`, ascending."""

    async def listing(
        self,
        account_id: str,
        query: FilterQuery,
        start_key: str | None,
        limit: int | None,
    ) -> Listing:
        """Return the listing page of the live callflows that pass `query`.

        The page contains the first `limit` of them (all when None) with ids >=
        `start_key`, and names the id that starts the next page. This default
        scans `page` in batches and tests every record, so it reads what other
        processes wrote. A store may read an index instead, with the same result.
        """
        found: list[bytes] = []
        cursor = start_key
        batch = _SCAN_BATCH if query or limit is None else limit + 1
        while True:
            records = await self.page(account_id, cursor, batch)
            for record in records:
                if query and not record_matches(record, query):
                    continue
                if limit is not None and len(found) == limit:
                    return Listing.from_rows(found, record.id)
                found.append(record.row)
            if len(records) < batch:
                return Listing.from_rows(found, None)
            cursor = records[-1].id + "\0"  # the smallest id after the last one

    @abstractmethod
    async def count(self, account_id: str) -> int:
        """Return the number of live callflows of an account."""

    @abstractmethod
    async def clear(self) -> None:
        """Remove every callflow of every account."""

    @abstractmethod
    async def export(self) -> dict[str, list[dict[str, Any]]]:
        """Return every stored document, deleted ones included, by account id."""


class _AccountCallflows:
    """The callflows of one account, their indexes and listing views."""

    __slots__ = ("deleted", "live", "numbers", "patterns", "sorted", "views")

    def __init__(self) -> None:
        self.live: dict[str, StoredCallflow] = {}
        self.deleted: dict[str, StoredCallflow] = {}
        # The live records again, ordered by id, so a page needs no dictionary
        # lookup per row. With 100,000 callflows those lookups miss the CPU
        # cache and took about half of a page's time (2-core AMD EPYC VM).
        self.sorted: SortedKeyList[StoredCallflow, str] = SortedKeyList(key=by_id)
        self.numbers: dict[str, str] = {}
        self.patterns: dict[str, str] = {}
        self.views = ListingViews(self.live, self.sorted)

    def conflicts(
        self,
        numbers: Iterable[str],
        patterns: Iterable[str],
        exclude_id: str | None,
    ) -> list[Conflict]:
        found: list[Conflict] = []
        for field, index, values in (
            ("numbers", self.numbers, numbers),
            ("patterns", self.patterns, patterns),
        ):
            for value in values:
                owner = index.get(value)
                if owner is not None and owner != exclude_id:
                    name = self.live[owner].display_name()
                    found.append(Conflict(field, value, owner, name))
        return found

    def add(self, record: StoredCallflow) -> None:
        old = self.live.get(record.id)
        if old is not None:
            self.sorted.remove(old)
        self.sorted.add(record)
        self.live[record.id] = record
        for number in record.numbers:
            self.numbers[number] = record.id
        for pattern in record.patterns:
            self.patterns[pattern] = record.id
        self.views.touch(record.id)

    def remove(self, record: StoredCallflow) -> None:
        del self.live[record.id]
        self.sorted.remove(record)
        for number in record.numbers:
            if self.numbers.get(number) == record.id:
                del self.numbers[number]
        for pattern in record.patterns:
            if self.patterns.get(pattern) == record.id:
                del self.patterns[pattern]
        self.views.touch(record.id)

    def current(self, callflow_id: str, base_rev: str) -> StoredCallflow:
        record = self.live.get(callflow_id)
        if record is None:
            raise CallflowNotFound(callflow_id)
        if record.rev != base_rev:
            raise RevisionMismatch(base_rev, record.rev)
        return record


class MemoryStore(CallflowStore):
    """Callflows in process memory; every operation but `export` avoids full scans.

    Lookups by id, number and pattern are dictionary reads, and a page costs
    O(log n + limit) through a list of the records sorted by id. A filtered
    listing reads a view that is updated with the callflows changed since its
    last use (see `mock_server.listing`). Methods never await, so each runs
    atomically on the event loop.
    """

    def __init__(self) -> None:
        self._accounts: dict[str, _AccountCallflows] = {}

    def _account(self, account_id: str) -> _AccountCallflows:
        account = self._accounts.get(account_id)
        if account is None:
            account = self._accounts[account_id] = _AccountCallflows()
        return account

    async def get(self, account_id: str, callflow_id: str) -> StoredCallflow | None:
        account = self._accounts.get(account_id)
        return account.live.get(callflow_id) if account else None

    async def get_many(
        self, account_id: str, callflow_ids: Iterable[str]
    ) -> dict[str, StoredCallflow]:
        account = self._accounts.get(account_id)
        if account is None:
            return {}
        found = (account.live.get(i) for i in callflow_ids)
        return {record.id: record for record in found if record is not None}

    async def conflicts(
        self,
        account_id: str,
        numbers: Sequence[str],
        patterns: Sequence[str],
        exclude_id: str | None = None,
    ) -> list[Conflict]:
        account = self._accounts.get(account_id)
        if account is None:
            return []
        return account.conflicts(numbers, patterns, exclude_id)

    async def create(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        now: int,
    ) -> StoredCallflow:
        account = self._account(account_id)
        record = StoredCallflow.build(account_id, callflow_id, "", document, now, now)
        conflicts = account.conflicts(record.numbers, record.patterns, None)
        if conflicts:
            raise NumbersInUse(conflicts)
        if callflow_id in account.live or callflow_id in account.deleted:
            raise IdTaken(callflow_id)
        record = dataclasses.replace(record, rev=next_revision(None, record.body))
        account.add(record)
        return record

    async def update(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        base_rev: str,
        now: int,
    ) -> StoredCallflow:
        account = self._account(account_id)
        old = account.current(callflow_id, base_rev)
        record = StoredCallflow.build(
            account_id, callflow_id, "", document, old.created, now
        )
        conflicts = account.conflicts(record.numbers, record.patterns, callflow_id)
        if conflicts:
            raise NumbersInUse(conflicts)
        record = dataclasses.replace(record, rev=next_revision(old.rev, record.body))
        account.remove(old)
        account.add(record)
        return record

    async def delete(
        self,
        account_id: str,
        callflow_id: str,
        base_rev: str,
        now: int,
        *,
        soft: bool = True,
    ) -> StoredCallflow:
        account = self._account(account_id)
        old = account.current(callflow_id, base_rev)
        account.remove(old)
        if soft:
            rev = next_revision(old.rev, old.body)
            tombstone = dataclasses.replace(old, rev=rev, modified=now, deleted=True)
            account.deleted[callflow_id] = tombstone
        return old

    async def page(
        self, account_id: str, start_key: str | None, limit: int
    ) -> list[StoredCallflow]:
        account = self._accounts.get(account_id)
        if account is None or limit <= 0:
            return []
        records = account.sorted
        start = 0 if start_key is None else records.bisect_key_left(start_key)
        return list(records.islice(start, start + limit))

    async def listing(
        self,
        account_id: str,
        query: FilterQuery,
        start_key: str | None,
        limit: int | None,
    ) -> Listing:
        account = self._accounts.get(account_id)
        if account is None:
            return EMPTY_LISTING
        return account.views.listing(query, start_key, limit)

    async def count(self, account_id: str) -> int:
        account = self._accounts.get(account_id)
        return len(account.live) if account else 0

    async def clear(self) -> None:
        self._accounts.clear()

    async def export(self) -> dict[str, list[dict[str, Any]]]:
        exported: dict[str, list[dict[str, Any]]] = {}
        for account_id, account in sorted(self._accounts.items()):
            records = [*account.live.values(), *account.deleted.values()]
            records.sort(key=lambda record: record.id)
            exported[account_id] = [record.stored_document() for record in records]
        return exported

    # Saved state ---------------------------------------------------------------
    # Used to reload a state file; they skip the uniqueness and revision checks.

    def records(self) -> Iterator[StoredCallflow]:
        """Yield every stored record, live and deleted, account by account."""
        for account in self._accounts.values():
            yield from account.live.values()
            yield from account.deleted.values()

    def stored(self, account_id: str, callflow_id: str) -> StoredCallflow | None:
        """Return the record stored under an id, live or deleted, or None."""
        account = self._accounts.get(account_id)
        if account is None:
            return None
        return account.live.get(callflow_id) or account.deleted.get(callflow_id)

    def restore(self, record: StoredCallflow) -> None:
        """Store a record exactly as given, replacing whatever has its id."""
        self.discard(record.account_id, record.id)
        account = self._account(record.account_id)
        if record.deleted:
            account.deleted[record.id] = record
        else:
            account.add(record)

    def discard(self, account_id: str, callflow_id: str) -> None:
        """Forget a callflow, live or deleted, so that its id is free again."""
        account = self._accounts.get(account_id)
        if account is None:
            return
        live = account.live.get(callflow_id)
        if live is not None:
            account.remove(live)
        account.deleted.pop(callflow_id, None)
