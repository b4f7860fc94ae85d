"""Servers under test, each a child process on a free 127.0.0.1 port.

A server is ready when its port accepts connections (the mock loads its fixtures
before it listens). Stopping sends SIGINT, the signal uvicorn and Prism shut down
cleanly on, then SIGKILL after a grace period, to the process group the server
was started in.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
STOP_GRACE = 10.0
"""Seconds a server gets to exit after SIGINT before it is killed."""


class ServerError(RuntimeError):
    """A server exited early or did not start listening in time."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Memory:
    """Memory of a process from /proc/PID/status, in MB (10**6 bytes)."""

    rss: float  # VmRSS: resident now
    peak: float  # VmHWM: highest resident so far


class ServerProcess:
    """A server command run in its own session, with its output in a log file."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        port: int,
        log_path: Path,
        cwd: Path,
        start_timeout: float = 120.0,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.port = port
        self.log_path = log_path
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.started_in = 0.0  # seconds from spawn until the port accepted
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        """Return the server's process id."""
        if self._process is None:
            raise ServerError(f"{self.name} is not running")
        return self._process.pid

    def start(self) -> ServerProcess:
        """Spawn the server and wait until its port accepts connections."""
        began = time.monotonic()
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while not self._accepts():
            if self._process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with {self._process.returncode} before "
                    f"listening; log:\n{self.log_tail()}"
                )
            if time.monotonic() - began > self.start_timeout:
                self.stop()
                raise ServerError(
                    f"{self.name} did not listen on port {self.port} within "
                    f"{self.start_timeout:g} s; log:\n{self.log_tail()}"
                )
            time.sleep(0.05)
        self.started_in = time.monotonic() - began
        return self

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server: SIGINT to its process group, SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_GRACE)

    def exit_status(self) -> int | None:
        """Return the server's exit status, or None while it runs."""
        return None if self._process is None else self._process.poll()

    def check_alive(self) -> None:
        """Raise ServerError, with the end of the log, when the server has exited."""
        if self._process is not None and self._process.poll() is not None:
            raise ServerError(
                f"{self.name} exited with {self._process.returncode}; log:\n"
                f"{self.log_tail()}"
            )

    def memory(self) -> Memory:
        """Return the server's resident memory now and at its peak."""
        fields: dict[str, float] = {}
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024 / 1e6  # KiB to MB
        return Memory(rss=fields["VmRSS"], peak=fields["VmHWM"])

    def log_tail(self, lines: int = 20) -> str:
        """Return the end of the server's log."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP response, read whole."""

    status: int
    body: bytes


def request(
    url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> Reply:
    """Send one request to a server of this module and read the whole response."""
    host, _, port = url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.read())
    finally:
        connection.close()
