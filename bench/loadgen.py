"""Load generation with wrk: fixed connections and duration, warm-up, median of rounds.

wrk keeps a fixed number of connections busy (a closed loop), so its latencies
are service times under that concurrency, not the latencies of an open arrival
rate. The Lua scripts in `bench/lua/` pick the requests and print one JSON line
of totals and percentiles.
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

LUA_DIR = Path(__file__).resolve().parent / "lua"
RESULT_PREFIX = "BENCH_RESULT "
SETTLE = 0.5
"""Seconds between runs, for a server to finish the requests wrk left in flight."""


class LoadError(RuntimeError):
    """wrk failed or printed no result."""


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """The wrk settings that every run of a benchmark shares."""

    threads: int = 1
    connections: int = 16
    duration: int = 4  # seconds per measured round; wrk takes whole seconds
    warmup: int = 2  # seconds, discarded
    rounds: int = 3
    timeout: int = 10  # seconds before wrk counts a request as timed out


@dataclass(frozen=True, slots=True)
class RunResult:
    """The totals of one wrk run."""

    requests: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]  # mean, max, p50, p90, p99

    @property
    def rate(self) -> float:
        """Return requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        """Return responses with a status of 400 or more, plus socket errors."""
        return sum(self.errors.values())

    @classmethod
    def parse(cls, output: str) -> RunResult:
        """Read the JSON line that `common.report` prints."""
        for line in output.splitlines():
            if line.startswith(RESULT_PREFIX):
                raw = orjson.loads(line[len(RESULT_PREFIX) :])
                latency = {k: v / 1000 for k, v in raw["latency_us"].items()}
                return cls(
                    requests=raw["requests"],
                    seconds=raw["duration_us"] / 1e6,
                    errors=raw["errors"],
                    latency_ms=latency,
                )
        raise LoadError(f"wrk printed no {RESULT_PREFIX.strip()} line:\n{output}")


@dataclass(slots=True)
class Measurement:
    """The measured rounds of one scenario on one server."""

    rounds: list[RunResult] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Return the median requests per second over the rounds."""
        return statistics.median(r.rate for r in self.rounds)

    def latency(self, key: str) -> float:
        """Return the median over the rounds of one latency statistic, in ms."""
        return statistics.median(r.latency_ms[key] for r in self.rounds)

    @property
    def failed(self) -> int:
        """Return the failed responses of all rounds together."""
        return sum(r.failed for r in self.rounds)

    @property
    def requests(self) -> int:
        """Return the requests of all rounds together."""
        return sum(r.requests for r in self.rounds)

    def to_json(self) -> dict[str, Any]:
        """Return the rounds and their medians as plain JSON values."""
        return {
            "rate": self.rate,
            "p50_ms": self.latency("p50"),
            "p90_ms": self.latency("p90"),
            "p99_ms": self.latency("p99"),
            "failed": self.failed,
            "requests": self.requests,
            "rounds": [
                {"rate": r.rate, "latency_ms": r.latency_ms, "errors": r.errors}
                for r in self.rounds
            ],
        }


_run_ids = itertools.count(1)


def next_run_id() -> int:
    """Return a number no other wrk run of this process got (PUT numbers use it)."""
    return next(_run_ids)


def wrk_command(
    url: str, script: str, args: Sequence[str], seconds: int, settings: LoadSettings
) -> list[str]:
    """Return the wrk command line of one run with a script of `bench/lua/`."""
    return [
        "wrk",
        f"--threads={settings.threads}",
        f"--connections={settings.connections}",
        f"--duration={seconds}s",
        f"--timeout={settings.timeout}s",
        f"--script={script}",
        url,
        "--",
        *args,
    ]


def run_wrk(
    url: str, script: str, args: Sequence[str], seconds: int, settings: LoadSettings
) -> RunResult:
    """Run wrk once against `url` and return its totals."""
    command = wrk_command(url, script, args, seconds, settings)
    try:
        completed = subprocess.run(
            command,
            cwd=LUA_DIR,  # the scripts `require("common")` from here
            capture_output=True,
            text=True,
            timeout=seconds + settings.timeout + 30,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LoadError(f"wrk did not finish: {' '.join(command)}") from exc
    if completed.returncode != 0:
        raise LoadError(
            f"wrk exited with {completed.returncode}: {' '.join(command)}\n"
            f"{completed.stdout}{completed.stderr}"
        )
    return RunResult.parse(completed.stdout)


@dataclass(frozen=True, slots=True)
class Load:
    """One scenario aimed at one server: a wrk script and its arguments.

    `args` is called once per run, so that a PUT run gets a fresh run id.
    """

    url: str
    script: str
    args: Callable[[], list[str]]

    def run(self, seconds: int, settings: LoadSettings) -> RunResult:
        """Run this load once for `seconds`."""
        return run_wrk(self.url, self.script, self.args(), seconds, settings)

    def start(self, seconds: int, settings: LoadSettings) -> subprocess.Popen[str]:
        """Start one run in the background; its output is a RunResult line."""
        command = wrk_command(self.url, self.script, self.args(), seconds, settings)
        return subprocess.Popen(
            command,
            cwd=LUA_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def measure_interleaved(
    loads: dict[str, Load],
    settings: LoadSettings,
    tolerated: Collection[str] = (),
) -> tuple[dict[str, Measurement], dict[str, str]]:
    """Warm each target up, then run the measured rounds round-robin over targets.

    Interleaving spreads slow phases of a shared machine over all targets alike,
    so their ratios stay fair even when absolute numbers drift. A LoadError of a
    target named in `tolerated` drops that target and is returned by name, with
    the other targets' measurements; any other LoadError propagates.
    """
    failures: dict[str, str] = {}
    measurements = {name: Measurement() for name in loads}

    def run(name: str, seconds: int) -> RunResult | None:
        try:
            return loads[name].run(seconds, settings)
        except LoadError as exc:
            if name not in tolerated:
                raise
            failures[name] = str(exc)
            del measurements[name]
            return None
        finally:
            time.sleep(SETTLE)

    for name in loads:
        run(name, settings.warmup)
    for _ in range(settings.rounds):
        for name in list(measurements):
            result = run(name, settings.duration)
            if result is not None:
                measurements[name].rounds.append(result)
    return measurements, failures
