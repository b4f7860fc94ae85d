"""The admin API, fixture files, start options and seeded ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mock_support import ACCOUNT_ID, Api, callflow

from mock_server.config import MockConfig
from mock_server.errors import FixtureError
from mock_server.fixtures import load_fixture_file, parse_fixtures
from mock_server.testing import LiveServer

FIXTURE: dict[str, Any] = {
    "accounts": [
        {
            "id": "1234567890abcdef1234567890abcdef",
            "name": "Fixture Co",
            "api_key": "k" * 64,
            "users": [
                {
                    "id": "fedcba0987654321fedcba0987654321",
                    "username": "erin@fixture.test",
                    "password": "pw",
                    "first_name": "Erin",
                    "last_name": "Fixture",
                }
            ],
            "callflows": [
                {
                    "id": "00000000000000000000000000000001",
                    "name": "Seeded",
                    "numbers": ["4155550100"],
                    "flow": {
                        "module": "user",
                        "data": {"id": "fedcba0987654321fedcba0987654321"},
                    },
                }
            ],
        }
    ]
}


def test_reset_clears_callflows(api: Api) -> None:
    api.create_id(callflow("1000"))
    response = api.http.post("/__admin/reset")
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["account_id"] == ACCOUNT_ID
    assert body["data"]["auth_token"] == api.token
    assert api.request("GET", api.url()).json()["data"] == []


def test_reset_keeps_random_token() -> None:
    with LiveServer(MockConfig()) as server, Api(server) as api:
        token = server.token
        api.create_id(callflow("1000"))
        response = api.http.post("/__admin/reset")
        listed = api.request("GET", api.url(), token=token)
    assert response.json()["data"]["auth_token"] == token
    assert listed.status_code == 200
    assert listed.json()["data"] == []


def test_state_export(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000", name="Main"))
    body = api.http.get("/__admin/state").json()
    (document,) = body["data"]["callflows"][ACCOUNT_ID]
    assert document["_id"] == callflow_id
    assert document["name"] == "Main"
    assert document["pvt_type"] == "callflow"
    assert document["pvt_account_id"] == ACCOUNT_ID
    names = [account["name"] for account in body["data"]["accounts"]]
    assert names == ["Example Telecom", "Example Branch", "Other Telecom"]


def test_load_fixtures(api: Api) -> None:
    response = api.http.put("/__admin/fixtures", json={"data": FIXTURE})
    token = response.json()["data"]["auth_token"]
    account_id = FIXTURE["accounts"][0]["id"]
    assert response.status_code == 200
    assert response.json()["data"]["account_id"] == account_id
    url = api.url("00000000000000000000000000000001", account_id=account_id)
    fetched = api.request("GET", url, token=token).json()["data"]
    assert fetched["numbers"] == ["+14155550100"]
    assert fetched["metadata"] == {
        "fedcba0987654321fedcba0987654321": {"name": "Erin Fixture", "pvt_type": "user"}
    }


def test_load_invalid_fixtures(api: Api) -> None:
    response = api.http.put("/__admin/fixtures", json={"data": {"accounts": [{}]}})
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == "invalid_fixtures"
    assert body["data"]["message"] == (
        "request data: accounts[0].id: expected 32 lowercase hex characters, got None"
    )


def test_fixture_file_json(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(FIXTURE))
    directory = load_fixture_file(path)
    assert list(directory.accounts) == ["1234567890abcdef1234567890abcdef"]


def test_fixture_bad_api_key() -> None:
    bad = {"accounts": [{"id": "a" * 32, "name": "A", "api_key": "short"}]}
    with pytest.raises(FixtureError, match=r"accounts\[0\]\.api_key: must be 64"):
        parse_fixtures(bad)


def test_fixture_file_missing(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read fixture file"):
        load_fixture_file(tmp_path / "absent.yaml")


def test_start_options(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text(json.dumps(FIXTURE))
    account_id = "abcdefabcdefabcdefabcdefabcdef01"
    config = MockConfig(fixtures=path, account_id=account_id, token="fixed-token")
    with LiveServer(config) as server, Api(server) as api:
        response = api.request("GET", api.url(account_id=account_id))
    assert server.token == "fixed-token"
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["data"]] == ["Seeded"]


def _session(seed: int) -> list[str]:
    with LiveServer(MockConfig(seed=seed)) as server, Api(server) as api:
        created = api.create(callflow("1000")).json()
        login = api.request(
            "PUT",
            "/v2/api_auth",
            token=None,
            json={"data": {"api_key": "0ddba110" * 8}},
        ).json()
        return [
            server.token,
            created["data"]["id"],
            created["request_id"],
            login["auth_token"],
        ]


def test_seed_reproducible() -> None:
    assert _session(7) == _session(7)
    assert _session(7) != _session(8)


def test_admin_disabled() -> None:
    with LiveServer(MockConfig(admin=False)) as server, Api(server) as api:
        response = api.http.post("/__admin/reset")
    assert response.status_code == 404
