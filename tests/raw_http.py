"""HTTP/1.1 over a plain socket, for requests that clients such as httpx normalise.

httpx resolves `..` in paths, re-encodes `%2F` and always frames bodies
correctly; these helpers send the bytes exactly as written.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import orjson

TIMEOUT = 30.0


@dataclass
class RawResponse:
    """One parsed response: status code, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        """Return the body decoded as JSON."""
        return orjson.loads(self.body)


class RawConnection:
    """One keep-alive connection that sends raw requests and reads responses."""

    def __init__(self, host: str, port: int) -> None:
        self.socket = socket.create_connection((host, port), timeout=TIMEOUT)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        """Send bytes as they are."""
        self.socket.sendall(data)

    def read_response(self, *, head: bool = False) -> RawResponse:
        """Read one response; a response to HEAD has no body whatever its length."""
        while b"\r\n\r\n" not in self._buffer:
            self._receive()
        header_block, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = header_block.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head else int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            self._receive()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return RawResponse(int(status_line.split(" ")[1]), headers, body)

    def _receive(self) -> None:
        chunk = self.socket.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk

    def close(self) -> None:
        """Close the socket."""
        self.socket.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def request_bytes(
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> bytes:
    """Build a request; Content-Length is added for a body unless a header sets it."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    headers = dict(headers or {})
    framed = "Content-Length" in headers or "Transfer-Encoding" in headers
    if body is not None and not framed:
        headers["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def raw_request(
    host: str,
    port: int,
    method: str,
    target: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> RawResponse:
    """Send one request on a new connection and return its response."""
    with RawConnection(host, port) as connection:
        connection.send(request_bytes(method, target, headers, body))
        return connection.read_response(head=method == "HEAD")
