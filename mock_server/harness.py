"""Handles on a mock for client tests: where it is, its account, token and logins.

`start_in_process` builds a fresh app that httpx clients reach without a socket;
`LiveAdmin` resets a running `LiveServer` through the admin API. Both return a
`MockAccess`, so a test reads the same attributes from either. The pytest plugin
(`mock_server.pytest_plugin`) builds its fixtures from these classes; other test
runners can use them directly.

httpx is imported only by the methods that build clients, so the plugin loads
in environments without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mock_server.app import MockApp, build_app
from mock_server.config import MockConfig
from mock_server.errors import FixtureError
from mock_server.fixtures import Directory, User, parse_fixtures
from mock_server.testing import LiveServer

if TYPE_CHECKING:
    import httpx

IN_PROCESS_BASE_URL = "http://callflow-mock.test"
"""Base URL of in-process clients; no request leaves the process."""
ADMIN_TIMEOUT = 30.0
"""Seconds to wait for an admin API request to the live server."""


@dataclass(frozen=True, slots=True)
class UserLogin:
    """A fixture user who can log in with `PUT /v2/user_auth`."""

    account_id: str
    account_name: str
    user_id: str
    username: str
    password: str

    def credentials(self, method: str = "md5") -> str:
        """Return the hex digest that `user_auth` expects for `method` (md5, sha)."""
        return User(self.user_id, self.username, self.password).credentials(method)

    def user_auth_data(self, method: str = "md5") -> dict[str, str]:
        """Return the `data` object of a `PUT /v2/user_auth` request for this user."""
        return {
            "credentials": self.credentials(method),
            "method": method,
            "account_name": self.account_name,
        }


@dataclass(frozen=True, slots=True)
class MockAccess:
    """Address of a running mock and the credentials of the fixtures' first account.

    `token` is the start token of that account; `api_key` is its API key, if
    the fixtures give it one. `logins` contains every fixture user of every account.
    """

    base_url: str
    account_id: str
    account_name: str
    token: str
    api_key: str | None
    logins: tuple[UserLogin, ...]

    @property
    def headers(self) -> dict[str, str]:
        """Return the header that authenticates a request with `token`."""
        return {"X-Auth-Token": self.token}

    def callflows_url(
        self, callflow_id: str | None = None, account_id: str | None = None
    ) -> str:
        """Return the absolute URL of the callflows collection, or of one callflow."""
        url = f"{self.base_url}/v2/accounts/{account_id or self.account_id}/callflows"
        return url if callflow_id is None else f"{url}/{callflow_id}"


def mock_access(directory: Directory, token: str | None, base_url: str) -> MockAccess:
    """Return the access to a mock whose state contains `directory` and `token`."""
    primary = directory.primary
    if primary is None or token is None:
        raise FixtureError(
            "the fixtures define no account, so the mock has no token to give; "
            "add an entry to 'accounts'"
        )
    logins = tuple(
        UserLogin(account.id, account.name, user.id, user.username, user.password)
        for account in directory.accounts.values()
        for user in account.users
    )
    return MockAccess(
        base_url=base_url,
        account_id=primary.id,
        account_name=primary.name,
        token=token,
        api_key=primary.api_key,
        logins=logins,
    )


@dataclass(frozen=True, slots=True)
class InProcessMock(MockAccess):
    """A mock app in this process, with its access and clients that use no socket.

    Close it to close the clients that `client` opened.
    """

    app: MockApp = field(kw_only=True)
    _open_clients: list[httpx.Client] = field(
        default_factory=list, kw_only=True, repr=False
    )

    def client(self) -> httpx.Client:
        """Return a synchronous httpx client for the app, authenticated with `token`.

        Each request runs the app on the client's own event loop, so use it from
        synchronous code only; async tests use `async_client`.
        """
        import httpx

        from mock_server.asgi_bridge import ASGIBridge

        client = httpx.Client(
            transport=ASGIBridge(self.app), base_url=self.base_url, headers=self.headers
        )
        self._open_clients.append(client)
        return client

    def async_client(self) -> httpx.AsyncClient:
        """Return an httpx AsyncClient for the app, authenticated with `token`.

        Use it as `async with mock.async_client() as client:`.
        """
        import httpx

        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(
            transport=transport, base_url=self.base_url, headers=self.headers
        )

    def close(self) -> None:
        """Close every client that `client` returned."""
        while self._open_clients:
            self._open_clients.pop().close()


def start_in_process(
    config: MockConfig | None = None, fixtures: Path | None = None
) -> InProcessMock:
    """Build a mock app, load its fixtures (`fixtures` replaces the configured
    file) and return it with its access.

    Raises FixtureError when the fixture file is invalid or defines no account.
    """
    config = config or MockConfig()
    if fixtures is not None:
        config = dataclasses.replace(config, fixtures=fixtures)
    app = build_app(config)
    asyncio.run(app.startup())
    access = mock_access(
        app.state.directory, app.state.startup_token, IN_PROCESS_BASE_URL
    )
    return InProcessMock(**_fields(access), app=app)


def _fields(access: MockAccess) -> dict[str, Any]:
    return {f.name: getattr(access, f.name) for f in dataclasses.fields(MockAccess)}


class LiveAdmin:
    """Reset a running LiveServer, or load a fixture file into it, between tests.

    Requests go through the server's admin API (`/__admin/`), so the server must
    run with `MockConfig(admin=True)`, the default. Proxies from the environment
    are bypassed: the server listens on loopback.
    """

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def reset(self) -> MockAccess:
        """Return the server to its configured fixtures with no callflows."""
        return self._access(self._call("POST", "/__admin/reset", None))

    def load(self, path: Path) -> MockAccess:
        """Replace the server's accounts, tokens and callflows with a fixture file."""
        document = read_fixture_document(path)
        parse_fixtures(document, str(path))
        return self._access(self._call("PUT", "/__admin/fixtures", {"data": document}))

    def _call(self, method: str, path: str, body: Any) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(
            self.server.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with self._opener.open(request, timeout=ADMIN_TIMEOUT) as response:
            envelope: dict[str, Any] = json.load(response)
        return envelope

    def _access(self, envelope: dict[str, Any]) -> MockAccess:
        token = envelope["data"]["auth_token"]
        directory = self.server.app.state.directory
        return mock_access(directory, token, self.server.base_url)


def read_fixture_document(path: Path) -> Any:
    """Return a JSON or YAML fixture file decoded, as the admin API takes it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot read fixture file {path}: {exc}") from exc
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise FixtureError(f"{path}: invalid fixture file: {exc}") from exc
