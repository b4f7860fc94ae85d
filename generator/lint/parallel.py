"""Run part of a lint in a forked child process, on a second CPU core.

The child is a copy of the parent made by `os.fork`, so it starts with the loaded
spec and its index already in memory and nothing is serialised on the way in. It
sends its result back through a pipe, pickled. Whenever forking is unsafe or
useless (not Linux, one usable CPU, other threads running) or the child fails,
the function runs in the parent instead, so the result never depends on the
child.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


def can_fork() -> bool:
    """Return whether a forked child can run beside this process.

    Linux only: Python's multiprocessing documentation calls fork unsafe on
    macOS, whose system libraries may start threads. With other threads running,
    a lock one of them holds would stay locked forever in the child.
    /proc/self/task also counts threads that extension modules start, which
    `threading` does not know of.
    """
    if sys.platform != "linux":
        return False
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return False
    return threads == 1 and len(os.sched_getaffinity(0)) > 1


class Pending(Generic[T]):
    """The result of a function that runs in a child process, or will run here."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._pid: int | None = None
        self._pipe: int | None = None

    @property
    def pid(self) -> int | None:
        """Return the child's process id, or None when no child runs."""
        return self._pid

    def start(self) -> None:
        """Fork a child that runs the function, when `can_fork` allows one."""
        if not can_fork():
            return
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            # Out of processes or memory: the function runs here instead.
            logger.debug("fork failed: %s; running the function here", exc)
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            _run_child(self._function, write_end)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> T:
        """Return the child's result, or run the function here if it has none."""
        if self._pid is None or self._pipe is None:
            return self._function()
        with os.fdopen(self._pipe, "rb") as pipe:
            self._pipe = None
            data = pipe.read()
        pid, self._pid = self._pid, None
        _, status = os.waitpid(pid, 0)
        exit_code = os.waitstatus_to_exitcode(status)
        if exit_code == 0 and data:
            result: T = pickle.loads(data)
            return result
        logger.debug(
            "child process %d failed with exit status %d; running its work here",
            pid,
            exit_code,
        )
        return self._function()

    def cancel(self) -> None:
        """Stop the child if its result was never collected."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None


def _run_child(function: Callable[[], T], write_end: int) -> NoReturn:
    """Run the function, write its pickled result and end the child process.

    `os._exit` skips the parent's exit handlers and leaves its buffered output
    unwritten. Exit status 1, with nothing written, makes the parent run the
    function itself and meet the same error there.
    """
    try:
        data = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        os._exit(1)
    os._exit(0)
