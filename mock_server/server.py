"""uvicorn settings that `serve`, its workers, LiveServer and the benchmark share.

- `QuietHttpToolsProtocol`: uvicorn's httptools (llhttp) protocol without its
  access log, plus the request checks of cowboy and h11 that llhttp lacks (see
  the class). uvicorn 0.54 writes its
  access log line, which contains the query string and so any `?auth_token=`,
  whenever the `uvicorn.access` logger has a handler, even when the config was
  built with `access_log=False`. pytest 9, for one, attaches its capture handler
  to every non-propagating logger. This protocol never writes that line, and the
  mock logs its own request line without the query string.
- `EVENT_LOOP`, `loop_factory` and `run`: uvloop where it is installed, else
  asyncio.
- `uvicorn_config`: the uvicorn settings above, with lifespan on and no logging
  set-up of uvicorn's own.
- `bind_socket`: a listening socket with Nagle's algorithm off.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any, Literal, TypeVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

try:
    import uvloop
except ImportError:  # pyproject.toml installs uvloop only where it builds
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")

EVENT_LOOP: Literal["uvloop", "asyncio"] = "asyncio" if uvloop is None else "uvloop"
"""The event loop every server of the mock runs on, as uvicorn's `loop` setting."""

HTTP_IMPLEMENTATION = "httptools"
"""The HTTP parser that `QuietHttpToolsProtocol` uses, for reports."""

MAX_HEAD_SIZE = 16 * 1024
"""Bytes of a request line and headers that may arrive before the head is whole.

The same as h11's default `max_incomplete_event_size` (h11 0.16), and checked the
same way, so a head that arrives whole in one read may be longer. llhttp itself
has no limit, and httptools buffers each header until its end.
"""

INVALID_REQUEST = "Invalid HTTP request received."


class QuietHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol without its access log, closer to cowboy.

    It adds the checks that cowboy 2 (Kazoo 4.3's HTTP server) and h11 make and
    llhttp does not. An HTTP/1.1 request needs exactly one Host header (400). A
    request line without a version gets 400, and an `HTTP/x.y` version other than
    1.0 and 1.1 gets 505, where llhttp alone would pass 2.0 and reject the others.
    `Transfer-Encoding` must be `chunked` alone (400). It wins over a
    Content-Length sent with it, which llhttp would reject: the app gets the
    chunked body without the Content-Length header, and the connection closes
    after the response. A head still incomplete after MAX_HEAD_SIZE bytes gets
    400. Each of these 400 and 505 responses is plain text and closes the
    connection.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.access_log = False
        self.parser.set_dangerous_leniencies(
            lenient_chunked_length=True, lenient_version=True
        )
        self._reading_head = True
        self._head_size = 0
        self._rejection: tuple[int, str] | None = None
        self._deferred_error: bytes | None = None

    def data_received(self, data: bytes) -> None:
        if self._deferred_error is not None:
            return  # the connection closes once the earlier responses are sent
        if self._reading_head:
            self._head_size += len(data)
        super().data_received(data)
        # Checked after parsing, so that body bytes that came in the same read as
        # the end of the head never count. A head that is still incomplete has
        # taken every byte counted since the last message ended.
        too_long = self._reading_head and self._head_size > MAX_HEAD_SIZE
        rejected = self.transport.is_closing() or self._deferred_error is not None
        if too_long and not rejected:
            self.logger.warning(
                "%s The request head exceeds %d bytes.", INVALID_REQUEST, MAX_HEAD_SIZE
            )
            self.send_400_response(INVALID_REQUEST)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        version = self.parser.get_http_version()
        if version == "0.9":
            self._reject(400, INVALID_REQUEST)
        if version not in ("1.0", "1.1"):
            self._reject(505, "Unsupported HTTP version.")
        hosts = 0
        codings: list[bytes] = []
        has_length = False
        for name, value in self.headers:
            if name == b"host":
                hosts += 1
            elif name == b"transfer-encoding":
                codings += (coding.strip().lower() for coding in value.split(b","))
            elif name == b"content-length":
                has_length = True
        if version == "1.1" and hosts != 1:
            self._reject(400, INVALID_REQUEST)
        if codings and codings != [b"chunked"]:
            self._reject(400, INVALID_REQUEST)
        smuggled_length = bool(codings) and has_length
        if smuggled_length:
            # Drop the Content-Length that the chunked body overrides, as cowboy
            # does. `self.headers` is the list in the request's scope.
            self.headers[:] = [h for h in self.headers if h[0] != b"content-length"]
        super().on_headers_complete()
        if smuggled_length:
            # RFC 9112 section 6.3: close the connection after the response.
            self.cycle.keep_alive = False

    def on_message_complete(self) -> None:
        self._reading_head = True
        self._head_size = 0
        super().on_message_complete()

    def _reject(self, status: int, message: str) -> None:
        """Record the response to send, then stop parsing with an exception.

        httptools turns the exception into HttpParserError, so uvicorn calls
        `send_400_response`, which sends the recorded response.
        """
        self._rejection = (status, message)
        raise ValueError(message)

    def on_response_complete(self) -> None:
        if self._deferred_error is not None and not self.pipeline:
            self.server_state.total_requests += 1
            self._write_error(self._deferred_error)
            return
        super().on_response_complete()

    def _answering_earlier_request(self) -> bool:
        """Return whether a request received in full still awaits its response.

        A request whose body is still arriving does not count: an error in its
        body is the error of that request.
        """
        cycle = self.cycle
        if self.pipeline:
            return True
        return cycle is not None and not cycle.more_body and not cycle.response_complete

    def _write_error(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """Send the error response of a malformed request, then close.

        When requests pipelined before it in the same read still await their
        responses, the error response waits until they are sent. h11 and cowboy
        also respond to pipelined requests in order.
        """
        if self._deferred_error is not None:
            return
        status, message = self._rejection or (400, msg)
        phrase = HTTPStatus(status).phrase
        body = message.encode("ascii")
        head = [f"HTTP/1.1 {status} {phrase}\r\n".encode("ascii")]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: text/plain; charset=utf-8\r\n")
        head.append(f"content-length: {len(body)}\r\n".encode("ascii"))
        head.append(b"connection: close\r\n\r\n")
        response = b"".join(head) + body
        if self._answering_earlier_request():
            self._deferred_error = response
            self.flow.pause_reading()
            return
        self._write_error(response)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """Return the function that creates an EVENT_LOOP loop."""
    if uvloop is None:
        return asyncio.new_event_loop
    new_loop: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return new_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on a new EVENT_LOOP loop, as `asyncio.run` does on asyncio's."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)


def uvicorn_config(app: Callable[..., Any] | str, **options: Any) -> Config:
    """Return a uvicorn Config for `app` with the settings every server shares.

    `options` adds or overrides uvicorn settings, such as `host` and `workers`.
    """
    settings: dict[str, Any] = {
        "http": QuietHttpToolsProtocol,
        "loop": EVENT_LOOP,
        "lifespan": "on",
        "access_log": False,
        "log_config": None,
    }
    settings.update(options)
    return Config(app, **settings)


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
