"""HTTP/1.1 framing on the mock's uvicorn protocol, sent as raw bytes.

llhttp (through httptools) parses the requests. `QuietHttpToolsProtocol` adds
the checks that cowboy 2 and h11 make and llhttp lacks. They are one Host header,
a supported version, `chunked` as the only transfer coding and a limit on the
request head.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
import pytest
from mock_support import ACCOUNT_ID, SEED, callflow
from raw_http import RawConnection, RawResponse, request_bytes

from mock_server.config import MockConfig
from mock_server.server import EVENT_LOOP, MAX_HEAD_SIZE, loop_factory, uvicorn_config
from mock_server.testing import LiveServer

TOKEN = "http-test-token"
COLLECTION = f"/v2/accounts/{ACCOUNT_ID}/callflows"
INVALID = b"Invalid HTTP request received."


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """One in-memory mock: the HTTP layer is the same for every store."""
    with LiveServer(MockConfig(seed=SEED, token=TOKEN)) as live:
        yield live


def connect(server: LiveServer) -> RawConnection:
    return RawConnection(server.config.host, server.config.port)


def exchange(server: LiveServer, data: bytes) -> tuple[RawResponse, bool]:
    """Send `data` on a new connection; return the response and whether it closed."""
    with connect(server) as connection:
        connection.send(data)
        response = connection.read_response()
        return response, is_closed(connection)


def is_closed(connection: RawConnection) -> bool:
    """Return whether the server closed the connection after its last response.

    Sends one more request, which gets a response only on an open connection.
    uvicorn also closes a connection after 5 s idle, far longer than this takes.
    """
    try:
        connection.send(request_bytes("GET", "/v2/nowhere"))
        connection.read_response()
    except (BrokenPipeError, ConnectionError):
        return True
    return False


def head(
    method: str, target: str, lines: list[str], version: str = "HTTP/1.1"
) -> bytes:
    """Build a request head from header lines, with no Host unless a line has one."""
    request_line = f"{method} {target} {version}" if version else f"{method} {target}"
    return "\r\n".join([request_line, *lines, "", ""]).encode("latin-1")


def create_body(number: str, **extra: object) -> bytes:
    return orjson.dumps({"data": {**callflow(number), **extra}})


# Host and version ------------------------------------------------------------------


def test_missing_host_rejected(server: LiveServer) -> None:
    request = head("GET", COLLECTION, [f"X-Auth-Token: {TOKEN}"])
    response, closed = exchange(server, request)
    assert response.status == 400
    assert response.body == INVALID
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert closed


def test_two_hosts_rejected(server: LiveServer) -> None:
    lines = ["Host: a.test", "Host: b.test", f"X-Auth-Token: {TOKEN}"]
    response, closed = exchange(server, head("GET", COLLECTION, lines))
    assert response.status == 400
    assert response.body == INVALID
    assert closed


def test_http10_without_host_served(server: LiveServer) -> None:
    lines = [f"X-Auth-Token: {TOKEN}"]
    response, closed = exchange(server, head("GET", COLLECTION, lines, "HTTP/1.0"))
    assert response.status == 200
    assert closed  # HTTP/1.0 without keep-alive


@pytest.mark.parametrize("version", ["HTTP/1.2", "HTTP/2.0", "HTTP/3.0"])
def test_other_versions_get_505(server: LiveServer, version: str) -> None:
    lines = ["Host: mock.test", f"X-Auth-Token: {TOKEN}"]
    response, closed = exchange(server, head("GET", COLLECTION, lines, version))
    assert response.status == 505
    assert response.body == b"Unsupported HTTP version."
    assert closed


def test_request_line_without_version(server: LiveServer) -> None:
    response, closed = exchange(server, f"GET {COLLECTION}\r\n\r\n".encode())
    assert response.status == 400
    assert response.body == INVALID
    assert closed


# Pipelined requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("malformed", "status"),
    [
        (b"garbage\r\n\r\n", 400),
        (b"GET / HTTP/1.2\r\nHost: mock.test\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # no Host
    ],
)
def test_malformed_after_pipelined_writes(
    server: LiveServer, malformed: bytes, status: int
) -> None:
    headers = {"X-Auth-Token": TOKEN, "Content-Type": "application/json"}
    first = request_bytes(
        "PUT", COLLECTION, headers, create_body(f"23{status}{len(malformed)}")
    )
    second = request_bytes("GET", COLLECTION, {"X-Auth-Token": TOKEN})
    with connect(server) as connection:
        connection.send(first + second + malformed)  # one read, most likely
        created = connection.read_response()
        listed = connection.read_response()
        error = connection.read_response()
        closed = is_closed(connection)
    assert created.status == 201
    assert listed.status == 200
    assert error.status == status
    assert closed


def test_malformed_chunk_of_current_request(server: LiveServer) -> None:
    headers = {"X-Auth-Token": TOKEN, "Transfer-Encoding": "chunked"}
    request = request_bytes("PUT", COLLECTION, headers, b"zz\r\n{}\r\n0\r\n\r\n")
    response, closed = exchange(server, request)
    assert response.status == 400
    assert closed


# Bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "chunked, chunked"])
def test_codings_besides_chunked_rejected(server: LiveServer, coding: str) -> None:
    body = create_body("2100")
    headers = {"X-Auth-Token": TOKEN, "Transfer-Encoding": coding}
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    response, closed = exchange(
        server, request_bytes("PUT", COLLECTION, headers, chunked)
    )
    assert response.status == 400
    assert response.body == INVALID
    assert closed


def test_chunked_wins_over_length(server: LiveServer) -> None:
    body = create_body("2101")
    headers = {
        "X-Auth-Token": TOKEN,
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
        "Content-Length": "999999999",  # over the upload limit, if it counted
    }
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    response, closed = exchange(
        server, request_bytes("PUT", COLLECTION, headers, chunked)
    )
    assert response.status == 201
    assert response.json()["data"]["numbers"] == ["2101"]  # type: ignore[index]
    assert closed  # RFC 9112 section 6.3: close after such a request


def test_expect_continue_then_body(server: LiveServer) -> None:
    body = create_body("2102")
    headers = {
        "X-Auth-Token": TOKEN,
        "Content-Type": "application/json",
        "Expect": "100-continue",
        "Content-Length": str(len(body)),
    }
    with connect(server) as connection:
        connection.send(request_bytes("PUT", COLLECTION, headers))
        interim = connection.read_response()
        connection.send(body)
        response = connection.read_response()
    assert interim.status == 100
    assert response.status == 201


def test_body_in_head_read_not_counted(server: LiveServer) -> None:
    # A body several times MAX_HEAD_SIZE that arrives with the head, in one write.
    body = create_body("2103", name="n" * (4 * MAX_HEAD_SIZE))
    headers = {"X-Auth-Token": TOKEN, "Content-Type": "application/json"}
    with connect(server) as connection:
        connection.send(request_bytes("PUT", COLLECTION, headers, body))
        created = connection.read_response()
        connection.send(request_bytes("GET", COLLECTION, {"X-Auth-Token": TOKEN}))
        listed = connection.read_response()
    assert created.status == 201
    assert listed.status == 200


# Head size -------------------------------------------------------------------------


def test_head_within_limit_served(server: LiveServer) -> None:
    padding = "p" * (MAX_HEAD_SIZE - 1024)
    lines = ["Host: mock.test", f"X-Auth-Token: {TOKEN}", f"X-Padding: {padding}"]
    response, closed = exchange(server, head("GET", COLLECTION, lines))
    assert response.status == 200
    assert not closed


def test_head_over_limit_rejected(server: LiveServer) -> None:
    # The head never ends, so the server reads an incomplete head over the limit.
    padding = "p" * (MAX_HEAD_SIZE + 1024)
    start = f"GET {COLLECTION} HTTP/1.1\r\nHost: mock.test\r\nX-Padding: {padding}"
    with connect(server) as connection:
        connection.send(start.encode())
        response = connection.read_response()
        closed = is_closed(connection)
    assert response.status == 400
    assert response.body == INVALID
    assert closed


def test_endless_header_cut_off(server: LiveServer) -> None:
    # A header line that never ends: the server must respond or close, and
    # neither buffer forever nor wait (the socket times out after 30 s).
    chunk = b"e" * 4096
    with connect(server) as connection:
        try:
            connection.send(f"GET {COLLECTION} HTTP/1.1\r\nX-Endless: ".encode())
            for _ in range(10 * MAX_HEAD_SIZE // len(chunk)):
                connection.send(chunk)
            reply = connection.socket.recv(65536)
        except (BrokenPipeError, ConnectionResetError):
            reply = b""  # closed while the client was still sending
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400 ")


# Access log ------------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_access_log_never_written(server: LiveServer) -> None:
    access = logging.getLogger("uvicorn.access")
    records = _Records()
    access.addHandler(records)
    try:
        target = f"{COLLECTION}?auth_token={TOKEN}"
        response, _ = exchange(server, request_bytes("GET", target))
    finally:
        access.removeHandler(records)
    assert response.status == 200
    assert records.records == []


# Event loop ------------------------------------------------------------------------


def test_servers_use_uvloop_when_installed(server: LiveServer) -> None:
    uvloop = pytest.importorskip("uvloop")
    assert EVENT_LOOP == "uvloop"
    factory = uvicorn_config(server.app).get_loop_factory()
    assert factory is not None
    for new_loop in (factory, loop_factory()):
        loop = new_loop()
        try:
            assert isinstance(loop, uvloop.Loop)
        finally:
            loop.close()
