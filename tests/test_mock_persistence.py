"""The state file: reload after a stop, compaction, torn lines and kills under load."""

from __future__ import annotations

import asyncio
import hashlib
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from mock_support import ACCOUNT_ID, Api, callflow
from serve_support import ServeProcess

from mock_server import journal
from mock_server.config import MockConfig
from mock_server.errors import DatastoreFault
from mock_server.journal import JournaledState, StateFile
from mock_server.testing import LiveServer

TOKEN = "persistence-test-token"
URL = f"/v2/accounts/{ACCOUNT_ID}/callflows"


def admin_state(server: LiveServer) -> Any:
    return httpx.get(f"{server.base_url}/__admin/state").json()["data"]


def user_login(base_url: str) -> str:
    secret = hashlib.md5(b"alice@example.test:alice-demo-password").hexdigest()
    data = {"credentials": secret, "account_name": "Example Telecom"}
    response = httpx.put(f"{base_url}/v2/user_auth", json={"data": data})
    assert response.status_code == 201
    token: str = response.json()["auth_token"]
    return token


def test_state_survives_restart(tmp_path: Path) -> None:
    config = MockConfig(seed=3, state_file=tmp_path / "state.jsonl")
    with LiveServer(config) as server, Api(server) as api:
        kept = api.create_id(callflow("1000", name="Kept"))
        patched = api.create_id(callflow("1001"))
        api.request("PATCH", api.url(patched), json={"data": {"name": "Patched"}})
        soft = api.create_id(callflow("1002"))
        api.request("DELETE", api.url(soft))
        hard = api.create_id(callflow("1003"))
        api.request("DELETE", api.url(hard), params={"should_soft_delete": "false"})
        login = user_login(server.base_url)
        before = admin_state(server)
    with LiveServer(config) as server, Api(server) as api:
        assert admin_state(server) == before
        assert api.request("GET", api.url(kept)).json()["data"]["name"] == "Kept"
        assert api.request("GET", api.url(soft)).status_code == 404
        # The hard-deleted id is free again; reuse it before the restarted seeded
        # sequence can hand it out to a new callflow.
        assert api.create(callflow("1003", id=hard)).status_code == 201
        assert api.create(callflow("1002")).status_code == 201
        assert api.request("GET", api.url(), token=login).status_code == 200


def test_reset_is_saved(tmp_path: Path) -> None:
    config = MockConfig(seed=3, state_file=tmp_path / "state.jsonl")
    with LiveServer(config) as server, Api(server) as api:
        api.create_id(callflow("1000"))
        api.reset()
        start_token = server.token
    with LiveServer(config) as server, Api(server) as api:
        assert server.token == start_token
        assert api.request("GET", api.url()).json()["data"] == []


