"""Time `callflow-kit lint` against Spectral 6 and Redocly CLI 2 on Kazoo's spec.

Installs both npm packages under bench/ (bench/node_modules/, not committed),
runs each linter once as a warm-up and then ROUNDS times, alternating the tools
within each round, and writes the medians and ratios into the lint section of
docs/benchmarks.md. Run it from anywhere: `make bench-lint`.

Each run's wall time and CPU time (user and system, the process's children
included) are recorded, since callflow-kit runs part of its checks in a forked
child process and the Node.js tools run helper threads.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BENCH = PROJECT / "bench"
NODE_BIN = BENCH / "node_modules" / ".bin"
SPEC = Path("tests/data/kazoo-oas3-master/openapi.yml")
SPECTRAL_RULESET = Path("bench/lint/spectral.yaml")
PAGE = PROJECT / "docs" / "benchmarks.md"
START = "<!-- lint benchmark: start (written by bench/lint/run.py) -->"
END = "<!-- lint benchmark: end -->"
PACKAGES = ("@stoplight/spectral-cli@6", "@redocly/cli@2")
ROUNDS = 15

# These variables switch off Redocly CLI's usage data and update checks.
QUIET_NODE_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
}


@dataclass(frozen=True)
class Linter:
    """One linter: a name, the command that lints the spec, and its version."""

    name: str
    command: tuple[str, ...]
    version: str


def install_node_tools() -> None:
    """Install Spectral and Redocly CLI into bench/node_modules with npm."""
    if shutil.which("npm") is None:
        sys.exit("npm not found: install Node.js 20 or later to run this benchmark")
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(BENCH),
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            *PACKAGES,
        ],
        check=True,
        cwd=PROJECT,
    )


def _version(command: list[str]) -> str:
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=PROJECT, env=_environment()
    )
    return result.stdout.strip().splitlines()[0] if result.stdout.strip() else "unknown"


def _environment() -> dict[str, str]:
    return {**os.environ, **QUIET_NODE_ENV}


def linters() -> list[Linter]:
    """Return the three linters with their commands and versions."""
    ours = Path(sys.executable).parent / "callflow-kit"
    spectral = NODE_BIN / "spectral"
    redocly = NODE_BIN / "redocly"
    return [
        Linter(
            "callflow-kit lint",
            (str(ours), "lint", str(SPEC)),
            metadata.version("callflow-kit"),
        ),
        Linter(
            "Spectral",
            (str(spectral), "lint", "--ruleset", str(SPECTRAL_RULESET), str(SPEC)),
            _version([str(spectral), "--version"]),
        ),
        Linter(
            "Redocly CLI",
            (str(redocly), "lint", str(SPEC)),
            _version([str(redocly), "--version"]),
        ),
    ]


@dataclass(frozen=True)
class Timing:
    """One run of a linter: wall time and CPU time, in seconds."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(linter: Linter) -> Timing:
    """Run the linter once and return its wall and CPU time."""
    cpu = _children_cpu()
    started = time.perf_counter()
    # Every linter exits non-zero here, since Kazoo's spec has findings.
    subprocess.run(
        linter.command,
        cwd=PROJECT,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return Timing(time.perf_counter() - started, _children_cpu() - cpu)


def measure(tools: list[Linter], rounds: int) -> dict[str, list[Timing]]:
    """Warm each linter up once, then time it `rounds` times, interleaved."""
    for linter in tools:
        time_once(linter)
    times: dict[str, list[Timing]] = {linter.name: [] for linter in tools}
    for _ in range(rounds):
        for linter in tools:
            times[linter.name].append(time_once(linter))
    return times


# Times the stages of one lint run in a fresh interpreter and prints the seconds as
# JSON. The stages run one after the other, with the garbage collector off as in
# `lint_specs`.
_STAGE_SCRIPT = """
import gc, json, sys, time
gc.disable()
started = time.perf_counter()
from pathlib import Path
from generator.lint import _CHECKS, _CHILD_CHECKS
from generator.lint.findings import Reporter
from generator.lint.loader import load_spec
from generator.lint.walk import index_spec
times = {"imports": time.perf_counter() - started}

mark = time.perf_counter()
spec = load_spec(Path(sys.argv[1]))
times["YAML parsing with line marks"] = time.perf_counter() - mark

mark = time.perf_counter()
index, reporter = index_spec(spec), Reporter({})
times["walk"] = time.perf_counter() - mark

mark = time.perf_counter()
for _, check in _CHECKS:
    if check not in _CHILD_CHECKS:
        list(check(spec, index, reporter))
times["other rules"] = time.perf_counter() - mark

mark = time.perf_counter()
for _, check in _CHECKS:
    if check in _CHILD_CHECKS:
        list(check(spec, index, reporter))
times["defaults and examples (child process)"] = time.perf_counter() - mark

mark = time.perf_counter()
from generator.lint.bundle import bundle_spec
bundle = bundle_spec(spec)
times["prance resolution"] = time.perf_counter() - mark

mark = time.perf_counter()
from generator.lint.structure import iter_structure_findings
list(iter_structure_findings(bundle, reporter))
times["structural check"] = time.perf_counter() - mark
print(json.dumps(times))
"""


def stage_times(rounds: int) -> dict[str, float]:
    """Return the median time of each stage of `callflow-kit lint`, in seconds."""
    runs = []
    for _ in range(rounds):
        result = subprocess.run(
            [sys.executable, "-c", _STAGE_SCRIPT, str(SPEC)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(result.stdout))
    return {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}


def machine() -> str:
    """Return the CPU model, cores, memory, OS, Python and Node versions."""
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB memory"
    node = _version(["node", "--version"])
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; Node.js {node}"
    )


def _relative(command: tuple[str, ...]) -> str:
    parts = []
    for part in command:
        path = Path(part)
        parts.append(
            str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else part
        )
    return " ".join(parts)


def _comparison(ours: float, other: float, name: str) -> str:
    """Return e.g. '1.9 times as fast as Redocly CLI' from two median times."""
    if other >= ours:
        return f"{other / ours:.1f} times as fast as {name}"
    return f"{ours / other:.1f} times as slow as {name}"


def section(
    tools: list[Linter],
    times: dict[str, list[Timing]],
    stages: dict[str, float],
    rounds: int,
    load: tuple[float, float],
) -> str:
    """Return the Markdown section with the medians, ratios, stages and commands."""
    walls = {name: [run.wall for run in runs] for name, runs in times.items()}
    cpus = {name: [run.cpu for run in runs] for name, runs in times.items()}
    medians = {name: statistics.median(values) for name, values in walls.items()}
    ours = medians[tools[0].name]
    rows = [
        f"| {linter.name} {linter.version} | {medians[linter.name]:.2f} s | "
        f"{min(walls[linter.name]):.2f} s | "
        f"{statistics.median(cpus[linter.name]):.2f} s | "
        f"{medians[linter.name] / ours:.2f} |"
        for linter in tools
    ]

    others = [
        _comparison(ours, medians[linter.name], linter.name) for linter in tools[1:]
    ]
    faster = all(medians[linter.name] > ours for linter in tools[1:])
    verdict = "faster than both" if faster else "not faster than both"
    commands = "\n".join(_relative(linter.command) for linter in tools)
    stage_rows = [f"| {stage} | {seconds:.3f} s |" for stage, seconds in stages.items()]

    return "\n".join(
        [
            START,
            "## Linting Kazoo's OpenAPI spec",
            "",
            f"Measured on {date.today().isoformat()} by `make bench-lint` "
            "(`bench/lint/run.py`): Kazoo's own generated OpenAPI 3.0 spec, "
            f"`{SPEC}` and the 83 files it refers to. Each linter ran once as a "
            f"warm-up, then {rounds} rounds, the three tools alternating within a "
            "round. Wall time is that of the whole process, start-up included; CPU "
            "time is user plus system time of the process and its children. The "
            "ratio is the median wall time over callflow-kit's.",
            "",
            f"Machine: {machine()}. Load average over 1 minute: {load[0]:.2f} "
            f"before the runs and {load[1]:.2f} after them. The benchmark alone "
            "accounts for about 1, so a higher value means that other jobs shared "
            "the two cores.",
            "",
            "| linter | median wall | fastest | median CPU | wall / callflow-kit |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"By median wall time, callflow-kit is {' and '.join(others)}: {verdict}.",
            "",
            "callflow-kit validates defaults and examples in a forked child process "
            "on the second core, while the parent runs the other rules, prance and "
            "the structural check. Its CPU time counts both processes, and a run "
            "with a single free core takes about that long. Where the time goes, as "
            f"medians of {rounds} runs of the stages one after the other in a fresh "
            "interpreter (the start-up of Python and the CLI and the report "
            "rendering are not included):",
            "",
            "| stage | time |",
            "|---|---|",
            *stage_rows,
            "",
            "The child's stage is mostly the import of openapi-schema-validator, "
            "whose settings module imports pydantic-settings. PyYAML builds a node "
            "with start and end marks for every value of the 84 files, so that "
            "findings carry lines. prance turns each of the spec's 1,905 `$ref`s into "
            "an absolute URL, checking every path component with a system call, "
            "and copies every reference target.",
            "",
            "Commands, run from the project folder (Spectral with the `spectral:oas` "
            "ruleset, Redocly CLI with its default `recommended` ruleset):",
            "",
            "```",
            commands,
            "```",
            END,
        ]
    )


def write_section(text: str) -> None:
    """Replace the lint section of docs/benchmarks.md, or append it."""
    page = PAGE.read_text(encoding="utf-8") if PAGE.exists() else "# Benchmarks\n"
    if START in page and END in page:
        before, rest = page.split(START, 1)
        after = rest.split(END, 1)[1]
        page = before + text + after
    else:
        page = page.rstrip("\n") + "\n\n" + text + "\n"
    PAGE.write_text(page, encoding="utf-8")


def main() -> None:
    """Install the npm linters, time all three and update the benchmarks page."""
    install_node_tools()
    tools = linters()
    load_before = os.getloadavg()[0]
    times = measure(tools, ROUNDS)
    stages = stage_times(ROUNDS)
    load = (load_before, os.getloadavg()[0])
    text = section(tools, times, stages, ROUNDS, load)
    write_section(text)
    print(text)


if __name__ == "__main__":
    main()
