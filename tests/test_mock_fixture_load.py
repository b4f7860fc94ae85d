"""Fixture callflows: created at start and on reset, then no longer kept decoded."""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest
import yaml
from mock_support import Api
from redis_support import DB_FIXTURES, redis_url, wipe

from mock_server.app import build_app
from mock_server.config import MockConfig
from mock_server.errors import FixtureError
from mock_server.fixtures import load_fixture_file, parse_fixtures, rename_primary
from mock_server.state import MockState, freeze_heap
from mock_server.testing import LiveServer

ACCOUNT_ID = "1234567890abcdef1234567890abcdef"
CHILD_ID = "abcdef0123456789abcdef0123456789"
USER_ID = "fedcba0987654321fedcba0987654321"
FIRST_ID = "00000000000000000000000000000001"
SECOND_ID = "00000000000000000000000000000002"
BIG_INTEGER = 123456789012345678901234567890


def fixture_document() -> dict[str, Any]:
    """Return a fixture with two callflows in the first account, one in its child."""
    return {
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "name": "Fixture Co",
                "users": [
                    {
                        "id": USER_ID,
                        "username": "erin@fixture.test",
                        "password": "pw",
                        "first_name": "Erin",
                        "last_name": "Fixture",
                    }
                ],
                "callflows": [
                    {
                        "id": FIRST_ID,
                        "name": "First",
                        "numbers": ["4155550100"],
                        "big": BIG_INTEGER,
                        "flow": {"module": "user", "data": {"id": USER_ID}},
                    },
                    {
                        "id": SECOND_ID,
                        "name": "Second",
                        "patterns": ["^\\*7([0-9]*)$"],
                        "flow": {"module": "park"},
                    },
                ],
            },
            {
                "id": CHILD_ID,
                "name": "Child Co",
                "parent_id": ACCOUNT_ID,
                "callflows": [
                    {
                        "name": "Child",
                        "numbers": ["4155550199"],
                        "flow": {"module": "user"},
                    }
                ],
            },
        ]
    }


def write_fixture(folder: Path, suffix: str) -> Path:
    path = folder / f"fixtures{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(fixture_document()))
    else:
        path.write_text(yaml.safe_dump(fixture_document()))
    return path


def listed_names(api: Api, account_id: str = ACCOUNT_ID) -> list[str]:
    response = api.request("GET", api.url(account_id=account_id))
    assert response.status_code == 200, response.text
    return sorted(row["name"] for row in response.json()["data"])


def change_callflows(api: Api) -> None:
    """Delete, rename and add callflows, so a reset has something to undo."""
    first = api.request("GET", api.url(FIRST_ID, ACCOUNT_ID)).json()
    assert first["data"]["big"] == BIG_INTEGER
    deleted = api.request("DELETE", api.url(SECOND_ID, ACCOUNT_ID))
    assert deleted.status_code == 200, deleted.text
    patch = {"data": {"name": "Renamed"}}
    patched = api.request("PATCH", api.url(FIRST_ID, ACCOUNT_ID), json=patch)
    assert patched.status_code == 200, patched.text
    added = {"name": "Added", "numbers": ["4155550150"], "flow": {"module": "user"}}
    created = api.request("PUT", api.url(None, ACCOUNT_ID), json={"data": added})
    assert created.status_code == 201, created.text
    assert listed_names(api) == ["Added", "Renamed"]


def reset(api: Api) -> None:
    response = api.http.post("/__admin/reset")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_reset_restores_file_callflows(tmp_path: Path, suffix: str) -> None:
    config = MockConfig(fixtures=write_fixture(tmp_path, suffix))
    with LiveServer(config) as server, Api(server) as api:
        assert listed_names(api) == ["First", "Second"]
        assert listed_names(api, CHILD_ID) == ["Child"]
        for _ in range(2):
            change_callflows(api)
            reset(api)
            assert listed_names(api) == ["First", "Second"]
            assert listed_names(api, CHILD_ID) == ["Child"]
            fetched = api.request("GET", api.url(FIRST_ID, ACCOUNT_ID)).json()["data"]
            assert fetched["big"] == BIG_INTEGER
            assert fetched["metadata"][USER_ID]["name"] == "Erin Fixture"


def test_reset_restores_with_account_id(tmp_path: Path) -> None:
    renamed = "abcabcabcabcabcabcabcabcabcabc01"
    config = MockConfig(fixtures=write_fixture(tmp_path, ".json"), account_id=renamed)
    with LiveServer(config) as server, Api(server) as api:
        assert listed_names(api, renamed) == ["First", "Second"]
        api.request("DELETE", api.url(FIRST_ID, account_id=renamed))
        assert listed_names(api, renamed) == ["Second"]
        reset(api)
        assert listed_names(api, renamed) == ["First", "Second"]
        assert listed_names(api, CHILD_ID) == ["Child"]


def test_reset_restores_state_file(tmp_path: Path) -> None:
    fixtures = write_fixture(tmp_path, ".json")
    config = MockConfig(fixtures=fixtures, state_file=tmp_path / "state.jsonl")
    with LiveServer(config) as server, Api(server) as api:
        change_callflows(api)
    with LiveServer(config) as server, Api(server) as api:
        assert listed_names(api) == ["Added", "Renamed"]
        reset(api)
        assert listed_names(api) == ["First", "Second"]
    with LiveServer(config) as server, Api(server) as api:
        assert listed_names(api) == ["First", "Second"]
        assert listed_names(api, CHILD_ID) == ["Child"]


