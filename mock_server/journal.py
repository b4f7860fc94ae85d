"""Keep the in-memory state in a file, so that a restart loses no acknowledged write.

The state file is a journal in JSON Lines. A compacted file opens with one
`state` entry and one `put` entry per stored callflow, and every later change is
appended as one more line:

    {"op": "state", "version": 1, "fixtures": {...}, "startup_token": "...",
     "tokens": {"<token>": ["<account id>", "<owner id or null>", "<method>"]}}
    {"op": "put", "account_id": "...", "id": "...", "rev": "...", "created": 6385…,
     "modified": 6385…, "deleted": false, "body": {...}}
    {"op": "purge", "account_id": "...", "id": "..."}
    {"op": "token", "token": "...", "info": ["<account id>", null, "user_auth"]}

Loading replays the lines in order: `state` replaces everything, `put` stores a
record as given, `purge` removes an id (a hard delete) and `token` registers a
token. Replaying a line twice gives the same state, so lines written after a
snapshot that the snapshot already contains do no harm.

Durability: a write is applied in memory, its line is appended, and the response
waits until the line is written and fsynced. Writes that arrive while a flush
runs share the next fsync (group commit). Compaction writes the whole state to
`<file>.tmp`, fsyncs it, renames it over the file and fsyncs the folder, so the
file on disk is always either the old journal or the new snapshot. A torn last
line (a crash in the middle of an append) is dropped on load. Any other line
that cannot be read stops the start-up.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from mock_server import jsoncodec
from mock_server.auth import TokenInfo
from mock_server.config import MockConfig
from mock_server.documents import StoredCallflow
from mock_server.errors import Conflict, DatastoreFault
from mock_server.filters import FilterQuery
from mock_server.fixtures import Directory, account_fixture, parse_fixtures
from mock_server.listing import Listing
from mock_server.state import MockState
from mock_server.store import CallflowStore, MemoryStore

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
COMPACT_MIN_LINES = 10_000
"""Appended lines after which compaction may run. It runs once they also outnumber
twice the records of the last snapshot, so its cost per write stays constant."""


class StateFile:
    """The journal file: reading it, durable appends, and atomic compaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.appended = 0
        self._fd: int | None = None
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def read(self) -> list[dict[str, Any]]:
        """Return the file's entries in order; [] when the file does not exist."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise DatastoreFault(f"cannot read state file {self.path}: {exc}") from exc
        lines = data.split(b"\n")
        entries: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = jsoncodec.loads(line)
            except orjson.JSONDecodeError as exc:
                if number == len(lines):
                    logger.warning("state file %s: dropped a torn last line", self.path)
                    break
                raise DatastoreFault(
                    f"state file {self.path}, line {number}: invalid JSON ({exc}); "
                    "repair or delete the file"
                ) from exc
            if not isinstance(entry, dict):
                raise DatastoreFault(
                    f"state file {self.path}, line {number}: expected an object"
                )
            entries.append(entry)
        return entries

    async def append(self, entry: Mapping[str, Any]) -> None:
        """Append one entry and return once it is written and fsynced."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((orjson.dumps(entry) + b"\n", future))
        self.appended += 1
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        async with self._lock:
            while self._pending:
                batch, self._pending = self._pending, []
                data = b"".join(line for line, _ in batch)
                error: DatastoreFault | None = None
                try:
                    await asyncio.to_thread(self._write, data)
                except OSError as exc:
                    logger.error("state file %s: append failed: %s", self.path, exc)
                    error = DatastoreFault(f"cannot write state file: {exc}")
                for _, future in batch:
                    if future.done():
                        continue
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(error)

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            self._fd = os.open(self.path, flags, 0o600)
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)

    async def rewrite(self, snapshot: Callable[[], Iterable[bytes]]) -> None:
        """Replace the file with the lines `snapshot` returns, atomically.

        `snapshot` runs while no append is being written, so every line
        flushed before it is in the snapshot and every later one follows it.
        """
        async with self._lock:
            data = b"".join(snapshot())
            try:
                await asyncio.to_thread(self._replace, data)
            except OSError as exc:
                raise DatastoreFault(
                    f"cannot write state file {self.path}: {exc}"
                ) from exc
            self.appended = 0

    def _replace(self, data: bytes) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, self.path)
        self._fsync_folder()
        self.close()

    def _fsync_folder(self) -> None:
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Close the append handle; the next append reopens the file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class JournaledStore(CallflowStore):
    """A MemoryStore whose writes are appended to a StateFile before they return."""

    def __init__(self, memory: MemoryStore, state_file: StateFile) -> None:
        self.memory = memory
        self.file = state_file
        self.journaling = True
        self.on_append: Callable[[], None] = lambda: None

    async def _log(self, entry: dict[str, Any]) -> None:
        if self.journaling:
            await self.file.append(entry)
            self.on_append()

    async def get(self, account_id: str, callflow_id: str) -> StoredCallflow | None:
        return await self.memory.get(account_id, callflow_id)

    async def get_many(
        self, account_id: str, callflow_ids: Iterable[str]
    ) -> dict[str, StoredCallflow]:
        return await self.memory.get_many(account_id, callflow_ids)

    async def conflicts(
        self,
        account_id: str,
        numbers: Sequence[str],
        patterns: Sequence[str],
        exclude_id: str | None = None,
    ) -> list[Conflict]:
        return await self.memory.conflicts(account_id, numbers, patterns, exclude_id)

    async def create(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        now: int,
    ) -> StoredCallflow:
        record = await self.memory.create(account_id, callflow_id, document, now)
        await self._log(put_entry(record))
        return record

    async def update(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        base_rev: str,
        now: int,
    ) -> StoredCallflow:
        record = await self.memory.update(
            account_id, callflow_id, document, base_rev, now
        )
        await self._log(put_entry(record))
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
        old = await self.memory.delete(
            account_id, callflow_id, base_rev, now, soft=soft
        )
        tombstone = self.memory.stored(account_id, callflow_id)
        if tombstone is not None:
            await self._log(put_entry(tombstone))
        else:
            await self._log(
                {"op": "purge", "account_id": account_id, "id": callflow_id}
            )
        return old

    async def page(
        self, account_id: str, start_key: str | None, limit: int
    ) -> list[StoredCallflow]:
        return await self.memory.page(account_id, start_key, limit)

    async def listing(
        self,
        account_id: str,
        query: FilterQuery,
        start_key: str | None,
        limit: int | None,
    ) -> Listing:
        return await self.memory.listing(account_id, query, start_key, limit)

    async def count(self, account_id: str) -> int:
        return await self.memory.count(account_id)

    async def clear(self) -> None:
        await self.memory.clear()

    async def export(self) -> dict[str, list[dict[str, Any]]]:
        return await self.memory.export()


