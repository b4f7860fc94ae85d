"""pytest fixtures that run the callflows mock for a Kazoo client's tests.

callflow-kit registers this module through the `pytest11` entry point, so the
fixtures exist in every test run of an environment where it is installed:

| fixture                | scope    | yields                                       |
|------------------------|----------|----------------------------------------------|
| `callflow_mock`        | function | a fresh in-process mock (`InProcessMock`)    |
|                        |          | with httpx clients that open no socket       |
| `callflow_mock_live`   | function | the access (`MockAccess`) to the live        |
|                        |          | server, reset before the test                |
| `callflow_mock_server` | session  | the `LiveServer`: uvicorn on a free loopback |
|                        |          | port, started on first use                   |
| `callflow_mock_config` | session  | the `MockConfig` both start from             |

Every test starts from the fixture file's state with no callflows. The marker
`callflow_mock_fixtures(path)` loads another fixture file for one test (a
relative path is read from the test module's folder); `--callflow-mock-fixtures`
and the ini key `callflow_mock_fixtures` replace the packaged default for the
whole run, and `--callflow-mock-seed` makes ids and tokens reproducible.

The fixtures only build, yield and clean up; `mock_server.harness` does the work.
It is imported when a fixture first runs, so loading the plugin stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mock_server.config import MockConfig
    from mock_server.harness import InProcessMock, MockAccess
    from mock_server.testing import LiveServer

FIXTURES_OPTION = "callflow_mock_fixtures"
SEED_OPTION = "callflow_mock_seed"
FIXTURES_MARKER = "callflow_mock_fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the options that configure the mock for the whole run."""
    group = parser.getgroup("callflow-kit", "callflows mock (callflow-kit)")
    group.addoption(
        "--callflow-mock-fixtures",
        dest=FIXTURES_OPTION,
        metavar="PATH",
        help="fixture file (JSON or YAML) that the mock loads instead of the "
        "packaged default",
    )
    group.addoption(
        "--callflow-mock-seed",
        dest=SEED_OPTION,
        type=int,
        metavar="N",
        help="seed that makes the mock's callflow ids, tokens and request ids "
        "the same on every run",
    )
    parser.addini(
        FIXTURES_OPTION,
        "fixture file of the callflows mock, relative to the ini file",
    )
    parser.addini(SEED_OPTION, "seed of the callflows mock's ids and tokens")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so `--strict-markers` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{FIXTURES_MARKER}(path): load this fixture file into the callflows mock "
        "for the test; a relative path is read from the test module's folder",
    )


@pytest.fixture(scope="session")
def callflow_mock_config(pytestconfig: pytest.Config) -> MockConfig:
    """Return the configuration both mocks start from; override it to change it."""
    from mock_server.config import MockConfig

    return MockConfig(
        fixtures=_configured_fixtures(pytestconfig), seed=_configured_seed(pytestconfig)
    )


@pytest.fixture
def callflow_mock(
    request: pytest.FixtureRequest, callflow_mock_config: MockConfig
) -> Iterator[InProcessMock]:
    """Yield a fresh in-process mock; its clients reach it without a socket."""
    from mock_server.harness import start_in_process

    mock = start_in_process(callflow_mock_config, _marked_fixtures(request))
    yield mock
    mock.close()


@pytest.fixture(scope="session")
def callflow_mock_server(callflow_mock_config: MockConfig) -> Iterator[LiveServer]:
    """Run the mock on a free 127.0.0.1 port for the rest of the session."""
    from mock_server.testing import LiveServer

    with LiveServer(callflow_mock_config) as server:
        yield server


@pytest.fixture
def callflow_mock_live(
    request: pytest.FixtureRequest, callflow_mock_server: LiveServer
) -> MockAccess:
    """Reset the live mock, or load the marked fixture file, and return its access."""
    from mock_server.harness import LiveAdmin

    admin = LiveAdmin(callflow_mock_server)
    path = _marked_fixtures(request)
    return admin.reset() if path is None else admin.load(path)


def _marked_fixtures(request: pytest.FixtureRequest) -> Path | None:
    marker = request.node.get_closest_marker(FIXTURES_MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1 or marker.kwargs:
        raise pytest.UsageError(
            f"{FIXTURES_MARKER} takes one argument, the fixture file's path; "
            f"{request.node.nodeid} passes {marker.args!r} {marker.kwargs!r}"
        )
    return Path(request.node.path).parent / Path(marker.args[0])


def _configured_fixtures(config: pytest.Config) -> Path | None:
    option = config.getoption(FIXTURES_OPTION)
    if option:
        return Path(option).resolve()
    value = config.getini(FIXTURES_OPTION)
    if not value:
        return None
    base = config.inipath.parent if config.inipath else config.rootpath
    return base / str(value)


def _configured_seed(config: pytest.Config) -> int | None:
    option = config.getoption(SEED_OPTION)
    if option is not None:
        return int(option)
    value = config.getini(SEED_OPTION)
    if not value:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise pytest.UsageError(
            f"ini key {SEED_OPTION} must be an integer, not {value!r}"
        ) from None
