"""Run `callflow-kit serve` as a subprocess on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServeProcess:
    """`callflow-kit serve` with extra options, once it responds to requests."""

    def __init__(self, *options: str, log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "generator.cli", "serve"]
        command += ["--port", str(self.port), *options]
        self.log_path = log
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).parent.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # its own process group, workers included
        )
        self._wait_until_ready(log)

    def _wait_until_ready(self, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {log.read_text()}")
            try:
                httpx.get(f"{self.base_url}/v2/nowhere", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"serve did not answer in {START_TIMEOUT} s")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send `signum` to the server process and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(STOP_TIMEOUT)
        finally:
            self.kill()

    def kill(self) -> None:
        """Kill the server and every worker it started, if any still run."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)
        self._log.close()

    def spawned_workers(self) -> int:
        """Count the child processes that multiprocessing spawned, from /proc."""
        count = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                command = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and b"spawn_main" in command:
                count += 1
        return count

    def listen_addresses(self) -> set[str]:
        """Return the local addresses of listening sockets on the port (IPv4)."""
        addresses = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if int(port, 16) == self.port and fields[3] == "0A":
                packed = bytes.fromhex(address)[::-1]
                addresses.add(socket.inet_ntoa(packed))
        return addresses
