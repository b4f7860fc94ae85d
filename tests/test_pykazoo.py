"""The PyPI client pykazoo 0.0a8, unchanged, against the live mock."""

from __future__ import annotations

import pytest
from mock_support import ACCOUNT_ID, API_KEY, Api, example
from pykazoo.client import PyKazooClient


def client(api: Api) -> PyKazooClient:
    return PyKazooClient(f"{api.server.base_url}/v2")


def test_pykazoo_api_auth(api: Api) -> None:
    kazoo = client(api)
    reply = kazoo.authentication.api_auth(API_KEY)
    assert reply["data"]["account_id"] == ACCOUNT_ID
    assert kazoo.authentication.authenticated is True
    assert kazoo.authentication.account_id == ACCOUNT_ID


def test_pykazoo_user_auth(api: Api) -> None:
    kazoo = client(api)
    reply = kazoo.authentication.user_auth(
        "alice@example.test", "alice-demo-password", "Example Telecom"
    )
    assert reply["data"]["owner_id"] == "a11ce000000000000000000000000001"
    assert kazoo.authentication.account_id == ACCOUNT_ID


def test_pykazoo_wrong_password(api: Api) -> None:
    kazoo = client(api)
    with pytest.raises(PermissionError, match="Error Code: 401"):
        kazoo.authentication.user_auth("alice@example.test", "wrong", "Example Telecom")


def test_pykazoo_round_trip(api: Api) -> None:
    kazoo = client(api)
    kazoo.authentication.api_auth(API_KEY)
    callflows = kazoo.callflows

    created = callflows.create_callflow(
        ACCOUNT_ID, example("08-device-postman-minimal")
    )
    callflow_id = created["data"]["id"]
    assert created["status"] == "success"

    listed = callflows.get_callflows(ACCOUNT_ID)
    assert [row["id"] for row in listed["data"]] == [callflow_id]

    filtered = callflows.get_callflows(ACCOUNT_ID, {"filter_name": "callflow name"})
    assert [row["id"] for row in filtered["data"]] == [callflow_id]

    fetched = callflows.get_callflow(ACCOUNT_ID, callflow_id)
    assert fetched["data"]["numbers"] == ["3615"]

    update = {"data": {**fetched["data"], "name": "renamed"}}
    updated = callflows.update_callflow(ACCOUNT_ID, callflow_id, update)
    assert updated["data"]["name"] == "renamed"

    deleted = callflows.delete_callflow(ACCOUNT_ID, callflow_id)
    assert deleted["data"]["_read_only"] == {"deleted": True}
    with pytest.raises(ValueError, match="Error Code: 404"):
        callflows.get_callflow(ACCOUNT_ID, callflow_id)


def test_pykazoo_validation_error(api: Api) -> None:
    kazoo = client(api)
    kazoo.authentication.api_auth(API_KEY)
    with pytest.raises(ValueError, match="Error Code: 400"):
        kazoo.callflows.create_callflow(ACCOUNT_ID, {"data": {"flow": {"module": "x"}}})
