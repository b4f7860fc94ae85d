"""A live mock server on a free loopback port, for tests and test tools.

    with LiveServer(MockConfig(seed=1)) as server:
        httpx.get(f"{server.base_url}/v2/accounts/{server.account_id}/callflows",
                  headers={"X-Auth-Token": server.token})

The server runs uvicorn in a background thread of the calling process; `stop`
(or leaving the `with` block) shuts it down and joins the thread.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from types import TracebackType

import uvicorn

from mock_server.app import MockApp, build_app
from mock_server.config import MockConfig
from mock_server.server import uvicorn_config

START_TIMEOUT = 10.0
"""Seconds to wait for the server to accept connections before giving up."""


class ServerStartError(RuntimeError):
    """The server thread stopped before it accepted connections."""


class LiveServer:
    """Run the mock on the configured host (127.0.0.1 by default).

    The port is `port`, or with the default 0 a free one that the OS chooses;
    `config.port` is ignored. `app` replaces the app that `build_app` would make.
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        port: int = 0,
        app: MockApp | None = None,
    ) -> None:
        config = config or MockConfig()
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        # asyncio turns Nagle's algorithm off only on sockets whose protocol is
        # IPPROTO_TCP; with the default 0 every response waits for a delayed ACK.
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((config.host, port))
        port = self._socket.getsockname()[1]
        self.config = dataclasses.replace(config, port=port)
        self.app: MockApp = app if app is not None else build_app(self.config)
        self._server = uvicorn.Server(uvicorn_config(self.app))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"mock-server-{port}",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        """Return the URL the server listens on, such as http://127.0.0.1:40123."""
        return self.config.base_url

    @property
    def account_id(self) -> str:
        """Return the id of the fixtures' first account."""
        primary = self.app.state.directory.primary
        if primary is None:
            raise RuntimeError("the fixtures define no account")
        return primary.id

    @property
    def token(self) -> str:
        """Return the start token of the first account."""
        token = self.app.state.startup_token
        if token is None:
            raise RuntimeError("the fixtures define no account, so no token exists")
        return token

    def start(self) -> LiveServer:
        """Start serving and wait until the server accepts connections."""
        self._thread.start()
        waited = 0.0
        while not self._server.started:
            if not self._thread.is_alive():
                raise ServerStartError(
                    f"mock server on {self.base_url} failed to start"
                )
            if waited >= START_TIMEOUT:
                self.stop()
                raise ServerStartError(
                    f"mock server on {self.base_url} did not start in {START_TIMEOUT} s"
                )
            self._thread.join(0.01)
            waited += 0.01
        return self

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join()
        self._socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