class JournaledState(MockState):
    """A MockState saved in `config.state_file` and loaded from it at start."""

    def __init__(
        self, config: MockConfig, callflow_model: type[BaseModel] | None = None
    ) -> None:
        if config.state_file is None:
            raise ValueError("JournaledState needs config.state_file")
        self.memory = MemoryStore()
        self.file = StateFile(config.state_file)
        self.journal = JournaledStore(self.memory, self.file)
        self.journal.on_append = self._maybe_compact
        self._compaction: asyncio.Task[None] | None = None
        self._snapshot_records = 0
        super().__init__(config, callflow_model, self.journal)

    async def start(self) -> None:
        """Load the state file, or the configured fixtures when there is none."""
        entries = self.file.read()
        if entries:
            await self._replay(entries)
            logger.info(
                "state file %s: loaded %d entries", self.file.path, len(entries)
            )
        else:
            await self.reset()
        await self.compact()

    async def issue_token(self, info: TokenInfo, token: str | None = None) -> str:
        issued = await super().issue_token(info, token)
        if self.journal.journaling:
            entry = {"op": "token", "token": issued, "info": _token_row(info)}
            await self.file.append(entry)
        return issued

    async def load(self, directory: Directory) -> None:
        """Replace the whole state, then write it to the file as one snapshot."""
        self.journal.journaling = False
        try:
            await super().load(directory)
        finally:
            self.journal.journaling = True
        await self.compact()

    async def compact(self) -> None:
        """Rewrite the state file as a snapshot of the current state."""
        await self.file.rewrite(self._snapshot)

    async def close(self) -> None:
        """Write a final snapshot and close the file."""
        await self.compact()
        self.file.close()

    def _maybe_compact(self) -> None:
        if self._compaction is not None and not self._compaction.done():
            return
        appended = self.file.appended
        if appended > max(COMPACT_MIN_LINES, 2 * self._snapshot_records):
            self._compaction = asyncio.create_task(self._compact_in_background())

    async def _compact_in_background(self) -> None:
        try:
            await self.compact()
        except DatastoreFault as exc:
            # The journal keeps growing; the next append past the limit retries.
            logger.error("state file %s: compaction failed: %s", self.file.path, exc)

    def _snapshot(self) -> Iterator[bytes]:
        head = {
            "op": "state",
            "version": FORMAT_VERSION,
            "fixtures": directory_fixture(self.directory),
            "startup_token": self.startup_token,
            "tokens": {t: _token_row(info) for t, info in self.tokens.items()},
        }
        yield orjson.dumps(head) + b"\n"
        self._snapshot_records = 0
        for record in self.memory.records():
            self._snapshot_records += 1
            yield orjson.dumps(put_entry(record)) + b"\n"

    async def _replay(self, entries: list[dict[str, Any]]) -> None:
        for number, entry in enumerate(entries, start=1):
            try:
                await self._apply(entry)
            except (KeyError, TypeError, ValueError) as exc:
                raise DatastoreFault(
                    f"state file {self.file.path}, entry {number}: cannot apply "
                    f"{entry.get('op')!r} entry ({exc!r}); repair or delete the file"
                ) from exc
        if self.config.token is not None and self.directory.primary is not None:
            info = TokenInfo(self.directory.primary.id, None, "startup")
            self.tokens.issue(info, self.config.token)
            self.startup_token = self.config.token

    async def _apply(self, entry: dict[str, Any]) -> None:
        op = entry["op"]
        if op == "state":
            if entry["version"] != FORMAT_VERSION:
                raise ValueError(f"unknown format version {entry['version']!r}")
            await self.memory.clear()
            self.tokens.clear()
            self.directory = parse_fixtures(entry["fixtures"], "state file")
            self.startup_token = entry["startup_token"]
            for token, row in entry["tokens"].items():
                self.tokens.issue(TokenInfo(*row), token)
        elif op == "put":
            self.memory.restore(record_from_entry(entry))
        elif op == "purge":
            self.memory.discard(entry["account_id"], entry["id"])
        elif op == "token":
            self.tokens.issue(TokenInfo(*entry["info"]), entry["token"])
        else:
            raise ValueError(f"unknown op {op!r}")


def put_entry(record: StoredCallflow) -> dict[str, Any]:
    """Return the journal entry that stores `record` as it is."""
    return {
        "op": "put",
        "account_id": record.account_id,
        "id": record.id,
        "rev": record.rev,
        "created": record.created,
        "modified": record.modified,
        "deleted": record.deleted,
        "body": orjson.Fragment(record.body),
    }


def record_from_entry(entry: Mapping[str, Any]) -> StoredCallflow:
    """Rebuild the record of a `put` entry; the inverse of `put_entry`."""
    body = entry["body"]
    if not isinstance(body, dict):
        raise TypeError("body is not an object")
    record = StoredCallflow.build(
        entry["account_id"],
        entry["id"],
        entry["rev"],
        body,
        entry["created"],
        entry["modified"],
    )
    if entry["deleted"]:
        return dataclasses.replace(record, deleted=True)
    return record


def directory_fixture(directory: Directory) -> dict[str, Any]:
    """Return the fixture document of a directory's accounts, without callflows."""
    return {"accounts": [account_fixture(a) for a in directory.accounts.values()]}


def _token_row(info: TokenInfo) -> list[str | None]:
    return [info.account_id, info.owner_id, info.method]
