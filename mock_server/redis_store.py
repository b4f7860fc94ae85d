"""A CallflowStore on Redis, so that several workers and replicas share callflows.

Every write is one Lua script, which Redis runs atomically: it checks the base
revision and the uniqueness of numbers and patterns and writes the callflow and
its indexes, so concurrent writers in different processes cannot both win. Each
store method costs one round trip. Keys, with `P` the key prefix and `A` an
account id:

| key                  | type       | contents                                     |
|----------------------|------------|----------------------------------------------|
| `P:accounts`         | set        | accounts that have callflows                 |
| `P:acct:A:docs`      | hash       | live callflow id → record                    |
| `P:acct:A:dead`      | hash       | soft-deleted id → deletion time, `\\n`, record |
| `P:acct:A:revs`      | hash       | live id → `<revision> <created>`             |
| `P:acct:A:owned`     | hash       | live id → JSON `[numbers, patterns]`         |
| `P:acct:A:names`     | hash       | live id → name shown in conflict messages    |
| `P:acct:A:numbers`   | hash       | number → live id that uses it                |
| `P:acct:A:patterns`  | hash       | pattern → live id that uses it               |
| `P:acct:A:ids`       | sorted set | live ids, all with score 0, paged by ZRANGEBYLEX |

A record is five lines: created, modified, the JSON array `[revision, numbers,
patterns, name, refs]`, the body and the listing row (compact JSON never contains
a raw newline). A soft delete keeps the last live record, and `export` derives the
tombstone's revision from it as MemoryStore does.

NOTE: `clear` builds key names inside its script, which Redis Cluster does not
allow; the store needs a standalone Redis server.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from mock_server.documents import StoredCallflow
from mock_server.errors import (
    CallflowNotFound,
    Conflict,
    DatastoreFault,
    IdTaken,
    NumbersInUse,
    RevisionMismatch,
)
from mock_server.store import CallflowStore, next_revision

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "callflow-kit"
MAX_PAGE = 2**31 - 1
"""Largest LIMIT sent to Redis; `page_size` can be any positive integer."""

# Functions shared by the write scripts. KEYS of every write script, in order:
# accounts, docs, dead, revs, owned, names, numbers, patterns, ids.
_LUA_HELPERS = """
local function find_conflicts(args, first, count, exclude)
  local found = {}
  for i = first, #args do
    local is_number = (i - first) < count
    local index = is_number and KEYS[7] or KEYS[8]
    local owner = redis.call('HGET', index, args[i])
    if owner and owner ~= exclude then
      local name = redis.call('HGET', KEYS[6], owner) or owner
      found[#found + 1] = is_number and 'numbers' or 'patterns'
      found[#found + 1] = args[i]
      found[#found + 1] = owner
      found[#found + 1] = name
    end
  end
  return found
end

local function add_index(args, first, count, id)
  for i = first, #args do
    local index = (i - first) < count and KEYS[7] or KEYS[8]
    redis.call('HSET', index, args[i], id)
  end
end

local function remove_index(id)
  local owned = cjson.decode(redis.call('HGET', KEYS[5], id))
  for list = 1, 2 do
    local index = list == 1 and KEYS[7] or KEYS[8]
    for _, value in ipairs(owned[list]) do
      if redis.call('HGET', index, value) == id then
        redis.call('HDEL', index, value)
      end
    end
  end
end

local function live_revision(id)
  local current = redis.call('HGET', KEYS[4], id)
  if not current then
    return nil
  end
  return string.match(current, '^(%S+) (%d+)$')
end
"""

# ARGV: account id, id, revision, created, record, owned, name, number count,
# numbers..., patterns...
_CREATE = (
    _LUA_HELPERS
    + """
local id = ARGV[2]
local count = tonumber(ARGV[8])
local found = find_conflicts(ARGV, 9, count, '')
if #found > 0 then
  return {'conflicts', found}
end
local existing = redis.call('HEXISTS', KEYS[4], id) + redis.call('HEXISTS', KEYS[3], id)
if existing > 0 then
  return {'taken'}
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], id, ARGV[5])
redis.call('HSET', KEYS[4], id, ARGV[3] .. ' ' .. ARGV[4])
redis.call('HSET', KEYS[5], id, ARGV[6])
redis.call('HSET', KEYS[6], id, ARGV[7])
add_index(ARGV, 9, count, id)
redis.call('ZADD', KEYS[9], 0, id)
return {'ok'}
"""
)

# ARGV: id, base revision, new revision, record without its created line, owned,
# name, number count, numbers..., patterns...
_UPDATE = (
    _LUA_HELPERS
    + """
local id = ARGV[1]
local rev, created = live_revision(id)
if not rev then
  return {'missing'}
end
if rev ~= ARGV[2] then
  return {'stale', rev}
end
local count = tonumber(ARGV[7])
local found = find_conflicts(ARGV, 8, count, id)
if #found > 0 then
  return {'conflicts', found}
end
remove_index(id)
redis.call('HSET', KEYS[2], id, created .. '\\n' .. ARGV[4])
redis.call('HSET', KEYS[4], id, ARGV[3] .. ' ' .. created)
redis.call('HSET', KEYS[5], id, ARGV[5])
redis.call('HSET', KEYS[6], id, ARGV[6])
add_index(ARGV, 8, count, id)
return {'ok', created}
"""
)

# ARGV: id, base revision, "1" for a soft delete, deletion time.
_DELETE = (
    _LUA_HELPERS
    + """
local id = ARGV[1]
local rev = live_revision(id)
if not rev then
  return {'missing'}
end
if rev ~= ARGV[2] then
  return {'stale', rev}
end
remove_index(id)
local record = redis.call('HGET', KEYS[2], id)
for _, key in ipairs({KEYS[2], KEYS[4], KEYS[5], KEYS[6]}) do
  redis.call('HDEL', key, id)
end
redis.call('ZREM', KEYS[9], id)
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[3], id, ARGV[4] .. '\\n' .. record)
end
return {'ok', record}
"""
)

# ARGV: id to leave out, number count, numbers..., patterns...
_CONFLICTS = (
    _LUA_HELPERS
    + """
return find_conflicts(ARGV, 3, tonumber(ARGV[2]), ARGV[1])
"""
)

# KEYS: ids, docs. ARGV: ZRANGEBYLEX start, limit. Returns id, record, id, ...
_PAGE = """
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])
local reply = {}
for _, id in ipairs(ids) do
  reply[#reply + 1] = id
  reply[#reply + 1] = redis.call('HGET', KEYS[2], id)
end
return reply
"""

# KEYS: accounts. ARGV: the prefix of account keys, such as "callflow-kit:acct:".
_CLEAR = """
local suffixes = {
  'docs', 'dead', 'revs', 'owned', 'names', 'numbers', 'patterns', 'ids'
}
for _, account in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, suffix in ipairs(suffixes) do
    redis.call('UNLINK', ARGV[1] .. account .. ':' .. suffix)
  end
end
redis.call('UNLINK', KEYS[1])
return 1
"""

_SUFFIXES = ("docs", "dead", "revs", "owned", "names", "numbers", "patterns", "ids")


class RedisStore(CallflowStore):
    """Callflows in Redis, with MemoryStore's semantics; see the module docstring."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._accounts_key = f"{prefix}:accounts"
        self._create = client.register_script(_CREATE)
        self._update = client.register_script(_UPDATE)
        self._delete = client.register_script(_DELETE)
        self._conflicts = client.register_script(_CONFLICTS)
        self._page = client.register_script(_PAGE)
        self._clear = client.register_script(_CLEAR)

    def _key(self, account_id: str, suffix: str) -> str:
        return f"{self.prefix}:acct:{account_id}:{suffix}"

    def _write_keys(self, account_id: str) -> list[str]:
        return [self._accounts_key, *(self._key(account_id, s) for s in _SUFFIXES)]

    async def get(self, account_id: str, callflow_id: str) -> StoredCallflow | None:
        blob = await redis_call(
            self.client.hget(self._key(account_id, "docs"), callflow_id)
        )
        return decode_record(account_id, callflow_id, blob) if blob else None

    async def get_many(
        self, account_id: str, callflow_ids: Iterable[str]
    ) -> dict[str, StoredCallflow]:
        ids = list(dict.fromkeys(callflow_ids))
        if not ids:
            return {}
        blobs = await redis_call(self.client.hmget(self._key(account_id, "docs"), ids))
        return {
            callflow_id: decode_record(account_id, callflow_id, blob)
            for callflow_id, blob in zip(ids, blobs, strict=True)
            if blob
        }

    async def conflicts(
        self,
        account_id: str,
        numbers: Sequence[str],
        patterns: Sequence[str],
        exclude_id: str | None = None,
    ) -> list[Conflict]:
        if not numbers and not patterns:
            return []
        args: list[str | int] = [exclude_id or "", len(numbers), *numbers, *patterns]
        found = await redis_call(self._conflicts(self._write_keys(account_id), args))
        return _conflicts(found)

    async def create(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        now: int,
    ) -> StoredCallflow:
        record = StoredCallflow.build(account_id, callflow_id, "", document, now, now)
        record = dataclasses.replace(record, rev=next_revision(None, record.body))
        args: list[str | bytes | int] = [
            account_id,
            callflow_id,
            record.rev,
            now,
            encode_record(record),
            _owned(record),
            record.display_name(),
            *_index_args(record),
        ]
        reply = await redis_call(self._create(self._write_keys(account_id), args))
        status = reply[0]
        if status == b"conflicts":
            raise NumbersInUse(_conflicts(reply[1]))
        if status == b"taken":
            raise IdTaken(callflow_id)
        return record

    async def update(
        self,
        account_id: str,
        callflow_id: str,
        document: Mapping[str, Any],
        base_rev: str,
        now: int,
    ) -> StoredCallflow:
        record = StoredCallflow.build(account_id, callflow_id, "", document, 0, now)
        record = dataclasses.replace(record, rev=next_revision(base_rev, record.body))
        without_created = encode_record(record).split(b"\n", 1)[1]
        args: list[str | bytes | int] = [
            callflow_id,
            base_rev,
            record.rev,
            without_created,
            _owned(record),
            record.display_name(),
            *_index_args(record),
        ]
        reply = await redis_call(self._update(self._write_keys(account_id), args))
        _raise_for_status(reply, callflow_id, base_rev)
        return dataclasses.replace(record, created=int(reply[1]))

    async def delete(
        self,
        account_id: str,
        callflow_id: str,
        base_rev: str,
        now: int,
        *,
        soft: bool = True,
    ) -> StoredCallflow:
        args = [callflow_id, base_rev, "1" if soft else "0", now]
        reply = await redis_call(self._delete(self._write_keys(account_id), args))
        _raise_for_status(reply, callflow_id, base_rev)
        return decode_record(account_id, callflow_id, reply[1])

    async def page(
        self, account_id: str, start_key: str | None, limit: int
    ) -> list[StoredCallflow]:
        if limit <= 0:
            return []
        start = "-" if start_key is None else f"[{start_key}"
        keys = [self._key(account_id, "ids"), self._key(account_id, "docs")]
        reply = await redis_call(self._page(keys, [start, min(limit, MAX_PAGE)]))
        return [
            decode_record(account_id, reply[i].decode(), reply[i + 1])
            for i in range(0, len(reply), 2)
        ]

    async def count(self, account_id: str) -> int:
        return int(await redis_call(self.client.zcard(self._key(account_id, "ids"))))

    async def clear(self) -> None:
        prefix = f"{self.prefix}:acct:"
        await redis_call(self._clear([self._accounts_key], [prefix]))

    async def export(self) -> dict[str, list[dict[str, Any]]]:
        members = await redis_call(self.client.smembers(self._accounts_key))
        accounts = sorted(member.decode() for member in members)
        async with self.client.pipeline(transaction=True) as pipe:
            for account_id in accounts:
                pipe.hgetall(self._key(account_id, "docs"))
                pipe.hgetall(self._key(account_id, "dead"))
            replies = await redis_call(pipe.execute())
        exported: dict[str, list[dict[str, Any]]] = {}
        for index, account_id in enumerate(accounts):
            live, dead = replies[2 * index], replies[2 * index + 1]
            records = [
                decode_record(account_id, key.decode(), blob)
                for key, blob in live.items()
            ]
            records += [
                _tombstone(account_id, key.decode(), value)
                for key, value in dead.items()
            ]
            records.sort(key=lambda record: record.id)
            exported[account_id] = [record.stored_document() for record in records]
        return exported


def encode_record(record: StoredCallflow) -> bytes:
    """Return the five-line form of a live record that Redis keeps."""
    header = orjson.dumps(
        [record.rev, record.numbers, record.patterns, record.name, record.refs]
    )
    times = f"{record.created}\n{record.modified}\n".encode()
    return times + header + b"\n" + record.body + b"\n" + record.row


def decode_record(account_id: str, callflow_id: str, blob: bytes) -> StoredCallflow:
    """Rebuild a record from its five-line form."""
    created, modified, header, body, row = blob.split(b"\n", 4)
    rev, numbers, patterns, name, refs = orjson.loads(header)
    return StoredCallflow(
        account_id=account_id,
        id=callflow_id,
        rev=rev,
        body=body,
        row=row,
        numbers=tuple(numbers),
        patterns=tuple(patterns),
        name=name,
        refs=tuple(refs),
        created=int(created),
        modified=int(modified),
    )


def _tombstone(account_id: str, callflow_id: str, value: bytes) -> StoredCallflow:
    deleted_at, blob = value.split(b"\n", 1)
    old = decode_record(account_id, callflow_id, blob)
    rev = next_revision(old.rev, old.body)
    return dataclasses.replace(old, rev=rev, modified=int(deleted_at), deleted=True)


def _owned(record: StoredCallflow) -> bytes:
    return orjson.dumps([record.numbers, record.patterns])


def _index_args(record: StoredCallflow) -> list[str | int]:
    return [len(record.numbers), *record.numbers, *record.patterns]


def _conflicts(found: list[bytes]) -> list[Conflict]:
    return [
        Conflict(
            found[i].decode(),
            found[i + 1].decode(),
            found[i + 2].decode(),
            found[i + 3].decode(),
        )
        for i in range(0, len(found), 4)
    ]


def _raise_for_status(reply: list[Any], callflow_id: str, base_rev: str) -> None:
    status = reply[0]
    if status == b"missing":
        raise CallflowNotFound(callflow_id)
    if status == b"stale":
        raise RevisionMismatch(base_rev, reply[1].decode())
    if status == b"conflicts":
        raise NumbersInUse(_conflicts(reply[1]))


async def redis_call(call: Awaitable[Any]) -> Any:
    """Await a Redis call, turning Redis and connection errors into DatastoreFault.

    The reply is typed Any: with `decode_responses` off, Redis replies are bytes,
    integers and lists of them, which redis-py's annotations do not narrow.
    """
    try:
        return await call
    except RedisError as exc:
        logger.error("Redis call failed: %s", exc)
        raise DatastoreFault(f"Redis failed: {exc}") from exc
