"""Callflow documents: public fields, PATCH merging, list rows and stored records.

A `StoredCallflow` keeps a callflow as compact JSON bytes plus the few fields the
store indexes, so that 100,000 callflows fit in a few hundred megabytes and a fetch
or a list page needs no re-serialisation.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mock_server import jsoncodec

GREGORIAN_OFFSET = 62167219200
"""Seconds from 0000-01-01 to 1970-01-01: Kazoo stores times as Gregorian seconds."""

PVT_TYPE = "callflow"
_DROPPED_ON_WRITE = ("id", "metadata", "auth_token")


def gregorian_now() -> int:
    """Return the current time in Gregorian seconds (Unix time + 62167219200)."""
    return int(time.time()) + GREGORIAN_OFFSET


def public_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return `data` without top-level keys that start with `_` or `pvt_`.

    Kazoo filters only the top level; nested keys such as `flow.data._x` stay.
    """
    return {k: v for k, v in data.items() if not k.startswith(("_", "pvt_"))}


def writable_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the public fields a write stores.

    `id` and `metadata` copied back from a response are dropped: the document id
    never changes and `metadata` is computed on every fetch. So is `auth_token`,
    which a client may send inside `data` to authenticate.
    """
    fields = public_fields(data)
    for key in _DROPPED_ON_WRITE:
        fields.pop(key, None)
    return fields


def merge_patch(patch: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Merge a PATCH body into a document as Kazoo's `kz_json:merge_left` does.

    Request values win; objects merge key by key; lists are replaced whole; a JSON
    null removes the key; an empty object replaces the stored object.
    """
    merged = dict(current)
    for key, value in patch.items():
        stored = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and value and isinstance(stored, dict):
            merged[key] = merge_patch(value, stored)
        else:
            merged[key] = value
    return merged


def account_db(account_id: str) -> str:
    """Return Kazoo's encoded database name of an account."""
    return f"account%2F{account_id[:2]}%2F{account_id[2:4]}%2F{account_id[4:]}"


def _child_keys(children: dict[str, Any]) -> list[str]:
    """Order object keys as JavaScript does: array indexes ascending, then the rest.

    Kazoo computes `modules` in a CouchDB JavaScript view, whose `for … in` loop
    visits keys such as "0" and "1" before other keys, whatever the stored order.
    """
    indexes = [k for k in children if k.isdigit() and (k == "0" or k[0] != "0")]
    indexes = [k for k in indexes if int(k) < 2**32 - 1]
    index_set = set(indexes)
    rest = [k for k in children if k not in index_set]
    return sorted(indexes, key=int) + rest


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Yield each flow node depth first: the node, then its children in view order."""
    if not isinstance(node, dict):
        return
    yield node
    children = node.get("children")
    if isinstance(children, dict):
        for key in _child_keys(children):
            yield from _walk(children[key])
    elif isinstance(children, list):
        for child in children:
            yield from _walk(child)


def flow_modules(flow: Any) -> list[Any]:
    """Return the distinct module names of a flow, as the listing's `modules`.

    A node counts when its `module` and `data` are truthy in JavaScript's sense and
    `data.skip_module` is not `true`.
    """
    modules: list[Any] = []
    for node in _walk(flow):
        module, data = node.get("module"), node.get("data")
        if not _js_truthy(module) or not _js_truthy(data):
            continue
        if isinstance(data, dict) and data.get("skip_module") is True:
            continue
        if module not in modules:
            modules.append(module)
    return modules


def referenced_ids(flow: Any) -> tuple[str, ...]:
    """Return the document ids a flow refers to, for the `metadata` of a fetch.

    They are the `id` of each node's data, every data key containing `_id` with a
    non-empty string value, and every child key longer than one character but `_`
    (temporal rule ids, for example). The ids are interned: many stored callflows
    name the same users and devices, and a stored record keeps its ids.
    """
    found: dict[str, None] = {}
    for node in _walk(flow):
        data = node.get("data")
        if isinstance(data, dict):
            for key, value in data.items():
                if (key == "id" or "_id" in key) and isinstance(value, str) and value:
                    found[_interned(value)] = None
        children = node.get("children")
        if isinstance(children, dict):
            for key in children:
                if len(key) > 1 and key != "_":
                    found[_interned(key)] = None
    return tuple(found)


def _interned(text: str) -> str:
    # sys.intern raises TypeError for str subclasses, such as a StrEnum member.
    return sys.intern(text) if type(text) is str else text


def listing_row(callflow_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the row Kazoo 4.3's `callflows/crossbar_listing` view emits."""
    row: dict[str, Any] = {"id": callflow_id}
    for key in ("name", "type", "numbers", "patterns"):
        if key in document:
            row[key] = document[key]
    featurecode = document.get("featurecode")
    row["featurecode"] = featurecode if _js_truthy(featurecode) else False
    for key in ("owner_id", "group_id"):
        if key in document:
            row[key] = document[key]
    flow = document.get("flow")
    row["modules"] = flow_modules(flow) if _js_truthy(flow) else []
    flags = document.get("flags")
    row["flags"] = flags if _js_truthy(flags) else []
    return row


