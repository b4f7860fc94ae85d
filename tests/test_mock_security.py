"""Tokens on every route, account isolation, secrets kept out of logs, safe defaults."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mock_support import (
    ACCOUNT_ID,
    API_KEY,
    CHILD_ACCOUNT_ID,
    OTHER_ACCOUNT_ID,
    Api,
    callflow,
)
from serve_support import ServeProcess

import mock_server.cli
from generator.cli import cli
from mock_server.config import MockConfig, is_loopback
from mock_server.testing import LiveServer

OTHER_API_KEY = "0ddba110" * 8
ALICE_PASSWORD = "alice-demo-password"
CAROL_PASSWORD = "carol-demo-password"
SERVER_LOGGERS = ("mock_server", "uvicorn", "redis", "generated")

# Every callflow route: method, whether it names a callflow, whether it sends data.
ROUTES = [
    pytest.param("GET", False, False, id="list"),
    pytest.param("PUT", False, True, id="create"),
    pytest.param("GET", True, False, id="fetch"),
    pytest.param("POST", True, True, id="replace"),
    pytest.param("PATCH", True, True, id="patch"),
    pytest.param("DELETE", True, False, id="delete"),
]


def login(api: Api, username: str, password: str, account: str) -> str:
    secret = hashlib.md5(f"{username}:{password}".encode()).hexdigest()
    data = {"credentials": secret, "account_name": account}
    response = api.request("PUT", "/v2/user_auth", token=None, json={"data": data})
    assert response.status_code == 201
    token: str = response.json()["auth_token"]
    return token


def api_login(api: Api, api_key: str) -> str:
    body = {"data": {"api_key": api_key}}
    response = api.request("PUT", "/v2/api_auth", token=None, json=body)
    assert response.status_code == 201
    token: str = response.json()["auth_token"]
    return token


def route_arguments(
    created: httpx.Response, names_callflow: bool, sends_data: bool
) -> tuple[str | None, dict[str, Any]]:
    """Return the callflow id a route names (or None) and its body arguments."""
    callflow_id = created.json()["data"]["id"] if names_callflow else None
    kwargs: dict[str, Any] = {}
    if sends_data:
        kwargs["json"] = {"data": callflow("2000", name="Changed")}
    return callflow_id, kwargs


@pytest.mark.parametrize(("method", "names_callflow", "sends_data"), ROUTES)
@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("x" * 64, id="unknown"),
        pytest.param("undefined", id="undefined"),
    ],
)
def test_route_needs_valid_token(
    api: Api, method: str, names_callflow: bool, sends_data: bool, token: str | None
) -> None:
    created = api.create(callflow("1000"))
    before = api.request("GET", api.url()).json()["data"]
    callflow_id, kwargs = route_arguments(created, names_callflow, sends_data)
    headers = {} if token is None else {"X-Auth-Token": token}
    url = api.url(callflow_id)
    response = api.request(method, url, token=None, headers=headers, **kwargs)
    assert response.status_code == 401
    assert response.json()["message"] == "invalid_credentials"
    assert api.request("GET", api.url()).json()["data"] == before


def other_account_token(api: Api) -> str:
    return api_login(api, OTHER_API_KEY)


def child_user_token(api: Api) -> str:
    return login(api, "carol@branch.example.test", CAROL_PASSWORD, "Example Branch")


def primary_user_token(api: Api) -> str:
    return login(api, "alice@example.test", ALICE_PASSWORD, "Example Telecom")


@pytest.mark.parametrize(("method", "names_callflow", "sends_data"), ROUTES)
@pytest.mark.parametrize(
    ("make_token", "account_id"),
    [
        pytest.param(other_account_token, ACCOUNT_ID, id="other-on-primary"),
        pytest.param(child_user_token, ACCOUNT_ID, id="child-on-parent"),
        pytest.param(primary_user_token, OTHER_ACCOUNT_ID, id="primary-on-other"),
    ],
)
def test_route_forbidden_across_accounts(
    api: Api,
    method: str,
    names_callflow: bool,
    sends_data: bool,
    make_token: Callable[[Api], str],
    account_id: str,
) -> None:
    owner = api.token if account_id == ACCOUNT_ID else other_account_token(api)
    collection = api.url(account_id=account_id)
    body = {"data": callflow("1000")}
    created = api.request("PUT", collection, token=owner, json=body)
    assert created.status_code == 201
    before = api.request("GET", collection, token=owner).json()["data"]

    callflow_id, kwargs = route_arguments(created, names_callflow, sends_data)
    url = api.url(callflow_id, account_id=account_id)
    response = api.request(method, url, token=make_token(api), **kwargs)
    assert response.status_code == 403
    assert response.json()["data"] == {"message": "forbidden"}
    assert api.request("GET", collection, token=owner).json()["data"] == before


def test_child_account_reachable_from_parent(api: Api) -> None:
    token = login(api, "alice@example.test", ALICE_PASSWORD, "Example Telecom")
    response = api.request("GET", api.url(account_id=CHILD_ACCOUNT_ID), token=token)
    assert response.status_code == 200


def test_secrets_absent_from_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user_token = login(api, "alice@example.test", ALICE_PASSWORD, "Example Telecom")
    key_token = api_login(api, API_KEY)
    wrong = {"credentials": "0" * 32, "account_name": "Example Telecom"}
    api.request("PUT", "/v2/user_auth", token=None, json={"data": wrong})
    api.request("GET", api.url(), token=user_token)
    api.request("GET", api.url(), token=None, params={"auth_token": key_token})
    body = {"data": {**callflow("1000"), "auth_token": key_token}}
    api.request("PUT", api.url(), token=None, json=body)
    api.request("PUT", api.url(), token=None, json={**body, "auth_token": user_token})
    api.request(
        "GET", api.url(), token=None, headers={"Authorization": f"Bearer {user_token}"}
    )
    api.request("GET", api.url("f" * 32) + "/x", token=api.token)

    server_records = [
        record for record in caplog.records if record.name.startswith(SERVER_LOGGERS)
    ]
    text = "\n".join(record.getMessage() for record in server_records)
    assert server_records  # the request lines are there to search
    secrets = [api.token, user_token, key_token, API_KEY, ALICE_PASSWORD]
    secrets.append(
        hashlib.md5(f"alice@example.test:{ALICE_PASSWORD}".encode()).hexdigest()
    )
    for secret in secrets:
        assert secret not in text


def test_encoded_newline_not_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = api.request("GET", "/forged%0aINFO%20fake", token=None)
    assert response.status_code == 404
    messages = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(SERVER_LOGGERS)
    ]
    forged = [message for message in messages if "forged" in message]
    assert forged == [f"GET /forged%0aINFO%20fake 404 {response.json()['request_id']}"]


# Network and admin defaults ------------------------------------------------------


def run_serve(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> MockConfig:
    started: list[MockConfig] = []
    monkeypatch.setattr(mock_server.cli, "serve", started.append)
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 0, result.output
    (config,) = started
    return config


def test_default_bind_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    config = run_serve(monkeypatch, [])
    assert config.host == "127.0.0.1"
    assert config.admin is True
    assert MockConfig().host == "127.0.0.1"


def test_serve_listens_on_loopback_only(tmp_path: Path) -> None:
    server = ServeProcess(log=tmp_path / "serve.log")
    try:
        assert server.listen_addresses() == {"127.0.0.1"}
    finally:
        server.kill()


@pytest.mark.parametrize(
    ("args", "admin"),
    [
        pytest.param([], True, id="loopback-default"),
        pytest.param(["--host", "::1"], True, id="ipv6-loopback"),
        pytest.param(["--host", "localhost"], True, id="localhost"),
        pytest.param(["--host", "0.0.0.0"], False, id="any-address"),
        pytest.param(["--host", "192.0.2.10"], False, id="other-address"),
        pytest.param(["--host", "0.0.0.0", "--admin"], True, id="explicit-on"),
        pytest.param(["--no-admin"], False, id="explicit-off"),
    ],
)
def test_admin_default_by_host(
    monkeypatch: pytest.MonkeyPatch, args: list[str], admin: bool
) -> None:
    assert run_serve(monkeypatch, args).admin is admin


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("[::1]", True), ("::", False)],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_admin_off_routes_absent() -> None:
    with LiveServer(MockConfig(admin=False)) as server:
        for method, path in [
            ("POST", "/__admin/reset"),
            ("PUT", "/__admin/fixtures"),
            ("GET", "/__admin/state"),
        ]:
            response = httpx.request(method, f"{server.base_url}{path}")
            assert response.status_code == 404
            assert response.json()["message"] == "not_found"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--workers", "2"],
            "several workers need a shared store: pass a redis:// URL",
            id="workers-without-redis",
        ),
        pytest.param(
            ["--store", "memcached://x"],
            "store 'memcached://x': expected a URL starting with redis://, "
            "rediss://, unix://",
            id="bad-store",
        ),
        pytest.param(
            ["--store", "redis://127.0.0.1:1/0", "--state-file", "s"],
            "a state file keeps the in-memory store; Redis keeps its own state",
            id="state-file-and-redis",
        ),
    ],
)
def test_serve_misuse(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_serve_store_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store_args = ["--store", "redis://127.0.0.1:6390/2", "--workers", "3"]
    config = run_serve(monkeypatch, store_args)
    assert config.store == "redis://127.0.0.1:6390/2"
    assert config.workers == 3
    state_file = tmp_path / "state.jsonl"
    config = run_serve(monkeypatch, ["--state-file", str(state_file)])
    assert config.state_file == state_file
    assert config.workers == 1
