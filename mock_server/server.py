"""uvicorn settings that `serve`, its workers and LiveServer share.

- `QuietH11Protocol`: uvicorn 0.54 writes its access log line, which contains
  the query string and so any `?auth_token=`, whenever the `uvicorn.access`
  logger has a handler, even when the config was built with `access_log=False`.
  pytest 9, for one, attaches its capture handler to every non-propagating
  logger. This protocol never writes that line, and the mock logs its own
  request line without the query string.
- `bind_socket`: a listening socket with Nagle's algorithm off.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


class QuietH11Protocol(H11Protocol):
    """uvicorn's h11 protocol without its access log."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.access_log = False


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind a listening TCP socket with Nagle's algorithm off.

    asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP; uvicorn's
    own `bind_socket` passes 0, which makes small responses wait for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
