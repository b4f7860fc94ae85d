"""Listing pages, and the views that serve them from memory without a scan.

Kazoo reads a filtered listing from CouchDB views, indexes that CouchDB brings
up to date with the documents changed since their last use. `ListingViews` does
the same for the live callflows of one account in MemoryStore:

- Every write records the changed id in a change log and bumps the account's
  version. The log keeps each id once, with the version of its last change, and
  drops its oldest ids beyond `CHANGE_LOG_LIMIT`.
- A view is the list of the live records that pass one `FilterQuery`, sorted by
  id, and the version it reflects. On use it tests again only the ids changed
  since that version, or is rebuilt from every live callflow when the log has
  dropped one of them. At most `VIEW_LIMIT` views are kept, least recently used
  first out.
- First pages, those requested without a start key, are cached as rendered
  until the next write to the account, at most `PAGE_CACHE_LIMIT` of them and
  `PAGE_CACHE_BYTES` in total. A client that polls a listing requests its first
  page again and again, while a walk through the pages requests each later
  page once, so caching later pages would mostly cost memory.

The unfiltered listing pages the account's sorted records directly. Nothing
here awaits, so a listing never reads the state in the middle of a write.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter

from sortedcontainers import SortedKeyList

from mock_server.documents import StoredCallflow
from mock_server.filters import FilterQuery

VIEW_LIMIT = 32
"""Filter views kept per account."""
CHANGE_LOG_LIMIT = 10_000
"""Changed ids kept in one account's log. A view older than the log is rebuilt."""
PAGE_CACHE_LIMIT = 64
"""Rendered first pages cached per account."""
PAGE_CACHE_BYTES = 4 * 1024 * 1024
"""Total size of the `data` of the pages cached per account, in bytes."""
PAGE_CACHE_MAX_ENTRY = 512 * 1024
"""Largest `data`, in bytes, of a page that is cached."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a listing, rendered as the response's `data`.

    `data` is the JSON array of the rows in Kazoo 4.3's order, and `revision` the
    MD5 of `data` (None without rows). `next_id` is the id of the first row of the
    next page, None on the last page.
    """

    data: bytes
    revision: str | None
    count: int
    next_id: str | None

    @classmethod
    def from_rows(cls, rows: list[bytes], next_id: str | None) -> Listing:
        """Render rows given in ascending id order. This reverses `rows` in place."""
        if not rows:
            return cls(b"[]", None, 0, next_id)
        # Kazoo 4.3 folds each fetched chunk into a list, which reverses it.
        rows.reverse()
        data = b"[" + b",".join(rows) + b"]"
        revision = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return cls(data, revision, len(rows), next_id)


EMPTY_LISTING = Listing(b"[]", None, 0, None)

by_id: Callable[[StoredCallflow], str] = attrgetter("id")
"""The sort key of records: their id."""


def record_matches(record: StoredCallflow, query: FilterQuery) -> bool:
    """Return whether a live record passes the filters of `query`.

    Filters see the stored document with its private fields. When no filter
    reads one, the public fields suffice, and they cost one decode less.
    """
    if query.private:
        return query.matches(record.stored_document())
    return query.matches(record.public())


_Records = SortedKeyList[StoredCallflow, str]


class _View:
    """The live records that pass one query, sorted by id, as of a version."""

    __slots__ = ("records", "version")

    def __init__(self, records: _Records, version: int) -> None:
        self.records = records
        self.version = version


_PageKey = tuple[tuple[tuple[str, str], ...], int | None]


class ListingViews:
    """Listing views and cached pages of one account's live callflows.

    `live` and `records` are the account's live records by id and sorted by id.
    The owner mutates them in place and calls `touch` with each changed id.
    """

    def __init__(self, live: Mapping[str, StoredCallflow], records: _Records):
        self._live = live
        self._records = records
        self.version = 0
        # Changed id -> version of its last change, oldest change first.
        self._changes: OrderedDict[str, int] = OrderedDict()
        # Highest version among the changes dropped from the log.
        self._dropped = 0
        self._views: OrderedDict[tuple[tuple[str, str], ...], _View] = OrderedDict()
        self._pages: OrderedDict[_PageKey, Listing] = OrderedDict()
        self._page_bytes = 0

    @property
    def view_count(self) -> int:
        """Return the number of filter views kept."""
        return len(self._views)

    @property
    def cached_pages(self) -> int:
        """Return the number of rendered first pages cached."""
        return len(self._pages)

    def touch(self, callflow_id: str) -> None:
        """Record that the live record of `callflow_id` was added or removed."""
        self.version += 1
        if not self._views:
            # Only views read the log, and a view built later starts from the
            # current version, so nothing needs logging yet.
            self._dropped = self.version
        else:
            changes = self._changes
            changes[callflow_id] = self.version
            changes.move_to_end(callflow_id)
            if len(changes) > CHANGE_LOG_LIMIT:
                _, self._dropped = changes.popitem(last=False)
        if self._pages:
            self._pages.clear()
            self._page_bytes = 0

    def listing(
        self, query: FilterQuery, start_key: str | None, limit: int | None
    ) -> Listing:
        """Return the page of rows that pass `query`, as `CallflowStore.listing`."""
        key: _PageKey = (query.params, limit)
        if start_key is None:
            cached = self._pages.get(key)
            if cached is not None:
                self._pages.move_to_end(key)
                return cached
        records = self._view(query).records if query else self._records
        page = self._page(records, start_key, limit)
        if start_key is None:
            self._cache(key, page)
        return page

    def _page(
        self, records: _Records, start_key: str | None, limit: int | None
    ) -> Listing:
        start = 0 if start_key is None else records.bisect_key_left(start_key)
        if limit is None:
            rows = [record.row for record in records.islice(start)]
            return Listing.from_rows(rows, None)
        # Reading one record past the page shows whether another page follows.
        stop = min(len(records), start + limit + 1)
        selected = list(records.islice(start, stop))
        next_id = selected.pop().id if len(selected) > limit else None
        return Listing.from_rows([record.row for record in selected], next_id)

    def _cache(self, key: _PageKey, page: Listing) -> None:
        size = len(page.data)
        if size > PAGE_CACHE_MAX_ENTRY:
            return
        pages = self._pages
        pages[key] = page
        self._page_bytes += size
        while len(pages) > PAGE_CACHE_LIMIT or self._page_bytes > PAGE_CACHE_BYTES:
            _, evicted = pages.popitem(last=False)
            self._page_bytes -= len(evicted.data)

    def _view(self, query: FilterQuery) -> _View:
        """Return the view of `query`, brought up to the current version."""
        views = self._views
        view = views.get(query.params)
        if view is None or view.version < self._dropped:
            view = self._build(query)
            views[query.params] = view
            if len(views) > VIEW_LIMIT:
                views.popitem(last=False)
        elif view.version != self.version:
            self._catch_up(view, query)
        views.move_to_end(query.params)
        return view

    def _build(self, query: FilterQuery) -> _View:
        matching = [r for r in self._records if record_matches(r, query)]
        return _View(SortedKeyList(matching, key=by_id), self.version)

    def _catch_up(self, view: _View, query: FilterQuery) -> None:
        """Replace the view's record of each id changed since its version."""
        changed = []
        for callflow_id, version in reversed(self._changes.items()):
            if version <= view.version:
                break
            changed.append(callflow_id)
        records = view.records
        for callflow_id in changed:
            position = records.bisect_key_left(callflow_id)
            if position < len(records) and records[position].id == callflow_id:
                del records[position]
            record = self._live.get(callflow_id)
            if record is not None and record_matches(record, query):
                records.add(record)
        view.version = self.version
