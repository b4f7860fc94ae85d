"""The mock's log output: batched request lines, and the lines themselves."""

from __future__ import annotations

import io
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from mock_support import ACCOUNT_ID, SEED
from serve_support import ServeProcess

from mock_server.config import MockConfig
from mock_server.logs import BufferedStreamHandler, buffered_log_output
from mock_server.testing import LiveServer

TOKEN = "logs-test-token"
COLLECTION = f"/v2/accounts/{ACCOUNT_ID}/callflows"
WAIT = 30.0
"""Seconds to wait for a line that the writer thread or the server writes."""


def wait_until(condition: Callable[[], bool]) -> bool:
    """Poll `condition` until it is true or WAIT seconds pass; return the result."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mock_server.app", logging.INFO, "", 0, message, (), None)


@pytest.fixture
def stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def held(stream: io.StringIO) -> Iterator[BufferedStreamHandler]:
    """A handler whose writer thread would wait an hour before it writes."""
    handler = BufferedStreamHandler(stream, interval=3600)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    yield handler
    handler.close()


# BufferedStreamHandler -------------------------------------------------------------


def test_lines_wait_for_flush(held: BufferedStreamHandler, stream: io.StringIO) -> None:
    held.handle(record("first"))
    held.handle(record("second"))
    assert stream.getvalue() == ""
    held.flush()
    assert stream.getvalue() == "INFO first\nINFO second\n"


def test_close_writes_waiting_lines(
    held: BufferedStreamHandler, stream: io.StringIO
) -> None:
    held.handle(record("last"))
    held.close()
    assert stream.getvalue() == "INFO last\n"
    held._writer.join(WAIT)
    assert not held._writer.is_alive()


def test_shutdown_writes_waiting_lines(tmp_path: Path) -> None:
    # `logging.shutdown` at exit holds the handler's lock while it closes it.
    script = (
        "import logging, sys\n"
        "from mock_server.logs import BufferedStreamHandler\n"
        "handler = BufferedStreamHandler(sys.stdout, interval=3600)\n"
        "logging.basicConfig(level=logging.INFO, handlers=[handler])\n"
        "logging.getLogger('mock_server.app').info('GET /v2/x 200 id')\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=WAIT,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "INFO:mock_server.app:GET /v2/x 200 id\n"


def test_other_records_write_at_once(
    held: BufferedStreamHandler, stream: io.StringIO
) -> None:
    held.handle(record("request line"))
    assert stream.getvalue() == ""
    warning = record("trouble")
    warning.levelno, warning.levelname = logging.WARNING, "WARNING"
    held.handle(warning)
    assert stream.getvalue() == "INFO request line\nWARNING trouble\n"
    held.handle(record("request line 2"))
    held.handle(
        logging.LogRecord("uvicorn.error", logging.INFO, "", 0, "stop", (), None)
    )
    assert stream.getvalue().endswith("INFO request line 2\nINFO stop\n")


def test_max_pending_writes_at_once(stream: io.StringIO) -> None:
    handler = BufferedStreamHandler(stream, interval=3600, max_pending=3)
    try:
        handler.handle(record("1"))
        handler.handle(record("2"))
        assert stream.getvalue() == ""
        handler.handle(record("3"))
        assert stream.getvalue() == "1\n2\n3\n"
    finally:
        handler.close()


def test_writer_thread_writes_lines(stream: io.StringIO) -> None:
    handler = BufferedStreamHandler(stream, interval=0.01)
    try:
        handler.handle(record("one"))
        assert wait_until(lambda: stream.getvalue() == "one\n")
        handler.handle(record("two"))
        assert wait_until(lambda: stream.getvalue() == "one\ntwo\n")
    finally:
        handler.close()


def test_buffered_output_swaps_and_restores(stream: io.StringIO) -> None:
    root = logging.getLogger()
    plain = logging.StreamHandler(stream)
    formatter = logging.Formatter("%(name)s| %(message)s")
    plain.setFormatter(formatter)
    plain.setLevel(logging.WARNING)
    root.addHandler(plain)
    switches = (logging.logThreads, logging.logProcesses, logging._srcfile)
    try:
        with buffered_log_output():
            (buffered,) = [
                h for h in root.handlers if isinstance(h, BufferedStreamHandler)
            ]
            assert plain not in root.handlers
            assert buffered.stream is stream
            assert buffered.formatter is formatter
            assert buffered.level == logging.WARNING
            assert logging.logThreads is False
            assert logging._srcfile is None
            logging.getLogger("mock_server.test").warning("inside")
        assert stream.getvalue() == "mock_server.test| inside\n"
        assert plain in root.handlers
        assert buffered not in root.handlers
        assert (logging.logThreads, logging.logProcesses, logging._srcfile) == switches
    finally:
        root.removeHandler(plain)


# Request lines ---------------------------------------------------------------------


def test_client_disconnect_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with LiveServer(MockConfig(seed=SEED, token=TOKEN)) as server:
        address = (server.config.host, server.config.port)
        with socket.create_connection(address, timeout=WAIT) as sock:
            head = (
                f"PUT {COLLECTION} HTTP/1.1\r\nHost: mock.test\r\n"
                f"X-Auth-Token: {TOKEN}\r\nContent-Length: 100\r\n\r\n"
            )
            sock.sendall(head.encode() + b'{"data":')

        def disconnect_logged() -> bool:
            return any("client disconnected" in r.getMessage() for r in caplog.records)

        assert wait_until(disconnect_logged)
    mock_records = [r for r in caplog.records if r.name.startswith("mock_server")]
    assert [r.getMessage() for r in mock_records] == [
        f"PUT {COLLECTION}: client disconnected"
    ]
    assert mock_records[0].levelno == logging.INFO


def test_serve_logs_request_lines(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = ServeProcess("--token", TOKEN, log=log)
    try:
        response = httpx.get(
            server.base_url + COLLECTION, headers={"X-Auth-Token": TOKEN}
        )
        line = f"INFO mock_server.app: GET {COLLECTION} 200 "
        line += response.json()["request_id"]
        assert wait_until(lambda: line in log.read_text())
        last = httpx.get(server.base_url + "/v2/nowhere")
        server.stop(signal.SIGTERM)
    finally:
        server.kill()
    last_line = f"INFO mock_server.app: GET /v2/nowhere 404 {last.json()['request_id']}"
    assert last_line in log.read_text()
