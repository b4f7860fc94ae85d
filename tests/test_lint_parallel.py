"""The forked child that validates defaults and examples, and its fallbacks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.lint import lint_specs, parallel

KAZOO = Path(__file__).parent / "data" / "kazoo-oas3-master" / "openapi.yml"

FORK_PLATFORM = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1


@pytest.fixture
def fork_available() -> None:
    """Skip unless a child can be forked now: the suite's server threads forbid it."""
    if not parallel.can_fork():
        pytest.skip("needs Linux, two CPUs and no other thread in this process")


needs_fork = pytest.mark.usefixtures("fork_available")


@pytest.mark.skipif(not FORK_PLATFORM, reason="needs Linux and two CPUs")
def test_forking_checked_alone() -> None:
    # Live-server threads of other tests make the fork tests skip in a full run,
    # so run them again in a fresh interpreter, where no thread runs.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-k", "not alone", __file__]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" not in summary


@needs_fork
def test_pending_runs_in_child() -> None:
    pending = parallel.Pending(os.getpid)
    pending.start()
    assert pending.result() != os.getpid()


def test_pending_without_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    pending = parallel.Pending(os.getpid)
    pending.start()
    assert pending.result() == os.getpid()


@needs_fork
def test_pending_child_failure_runs_here() -> None:
    parent = os.getpid()

    def fail_in_child() -> str:
        if os.getpid() != parent:
            raise RuntimeError("child failure")
        return "parent"

    pending = parallel.Pending(fail_in_child)
    pending.start()
    assert pending.result() == "parent"


@needs_fork
def test_pending_cancel_ends_child() -> None:
    pending = parallel.Pending(threading.Event().wait)
    pending.start()
    pid = pending.pid
    assert pid is not None
    pending.cancel()
    assert pending.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_no_fork_beside_threads() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_kazoo_same_findings_without_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    forked = lint_specs([KAZOO])
    assert len(forks) == 1

    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    in_process = lint_specs([KAZOO])
    assert len(forks) == 1
    assert forked.findings == in_process.findings
    assert forked.files == in_process.files


@needs_fork
def test_pending_fork_failure_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail_fork() -> int:
        raise BlockingIOError("fork: resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fail_fork)
    pending = parallel.Pending(os.getpid)
    pending.start()
    assert pending.pid is None
    assert pending.result() == os.getpid()
