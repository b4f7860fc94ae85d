"""Callflow documents: list rows, modules, references, PATCH merging."""

from __future__ import annotations

from typing import Any

import orjson
from mock_support import example

from mock_server.documents import (
    StoredCallflow,
    flow_modules,
    listing_row,
    merge_patch,
    public_fields,
    referenced_ids,
)

CALLFLOW_ID = "6f1c0a0b3c5d4e7f8a9b0c1d2e3f4a5b"


def node(module: str, **children: Any) -> dict[str, Any]:
    return {"module": module, "data": {}, "children": children}


def test_modules_depth_first() -> None:
    flow = node("menu", a=node("user", b=node("voicemail")), c=node("play"))
    assert flow_modules(flow) == ["menu", "user", "voicemail", "play"]


def test_modules_digit_keys_first() -> None:
    menu = example("04-menu-ivr-digit-children")["data"]["flow"]
    assert list(menu["children"]) == ["1", "2", "0", "_"]
    assert flow_modules(menu) == ["menu", "ring_group", "user", "voicemail"]


def test_modules_deduplicated() -> None:
    flow = node("user", _=node("user"))
    assert flow_modules(flow) == ["user"]


def test_modules_skip_module_and_missing_data() -> None:
    skipped = {"module": "voicemail", "data": {"skip_module": True}}
    no_data = {"module": "play"}
    flow = node("user", a=skipped, b=no_data, c=node("hangup"))
    assert flow_modules(flow) == ["user", "hangup"]


def test_row_fields_of_feature_code() -> None:
    data = example("07-featurecode-park-pattern")["data"]
    data["numbers"] = []
    assert listing_row(CALLFLOW_ID, data) == {
        "id": CALLFLOW_ID,
        "numbers": [],
        "patterns": ["^\\*3([0-9]*)$"],
        "featurecode": {"name": "park_and_retrieve", "number": "3"},
        "modules": ["park"],
        "flags": [],
    }


def test_row_fields_of_smartpbx_user() -> None:
    data = example("01-user-smartpbx-main")["data"]
    assert listing_row(CALLFLOW_ID, data) == {
        "id": CALLFLOW_ID,
        "name": "Alice Example SmartPBX's Callflow",
        "type": "mainUserCallflow",
        "numbers": ["2001"],
        "featurecode": False,
        "owner_id": "a11ce000000000000000000000000001",
        "modules": ["user", "voicemail"],
        "flags": [],
    }


def test_row_group_id_and_flags() -> None:
    data = {"group_id": "g", "flags": ["a"], "featurecode": {}}
    row = listing_row(CALLFLOW_ID, data)
    assert row["group_id"] == "g"
    assert row["flags"] == ["a"]
    assert row["featurecode"] == {}
    assert row["modules"] == []


def test_referenced_ids() -> None:
    flow = example("05-main-temporal-route")["data"]["flow"]
    assert referenced_ids(flow) == (
        "7e11e000000000000000000000000012",
        "7e11e000000000000000000000000011",
        "af7e2cf0000000000000000000000009",
        "1c9cf00000000000000000000000000a",
        "0be9cf00000000000000000000000008",
    )


def test_referenced_ids_underscore_id_keys() -> None:
    flow = {"module": "x", "data": {"faxbox_id": "f1", "owner_id": "", "id": 5}}
    assert referenced_ids(flow) == ("f1",)


def test_public_fields_top_level_only() -> None:
    data = {"_id": "x", "pvt_a": 1, "name": "n", "flow": {"_keep": 1}}
    assert public_fields(data) == {"name": "n", "flow": {"_keep": 1}}


def test_merge_patch_rules() -> None:
    current = {"name": "a", "flow": {"module": "u", "data": {"x": 1, "y": 2}}, "l": [1]}
    patch = {"flow": {"data": {"x": None, "z": 3}}, "l": [2], "name": None, "n": {}}
    assert merge_patch(patch, current) == {
        "flow": {"module": "u", "data": {"y": 2, "z": 3}},
        "l": [2],
        "n": {},
    }


def test_merge_patch_empty_object_replaces() -> None:
    current = {"flow": {"module": "u", "data": {"x": 1}}}
    merged = merge_patch({"flow": {"data": {}}}, current)
    assert merged == {"flow": {"module": "u", "data": {}}}


def test_stored_record_body_has_id_first() -> None:
    record = StoredCallflow.build(
        "a" * 32, CALLFLOW_ID, "1-x", {"numbers": ["1"], "id": "other"}, 1, 2
    )
    assert orjson.loads(record.body) == {"id": CALLFLOW_ID, "numbers": ["1"]}
    assert record.body.startswith(b'{"id":')
