"""Log output of `callflow-kit serve`: request lines written in batches.

The mock logs one INFO line per request. A plain StreamHandler writes and flushes
each line on its own, one system call per request. `BufferedStreamHandler` keeps
the request lines and writes them in one call at most FLUSH_INTERVAL seconds after
the first of them, or sooner when MAX_PENDING lines wait. Any other record, such
as uvicorn's start and shutdown lines or a warning, is written at once together
with the lines before it. So uvicorn's "Shutting down" line writes the request
lines that wait when the server stops on SIGINT or SIGTERM.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import TextIO

FLUSH_INTERVAL = 0.2
"""Seconds a log line may wait before it is written."""

MAX_PENDING = 1000
"""Lines that make the handler write at once instead of waiting."""

BATCHED_LOGGERS = frozenset({"mock_server.app"})
"""Loggers whose INFO and DEBUG records wait for the next batch."""


class BufferedStreamHandler(logging.StreamHandler[TextIO]):
    """A StreamHandler that writes its lines in batches from a background thread.

    Records of INFO and below from `batched` loggers wait. The thread sleeps until
    one arrives, waits `interval` seconds, then writes every waiting line with one
    `write` and flushes the stream. Other records, `flush` and `close` write at
    once, and `logging.shutdown` calls `flush` and `close` at exit.
    NOTE: lines that wait when the process is killed (SIGKILL) are lost.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        interval: float = FLUSH_INTERVAL,
        max_pending: int = MAX_PENDING,
        batched: frozenset[str] = BATCHED_LOGGERS,
    ) -> None:
        super().__init__(stream)
        self.interval = interval
        self.max_pending = max_pending
        self.batched = batched
        self._pending: list[str] = []
        self._arrived = threading.Event()
        self._closing = threading.Event()
        self._writer = threading.Thread(
            target=self._write_periodically, name="log-writer", daemon=True
        )
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:
        # `Handler.handle` holds the handler's lock here, as `flush` does.
        try:
            self._pending.append(self.format(record))
            urgent = record.levelno > logging.INFO or record.name not in self.batched
            if urgent or len(self._pending) >= self.max_pending:
                self.flush()
            elif len(self._pending) == 1:
                self._arrived.set()
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        """Write the waiting lines with one call, then flush the stream."""
        with self.lock or contextlib.nullcontext():
            if self._pending:
                text = self.terminator.join(self._pending) + self.terminator
                self._pending.clear()
                self.stream.write(text)
            if hasattr(self.stream, "flush"):
                self.stream.flush()

    def close(self) -> None:
        """Write what waits and tell the writer thread to stop.

        The thread is not joined: `logging.shutdown` calls `close` with the
        handler's lock held, which the thread may be waiting for.
        """
        self._closing.set()
        self._arrived.set()
        try:
            self.flush()
        finally:
            super().close()

    def _write_periodically(self) -> None:
        while not self._closing.is_set():
            self._arrived.wait()
            self._closing.wait(self.interval)
            self._arrived.clear()
            try:
                self.flush()
            except (OSError, ValueError):
                # The stream itself failed (a closed pipe, a closed file), so
                # nothing is left to report the lost lines on.
                continue


@contextlib.contextmanager
def buffered_log_output() -> Iterator[None]:
    """Swap the root logger's stream handlers for buffered ones while serving.

    Each plain `logging.StreamHandler`, such as the one `logging.basicConfig` adds,
    is replaced by a BufferedStreamHandler on the same stream, with its level,
    formatter and filters. On exit the buffered handlers write what waits, and the
    old ones return. Until then `LogRecord` skips looking up the thread, process
    and calling frame, which the CLI's log format never shows.
    """
    root = logging.getLogger()
    swapped: list[tuple[logging.StreamHandler[TextIO], BufferedStreamHandler]] = []
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            buffered = BufferedStreamHandler(handler.stream)
            buffered.setLevel(handler.level)
            buffered.setFormatter(handler.formatter)
            buffered.filters = list(handler.filters)
            handler.flush()
            root.removeHandler(handler)
            root.addHandler(buffered)
            swapped.append((handler, buffered))
    with record_fields_off():
        try:
            yield
        finally:
            for handler, buffered in swapped:
                root.removeHandler(buffered)
                buffered.close()
                root.addHandler(handler)


# Module switches of the Python logging HOWTO's "Optimization" section. Each one
# stops `LogRecord` from looking up a field: the thread, process, multiprocessing
# and (Python 3.12+) asyncio task names. `logging._srcfile = None` stops
# `findCaller` from walking the stack for the calling frame.
_RECORD_SWITCHES = (
    "logThreads",
    "logProcesses",
    "logMultiprocessing",
    "logAsyncioTasks",
)


@contextlib.contextmanager
def record_fields_off() -> Iterator[None]:
    """Stop `LogRecord` from looking up fields that the log format never shows."""
    saved = {
        name: getattr(logging, name)
        for name in _RECORD_SWITCHES
        if hasattr(logging, name)
    }
    source_file = logging._srcfile
    disable_record_fields()
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(logging, name, value)
        logging._srcfile = source_file


def disable_record_fields() -> None:
    """Turn off the `LogRecord` fields that `record_fields_off` names, for good."""
    for name in _RECORD_SWITCHES:
        if hasattr(logging, name):
            setattr(logging, name, False)
    logging._srcfile = None