def compact_json(value: Any) -> bytes:
    """Serialise `value` into a bytes object no larger than its content.

    orjson returns bytes with at least 4 KiB allocated, whatever the content's
    size. The copy keeps only the content, so a stored callflow of about 1 KB
    takes about 1 KB instead of 4 KiB.
    """
    return memoryview(jsoncodec.dumps(value)).tobytes()


def _js_truthy(value: Any) -> bool:
    """Return JavaScript's truth value of a JSON value: `{}` and `[]` are true."""
    if isinstance(value, dict | list):
        return True
    return bool(value)


def _string_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


@dataclass(frozen=True, slots=True)
class StoredCallflow:
    """One stored revision of a callflow.

    `body` is the JSON of the public fields with `id` first, exactly the `data` of
    a PUT, POST or PATCH response. `row` is the JSON of its listing row.
    """

    account_id: str
    id: str
    rev: str
    body: bytes
    row: bytes
    numbers: tuple[str, ...]
    patterns: tuple[str, ...]
    name: str | None
    refs: tuple[str, ...]
    created: int
    modified: int
    deleted: bool = False

    @classmethod
    def build(
        cls,
        account_id: str,
        callflow_id: str,
        rev: str,
        document: Mapping[str, Any],
        created: int,
        modified: int,
    ) -> StoredCallflow:
        """Build a record from the public fields of a validated document."""
        public = {"id": callflow_id, **writable_fields(document)}
        name = document.get("name")
        return cls(
            account_id=account_id,
            id=callflow_id,
            rev=rev,
            body=compact_json(public),
            row=compact_json(listing_row(callflow_id, document)),
            numbers=_string_list(document.get("numbers")),
            patterns=_string_list(document.get("patterns")),
            name=name if isinstance(name, str) else None,
            refs=referenced_ids(document.get("flow")),
            created=created,
            modified=modified,
        )

    def public(self) -> dict[str, Any]:
        """Return the public fields, with `id`."""
        document: dict[str, Any] = jsoncodec.loads(self.body)
        return document

    def display_name(self) -> str:
        """Return the name Kazoo shows in conflict messages: the name, else the id."""
        return self.name or self.id

    def stored_document(self) -> dict[str, Any]:
        """Return the document as Kazoo stores it, private fields included."""
        document = self.public()
        del document["id"]
        document.update(
            _id=self.id,
            _rev=self.rev,
            pvt_type=PVT_TYPE,
            pvt_vsn="1",
            pvt_account_id=self.account_id,
            pvt_account_db=account_db(self.account_id),
            pvt_created=self.created,
            pvt_modified=self.modified,
        )
        if self.deleted:
            document["pvt_deleted"] = True
        return document
