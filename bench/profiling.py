"""Sampling profiles of the mock under load, taken with py-spy.

py-spy samples the server's Python stacks from outside the process while wrk
drives one scenario. The summary attributes each sample to the library of its
innermost Python frame (C code such as orjson counts toward the Python function
that called it) and lists the mock's functions by the share of samples they
appear in.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import tools
from bench.loadgen import LoadSettings
from bench.serverbench import BY_KEY, SCENARIOS, load_for, mock_server, running
from bench.workload import Workload

SAMPLE_RATE = 200
"""Samples per second; py-spy pauses the server briefly for each one."""

# Libraries by a fragment of their frames' file paths, most specific first.
CATEGORIES = (
    ("logging", ("logging/",)),
    ("uvicorn and httptools (HTTP)", ("uvicorn/", "httptools/", "h11/")),
    (
        "event loop (uvloop, asyncio)",
        ("uvloop/", "asyncio/", "selectors.py", "socket.py"),
    ),
    ("Starlette", ("starlette/",)),
    ("pydantic validation", ("pydantic/", "pydantic_core/")),
    ("mock_server", ("mock_server/",)),
    ("json (standard library)", ("json/",)),
)
OTHER = "other"
INCLUSIVE = frozenset({"logging", "pydantic validation"})
APP = "ASGI app"
APP_ENTRY = "MockApp.__call__"
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


@dataclass(frozen=True, slots=True)
class Frame:
    """A function as py-spy names it, without the line number."""

    function: str
    file: str

    @classmethod
    def parse(cls, text: str) -> Frame:
        """Parse `function (file:line)` from py-spy's raw output."""
        match = _FRAME.match(text)
        if match is None:
            return cls(text, "")
        return cls(match["function"], match["file"])

    @property
    def category(self) -> str:
        """Return the library this frame's file belongs to."""
        for name, fragments in CATEGORIES:
            if any(fragment in self.file for fragment in fragments):
                return name
        return OTHER


def summarize(raw: str, top: int = 12) -> dict[str, Any]:
    """Summarise py-spy's raw (collapsed stack) output.

    `self` shares add up to 1 over the categories. `inclusive` shares count the
    samples whose stack passes through logging, pydantic or the ASGI app
    (`MockApp.__call__`) at least once. Mock functions count only below the app's
    entry, so start-up frames such as `serve` do not cover every sample.
    """
    samples = 0
    own: Counter[str] = Counter()
    through: Counter[str] = Counter()
    functions: Counter[Frame] = Counter()
    leaves: Counter[Frame] = Counter()
    for line in raw.splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text:
            continue
        count = int(count_text)
        frames = [Frame.parse(part) for part in stack_text.split(";")]
        samples += count
        own[frames[-1].category] += count
        leaves[frames[-1]] += count
        for category in {frame.category for frame in frames} & INCLUSIVE:
            through[category] += count
        app = _app_frames(frames)
        if app:
            through[APP] += count
        for frame in set(app):
            if frame.category == "mock_server":
                functions[frame] += count

    def share(value: int) -> float:
        return value / samples if samples else 0.0

    return {
        "samples": samples,
        "self": {name: share(own[name]) for name, _ in (*CATEGORIES, (OTHER, ()))},
        "inclusive": {name: share(through[name]) for name in (*INCLUSIVE, APP)},
        "mock_functions": [
            {"function": f.function, "file": f.file, "inclusive": share(n)}
            for f, n in functions.most_common(top)
        ],
        "leaf_functions": [
            {"function": f.function, "file": f.file, "self": share(n)}
            for f, n in leaves.most_common(top)
        ],
    }


def _app_frames(frames: list[Frame]) -> list[Frame]:
    """Return the frames from the ASGI app's entry inward, or [] outside the app."""
    for index, frame in enumerate(frames):
        if frame.function == APP_ENTRY:
            return frames[index:]
    return []


def profile_scenarios(
    workload: Workload, settings: LoadSettings, seconds: int, work_dir: Path
) -> dict[str, Any]:
    """Profile the mock on every scenario; return a summary per scenario."""
    server = mock_server(workload, work_dir, "profile")
    summaries: dict[str, Any] = {}
    with running([server]):
        for scenario in SCENARIOS:
            load = load_for(BY_KEY[scenario.key], server, workload)
            wrk = load.start(seconds + 2, settings)
            time.sleep(1)  # let the load reach a steady state first
            output = work_dir / f"profile-{scenario.key}.txt"
            subprocess.run(
                [
                    str(tools.py_spy()),
                    "record",
                    f"--pid={server.pid}",
                    f"--duration={seconds}",
                    f"--rate={SAMPLE_RATE}",
                    "--format=raw",
                    f"--output={output}",
                ],
                capture_output=True,
                check=True,
                timeout=seconds + 60,
            )
            wrk.communicate(timeout=seconds + settings.timeout + 30)
            summaries[scenario.key] = summarize(output.read_text(encoding="utf-8"))
    return {"stored": workload.size, "seconds": seconds, "scenarios": summaries}
