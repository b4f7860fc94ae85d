"""Tests of the pytest plugin: its fixtures in this run, and in runs of its own."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from mock_server.harness import InProcessMock, MockAccess
from mock_server.testing import LiveServer

pytest_plugins = ["pytester"]

ACCOUNT_ID = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
BODY = {"data": {"numbers": ["1000"], "flow": {"module": "user"}}}
SMALL_FIXTURES = """\
accounts:
  - id: "5a110000000000000000000000000001"
    name: Small Account
    users:
      - {id: "5a110000000000000000000000000002", username: sam@small.test,
         password: sam-password}
"""


def test_in_process_client(callflow_mock: InProcessMock) -> None:
    with callflow_mock.client() as client:
        created = client.put(callflow_mock.callflows_url(), json=BODY)
        listed = client.get(callflow_mock.callflows_url())
    assert created.status_code == 201
    assert [row["numbers"] for row in listed.json()["data"]] == [["1000"]]


@pytest.mark.anyio
async def test_in_process_async_client(callflow_mock: InProcessMock) -> None:
    async with callflow_mock.async_client() as client:
        created = await client.put(callflow_mock.callflows_url(), json=BODY)
        fetched = await client.get(
            callflow_mock.callflows_url(created.json()["data"]["id"])
        )
    assert created.status_code == 201
    assert fetched.json()["data"]["numbers"] == ["1000"]


def test_in_process_access(callflow_mock: InProcessMock) -> None:
    assert callflow_mock.account_id == ACCOUNT_ID
    assert callflow_mock.account_name == "Example Telecom"
    assert callflow_mock.base_url == "http://callflow-mock.test"
    assert callflow_mock.headers == {"X-Auth-Token": callflow_mock.token}


def test_live_access(callflow_mock_live: MockAccess) -> None:
    response = httpx.get(
        callflow_mock_live.callflows_url(), headers=callflow_mock_live.headers
    )
    assert response.status_code == 200
    assert callflow_mock_live.base_url.startswith("http://127.0.0.1:")
    assert callflow_mock_live.account_id == ACCOUNT_ID


def test_live_login(callflow_mock_live: MockAccess) -> None:
    login = callflow_mock_live.logins[0]
    response = httpx.put(
        f"{callflow_mock_live.base_url}/v2/user_auth",
        json={"data": login.user_auth_data()},
    )
    assert response.status_code == 201
    assert response.json()["data"]["owner_id"] == login.user_id


def test_live_api_key(callflow_mock_live: MockAccess) -> None:
    response = httpx.put(
        f"{callflow_mock_live.base_url}/v2/api_auth",
        json={"data": {"api_key": callflow_mock_live.api_key}},
    )
    assert response.status_code == 201
    assert response.json()["data"]["account_id"] == ACCOUNT_ID


def test_live_server_one_thread(
    callflow_mock_live: MockAccess, callflow_mock_server: LiveServer
) -> None:
    # The project's own session servers run too; count only the plugin's.
    own_name = f"mock-server-{callflow_mock_server.config.port}"
    names = [t.name for t in threading.enumerate()]
    assert names.count(own_name) == 1


def test_state_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        BODY = {"data": {"numbers": ["1000"], "flow": {"module": "user"}}}

        def create_live(access):
            url = access.callflows_url()
            return httpx.put(url, json=BODY, headers=access.headers).status_code

        def create_in_process(mock):
            with mock.client() as client:
                return client.put(mock.callflows_url(), json=BODY).status_code

        def test_live_first(callflow_mock_live):
            assert create_live(callflow_mock_live) == 201

        def test_live_second(callflow_mock_live):
            assert create_live(callflow_mock_live) == 201

        def test_in_process_first(callflow_mock):
            assert create_in_process(callflow_mock) == 201

        def test_in_process_second(callflow_mock):
            assert create_in_process(callflow_mock) == 201
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_marker_loads_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", small=SMALL_FIXTURES)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.callflow_mock_fixtures("small.yaml")
        def test_live(callflow_mock_live):
            assert callflow_mock_live.account_name == "Small Account"
            assert callflow_mock_live.logins[0].username == "sam@small.test"

        @pytest.mark.callflow_mock_fixtures("small.yaml")
        def test_in_process(callflow_mock):
            assert callflow_mock.account_name == "Small Account"

        def test_live_default_again(callflow_mock_live):
            assert callflow_mock_live.account_name == "Example Telecom"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3)


def test_option_sets_fixtures_and_seed(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", small=SMALL_FIXTURES)
    pytester.makepyfile(
        """
        def test_small(callflow_mock, callflow_mock_config):
            assert callflow_mock.account_name == "Small Account"
            assert callflow_mock_config.seed == 7
        """
    )
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--callflow-mock-fixtures=small.yaml",
        "--callflow-mock-seed=7",
    )
    result.assert_outcomes(passed=1)


def test_ini_sets_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", small=SMALL_FIXTURES)
    pytester.makeini("[pytest]\ncallflow_mock_fixtures = small.yaml\n")
    pytester.makepyfile(
        """
        def test_small(callflow_mock):
            assert callflow_mock.account_name == "Small Account"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_marker_without_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.callflow_mock_fixtures()
        def test_bad(callflow_mock):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*callflow_mock_fixtures takes one argument*"])


def test_shutdown_leaves_no_thread(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import threading

        before = set()

        def pytest_configure(config):
            before.update(threading.enumerate())

        def pytest_unconfigure(config):
            left = [t.name for t in set(threading.enumerate()) - before]
            print(f"threads left: {left}")
        """
    )
    pytester.makepyfile(
        """
        def test_live(callflow_mock_live):
            assert callflow_mock_live.token
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["threads left: []"])


def test_plugin_registered(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("callflow_kit")
    assert plugin is not None
    assert Path(plugin.__file__).name == "pytest_plugin.py"
