"""Tests of kazoo_client against the callflows mock, through callflow-kit's fixtures."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from kazoo_client import CallflowClient, count_callflows, log_in

from mock_server.strategies import callflows

ALICE = "a11ce000000000000000000000000001"


def test_add_extension_in_process(callflow_mock):
    with callflow_mock.client() as http:
        client = CallflowClient(http, callflow_mock.account_id)
        callflow_id = client.add_extension("1001", ALICE)
        assert client.find_by_number("1001") == callflow_id


def test_duplicate_extension_rejected(callflow_mock):
    with callflow_mock.client() as http:
        client = CallflowClient(http, callflow_mock.account_id)
        client.add_extension("1001", ALICE)
        with pytest.raises(httpx.HTTPStatusError) as caught:
            client.add_extension("1001", ALICE)
    assert caught.value.response.status_code == 400


@pytest.mark.anyio
async def test_count_async(callflow_mock):
    async with callflow_mock.async_client() as http:
        assert await count_callflows(http, callflow_mock.account_id) == 0


def test_add_extension_live(callflow_mock_live):
    http = httpx.Client(
        base_url=callflow_mock_live.base_url, headers=callflow_mock_live.headers
    )
    with http:
        client = CallflowClient(http, callflow_mock_live.account_id)
        callflow_id = client.add_extension("1002", ALICE)
        assert client.find_by_number("1002") == callflow_id


def test_state_reset_live(callflow_mock_live):
    http = httpx.Client(
        base_url=callflow_mock_live.base_url, headers=callflow_mock_live.headers
    )
    with http:
        assert (
            CallflowClient(http, callflow_mock_live.account_id).find_by_number("1002")
            is None
        )


def test_log_in_live(callflow_mock_live):
    login = callflow_mock_live.logins[0]
    token = log_in(
        callflow_mock_live.base_url, login.username, login.password, login.account_name
    )
    assert token != callflow_mock_live.token


@pytest.mark.callflow_mock_fixtures("branch.yaml")
def test_log_in_branch(callflow_mock_live):
    login = callflow_mock_live.logins[0]
    token = log_in(
        callflow_mock_live.base_url, login.username, login.password, login.account_name
    )
    assert login.account_name == "Example Branch Office"
    assert token


# The fixture is set up once for all examples, so each example deletes what it
# created and the next one starts from the same state.
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=callflows(max_depth=3))
def test_created_callflow_found(callflow_mock, data):
    with callflow_mock.client() as http:
        client = CallflowClient(http, callflow_mock.account_id)
        callflow_id = client.create(data)
        try:
            assert client.find_by_number(data["numbers"][-1]) == callflow_id
        finally:
            client.delete(callflow_id)