def test_reset_restores_redis(tmp_path: Path) -> None:
    store = redis_url(DB_FIXTURES)
    wipe(store)
    config = MockConfig(fixtures=write_fixture(tmp_path, ".json"), store=store)
    try:
        with LiveServer(config) as server, Api(server) as api:
            change_callflows(api)
            reset(api)
            assert listed_names(api) == ["First", "Second"]
            assert listed_names(api, CHILD_ID) == ["Child"]
    finally:
        wipe(store)


def test_admin_load_then_reset(tmp_path: Path) -> None:
    config = MockConfig(fixtures=write_fixture(tmp_path, ".yaml"))
    other = fixture_document()
    loaded_callflow = {
        "name": "Loaded",
        "numbers": ["4155550111"],
        "flow": {"module": "user"},
    }
    other["accounts"][0]["callflows"] = [loaded_callflow]
    with LiveServer(config) as server, Api(server) as api:
        loaded = api.http.put("/__admin/fixtures", json={"data": other})
        assert loaded.status_code == 200, loaded.text
        token = loaded.json()["data"]["auth_token"]
        response = api.request("GET", api.url(None, ACCOUNT_ID), token=token)
        assert [row["name"] for row in response.json()["data"]] == ["Loaded"]
        reset(api)
        assert listed_names(api) == ["First", "Second"]


def test_directory_empty_after_start(tmp_path: Path) -> None:
    for suffix in (".json", ".yaml"):
        app = build_app(MockConfig(fixtures=write_fixture(tmp_path, suffix)))
        asyncio.run(app.startup())
        assert asyncio.run(app.state.store.count(ACCOUNT_ID)) == 2
        assert list(app.state.directory.take_callflows()) == []


class Traced(dict[str, Any]):
    """A dict that a weak reference can point to, unlike a plain dict."""


def test_load_keeps_no_decoded_callflow() -> None:
    document = fixture_document()
    callflows = [Traced(data) for data in document["accounts"][0]["callflows"]]
    document["accounts"][0]["callflows"] = callflows
    references = [weakref.ref(callflow) for callflow in callflows]
    directory = parse_fixtures(document)
    del document, callflows
    state = MockState(MockConfig())
    asyncio.run(state.load(directory))
    gc.collect()
    assert asyncio.run(state.store.count(ACCOUNT_ID)) == 2
    assert [reference() for reference in references] == [None, None]


def test_parse_leaves_document_unchanged() -> None:
    document = fixture_document()
    directory = parse_fixtures(document)
    asyncio.run(MockState(MockConfig()).load(directory))
    assert document == fixture_document()


def test_json_callflows_kept_encoded(tmp_path: Path) -> None:
    directory = load_fixture_file(write_fixture(tmp_path, ".json"))
    yielded = list(directory.take_callflows())
    expected = fixture_document()["accounts"]
    assert yielded == [
        (ACCOUNT_ID, 0, expected[0]["callflows"][0]),
        (ACCOUNT_ID, 1, expected[0]["callflows"][1]),
        (CHILD_ID, 0, expected[1]["callflows"][0]),
    ]
    assert type(yielded[0][2]["big"]) is int
    assert list(directory.take_callflows()) == []


YAML_FIXTURE = f"""\
accounts:
  - id: {ACCOUNT_ID}
    name: Fixture Co
    callflows:
      - name: Typed
        numbers: [4155550100, "+1 415 555 0101"]
        flags: [2024-01-02, 0x1f, 1e3, ~, yes, off, .inf]
        flow: &flow {{module: user, data: {{}}}}
      - name: Alias
        patterns: ['^\\*7([0-9]*)$']
        flow: *flow
"""


def test_yaml_loads_like_safe_load(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text(YAML_FIXTURE)
    directory = load_fixture_file(path)
    yielded = [callflow for _, _, callflow in directory.take_callflows()]
    assert yielded == yaml.safe_load(YAML_FIXTURE)["accounts"][0]["callflows"]
    assert yielded[0]["flags"][1] == 31


def test_yaml_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_bytes(b"accounts: [\xff]\n")
    with pytest.raises(FixtureError, match="invalid UTF-8"):
        load_fixture_file(path)


def test_rename_primary_moves_callflows() -> None:
    renamed = "abcabcabcabcabcabcabcabcabcabc01"
    directory = rename_primary(parse_fixtures(fixture_document()), renamed)
    owners = [(owner, index) for owner, index, _ in directory.take_callflows()]
    assert owners == [(renamed, 0), (renamed, 1), (CHILD_ID, 0)]
    assert directory.accounts[CHILD_ID].parent_id == renamed


class Cycle:
    """An object in a reference cycle, so only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.itself = self


def test_freeze_heap() -> None:
    garbage = Cycle()
    collected = weakref.ref(garbage)
    del garbage
    alive = Cycle()
    try:
        freeze_heap()
        assert collected() is None
        assert gc.get_freeze_count() > 0
        assert not any(obj is alive for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is alive for obj in gc.get_objects())