def test_start_token_option_added(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    with LiveServer(MockConfig(seed=3, state_file=path)):
        pass
    with LiveServer(MockConfig(token=TOKEN, state_file=path)) as server:
        assert server.token == TOKEN
        response = httpx.get(f"{server.base_url}{URL}", headers={"X-Auth-Token": TOKEN})
        assert response.status_code == 200


def test_state_file_private(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    with LiveServer(MockConfig(state_file=path)):
        pass
    assert path.stat().st_mode & 0o777 == 0o600


def test_torn_last_line_dropped(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    with LiveServer(MockConfig(seed=3, state_file=path)) as server, Api(server) as api:
        api.create_id(callflow("1000"))
    with path.open("ab") as file:
        file.write(b'{"op": "put", "account_id": "3c2a')
    with LiveServer(MockConfig(seed=3, state_file=path)) as server, Api(server) as api:
        assert len(api.request("GET", api.url()).json()["data"]) == 1


def test_corrupt_line_stops_start(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes(b'{"op": "token"\n{}\n')
    state = JournaledState(MockConfig(state_file=path))
    with pytest.raises(DatastoreFault, match="line 1: invalid JSON"):
        asyncio.run(state.start())


def test_unknown_entry_stops_start(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes(b'{"op": "rename"}\n')
    state = JournaledState(MockConfig(state_file=path))
    with pytest.raises(DatastoreFault, match="entry 1: cannot apply 'rename'"):
        asyncio.run(state.start())


def test_appends_share_fsync(tmp_path: Path) -> None:
    """Concurrent appends all land, in order, whatever the batching."""
    file = StateFile(tmp_path / "journal.jsonl")

    async def append_all() -> None:
        await asyncio.gather(*(file.append({"op": "n", "i": i}) for i in range(50)))

    asyncio.run(append_all())
    file.close()
    assert [entry["i"] for entry in file.read()] == list(range(50))


def test_unwritable_state_file(tmp_path: Path) -> None:
    state = JournaledState(MockConfig(state_file=tmp_path / "missing" / "state"))
    with pytest.raises(DatastoreFault, match="cannot write state file"):
        asyncio.run(state.start())


# Killing the server under load -----------------------------------------------------


@dataclass
class Acknowledged:
    """The responses the clients received, and each one's write in flight at the end.

    `revisions` has the last acknowledged revision of each live callflow;
    `in_flight` maps a callflow id to "patch" or "delete" while that request has
    no response yet.
    """

    revisions: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    in_flight: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.revisions) + len(self.deleted)


def write_until_refused(base_url: str, worker: int, seen: Acknowledged) -> None:
    """Create, patch and delete callflows until the server goes away (or 400 ops)."""
    headers = {"X-Auth-Token": TOKEN}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        try:
            for step in range(400):
                number = str(100_000 + worker * 1000 + step)
                created = client.put(URL, json={"data": callflow(number)})
                assert created.status_code == 201, created.text
                callflow_id = created.json()["data"]["id"]
                with seen.lock:
                    seen.revisions[callflow_id] = created.json()["revision"]
                    seen.in_flight[callflow_id] = "patch"
                patch = {"data": {"name": f"n{step}"}}
                patched = client.patch(f"{URL}/{callflow_id}", json=patch)
                assert patched.status_code == 200, patched.text
                with seen.lock:
                    seen.revisions[callflow_id] = patched.json()["revision"]
                    del seen.in_flight[callflow_id]
                if step % 3 == 0:
                    with seen.lock:
                        seen.in_flight[callflow_id] = "delete"
                    deleted = client.delete(f"{URL}/{callflow_id}")
                    assert deleted.status_code == 200, deleted.text
                    with seen.lock:
                        del seen.revisions[callflow_id]
                        del seen.in_flight[callflow_id]
                        seen.deleted.add(callflow_id)
        except httpx.TransportError:
            return


@pytest.mark.parametrize(
    "signum",
    [
        pytest.param(signal.SIGTERM, id="sigterm"),
        pytest.param(signal.SIGKILL, id="sigkill"),
    ],
)
def test_kill_under_load_keeps_acknowledged(tmp_path: Path, signum: int) -> None:
    path = tmp_path / "state.jsonl"
    options = ["--state-file", str(path), "--token", TOKEN, "--seed", "5"]
    server = ServeProcess(*options, log=tmp_path / "serve.log")
    seen = Acknowledged()
    try:
        writers = [
            threading.Thread(
                target=write_until_refused, args=(server.base_url, i, seen)
            )
            for i in range(4)
        ]
        for writer in writers:
            writer.start()
        while seen.count() < 100 and writers[0].is_alive():
            writers[0].join(0.01)
        server.stop(signum)
        for writer in writers:
            writer.join()
    finally:
        server.kill()

    restarted = ServeProcess(*options, log=tmp_path / "serve.log")
    try:
        check_acknowledged(restarted.base_url, seen)
    finally:
        restarted.kill()


def check_acknowledged(base_url: str, seen: Acknowledged) -> None:
    """Every acknowledged write is there; only an unanswered one may go further."""
    headers = {"X-Auth-Token": TOKEN}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        for callflow_id, revision in seen.revisions.items():
            response = client.get(f"{URL}/{callflow_id}")
            pending = seen.in_flight.get(callflow_id)
            if pending == "delete" and response.status_code == 404:
                continue
            assert response.status_code == 200
            stored = response.json()["revision"]
            if pending == "patch":
                assert int(stored.split("-")[0]) >= int(revision.split("-")[0])
            else:
                assert stored == revision
        for callflow_id in seen.deleted:
            assert client.get(f"{URL}/{callflow_id}").status_code == 404


def test_big_integer_survives_restart(tmp_path: Path) -> None:
    config = MockConfig(seed=3, state_file=tmp_path / "state.jsonl")
    big = 2**70 + 1
    with LiveServer(config) as server, Api(server) as api:
        callflow_id = api.create_id(callflow("1000", counter=big, ratio=1e300))
    with LiveServer(config) as server, Api(server) as api:
        fetched = api.request("GET", api.url(callflow_id))
        assert f'"counter":{big}' in fetched.text
        assert fetched.json()["data"]["ratio"] == 1e300


def test_journal_compacted_while_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal, "COMPACT_MIN_LINES", 5)
    path = tmp_path / "state.jsonl"
    with LiveServer(MockConfig(seed=3, state_file=path)) as server, Api(server) as api:
        callflow_id = api.create_id(callflow("1000"))
        for step in range(20):
            patch = {"data": {"name": f"step {step}"}}
            assert api.request("PATCH", api.url(callflow_id), json=patch).is_success
        lines = path.read_bytes().splitlines()
        assert len(lines) < 21
        assert b'"op":"state"' in lines[0]
    with LiveServer(MockConfig(seed=3, state_file=path)) as server, Api(server) as api:
        stored = api.request("GET", api.url(callflow_id)).json()["data"]
        assert stored["name"] == "step 19"
